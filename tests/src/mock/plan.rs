//! What the mock serves for one resource, worked out once from its descriptor: the route, the
//! parameters it insists on, the credential it wants, where records go and the server side of
//! the paginator.

use base64::Engine;
use restgen::ir::{ApiIr, ResourceIr};
use restgen_runtime::descriptor::{
    ApiKeyLocation, AuthChoice, AuthConfig, CursorSource, Method, PaginatorConfig, Target, ValueRef,
};
use restgen_runtime::expr::{CmpOp, Expr, Literal, Var};
use restgen_runtime::incremental::LastValueFunc;
use restgen_runtime::selector::{Selector, Step};
use serde_json::Value;

use super::MockError;
use super::records::Ordered;

/// A path of field names inside a JSON document; empty is the root.
pub type FieldPath = Vec<String>;

/// One resource, as the mock serves it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub method: Method,
    pub route: Vec<Segment>,
    pub params: Vec<Rule>,
    pub headers: Vec<Rule>,
    pub auth: AuthRule,
    pub data: FieldPath,
    pub paging: Paging,
    pub unique: Vec<FieldPath>,
    pub schema: Option<Value>,
    pub incremental: Option<IncrementalPlan>,
    /// Why the mock cannot serve this resource (it then answers 501), if it cannot.
    pub unsupported: Option<String>,
}

/// An incremental resource: its cursor field is generated in order and never null, and the
/// server filters on the start and end values a request sends, as real APIs do.
#[derive(Debug, Clone, PartialEq)]
pub struct IncrementalPlan {
    pub ordered: Ordered,
    /// Query parameters that carry the start value (`start_param`, `{incremental.start_value}`).
    pub start_params: Vec<String>,
    /// Query parameters that carry the end value.
    pub end_params: Vec<String>,
    /// Whether records equal to the start value are left out (`range_start: open`).
    pub start_open: bool,
    /// Whether records equal to the end value are kept (`range_end: closed`).
    pub end_closed: bool,
}

/// One segment of a route.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Literal(String),
    /// `{name}`, possibly with literal text around it.
    Arg {
        prefix: String,
        name: String,
        suffix: String,
    },
}

/// A query parameter or header the request must carry.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Exactly this value.
    Literal { name: String, value: String },
    /// A value holding an argument: `prefix{arg}suffix`.
    Arg {
        name: String,
        prefix: String,
        arg: String,
        suffix: String,
    },
    /// Present, any value (several placeholders in one value).
    Present { name: String },
}

/// The credential a resource wants.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthRule {
    None,
    Header { name: String, value: String },
    Query { name: String, value: String },
    Cookie { name: String, value: String },
}

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

/// The query parameter links carry to name a position.
pub const LINK_PARAM: &str = "page_token";

