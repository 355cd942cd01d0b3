//! Processing steps (dlt's `processing_steps`): filters and maps applied to each page's
//! records in the order written, after the paginator has read the page and before the
//! incremental filter, which dlt always places last. Records are still JSON here, so a step
//! sees every field whatever the record type is; a map's result is what gets decoded.
//!
//! Steps a program gives as closures ([`UserStep`], `.filter(..)` / `.map(..)` on a request)
//! run after the spec's, in the same place.

use std::sync::Arc;

use serde_json::value::RawValue;

use crate::descriptor::{List, Text};
use crate::expr::{Expr, Scope};

/// One processing step of a resource.
#[derive(Debug, Clone, PartialEq)]
pub enum ProcessingStep {
    /// Keeps the records for which the expression is truthy (dlt's `filter`).
    Filter(Expr),
    /// Edits every record (dlt's `map`, written as field edits).
    Map(RecordEdit),
}

/// The field edits of one `map` step. Every value is computed from the record as the step
/// receives it; then fields are removed, renamed, and added (an added field replaces one of
/// the same name).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordEdit {
    /// Fields removed, each a path of keys from the record's root; a missing one is skipped.
    pub remove: List<List<Text>>,
    /// Top-level fields renamed; a missing one is skipped.
    pub rename: List<Rename>,
    /// Fields set, each at a path of keys (objects on the way are created).
    pub add: List<AddField>,
}

impl RecordEdit {
    /// An edit that changes nothing; generated literals write only what differs.
    pub const DEFAULT: RecordEdit = RecordEdit {
        remove: std::borrow::Cow::Borrowed(&[]),
        rename: std::borrow::Cow::Borrowed(&[]),
        add: std::borrow::Cow::Borrowed(&[]),
    };
}

/// A field renamed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The field's name.
    pub from: Text,
    /// Its new name.
    pub to: Text,
}

/// A field a map sets.
#[derive(Debug, Clone, PartialEq)]
pub struct AddField {
    /// Where, as keys from the record's root.
    pub path: List<Text>,
    /// What.
    pub value: FieldValue,
}

/// The value of an added field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A constant, as JSON text.
    Json(Text),
    /// An expression over the record (`record`, `config`).
    Expr(Expr),
}

/// A processing step given as Rust code: runs after the spec's steps, on the record as JSON.
#[derive(Clone)]
pub enum UserStep {
    /// Keeps the records for which the closure returns true.
    Filter(Arc<dyn Fn(&serde_json::Value) -> bool + Send + Sync>),
    /// Replaces each record with what the closure returns.
    Map(Arc<dyn Fn(serde_json::Value) -> serde_json::Value + Send + Sync>),
}

impl std::fmt::Debug for UserStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UserStep::Filter(_) => "Filter(..)",
            UserStep::Map(_) => "Map(..)",
        })
    }
}

/// A record after the steps: the page's own bytes, or JSON a map wrote.
#[derive(Debug)]
pub(crate) enum Processed<'a> {
    /// Untouched (filters only so far).
    Page(&'a RawValue),
    /// Rewritten by a map.
    Mapped(Box<RawValue>),
}

impl Processed<'_> {
    /// The record's JSON.
    pub(crate) fn raw(&self) -> &RawValue {
        match self {
            Processed::Page(raw) => raw,
            Processed::Mapped(raw) => raw,
        }
    }
}

/// Why a step could not process a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepError {
    /// The index of the record on the page (before any filter).
    pub record: usize,
    /// What went wrong.
    pub message: String,
}

/// The records of a page through `steps` then `user`, in order; the records filtered out
/// are gone. `headers` are the page's, for expressions that read them.
pub(crate) fn apply<'a>(
    steps: &[ProcessingStep],
    user: &[UserStep],
    records: &[&'a RawValue],
    headers: &http::HeaderMap,
) -> Result<Vec<Processed<'a>>, StepError> {
    let mut out = Vec::with_capacity(records.len());
    'records: for (index, &raw) in records.iter().enumerate() {
        let mut record = Processed::Page(raw);
        let fail = |message: String| StepError {
            record: index,
            message,
        };
        for step in steps {
            match step {
                ProcessingStep::Filter(expr) => {
                    if !expr.eval(&Scope::of_record(record.raw(), headers)).truthy() {
                        continue 'records;
                    }
                }
                ProcessingStep::Map(edit) => {
                    record = Processed::Mapped(edit.apply(record.raw(), headers).map_err(fail)?);
                }
            }
        }
        for step in user {
            let value: serde_json::Value =
                serde_json::from_str(record.raw().get()).map_err(|e| fail(e.to_string()))?;
            match step {
                UserStep::Filter(keep) => {
                    if !keep(&value) {
                        continue 'records;
                    }
                }
                UserStep::Map(map) => {
                    let mapped = serde_json::value::to_raw_value(&map(value))
                        .map_err(|e| fail(e.to_string()))?;
                    record = Processed::Mapped(mapped);
                }
            }
        }
        out.push(record);
    }
    Ok(out)
}

