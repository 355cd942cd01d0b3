//! Cutting the page a request asks for and writing the paginator's fields around it: tokens,
//! links, totals, flags.

use restgen_runtime::descriptor::Target;
use serde_json::{Map, Value};

use crate::log::{NextRef, ServedPage};
use crate::paging::{NextPlan, Paging};
use crate::plan::{AuthRule, FieldPath, LINK_PARAM, Plan};
use crate::records::{insert_at, value_at};
use crate::rng::stable_hash;
use crate::state::{Args, Incoming, Outgoing};

/// A short tag that binds cursors to one resource and one set of arguments.
pub fn token_tag(resource: &str, args: &Args) -> u64 {
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

/// Cuts the page the request asks for and wraps it as the paginator expects.
pub fn serve_page(
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
                            .position(|r| value_at(r, field).is_some_and(|v| wire(v) == cursor))
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
                    let value = value_at(&records[end - 1], field)
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
        insert_at(&mut b, &plan.data, Value::Array(page));
        b
    };
    for (at, value) in fields {
        insert_at(&mut out_body, &at, value);
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
