//! The search behind [`stop_signals`]: the paths a stop condition reads become slots, each
//! with a few candidate values (leaving it out, booleans, numbers, strings, the literals the
//! condition compares with or looks for), and combinations are tried on simulated pages
//! until the condition is false on a page with a successor and, where possible, true on the
//! last.

use std::collections::BTreeMap;

use restgen_runtime::expr::{Expr, Literal, Var};
use serde_json::{Map, Value};

use super::{
    LINK, Natural, Page, Signal, Slot, State, access, accesses, describe, natural_page, put_records,
};
use crate::paging::NextPlan;
use crate::plan::FieldPath;
use crate::records::insert_at;

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
                            .push(lit.to_json());
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
        // a processing step's record is no part of the page the mock writes, nor the clock
        Var::LastRecord | Var::LastPageSize | Var::Record | Var::Now => None,
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
