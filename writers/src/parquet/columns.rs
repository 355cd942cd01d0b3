//! Arrow columns built straight from a resource's `RecordShape`; `fill` appends records to
//! them one at a time: no intermediate rows, so a row group costs its arrays and no more.
//!
//! Every column is nullable (lenient records miss fields their schema requires). A value that
//! does not fit its column — a timestamp that does not parse, an integer past `i64`, a string
//! where the shape says object — is null there and kept, as sent, in the record's
//! `_restgen_raw` column by JSON pointer.

use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, PrimitiveBuilder};
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::types::ArrowPrimitiveType;
use arrow_array::{Array, ArrayRef, ListArray, StringArray, StructArray};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, FieldRef, Fields, TimeUnit};
use restgen_runtime::lenient::{Kind, RecordShape, Scalar};
use restgen_runtime::types::{Date, Timestamp};

/// How deep nested structs and lists go before the rest is a JSON text column (a recursive
/// schema is cut where it repeats, well before this).
const MAX_DEPTH: usize = 32;

/// The time zone of timestamp columns: offsets are applied, instants stored in UTC.
pub(crate) const UTC: &str = "UTC";

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

/// A struct's children, by JSON key (sorted, as the shape lists them), and what filling one
/// object at a time needs (a struct column is never inside itself: recursion is cut).
pub(crate) struct Struct {
    pub(crate) fields: Fields,
    pub(crate) keys: Vec<String>,
    /// Each key's [`Sketch`], for the expected-next comparison.
    sketches: Vec<Sketch>,
    pub(crate) children: Vec<Column>,
    pub(crate) nulls: NullBufferBuilder,
    /// Which children the object being filled has given a value.
    pub(crate) seen: Vec<bool>,
    /// The child the next key is expected at: records serialize their fields in the shape's
    /// order, so the lookup is mostly one comparison.
    pub(crate) next: usize,
    /// The text of the map key being filled.
    pub(crate) key: String,
    /// The record's own raw-values field (the top-level struct only): kept aside, merged into
    /// `_restgen_raw`.
    pub(crate) raw_field: Option<String>,
}

impl Struct {
    /// A struct of `children`, whose arrow fields are `fields`, by their JSON `keys`.
    pub(crate) fn new(fields: Vec<Field>, keys: Vec<String>, children: Vec<Column>) -> Struct {
        Struct {
            fields: Fields::from(fields),
            seen: vec![false; keys.len()],
            sketches: keys.iter().map(|k| Sketch::of(k)).collect(),
            keys,
            children,
            nulls: NullBufferBuilder::new(0),
            next: 0,
            key: String::new(),
            raw_field: None,
        }
    }

    /// The child for `key`. Records serialize their fields in the shape's order, leaving out
    /// the absent ones: the next few children are tried before a search.
    pub(crate) fn index(&mut self, key: &str) -> Option<usize> {
        let sketch = Sketch::of(key);
        let ahead = self.sketches.get(self.next..).unwrap_or_default();
        let same = |(i, s): (usize, &Sketch)| {
            *s == sketch
                && (key.len() <= SKETCHED
                    || self.keys.get(self.next + i).map(String::as_str) == Some(key))
        };
        let at = match ahead.iter().take(3).enumerate().position(same) {
            Some(skipped) => self.next + skipped,
            None => self.keys.binary_search_by(|k| k.as_str().cmp(key)).ok()?,
        };
        self.next = at + 1;
        Some(at)
    }

    /// The children's rows since the last call, as arrays (a record's top-level columns); the
    /// struct starts empty again.
    pub(crate) fn finish_children(&mut self) -> Vec<ArrayRef> {
        self.nulls = NullBufferBuilder::new(0);
        self.children.iter_mut().map(Column::finish).collect()
    }
}

/// How many leading bytes a [`Sketch`] holds.
const SKETCHED: usize = 8;

/// A key's length and first [`SKETCHED`] bytes: equal sketches of keys no longer than that
/// are equal keys. Filling compares every field's key with the one expected next, and short
/// keys compared this way cost no call to `memcmp` (which was 6 % of a Parquet run's CPU).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Sketch {
    len: usize,
    head: u64,
}

impl Sketch {
    fn of(key: &str) -> Sketch {
        let head = key
            .bytes()
            .take(SKETCHED)
            .enumerate()
            .fold(0u64, |head, (i, b)| head | u64::from(b) << (8 * i));
        Sketch {
            len: key.len(),
            head,
        }
    }
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
                let column = Struct::new(arrow, keys, children);
                let fields = column.fields.clone();
                (Column::Struct(column), DataType::Struct(fields))
            }
        }
    }

    /// Appends a null row (a struct still gets one in each child).
    pub(crate) fn push_null(&mut self) {
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
    /// Each builder starts again with room for as many rows and bytes as the group just
    /// finished: the next group then fills without growing its buffers step by step (each
    /// step a copy), and takes no more memory than this one did.
    pub(crate) fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Bool(b) => {
                let rows = b.len();
                Arc::new(std::mem::replace(b, BooleanBuilder::with_capacity(rows)).finish())
            }
            Column::Int(b) => finish_primitive(b),
            Column::Float(b) => finish_primitive(b),
            Column::Text(b) | Column::Json(b) => Arc::new(finish_text(b)),
            Column::Timestamp(b) => finish_primitive(b),
            Column::Date(b) => finish_primitive(b),
            Column::List {
                field,
                offsets,
                nulls,
                item,
            } => {
                let mut next = Vec::with_capacity(offsets.len());
                next.push(0);
                let offsets = std::mem::replace(offsets, next);
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

/// A primitive column's rows as an array; the builder starts again sized for as many.
fn finish_primitive<T: ArrowPrimitiveType>(b: &mut PrimitiveBuilder<T>) -> ArrayRef {
    let rows = b.len();
    let array = b.finish();
    // the same type again: a timestamp's time zone stays
    *b = PrimitiveBuilder::with_capacity(rows).with_data_type(array.data_type().clone());
    Arc::new(array)
}

/// A text column's rows as an array; the builder starts again sized for as many rows and bytes.
pub(crate) fn finish_text(b: &mut StringBuilder) -> StringArray {
    let (rows, bytes) = (b.len(), b.values_slice().len());
    std::mem::replace(b, StringBuilder::with_capacity(rows, bytes)).finish()
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn text_struct(keys: &[&str]) -> Struct {
        let fields = keys
            .iter()
            .map(|k| Field::new(*k, DataType::Utf8, true))
            .collect();
        let children = keys
            .iter()
            .map(|_| Column::Text(StringBuilder::new()))
            .collect();
        Struct::new(
            fields,
            keys.iter().map(|k| k.to_string()).collect(),
            children,
        )
    }

    #[test]
    fn keys_alike_in_their_first_bytes_find_their_own_child() {
        let keys = [
            "created_at",
            "created_by",
            "id",
            "idx",
            "updated_1",
            "updated_2",
        ];
        let mut s = text_struct(&keys);
        // in order, out of order, skipping ahead, and keys that are not there
        for (key, expected) in [
            ("created_by", Some(1)),
            ("created_at", Some(0)),
            ("created_by", Some(1)),
            ("idx", Some(3)),
            ("id", Some(2)),
            ("updated_2", Some(5)),
            ("updated_1", Some(4)),
            ("updated_3", None),
            ("created_a", None),
            ("i", None),
        ] {
            assert_eq!(s.index(key), expected, "{key}");
        }
    }
}
