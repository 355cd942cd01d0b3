//! Working out the server side of a template by trying it: pages are built as the mock would
//! serve them and the spec's own expression is evaluated on them by the runtime, so whatever
//! the expression language says, the mock's pages agree with the client that reads them.
//!
//! - [`stop_signals`]: the fields and headers a `stop_condition` reads get values, found by
//!   search over a few candidates each, that make it false on a page with a successor (and,
//!   where some value can, true on the last page).
//! - [`cursor_plan`]: where a `cursor_value` template reads the next page from: a link or a
//!   token in the body, a `Link` relation, a header, a field of the last record.

use std::collections::BTreeMap;

use restgen_runtime::descriptor::Target;
use restgen_runtime::expr::{Expr, Literal, Scope, Var};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::paging::NextPlan;
use crate::plan::FieldPath;
use crate::records::insert_at;

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

/// The literals an expression compares a path with, or looks for in it (`'next' in x`).
fn literals_about(expr: &Expr) -> BTreeMap<(u8, FieldPath), Vec<Value>> {
    let mut out: BTreeMap<(u8, FieldPath), Vec<Value>> = BTreeMap::new();
    let var_key = |var: Var| var as u8;
    expr.visit(&mut |e| match e {
        Expr::Cmp(_, ops) => {
            if let (Some(a), Some(b)) = (ops.first(), ops.get(1)) {
                for (x, y) in [(a, b), (b, a)] {
                    if let (Some((var, path)), Expr::Lit(lit)) = (access(x), y) {
                        out.entry((var_key(var), path))
                            .or_default()
                            .push(literal_json(lit));
                    }
                }
            }
        }
        Expr::In(ops) => {
            if let (Some(Expr::Lit(Literal::Str(needle))), Some(hay)) = (ops.first(), ops.get(1))
                && let Some((var, path)) = access(hay)
            {
                let mut object = Map::new();
                object.insert(needle.to_string(), Value::String("x".into()));
                let values = out.entry((var_key(var), path)).or_default();
                values.push(Value::Object(object));
                values.push(Value::String(needle.to_string()));
            }
        }
        _ => {}
    });
    out
}

fn literal_json(literal: &Literal) -> Value {
    match literal {
        Literal::None => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::from(*i),
        Literal::Str(s) => Value::String(s.to_string()),
        Literal::EmptyObject => Value::Object(Map::new()),
        Literal::EmptyList => Value::Array(Vec::new()),
    }
}

/// The slot a read path is, when the mock can write it: not the records or the next
/// position themselves (nor what holds them), which the paginator decides.
fn slot_of(var: Var, path: &FieldPath, natural: Natural<'_>) -> Option<Slot> {
    let holds = |owned: &FieldPath| owned.starts_with(path);
    match var {
        Var::Response if path.is_empty() => None,
        Var::Response => {
            let next_at = match natural.next {
                NextPlan::TokenInBody { at, .. } | NextPlan::LinkInBody { at } => Some(at),
                _ => None,
            };
            if holds(natural.data) || next_at.is_some_and(holds) {
                return None;
            }
            Some(Slot::Body(path.clone()))
        }
        Var::Headers => {
            let name = path.first()?.to_string();
            let natural_header = match natural.next {
                NextPlan::LinkHeader { .. } => Some("link".to_string()),
                NextPlan::TokenInHeader { header, .. } | NextPlan::LinkInHeader { header } => {
                    Some(header.to_ascii_lowercase())
                }
                _ => None,
            };
            (natural_header.as_deref() != Some(name.to_ascii_lowercase().as_str()))
                .then_some(Slot::Header(name))
        }
        Var::LastRecord if !path.is_empty() => Some(Slot::Record(path.clone())),
        Var::LastRecord | Var::LastPageSize => None,
    }
}

/// The values tried for a slot, `None` for leaving it out.
fn candidates(slot: &Slot, path: &FieldPath, literals: &[Value]) -> Vec<Option<Value>> {
    let mut out: Vec<Option<Value>> = vec![None];
    let mut push = |v: Value| {
        if !out.contains(&Some(v.clone())) {
            out.push(Some(v));
        }
    };
    match slot {
        Slot::Header(name) if name == "link" => {
            // `headers.link.next.url`: the relation (and parameter) read under it
            let rel = path.get(1).cloned().unwrap_or_else(|| "next".into());
            let with = |param: Option<(&String, Value)>| {
                let mut link = Map::new();
                link.insert("url".into(), Value::String(LINK.into()));
                link.insert("rel".into(), Value::String(rel.clone()));
                if let Some((k, v)) = param {
                    link.insert(k.clone(), v);
                }
                let mut rels = Map::new();
                rels.insert(rel.clone(), Value::Object(link));
                Value::Object(rels)
            };
            push(with(None));
            if let Some(param) = path.get(2).filter(|p| *p != "url") {
                for literal in literals {
                    push(with(Some((param, literal.clone()))));
                }
                push(with(Some((param, Value::String("x".into())))));
            }
            for literal in literals.iter().filter(|l| l.is_object()) {
                push(literal.clone());
            }
        }
        Slot::Header(_) => {
            for literal in literals {
                push(Value::String(
                    literal
                        .as_str()
                        .map_or_else(|| literal.to_string(), str::to_string),
                ));
            }
            push(Value::String("x".into()));
            push(Value::String(String::new()));
        }
        Slot::Body(_) | Slot::Record(_) => {
            for literal in literals {
                push(literal.clone());
            }
            for v in [
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
                Value::from(1),
                Value::from(0),
                // past any count a condition compares with
                Value::from(1_000_000),
                Value::String("x".into()),
                // the relation `x in headers['link']` looks for
                Value::String("next".into()),
                Value::String(String::new()),
                Value::Object(Map::new()),
                Value::Array(Vec::new()),
            ] {
                push(v);
            }
        }
    }
    out
}

