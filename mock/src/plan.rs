//! What the mock serves for one resource, worked out once from its descriptor: the route, the
//! parameters it insists on, the credential it wants, where records go and the server side of
//! the paginator.

use base64::Engine;
use restgen::ir::{ApiIr, ResourceIr};
use restgen_runtime::descriptor::{
    ApiKeyLocation, AuthChoice, AuthConfig, Method, PaginatorConfig, ValueRef,
};
use restgen_runtime::incremental::LastValueFunc;
use restgen_runtime::selector::{Selector, Step};
use serde_json::Value;

use crate::error::MockError;
use crate::oauth::TokenEndpoint;
use crate::paging::{NextPlan, Paging, body_fields, paging};
use crate::records::Ordered;
use crate::session::{SessionEndpoint, SessionSpec};

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
    /// Where a record sits inside each item of the list at `data` (`list.*.addon`: each item
    /// is `{"addon": record}`); empty when the items are the records.
    pub item: FieldPath,
    pub paging: Paging,
    pub unique: Vec<FieldPath>,
    pub schema: Option<Value>,
    pub incremental: Option<IncrementalPlan>,
    /// Every answer holds one record, an object at `data`, the paginator's fields inside or
    /// beside it.
    pub object_records: bool,
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
    Header {
        name: String,
        value: String,
    },
    Query {
        name: String,
        value: String,
    },
    Cookie {
        name: String,
        value: String,
    },
    /// `Authorization: Bearer <token>` with a token the mock's token endpoint issued.
    OAuth2(TokenEndpoint),
    /// The session token of the mock's login endpoint, in a header.
    Session(SessionEndpoint),
}

