//! Answering one request: route it to a resource, check credentials and parameters, then hand
//! it to [`crate::page`] for the page it asks for.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};

use crate::checks::{bind_rules, check_auth, match_route, percent_decode};
use crate::fault::{FaultKind, RetryAfter};
use crate::log::RecordedRequest;
use crate::oauth::{Issued, TOKEN_PATH, TokenEndpoint, answer_token};
use crate::options::MockOptions;
use crate::page::{PageRequest, token_tag};
use crate::plan::{AuthRule, IncrementalPlan, Plan, Rule};
use crate::records::{Ordered, RecordShape, record, value_at};
use crate::rng::stable_hash;

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
    pub delivery: Delivery,
}

/// How the server delivers an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delivery {
    /// As it is.
    #[default]
    Whole,
    /// Not at all: the connection is reset instead.
    Reset,
    /// The headers, announcing the whole body, and half the body; then the connection closes.
    Truncated,
    /// As it is, after this long.
    After(Duration),
}

impl Outgoing {
    pub fn json(status: u16, body: &Value) -> Outgoing {
        Outgoing {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(body).unwrap_or_default(),
            delivery: Delivery::Whole,
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
    /// OAuth2 tokens issued so far.
    pub issued: Vec<Issued>,
    /// The resource that answers a request several resources' routes fit equally well.
    pub preferred: Option<String>,
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
            fault: None,
        };
        let out = self.answer(&request, &mut entry);
        entry.status = out.status;
        self.log.push(entry);
        out
    }

    fn answer(&mut self, request: &Incoming, entry: &mut RecordedRequest) -> Outgoing {
        if request.path == TOKEN_PATH {
            let endpoints: Vec<&TokenEndpoint> = self
                .plans
                .iter()
                .filter_map(|p| match &p.auth {
                    AuthRule::OAuth2(endpoint) => Some(endpoint),
                    _ => None,
                })
                .collect();
            if !endpoints.is_empty() {
                let answer = answer_token(&endpoints, &mut self.issued, self.options.seed, request);
                return match answer {
                    Ok(out) => {
                        entry.note = Some("oauth2 token issued".into());
                        out
                    }
                    Err((status, message)) => {
                        entry.note = Some(format!("oauth2 token refused: {message}"));
                        let (error, description) =
                            message.split_once(": ").unwrap_or((&message, ""));
                        Outgoing::json(
                            status,
                            &json!({"error": error, "error_description": description}),
                        )
                    }
                };
            }
        }
        let login = self.plans.iter().find_map(|p| match &p.auth {
            AuthRule::Session(endpoint) if endpoint.path == request.path => Some(endpoint),
            _ => None,
        });
        if let Some(endpoint) = login
            && request.method == "POST"
        {
            return match endpoint.answer(request) {
                Ok(out) => {
                    entry.note = Some("session login".into());
                    out
                }
                Err(message) => {
                    entry.note = Some(format!("session login refused: {message}"));
                    Outgoing::error(401, &message)
                }
            };
        }
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
        let fault = self
            .options
            .faults
            .iter()
            .find(|f| f.fires(&name, count))
            .map(|f| f.kind.clone());
        if let Some(kind) = &fault
            && let Some(out) = early_fault(kind)
        {
            entry.note = Some(format!("fault: {kind}"));
            entry.fault = fault;
            return out;
        }
        if let Some(reason) = &plan.unsupported {
            entry.note = Some(reason.clone());
            return Outgoing::error(501, &format!("the mock cannot serve `{name}`: {reason}"));
        }
        if let Err(message) = check_auth(&plan.auth, request, &self.issued) {
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
        let page = PageRequest {
            plan,
            request,
            body: body_json.as_ref(),
            records,
            max_page_size: max,
            tag,
            origin: &self.origin,
            repeat: fault == Some(FaultKind::RepeatedCursor),
        };
        match page.serve() {
            Ok(served) => {
                entry.served = Some(served.page);
                let mut out = served.out;
                if let Some(kind) = fault {
                    match spoil_page(&kind, &mut out, served.repeated) {
                        Ok(()) => {
                            entry.note = Some(format!("fault: {kind}"));
                            entry.fault = Some(kind);
                        }
                        Err(why) => entry.note = Some(format!("fault `{kind}` not applied: {why}")),
                    }
                }
                out
            }
            Err(message) => bad_request(entry, &message),
        }
    }

    /// The resource a request is for, with the arguments its path carries. Where several
    /// resources share a path, one whose fixed query parameters all match wins, and among
    /// those the preferred one, else the first.
    fn route(&self, request: &Incoming) -> Option<(usize, Args)> {
        let segments: Vec<String> = request
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let mut best: Option<(usize, Args, (bool, bool))> = None;
        for (index, plan) in self.plans.iter().enumerate() {
            if plan.method_name() != request.method {
                continue;
            }
            let Some(args) = match_route(&plan.route, &segments) else {
                continue;
            };
            let fixed_match = plan.params.iter().all(|rule| match rule {
                Rule::Literal { name, value } => {
                    request.query.iter().any(|(k, v)| k == name && v == value)
                }
                Rule::Present { name } | Rule::Arg { name, .. } => {
                    request.query.iter().any(|(k, _)| k == name)
                }
            });
            // a resource the caller prefers wins among the ones that fit equally well
            let preferred = self.preferred.as_deref() == Some(plan.name.as_str());
            let rank = (fixed_match, preferred);
            match &best {
                Some((_, _, best_rank)) if *best_rank >= rank => {}
                _ => best = Some((index, args, rank)),
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
        let cursor = value_at(record, &plan.ordered.path)?;
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

/// The answer of a fault that strikes before the request is looked at: a status, or a reset.
fn early_fault(kind: &FaultKind) -> Option<Outgoing> {
    let (mut out, retry_after) = match kind {
        FaultKind::TooManyRequests { retry_after } => {
            (Outgoing::error(429, "too many requests"), Some(retry_after))
        }
        FaultKind::ServerError {
            status,
            retry_after,
        } => (
            Outgoing::error(*status, "injected failure"),
            retry_after.as_ref(),
        ),
        FaultKind::ResetConnection => {
            // status 0: no status line is ever written
            let mut out = Outgoing::error(0, "reset");
            out.delivery = Delivery::Reset;
            return Some(out);
        }
        _ => return None,
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
    Some(out)
}

/// Spoils a page as a fault says; `Err` says why the fault does not apply to it.
fn spoil_page(kind: &FaultKind, out: &mut Outgoing, repeated: bool) -> Result<(), &'static str> {
    match kind {
        FaultKind::TruncatedBody => out.delivery = Delivery::Truncated,
        FaultKind::CutJson => {
            let half = out.body.len() / 2;
            out.body.truncate(half);
        }
        FaultKind::Slow { delay } => out.delivery = Delivery::After(*delay),
        FaultKind::RepeatedCursor if !repeated => {
            return Err("this page has no cursor or link to repeat");
        }
        FaultKind::RepeatedCursor
        | FaultKind::TooManyRequests { .. }
        | FaultKind::ServerError { .. }
        | FaultKind::ResetConnection => {}
    }
    Ok(())
}
