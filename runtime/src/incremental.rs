//! Incremental loading as dlt does it: records are filtered client-side against the start
//! value (closed start, de-duplicated at the boundary by primary key), an optional end value
//! (open end), and the highest cursor value seen becomes a checkpoint the caller persists and
//! passes back, so a restart resumes with no duplicates and no gaps.

use std::cmp::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::descriptor::{List, Text};
use crate::paginate::wire_form;
use crate::selector::{Selector, object_fields};

/// Which end of the cursor's range is the newest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastValueFunc {
    /// The highest value is the newest (dlt's default).
    Max,
    /// The lowest value is the newest.
    Min,
}

/// What to do with a record that has no cursor value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnCursorMissing {
    /// Fail the page (dlt's default).
    Raise,
    /// Keep the record.
    Include,
    /// Drop the record.
    Exclude,
}

/// An endpoint's `incremental` block, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct IncrementalConfig {
    /// Where the cursor is in a record.
    pub cursor_path: Selector,
    /// The cursor path as written, for messages.
    pub cursor_field: Text,
    /// The start value of the first run, as JSON text.
    pub initial_value: Option<Text>,
    /// An end value (exclusive); with it, no checkpoint is advanced (a backfill window).
    pub end_value: Option<Text>,
    /// A query parameter that carries the start value.
    pub start_param: Option<Text>,
    /// A query parameter that carries the end value.
    pub end_param: Option<Text>,
    /// Which way the cursor grows.
    pub last_value_func: LastValueFunc,
    /// Whether records equal to the start value are dropped (`range_start: open`).
    pub start_open: bool,
    /// Whether records equal to the end value are kept (`range_end: closed`).
    pub end_closed: bool,
    /// Missing cursor policy.
    pub on_cursor_value_missing: OnCursorMissing,
    /// Primary key fields, for de-duplication at the boundary.
    pub primary_key: List<Text>,
}

/// Where an incremental resource stands: the newest cursor value delivered and the keys of
/// the records that carry it. Serialize it to persist between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The newest cursor value delivered.
    pub last_value: Value,
    /// Keys of the records whose cursor equals `last_value`, so a resumed run does not
    /// deliver them again.
    pub boundary: Vec<String>,
}

/// A handle on an incremental run: give it to a request, read the checkpoint afterwards.
/// Clones share state.
#[derive(Debug, Clone, Default)]
pub struct Incremental(Arc<Mutex<State>>);

#[derive(Debug, Default)]
struct State {
    /// Where the run started (the checkpoint given, if any).
    start: Option<Checkpoint>,
    /// Where it has got to.
    progress: Option<Checkpoint>,
}

impl Incremental {
    /// A first run: starts from the spec's `initial_value`.
    pub fn new() -> Self {
        Self::default()
    }

    /// A run that resumes from a saved checkpoint.
    pub fn resume(checkpoint: Checkpoint) -> Self {
        Incremental(Arc::new(Mutex::new(State {
            start: Some(checkpoint),
            progress: None,
        })))
    }

    /// A run that starts at `value`, overriding the spec's `initial_value`.
    pub fn starting_at(value: impl Into<Value>) -> Self {
        Self::resume(Checkpoint {
            last_value: value.into(),
            boundary: Vec::new(),
        })
    }

    /// The checkpoint to persist: the newest value delivered so far, else where it started.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        let state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.progress.clone().or_else(|| state.start.clone())
    }

    /// The filter for one run of `config`.
    pub(crate) fn begin(&self, config: &IncrementalConfig) -> RunFilter {
        let state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (start, boundary) = match &state.start {
            Some(c) => (Some(c.last_value.clone()), c.boundary.clone()),
            None => (json(config.initial_value.as_deref()), Vec::new()),
        };
        RunFilter {
            config: config.clone(),
            start,
            initial: json(config.initial_value.as_deref()),
            end: json(config.end_value.as_deref()),
            boundary,
            handle: self.clone(),
        }
    }

    fn advance(&self, seen: &Checkpoint, func: LastValueFunc) {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let current = state.progress.take().or_else(|| state.start.clone());
        state.progress = Some(match current {
            None => seen.clone(),
            Some(mut c) => match newer(&seen.last_value, &c.last_value, func) {
                Some(Ordering::Greater) => seen.clone(),
                Some(Ordering::Equal) => {
                    for key in &seen.boundary {
                        if !c.boundary.contains(key) {
                            c.boundary.push(key.clone());
                        }
                    }
                    c
                }
                _ => c,
            },
        });
    }
}

fn json(text: Option<&str>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

/// Why a record could not be filtered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCursor {
    /// Index of the record in the page.
    pub record: usize,
    /// The cursor path.
    pub cursor_field: String,
}

