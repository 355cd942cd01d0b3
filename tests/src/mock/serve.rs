//! Answering one request: route it to a resource, check credentials and parameters, cut the
//! page the request asks for and write the paginator's fields around it.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use restgen_runtime::descriptor::{Method, Target};
use serde_json::{Map, Value, json};

use super::plan::{
    AuthRule, FieldPath, IncrementalPlan, LINK_PARAM, NextPlan, Paging, Plan, Rule, Segment,
};
use super::records::{Ordered, RecordShape, record, stable_hash};
use super::{Fault, FaultKind, MockOptions, NextRef, RecordedRequest, RetryAfter, ServedPage};

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub method: String,
    pub url: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// A response to write.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Outgoing {
    fn json(status: u16, body: &Value) -> Outgoing {
        Outgoing {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(body).unwrap_or_default(),
        }
    }

    fn error(status: u16, message: &str) -> Outgoing {
        Outgoing::json(status, &json!({ "error": message }))
    }
}

/// Arguments of one request: `(name, value)` sorted by name.
pub type Args = Vec<(String, String)>;

/// Everything the server knows and remembers.
#[derive(Debug)]
pub struct State {
    /// `http://127.0.0.1:<port>`, for absolute links.
    pub origin: String,
    pub plans: Vec<Plan>,
    pub options: MockOptions,
    pub cache: HashMap<(String, Args), Arc<Vec<Value>>>,
    pub log: Vec<RecordedRequest>,
    pub counts: HashMap<String, usize>,
}

impl State {
    /// Answers `request` and logs it.
    pub fn handle(&mut self, request: Incoming) -> Outgoing {
        let mut entry = RecordedRequest {
            method: request.method.clone(),
            url: request.url.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            headers: request.headers.clone(),
            body: request.body.clone(),
            resource: None,
            args: Vec::new(),
            status: 0,
            served: None,
            note: None,
        };
        let out = self.answer(&request, &mut entry);
        entry.status = out.status;
        self.log.push(entry);
        out
    }

    fn answer(&mut self, request: &Incoming, entry: &mut RecordedRequest) -> Outgoing {
        let Some((index, mut args)) = self.route(request) else {
            let message = format!("no resource at {} {}", request.method, request.path);
            entry.note = Some(message.clone());
            return Outgoing::error(404, &message);
        };
        let plan = &self.plans[index];
        let name = plan.name.clone();
        entry.resource = Some(name.clone());
        let count = {
            let n = self.counts.entry(name.clone()).or_insert(0);
            *n += 1;
            *n
        };
        if let Some(fault) = self.options.faults.iter().find(|f| fires(f, &name, count)) {
            entry.note = Some(format!("fault: {:?}", fault.kind));
            return fault_response(&fault.kind);
        }
        if let Some(reason) = &plan.unsupported {
            entry.note = Some(reason.clone());
            return Outgoing::error(501, &format!("the mock cannot serve `{name}`: {reason}"));
        }
        if let Err(message) = check_auth(&plan.auth, request) {
            entry.note = Some(message.clone());
            let mut out = Outgoing::error(401, &message);
            out.headers
                .push(("www-authenticate".into(), "Bearer realm=\"mock\"".into()));
            return out;
        }
        let body_json = if request.body.is_empty() {
            None
        } else {
            match serde_json::from_slice::<Value>(&request.body) {
                Ok(v) => Some(v),
                Err(e) => return bad_request(entry, &format!("the body is not JSON: {e}")),
            }
        };
        if let Err(message) = bind_rules(&plan.params, &mut args, |name| {
            request
                .query
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect()
        }) {
            return bad_request(entry, &format!("query: {message}"));
        }
        if let Err(message) = bind_rules(&plan.headers, &mut args, |name| {
            request
                .headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_string)
                .collect()
        }) {
            return bad_request(entry, &format!("headers: {message}"));
        }
        args.sort();
        args.dedup();
        entry.args = args.clone();
        let all = self.records(index, &args);
        let plan = &self.plans[index];
        let filtered;
        let records: &[Value] = match &plan.incremental {
            Some(incremental) => {
                filtered = filter_incremental(incremental, request, &all);
                &filtered
            }
            None => &all,
        };
        let tag = token_tag(&plan.name, &args);
        let max = self.options.max_page_size.max(1);
        match serve_page(
            plan,
            request,
            body_json.as_ref(),
            records,
            max,
            tag,
            &self.origin,
        ) {
            Ok((out, served)) => {
                entry.served = Some(served);
                out
            }
            Err(message) => bad_request(entry, &message),
        }
    }

    /// The resource a request is for, with the arguments its path carries. Where several
    /// resources share a path, one whose fixed query parameters all match wins.
    fn route(&self, request: &Incoming) -> Option<(usize, Args)> {
        let segments: Vec<String> = request
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let mut best: Option<(usize, Args, bool)> = None;
        for (index, plan) in self.plans.iter().enumerate() {
            let method = match plan.method {
                Method::Get => "GET",
                Method::Post => "POST",
            };
            if method != request.method {
                continue;
            }
            let Some(args) = match_route(&plan.route, &segments) else {
                continue;
            };
            let fixed_match = plan.params.iter().all(|rule| match rule {
                Rule::Literal { name, value } => {
                    request.query.iter().any(|(k, v)| k == name && v == value)
                }
                _ => true,
            });
            match &best {
                None => best = Some((index, args, fixed_match)),
                Some((_, _, false)) if fixed_match => best = Some((index, args, fixed_match)),
                _ => {}
            }
        }
        best.map(|(index, args, _)| (index, args))
    }

    /// The records of a resource for these arguments, generated once.
    pub fn records(&mut self, index: usize, args: &Args) -> Arc<Vec<Value>> {
        let plan = &self.plans[index];
        let key = (plan.name.clone(), args.clone());
        if let Some(records) = self.cache.get(&key) {
            return records.clone();
        }
        let count = self
            .options
            .records_per_resource
            .get(&plan.name)
            .copied()
            .unwrap_or(self.options.records);
        let mut parts: Vec<&str> = vec![&plan.name];
        for (k, v) in args {
            parts.push(k);
            parts.push(v);
        }
        let seed = self.options.seed ^ stable_hash(&parts);
        let tag = if args.is_empty() {
            plan.name.clone()
        } else {
            format!("{}_{:06x}", plan.name, stable_hash(&parts) & 0xff_ffff)
        };
        let ordered: Vec<Ordered> = plan.incremental.iter().map(|i| i.ordered.clone()).collect();
        let shape = RecordShape {
            schema: plan.schema.as_ref(),
            unique: &plan.unique,
            tag: &tag,
            ordered: &ordered,
        };
        let records: Arc<Vec<Value>> =
            Arc::new((0..count).map(|i| record(&shape, seed, i)).collect());
        self.cache.insert(key, records.clone());
        records
    }
}

