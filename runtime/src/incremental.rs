//! Incremental loading as dlt does it: records are filtered client-side against the start
//! value (closed start, de-duplicated at the boundary by primary key), an optional end value
//! (open end), and the highest cursor value handed to the consumer becomes a checkpoint the
//! caller persists and passes back, so a restart resumes with no duplicates and no gaps.
//!
//! The filter only marks each kept record with its cursor value (`Mark`); the driver
//! advances the checkpoint with a record's mark when it hands that record over, so records
//! cut by `max_records`, never taken by the consumer or on a page that failed to decode are
//! not covered. Cursor values compare exactly: integers beyond 2^53 do not collapse into one
//! `f64`.

use std::borrow::Cow;
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

/// The order in which the API returns records by cursor (dlt's `row_order`): with it, a run
/// ends as soon as the records leave its window, instead of paging to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOrder {
    /// Oldest first: the run ends at the first record past the end value (it needs one).
    Asc,
    /// Newest first: the run ends at the first record before the start value.
    Desc,
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
    /// The setting the start value of the first run is read from when a run starts
    /// (`initial_value: {config: name}`); see [`IncrementalConfig::with_settings`].
    pub initial_value_config: Option<Text>,
    /// The setting the end value is read from when a run starts (`end_value: {config: name}`).
    pub end_value_config: Option<Text>,
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
    /// The order the API returns records in, if it promises one.
    pub row_order: Option<RowOrder>,
    /// dlt's `lag` as JSON number text: a resumed run starts this far before its checkpoint
    /// (seconds for a datetime cursor, days for a date, units for a number); see the `lag` module.
    pub lag: Option<Text>,
    /// How window bounds are written and, with `cursor_datetime_formats`, how cursor values
    /// are read (restgen's extension, Airbyte's `datetime_format`): with either, cursor values
    /// compare as instants, not as text (the `time` module).
    pub datetime_format: Option<Text>,
    /// More formats cursor values may come in (Airbyte's `cursor_datetime_formats`).
    pub cursor_datetime_formats: List<Text>,
    /// Date windows (restgen's `window`): the fan-out over them walks the range from the
    /// start value to the end value (now without one) window by window.
    pub window: Option<windows::WindowConfig>,
}

impl IncrementalConfig {
    /// No bounds, no parameters, the cursor growing, a record without one an error:
    /// generated descriptors write only what differs (`..IncrementalConfig::DEFAULT`).
    pub const DEFAULT: IncrementalConfig = IncrementalConfig {
        cursor_path: Selector::ROOT,
        cursor_field: Cow::Borrowed(""),
        initial_value: None,
        end_value: None,
        initial_value_config: None,
        end_value_config: None,
        start_param: None,
        end_param: None,
        last_value_func: LastValueFunc::Max,
        start_open: false,
        end_closed: false,
        on_cursor_value_missing: OnCursorMissing::Raise,
        primary_key: Cow::Borrowed(&[]),
        row_order: None,
        lag: None,
        datetime_format: None,
        cursor_datetime_formats: Cow::Borrowed(&[]),
        window: None,
    };
}

