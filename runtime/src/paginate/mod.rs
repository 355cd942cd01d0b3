//! The sans-IO paginator core. It fills in the first request, then reads each page (status,
//! headers, body, records) and either edits the next request or stops. It never does I/O, so
//! the async and blocking drivers share it and unit tests drive it with plain values.

mod custom;
mod detect;
mod link;
mod predict;
mod request;
mod resume;

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::Value;
use serde_json::value::RawValue;

use custom::CustomRun;
pub use detect::{detect_paginator, single_entity_path};
pub use link::find_link;
pub(crate) use link::split_links;
pub use request::{RequestState, wire_form};
pub use resume::Position;
pub(crate) use resume::without_secrets;

use crate::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PageSize, PaginatorConfig,
    PaginatorProblem,
};
use crate::expr::Scope;
use crate::selector::{RawKind, Selector, TooDeep, raw_kind};

/// What a paginator sees of one response.
#[derive(Debug, Clone, Copy)]
pub struct PageView<'a> {
    /// Response headers.
    pub headers: &'a http::HeaderMap,
    /// The body, when it is JSON.
    pub body: Option<&'a RawValue>,
    /// The records the data selector found, still raw.
    pub records: &'a [&'a RawValue],
}

/// Why paging cannot go on. Each names what the response lacked or repeated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaginationError {
    /// The paginator configuration can never terminate, or contradicts itself.
    #[error("invalid paginator: {0}")]
    InvalidConfig(String),
    /// `total_path` did not lead to a value.
    #[error("total `{what}` not found in the response at `{path}`")]
    TotalMissing {
        /// `items` or `pages`.
        what: &'static str,
        /// The selector.
        path: String,
    },
    /// `total_path` led to something that is not an integer.
    #[error("total at `{path}` is not an integer: {value}")]
    TotalNotInteger {
        /// The selector.
        path: String,
        /// The JSON found.
        value: String,
    },
    /// `has_more_path` did not lead to a value.
    #[error("has-more value not found in the response at `{path}`")]
    HasMoreMissing {
        /// The selector.
        path: String,
    },
    /// `has_more_path` led to something that is not a boolean.
    #[error("has-more value at `{path}` is not a boolean: {value}")]
    HasMoreNotBool {
        /// The selector.
        path: String,
        /// The JSON found.
        value: String,
    },
    /// A next link that is not a string (dlt fails on it before it yields the page).
    #[error("next link is not a string: {value}")]
    NotALink {
        /// The JSON found.
        value: String,
    },
    /// A next link that is not a usable URL.
    #[error("next link `{link}` is not a valid URL: {reason}")]
    BadLink {
        /// The link found.
        link: String,
        /// Why it did not parse.
        reason: String,
    },
    /// The page nests deeper than a paginator's selector (or auto-detection) searches.
    #[error(transparent)]
    TooDeep(#[from] TooDeep),
    /// The next request would repeat one already sent in this sequence: the API loops.
    #[error("the next request repeats an earlier one ({url}); stopping to avoid a loop")]
    Repeated {
        /// The URL that would be requested again (redacted by the caller before display).
        url: String,
    },
}

impl PaginationError {
    /// Whether the error is about the request after the page rather than the page itself.
    /// dlt yields a page whose next link is empty or unusable and then fails sending the
    /// request to it, and a request that repeats an earlier one is harmful only once sent; so
    /// the page's records are delivered, and it is the next request that fails.
    pub fn is_about_next_request(&self) -> bool {
        matches!(
            self,
            PaginationError::BadLink { .. } | PaginationError::Repeated { .. }
        )
    }
}

/// The state of one paginated sequence.
#[derive(Debug, Clone)]
pub struct Paginator {
    /// The caller's code, for a `custom` paginator.
    custom: Option<CustomRun>,
    config: PaginatorConfig,
    has_next: bool,
    /// The counter of a range paginator (offset or page number).
    current: i64,
    /// Where the next request stands: the counter, cursor or link the last page gave.
    position: Position,
    /// Whether the config's `Auto` has been replaced by a detected paginator.
    detected: bool,
    /// Fingerprints of the requests sent so far, to stop a paginator that loops.
    sent: HashSet<u64>,
    /// The total (items or pages) the last page of a range paginator gave, if any.
    total: Option<i64>,
}

impl Paginator {
    /// A paginator for `config`; fails where dlt's constructor raises (the termination guard,
    /// both a query and a body target).
    pub fn new(config: &PaginatorConfig) -> Result<Self, PaginationError> {
        validate(config)?;
        if let PaginatorConfig::Custom { name } = config {
            return Err(PaginationError::InvalidConfig(format!(
                "custom paginator `{name}` needs its Rust code (`Paginator::custom`)"
            )));
        }
        Ok(Self::unchecked(config, None))
    }

