//! Compiled JSONPath selectors with jsonpath-ng's semantics, evaluated lazily over the raw
//! bytes of a page: only the objects on the selected path are scanned, and records are decoded
//! straight from their bytes into the caller's type.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::descriptor::{List, Text};

/// One step of a compiled JSONPath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.name` or `['name']`: a field of an object. It never maps over a list.
    Field(Text),
    /// `[n]`: an element of an array; negative counts from the end.
    Index(i64),
    /// `[*]` or `.*`: every element of an array or every value of an object.
    Wildcard,
    /// `..name`: the field `name` at any depth below, depth-first.
    Descendant(Text),
}

/// A compiled JSONPath (`$` followed by steps). The empty path is the document root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// The steps after `$`.
    pub steps: List<Step>,
}

impl Selector {
    /// `$`: the whole document.
    pub const ROOT: Selector = Selector {
        steps: Cow::Borrowed(&[]),
    };

    /// A path of plain field names, e.g. `["meta", "next_cursor"]`.
    pub fn fields<I, S>(names: I) -> Selector
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Selector {
            steps: Cow::Owned(
                names
                    .into_iter()
                    .map(|n| Step::Field(Cow::Owned(n.into())))
                    .collect(),
            ),
        }
    }

    /// Every value the path matches, in jsonpath-ng's order: document order, except that a
    /// `..` step takes an object's own field before its children's. A JSON `null` is a match.
    /// Fails when a `..` step would have to search deeper than [`MAX_DEPTH`] levels.
    pub fn find<'a>(&self, root: &'a RawValue) -> Result<Vec<&'a RawValue>, TooDeep> {
        let mut current = vec![root];
        for step in self.steps.iter() {
            let mut next = Vec::new();
            for value in current {
                apply_step(step, value, &mut next).map_err(|()| TooDeep {
                    what: format!("the selector `{self}`"),
                    limit: MAX_DEPTH,
                })?;
            }
            current = next;
        }
        Ok(current)
    }

    /// The first match, as dlt's paginators read `cursor_path`, `total_path` and friends.
    pub fn first<'a>(&self, root: &'a RawValue) -> Result<Option<&'a RawValue>, TooDeep> {
        Ok(self.find(root)?.into_iter().next())
    }
}

/// How many levels of nesting a `..` step searches below the value it starts from. Python's
/// own walk (jsonpath-ng's recursion, under the interpreter's limit of 1000 frames) fails at a
/// few hundred levels; serde_json decodes a record at most 128 levels deep. No API nests data
/// this deep; a server that does is refused, rather than walked: a walk costs a parse of each
/// value per level above it, so the limit bounds its time as well as its memory.
pub const MAX_DEPTH: usize = 256;

/// A selector would have to search JSON nested deeper than [`MAX_DEPTH`] levels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} would search JSON nested deeper than {limit} levels")]
pub struct TooDeep {
    /// What searched: a selector, paginator detection.
    pub what: String,
    /// The limit reached.
    pub limit: usize,
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // a name is quoted with its quotes and backslashes escaped, so the text reads back
        // as the same selector
        let quoted = |name: &str| name.replace('\\', "\\\\").replace('\'', "\\'");
        f.write_str("$")?;
        for step in self.steps.iter() {
            match step {
                Step::Field(name) => write!(f, "['{}']", quoted(name))?,
                Step::Index(i) => write!(f, "[{i}]")?,
                Step::Wildcard => f.write_str("[*]")?,
                Step::Descendant(name) => write!(f, "..['{}']", quoted(name))?,
            }
        }
        Ok(())
    }
}

/// Adds the matches of one step from `value` to `out`; `Err` when a `..` step reaches
/// [`MAX_DEPTH`].
fn apply_step<'a>(step: &Step, value: &'a RawValue, out: &mut Vec<&'a RawValue>) -> Result<(), ()> {
    match step {
        Step::Field(name) => {
            if let Some(fields) = object_fields(value) {
                out.extend(fields.into_iter().find(|(k, _)| k == name).map(|(_, v)| v));
            }
        }
        Step::Index(index) => {
            if let Some(items) = array_items(value) {
                let len = items.len() as i64;
                let at = if *index < 0 { len + index } else { *index };
                if (0..len).contains(&at) {
                    out.push(items[at as usize]);
                }
            }
        }
        Step::Wildcard => {
            if let Some(items) = array_items(value) {
                out.extend(items);
            } else if let Some(fields) = object_fields(value) {
                out.extend(fields.into_iter().map(|(_, v)| v));
            }
        }
        Step::Descendant(name) => return descend(name, value, out),
    }
    Ok(())
}