/// At most this many combinations of values are tried.
const MAX_TRIES: usize = 20_000;

/// Values for the fields and headers `stop` reads that make it false on a page with a
/// successor, and true on the last page where some values can. `Err` when no values make it
/// false on a full page: the paginator would stop early whatever the server wrote.
pub fn stop_signals(
    stop: &Expr,
    natural: Natural<'_>,
    settings: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Signal>, String> {
    let stop = stop.with_config(settings);
    let literals = literals_about(&stop);
    let mut slots: Vec<(Slot, Vec<Option<Value>>)> = Vec::new();
    for (var, path) in accesses(&stop) {
        let Some(slot) = slot_of(var, &path, natural) else {
            continue;
        };
        let found = literals
            .get(&(var as u8, path.clone()))
            .cloned()
            .unwrap_or_default();
        match slots.iter_mut().find(|(s, _)| *s == slot) {
            // `headers.link.next` and `headers.link.next.results` are one header
            Some((_, values)) => {
                for v in candidates(&slot, &path, &found) {
                    if !values.contains(&v) {
                        values.push(v);
                    }
                }
            }
            None => slots.push((slot.clone(), candidates(&slot, &path, &found))),
        }
    }
    // an ancestor written after a descendant would replace it: shorter paths first
    slots.sort_by_key(|(slot, _)| match slot {
        Slot::Body(p) | Slot::Record(p) => p.len(),
        Slot::Header(_) => 0,
    });
    let more_base = natural_page(natural, State::More);
    let last_base = natural_page(natural, State::Last);
    let stops = |base: &Page, values: &[Option<Value>]| {
        let mut page = base.clone();
        for ((slot, _), value) in slots.iter().zip(values) {
            if let Some(value) = value {
                page.put(slot, value);
            }
        }
        // the records and the next position are the paginator's: written last, as served
        put_records(&mut page, natural);
        if let Some(next) = natural_value(natural, &base.body) {
            insert_at(&mut page.body, &next.0, next.1);
        }
        page.eval(&stop).0
    };
    let mut fallback: Option<Vec<Option<Value>>> = None;
    let mut choice = vec![0usize; slots.len()];
    for _ in 0..MAX_TRIES {
        let values: Vec<Option<Value>> = slots
            .iter()
            .zip(&choice)
            .map(|((_, c), &i)| c.get(i).cloned().flatten())
            .collect();
        if !stops(&more_base, &values) {
            let last_values = last_choice(&slots, &values, &last_base, &stops);
            match last_values {
                Some(last) => return Ok(signals(&slots, &values, &last)),
                None if fallback.is_none() => fallback = Some(values.clone()),
                None => {}
            }
        }
        if !advance(&mut choice, &slots) {
            break;
        }
    }
    match fallback {
        Some(values) => Ok(signals(&slots, &values, &values)),
        None => Err(format!(
            "the stop condition {} is true on a full page whatever the server writes",
            describe(&stop)
        )),
    }
}

/// The values that make the stop condition true on the last page, changing as few slots of
/// `more` as it takes (one, then every combination).
fn last_choice(
    slots: &[(Slot, Vec<Option<Value>>)],
    more: &[Option<Value>],
    last_base: &Page,
    stops: &dyn Fn(&Page, &[Option<Value>]) -> bool,
) -> Option<Vec<Option<Value>>> {
    if stops(last_base, more) {
        return Some(more.to_vec());
    }
    for (i, (_, values)) in slots.iter().enumerate() {
        for value in values {
            let mut tried = more.to_vec();
            tried[i] = value.clone();
            if stops(last_base, &tried) {
                return Some(tried);
            }
        }
    }
    None
}

fn signals(
    slots: &[(Slot, Vec<Option<Value>>)],
    more: &[Option<Value>],
    last: &[Option<Value>],
) -> Vec<Signal> {
    slots
        .iter()
        .zip(more.iter().zip(last))
        .filter(|(_, (m, l))| m.is_some() || l.is_some())
        .map(|((slot, _), (m, l))| Signal {
            slot: slot.clone(),
            more: m.clone(),
            last: l.clone(),
        })
        .collect()
}

/// The next combination of candidate indices; `false` after the last.
fn advance(choice: &mut [usize], slots: &[(Slot, Vec<Option<Value>>)]) -> bool {
    for (i, (_, values)) in slots.iter().enumerate() {
        choice[i] += 1;
        if choice[i] < values.len() {
            return true;
        }
        choice[i] = 0;
    }
    false
}

/// The next position written in the body of `base`, to write again after the signals.
fn natural_value(natural: Natural<'_>, base: &Value) -> Option<(FieldPath, Value)> {
    match natural.next {
        NextPlan::TokenInBody { at, .. } | NextPlan::LinkInBody { at } => {
            crate::records::value_at(base, at).map(|v| (at.clone(), v.clone()))
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
