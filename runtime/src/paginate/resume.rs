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
    /// The request a custom paginator (Rust code) prepared, and the state it saved
    /// ([`crate::custom::Paginator::save`]). Query and body values that hold a secret of the
    /// client are stored as `***` and filled in on resume from the resumed request's own.
    Custom {
        /// The absolute URL (with a query of its own if the paginator followed a link).
        url: String,
        /// The query pairs the paginator set, in order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        query: Vec<(String, String)>,
        /// The JSON body, if the paginator's request has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        json: Option<Value>,
        /// What the paginator saved of its own state.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        state: Option<Value>,
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
                    Position::Custom { .. } => "a custom paginator's request",
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
                go_to_link(url, request)?;
            }
            (
                Position::Custom {
                    url,
                    query,
                    json,
                    state,
                },
                PaginatorConfig::Custom { .. },
            ) => {
                let first = request.clone();
                go_to_link(url, request)?;
                request.query = refill_pairs(query.iter().cloned(), &first);
                request.json = json
                    .as_ref()
                    .map(|body| refill_body(body, first.json.as_ref()));
                if let (Some(run), Some(state)) = (&self.custom, state) {
                    run.with(|run| run.restore(state))?;
                }
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
        let pairs = refill_pairs(
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
            first,
        );
        url.query_pairs_mut().clear().extend_pairs(pairs);
        if url.query() == Some("") {
            url.set_query(None);
        }
    }
    Ok(url.to_string())
}

/// Sends the next request to a stored link, its `***` query values refilled.
fn go_to_link(url: &str, request: &mut RequestState) -> Result<(), PaginationError> {
    let link = refill_link(url, request)?;
    request
        .follow_link(&link)
        .map_err(|e| PaginationError::BadLink {
            link: url.to_string(),
            reason: e.to_string(),
        })
}

/// Query pairs with each `***` value taken from the first request's pair of the same key,
/// or left out where it has none.
fn refill_pairs(
    pairs: impl Iterator<Item = (String, String)>,
    first: &RequestState,
) -> Vec<(String, String)> {
    pairs
        .filter_map(|(key, value)| {
            if value != REDACTED {
                return Some((key, value));
            }
            let own = first.query.iter().find(|(name, _)| *name == key)?;
            Some((key, own.1.clone()))
        })
        .collect()
}

/// The body with each `***` string taken from the first request's body at the same place,
/// or left out where the first request has nothing there.
fn refill_body(saved: &Value, first: Option<&Value>) -> Value {
    match saved {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter_map(|(key, value)| {
                    let own = first.and_then(|f| f.get(key));
                    if value.as_str() == Some(REDACTED) {
                        return own.map(|own| (key.clone(), own.clone()));
                    }
                    Some((key.clone(), refill_body(value, own)))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| refill_body(item, first.and_then(|f| f.get(i))))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `value` with every string that holds a secret, or under a sensitive key, as `***`.
fn redact_value(value: &Value, holds: &dyn Fn(&str) -> bool) -> Value {
    match value {
        Value::String(text) if holds(text) => Value::String(REDACTED.to_string()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let value = match value {
                        Value::String(_) if crate::secret::is_sensitive_key(key) => {
                            Value::String(REDACTED.to_string())
                        }
                        other => redact_value(other, holds),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| redact_value(v, holds)).collect()),
        other => other.clone(),
    }
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
    let link = |url: &str| {
        let Ok(mut parsed) = url::Url::parse(url) else {
            return crate::secret::redact_text(url, secrets);
        };
        if parsed.query().is_some() {
            let pairs: Vec<(String, String)> = parsed
                .query_pairs()
                .map(|(k, v)| {
                    let v = if crate::secret::is_sensitive_key(&k) || holds(&v) {
                        REDACTED.to_string()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
        }
        crate::secret::redact_text(parsed.as_str(), secrets)
    };
    match position {
        Position::Link { url } => Position::Link { url: link(url) },
        Position::Custom {
            url,
            query,
            json,
            state,
        } => Position::Custom {
            url: link(url),
            query: query
                .iter()
                .map(|(key, value)| {
                    // a custom paginator's own values are paging state, whatever their key
                    // (`token` is often a page token): only a client secret is kept out
                    let value = if holds(value) {
                        REDACTED.to_string()
                    } else {
                        value.clone()
                    };
                    (key.clone(), value)
                })
                .collect(),
            json: json.as_ref().map(|body| redact_value(body, &holds)),
            state: state.as_ref().map(|state| redact_value(state, &holds)),
        },
        Position::Cursor {
            value: Value::String(text),
        } if holds(text) => Position::Cursor {
            value: Value::String(crate::secret::redact_text(text, secrets)),
        },
        other => other.clone(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::borrow::Cow;
    use std::sync::{Arc, Mutex};

    use serde_json::{Value, json};

    use super::{Position, without_secrets};
    use crate::descriptor::PaginatorConfig;
    use crate::paginate::{PageView, PaginationError, Paginator, RequestState};
    use crate::secret::Secret;

    /// Records the state it is given back.
    #[derive(Clone)]
    struct Restored(Arc<Mutex<Option<Value>>>);

    impl crate::custom::Paginator for Restored {
        fn next_request(
            &mut self,
            _: &PageView<'_>,
            _: &mut RequestState,
        ) -> Result<bool, PaginationError> {
            Ok(false)
        }

        fn restore(&mut self, state: &Value) -> Result<(), PaginationError> {
            *self.0.lock().unwrap() = Some(state.clone());
            Ok(())
        }
    }

    #[test]
    fn a_custom_position_keeps_no_secret_and_resumes_with_the_clients_own() {
        let position = Position::Custom {
            url: "https://api.test/events".into(),
            query: vec![
                ("api_key".into(), "s3cr3t".into()),
                ("token".into(), "page-7".into()),
            ],
            json: Some(json!({"auth": {"key": "s3cr3t"}, "cursor": "page-7"})),
            state: Some(json!({"n": 2})),
        };
        let stored = without_secrets(&position, &[Secret::new("s3cr3t")]);
        let text = serde_json::to_string(&stored).unwrap();
        assert!(!text.contains("s3cr3t"), "{text}");
        // a paging token under a key called `token` is paging state, kept
        assert!(text.contains("page-7"), "{text}");

        let seen = Arc::new(Mutex::new(None));
        let config = PaginatorConfig::Custom {
            name: Cow::Borrowed("Restored"),
        };
        let mut paginator = Paginator::custom(&config, Box::new(Restored(seen.clone())));
        let mut request = RequestState::new(
            url::Url::parse("https://api.test/events").unwrap(),
            vec![("api_key".into(), "fresh".into())],
            Some(json!({"auth": {"key": "fresh"}})),
        );
        paginator.init_request(&mut request);
        paginator.restore(&stored, &mut request).unwrap();
        assert_eq!(
            request.query,
            [
                ("api_key".to_string(), "fresh".to_string()),
                ("token".to_string(), "page-7".to_string())
            ]
        );
        assert_eq!(
            request.json,
            Some(json!({"auth": {"key": "fresh"}, "cursor": "page-7"}))
        );
        assert_eq!(*seen.lock().unwrap(), Some(json!({"n": 2})));
    }
}
