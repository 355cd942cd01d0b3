//! The server side of a resource's paginator, worked out from its config: where the records
//! and the next position go, and the body fields a stop condition reads.

use restgen_runtime::descriptor::{CursorSource, PaginatorConfig, Target};
use restgen_runtime::expr::Expr;
use restgen_runtime::selector::{Selector, Step};

use crate::plan::{FieldPath, field_path};
use crate::simulate::{self, Natural, Signal, Slot};

/// The server side of a paginator.
#[derive(Debug, Clone, PartialEq)]
pub enum Paging {
    /// Every record in one response.
    Single,
    /// `offset`/`limit` read from the request; the total (in records) where the spec reads one.
    Offset {
        offset: Target,
        limit: Target,
        default_limit: u64,
        total: Option<FieldPath>,
        has_more: Option<FieldPath>,
    },
    /// A page number read from the request; the total in pages where the spec reads one.
    PageNumber {
        page: Target,
        base: i64,
        size: Option<Target>,
        total_pages: Option<FieldPath>,
        has_more: Option<FieldPath>,
    },
    /// Cursors and links: the server picks the page size (at most what the request asks for)
    /// and says where the next page is.
    Next {
        next: NextPlan,
        size: Option<Target>,
        has_more: Option<FieldPath>,
        signals: Vec<Signal>,
    },
}

/// Where a cursor or link paginator finds the next page.
#[derive(Debug, Clone, PartialEq)]
pub enum NextPlan {
    /// An opaque token in the body, sent back in `param`: as it is, or as a `cursor_value`
    /// template (`via`) makes it from the page (`{{ response.next | tojson }}`); a number
    /// where the template computes with it (`response.n + 1`).
    TokenInBody {
        at: FieldPath,
        param: Target,
        via: Option<Expr>,
        numeric: bool,
    },
    /// An opaque token in a response header, sent back in the query parameter `param`.
    TokenInHeader { header: String, param: String },
    /// An absolute URL in the body (`json_link`, or a template over `response`).
    LinkInBody { at: FieldPath },
    /// An absolute URL in an RFC 8288 `Link` header with this `rel`.
    LinkHeader { rel: String },
    /// An absolute URL in a plain response header (a template over `headers`).
    LinkInHeader { header: String },
    /// A field of the last record, sent back in `param`; the next page starts after the
    /// record holding that value.
    RecordField { field: FieldPath, param: Target },
}