    fn unchecked(config: &PaginatorConfig, custom: Option<CustomRun>) -> Self {
        Paginator {
            custom,
            config: config.clone(),
            has_next: true,
            current: 0,
            position: Position::Start,
            detected: false,
            sent: HashSet::new(),
            total: None,
        }
    }

    /// The paginator in use (after auto-detection, the detected one).
    pub fn config(&self) -> &PaginatorConfig {
        &self.config
    }

    /// Whether another page will be requested.
    pub fn has_next(&self) -> bool {
        self.has_next
    }

    /// Fills in the first request: range paginators write the start value and the limit,
    /// page sizes are written, cursors and links add nothing.
    pub fn init_request(&mut self, request: &mut RequestState) {
        self.has_next = true;
        self.sent.clear();
        self.total = None;
        self.position = Position::Start;
        match &self.config {
            PaginatorConfig::Offset(c) => {
                self.current = saturating_i64(c.offset);
                write_offset(c, self.current, request);
            }
            PaginatorConfig::PageNumber(c) => {
                self.current = c.page;
                write_page(c, self.current, request);
            }
            PaginatorConfig::Cursor(CursorConfig {
                page_size: Some(size),
                ..
            }) => write_page_size(size, request),
            PaginatorConfig::Custom { .. } => {
                if let Some(run) = &self.custom {
                    run.with(|run| run.init_request(request));
                }
            }
            _ => {}
        }
    }

    /// Reads a page and prepares the next request. Returns whether there is a next page.
    pub fn on_page(
        &mut self,
        page: &PageView<'_>,
        request: &mut RequestState,
    ) -> Result<bool, PaginationError> {
        if matches!(self.config, PaginatorConfig::Auto) && !self.detected {
            self.config = detect_paginator(page)?;
            self.detected = true;
            if let PaginatorConfig::PageNumber(c) = &self.config {
                // detection happens after the first request, which carried no page number
                self.current = c.page;
            }
        }
        self.sent.insert(fingerprint(request));
        let config = self.config.clone();
        match &config {
            PaginatorConfig::SinglePage | PaginatorConfig::Auto => self.has_next = false,
            PaginatorConfig::Custom { .. } => {
                let (has_next, state) = match &self.custom {
                    Some(run) => run.with(|run| {
                        run.next_request(page, request)
                            .map(|has_next| (has_next, run.save()))
                    })?,
                    None => (false, None),
                };
                self.has_next = has_next;
                self.position = Position::Custom {
                    url: request.url.to_string(),
                    query: request.query.clone(),
                    json: request.json.clone(),
                    state,
                };
            }
            PaginatorConfig::JsonLink { next_url_path } => {
                // dlt: a missing key or `null` stops; anything but a string fails (`urlparse`)
                let link = match next_url_path.first_value(page.body)? {
                    None | Some(Value::Null) => None,
                    Some(Value::String(link)) => Some(link),
                    Some(other) => {
                        return Err(PaginationError::NotALink {
                            value: other.to_string(),
                        });
                    }
                };
                self.set_link(link, request)?;
            }
            PaginatorConfig::HeaderLink { links_next_key } => {
                let link = page
                    .headers
                    .get_all(http::header::LINK)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(|v| find_link(v, links_next_key));
                self.set_link(link, request)?;
            }
            PaginatorConfig::HeaderCursor {
                cursor_key,
                cursor_param,
            } => {
                let cursor = page
                    .headers
                    .get(cursor_key.as_ref())
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                self.has_next = cursor.is_some();
                if let Some(cursor) = cursor {
                    request.set_query(cursor_param, cursor.clone());
                    self.position = Position::Cursor {
                        value: Value::String(cursor),
                    };
                }
            }
            PaginatorConfig::Cursor(c) => self.on_cursor_page(c, page, request)?,
            PaginatorConfig::Offset(c) => {
                self.on_range_page(RangeView::offset(c), page)?;
                if self.has_next {
                    write_offset(c, self.current, request);
                }
            }
            PaginatorConfig::PageNumber(c) => {
                self.on_range_page(RangeView::page_number(c), page)?;
                if self.has_next {
                    write_page(c, self.current, request);
                }
            }
        }
        if let PaginatorConfig::Offset(_) | PaginatorConfig::PageNumber(_) = &config {
            self.position = Position::Counter {
                value: self.current,
            };
        }
        if self.has_next && self.sent.contains(&fingerprint(request)) {
            return Err(PaginationError::Repeated {
                url: request.full_url().to_string(),
            });
        }
        Ok(self.has_next)
    }

