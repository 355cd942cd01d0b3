//! Lenient record decoding: a record whose fields disagree with the schema is still
//! delivered. Real APIs send `"1"` where their docs say boolean, `12` where they say string,
//! and leave out fields they call required; a typed client that drops a record or ends a
//! run over one field is not usable.
//!
//! Each generated record type comes with a [`RecordShape`]: compact const data derived from
//! the same pre-passed schema typify turned into the type. Decoding then goes:
//!
//! 1. Straight from the page's bytes into `T`, as always: the clean path costs nothing more.
//! 2. Only when that fails, the record is parsed into a `serde_json::Value` (a duplicate key
//!    takes its last value, as Python's `json` does), walked against the shape: scalars
//!    coerced exactly ([`coerce`]), values with no coercion moved into the record's raw values
//!    (a map by JSON pointer, in the record's `_restgen_raw` field), then decoded into `T`.
//! 3. Should `T` still refuse it somewhere the shape did not foresee (a number too large for
//!    `i32`, a shape the shape leaves open), the value at the failing path is moved aside the
//!    same way and decoding is tried again, a bounded number of times.
//!
//! Every coercion and kept value is counted per field in a [`DecodeSummary`]; a run's
//! summary is read from its [`DecodeReport`]. Strict decoding (`.strict()`) fails the page
//! at the first record that does not decode as the type says, or misses a required field.

pub mod coerce;
mod report;
mod required;
mod shape_macro;
mod walk;

use std::borrow::Cow;
use std::ops::Range;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::descriptor::{List, Text};
use crate::selector::DecodeFailure;

pub use coerce::Scalar;
pub use report::{DecodeReport, DecodeSummary, FieldCounts};
use walk::Step;

/// How many values the fallback moves aside, at most, after the shape's walk, before a
/// record is given up as failed.
const MAX_MOVES: usize = 64;

/// The shape of a record type, for lenient decoding: its schema's types, reduced to what
/// coercion needs. Node 0 is the record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordShape {
    /// The nodes; a node refers to others by index, so recursive schemas are finite.
    pub nodes: List<Node>,
    /// The record's field holding the values kept raw (`_restgen_raw`), when the record is an
    /// object type that has one.
    pub raw_field: Option<Text>,
}

/// One schema node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node wants.
    pub kind: Kind,
    /// Whether it accepts `null`.
    pub nullable: bool,
}

/// What a node wants.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Anything (an untyped value, an open union): never coerced.
    Any,
    /// A scalar, coerced exactly.
    Scalar(Scalar),
    /// An array whose items are this node.
    Array(u32),
    /// An object: its known fields, sorted by name, and the node of every other field's
    /// value (`None`: any value).
    Object {
        /// The properties, sorted by name.
        fields: List<Field>,
        /// The node of the values of other fields, when the schema types them.
        rest: Option<u32>,
    },
}

/// A property of an object node.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The JSON key.
    pub name: Text,
    /// Its node.
    pub node: u32,
    /// Whether the schema calls it required (checked only by strict decoding).
    pub required: bool,
}

impl Field {
    /// A field, as generated shapes spell it on one line: `Field::new("id", 2, true)`.
    pub const fn new(name: &'static str, node: u32, required: bool) -> Field {
        Field {
            name: Cow::Borrowed(name),
            node,
            required,
        }
    }
}

/// How a request decodes its records.
#[derive(Debug, Clone, Default)]
pub struct Decoding {
    /// The record type's shape; without one, lenient decoding still keeps records by moving
    /// the values `T` refuses aside, but coerces nothing.
    pub shape: Option<&'static RecordShape>,
    /// Fail fast instead (see the module doc).
    pub strict: bool,
    /// The run's counts.
    pub report: DecodeReport,
}

/// Decodes the records at `spans` of `body` into `T`, counting into `summary`; the first
/// record that cannot be decoded fails the page.
pub fn decode_spans<T: DeserializeOwned>(
    body: &str,
    spans: &[Range<usize>],
    shape: Option<&RecordShape>,
    strict: bool,
    summary: &mut DecodeSummary,
) -> Result<Vec<T>, DecodeFailure> {
    let mut out = Vec::with_capacity(spans.len());
    for (index, span) in spans.iter().enumerate() {
        let text = body.get(span.clone()).unwrap_or_default();
        match decode_record(text, shape, strict, summary) {
            Ok(record) => out.push(record),
            Err(failure) => {
                summary.failed += 1;
                return Err(DecodeFailure {
                    record: index,
                    offset: span.start + failure.offset,
                    ..failure
                });
            }
        }
    }
    Ok(out)
}

/// What decoding the records of a recorded body found (`cargo xtask check-schemas`).
#[derive(Debug, Clone, Default)]
pub struct BodyCheck {
    /// The counts; `failed` counts the records in `failures`.
    pub summary: DecodeSummary,
    /// Every record that did not decode (`record` is its index in the body).
    pub failures: Vec<DecodeFailure>,
}

