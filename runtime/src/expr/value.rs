//! The values a template computes with: raw JSON borrowed from the page, JSON the template
//! built (a parsed `Link` header, a filter's result), and scalars; with Python's truthiness,
//! comparisons, membership (`in`) and lengths.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::value::RawValue;

use super::CmpOp;
use crate::selector::{RawKind, array_items, object_fields, raw_kind};

/// A value during evaluation: raw JSON from the page, or a value computed by the template.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    /// A part of the page, not yet parsed.
    Raw(&'a RawValue),
    /// JSON the template built: a parsed `Link` header, an object or list it computed.
    Owned(serde_json::Value),
    /// `None`.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(Cow<'a, str>),
    /// An empty object literal.
    EmptyObject,
    /// An empty list literal.
    EmptyList,
    /// The header map.
    Headers(&'a http::HeaderMap),
    /// A UTC datetime (`now_utc()`, `str_to_datetime(..)`).
    DateTime(chrono::DateTime<chrono::Utc>),
    /// A date (`today_utc()`, `.date()`).
    Date(chrono::NaiveDate),
    /// A duration (`duration('P1D')`, a datetime minus another).
    Duration(crate::incremental::windows::IsoDuration),
}

impl<'a> Value<'a> {
    /// Parses a raw or built scalar into its value; objects and arrays stay as they are.
    pub(super) fn resolve(self) -> Value<'a> {
        match self {
            Value::Raw(raw) => match raw_kind(raw) {
                RawKind::Null => Value::None,
                RawKind::Bool => Value::Bool(raw.get().trim() == "true"),
                RawKind::String => serde_json::from_str::<Cow<'a, str>>(raw.get())
                    .map(Value::Str)
                    .unwrap_or(Value::None),
                RawKind::Number => number(raw.get().trim()),
                RawKind::Object | RawKind::Array => Value::Raw(raw),
            },
            Value::Owned(json) => match json {
                serde_json::Value::Null => Value::None,
                serde_json::Value::Bool(b) => Value::Bool(b),
                serde_json::Value::Number(n) => number(&n.to_string()),
                serde_json::Value::String(s) => Value::Str(Cow::Owned(s)),
                other => Value::Owned(other),
            },
            other => other,
        }
    }

    /// Python truthiness: `None`, `False`, `0`, `""`, `{}` and `[]` are false.
    pub fn truthy(&self) -> bool {
        match self.clone().resolve() {
            Value::None | Value::EmptyObject | Value::EmptyList => false,
            Value::Bool(b) => b,
            Value::Int(i) => i != 0,
            Value::Float(f) => f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Headers(h) => !h.is_empty(),
            Value::DateTime(_) | Value::Date(_) => true,
            Value::Duration(d) => d.months != 0 || !d.exact.is_zero(),
            Value::Raw(raw) => match raw_kind(raw) {
                RawKind::Object => object_fields(raw).is_some_and(|f| !f.is_empty()),
                RawKind::Array => array_items(raw).is_some_and(|i| !i.is_empty()),
                _ => true,
            },
            Value::Owned(json) => match json {
                serde_json::Value::Object(map) => !map.is_empty(),
                serde_json::Value::Array(items) => !items.is_empty(),
                _ => true,
            },
        }
    }

    /// The value as a request parameter: strings as they are, numbers and booleans in JSON
    /// form, objects as JSON text; `None` for a falsy value, which ends paging.
    pub fn into_cursor(self) -> Option<String> {
        if !self.truthy() {
            return None;
        }
        Some(match self.resolve() {
            Value::Str(s) => s.into_owned(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Raw(raw) => raw.get().trim().to_string(),
            Value::Owned(json) => json.to_string(),
            date @ (Value::DateTime(_) | Value::Date(_) | Value::Duration(_)) => date.text(),
            Value::None | Value::EmptyObject | Value::EmptyList | Value::Headers(_) => {
                return None;
            }
        })
    }

    /// The value as JSON, for a cursor that keeps its type (a number stays a number in a JSON
    /// body); `None` for a falsy value, which ends paging.
    pub fn into_json(self) -> Option<serde_json::Value> {
        if !self.truthy() {
            return None;
        }
        self.to_json()
    }

    /// The value as JSON, falsy or not; `None` for the header map.
    pub fn to_json(self) -> Option<serde_json::Value> {
        match self.resolve() {
            Value::Str(s) => Some(serde_json::Value::String(s.into_owned())),
            Value::Int(i) => Some(serde_json::Value::from(i)),
            Value::Float(f) => serde_json::Number::from_f64(f).map(serde_json::Value::Number),
            Value::Bool(b) => Some(serde_json::Value::Bool(b)),
            Value::Raw(raw) => serde_json::from_str(raw.get()).ok(),
            Value::Owned(json) => Some(json),
            Value::None => Some(serde_json::Value::Null),
            Value::EmptyObject => Some(serde_json::Value::Object(serde_json::Map::new())),
            Value::EmptyList => Some(serde_json::Value::Array(Vec::new())),
            Value::Headers(_) => None,
            // as Jinja renders them: the text Python's `str()` gives
            date @ (Value::DateTime(_) | Value::Date(_) | Value::Duration(_)) => {
                Some(serde_json::Value::String(date.text()))
            }
        }
    }

    /// `self[key]`; `None` when the key is missing (Jinja's undefined).
    pub(super) fn get(self, key: &Value<'a>) -> Option<Value<'a>> {
        match self.resolve() {
            Value::Raw(raw) => match (raw_kind(raw), key.clone().resolve()) {
                (RawKind::Object, Value::Str(k)) => object_fields(raw)?
                    .into_iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| Value::Raw(v)),
                (RawKind::Array, Value::Int(i)) => {
                    let items = array_items(raw)?;
                    index(items.len(), i).and_then(|at| items.get(at).copied().map(Value::Raw))
                }
                _ => None,
            },
            Value::Owned(json) => match (json, key.clone().resolve()) {
                (serde_json::Value::Object(mut map), Value::Str(k)) => {
                    map.remove(k.as_ref()).map(Value::Owned)
                }
                (serde_json::Value::Array(mut items), Value::Int(i)) => {
                    let at = index(items.len(), i)?;
                    (at < items.len()).then(|| Value::Owned(items.swap_remove(at)))
                }
                _ => None,
            },
            Value::Headers(headers) => match key.clone().resolve() {
                // Airbyte's templates see `headers["link"]` as requests' parsed links
                Value::Str(k) if k == "link" => headers
                    .get(http::header::LINK)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| Value::Owned(serde_json::Value::Object(super::links::parse(v)))),
                Value::Str(k) => headers
                    .get(k.as_ref())
                    .and_then(|v| v.to_str().ok())
                    .map(|v| Value::Str(Cow::Owned(v.to_string()))),
                _ => None,
            },
            _ => None,
        }
    }

    /// Python's `needle in self`: a key of an object, an item of a list, a substring of a
    /// string, a header name.
    pub(super) fn contains(self, needle: Value<'a>) -> bool {
        let needle = needle.resolve();
        match self.resolve() {
            Value::Str(haystack) => match needle {
                Value::Str(n) => haystack.contains(n.as_ref()),
                _ => false,
            },
            Value::Headers(headers) => match needle {
                Value::Str(n) => headers.contains_key(n.as_ref()),
                _ => false,
            },
            other => match (other.to_json(), needle) {
                (Some(serde_json::Value::Object(map)), Value::Str(n)) => {
                    map.contains_key(n.as_ref())
                }
                (Some(serde_json::Value::Array(items)), needle) => {
                    let Some(needle) = needle.to_json() else {
                        return false;
                    };
                    items.contains(&needle)
                }
                _ => false,
            },
        }
    }

    /// `len(self)`, for strings, objects and lists.
    pub(super) fn length(self) -> Option<i64> {
        let len = match self.resolve() {
            Value::Str(s) => s.chars().count(),
            Value::Headers(h) => h.len(),
            Value::EmptyObject | Value::EmptyList => 0,
            other => match other.to_json()? {
                serde_json::Value::Object(map) => map.len(),
                serde_json::Value::Array(items) => items.len(),
                _ => return None,
            },
        };
        i64::try_from(len).ok()
    }

    /// The value as a number, when it is one or a string that reads as one (settings are
    /// text: `config['pages'] - 1`).
    pub(super) fn number(self) -> Option<Value<'a>> {
        match self.resolve() {
            n @ (Value::Int(_) | Value::Float(_)) => Some(n),
            Value::Bool(b) => Some(Value::Int(i64::from(b))),
            Value::Str(s) => match number(s.trim()) {
                Value::None => None,
                n => Some(n),
            },
            _ => None,
        }
    }

    /// The value as Python's `str()` shows it.
    pub(super) fn text(self) -> String {
        match self.resolve() {
            Value::Str(s) => s.into_owned(),
            Value::None => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::DateTime(at) => super::dates::python_datetime(at, ' '),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Duration(d) => super::dates::python_duration(d),
            other => other.to_json().map(|j| j.to_string()).unwrap_or_default(),
        }
    }
}

