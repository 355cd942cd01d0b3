//! The server side of a resource's paginator, worked out from its config: where the records
//! and the next position go, and the body fields a stop condition reads.

use restgen_runtime::descriptor::{CursorSource, PaginatorConfig, Target};
use restgen_runtime::expr::{CmpOp, Expr, Literal, Var};
use restgen_runtime::selector::Selector;
use serde_json::Value;

use crate::plan::{FieldPath, field_path};

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
    /// An opaque token in the body, sent back in `param`.
    TokenInBody { at: FieldPath, param: Target },
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

/// A body field that tells the client whether another page follows, derived from a
/// `stop_condition`: `more` on pages with a successor, `last` on the last page (`None` leaves
/// the field out).
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub at: FieldPath,
    pub more: Option<Value>,
    pub last: Option<Value>,
}

/// The server side of `config`, with the records at `data`.
pub fn paging(config: &PaginatorConfig, data: &FieldPath) -> Result<Paging, String> {
    let opt_path = |s: &Option<Selector>| s.as_ref().map(field_path).transpose();
    Ok(match config {
        PaginatorConfig::SinglePage | PaginatorConfig::Auto => Paging::Single,
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
            total_pages: opt_path(&c.total_path)?,
            has_more: opt_path(&c.has_more_path)?,
        },
        PaginatorConfig::Cursor(c) => {
            let next = match &c.source {
                CursorSource::Path(path) => NextPlan::TokenInBody {
                    at: field_path(path)?,
                    param: c.target.clone(),
                },
                CursorSource::LastRecord(path) => NextPlan::RecordField {
                    field: field_path(path)?,
                    param: c.target.clone(),
                },
                CursorSource::Template(expr) => match access(expr) {
                    Some((Var::Response, at)) if !at.is_empty() => NextPlan::LinkInBody { at },
                    Some((Var::LastRecord, field)) if !field.is_empty() => NextPlan::RecordField {
                        field,
                        param: c.target.clone(),
                    },
                    Some((Var::Headers, at)) if at.len() == 1 => NextPlan::LinkInHeader {
                        header: at[0].to_ascii_lowercase(),
                    },
                    _ => return Err(format!("cursor template {expr:?} is beyond the mock")),
                },
            };
            let next_at = match &next {
                NextPlan::LinkInBody { at } | NextPlan::TokenInBody { at, .. } => Some(at),
                _ => None,
            };
            let mut signals = Vec::new();
            if let Some(stop) = &c.stop_condition {
                stop_signals(stop, data, next_at, &mut signals)?;
            }
            Paging::Next {
                next,
                size: c.page_size.as_ref().map(|s| s.target.clone()),
                has_more: opt_path(&c.has_more_path)?,
                signals,
            }
        }
    })
}

/// Whether the paginator writes fields into the body (so records cannot be the root).
pub fn needs_body_fields(paging: &Paging) -> bool {
    match paging {
        Paging::Single => false,
        Paging::Offset {
            total, has_more, ..
        } => total.is_some() || has_more.is_some(),
        Paging::PageNumber {
            total_pages,
            has_more,
            ..
        } => total_pages.is_some() || has_more.is_some(),
        Paging::Next {
            next,
            has_more,
            signals,
            ..
        } => {
            matches!(
                next,
                NextPlan::TokenInBody { .. } | NextPlan::LinkInBody { .. }
            ) || has_more.is_some()
                || !signals.is_empty()
        }
    }
}

/// `response.get("a", {}).get("b")` as `(Response, ["a", "b"])`: a variable and literal keys.
fn access(expr: &Expr) -> Option<(Var, FieldPath)> {
    match expr {
        Expr::Var(var) => Some((*var, Vec::new())),
        Expr::Get(operands) => {
            let (var, mut path) = access(operands.first()?)?;
            match operands.get(1)? {
                Expr::Lit(Literal::Str(key)) => {
                    path.push(key.to_string());
                    Some((var, path))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn literal_json(literal: &Literal) -> Value {
    match literal {
        Literal::None => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::from(*i),
        Literal::Str(s) => Value::String(s.to_string()),
        Literal::EmptyObject => Value::Object(serde_json::Map::new()),
        Literal::EmptyList => Value::Array(Vec::new()),
    }
}

/// The body fields that make a `stop_condition` false on pages with a successor and true on
/// the last page. Conditions on the records themselves (`not response.get("<data>")`,
/// `last_page_size`, `last_record`) hold by themselves once the records run out.
fn stop_signals(
    expr: &Expr,
    data: &FieldPath,
    next_at: Option<&FieldPath>,
    out: &mut Vec<Signal>,
) -> Result<(), String> {
    let natural = |var: Var, path: &FieldPath| match var {
        Var::Response => path == data || Some(path) == next_at,
        Var::LastRecord | Var::LastPageSize => true,
        Var::Headers => false,
    };
    match expr {
        Expr::Or(operands) => {
            for operand in operands.iter() {
                stop_signals(operand, data, next_at, out)?;
            }
            Ok(())
        }
        Expr::Not(operands) => match operands.first().and_then(access) {
            Some((var, path)) if natural(var, &path) => Ok(()),
            Some((Var::Response, at)) if !at.is_empty() => {
                out.push(Signal {
                    at,
                    more: Some(Value::Bool(true)),
                    last: Some(Value::Bool(false)),
                });
                Ok(())
            }
            _ => Err(format!("stop condition {expr:?} is beyond the mock")),
        },
        Expr::Cmp(op, operands) => {
            let (Some(a), Some(b)) = (operands.first(), operands.get(1)) else {
                return Err(format!("stop condition {expr:?} is malformed"));
            };
            let (path, literal) = match (access(a), access(b), a, b) {
                (Some(p), None, _, Expr::Lit(l)) | (None, Some(p), Expr::Lit(l), _) => (p, l),
                _ => return Err(format!("stop condition {expr:?} is beyond the mock")),
            };
            if natural(path.0, &path.1) {
                return Ok(());
            }
            let (Var::Response, at) = path else {
                return Err(format!("stop condition {expr:?} is beyond the mock"));
            };
            let value = literal_json(literal);
            let signal = match (op, &value) {
                (CmpOp::Eq, Value::Bool(b)) => Signal {
                    at,
                    more: Some(Value::Bool(!b)),
                    last: Some(value),
                },
                (CmpOp::Ne, Value::Bool(b)) => Signal {
                    at,
                    more: Some(value.clone()),
                    last: Some(Value::Bool(!b)),
                },
                (CmpOp::Eq, _) => Signal {
                    at,
                    more: None,
                    last: Some(value),
                },
                _ => return Err(format!("stop condition {expr:?} is beyond the mock")),
            };
            out.push(signal);
            Ok(())
        }
        other => match access(other) {
            Some((var, path)) if natural(var, &path) => Ok(()),
            Some((Var::Response, at)) if !at.is_empty() => {
                out.push(Signal {
                    at,
                    more: None,
                    last: Some(Value::Bool(true)),
                });
                Ok(())
            }
            _ => Err(format!("stop condition {expr:?} is beyond the mock")),
        },
    }
}