/// The server side of `config`, with the records at `data`; `settings` gives the values the
/// client has for the settings a template reads.
pub fn paging(
    config: &PaginatorConfig,
    data: &FieldPath,
    settings: &dyn Fn(&str) -> Option<String>,
) -> Result<Paging, String> {
    let opt_path = |s: &Option<Selector>| s.as_ref().map(field_path).transpose();
    Ok(match config {
        // a custom paginator is Rust code the client is given: the mock cannot know how it
        // pages, so it serves every record on one page
        PaginatorConfig::SinglePage | PaginatorConfig::Auto | PaginatorConfig::Custom { .. } => {
            Paging::Single
        }
        PaginatorConfig::JsonLink { next_url_path } => Paging::Next {
            next: NextPlan::LinkInBody {
                at: field_path(next_url_path)?,
            },
            size: None,
            has_more: None,
            signals: Vec::new(),
        },
        PaginatorConfig::HeaderLink { links_next_key } => Paging::Next {
            next: NextPlan::LinkHeader {
                rel: links_next_key.to_string(),
            },
            size: None,
            has_more: None,
            signals: Vec::new(),
        },
        PaginatorConfig::HeaderCursor {
            cursor_key,
            cursor_param,
        } => Paging::Next {
            next: NextPlan::TokenInHeader {
                header: cursor_key.to_string(),
                param: cursor_param.to_string(),
            },
            size: None,
            has_more: None,
            signals: Vec::new(),
        },
        PaginatorConfig::Offset(c) => Paging::Offset {
            offset: c.offset_target.clone(),
            limit: c.limit_target.clone(),
            default_limit: c.limit,
            // a total the spec did not name (dlt's default `total`, read leniently) is left
            // out, as the APIs of the seed dialect's offset-without-total do
            total: if c.stop_on_short_page {
                None
            } else {
                opt_path(&c.total_path)?
            },
            has_more: opt_path(&c.has_more_path)?,
        },
        PaginatorConfig::PageNumber(c) => Paging::PageNumber {
            page: c.page_target.clone(),
            base: c.base_page,
            size: c.page_size.as_ref().map(|s| s.target.clone()),
            // a total the spec did not name is read leniently: where the records are the
            // root there is no room for one, and the client stops on an empty or short page
            total_pages: if c.stop_on_short_page && data.is_empty() {
                None
            } else {
                opt_path(&c.total_path)?
            },
            has_more: opt_path(&c.has_more_path)?,
        },
        PaginatorConfig::Cursor(c) => {
            let next = match &c.source {
                CursorSource::Path(path) => match last_record_field(path, data) {
                    // `records[-1].id`: the cursor is a field of the page's last record
                    Some(field) => NextPlan::RecordField {
                        field,
                        param: c.target.clone(),
                    },
                    None => NextPlan::TokenInBody {
                        at: field_path(path)?,
                        param: c.target.clone(),
                        via: None,
                        numeric: false,
                    },
                },
                CursorSource::LastRecord(path) => NextPlan::RecordField {
                    field: field_path(path)?,
                    param: c.target.clone(),
                },
                CursorSource::Template(expr) => simulate::cursor_plan(expr, &c.target, settings)?,
            };
            // the next position inside the records: each page is one record, an object
            let object = match &next {
                NextPlan::TokenInBody { at, .. } | NextPlan::LinkInBody { at } => {
                    at.starts_with(data)
                }
                _ => data.is_empty(),
            };
            let natural = Natural {
                data,
                next: &next,
                object,
            };
            let signals = match &c.stop_condition {
                Some(stop) => simulate::stop_signals(stop, natural, settings)?,
                None => Vec::new(),
            };
            Paging::Next {
                next,
                size: c.page_size.as_ref().map(|s| s.target.clone()),
                has_more: opt_path(&c.has_more_path)?,
                signals,
            }
        }
    })
}

/// The field of the last record a cursor path reads (`attendees[-1].ticket_code` with the
/// records at `attendees`), when it reads one.
fn last_record_field(path: &Selector, data: &FieldPath) -> Option<FieldPath> {
    let steps: &[Step] = &path.steps;
    let (list, rest) = steps.split_at(steps.iter().position(|s| *s == Step::Index(-1))?);
    let list: Vec<&str> = list
        .iter()
        .map(|s| match s {
            Step::Field(name) => Some(name.as_ref()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    if list != data.iter().map(String::as_str).collect::<Vec<_>>() {
        return None;
    }
    rest[1..]
        .iter()
        .map(|s| match s {
            Step::Field(name) => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// The body fields the paginator writes: the next position, totals, flags and signals.
pub fn body_fields(paging: &Paging) -> Vec<&FieldPath> {
    match paging {
        Paging::Single => Vec::new(),
        Paging::Offset {
            total, has_more, ..
        } => total.iter().chain(has_more).collect(),
        Paging::PageNumber {
            total_pages,
            has_more,
            ..
        } => total_pages.iter().chain(has_more).collect(),
        Paging::Next {
            next,
            has_more,
            signals,
            ..
        } => {
            let next_at = match next {
                NextPlan::TokenInBody { at, .. } | NextPlan::LinkInBody { at } => Some(at),
                _ => None,
            };
            let signal_at = signals.iter().filter_map(|s| match &s.slot {
                Slot::Body(at) => Some(at),
                _ => None,
            });
            next_at
                .into_iter()
                .chain(has_more)
                .chain(signal_at)
                .collect()
        }
    }
}
