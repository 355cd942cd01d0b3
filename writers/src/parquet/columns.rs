//! Arrow columns built straight from a resource's `RecordShape`, and filled from JSON values
//! one record at a time: no intermediate rows, so a row group costs its arrays and no more.
//!
//! Every column is nullable (lenient records miss fields their schema requires). A value that
//! does not fit its column — a timestamp that does not parse, an integer past `i64`, a string
//! where the shape says object — is null there and reported to the caller as a misfit, by
//! JSON pointer, so the record's `_restgen_raw` column keeps it as sent.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, ListArray, StructArray};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, FieldRef, Fields, TimeUnit};
use restgen_runtime::lenient::{Kind, RecordShape, Scalar};
use restgen_runtime::types::{Date, Timestamp};
use serde_json::{Map, Value};

/// How deep nested structs and lists go before the rest is a JSON text column (a recursive
/// schema is cut where it repeats, well before this).
const MAX_DEPTH: usize = 32;

/// The time zone of timestamp columns: offsets are applied, instants stored in UTC.
pub(crate) const UTC: &str = "UTC";

/// What one record left over: values with no column (`_restgen_extra`) and values that did
/// not fit theirs (added to `_restgen_raw`), each by JSON pointer.
#[derive(Default)]
pub(crate) struct Leftovers {
    pub(crate) extra: Map<String, Value>,
    pub(crate) misfits: Map<String, Value>,
}

/// One column and, for structs and lists, the columns inside it.
pub(crate) enum Column {
    Bool(BooleanBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Text(StringBuilder),
    /// Any value as its JSON text: untyped values, open unions, free-form maps, and where a
    /// recursive or very deep schema is cut.
    Json(StringBuilder),
    Timestamp(TimestampMicrosecondBuilder),
    Date(Date32Builder),
    List {
        field: FieldRef,
        offsets: Vec<i32>,
        nulls: NullBufferBuilder,
        item: Box<Column>,
    },
    Struct(Struct),
}

/// A struct's children, by JSON key (sorted, as the shape lists them).
pub(crate) struct Struct {
    fields: Fields,
    keys: Vec<String>,
    children: Vec<Column>,
    nulls: NullBufferBuilder,
}

impl Column {
    /// The column for `node` of `shape`, and its arrow type. `path` holds the object nodes
    /// being built, to cut recursion.
    pub(crate) fn build(shape: &RecordShape, node: u32, path: &mut Vec<u32>) -> (Column, DataType) {
        let json = || (Column::Json(StringBuilder::new()), DataType::Utf8);
        let Some(n) = shape.nodes.get(node as usize) else {
            return json();
        };
        match &n.kind {
            Kind::Any => json(),
            Kind::Scalar(Scalar::Bool) => (Column::Bool(BooleanBuilder::new()), DataType::Boolean),
            Kind::Scalar(Scalar::Integer) => (Column::Int(Int64Builder::new()), DataType::Int64),
            Kind::Scalar(Scalar::Number) => {
                (Column::Float(Float64Builder::new()), DataType::Float64)
            }
            Kind::Scalar(Scalar::String) => (Column::Text(StringBuilder::new()), DataType::Utf8),
            Kind::Scalar(Scalar::Timestamp) => (
                Column::Timestamp(TimestampMicrosecondBuilder::new().with_timezone(UTC)),
                DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
            ),
            Kind::Scalar(Scalar::Date) => (Column::Date(Date32Builder::new()), DataType::Date32),
            _ if path.len() >= MAX_DEPTH || path.contains(&node) => json(),
            Kind::Array(item) => {
                path.push(node);
                let (item, item_type) = Column::build(shape, *item, path);
                path.pop();
                let field = Arc::new(Field::new("item", item_type, true));
                let column = Column::List {
                    field: field.clone(),
                    offsets: vec![0],
                    nulls: NullBufferBuilder::new(0),
                    item: Box::new(item),
                };
                (column, DataType::List(field))
            }
            // a map-like object has no columns to give its keys
            Kind::Object { fields, .. } if fields.is_empty() => json(),
            Kind::Object { fields, .. } => {
                path.push(node);
                let mut arrow = Vec::with_capacity(fields.len());
                let mut keys = Vec::with_capacity(fields.len());
                let mut children = Vec::with_capacity(fields.len());
                for field in fields.iter() {
                    let (column, data_type) = Column::build(shape, field.node, path);
                    arrow.push(Field::new(field.name.as_ref(), data_type, true));
                    keys.push(field.name.to_string());
                    children.push(column);
                }
                path.pop();
                let fields = Fields::from(arrow);
                let column = Struct {
                    fields: fields.clone(),
                    keys,
                    children,
                    nulls: NullBufferBuilder::new(0),
                };
                (Column::Struct(column), DataType::Struct(fields))
            }
        }
    }