/// The records inside the start and end values the request sends (a start value of `None`,
/// as dlt renders a missing one, filters nothing). Records without a cursor stay.
fn filter_incremental(plan: &IncrementalPlan, request: &Incoming, records: &[Value]) -> Vec<Value> {
    let value_of = |names: &[String]| {
        request
            .query
            .iter()
            .find(|(k, v)| names.contains(k) && !v.is_empty() && v != "None")
            .map(|(_, v)| v.clone())
    };
    let (start, end) = (value_of(&plan.start_params), value_of(&plan.end_params));
    let newer = |record: &Value, bound: &str| {
        let cursor = field_at(record, &plan.ordered.path)?;
        let ordering = match cursor {
            Value::Number(n) => n.as_f64()?.partial_cmp(&bound.parse::<f64>().ok()?)?,
            Value::String(s) => match (s.parse::<f64>(), bound.parse::<f64>()) {
                (Ok(a), Ok(b)) => a.partial_cmp(&b)?,
                _ => s.as_str().cmp(bound),
            },
            _ => return None,
        };
        Some(if plan.ordered.descending {
            ordering.reverse()
        } else {
            ordering
        })
    };
    records
        .iter()
        .filter(|record| {
            let after_start = start.as_deref().is_none_or(|s| match newer(record, s) {
                Some(Ordering::Less) => false,
                Some(Ordering::Equal) => !plan.start_open,
                _ => true,
            });
            let before_end = end.as_deref().is_none_or(|e| match newer(record, e) {
                Some(Ordering::Greater) => false,
                Some(Ordering::Equal) => plan.end_closed,
                _ => true,
            });
            after_start && before_end
        })
        .cloned()
        .collect()
}

fn bad_request(entry: &mut RecordedRequest, message: &str) -> Outgoing {
    entry.note = Some(message.to_string());
    Outgoing::error(400, message)
}

fn fires(fault: &Fault, resource: &str, count: usize) -> bool {
    if fault.resource != resource {
        return false;
    }
    let times = match fault.kind {
        FaultKind::TooManyRequests { .. } => 1,
        FaultKind::ServerErrors { count, .. } => count,
    };
    (fault.request..fault.request.saturating_add(times)).contains(&count)
}