impl RecordEdit {
    /// The record with the edits made, as JSON text.
    fn apply(&self, raw: &RawValue, headers: &http::HeaderMap) -> Result<Box<RawValue>, String> {
        let scope = Scope::of_record(raw, headers);
        // every value from the record as it came in
        let mut values = Vec::with_capacity(self.add.len());
        for field in self.add.iter() {
            let value = match &field.value {
                FieldValue::Json(text) => serde_json::from_str(text)
                    .map_err(|e| format!("the constant of `{}`: {e}", dotted(&field.path)))?,
                FieldValue::Expr(expr) => expr.eval(&scope).to_json().unwrap_or_default(),
            };
            values.push((&field.path, value));
        }
        let mut record: serde_json::Value =
            serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
        let serde_json::Value::Object(map) = &mut record else {
            return Err("a map edits fields, and this record is not an object".into());
        };
        for path in self.remove.iter() {
            remove(map, path);
        }
        for rename in self.rename.iter() {
            if let Some(value) = map.remove(rename.from.as_ref()) {
                map.insert(rename.to.to_string(), value);
            }
        }
        for (path, value) in values {
            set(map, path, value)?;
        }
        serde_json::value::to_raw_value(&record).map_err(|e| e.to_string())
    }
}

fn dotted(path: &[Text]) -> String {
    path.join(".")
}

/// Removes the field at `path`; nothing when a key on the way is missing.
fn remove(map: &mut serde_json::Map<String, serde_json::Value>, path: &[Text]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = map;
    for key in parents {
        match at.get_mut(key.as_ref()) {
            Some(serde_json::Value::Object(inner)) => at = inner,
            _ => return,
        }
    }
    at.remove(last.as_ref());
}

/// Sets the field at `path`, creating objects on the way; an error when a value on the way
/// is not an object.
fn set(
    map: &mut serde_json::Map<String, serde_json::Value>,
    path: &[Text],
    value: serde_json::Value,
) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return Err("an added field needs a name".into());
    };
    let mut at = map;
    for key in parents {
        let next = at
            .entry(key.to_string())
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        match next {
            serde_json::Value::Object(inner) => at = inner,
            _ => {
                return Err(format!(
                    "cannot add `{}`: `{key}` is not an object",
                    dotted(path)
                ));
            }
        }
    }
    at.insert(last.to_string(), value);
    Ok(())
}

impl ProcessingStep {
    /// The step with the settings (`config['name']`) and the time (`now_utc()`) its
    /// expressions read bound, as a request starts.
    pub fn for_run(&self, run: &crate::expr::RunValues<'_>) -> ProcessingStep {
        match self {
            ProcessingStep::Filter(expr) => ProcessingStep::Filter(expr.for_run(run)),
            ProcessingStep::Map(edit) => ProcessingStep::Map(RecordEdit {
                add: edit
                    .add
                    .iter()
                    .map(|field| AddField {
                        path: field.path.clone(),
                        value: match &field.value {
                            FieldValue::Expr(e) => FieldValue::Expr(e.for_run(run)),
                            constant => constant.clone(),
                        },
                    })
                    .collect(),
                ..edit.clone()
            }),
        }
    }

    /// The names of the settings its expressions read.
    pub fn settings(&self) -> Vec<&str> {
        match self {
            ProcessingStep::Filter(expr) => expr.settings(),
            ProcessingStep::Map(edit) => edit
                .add
                .iter()
                .flat_map(|field| match &field.value {
                    FieldValue::Expr(e) => e.settings(),
                    FieldValue::Json(_) => Vec::new(),
                })
                .collect(),
        }
    }
}

/// Records given as JSON through `steps`, as a run applies them to a page (settings
/// unbound): for checks that know the records a server sends and want those a run delivers.
pub fn process_json(
    steps: &[ProcessingStep],
    records: &[serde_json::Value],
) -> Result<Vec<serde_json::Value>, StepError> {
    let raw = records
        .iter()
        .enumerate()
        .map(|(record, value)| {
            serde_json::value::to_raw_value(value).map_err(|e| StepError {
                record,
                message: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&RawValue> = raw.iter().map(|r| &**r).collect();
    apply(steps, &[], &refs, &http::HeaderMap::new())?
        .iter()
        .enumerate()
        .map(|(record, p)| {
            serde_json::from_str(p.raw().get()).map_err(|e| StepError {
                record,
                message: e.to_string(),
            })
        })
        .collect()
}

/// Whether any step rewrites records (a page's records then no longer lie in its body).
pub(crate) fn rewrites(steps: &[ProcessingStep], user: &[UserStep]) -> bool {
    steps.iter().any(|s| matches!(s, ProcessingStep::Map(_)))
        || user.iter().any(|s| matches!(s, UserStep::Map(_)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
