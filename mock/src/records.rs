//! Deterministic records that satisfy a resource's JSON Schema (draft-07, the subset the specs
//! use plus `$ref`, `allOf`, `oneOf`/`anyOf`, `const` and common formats).
//!
//! Record `i` of a resource depends only on the seed, the resource, the parent arguments and
//! `i`, never on how many records are asked for, so a larger count keeps the first records.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::rng::{Rng, stable_hash};

/// 2024-06-01T00:00:00Z: date-times are spread over the three years before it.
const EPOCH: i64 = 1_717_200_000;
/// Deepest nesting generated; deeper objects are empty and deeper arrays have no items.
const MAX_DEPTH: usize = 8;

/// What one resource's records look like.
#[derive(Debug, Clone)]
pub struct RecordShape<'a> {
    /// The record schema; `None` gives records with only the unique fields (or an `id`).
    pub schema: Option<&'a Value>,
    /// Field paths whose values must differ between records (ids, primary keys, cursor
    /// fields); they are derived from the record's index and never null.
    pub unique: &'a [Vec<String>],
    /// Text that makes unique values differ between resources and between parents.
    pub tag: &'a str,
    /// Fields whose values grow with the record's index and are never null (incremental
    /// cursors), so every record has one and records come oldest first.
    pub ordered: &'a [Ordered],
}

/// A field generated in order: after `start` (an incremental `initial_value`), one step per
/// record, rising, or falling when `descending` (`last_value_func: min`).
#[derive(Debug, Clone, PartialEq)]
pub struct Ordered {
    /// The field.
    pub path: Vec<String>,
    /// The value every record must be newer than, if any.
    pub start: Option<Value>,
    /// Whether newer means lower.
    pub descending: bool,
    /// The datetime format the spec declares for the cursor (`datetime_format`): values are
    /// written in it, so the client reads them as time.
    pub format: Option<String>,
}

/// Record number `index`, generated from `seed`.
pub fn record(shape: &RecordShape<'_>, seed: u64, index: usize) -> Value {
    let mut ctx = Context {
        root: shape.schema,
        unique: shape.unique,
        ordered: shape.ordered,
        tag: shape.tag,
        tag_hash: stable_hash(&[shape.tag]),
        index,
        rng: Rng::new(seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407)),
    };
    let mut path = Vec::new();
    let mut value = match shape.schema {
        Some(schema) => ctx.generate(schema, &mut path, 0),
        None => Value::Object(Map::new()),
    };
    // ordered and unique fields the schema does not describe still get a value
    for ordered in shape.ordered {
        if value_at(&value, &ordered.path).is_none_or(Value::is_null) {
            let generated = ctx.ordered_value(&Value::Null, ordered);
            insert_at(&mut value, &ordered.path, generated);
        }
    }
    for field in shape.unique {
        if value_at(&value, field).is_none_or(Value::is_null) {
            let generated = ctx.unique_value(&Value::Null, field);
            insert_at(&mut value, field, generated);
        }
    }
    if shape.schema.is_none()
        && shape.unique.is_empty()
        && let Some(object) = value.as_object_mut()
    {
        object.insert(
            "id".into(),
            Value::String(format!("{}_{index:04}", ctx.tag)),
        );
    }
    value
}

struct Context<'a> {
    root: Option<&'a Value>,
    unique: &'a [Vec<String>],
    ordered: &'a [Ordered],
    tag: &'a str,
    tag_hash: u64,
    index: usize,
    rng: Rng,
}

impl<'a> Context<'a> {
    fn generate(&mut self, schema: &'a Value, path: &mut Vec<String>, depth: usize) -> Value {
        let Some(object) = schema.as_object() else {
            // `true` or a malformed schema: anything goes, a string is valid
            return Value::String(self.word(path));
        };
        if let Some(target) = object.get("$ref").and_then(Value::as_str) {
            return match self.resolve_ref(target) {
                Some(resolved) if depth < MAX_DEPTH => self.generate(resolved, path, depth + 1),
                _ => Value::Null,
            };
        }
        if let Some(ordered) = self.ordered.iter().find(|o| o.path == *path) {
            return self.ordered_value(schema, ordered);
        }
        if self.unique.iter().any(|u| u == path) {
            return self.unique_value(schema, path);
        }
        if let Some(constant) = object.get("const") {
            return constant.clone();
        }
        let types = types_of(object);
        // an object on the way to an ordered or unique field is never null
        let nullable = types.iter().any(|t| t == "null") && !self.leads_to_forced(path);
        if let Some(values) = object.get("enum").and_then(Value::as_array) {
            if nullable && self.rng.one_in(4) {
                return Value::Null;
            }
            return values
                .iter()
                .find(|v| !v.is_null())
                .cloned()
                .unwrap_or(Value::Null);
        }
        if let Some(parts) = object.get("allOf").and_then(Value::as_array) {
            return self.generate_all_of(parts, path, depth);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = object.get(key).and_then(Value::as_array) {
                let chosen = options
                    .iter()
                    .find(|o| o.get("type").and_then(Value::as_str) != Some("null"));
                return match chosen {
                    Some(option) => self.generate(option, path, depth + 1),
                    None => Value::Null,
                };
            }
        }
        let concrete = types
            .iter()
            .find(|t| *t != "null")
            .cloned()
            .unwrap_or_else(|| {
                if nullable {
                    "null".to_string()
                } else if object.contains_key("properties") {
                    "object".to_string()
                } else if object.contains_key("items") {
                    "array".to_string()
                } else {
                    "string".to_string()
                }
            });
        if nullable && concrete != "null" && self.rng.one_in(4) {
            return Value::Null;
        }
        match concrete.as_str() {
            "null" => Value::Null,
            "object" => self.object(object, path, depth),
            "array" => self.array(object, path, depth),
            "integer" => Value::from(self.integer(object)),
            "number" => self.number(object),
            "boolean" => Value::Bool(self.rng.one_in(2)),
            _ => Value::String(self.string(object, path)),
        }
    }

