//! Working out the server side of a template by trying it: pages are built as the mock would
//! serve them and the spec's own expression is evaluated on them by the runtime, so whatever
//! the expression language says, the mock's pages agree with the client that reads them.
//!
//! - [`stop_signals`]: the fields and headers a `stop_condition` reads get values, found by
//!   search over a few candidates each, that make it false on a page with a successor (and,
//!   where some value can, true on the last page).
//! - [`cursor_plan`]: where a `cursor_value` template reads the next page from: a link or a
//!   token in the body, a `Link` relation, a header, a field of the last record.

use restgen_runtime::descriptor::Target;
use restgen_runtime::expr::{Expr, Literal, Scope, Var};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::paging::NextPlan;
use crate::plan::FieldPath;
use crate::records::insert_at;

mod stop;

pub use stop::stop_signals;

/// Where a signal goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    /// A field of the body.
    Body(FieldPath),
    /// A response header: its text, or for `link` its relations (`{rel: {url, ..}}`, written
    /// as an RFC 8288 header).
    Header(String),
    /// A field of the page's last record.
    Record(FieldPath),
}

/// A value a template reads that tells whether another page follows: what it is on a page
/// with a successor (`more`) and on the last page (`last`); `None` leaves it out.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub slot: Slot,
    pub more: Option<Value>,
    pub last: Option<Value>,
}

/// The part of a page the paginator itself decides: where the records and the next position
/// go. A simulated page holds them besides the signals.
#[derive(Debug, Clone, Copy)]
pub struct Natural<'a> {
    /// Where the records are.
    pub data: &'a FieldPath,
    /// How the next position is given.
    pub next: &'a NextPlan,
    /// Whether a page holds one record, an object at `data`, rather than a list.
    pub object: bool,
}

/// Writes the records of `page` where `natural` says: the list, or the one object.
fn put_records(page: &mut Page, natural: Natural<'_>) {
    let value = match (natural.object, page.records.last()) {
        (true, Some(record)) => record.clone(),
        (true, None) => Value::Object(Map::new()),
        (false, _) => Value::Array(page.records.clone()),
    };
    if natural.object && natural.data.is_empty() {
        // the body is the record: its fields go beside the paginator's
        if let (Value::Object(fields), Value::Object(body)) = (value, &mut page.body) {
            for (k, v) in fields {
                body.entry(k).or_insert(v);
            }
        }
        return;
    }
    insert_at(&mut page.body, natural.data, value);
}

/// The URL the simulation writes where a link goes.
const LINK: &str = "http://127.0.0.1:1/next?page_token=t000000-3";
/// The token the simulation writes where a token goes.
const TOKEN: &str = "t000000-3";

/// A page as a template sees it.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub body: Value,
    pub headers: Vec<(String, String)>,
    pub records: Vec<Value>,
}

impl Page {
    /// Evaluates `expr` on the page with the runtime's evaluator; the value as JSON, `None`
    /// where it is falsy.
    pub fn eval(&self, expr: &Expr) -> (bool, Option<Value>) {
        let body_text = self.body.to_string();
        let Ok(body) = serde_json::from_str::<&RawValue>(&body_text) else {
            return (false, None);
        };
        let last_text = self.records.last().map(Value::to_string);
        let last_record = last_text
            .as_deref()
            .and_then(|t| serde_json::from_str::<&RawValue>(t).ok());
        let mut headers = http::HeaderMap::new();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(value),
            ) {
                headers.append(name, value);
            }
        }
        let scope = Scope {
            response: Some(body),
            headers: &headers,
            last_record,
            last_page_size: self.records.len(),
            record: None,
        };
        let value = expr.eval(&scope);
        let truthy = value.truthy();
        (truthy, value.into_json())
    }

    /// Writes a signal's value.
    pub fn put(&mut self, slot: &Slot, value: &Value) {
        match slot {
            Slot::Body(at) => insert_at(&mut self.body, at, value.clone()),
            Slot::Header(name) => self.headers.push((name.clone(), header_text(value))),
            Slot::Record(at) => {
                if let Some(last) = self.records.last_mut() {
                    insert_at(last, at, value.clone());
                }
            }
        }
    }
}