    /// A link paginator's page: go on exactly when there is a link.
    fn set_link(
        &mut self,
        link: Option<String>,
        request: &mut RequestState,
    ) -> Result<(), PaginationError> {
        self.has_next = link.is_some();
        match link {
            Some(link) => self.follow(link, request),
            None => Ok(()),
        }
    }

    /// Points the next request at `link`. An empty link is an error, as the request dlt then
    /// sends to the URL `""` fails.
    fn follow(&mut self, link: String, request: &mut RequestState) -> Result<(), PaginationError> {
        if link.trim().is_empty() {
            return Err(PaginationError::BadLink {
                link,
                reason: "empty URL".into(),
            });
        }
        let bad = |e: url::ParseError| PaginationError::BadLink {
            link: link.clone(),
            reason: e.to_string(),
        };
        // `file:`, `ftp:`, `data:` ... cannot be fetched: refused here, at once, rather than
        // by the HTTP client on every retry
        let next = request.url.join(&link).map_err(bad)?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(PaginationError::BadLink {
                link: link.clone(),
                reason: format!("scheme `{}` is not http or https", next.scheme()),
            });
        }
        request.follow_link(&link).map_err(bad)?;
        self.position = Position::Link {
            url: request.url.to_string(),
        };
        Ok(())
    }

    fn on_cursor_page(
        &mut self,
        c: &CursorConfig,
        page: &PageView<'_>,
        request: &mut RequestState,
    ) -> Result<(), PaginationError> {
        let scope = Scope {
            response: page.body,
            headers: page.headers,
            last_record: page.records.last().copied(),
            last_page_size: page.records.len(),
        };
        if let Some(stop) = &c.stop_condition
            && stop.eval(&scope).truthy()
        {
            self.has_next = false;
            return Ok(());
        }
        // the cursor keeps its JSON type: a body target gets it as is, a query its wire form
        let cursor = match &c.source {
            CursorSource::Path(path) => path.first_value(page.body)?.filter(python_truthy),
            CursorSource::Template(expr) => expr.eval(&scope).into_json(),
            CursorSource::LastRecord(path) => {
                path.first_value(scope.last_record)?.filter(python_truthy)
            }
        };
        self.has_next = cursor.is_some();
        if c.stop_after_empty_page && page.records.is_empty() {
            self.has_next = false;
            return Ok(());
        }
        if let Some(path) = &c.has_more_path {
            self.has_next = self.has_next && has_more(path, page.body)?;
        }
        let Some(cursor) = cursor.filter(|_| self.has_next) else {
            return Ok(());
        };
        match cursor {
            // seed dialect: a template that yields an absolute URL names the next page
            Value::String(link)
                if matches!(c.source, CursorSource::Template(_))
                    && (link.starts_with("http://") || link.starts_with("https://")) =>
            {
                self.follow(link, request)
            }
            cursor => {
                request.set(&c.target, cursor.clone());
                self.position = Position::Cursor { value: cursor };
                Ok(())
            }
        }
    }

    fn on_range_page(
        &mut self,
        range: RangeView<'_>,
        page: &PageView<'_>,
    ) -> Result<(), PaginationError> {
        if range.stop_after_empty_page && page.records.is_empty() {
            self.has_next = false;
            return Ok(());
        }
        let mut total = None;
        let mut lenient_total_missing = false;
        if let Some(path) = range.total_path {
            match path.first_value(page.body)? {
                None | Some(Value::Null) if range.stop_on_short_page => {
                    lenient_total_missing = true;
                }
                None | Some(Value::Null) => {
                    return Err(PaginationError::TotalMissing {
                        what: range.total_what,
                        path: path.to_string(),
                    });
                }
                Some(v) => total = Some(parse_int(&v, path)?),
            }
        }
        self.total = total;
        // saturating: a counter at its maximum repeats its request, which the loop guard
        // stops, where overflow would panic or wrap around
        self.current = self.current.saturating_add(range.step);
        if total.is_some_and(|t| self.current >= t.saturating_add(range.base_index))
            || range.maximum.is_some_and(|m| self.current >= m)
        {
            self.has_next = false;
        }
        let short_page_rule =
            range.stop_on_short_page && (range.total_path.is_none() || lenient_total_missing);
        if short_page_rule
            && let Some(limit) = range.limit
            && (page.records.len() as u64) < limit
        {
            self.has_next = false;
        }
        if let Some(path) = range.has_more_path {
            self.has_next = self.has_next && has_more(path, page.body)?;
        }
        Ok(())
    }
}

/// The shared parameters of the two range paginators, dlt's `RangePaginator`.
struct RangeView<'a> {
    step: i64,
    base_index: i64,
    maximum: Option<i64>,
    total_path: Option<&'a Selector>,
    total_what: &'static str,
    stop_after_empty_page: bool,
    has_more_path: Option<&'a Selector>,
    stop_on_short_page: bool,
    limit: Option<u64>,
}