/// The last segment of an item path that makes the item a list of one record.
pub const ITEM_LIST: &str = "[*]";

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
        // an absolute URL (another host) is served at its own path: a client reaches it with
        // `ClientBuilder::absolute_paths_to_base_url`
        let absolute = d.path.starts_with("http://") || d.path.starts_with("https://");
        let path = with_values(&d.path, values);
        let path = if absolute {
            path.split_once("://")
                .and_then(|(_, rest)| rest.find('/').map(|at| rest[at..].to_string()))
                .unwrap_or_else(|| "/".into())
        } else {
            path
        };
        // a query written into the path (`/message?ShowSubject=true`) is sent on every request
        let (path, written_query) = path.split_once('?').unwrap_or((&path, ""));
        let joined = if absolute {
            path.to_string()
        } else {
            restgen_runtime::client::join_url(base_path, path)
        };
        let route = joined
            .split('/')
            .filter(|s| !s.is_empty())
            .map(segment)
            .collect();
        // bounds written as settings start the ordered values as the client will read them
        let bound = d.incremental.as_ref().map(|config| {
            config
                .with_settings(&|name| values.get(name).cloned())
                .unwrap_or(std::borrow::Cow::Borrowed(config))
        });
        let mut incremental = match bound.as_deref() {
            Some(config) => match field_path(&config.cursor_path) {
                Ok(path) => Some(IncrementalPlan {
                    ordered: Ordered {
                        path,
                        start: config
                            .initial_value
                            .as_deref()
                            .and_then(|v| serde_json::from_str(v).ok()),
                        descending: config.last_value_func == LastValueFunc::Min,
                        format: config
                            .datetime_format
                            .iter()
                            .chain(config.cursor_datetime_formats.iter())
                            .next()
                            .map(|f| f.to_string()),
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
        let mut params: Vec<Rule> = url::form_urlencoded::parse(written_query.as_bytes())
            .map(|(name, value)| rule(&name, &value))
            .collect();
        let owned = d.paginator.query_params();
        for p in d.params.iter() {
            // the paginator writes its own parameters over the spec's (`limit: 200` in the
            // params, `limit: 5` in the paginator sends 5)
            if owned.contains(&p.name.as_ref()) {
                continue;
            }
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
                _ => params.push(rule(&p.name, &with_values(&p.value, values))),
            }
        }
        let headers = api
            .client
            .headers
            .iter()
            .chain(d.headers.iter())
            .map(|p| rule(&p.name, &with_values(&p.value, values)))
            .collect();
        let auth = match &d.auth {
            AuthChoice::None => Ok(AuthRule::None),
            AuthChoice::Client => match &api.client.auth {
                None => Ok(AuthRule::None),
                Some(auth) => auth_rule(&resource.name, auth, base_path, values),
            },
            AuthChoice::Endpoint(auth) => auth_rule(&resource.name, auth, base_path, values),
        };
        let auth = match auth {
            Ok(rule) => rule,
            Err(MockError::Unsupported { reason, .. }) => {
                unsupported.push(format!("auth: {reason}"));
                AuthRule::None
            }
            Err(other) => return Err(other),
        };
        let (data, item) = match &d.data_selector {
            None => (vec!["data".to_string()], Vec::new()),
            Some(selector) => data_path(selector).unwrap_or_else(|e| {
                unsupported.push(format!("data_selector: {e}"));
                (Vec::new(), Vec::new())
            }),
        };
        let mut unique: Vec<FieldPath> = resource
            .primary_key
            .iter()
            .map(|k| vec![k.clone()])
            .collect();
        let settings = |name: &str| values.get(name).cloned();
        let paging = paging(&d.paginator, &data, &settings).unwrap_or_else(|e| {
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
        // the paginator's fields inside the records (`data.after` with records at `data`, or
        // any field with records at the root): the records are one object per page, the
        // fields beside its own (a cursor paginator)
        let object_records =
            item.is_empty() && body_fields(&paging).iter().any(|f| f.starts_with(&data));
        if object_records && !matches!(paging, Paging::Next { .. }) {
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
            item,
            paging,
            unique,
            schema: resource.schema.clone(),
            incremental,
            object_records,
            unsupported: (!unsupported.is_empty()).then(|| unsupported.join("; ")),
        })
    }

    /// The HTTP method, as a request line has it.
    pub fn method_name(&self) -> &'static str {
        match self.method {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }

    /// The route with its placeholders: `/v3/signature_requests/{sign_req}/followers`.
    pub fn route_pattern(&self) -> String {
        let segments: Vec<String> = self
            .route
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => text.clone(),
                Segment::Arg {
                    prefix,
                    name,
                    suffix,
                } => format!("{prefix}{{{name}}}{suffix}"),
            })
            .collect();
        format!("/{}", segments.join("/"))
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
            Paging::Next { .. } if self.object_records => Some(1),
            Paging::Next { .. } => {
                Some(asked.map_or(max_page_size, |a| a.min(max_page_size)).max(1))
            }
        }
    }
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

/// A parameter or header value with the client's secrets and settings in it
/// (`{secrets.<name>}`, `{config.<name>}`), which the mock knows, written out.
pub(crate) fn with_values(
    text: &str,
    values: &std::collections::BTreeMap<String, String>,
) -> String {
    let mut out = text.to_string();
    for (name, value) in values {
        for space in ["secrets", "config"] {
            out = out.replace(&format!("{{{space}.{name}}}"), value);
        }
    }
    out
}

/// A value with no placeholder, its escaped braces (`{{`, `}}`) read as the runtime sends
/// them; `None` when it has a placeholder.
fn literal_text(value: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' if chars.peek() == Some(&c) => {
                chars.next();
                out.push(c);
            }
            '{' | '}' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

fn rule(name: &str, value: &str) -> Rule {
    if let Some(value) = literal_text(value) {
        return Rule::Literal {
            name: name.to_string(),
            value,
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

/// The value of a literal, secret or setting, from `values` by name.
pub fn value_of(
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
    base_path: &str,
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
        AuthConfig::OAuth2ClientCredentials {
            access_token_url,
            client_id,
            client_secret,
            access_token_request_data,
            ..
        } => AuthRule::OAuth2(TokenEndpoint::new(
            resource,
            access_token_url,
            client_id,
            client_secret,
            None,
            access_token_request_data,
            values,
        )?),
        AuthConfig::SessionToken {
            login_url,
            username,
            password,
            token_path,
            header,
            session_token,
        } => {
            let url = restgen_runtime::client::join_url(base_path, login_url);
            let path = url::Url::parse(&url)
                .map(|u| u.path().to_string())
                .unwrap_or(url);
            AuthRule::Session(SessionEndpoint::new(
                resource,
                SessionSpec {
                    path,
                    username,
                    password,
                    token_at: field_path(token_path).map_err(|reason| MockError::Unsupported {
                        resource: resource.to_string(),
                        reason,
                    })?,
                    header,
                    session_token: session_token.as_ref(),
                },
                values,
            )?)
        }
        AuthConfig::OAuth2RefreshToken {
            token_url,
            client_id,
            client_secret,
            refresh_token,
            token_request_data,
            ..
        } => AuthRule::OAuth2(TokenEndpoint::new(
            resource,
            token_url,
            client_id,
            client_secret,
            Some(refresh_token),
            token_request_data,
            values,
        )?),
        // Rust code the client is given: the mock cannot know what it sends, so it checks
        // nothing (a client with a stand-in auth pages it)
        AuthConfig::Custom { .. } => AuthRule::None,
    })
}

/// Where a data selector's records are: the path of the list, and the path of each record
/// inside an item of it (`$.list[*].addon`: `["list"]` and `["addon"]`). A `[*]` at the end
/// of the item path makes the item a list (`$.data[*].rules[*]`).
pub fn data_path(selector: &Selector) -> Result<(FieldPath, FieldPath), String> {
    let steps: &[Step] = &selector.steps;
    let Some(wildcard) = steps.iter().position(|s| *s == Step::Wildcard) else {
        return Ok((field_path(selector)?, Vec::new()));
    };
    let list = Selector {
        steps: std::borrow::Cow::Owned(steps[..wildcard].to_vec()),
    };
    let inner = &steps[wildcard + 1..];
    let (inner, listed) = match inner.split_last() {
        Some((Step::Wildcard, rest)) => (rest, true),
        _ => (inner, false),
    };
    let mut item = inner
        .iter()
        .map(|step| match step {
            Step::Field(name) => Ok(name.to_string()),
            other => Err(format!(
                "`{selector}`: the mock cannot place records at {other:?}"
            )),
        })
        .collect::<Result<FieldPath, String>>()?;
    if listed {
        item.push(ITEM_LIST.to_string());
    }
    Ok((field_path(&list)?, item))
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