    /// Appends `value` (`None`: absent), noting what does not fit under `pointer`.
    pub(crate) fn push(
        &mut self,
        value: Option<&Value>,
        pointer: &mut String,
        left: &mut Leftovers,
    ) {
        let value = match value {
            None | Some(Value::Null) => {
                self.push_null();
                return;
            }
            Some(value) => value,
        };
        let fits = match self {
            Column::Bool(b) => value.as_bool().map(|v| b.append_value(v)).is_some(),
            Column::Int(b) => value.as_i64().map(|v| b.append_value(v)).is_some(),
            Column::Float(b) => value.as_f64().map(|v| b.append_value(v)).is_some(),
            Column::Text(b) => value.as_str().map(|v| b.append_value(v)).is_some(),
            Column::Json(b) => {
                b.append_value(value.to_string());
                true
            }
            Column::Timestamp(b) => value
                .as_str()
                .and_then(timestamp_micros)
                .map(|v| b.append_value(v))
                .is_some(),
            Column::Date(b) => value
                .as_str()
                .and_then(date_days)
                .map(|v| b.append_value(v))
                .is_some(),
            Column::List {
                offsets,
                nulls,
                item,
                ..
            } => match value.as_array() {
                Some(items) => {
                    let at = pointer.len();
                    for (index, value) in items.iter().enumerate() {
                        pointer.push('/');
                        pointer.push_str(&index.to_string());
                        item.push(Some(value), pointer, left);
                        pointer.truncate(at);
                    }
                    let end = offsets.last().copied().unwrap_or(0);
                    offsets
                        .push(end.saturating_add(i32::try_from(items.len()).unwrap_or(i32::MAX)));
                    nulls.append_non_null();
                    true
                }
                None => false,
            },
            Column::Struct(s) => match value.as_object() {
                Some(object) => {
                    s.push_object(object, pointer, left);
                    true
                }
                None => false,
            },
        };
        if !fits {
            self.push_null();
            left.misfits.insert(pointer.clone(), value.clone());
        }
    }

    fn push_null(&mut self) {
        match self {
            Column::Bool(b) => b.append_null(),
            Column::Int(b) => b.append_null(),
            Column::Float(b) => b.append_null(),
            Column::Text(b) | Column::Json(b) => b.append_null(),
            Column::Timestamp(b) => b.append_null(),
            Column::Date(b) => b.append_null(),
            Column::List { offsets, nulls, .. } => {
                offsets.push(offsets.last().copied().unwrap_or(0));
                nulls.append_null();
            }
            Column::Struct(s) => {
                // a null struct still has a row in each child
                for child in &mut s.children {
                    child.push_null();
                }
                s.nulls.append_null();
            }
        }
    }

    /// The rows appended since the last call, as one array; the column starts empty again.
    pub(crate) fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Bool(b) => Arc::new(b.finish()),
            Column::Int(b) => Arc::new(b.finish()),
            Column::Float(b) => Arc::new(b.finish()),
            Column::Text(b) | Column::Json(b) => Arc::new(b.finish()),
            Column::Timestamp(b) => Arc::new(b.finish()),
            Column::Date(b) => Arc::new(b.finish()),
            Column::List {
                field,
                offsets,
                nulls,
                item,
            } => {
                let offsets = std::mem::replace(offsets, vec![0]);
                Arc::new(ListArray::new(
                    field.clone(),
                    OffsetBuffer::new(ScalarBuffer::from(offsets)),
                    item.finish(),
                    nulls.finish(),
                ))
            }
            Column::Struct(s) => {
                let arrays = s.children.iter_mut().map(Column::finish).collect();
                Arc::new(StructArray::new(s.fields.clone(), arrays, s.nulls.finish()))
            }
        }
    }
}

impl Struct {
    /// Appends an object's fields to the children; its other keys go to `left.extra`.
    fn push_object(
        &mut self,
        object: &Map<String, Value>,
        pointer: &mut String,
        left: &mut Leftovers,
    ) {
        let at = pointer.len();
        let mut found = 0;
        for (key, child) in self.keys.iter().zip(&mut self.children) {
            let value = object.get(key);
            found += usize::from(value.is_some());
            push_key(pointer, key);
            child.push(value, pointer, left);
            pointer.truncate(at);
        }
        if found < object.len() {
            for (key, value) in object {
                if self.keys.binary_search(key).is_err() {
                    push_key(pointer, key);
                    left.extra.insert(pointer.clone(), value.clone());
                    pointer.truncate(at);
                }
            }
        }
        self.nulls.append_non_null();
    }
}

/// Appends `/key` to a JSON pointer, escaped as RFC 6901 says.
pub(crate) fn push_key(pointer: &mut String, key: &str) {
    pointer.push('/');
    if key.contains(['~', '/']) {
        pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        pointer.push_str(key);
    }
}

/// Microseconds since the epoch, parsed as the typed record's `Timestamp` parses: RFC 3339
/// and its near-misses, with an offset (text without one is not an instant).
pub(crate) fn timestamp_micros(text: &str) -> Option<i64> {
    Some(Timestamp::parse(text).parsed()?.timestamp_micros())
}

/// Days since the epoch, parsed as the typed record's `Date` parses (`YYYY-MM-DD`).
pub(crate) fn date_days(text: &str) -> Option<i32> {
    let date = Date::parse(text).parsed()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from(date.signed_duration_since(epoch).num_days()).ok()
}
