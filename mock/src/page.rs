//! Cutting the page a request asks for and writing the paginator's fields around it: tokens,
//! links, totals, flags.

use restgen_runtime::descriptor::Target;
use serde_json::{Map, Value};

use restgen_runtime::expr::Expr;

use crate::log::{NextRef, ServedPage};
use crate::paging::{NextPlan, Paging};
use crate::plan::{AuthRule, FieldPath, ITEM_LIST, LINK_PARAM, Plan};
use crate::records::{insert_at, value_at};
use crate::rng::stable_hash;
use crate::simulate::{Page, Slot, header_text};
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

/// The token of `position`: text bound to the resource, or the bare number where a template
/// computes with it.
fn token_value(tag: u64, position: usize, numeric: bool) -> Value {
    if numeric {
        Value::from(position)
    } else {
        Value::String(encode_token(tag, position))
    }
}

/// What the client sends for `token` written at `at`: the template's value on such a page.
fn sent_via(template: &Expr, at: &FieldPath, token: &Value) -> Option<Value> {
    let mut page = Page::default();
    insert_at(&mut page.body, at, token.clone());
    page.eval(template).1
}

/// A record as an item of the data list: itself, or inside the item at `item`.
fn wrap_item(item: &FieldPath, record: &Value) -> Value {
    if item.is_empty() {
        return record.clone();
    }
    let mut wrapped = Value::Object(Map::new());
    match item.split_last() {
        // `rules[*]`: the record is the one item of a list
        Some((last, path)) if last == ITEM_LIST => {
            insert_at(&mut wrapped, path, Value::Array(vec![record.clone()]));
        }
        _ => insert_at(&mut wrapped, item, record.clone()),
    }
    wrapped
}

/// The value at a field path, to change it.
fn value_at_mut<'v>(value: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |at, key| at.get_mut(key))
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

/// What a page request brings: the request, its JSON body, the records it may see and how the
/// server pages them.
#[derive(Debug)]
pub struct PageRequest<'a> {
    pub plan: &'a Plan,
    pub request: &'a Incoming,
    pub body: Option<&'a Value>,
    pub records: &'a [Value],
    pub max_page_size: usize,
    /// Binds tokens and links to one resource and one set of arguments.
    pub tag: u64,
    /// `http://127.0.0.1:<port>`, for links.
    pub origin: &'a str,
    /// Whether to offer again the position this request came with (a repeated-cursor fault).
    pub repeat: bool,
}

/// The page cut for a request.
#[derive(Debug)]
pub struct Served {
    pub out: Outgoing,
    pub page: ServedPage,
    /// Whether the page offers again the position its request came with.
    pub repeated: bool,
}

/// One page's slice of the records and what the paginator writes around it.
#[derive(Debug, Default)]
struct Cut {
    start: usize,
    end: usize,
    next: Option<NextRef>,
    fields: Vec<(FieldPath, Value)>,
    headers: Vec<(String, String)>,
    /// Fields of the page's last record that a stop condition reads.
    record_fields: Vec<(FieldPath, Value)>,
    repeated: bool,
}