    fn leads_to_forced(&self, path: &[String]) -> bool {
        self.ordered
            .iter()
            .map(|o| &o.path)
            .chain(self.unique)
            .any(|p| p.len() > path.len() && p.starts_with(path))
    }

    fn resolve_ref(&self, target: &str) -> Option<&'a Value> {
        let pointer = target.strip_prefix('#')?;
        self.root?.pointer(pointer)
    }

    fn generate_all_of(
        &mut self,
        parts: &'a [Value],
        path: &mut Vec<String>,
        depth: usize,
    ) -> Value {
        let mut merged = Map::new();
        let mut other = None;
        for part in parts {
            match self.generate(part, path, depth + 1) {
                Value::Object(fields) => merged.extend(fields),
                value => other = Some(value),
            }
        }
        if merged.is_empty() {
            other.unwrap_or(Value::Object(merged))
        } else {
            Value::Object(merged)
        }
    }

    fn object(
        &mut self,
        schema: &'a Map<String, Value>,
        path: &mut Vec<String>,
        depth: usize,
    ) -> Value {
        let mut out = Map::new();
        if depth >= MAX_DEPTH {
            return Value::Object(out);
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(properties) = properties {
            for (key, property) in properties {
                path.push(key.clone());
                let value = self.generate(property, path, depth + 1);
                path.pop();
                out.insert(key.clone(), value);
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for key in required.iter().filter_map(Value::as_str) {
                if !out.contains_key(key) {
                    path.push(key.to_string());
                    let value = Value::String(self.word(path));
                    path.pop();
                    out.insert(key.to_string(), value);
                }
            }
        }
        if properties.is_none_or(Map::is_empty)
            && let Some(extra) = schema.get("additionalProperties").filter(|s| s.is_object())
        {
            for n in 0..self.rng.below(3) {
                let key = format!("key_{n}");
                path.push(key.clone());
                let value = self.generate(extra, path, depth + 1);
                path.pop();
                out.insert(key, value);
            }
        }
        Value::Object(out)
    }

    fn array(
        &mut self,
        schema: &'a Map<String, Value>,
        path: &mut Vec<String>,
        depth: usize,
    ) -> Value {
        let Some(items) = schema.get("items").filter(|_| depth < MAX_DEPTH) else {
            return Value::Array(Vec::new());
        };
        let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let count = min.max(self.rng.below(3));
        let mut out = Vec::new();
        for _ in 0..count {
            path.push("*".into());
            out.push(self.generate(items, path, depth + 1));
            path.pop();
        }
        Value::Array(out)
    }

    fn integer(&mut self, schema: &Map<String, Value>) -> i64 {
        let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
        let max = schema
            .get("maximum")
            .and_then(Value::as_i64)
            .unwrap_or(min.saturating_add(9_999));
        let span = max.saturating_sub(min).max(0) as u64;
        min.saturating_add(self.rng.below(span.saturating_add(1)) as i64)
    }

    fn number(&mut self, schema: &Map<String, Value>) -> Value {
        let whole = self.integer(schema) as f64;
        let max = schema.get("maximum").and_then(Value::as_f64);
        // a half keeps it a float on the wire, and exact in binary
        let value = if max.is_some_and(|m| whole + 0.5 > m) {
            whole
        } else {
            whole + 0.5
        };
        serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
    }

    fn string(&mut self, schema: &Map<String, Value>, path: &[String]) -> String {
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        let text = match format {
            "date-time" => date_time(EPOCH - self.rng.below(3 * 365 * 86_400) as i64),
            "date" => date_time(EPOCH - self.rng.below(3 * 365 * 86_400) as i64)
                .chars()
                .take(10)
                .collect(),
            "time" => format!(
                "{:02}:{:02}:{:02}",
                self.rng.below(24),
                self.rng.below(60),
                self.rng.below(60)
            ),
            "email" => format!("{}@example.com", self.word(path)),
            "uri" | "url" => format!("https://example.com/{}", self.word(path)),
            "uuid" => format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                self.rng.below(1 << 32),
                self.rng.below(1 << 16),
                self.rng.below(1 << 12),
                self.rng.below(1 << 12),
                self.rng.below(1 << 48)
            ),
            _ => self.word(path),
        };
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let mut text = text;
        while text.chars().count() < min {
            text.push('x');
        }
        if let Some(max) = max {
            text = text.chars().take(max).collect();
        }
        text
    }

    /// A readable string named after the field: `city-3fa2`.
    fn word(&mut self, path: &[String]) -> String {
        let name = path
            .iter()
            .rev()
            .find(|p| *p != "*")
            .map_or("value", String::as_str);
        let word = format!("{name}-{:04x}", self.rng.below(1 << 16));
        if name.contains("email") {
            format!("{word}@example.com")
        } else {
            word
        }
    }

    /// A value for an ordered field: one minute per record after its start.
    fn ordered_value(&mut self, schema: &Value, ordered: &Ordered) -> Value {
        let types = schema.as_object().map(types_of).unwrap_or_default();
        let concrete = types.iter().find(|t| *t != "null").map(String::as_str);
        let step = 60 * (self.index as i64 + 1);
        let step = if ordered.descending { -step } else { step };
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        match (concrete, &ordered.start) {
            (Some("integer" | "number"), start) => {
                let base = start
                    .as_ref()
                    .and_then(|s| s.as_i64().or_else(|| s.as_str()?.parse().ok()))
                    .unwrap_or(EPOCH - 30 * 86_400);
                Value::from(base.saturating_add(step))
            }
            (_, start) if ordered.format.is_some() && format != "date-time" => {
                use restgen_runtime::incremental::windows;
                let fmt = ordered.format.as_deref().unwrap_or_default();
                let base = start
                    .as_ref()
                    .and_then(|s| windows::read_instant(s, &[fmt]))
                    .map_or(EPOCH - 30 * 86_400, |t| t.timestamp());
                let at = DateTime::from_timestamp(base.saturating_add(step), 0).unwrap_or_default();
                Value::String(windows::format(at, fmt))
            }
            (_, start) if format == "date-time" => {
                let base = start
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map_or(EPOCH - 30 * 86_400, |t| t.timestamp());
                Value::String(date_time(base.saturating_add(step)))
            }
            (_, Some(Value::String(start))) if !ordered.descending => {
                Value::String(format!("{start}~{:06}", self.index))
            }
            _ => {
                let n = if ordered.descending {
                    999_999 - self.index
                } else {
                    self.index
                };
                Value::String(format!("{}_{n:06}", self.tag))
            }
        }
    }

    /// A value for a unique field: derived from the index (and the tag), never null.
    fn unique_value(&mut self, schema: &Value, path: &[String]) -> Value {
        let types = schema.as_object().map(types_of).unwrap_or_default();
        let concrete = types.iter().find(|t| *t != "null").map(String::as_str);
        let index = self.index as i64;
        // distinct resources and parents get distinct, still descending, ranges
        let shift = (self.tag_hash % 1_000) as i64 * 1_000_000;
        match concrete {
            Some("integer") => Value::from(1_700_000_000 - shift - index * 60),
            Some("number") => serde_json::Number::from_f64((1_000_000 - index) as f64 + 0.5)
                .map_or(Value::Null, Value::Number),
            _ => {
                let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
                let name = path.last().map_or("", String::as_str);
                let text = match format {
                    "date-time" => date_time(EPOCH - (shift / 1_000) * 60 - index * 60),
                    "email" => format!("{}.{:04}@example.com", self.tag, self.index),
                    _ if name.contains("email") => {
                        format!("{}.{:04}@example.com", self.tag, self.index)
                    }
                    _ => format!("{}_{:04}", self.tag, self.index),
                };
                Value::String(text)
            }
        }
    }
}

/// The value at a field path, if there is one.
pub fn value_at<'v>(value: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(value, |at, key| at.get(key))
}

/// Sets `path` in `value`, replacing whatever is not an object on the way; the empty path
/// replaces `value` itself.
pub fn insert_at(value: &mut Value, path: &[String], new: Value) {
    let Some((last, parents)) = path.split_last() else {
        *value = new;
        return;
    };
    let mut at = value;
    for key in parents {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(map) = at else { return };
        at = map
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !at.is_object() {
        *at = Value::Object(Map::new());
    }
    if let Value::Object(map) = at {
        map.insert(last.clone(), new);
    }
}

/// The `type` keyword as a list (`"string"` or `["null", "string"]`).
fn types_of(schema: &Map<String, Value>) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// RFC 3339 in UTC with a `Z` and whole seconds, the form chrono writes back.
fn date_time(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests;