/// Decodes every record of `records` on its own, going on past a failure.
pub fn check_records<T: DeserializeOwned>(
    records: &[&serde_json::value::RawValue],
    shape: Option<&RecordShape>,
    strict: bool,
) -> BodyCheck {
    let mut check = BodyCheck::default();
    for (index, raw) in records.iter().enumerate() {
        if let Err(failure) = decode_record::<T>(raw.get(), shape, strict, &mut check.summary) {
            check.summary.failed += 1;
            check.failures.push(DecodeFailure {
                record: index,
                ..failure
            });
        }
    }
    check
}

/// Decodes one record (see the module doc). The failure's `record` is 0 and its `offset` is
/// relative to `text`.
#[inline]
pub fn decode_record<T: DeserializeOwned>(
    text: &str,
    shape: Option<&RecordShape>,
    strict: bool,
    summary: &mut DecodeSummary,
) -> Result<T, DecodeFailure> {
    let mut de = serde_json::Deserializer::from_str(text);
    // Decoded without path tracking, which costs on every field; path tracking only runs
    // when this fails.
    if let Ok(record) = T::deserialize(&mut de) {
        if strict && let Some(shape) = shape {
            check_required(text, shape)?;
        }
        summary.decoded += 1;
        return Ok(record);
    }
    if strict {
        return Err(typed_failure::<T>(text));
    }
    let Ok(mut value) = serde_json::from_str::<Value>(text) else {
        // not even a JSON value (too deep): as strict decoding says
        return Err(typed_failure::<T>(text));
    };
    let mut changes = match shape {
        Some(shape) => walk::walk(shape, &mut value),
        None => walk::Changes::default(),
    };
    let raw_field = shape.and_then(|s| s.raw_field.as_deref());
    let mut moves = 0;
    let record = loop {
        if !changes.raw.is_empty() {
            let Some(field) = raw_field else {
                return Err(no_place(&changes));
            };
            if let Value::Object(map) = &mut value {
                map.insert(field.to_string(), Value::Object(changes.raw.clone()));
            }
        }
        let failure = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(record) => break record,
            Err(failure) => failure,
        };
        let path = steps(failure.path());
        // the raw values themselves never fail, but a record's own field of that name might
        if let (Some(field), Value::Object(map)) = (raw_field, &mut value) {
            map.shift_remove(field);
        }
        let moved = walk::move_aside(&mut value, &path);
        let Some((pointer, pattern, aside)) = moved.filter(|_| moves < MAX_MOVES) else {
            return Err(DecodeFailure {
                record: 0,
                path: failure.path().to_string(),
                offset: 0,
                message: failure.into_inner().to_string(),
            });
        };
        moves += 1;
        changes.kept.push(pattern);
        changes.raw.insert(pointer, aside);
    };
    count(summary, &changes);
    Ok(record)
}

/// The failure strict decoding reports: decoded again with path tracking.
fn typed_failure<T: DeserializeOwned>(text: &str) -> DecodeFailure {
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => DecodeFailure {
            record: 0,
            path: String::new(),
            offset: 0,
            message: "the record decodes only the second time".into(),
        },
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            DecodeFailure {
                record: 0,
                path,
                offset: crate::selector::offset_in(text, inner.line(), inner.column()),
                message: inner.to_string(),
            }
        }
    }
}

/// Strict decoding's check of the fields the schema requires (the type has them optional).
fn check_required(text: &str, shape: &RecordShape) -> Result<(), DecodeFailure> {
    let has_required = shape.nodes.iter().any(|node| match &node.kind {
        Kind::Object { fields, .. } => fields.iter().any(|f| f.required),
        _ => false,
    });
    if !has_required {
        return Ok(());
    }
    match required::first_missing(shape, text) {
        None => Ok(()),
        Some(pointer) => Err(DecodeFailure {
            record: 0,
            message: format!("missing required field `{pointer}`"),
            path: pointer,
            offset: 0,
        }),
    }
}

fn no_place(changes: &walk::Changes) -> DecodeFailure {
    let pointer = changes.raw.keys().next().cloned().unwrap_or_default();
    DecodeFailure {
        record: 0,
        message: format!(
            "the value at `{pointer}` does not match the schema, and the record type has no \
             field to keep it raw"
        ),
        path: pointer,
        offset: 0,
    }
}

fn count(summary: &mut DecodeSummary, changes: &walk::Changes) {
    summary.decoded += 1;
    if !changes.coerced.is_empty() {
        summary.coerced += 1;
    }
    if !changes.kept.is_empty() {
        summary.kept_raw += 1;
    }
    for pattern in &changes.coerced {
        summary.fields.entry(pattern.clone()).or_default().coerced += 1;
    }
    for pattern in &changes.kept {
        summary.fields.entry(pattern.clone()).or_default().kept_raw += 1;
    }
}

/// serde_path_to_error's path as steps; it stops at a segment it cannot name.
fn steps(path: &serde_path_to_error::Path) -> Vec<Step> {
    use serde_path_to_error::Segment;
    let mut out = Vec::new();
    for segment in path.iter() {
        match segment {
            Segment::Map { key } => out.push(Step::Key(key.clone())),
            Segment::Seq { index } => out.push(Step::Index(*index)),
            Segment::Enum { .. } | Segment::Unknown => break,
        }
    }
    out
}

#[cfg(test)]
mod tests;