/// The values of field `name` at `start` and at any depth below it, in jsonpath-ng's order
/// (dlt's): an object's own field first, then each child's matches in turn, depth-first. The
/// walk keeps its own stack (a server's nesting must not reach the thread's), holding the
/// values still to visit, the next one on top, each with its depth.
fn descend<'a>(name: &str, start: &'a RawValue, out: &mut Vec<&'a RawValue>) -> Result<(), ()> {
    // The walk parses each value once per level above it; a page too deep is refused in one
    // pass over its text instead, before that cost is paid.
    if nesting_exceeds(start.get(), MAX_DEPTH) {
        return Err(());
    }
    let mut stack: Vec<(&'a RawValue, usize)> = vec![(start, 0)];
    while let Some((value, depth)) = stack.pop() {
        if !matches!(raw_kind(value), RawKind::Object | RawKind::Array) {
            continue;
        }
        if depth >= MAX_DEPTH {
            return Err(());
        }
        let before = stack.len();
        if let Some(fields) = object_fields(value) {
            out.extend(fields.iter().find(|(k, _)| k == name).map(|(_, v)| *v));
            stack.extend(fields.into_iter().map(|(_, child)| (child, depth + 1)));
        } else if let Some(items) = array_items(value) {
            stack.extend(items.into_iter().map(|child| (child, depth + 1)));
        }
        stack[before..].reverse();
    }
    Ok(())
}

/// Whether the JSON `text` (valid, as a raw value is) nests objects and arrays more than
/// `limit` levels deep: one pass over its bytes, skipping strings.
pub(crate) fn nesting_exceeds(text: &str, limit: usize) -> bool {
    let mut depth = 0usize;
    let mut bytes = text.bytes();
    while let Some(byte) = bytes.next() {
        match byte {
            b'"' => {
                // to the closing quote; an escaped character is skipped with its backslash
                while let Some(byte) = bytes.next() {
                    match byte {
                        b'\\' => {
                            bytes.next();
                        }
                        b'"' => break,
                        _ => {}
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The kind of a raw JSON value, read from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawKind {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
    /// `"..."`
    String,
    /// a number
    Number,
    /// `true` or `false`
    Bool,
    /// `null`
    Null,
}

/// What kind of JSON value `raw` holds, without parsing it.
pub fn raw_kind(raw: &RawValue) -> RawKind {
    match raw.get().trim_start().as_bytes().first() {
        Some(b'{') => RawKind::Object,
        Some(b'[') => RawKind::Array,
        Some(b'"') => RawKind::String,
        Some(b't' | b'f') => RawKind::Bool,
        Some(b'n') => RawKind::Null,
        _ => RawKind::Number,
    }
}

/// The fields of a raw object, each value still raw; `None` if not an object. A key that occurs
/// more than once is read as Python's `json.loads` reads it (and so dlt): one field, in the
/// place of its first occurrence, with the value of its last.
pub fn object_fields(raw: &RawValue) -> Option<Vec<(Cow<'_, str>, &RawValue)>> {
    if raw_kind(raw) != RawKind::Object {
        return None;
    }
    serde_json::from_str::<RawObject<'_>>(raw.get())
        .ok()
        .map(|o| o.0)
}

/// The elements of a raw array, each still raw; `None` if not an array.
pub fn array_items(raw: &RawValue) -> Option<Vec<&RawValue>> {
    if raw_kind(raw) != RawKind::Array {
        return None;
    }
    serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok()
}

/// How many fields an object has before a repeated key is looked up in a map rather than
/// searched for: a few comparisons are cheaper than hashing, but not thousands.
const INDEXED_FROM: usize = 16;

struct RawObject<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = RawObject<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::new();
                // Where each key is, once an object is too wide to search for a repeated key
                // field by field.
                let mut index: Option<HashMap<Cow<'de, str>, usize>> = None;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    if index.is_none() && fields.len() >= INDEXED_FROM {
                        index = Some(
                            fields
                                .iter()
                                .enumerate()
                                .map(|(at, (k, _))| (k.clone(), at))
                                .collect(),
                        );
                    }
                    let seen = match &index {
                        Some(index) => index.get(&key).copied(),
                        None => fields.iter().position(|(k, _)| *k == key),
                    };
                    match seen {
                        Some(at) => fields[at].1 = value,
                        None => {
                            if let Some(index) = &mut index {
                                index.insert(key.clone(), fields.len());
                            }
                            fields.push((key, value));
                        }
                    }
                }
                Ok(RawObject(fields))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// The records of one page: dlt's `extract_response` applied to the matches of a selector.
#[derive(Debug)]
pub struct RawRecords<'a> {
    /// Each record, still raw.
    pub items: Vec<&'a RawValue>,
}

/// Applies dlt's unwrapping rules to the matches of `selector` in `root`: one match that is
/// a list gives its items, one `null` gives nothing, one other value gives one record, no match
/// gives nothing, and several matches are each a record.
pub fn select_records<'a>(
    selector: &Selector,
    root: &'a RawValue,
) -> Result<RawRecords<'a>, TooDeep> {
    let mut matches = selector.find(root)?;
    let items = if matches.len() == 1 {
        let only = matches.remove(0);
        match raw_kind(only) {
            RawKind::Null => Vec::new(),
            RawKind::Array => array_items(only).unwrap_or_default(),
            _ => vec![only],
        }
    } else {
        matches
    };
    Ok(RawRecords { items })
}

/// The keys dlt's detector takes for records (`RECORD_KEY_PATTERNS`), matched exactly.
const RECORD_KEYS: &[&str] = &[
    "data", "items", "results", "entries", "records", "rows", "entities", "payload", "content",
    "objects", "values",
];

/// dlt's data-selector auto-detection (`find_response_page_data`), run on the first page when
/// an endpoint has no `data_selector`: among the lists up to three keys deep, in depth-first key
/// order, the first whose last key is a record key, else the first list; `$` when the root is
/// not an object or holds no list.
pub fn detect_data_selector(root: &RawValue) -> Selector {
    let mut lists = Vec::new();
    collect_lists(root, &mut Vec::new(), &mut lists);
    let chosen = lists
        .iter()
        .position(|path| {
            path.last()
                .is_some_and(|key| RECORD_KEYS.contains(&key.as_str()))
        })
        .or(if lists.is_empty() { None } else { Some(0) });
    match chosen {
        Some(index) => Selector::fields(lists.swap_remove(index)),
        None => Selector::ROOT,
    }
}

/// dlt's `find_all_lists`: the paths of the lists in `raw`, descending at most three keys.
fn collect_lists(raw: &RawValue, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if path.len() > 2 {
        return;
    }
    let Some(fields) = object_fields(raw) else {
        return;
    };
    for (key, value) in fields {
        match raw_kind(value) {
            RawKind::Array => {
                let mut found = path.clone();
                found.push(key.into_owned());
                out.push(found);
            }
            RawKind::Object => {
                path.push(key.into_owned());
                collect_lists(value, path, out);
                path.pop();
            }
            _ => {}
        }
    }
}

/// Why a record did not decode: the JSON path inside the record and the byte offset in the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeFailure {
    /// Index of the record in the page.
    pub record: usize,
    /// Path inside the record, e.g. `.created_at`.
    pub path: String,
    /// Byte offset in the page body where decoding failed.
    pub offset: usize,
    /// serde's message.
    pub message: String,
}