impl Plan {
    /// Works out how to serve `resource`; `values` gives the secrets and settings by name.
    pub fn new(
        api: &ApiIr,
        resource: &ResourceIr,
        base_path: &str,
        values: &std::collections::BTreeMap<String, String>,
    ) -> Result<Plan, MockError> {
        let d = &resource.descriptor;
        let mut unsupported = Vec::new();
        let path = if d.path.starts_with("http://") || d.path.starts_with("https://") {
            unsupported.push(format!(
                "the path `{}` is an absolute URL, which does not reach the mock",
                d.path
            ));
            url::Url::parse(&d.path)
                .map(|u| u.path().to_string())
                .unwrap_or_default()
        } else {
            d.path.to_string()
        };
        let joined = join(base_path, &path);
        let route = joined
            .split('/')
            .filter(|s| !s.is_empty())
            .map(segment)
            .collect();
        let mut incremental = match &d.incremental {
            Some(config) => match field_path(&config.cursor_path) {
                Ok(path) => Some(IncrementalPlan {
                    ordered: Ordered {
                        path,
                        start: config
                            .initial_value
                            .as_deref()
                            .and_then(|v| serde_json::from_str(v).ok()),
                        descending: config.last_value_func == LastValueFunc::Min,
                    },
                    start_params: config.start_param.iter().map(|p| p.to_string()).collect(),
                    end_params: config.end_param.iter().map(|p| p.to_string()).collect(),
                    start_open: config.start_open,
                    end_closed: config.end_closed,
                }),
                Err(e) => {
                    unsupported.push(format!("incremental cursor_path: {e}"));
                    None
                }
            },
            None => None,
        };
        let mut params = Vec::new();
        for p in d.params.iter() {
            // `{incremental.start_value}` and friends are filters, not arguments
            let filter = split_placeholder(&p.value)
                .filter(|(pre, name, post)| {
                    pre.is_empty() && post.is_empty() && name.starts_with("incremental.")
                })
                .map(|(_, name, _)| name);
            match (filter, incremental.as_mut()) {
                (Some(name), Some(plan)) => {
                    if name == "incremental.end_value" {
                        plan.end_params.push(p.name.to_string());
                    } else if name != "incremental.initial_value" {
                        plan.start_params.push(p.name.to_string());
                    }
                }
                _ => params.push(rule(&p.name, &p.value)),
            }
        }
        let headers = api
            .client
            .headers
            .iter()
            .chain(d.headers.iter())
            .map(|p| rule(&p.name, &p.value))
            .collect();
        let auth = match &d.auth {
            AuthChoice::None => Ok(AuthRule::None),
            AuthChoice::Client => match &api.client.auth {
                None => Ok(AuthRule::None),
                Some(auth) => auth_rule(&resource.name, auth, values),
            },
            AuthChoice::Endpoint(auth) => auth_rule(&resource.name, auth, values),
        };
        let auth = match auth {
            Ok(rule) => rule,
            Err(MockError::Unsupported { reason, .. }) => {
                unsupported.push(format!("auth: {reason}"));
                AuthRule::None
            }
            Err(other) => return Err(other),
        };
        let data = match &d.data_selector {
            None => vec!["data".to_string()],
            Some(selector) => field_path(selector).unwrap_or_else(|e| {
                unsupported.push(format!("data_selector: {e}"));
                Vec::new()
            }),
        };
        let mut unique: Vec<FieldPath> = resource
            .primary_key
            .iter()
            .map(|k| vec![k.clone()])
            .collect();
        let paging = paging(&d.paginator, &data).unwrap_or_else(|e| {
            unsupported.push(format!("paginator: {e}"));
            Paging::Single
        });
        if let Paging::Next {
            next: NextPlan::RecordField { field, .. },
            ..
        } = &paging
        {
            unique.push(field.clone());
        }
        if !unique.iter().any(|u| u.len() == 1 && u[0] == "id")
            && resource
                .schema
                .as_ref()
                .and_then(|s| s.pointer("/properties/id"))
                .is_some()
        {
            unique.push(vec!["id".to_string()]);
        }
        unique.dedup();
        if data.is_empty() && needs_body_fields(&paging) {
            unsupported.push(
                "records at the response root leave no room for the paginator's fields".into(),
            );
        }
        Ok(Plan {
            name: resource.name.clone(),
            method: d.method,
            route,
            params,
            headers,
            auth,
            data,
            paging,
            unique,
            schema: resource.schema.clone(),
            incremental,
            unsupported: (!unsupported.is_empty()).then(|| unsupported.join("; ")),
        })
    }

    /// The page size the server uses when the client sends the spec's own page size; `None`
    /// for a resource served in one response.
    pub fn page_size(&self, descriptor: &PaginatorConfig, max_page_size: usize) -> Option<usize> {
        let asked = match descriptor {
            PaginatorConfig::Offset(c) => return Some(c.limit as usize),
            PaginatorConfig::PageNumber(c) => c.page_size.as_ref().map(|s| s.value as usize),
            PaginatorConfig::Cursor(c) => c.page_size.as_ref().map(|s| s.value as usize),
            _ => None,
        };
        match &self.paging {
            Paging::Single => None,
            Paging::Offset { default_limit, .. } => Some(*default_limit as usize),
            Paging::PageNumber { .. } => Some(asked.unwrap_or(max_page_size).max(1)),
            Paging::Next { .. } => {
                Some(asked.map_or(max_page_size, |a| a.min(max_page_size)).max(1))
            }
        }
    }
}