/// The filter of one run: what the placeholders and parameters see, and which records pass.
#[derive(Debug, Clone)]
pub struct RunFilter {
    config: IncrementalConfig,
    start: Option<Value>,
    initial: Option<Value>,
    end: Option<Value>,
    boundary: Vec<String>,
    handle: Incremental,
}

impl RunFilter {
    /// Values for `{incremental.start_value}` and friends; paths and parameters render them
    /// as Python's `str()` does.
    /// A missing value is `None` (JSON `null`), as dlt formats it.
    pub fn placeholders(&self) -> Vec<(String, Value)> {
        let value = |v: &Option<Value>| v.clone().unwrap_or(Value::Null);
        vec![
            ("incremental.start_value".into(), value(&self.start)),
            ("incremental.last_value".into(), value(&self.start)),
            ("incremental.initial_value".into(), value(&self.initial)),
            ("incremental.end_value".into(), value(&self.end)),
        ]
    }

    /// The `start_param` / `end_param` query pairs; a missing value sends nothing.
    pub fn query(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if let (Some(name), Some(value)) = (&self.config.start_param, &self.start) {
            pairs.push((name.to_string(), wire_form(value)));
        }
        if let (Some(name), Some(value)) = (&self.config.end_param, &self.end) {
            pairs.push((name.to_string(), wire_form(value)));
        }
        pairs
    }

    /// Keeps the records inside the run's range and records the newest value among them.
    pub fn filter<'a>(&self, records: &[&'a RawValue]) -> Result<Vec<&'a RawValue>, MissingCursor> {
        let func = self.config.last_value_func;
        let mut kept = Vec::with_capacity(records.len());
        let mut seen: Option<Checkpoint> = None;
        for (index, record) in records.iter().enumerate() {
            let cursor = self
                .config
                .cursor_path
                .first(record)
                // a cursor nested deeper than a selector searches reads as missing
                .ok()
                .flatten()
                .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok())
                .filter(|v| !v.is_null());
            let Some(cursor) = cursor else {
                match self.config.on_cursor_value_missing {
                    OnCursorMissing::Raise => {
                        return Err(MissingCursor {
                            record: index,
                            cursor_field: self.config.cursor_field.to_string(),
                        });
                    }
                    OnCursorMissing::Include => kept.push(*record),
                    OnCursorMissing::Exclude => {}
                }
                continue;
            };
            let key = self.key(record);
            if let Some(start) = &self.start {
                match newer(&cursor, start, func) {
                    Some(Ordering::Less) => continue,
                    Some(Ordering::Equal)
                        if self.config.start_open || self.boundary.contains(&key) =>
                    {
                        continue;
                    }
                    _ => {}
                }
            }
            if let Some(end) = &self.end {
                match newer(&cursor, end, func) {
                    Some(Ordering::Greater) => continue,
                    Some(Ordering::Equal) if !self.config.end_closed => continue,
                    _ => {}
                }
            }
            kept.push(*record);
            seen = Some(match seen {
                None => Checkpoint {
                    last_value: cursor,
                    boundary: vec![key],
                },
                Some(mut s) => match newer(&cursor, &s.last_value, func) {
                    Some(Ordering::Greater) => Checkpoint {
                        last_value: cursor,
                        boundary: vec![key],
                    },
                    Some(Ordering::Equal) => {
                        s.boundary.push(key);
                        s
                    }
                    _ => s,
                },
            });
        }
        // A window with an end value is a backfill: dlt writes no state for it.
        if let Some(seen) = seen
            && self.end.is_none()
        {
            self.handle.advance(&seen, func);
        }
        Ok(kept)
    }

    /// The record's primary key values joined, or its JSON text when it has no primary key.
    fn key(&self, record: &RawValue) -> String {
        if self.config.primary_key.is_empty() {
            return record.get().to_string();
        }
        let fields = object_fields(record).unwrap_or_default();
        self.config
            .primary_key
            .iter()
            .map(|name| {
                fields
                    .iter()
                    .find(|(k, _)| k == name.as_ref())
                    .map_or("null", |(_, v)| v.get())
            })
            .collect::<Vec<_>>()
            .join("|")
    }
}

/// How `a` compares with `b` in the direction the cursor grows; `None` when they cannot be
/// compared (different types). Strings that both hold numbers compare as numbers.
fn newer(a: &Value, b: &Value, func: LastValueFunc) -> Option<Ordering> {
    let ordering = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.partial_cmp(&y),
            _ => Some(x.cmp(y)),
        },
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }?;
    Some(match func {
        LastValueFunc::Max => ordering,
        LastValueFunc::Min => ordering.reverse(),
    })
}

#[cfg(test)]
mod tests;