impl<'a> RangeView<'a> {
    fn offset(c: &'a OffsetConfig) -> Self {
        RangeView {
            step: saturating_i64(c.limit),
            base_index: 0,
            maximum: c.maximum_offset.map(saturating_i64),
            total_path: c.total_path.as_ref(),
            total_what: "items",
            stop_after_empty_page: c.stop_after_empty_page,
            has_more_path: c.has_more_path.as_ref(),
            stop_on_short_page: c.stop_on_short_page,
            limit: Some(c.limit),
        }
    }

    fn page_number(c: &'a PageNumberConfig) -> Self {
        RangeView {
            step: 1,
            base_index: c.base_page,
            maximum: c.maximum_page,
            total_path: c.total_path.as_ref(),
            total_what: "pages",
            stop_after_empty_page: c.stop_after_empty_page,
            has_more_path: c.has_more_path.as_ref(),
            stop_on_short_page: c.stop_on_short_page,
            limit: c.page_size.as_ref().map(|s| s.value),
        }
    }
}

/// An offset or limit as the range counter holds it.
fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn validate(config: &PaginatorConfig) -> Result<(), PaginationError> {
    let kind = match config {
        PaginatorConfig::Offset(_) => "offset",
        _ => "page_number",
    };
    match config.problem() {
        None => Ok(()),
        Some(PaginatorProblem::ZeroLimit) => Err(PaginationError::InvalidConfig(
            "offset: `limit` must be greater than 0".into(),
        )),
        Some(PaginatorProblem::Unbounded { maximum }) => {
            Err(PaginationError::InvalidConfig(format!(
                "{kind}: one of `total_path`, `{maximum}`, `has_more_path`, or \
                 `stop_after_empty_page` must be provided to guarantee termination"
            )))
        }
    }
}

fn write_offset(c: &OffsetConfig, offset: i64, request: &mut RequestState) {
    request.set(&c.offset_target, Value::from(offset));
    request.set(&c.limit_target, Value::from(c.limit));
}

fn write_page(c: &PageNumberConfig, page: i64, request: &mut RequestState) {
    request.set(&c.page_target, Value::from(page));
    if let Some(size) = &c.page_size {
        write_page_size(size, request);
    }
}

fn write_page_size(size: &PageSize, request: &mut RequestState) {
    request.set(&size.target, Value::from(size.value));
}

fn python_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Python's `int(value)`: integers, floats truncated, booleans as 0 and 1, and strings
/// holding an integer; anything else is an error.
fn parse_int(value: &Value, path: &Selector) -> Result<i64, PaginationError> {
    let parsed = match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.trunc() as i64)),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| PaginationError::TotalNotInteger {
        path: path.to_string(),
        value: value.to_string(),
    })
}

/// dlt's `has_more` reading: a boolean, or a string dlt's `str2bool` understands
/// (`yes`/`true`/`t`/`y`/`1` and `no`/`false`/`f`/`n`/`0`, any case); anything else, a missing
/// value or `null` is an error.
fn has_more(path: &Selector, body: Option<&RawValue>) -> Result<bool, PaginationError> {
    match path.first_value(body)? {
        None | Some(Value::Null) => Err(PaginationError::HasMoreMissing {
            path: path.to_string(),
        }),
        Some(Value::Bool(b)) => Ok(b),
        Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "y" | "yes" | "t" | "true" | "1" => Ok(true),
            "n" | "no" | "f" | "false" | "0" => Ok(false),
            _ => Err(PaginationError::HasMoreNotBool {
                path: path.to_string(),
                value: Value::String(s).to_string(),
            }),
        },
        Some(other) => Err(PaginationError::HasMoreNotBool {
            path: path.to_string(),
            value: other.to_string(),
        }),
    }
}

/// A fingerprint of the request as sent: full URL and JSON body.
fn fingerprint(request: &RequestState) -> u64 {
    let mut hasher = DefaultHasher::new();
    request.full_url().as_str().hash(&mut hasher);
    if let Some(json) = &request.json {
        json.to_string().hash(&mut hasher);
    }
    hasher.finish()
}

impl Selector {
    /// The first match in an optional document, parsed into a JSON value.
    /// Fails only when the selector would search too deep.
    pub fn first_value(&self, root: Option<&RawValue>) -> Result<Option<Value>, TooDeep> {
        let Some(root) = root else {
            return Ok(None);
        };
        let Some(raw) = self.first(root)? else {
            return Ok(None);
        };
        if raw_kind(raw) == RawKind::Null {
            return Ok(Some(Value::Null));
        }
        Ok(serde_json::from_str(raw.get()).ok())
    }
}

#[cfg(test)]
mod tests;