/// The runtime's own joining rule (dlt's): one slash between base and path.
fn join(base: &str, path: &str) -> String {
    if path.is_empty() {
        return base.to_string();
    }
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

fn segment(text: &str) -> Segment {
    match split_placeholder(text) {
        Some((prefix, name, suffix)) => Segment::Arg {
            prefix,
            name,
            suffix,
        },
        None => Segment::Literal(text.to_string()),
    }
}

/// `a{name}b` as `(a, name, b)`; `None` without a placeholder or with more than one.
pub fn split_placeholder(text: &str) -> Option<(String, String, String)> {
    let open = text.find('{')?;
    let close = open + text[open..].find('}')?;
    let rest = &text[close + 1..];
    if rest.contains('{') {
        return None;
    }
    Some((
        text[..open].to_string(),
        text[open + 1..close].to_string(),
        rest.to_string(),
    ))
}

fn rule(name: &str, value: &str) -> Rule {
    if !value.contains('{') {
        return Rule::Literal {
            name: name.to_string(),
            value: value.to_string(),
        };
    }
    match split_placeholder(value) {
        Some((prefix, arg, suffix)) => Rule::Arg {
            name: name.to_string(),
            prefix,
            arg,
            suffix,
        },
        None => Rule::Present {
            name: name.to_string(),
        },
    }
}

fn value_of(
    resource: &str,
    value: &ValueRef,
    values: &std::collections::BTreeMap<String, String>,
) -> Result<String, MockError> {
    match value {
        ValueRef::Literal(text) => Ok(text.to_string()),
        ValueRef::Secret(name) | ValueRef::Config(name) => values
            .get(name.as_ref())
            .cloned()
            .ok_or_else(|| MockError::MissingValue {
                resource: resource.to_string(),
                name: name.to_string(),
            }),
    }
}

fn auth_rule(
    resource: &str,
    auth: &AuthConfig,
    values: &std::collections::BTreeMap<String, String>,
) -> Result<AuthRule, MockError> {
    Ok(match auth {
        AuthConfig::Bearer { token } => AuthRule::Header {
            name: "authorization".into(),
            value: format!("Bearer {}", value_of(resource, token, values)?),
        },
        AuthConfig::ApiKey {
            name,
            api_key,
            location,
            prefix,
        } => {
            let value = format!("{prefix}{}", value_of(resource, api_key, values)?);
            let name = name.to_string();
            match location {
                ApiKeyLocation::Header => AuthRule::Header {
                    name: name.to_ascii_lowercase(),
                    value,
                },
                ApiKeyLocation::Query => AuthRule::Query { name, value },
                ApiKeyLocation::Cookie => AuthRule::Cookie { name, value },
            }
        }
        AuthConfig::HttpBasic { username, password } => {
            let pair = format!(
                "{}:{}",
                value_of(resource, username, values)?,
                value_of(resource, password, values)?
            );
            AuthRule::Header {
                name: "authorization".into(),
                value: format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ),
            }
        }
        AuthConfig::OAuth2ClientCredentials { .. } | AuthConfig::OAuth2RefreshToken { .. } => {
            return Err(MockError::Unsupported {
                resource: resource.to_string(),
                reason: "OAuth2 needs a token endpoint the mock does not serve".into(),
            });
        }
    })
}

/// A selector of field names as a path; `[*]` at the end is the list itself.
pub fn field_path(selector: &Selector) -> Result<FieldPath, String> {
    let steps: &[Step] = &selector.steps;
    let steps = match steps.split_last() {
        Some((Step::Wildcard, rest)) => rest,
        _ => steps,
    };
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| match step {
            Step::Field(name) => Ok(name.to_string()),
            Step::Descendant(name) if i == 0 => Ok(name.to_string()),
            other => Err(format!(
                "`{selector}`: the mock cannot place data at {other:?}"
            )),
        })
        .collect()
}

fn paging(config: &PaginatorConfig, data: &FieldPath) -> Result<Paging, String> {
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

fn needs_body_fields(paging: &Paging) -> bool {
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