impl PageRequest<'_> {
    /// Cuts the page the request asks for and wraps it as the paginator expects.
    pub fn serve(&self) -> Result<Served, String> {
        let total = self.records.len();
        let cut = match &self.plan.paging {
            Paging::Single => Cut {
                end: total,
                ..Cut::default()
            },
            Paging::Offset {
                offset,
                limit,
                default_limit,
                total: total_at,
                has_more,
            } => {
                let start = self
                    .number::<usize>("offset", offset)?
                    .ok_or_else(|| format!("no offset in {offset:?}"))?;
                let limit = self
                    .number::<usize>("limit", limit)?
                    .unwrap_or(*default_limit as usize);
                let mut cut = self.range(start, limit);
                if let Some(at) = total_at {
                    cut.fields.push((at.clone(), Value::from(total)));
                }
                cut.flag(has_more.as_ref(), total);
                cut
            }
            Paging::PageNumber {
                page,
                base,
                size,
                total_pages,
                has_more,
            } => {
                let number = self
                    .number::<i64>("page", page)?
                    .ok_or_else(|| format!("no page number in {page:?}"))?;
                if number < *base {
                    return Err(format!("page {number} is before the first page {base}"));
                }
                let size = match size {
                    Some(t) => self
                        .number::<usize>("page size", t)?
                        .unwrap_or(self.max_page_size),
                    None => self.max_page_size,
                }
                .max(1);
                let start = usize::try_from(number - base)
                    .unwrap_or(usize::MAX)
                    .saturating_mul(size);
                let mut cut = self.range(start, size);
                if let Some(at) = total_pages {
                    cut.fields
                        .push((at.clone(), Value::from(total.div_ceil(size))));
                }
                cut.flag(has_more.as_ref(), total);
                cut
            }
            Paging::Next {
                next,
                size,
                has_more,
                signals,
            } => {
                let mut cut = self.next_page(next, size.as_ref())?;
                cut.flag(has_more.as_ref(), total);
                let more = cut.end < total;
                for signal in signals {
                    let value = if more { &signal.more } else { &signal.last };
                    let Some(value) = value else {
                        continue;
                    };
                    match &signal.slot {
                        Slot::Body(at) => cut.fields.push((at.clone(), value.clone())),
                        Slot::Header(name) => {
                            cut.headers.push((name.clone(), header_text(value)));
                        }
                        Slot::Record(at) => cut.record_fields.push((at.clone(), value.clone())),
                    }
                }
                cut
            }
        };
        Ok(self.wrap(cut))
    }

    fn read(&self, target: &Target) -> Option<String> {
        read_target(target, self.request, self.body)
    }

    fn number<T: std::str::FromStr>(
        &self,
        what: &str,
        target: &Target,
    ) -> Result<Option<T>, String> {
        parse_number(what, self.read(target))
    }

    /// `len` records from `start`, within the records there are.
    fn range(&self, start: usize, len: usize) -> Cut {
        let total = self.records.len();
        Cut {
            start: start.min(total),
            end: start.saturating_add(len).min(total),
            ..Cut::default()
        }
    }

    /// A page of a cursor or link paginator: the server picks the size and names the next
    /// position.
    fn next_page(&self, plan_next: &NextPlan, size: Option<&Target>) -> Result<Cut, String> {
        let asked = match size {
            Some(t) => self.number::<usize>("page size", t)?,
            None => None,
        };
        let size = if self.plan.object_records {
            1
        } else {
            asked
                .map_or(self.max_page_size, |a| a.min(self.max_page_size))
                .max(1)
        };
        let start = self.position(plan_next)?;
        let mut cut = self.range(start, size);
        let total = self.records.len();
        // A repeated cursor offers again the position this request came with; only a request
        // that came with one, on a page that has a successor, can repeat it.
        cut.repeated = self.repeat && cut.start > 0 && cut.end < total;
        let offered = if cut.repeated { cut.start } else { cut.end };
        let more = cut.end < total;
        let (tag, origin, request) = (self.tag, self.origin, self.request);
        match plan_next {
            NextPlan::TokenInBody {
                at,
                param,
                via,
                numeric,
            } if more => {
                let token = token_value(tag, offered, *numeric);
                cut.fields.push((at.clone(), token.clone()));
                let sent = match via {
                    Some(template) => sent_via(template, at, &token).unwrap_or(Value::Null),
                    None => token,
                };
                cut.next = Some(next_ref(param, sent));
            }
            NextPlan::TokenInHeader { header, param } if more => {
                let token = encode_token(tag, offered);
                cut.headers.push((header.clone(), token.clone()));
                cut.next = Some(NextRef::Query {
                    name: param.clone(),
                    value: token,
                });
            }
            NextPlan::LinkInBody { at } if more => {
                let url = link(origin, self.plan, request, offered, tag);
                cut.fields.push((at.clone(), Value::String(url.clone())));
                cut.next = Some(NextRef::Url(url));
            }
            NextPlan::LinkHeader { rel } if more => {
                let url = link(origin, self.plan, request, offered, tag);
                cut.headers
                    .push(("link".into(), format!("<{url}>; rel=\"{rel}\"")));
                cut.next = Some(NextRef::Url(url));
            }
            NextPlan::LinkInHeader { header } if more => {
                let url = link(origin, self.plan, request, offered, tag);
                cut.headers.push((header.clone(), url.clone()));
                cut.next = Some(NextRef::Url(url));
            }
            NextPlan::RecordField { field, param } => {
                if cut.repeated {
                    // the client derives the cursor from the last record: the previous page
                    // again ends with the record the request's cursor names
                    cut.end = cut.start;
                    cut.start = cut.start.saturating_sub(size);
                }
                // the client derives this cursor itself, on every page with records
                if cut.end > cut.start {
                    let value = value_at(&self.records[cut.end - 1], field)
                        .cloned()
                        .unwrap_or(Value::Null);
                    cut.next = Some(next_ref(param, value));
                }
            }
            _ => {}
        }
        Ok(cut)
    }

    /// Where the records of this request start: after the position its cursor or link names.
    fn position(&self, plan_next: &NextPlan) -> Result<usize, String> {
        let query = |name: &str| {
            self.request
                .query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let token = |token: Option<&str>| token.map_or(Ok(0), |t| decode_token(self.tag, t));
        match plan_next {
            NextPlan::TokenInBody {
                param,
                via: Some(template),
                at,
                numeric,
            } => match self.read(param) {
                None => Ok(0),
                // the client sends what the template makes of the token: the position whose
                // token makes that, tried first where the text suggests it, then every one
                Some(sent) => {
                    let unquoted = sent.trim_matches('"');
                    let guesses = [
                        decode_token(self.tag, unquoted).ok(),
                        unquoted.parse::<usize>().ok(),
                        unquoted
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| n.checked_sub(1)),
                    ];
                    let makes = |p: usize| {
                        sent_via(template, at, &token_value(self.tag, p, *numeric))
                            .is_some_and(|v| wire(&v) == sent)
                    };
                    guesses
                        .into_iter()
                        .flatten()
                        .chain(0..=self.records.len())
                        .find(|&p| makes(p))
                        .ok_or_else(|| format!("`{sent}` is not a cursor this server issued"))
                }
            },
            NextPlan::TokenInBody { param, .. } => token(self.read(param).as_deref()),
            NextPlan::TokenInHeader { param, .. } => token(query(param)),
            NextPlan::LinkInBody { .. }
            | NextPlan::LinkHeader { .. }
            | NextPlan::LinkInHeader { .. } => token(query(LINK_PARAM)),
            NextPlan::RecordField { field, param } => match self.read(param) {
                None => Ok(0),
                Some(cursor) => self
                    .records
                    .iter()
                    .position(|r| value_at(r, field).is_some_and(|v| wire(v) == cursor))
                    .map(|i| i + 1)
                    .ok_or_else(|| format!("no record has {} = `{cursor}`", field.join("."))),
            },
        }
    }

    /// The records of `cut` at the data selector, with the paginator's fields and headers.
    fn wrap(&self, cut: Cut) -> Served {
        let total = self.records.len();
        let plan = self.plan;
        let page: Vec<Value> = self.records[cut.start..cut.end]
            .iter()
            .map(|record| wrap_item(&plan.item, record))
            .collect();
        let single_object =
            plan.data.is_empty() && matches!(plan.paging, Paging::Single) && total == 1;
        let mut body = if plan.object_records {
            let mut body = Value::Object(Map::new());
            insert_at(
                &mut body,
                &plan.data,
                page.first().cloned().unwrap_or(Value::Null),
            );
            body
        } else if single_object {
            page.first().cloned().unwrap_or(Value::Null)
        } else {
            let mut body = Value::Object(Map::new());
            insert_at(&mut body, &plan.data, Value::Array(page));
            body
        };
        for (at, value) in cut.fields {
            insert_at(&mut body, &at, value);
        }
        if !cut.record_fields.is_empty()
            && let Some(last) = value_at_mut(&mut body, &plan.data)
                .and_then(Value::as_array_mut)
                .and_then(|records| records.last_mut())
                .and_then(|last| value_at_mut(last, &plan.item))
        {
            for (at, value) in cut.record_fields {
                insert_at(last, &at, value);
            }
        }
        let mut out = Outgoing::json(200, &body);
        out.headers.extend(cut.headers);
        Served {
            out,
            page: ServedPage {
                start: cut.start,
                count: cut.end - cut.start,
                total,
                more: cut.end < total,
                next: cut.next,
            },
            repeated: cut.repeated,
        }
    }
}

impl Cut {
    /// Writes a `has_more` flag, if the paginator reads one.
    fn flag(&mut self, has_more: Option<&FieldPath>, total: usize) {
        if let Some(at) = has_more {
            self.fields
                .push((at.clone(), Value::Bool(self.end < total)));
        }
    }
}