/// A header's text for a value: a string as it is, relations as a `Link` header.
pub fn header_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(rels) => rels
            .iter()
            .map(|(rel, link)| {
                let url = link.get("url").and_then(Value::as_str).unwrap_or(LINK);
                let mut text = format!("<{url}>; rel=\"{rel}\"");
                if let Value::Object(params) = link {
                    for (k, v) in params.iter().filter(|(k, _)| *k != "url" && *k != "rel") {
                        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                        text.push_str(&format!("; {k}=\"{v}\""));
                    }
                }
                text
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// One state of a simulated page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A full page with a successor.
    More,
    /// The last page: fewer records, no next position.
    Last,
}

/// The page the mock serves in `state`, before signals: records and the next position.
fn natural_page(natural: Natural<'_>, state: State) -> Page {
    let count = if state == State::More { 3 } else { 1 };
    let records: Vec<Value> = (0..count)
        .map(|i| serde_json::json!({ "id": format!("r{i}") }))
        .collect();
    let mut page = Page {
        body: Value::Object(Map::new()),
        headers: Vec::new(),
        records,
    };
    put_records(&mut page, natural);
    if state == State::More {
        match natural.next {
            NextPlan::TokenInBody {
                at, numeric: true, ..
            } => insert_at(&mut page.body, at, Value::from(3)),
            NextPlan::TokenInBody { at, .. } => {
                insert_at(&mut page.body, at, Value::String(TOKEN.into()));
            }
            NextPlan::LinkInBody { at } => {
                insert_at(&mut page.body, at, Value::String(LINK.into()));
            }
            NextPlan::LinkHeader { rel } => page
                .headers
                .push(("link".into(), format!("<{LINK}>; rel=\"{rel}\""))),
            NextPlan::TokenInHeader { header, .. } => {
                page.headers.push((header.clone(), TOKEN.into()));
            }
            NextPlan::LinkInHeader { header } => page.headers.push((header.clone(), LINK.into())),
            NextPlan::RecordField { .. } => {}
        }
    }
    page
}

/// The paths an expression reads, from a variable through literal keys, in the order it
/// reads them: `response.get("a", {}).b` is `(Response, [a, b])`.
pub fn accesses(expr: &Expr) -> Vec<(Var, FieldPath)> {
    let mut out: Vec<(Var, FieldPath)> = Vec::new();
    expr.visit(&mut |e| {
        if let Some(access) = access(e)
            && !out.contains(&access)
        {
            out.push(access);
        }
    });
    out
}

/// `response.get("a", {}).get("b")` as `(Response, ["a", "b"])`.
pub fn access(expr: &Expr) -> Option<(Var, FieldPath)> {
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

/// An expression in a message: short enough to read.
fn describe(expr: &Expr) -> String {
    let text = format!("{expr:?}");
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(119).collect::<String>())
    } else {
        text
    }
}

/// Where a `cursor_value` template reads the next page from, found by writing a link or a
/// token at each place it reads and checking what it then yields.
pub fn cursor_plan(
    template: &Expr,
    param: &Target,
    settings: &dyn Fn(&str) -> Option<String>,
) -> Result<NextPlan, String> {
    let template = template.with_config(settings);
    let empty = FieldPath::new();
    let yields = |plan: &NextPlan| -> Option<Value> {
        let mut page = natural_page(
            Natural {
                data: &empty,
                next: plan,
                object: false,
            },
            State::More,
        );
        // records at the root would hide the body fields: put them aside for the try
        page.body = Value::Object(Map::new());
        let value = match plan {
            NextPlan::LinkInBody { .. } => Some(Value::String(LINK.into())),
            NextPlan::TokenInBody { numeric: true, .. } => Some(Value::from(3)),
            NextPlan::TokenInBody { .. } => Some(Value::String(TOKEN.into())),
            _ => None,
        };
        if let (Some(value), NextPlan::TokenInBody { at, .. } | NextPlan::LinkInBody { at }) =
            (value, plan)
        {
            insert_at(&mut page.body, at, value);
        }
        if let NextPlan::RecordField { field, .. } = plan {
            // the records carry the field the template reads: `r0`, `r1`, ...
            for (i, record) in page.records.iter_mut().enumerate() {
                insert_at(record, field, Value::String(format!("r{i}")));
            }
        }
        page.eval(&template).1
    };
    for (var, path) in accesses(&template) {
        let candidates: Vec<NextPlan> = match var {
            Var::Response if !path.is_empty() => vec![
                NextPlan::LinkInBody { at: path.clone() },
                NextPlan::TokenInBody {
                    at: path.clone(),
                    param: param.clone(),
                    via: Some(template.clone()),
                    numeric: false,
                },
                // `response['n'] + 1`: a number the template computes with
                NextPlan::TokenInBody {
                    at: path.clone(),
                    param: param.clone(),
                    via: Some(template.clone()),
                    numeric: true,
                },
            ],
            Var::Headers if path.first().map(String::as_str) == Some("link") => {
                vec![NextPlan::LinkHeader {
                    rel: path.get(1).cloned().unwrap_or_else(|| "next".into()),
                }]
            }
            Var::Headers if path.len() == 1 => vec![NextPlan::LinkInHeader {
                header: path[0].to_ascii_lowercase(),
            }],
            Var::LastRecord if !path.is_empty() => vec![NextPlan::RecordField {
                field: path.clone(),
                param: param.clone(),
            }],
            _ => Vec::new(),
        };
        for plan in candidates {
            let Some(value) = yields(&plan) else {
                continue;
            };
            let works = match &plan {
                NextPlan::LinkInBody { .. }
                | NextPlan::LinkHeader { .. }
                | NextPlan::LinkInHeader { .. } => value == Value::String(LINK.into()),
                NextPlan::RecordField { .. } => value == Value::String("r2".into()),
                NextPlan::TokenInBody { .. } | NextPlan::TokenInHeader { .. } => !value.is_null(),
            };
            if works {
                return Ok(plan);
            }
        }
    }
    Err(format!(
        "the cursor template {} reads no place the mock can put the next page in",
        describe(&template)
    ))
}