/// Where an incremental resource stands: the newest cursor value delivered and the keys of
/// the records that carry it. Serialize it to persist between runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The start is a chosen start value, not a checkpoint: no lag moves it.
    chosen: bool,
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
            chosen: false,
        })))
    }

    /// A run that starts at `value`, overriding the spec's `initial_value`.
    pub fn starting_at(value: impl Into<Value>) -> Self {
        Incremental(Arc::new(Mutex::new(State {
            start: Some(Checkpoint {
                last_value: value.into(),
                boundary: Vec::new(),
            }),
            progress: None,
            chosen: true,
        })))
    }

    /// Where the run started and where it has got to, for a resume point.
    pub(crate) fn snapshot(&self) -> (Option<Checkpoint>, Option<Checkpoint>) {
        let state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        (state.start.clone(), state.progress.clone())
    }

    /// Puts the handle back where a failed run left it: the same start (so the resumed run
    /// filters and sends what the failed one did) and the progress it had made.
    pub(crate) fn restore(&self, start: Option<Checkpoint>, progress: Option<Checkpoint>) {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.start = start;
        state.progress = progress;
    }

    /// The checkpoint to persist: the newest value delivered so far, else where it started.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        let state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.progress.clone().or_else(|| state.start.clone())
    }

    /// The filter for one run of `config`. With a `lag` (and no end value, which turns it off
    /// as in dlt), a run resumed from a checkpoint starts that far before it and does not
    /// de-duplicate at the boundary: the records behind it are wanted again.
    pub(crate) fn begin(&self, config: &IncrementalConfig) -> Result<RunFilter, LagError> {
        let state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let initial = json(config.initial_value.as_deref());
        let end = json(config.end_value.as_deref());
        let lag = config
            .lag
            .as_deref()
            .and_then(|t| t.parse::<f64>().ok())
            .filter(|l| *l != 0.0 && end.is_none());
        let lookback = config
            .window
            .as_ref()
            .and_then(|w| w.lookback.as_deref())
            .and_then(windows::IsoDuration::parse);
        let (start, boundary) = match (&state.start, lag) {
            // a window's lookback: the records behind the checkpoint are wanted again
            (Some(c), _) if lookback.is_some() && !state.chosen && !c.last_value.is_null() => {
                let back = lookback.unwrap_or(windows::IsoDuration::ZERO);
                let start = time::look_back(config, back, initial.as_ref(), &c.last_value)?;
                (Some(start), Vec::new())
            }
            (Some(c), Some(lag)) if !state.chosen && !c.last_value.is_null() => (
                Some(lag::apply(
                    lag,
                    initial.as_ref(),
                    &c.last_value,
                    config.last_value_func,
                )?),
                Vec::new(),
            ),
            (Some(c), _) => (Some(c.last_value.clone()), c.boundary.clone()),
            (None, _) => (initial.clone(), Vec::new()),
        };
        Ok(RunFilter {
            config: config.clone(),
            start,
            initial,
            end,
            boundary,
            handle: self.clone(),
        })
    }

    pub(crate) fn advance(&self, seen: &Checkpoint, order: &time::Order) {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let current = state.progress.take().or_else(|| state.start.clone());
        state.progress = Some(match current {
            None => seen.clone(),
            Some(mut c) => match order.cmp(&seen.last_value, &c.last_value) {
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
    /// The value found, when there is one but it is no datetime in the declared formats.
    pub unreadable: Option<String>,
}

impl MissingCursor {
    /// What is wrong with the record's cursor, for an error message.
    pub fn message(&self) -> String {
        match &self.unreadable {
            Some(value) => format!(
                "the incremental cursor `{}` is {value}, not a datetime in the declared formats",
                self.cursor_field
            ),
            None => format!(
                "the incremental cursor `{}` is missing or null",
                self.cursor_field
            ),
        }
    }
}

/// The `{incremental.*}` placeholders a run binds (to the start value, the start value again
/// as dlt's `last_value`, the initial value and the end value): the one list, which the
/// generator checks a spec's placeholders against.
pub const PLACEHOLDERS: &[&str] = &[
    "incremental.start_value",
    "incremental.last_value",
    "incremental.initial_value",
    "incremental.end_value",
];

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
    /// The run's start value: the initial value, or the checkpoint (less its lag or lookback).
    pub(crate) fn start_value(&self) -> Option<&Value> {
        self.start.as_ref()
    }

    /// The handle the run advances.
    pub(crate) fn handle(&self) -> &Incremental {
        &self.handle
    }

    /// Values for `{incremental.start_value}` and friends; paths and parameters render them
    /// as Python's `str()` does.
    /// A missing value is `None` (JSON `null`), as dlt formats it.
    pub fn placeholders(&self) -> Vec<(String, Value)> {
        let value = |v: &Option<Value>| v.clone().unwrap_or(Value::Null);
        // in the order of PLACEHOLDERS
        let values = [&self.start, &self.start, &self.initial, &self.end];
        PLACEHOLDERS
            .iter()
            .zip(values)
            .map(|(name, v)| (name.to_string(), value(v)))
            .collect()
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

    /// Keeps the records inside the run's range and advances the checkpoint over all of them,
    /// as if each was handed over at once.
    pub fn filter<'a>(&self, records: &[&'a RawValue]) -> Result<Vec<&'a RawValue>, MissingCursor> {
        let (kept, marks, _) = self.select(records)?;
        let tracker = self.tracker();
        for mark in &marks {
            tracker.deliver(mark.as_ref());
        }
        Ok(kept)
    }

    /// What advances this run's checkpoint as records are handed over.
    pub(crate) fn tracker(&self) -> Tracker {
        Tracker {
            handle: self.handle.clone(),
            order: time::Order::of(&self.config),
            // A window with an end value is a backfill: dlt writes no state for it.
            backfill: self.end.is_some(),
        }
    }

    /// Keeps the records inside the run's range, each with its mark (none for a record kept
    /// without a cursor value); advances nothing. The flag says the records have left the
    /// window in the promised `row_order` (dlt's `can_close`): no later page can have one
    /// inside it, so the run ends after this page.
    pub(crate) fn select<'a>(
        &self,
        records: &[&'a RawValue],
    ) -> Result<Selected<'a>, MissingCursor> {
        let order = time::Order::of(&self.config);
        // as dlt's transform: a record before the start (or at an open start) is out of range
        // at the start, one past the end (or at an open end) at the end
        let (mut before_start, mut past_end) = (false, false);
        let mut kept = Vec::with_capacity(records.len());
        let mut marks = Vec::with_capacity(records.len());
        for (index, record) in records.iter().enumerate() {
            let cursor = self
                .config
                .cursor_path
                .first(record)
                // a cursor nested deeper than a selector searches reads as missing
                .ok()
                .flatten()
                .map(exact_value)
                .filter(|v| !v.is_null());
            // with declared formats, a value that is no datetime in them has no place in time:
            // it counts as missing (on_cursor_value_missing decides), never as a checkpoint
            let (cursor, unreadable) = match cursor {
                Some(c) if order.as_time() && order.instant(&c).is_none() => (None, Some(c)),
                c => (c, None),
            };
            let Some(cursor) = cursor else {
                match self.config.on_cursor_value_missing {
                    OnCursorMissing::Raise => {
                        return Err(MissingCursor {
                            record: index,
                            cursor_field: self.config.cursor_field.to_string(),
                            unreadable: unreadable.map(|v| v.to_string()),
                        });
                    }
                    OnCursorMissing::Include => {
                        kept.push(*record);
                        marks.push(None);
                    }
                    OnCursorMissing::Exclude => {}
                }
                continue;
            };
            let key = self.key(record);
            if let Some(start) = &self.start {
                match order.cmp(&cursor, start) {
                    Some(Ordering::Less) => {
                        before_start = true;
                        continue;
                    }
                    Some(Ordering::Equal) if self.config.start_open => {
                        before_start = true;
                        continue;
                    }
                    Some(Ordering::Equal) if self.boundary.contains(&key) => continue,
                    _ => {}
                }
            }
            if let Some(end) = &self.end {
                match order.cmp(&cursor, end) {
                    Some(Ordering::Greater) => {
                        past_end = true;
                        continue;
                    }
                    Some(Ordering::Equal) if !self.config.end_closed => {
                        past_end = true;
                        continue;
                    }
                    _ => {}
                }
            }
            kept.push(*record);
            marks.push(Some(Mark(Checkpoint {
                last_value: cursor,
                boundary: vec![key],
            })));
        }
        let left = match self.config.row_order {
            Some(RowOrder::Asc) => past_end,
            Some(RowOrder::Desc) => before_start,
            None => false,
        };
        Ok((kept, marks, left))
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

/// The records a page keeps, their marks, and whether the records left the run's window in
/// the promised row order.
pub(crate) type Selected<'a> = (Vec<&'a RawValue>, Vec<Option<Mark>>, bool);