fn fault_response(kind: &FaultKind) -> Outgoing {
    let (mut out, retry_after) = match kind {
        FaultKind::TooManyRequests { retry_after } => {
            (Outgoing::error(429, "too many requests"), Some(retry_after))
        }
        FaultKind::ServerErrors {
            status,
            retry_after,
            ..
        } => (
            Outgoing::error(*status, "injected failure"),
            retry_after.as_ref(),
        ),
    };
    match retry_after {
        Some(RetryAfter::Seconds(s)) => out.headers.push(("retry-after".into(), s.to_string())),
        Some(RetryAfter::Millis(ms)) => {
            out.headers
                .push(("retry-after".into(), ms.div_ceil(1000).to_string()));
            out.headers.push(("retry-after-ms".into(), ms.to_string()));
        }
        None => {}
    }
    out
}

fn match_route(route: &[Segment], segments: &[String]) -> Option<Args> {
    if route.len() != segments.len() {
        return None;
    }
    let mut args = Vec::new();
    for (pattern, segment) in route.iter().zip(segments) {
        match pattern {
            Segment::Literal(text) => {
                if text != segment {
                    return None;
                }
            }
            Segment::Arg {
                prefix,
                name,
                suffix,
            } => {
                let value = segment
                    .strip_prefix(prefix.as_str())?
                    .strip_suffix(suffix.as_str())?;
                if value.is_empty() {
                    return None;
                }
                args.push((name.clone(), value.to_string()));
            }
        }
    }
    Some(args)
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the request carries exactly the credential; the message never shows a credential.
fn check_auth(rule: &AuthRule, request: &Incoming) -> Result<(), String> {
    match rule {
        AuthRule::None => Ok(()),
        AuthRule::Header { name, value } => {
            let got: Vec<&[u8]> = request
                .headers
                .get_all(name.as_str())
                .iter()
                .map(|v| v.as_bytes())
                .collect();
            match got.as_slice() {
                [one] if *one == value.as_bytes() => Ok(()),
                [] => Err(format!("missing `{name}` header")),
                [_] => Err(format!("wrong credential in the `{name}` header")),
                many => Err(format!("{} `{name}` headers, expected one", many.len())),
            }
        }
        AuthRule::Query { name, value } => {
            let got: Vec<&String> = request
                .query
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v)
                .collect();
            match got.as_slice() {
                [one] if *one == value => Ok(()),
                [] => Err(format!("missing `{name}` query parameter")),
                [_] => Err(format!("wrong credential in the `{name}` query parameter")),
                many => Err(format!(
                    "{} `{name}` query parameters, expected one",
                    many.len()
                )),
            }
        }
        AuthRule::Cookie { name, value } => {
            let wanted = format!("{name}={value}");
            let found = request
                .headers
                .get_all("cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .any(|c| c.trim() == wanted);
            if found {
                Ok(())
            } else {
                Err(format!("missing or wrong `{name}` cookie"))
            }
        }
    }
}

/// Checks the fixed parameters (or headers) and binds the arguments they carry.
fn bind_rules(
    rules: &[Rule],
    args: &mut Args,
    values_of: impl Fn(&str) -> Vec<String>,
) -> Result<(), String> {
    for rule in rules {
        match rule {
            Rule::Literal { name, value } => {
                let got = values_of(name);
                if !got.contains(value) {
                    return Err(format!("`{name}` should be `{value}`, got {got:?}"));
                }
            }
            Rule::Arg {
                name,
                prefix,
                arg,
                suffix,
            } => {
                let got = values_of(name);
                let Some(bound) = got.iter().find_map(|v| {
                    v.strip_prefix(prefix.as_str())
                        .and_then(|v| v.strip_suffix(suffix.as_str()))
                        .filter(|v| !v.is_empty())
                }) else {
                    return Err(format!(
                        "`{name}` should be `{prefix}{{{arg}}}{suffix}`, got {got:?}"
                    ));
                };
                if let Some((_, earlier)) = args.iter().find(|(k, _)| k == arg)
                    && earlier != bound
                {
                    return Err(format!(
                        "`{arg}` is `{earlier}` in the path but `{bound}` in `{name}`"
                    ));
                }
                args.push((arg.clone(), bound.to_string()));
            }
            Rule::Present { name } => {
                if values_of(name).is_empty() {
                    return Err(format!("`{name}` is missing"));
                }
            }
        }
    }
    Ok(())
}

/// A short tag that binds cursors to one resource and one set of arguments.
fn token_tag(resource: &str, args: &Args) -> u64 {
    let mut parts: Vec<&str> = vec![resource];
    for (k, v) in args {
        parts.push(k);
        parts.push(v);
    }
    stable_hash(&parts) & 0xff_ffff
}

fn encode_token(tag: u64, position: usize) -> String {
    format!("t{tag:06x}-{position}")
}

fn decode_token(tag: u64, token: &str) -> Result<usize, String> {
    let (head, position) = token
        .strip_prefix('t')
        .and_then(|t| t.split_once('-'))
        .ok_or_else(|| format!("`{token}` is not a cursor this server issued"))?;
    if head != format!("{tag:06x}") {
        return Err(format!(
            "cursor `{token}` belongs to another resource or parent"
        ));
    }
    position
        .parse()
        .map_err(|_| format!("`{token}` is not a cursor this server issued"))
}

/// A JSON value in the form it takes in a query string.
pub fn wire(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn read_target(target: &Target, request: &Incoming, body: Option<&Value>) -> Option<String> {
    match target {
        Target::Query(name) => request
            .query
            .iter()
            .rev()
            .find(|(k, _)| k == name.as_ref())
            .map(|(_, v)| v.clone()),
        Target::Body(path) => {
            let mut at = body?;
            for key in path.iter() {
                at = at.get(key.as_ref())?;
            }
            Some(wire(at))
        }
    }
}

fn next_ref(target: &Target, value: Value) -> NextRef {
    match target {
        Target::Query(name) => NextRef::Query {
            name: name.to_string(),
            value: wire(&value),
        },
        Target::Body(path) => NextRef::Body {
            path: path.iter().map(|k| k.to_string()).collect(),
            value,
        },
    }
}

fn parse_number<T: std::str::FromStr>(
    what: &str,
    text: Option<String>,
) -> Result<Option<T>, String> {
    text.map(|t| {
        t.trim()
            .parse::<T>()
            .map_err(|_| format!("{what} `{t}` is not a number"))
    })
    .transpose()
}

/// The URL of the page at `position`: this request's own query (less the credential, which
/// an API does not echo) and a token.
fn link(origin: &str, plan: &Plan, request: &Incoming, position: usize, tag: u64) -> String {
    let credential = match &plan.auth {
        AuthRule::Query { name, .. } => Some(name.as_str()),
        _ => None,
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in request
        .query
        .iter()
        .filter(|(k, _)| k != LINK_PARAM && Some(k.as_str()) != credential)
    {
        query.append_pair(k, v);
    }
    query.append_pair(LINK_PARAM, &encode_token(tag, position));
    format!("{origin}{}?{}", request.path, query.finish())
}

fn field_at<'v>(record: &'v Value, path: &FieldPath) -> Option<&'v Value> {
    let mut at = record;
    for key in path {
        at = at.get(key)?;
    }
    Some(at)
}

fn set_path(body: &mut Value, path: &FieldPath, value: Value) {
    let Some((last, parents)) = path.split_last() else {
        *body = value;
        return;
    };
    let mut at = body;
    for key in parents {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(map) = at else { return };
        at = map
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !at.is_object() {
        *at = Value::Object(Map::new());
    }
    if let Value::Object(map) = at {
        map.insert(last.clone(), value);
    }
}

/// Cuts the page the request asks for and wraps it as the paginator expects.
fn serve_page(
    plan: &Plan,
    request: &Incoming,
    body: Option<&Value>,
    records: &[Value],
    max_page_size: usize,
    tag: u64,
    origin: &str,
) -> Result<(Outgoing, ServedPage), String> {
    let total = records.len();
    let read = |t: &Target| read_target(t, request, body);
    let mut fields: Vec<(FieldPath, Value)> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut next = None;
    let (start, end, more) = match &plan.paging {
        Paging::Single => (0, total, false),
        Paging::Offset {
            offset,
            limit,
            default_limit,
            total: total_at,
            has_more,
        } => {
            let start = parse_number::<usize>("offset", read(offset))?
                .ok_or_else(|| format!("no offset in {offset:?}"))?;
            let limit =
                parse_number::<usize>("limit", read(limit))?.unwrap_or(*default_limit as usize);
            let end = start.saturating_add(limit).min(total);
            let more = end < total;
            if let Some(at) = total_at {
                fields.push((at.clone(), Value::from(total)));
            }
            if let Some(at) = has_more {
                fields.push((at.clone(), Value::Bool(more)));
            }
            (start.min(total), end, more)
        }
        Paging::PageNumber {
            page,
            base,
            size,
            total_pages,
            has_more,
        } => {
            let number = parse_number::<i64>("page", read(page))?
                .ok_or_else(|| format!("no page number in {page:?}"))?;
            if number < *base {
                return Err(format!("page {number} is before the first page {base}"));
            }
            let size = match size {
                Some(t) => parse_number::<usize>("page size", read(t))?.unwrap_or(max_page_size),
                None => max_page_size,
            }
            .max(1);
            let start = usize::try_from(number - base)
                .unwrap_or(usize::MAX)
                .saturating_mul(size);
            let end = start.saturating_add(size).min(total);
            let more = end < total;
            if let Some(at) = total_pages {
                fields.push((at.clone(), Value::from(total.div_ceil(size))));
            }
            if let Some(at) = has_more {
                fields.push((at.clone(), Value::Bool(more)));
            }
            (start.min(total), end, more)
        }
        Paging::Next {
            next: plan_next,
            size,
            has_more,
            signals,
        } => {
            let asked = match size {
                Some(t) => parse_number::<usize>("page size", read(t))?,
                None => None,
            };
            let size = asked.map_or(max_page_size, |a| a.min(max_page_size)).max(1);
            let link_position = || -> Result<usize, String> {
                request
                    .query
                    .iter()
                    .find(|(k, _)| k == LINK_PARAM)
                    .map_or(Ok(0), |(_, v)| decode_token(tag, v))
            };
            let start = match plan_next {
                NextPlan::TokenInBody { param, .. } => {
                    read(param).map_or(Ok(0), |t| decode_token(tag, &t))?
                }
                NextPlan::TokenInHeader { param, .. } => request
                    .query
                    .iter()
                    .find(|(k, _)| k == param)
                    .map_or(Ok(0), |(_, v)| decode_token(tag, v))?,
                NextPlan::LinkInBody { .. }
                | NextPlan::LinkHeader { .. }
                | NextPlan::LinkInHeader { .. } => link_position()?,
                NextPlan::RecordField { field, param } => match read(param) {
                    None => 0,
                    Some(cursor) => {
                        records
                            .iter()
                            .position(|r| field_at(r, field).is_some_and(|v| wire(v) == cursor))
                            .ok_or_else(|| {
                                format!("no record has {} = `{cursor}`", field.join("."))
                            })?
                            + 1
                    }
                },
            }
            .min(total);
            let end = start.saturating_add(size).min(total);
            let more = end < total;
            match plan_next {
                NextPlan::TokenInBody { at, param } if more => {
                    let token = encode_token(tag, end);
                    fields.push((at.clone(), Value::String(token.clone())));
                    next = Some(next_ref(param, Value::String(token)));
                }
                NextPlan::TokenInHeader { header, param } if more => {
                    let token = encode_token(tag, end);
                    headers.push((header.clone(), token.clone()));
                    next = Some(NextRef::Query {
                        name: param.clone(),
                        value: token,
                    });
                }
                NextPlan::LinkInBody { at } if more => {
                    let url = link(origin, plan, request, end, tag);
                    fields.push((at.clone(), Value::String(url.clone())));
                    next = Some(NextRef::Url(url));
                }
                NextPlan::LinkHeader { rel } if more => {
                    let url = link(origin, plan, request, end, tag);
                    headers.push(("link".into(), format!("<{url}>; rel=\"{rel}\"")));
                    next = Some(NextRef::Url(url));
                }
                NextPlan::LinkInHeader { header } if more => {
                    let url = link(origin, plan, request, end, tag);
                    headers.push((header.clone(), url.clone()));
                    next = Some(NextRef::Url(url));
                }
                NextPlan::RecordField { field, param } if end > start => {
                    // the client derives this cursor itself, on every page with records
                    let value = field_at(&records[end - 1], field)
                        .cloned()
                        .unwrap_or(Value::Null);
                    next = Some(next_ref(param, value));
                }
                _ => {}
            }
            if let Some(at) = has_more {
                fields.push((at.clone(), Value::Bool(more)));
            }
            for signal in signals {
                let value = if more { &signal.more } else { &signal.last };
                if let Some(value) = value {
                    fields.push((signal.at.clone(), value.clone()));
                }
            }
            (start, end, more)
        }
    };
    let page: Vec<Value> = records[start..end].to_vec();
    let single_object = plan.data.is_empty() && matches!(plan.paging, Paging::Single) && total == 1;
    let mut out_body = if single_object {
        page.first().cloned().unwrap_or(Value::Null)
    } else if plan.data.is_empty() {
        Value::Array(page)
    } else {
        let mut b = Value::Object(Map::new());
        set_path(&mut b, &plan.data, Value::Array(page));
        b
    };
    for (at, value) in fields {
        set_path(&mut out_body, &at, value);
    }
    let mut out = Outgoing::json(200, &out_body);
    out.headers.extend(headers);
    Ok((
        out,
        ServedPage {
            start,
            count: end - start,
            total,
            more,
            next,
        },
    ))
}
