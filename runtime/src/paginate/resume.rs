//! Where a paginated sequence stands, as data: what a failed run's next request was, so a new
//! run can start there instead of at the first page.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    CursorConfig, PaginationError, Paginator, PaginatorConfig, RequestState, write_offset,
    write_page,
};
use crate::secret::REDACTED;

/// The paging state of one request: what the paginator put into it beyond the first request.
/// Everything else (path, parameters, body, credentials) comes from the spec and the client
/// again when a run resumes from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Position {
    /// The first request.
    Start,
    /// An offset or page number.
    Counter {
        /// The offset or page number sent.
        value: i64,
    },
    /// A cursor the last page gave, with its JSON type.
    Cursor {
        /// The cursor sent.
        value: Value,
    },
    /// A next link the last page gave. A query value that held a secret, or of a sensitive
    /// key, is stored as `***` and filled in again on resume from the resumed request's own
    /// parameter of that key (or left out: credentials are applied when a request is sent).
    Link {
        /// The absolute URL.
        url: String,
    },
}

impl Paginator {
    /// Where the next request stands.
    pub fn position(&self) -> &Position {
        &self.position
    }

    /// Moves a sequence whose first request is `request` (from [`Paginator::init_request`])
    /// to `position`. A link's `***` query values take the value of the same key in the first
    /// request, or are dropped (credentials are applied when the request is sent).
    pub fn restore(
        &mut self,
        position: &Position,
        request: &mut RequestState,
    ) -> Result<(), PaginationError> {
        let mismatch = || {
            PaginationError::InvalidConfig(format!(
                "a resume point at {} does not fit this resource's paginator",
                match position {
                    Position::Start => "the first page",
                    Position::Counter { .. } => "an offset or page number",
                    Position::Cursor { .. } => "a cursor",
                    Position::Link { .. } => "a link",
                }
            ))
        };
        match (position, &self.config) {
            (Position::Start, _) => {}
            (Position::Counter { value }, PaginatorConfig::Offset(c)) => {
                self.current = *value;
                write_offset(c, *value, request);
            }
            (Position::Counter { value }, PaginatorConfig::PageNumber(c)) => {
                self.current = *value;
                write_page(c, *value, request);
            }
            (Position::Cursor { value }, PaginatorConfig::Cursor(CursorConfig { target, .. })) => {
                request.set(target, value.clone());
            }
            (Position::Cursor { value }, PaginatorConfig::HeaderCursor { cursor_param, .. }) => {
                request.set_query(cursor_param, super::wire_form(value));
            }
            (
                Position::Link { url },
                PaginatorConfig::JsonLink { .. }
                | PaginatorConfig::HeaderLink { .. }
                | PaginatorConfig::Cursor(_)
                | PaginatorConfig::Auto,
            ) => {
                let link = refill_link(url, request)?;
                request
                    .follow_link(&link)
                    .map_err(|e| PaginationError::BadLink {
                        link: url.clone(),
                        reason: e.to_string(),
                    })?;
            }
            _ => return Err(mismatch()),
        }
        self.position = position.clone();
        Ok(())
    }
}

/// The link with its `***` query values taken from the first request's query.
fn refill_link(link: &str, first: &RequestState) -> Result<String, PaginationError> {
    let mut url = url::Url::parse(link).map_err(|e| PaginationError::BadLink {
        link: link.to_string(),
        reason: e.to_string(),
    })?;
    if url.path().contains(REDACTED) || url.path().contains("%2A%2A%2A") {
        return Err(PaginationError::BadLink {
            link: link.to_string(),
            reason: "it held a secret in its path, which a resume point does not keep".into(),
        });
    }
    if url.query_pairs().any(|(_, v)| v == REDACTED) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter_map(|(k, v)| {
                if v != REDACTED {
                    return Some((k.into_owned(), v.into_owned()));
                }
                let own = first.query.iter().find(|(name, _)| *name == k)?;
                Some((k.into_owned(), own.1.clone()))
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        if url.query() == Some("") {
            url.set_query(None);
        }
    }
    Ok(url.to_string())
}

/// A position fit to be stored: in a link's query, values that hold a secret and values of
/// sensitive keys (`api_key`, `token`, `password`...) become `***`; a cursor that holds a
/// secret is redacted.
pub(crate) fn without_secrets(position: &Position, secrets: &[crate::secret::Secret]) -> Position {
    let holds = |text: &str| {
        secrets
            .iter()
            .any(|s| s.expose().len() >= 3 && text.contains(s.expose()))
    };
    match position {
        Position::Link { url } => {
            let Ok(mut parsed) = url::Url::parse(url) else {
                return Position::Link {
                    url: crate::secret::redact_text(url, secrets),
                };
            };
            if parsed.query().is_some() {
                let pairs: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(k, v)| {
                        let sensitive = crate::secret::SENSITIVE_QUERY_KEYS
                            .iter()
                            .any(|s| s.eq_ignore_ascii_case(&k));
                        let v = if sensitive || holds(&v) {
                            REDACTED.to_string()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                parsed.query_pairs_mut().clear().extend_pairs(pairs);
            }
            Position::Link {
                url: crate::secret::redact_text(parsed.as_str(), secrets),
            }
        }
        Position::Cursor {
            value: Value::String(text),
        } if holds(text) => Position::Cursor {
            value: Value::String(crate::secret::redact_text(text, secrets)),
        },
        other => other.clone(),
    }
}
