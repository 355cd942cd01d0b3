//! What the Parquet tests share: the `EVENT` shape, and a file read back as JSON values.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use restgen_runtime::lenient::{Field, Kind, Node, RecordShape, Scalar};
use serde_json::{Map, Value, json};

/// A field literal (a call would not be promoted to a static).
#[macro_export]
macro_rules! field {
    ($name:literal, $node:literal, $required:literal) => {
        Field {
            name: Cow::Borrowed($name),
            node: $node,
            required: $required,
        }
    };
}

pub const fn node(kind: Kind, nullable: bool) -> Node {
    Node { kind, nullable }
}

/// An event: scalars of each kind, a nested struct holding a list of structs, a recursive
/// `parent` (the record's own node), an untyped `payload`, a free-form `labels` map, and a deep chain of objects.
pub static EVENT: RecordShape = RecordShape {
    nodes: Cow::Borrowed(&[
        // 0: the record
        node(
            Kind::Object {
                fields: Cow::Borrowed(&[
                    field!("active", 2, false),
                    field!("at", 5, false),
                    field!("deep", 13, false),
                    field!("id", 1, true),
                    field!("labels", 10, false),
                    field!("on", 6, false),
                    field!("owner", 7, false),
                    field!("parent", 0, false),
                    field!("payload", 11, false),
                    field!("score", 3, false),
                    field!("tags", 12, false),
                ]),
                rest: None,
            },
            false,
        ),
        node(Kind::Scalar(Scalar::Integer), false),  // 1
        node(Kind::Scalar(Scalar::Bool), true),      // 2
        node(Kind::Scalar(Scalar::Number), true),    // 3
        node(Kind::Scalar(Scalar::String), true),    // 4
        node(Kind::Scalar(Scalar::Timestamp), true), // 5
        node(Kind::Scalar(Scalar::Date), true),      // 6
        // 7: owner {name, roles: [{name, since}]}
        node(
            Kind::Object {
                fields: Cow::Borrowed(&[field!("name", 4, false), field!("roles", 8, false)]),
                rest: None,
            },
            true,
        ),
        node(Kind::Array(9), true), // 8
        node(
            Kind::Object {
                fields: Cow::Borrowed(&[field!("name", 4, false), field!("since", 5, false)]),
                rest: None,
            },
            false,
        ), // 9
        node(
            Kind::Object {
                fields: Cow::Borrowed(&[]),
                rest: Some(4),
            },
            true,
        ), // 10
        node(Kind::Any, true),      // 11
        node(Kind::Array(4), true), // 12
        // 13 → 14 → 15 → 16: a chain four objects deep ending in an integer list
        node(
            Kind::Object {
                fields: Cow::Borrowed(&[field!("a", 14, false)]),
                rest: None,
            },
            true,
        ),
        node(
            Kind::Object {
                fields: Cow::Borrowed(&[field!("b", 15, false)]),
                rest: None,
            },
            true,
        ),
        node(
            Kind::Object {
                fields: Cow::Borrowed(&[field!("c", 16, false)]),
                rest: None,
            },
            true,
        ),
        node(Kind::Array(1), true), // 16
    ]),
    raw_field: Some(Cow::Borrowed("_restgen_raw")),
};

pub fn micros(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp_micros()
}

/// An arrow value back as JSON: timestamps as microseconds, dates as days, for comparing.
pub fn to_json(array: &dyn Array, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Boolean => json!(array.as_boolean().value(row)),
        DataType::Int64 => json!(array.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => json!(array.as_primitive::<Float64Type>().value(row)),
        DataType::Utf8 => json!(array.as_string::<i32>().value(row)),
        DataType::Timestamp(TimeUnit::Microsecond, Some(tz)) if tz.as_ref() == "UTC" => {
            json!({"micros": array.as_primitive::<TimestampMicrosecondType>().value(row)})
        }
        DataType::Date32 => json!({"days": array.as_primitive::<Date32Type>().value(row)}),
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            Value::Array((0..items.len()).map(|i| to_json(&items, i)).collect())
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            Value::Object(
                fields
                    .iter()
                    .zip(s.columns())
                    .map(|(f, c)| (f.name().clone(), to_json(c, row)))
                    .collect(),
            )
        }
        other => panic!("unexpected column type {other}"),
    }
}

pub fn rows(batch: &RecordBatch) -> Vec<Value> {
    (0..batch.num_rows())
        .map(|row| {
            let object: Map<String, Value> = batch
                .schema()
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(f, c)| (f.name().clone(), to_json(c, row)))
                .collect();
            Value::Object(object)
        })
        .collect()
}

pub fn read_back(path: &Path) -> (Vec<Value>, usize, arrow_schema::SchemaRef) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let groups = builder.metadata().num_row_groups();
    let schema = builder.schema().clone();
    let mut out = Vec::new();
    for batch in builder.build().unwrap() {
        out.extend(rows(&batch.unwrap()));
    }
    (out, groups, schema)
}

/// The columns of an `EVENT` file, in order: the shape's fields sorted, then the writer's.
pub const COLUMNS: [&str; 13] = [
    "active",
    "at",
    "deep",
    "id",
    "labels",
    "on",
    "owner",
    "parent",
    "payload",
    "score",
    "tags",
    "_restgen_raw",
    "_restgen_extra",
];

/// A record with every column empty, to build expectations from.
pub fn empty() -> Map<String, Value> {
    let mut row = Map::new();
    for key in COLUMNS {
        row.insert(key.to_string(), Value::Null);
    }
    row
}

/// The row of the full `EVENT` record both Parquet tests write, but for its `parent`.
pub fn full_row() -> Map<String, Value> {
    let mut want = empty();
    want.insert("id".into(), json!(1));
    want.insert("active".into(), json!(true));
    want.insert("score".into(), json!(2.5));
    want.insert(
        "at".into(),
        json!({"micros": micros("2024-03-01T10:00:00Z")}),
    );
    want.insert("on".into(), json!({"days": 19783}));
    want.insert("tags".into(), json!(["a", "b"]));
    want.insert(
        "owner".into(),
        json!({"name": "ann", "roles": [
            {"name": "admin", "since": {"micros": micros("2020-01-01T00:00:00Z")}},
            {"name": "dev", "since": null}
        ]}),
    );
    want.insert("labels".into(), json!(r#"{"team":"x"}"#));
    want.insert("payload".into(), json!(r#"{"kind":[1,{"deep":true}]}"#));
    want.insert("deep".into(), json!({"a": {"b": {"c": [1, 2, 3]}}}));
    want
}