/// A number's value: an integer when it is one.
fn number(text: &str) -> Value<'static> {
    text.parse::<i64>().map(Value::Int).unwrap_or_else(|_| {
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map_or(Value::None, Value::Float)
    })
}

/// A Python index into a sequence of `len` items (negative counts from the end).
fn index(len: usize, i: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let at = if i < 0 { len + i } else { i };
    usize::try_from(at).ok()
}

/// `a <op> b`, as Python compares: numbers with numbers, strings with strings, datetimes
/// with datetimes; anything that does not compare is unequal.
pub(super) fn compare(op: CmpOp, a: Value<'_>, b: Value<'_>) -> bool {
    let ordering = ordering(a, b);
    match op {
        CmpOp::Eq => ordering == Some(Ordering::Equal),
        CmpOp::Ne => ordering != Some(Ordering::Equal),
        CmpOp::Lt => ordering == Some(Ordering::Less),
        CmpOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => ordering == Some(Ordering::Greater),
        CmpOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
    }
}

/// How `a` orders against `b`; `None` when Python would not compare them.
pub(super) fn ordering(a: Value<'_>, b: Value<'_>) -> Option<Ordering> {
    match (a.resolve(), b.resolve()) {
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(&y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(&y)),
        (Value::Duration(x), Value::Duration(y)) if x.months == y.months => {
            Some(x.exact.cmp(&y.exact))
        }
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(&y)),
        (Value::Int(x), Value::Float(y)) => (x as f64).partial_cmp(&y),
        (Value::Float(x), Value::Int(y)) => x.partial_cmp(&(y as f64)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(&y),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(&y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(&y)),
        (Value::None, Value::None) => Some(Ordering::Equal),
        (Value::EmptyObject, other) | (other, Value::EmptyObject) => {
            is_empty(&other, RawKind::Object).then_some(Ordering::Equal)
        }
        (Value::EmptyList, other) | (other, Value::EmptyList) => {
            is_empty(&other, RawKind::Array).then_some(Ordering::Equal)
        }
        (x @ (Value::Raw(_) | Value::Owned(_)), y @ (Value::Raw(_) | Value::Owned(_))) => {
            // a value too deep to parse (past serde_json's 128 levels) equals nothing, not
            // another such value
            match (x.to_json(), y.to_json()) {
                (Some(x), Some(y)) => (x == y).then_some(Ordering::Equal),
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_empty(value: &Value<'_>, kind: RawKind) -> bool {
    match value {
        Value::Raw(raw) => raw_kind(raw) == kind && !value.truthy(),
        Value::Owned(serde_json::Value::Object(map)) => kind == RawKind::Object && map.is_empty(),
        Value::Owned(serde_json::Value::Array(items)) => kind == RawKind::Array && items.is_empty(),
        Value::EmptyObject => kind == RawKind::Object,
        Value::EmptyList => kind == RawKind::Array,
        _ => false,
    }
}