/// The cursor value of one kept record, to be folded into the checkpoint when the record is
/// handed to the consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mark(Checkpoint);

/// Advances one run's checkpoint with the marks of the records handed over.
#[derive(Debug, Clone)]
pub(crate) struct Tracker {
    handle: Incremental,
    order: time::Order,
    backfill: bool,
}

impl Tracker {
    /// Folds in the mark of one record handed to the consumer.
    pub(crate) fn deliver(&self, mark: Option<&Mark>) {
        if let Some(Mark(seen)) = mark
            && !self.backfill
        {
            self.handle.advance(seen, &self.order);
        }
    }
}

/// A JSON value read exactly from its text: an integer too large for 64 bits, which
/// `serde_json::Value` could only hold as a rounded `f64`, is kept as its exact digits (a
/// string), so it reaches a path or a checkpoint unchanged and still compares as a number.
pub fn exact_value(raw: &RawValue) -> Value {
    let text = raw.get().trim();
    let value = serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    match &value {
        Value::Number(n) if n.is_f64() && is_integer_literal(text) => Value::String(text.into()),
        _ => value,
    }
}

/// Whether `text` is a JSON integer literal (no fraction, no exponent).
fn is_integer_literal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

mod compare;
mod lag;
pub mod settings;
mod time;
pub mod windows;
pub(crate) use compare::newer;
pub use lag::LagError;

#[cfg(test)]
mod tests;