/// Decodes each raw record into `T`, reporting where the first failure is.
pub fn decode_records<T: DeserializeOwned>(
    body: &str,
    records: &RawRecords<'_>,
) -> Result<Vec<T>, DecodeFailure> {
    decode_spans(body, &record_spans(body, records))
}

/// Where each raw record is in `body`, as byte ranges: records borrow from the page, so a page
/// can travel as its buffer and these ranges, and be decoded later or elsewhere.
pub fn record_spans(body: &str, records: &RawRecords<'_>) -> Vec<Range<usize>> {
    let base = body.as_ptr() as usize;
    records
        .items
        .iter()
        .map(|raw| {
            let start = (raw.get().as_ptr() as usize).saturating_sub(base);
            start..start + raw.get().len()
        })
        .collect()
}

/// Decodes the records at `spans` of `body` into `T`, reporting where the first failure is.
pub fn decode_spans<T: DeserializeOwned>(
    body: &str,
    spans: &[Range<usize>],
) -> Result<Vec<T>, DecodeFailure> {
    let mut out = Vec::with_capacity(spans.len());
    for (index, span) in spans.iter().enumerate() {
        let text = body.get(span.clone()).unwrap_or_default();
        // Decoded without path tracking, which costs on every field; only a record that
        // fails is decoded again, with it, to name the path (decoding is deterministic).
        let mut de = serde_json::Deserializer::from_str(text);
        match T::deserialize(&mut de) {
            Ok(value) => out.push(value),
            Err(_) => {
                let mut de = serde_json::Deserializer::from_str(text);
                match serde_path_to_error::deserialize::<_, T>(&mut de) {
                    Ok(value) => out.push(value),
                    Err(err) => {
                        let path = err.path().to_string();
                        let inner = err.into_inner();
                        let offset = span.start + offset_in(text, inner.line(), inner.column());
                        return Err(DecodeFailure {
                            record: index,
                            path,
                            offset,
                            message: inner.to_string(),
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The byte offset just past the last byte serde read: its `column` is the one-based column
/// of that byte on `line`.
pub(crate) fn offset_in(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column).min(text.len())
}

/// Counts records without decoding them (used for the bytes-only limit in benchmarks too).
pub fn count_records(selector: &Selector, root: &RawValue) -> Result<usize, TooDeep> {
    Ok(select_records(selector, root)?.items.len())
}

/// A JSON scalar read from a raw value, for paginator parameters.
pub fn raw_to_value(raw: &RawValue) -> serde_json::Value {
    serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

#[cfg(test)]
mod hostile;
