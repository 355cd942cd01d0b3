//! Parquet written from records with the traps real APIs set, read back with the `parquet`
//! crate's arrow reader and compared record by record.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use common::{COLUMNS, EVENT, empty, full_row, node, read_back};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use restgen_runtime::lenient::{Field, Kind, Node, RecordShape, Scalar};
use restgen_writers::{Format, Writer};
use serde_json::{Value, json};

fn write(path: &Path, format: Format, pages: &[Vec<Value>]) -> u64 {
    let mut writer = Writer::create(format, Some(path), &EVENT).unwrap();
    for page in pages {
        writer.write_page(page).unwrap();
    }
    writer.finish().unwrap()
}

#[test]
fn schema_follows_the_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.parquet");
    write(&path, Format::Parquet, &[vec![json!({"id": 1})]]);
    let (_, _, schema) = read_back(&path);
    let types: Vec<(String, String)> = schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().to_string()))
        .collect();
    let get = |name: &str| types.iter().find(|(n, _)| n == name).unwrap().1.clone();
    assert_eq!(get("id"), "Int64");
    assert_eq!(get("active"), "Boolean");
    assert_eq!(get("score"), "Float64");
    assert_eq!(get("at"), "Timestamp(µs, \"UTC\")");
    assert_eq!(get("on"), "Date32");
    assert!(get("owner").starts_with("Struct("), "{}", get("owner"));
    assert!(get("owner").contains("roles") && get("owner").contains("Timestamp"));
    assert!(get("tags").starts_with("List("), "{}", get("tags"));
    // a recursive reference, an untyped value and a free-form map are JSON text
    assert_eq!(get("payload"), "Utf8");
    assert_eq!(get("labels"), "Utf8");
    assert_eq!(get("parent"), "Utf8");
    assert_eq!(
        types.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        COLUMNS
    );
}

#[test]
fn records_read_back_as_written() {
    let full = json!({
        "id": 1,
        "active": true,
        "score": 2.5,
        "at": "2024-03-01T12:00:00+02:00",
        "on": "2024-03-01",
        "tags": ["a", "b"],
        "owner": {"name": "ann", "roles": [
            {"name": "admin", "since": "2020-01-01T00:00:00Z"},
            {"name": "dev", "since": null}
        ]},
        "labels": {"team": "x"},
        "payload": {"kind": [1, {"deep": true}]},
        "deep": {"a": {"b": {"c": [1, 2, 3]}}},
        "parent": {"id": 0, "at": "2023-12-31T23:59:59.5-05:00", "parent": {"id": -1}},
    });
    let sparse = json!({"id": 2, "tags": [], "owner": {"roles": []}, "deep": {"a": null}});
    let hostile = json!({
        "id": 3,
        "at": "yesterday",
        "on": "2024-02-30",
        // lenient decoding kept this one raw: the field reads absent
        "_restgen_raw": {"/score": "a lot"},
        "owner": {"name": "bob", "roles": [{"name": "x", "since": "soon"}], "mood": "fine"},
        "unknown": {"nested": [1]},
        "odd/key~": 7,
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.parquet");
    let written = write(&path, Format::Parquet, &[vec![full], vec![sparse, hostile]]);
    assert_eq!(written, 3);
    let (got, groups, _) = read_back(&path);
    assert_eq!(groups, 1);

    let mut want = full_row();
    // a recursive reference is cut where the schema repeats: the parent record is JSON text
    want.insert(
        "parent".into(),
        json!(r#"{"id":0,"at":"2023-12-31T23:59:59.5-05:00","parent":{"id":-1}}"#),
    );
    assert_eq!(got[0], Value::Object(want));

    let mut want = empty();
    want.insert("id".into(), json!(2));
    want.insert("tags".into(), json!([]));
    want.insert("owner".into(), json!({"name": null, "roles": []}));
    want.insert("deep".into(), json!({"a": null}));
    assert_eq!(got[1], Value::Object(want));

    let mut want = empty();
    want.insert("id".into(), json!(3));
    want.insert(
        "owner".into(),
        json!({"name": "bob", "roles": [{"name": "x", "since": null}]}),
    );
    // what did not fit its column is kept, as sent, beside what lenient decoding kept
    let raw: Value = serde_json::from_str(got[2]["_restgen_raw"].as_str().unwrap()).unwrap();
    assert_eq!(
        raw,
        json!({"/score": "a lot", "/at": "yesterday", "/on": "2024-02-30", "/owner/roles/0/since": "soon"})
    );
    let extra: Value = serde_json::from_str(got[2]["_restgen_extra"].as_str().unwrap()).unwrap();
    assert_eq!(
        extra,
        json!({"/unknown": {"nested": [1]}, "/odd~1key~0": 7, "/owner/mood": "fine"})
    );
    let mut got2 = got[2].as_object().unwrap().clone();
    got2.insert("_restgen_raw".into(), Value::Null);
    got2.insert("_restgen_extra".into(), Value::Null);
    assert_eq!(Value::Object(got2), Value::Object(want));
}

/// Values of the wrong type in every kind of column (as a record decoded without a shape
/// could carry them) leave the file readable and lose nothing.
#[test]
fn a_hostile_page_does_not_fail_the_file() {
    let page = vec![
        json!({"id": "seven", "active": "yes", "score": "high", "tags": "a,b",
               "owner": ["not", "an", "object"], "deep": {"a": {"b": {"c": [1, "two", 18446744073709551615u64]}}},
               "on": 20240301, "at": {"when": "now"}}),
        json!(["not", "a", "record"]),
        json!("text"),
        json!({"id": 9223372036854775807i64, "score": 1e308}),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.parquet");
    assert_eq!(write(&path, Format::Parquet, &[page]), 4);
    let (got, _, _) = read_back(&path);
    assert_eq!(got.len(), 4);
    let raw = |row: usize| -> Value {
        serde_json::from_str(got[row]["_restgen_raw"].as_str().unwrap()).unwrap()
    };
    assert_eq!(
        raw(0),
        json!({"/id": "seven", "/active": "yes", "/score": "high", "/tags": "a,b",
               "/owner": ["not", "an", "object"], "/deep/a/b/c/1": "two",
               "/deep/a/b/c/2": 18446744073709551615u64, "/on": 20240301, "/at": {"when": "now"}})
    );
    assert_eq!(got[0]["deep"], json!({"a": {"b": {"c": [1, null, null]}}}));
    assert_eq!(got[0]["id"], Value::Null);
    assert_eq!(raw(1), json!({"": ["not", "a", "record"]}));
    assert_eq!(raw(2), json!({"": "text"}));
    assert_eq!(got[3]["id"], json!(9223372036854775807i64));
    assert_eq!(got[3]["score"], json!(1e308));
}

/// 200k records through pages of 1000 are written as row groups of about 8k rows, not
/// held until the end.
#[test]
fn row_groups_are_flushed_as_pages_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.parquet");
    let mut writer = Writer::create(Format::Parquet, Some(&path), &EVENT).unwrap();
    for page in 0..200 {
        let records: Vec<Value> = (0..1000)
            .map(|i| {
                json!({"id": page * 1000 + i, "at": "2024-01-01T00:00:00Z", "tags": ["x"],
                       "owner": {"name": "n", "roles": [{"name": "r"}]}})
            })
            .collect();
        writer.write_page(&records).unwrap();
        if page == 100 {
            // nothing appears at the path until the file is complete
            assert!(!path.exists());
        }
    }
    assert_eq!(writer.finish().unwrap(), 200_000);
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
    let meta = builder.metadata();
    assert_eq!(meta.file_metadata().num_rows(), 200_000);
    assert_eq!(
        meta.num_row_groups(),
        23,
        "one per 9 pages: 8,192 rows or more"
    );
    let largest = meta
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .max()
        .unwrap();
    assert!(largest <= 9_000, "{largest}");
    let mut next = 0;
    for batch in builder.build().unwrap() {
        let batch = batch.unwrap();
        let ids = batch
            .column_by_name("id")
            .unwrap()
            .as_primitive::<Int64Type>();
        for id in ids.iter() {
            assert_eq!(id, Some(next));
            next += 1;
        }
    }
    assert_eq!(next, 200_000);
}

#[test]
fn csv_has_a_stable_header_and_json_text_for_nested_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.csv");
    let pages = [
        vec![
            json!({"id": 1, "active": true, "score": 2.5, "at": "2024-03-01T12:00:00+02:00",
                    "tags": ["a", "b"], "owner": {"name": "ann, \"the\" admin"}, "new": 1}),
        ],
        vec![
            json!({"id": 2, "_restgen_raw": {"/score": "a lot"}}),
            json!({"id": 3, "_restgen_raw": {}}),
        ],
    ];
    assert_eq!(write(&path, Format::Csv, &pages), 3);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, COLUMNS);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "true",
            "2024-03-01T12:00:00+02:00",
            "",
            "1",
            "",
            "",
            r#"{"name":"ann, \"the\" admin"}"#,
            "",
            "",
            "2.5",
            r#"["a","b"]"#,
            "",
            r#"{"/new":1}"#
        ]
    );
    assert_eq!(rows[1][3], "2");
    assert_eq!(rows[1][11], r#"{"/score":"a lot"}"#);
    assert_eq!(rows[2][11], "");
    assert_eq!(rows.len(), 3);
}

/// A chain of objects deeper than any column tree goes is cut into JSON text there, and the
/// file still reads back whole.
#[test]
fn very_deep_nesting_ends_in_a_json_text_column() {
    const DEPTH: u32 = 40;
    let mut nodes: Vec<Node> = (0..DEPTH)
        .map(|i| {
            let fields = vec![Field {
                name: Cow::Borrowed("next"),
                node: i + 1,
                required: false,
            }];
            node(
                Kind::Object {
                    fields: Cow::Owned(fields),
                    rest: None,
                },
                true,
            )
        })
        .collect();
    nodes.push(node(Kind::Scalar(Scalar::Integer), true));
    let shape: &'static RecordShape = Box::leak(Box::new(RecordShape {
        nodes: Cow::Owned(nodes),
        raw_field: None,
    }));
    let mut record = json!(7);
    for _ in 0..DEPTH {
        record = json!({ "next": record });
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.parquet");
    let mut writer = Writer::create(Format::Parquet, Some(&path), shape).unwrap();
    writer.write_page(std::slice::from_ref(&record)).unwrap();
    assert_eq!(writer.finish().unwrap(), 1);
    let (got, _, _) = read_back(&path);
    // 32 levels of structs, then the rest of the chain as JSON text
    let mut value = &got[0]["next"];
    let mut structs = 0;
    while let Some(next) = value.get("next") {
        value = next;
        structs += 1;
    }
    assert_eq!(structs, 31);
    let mut rest: Value = serde_json::from_str(value.as_str().unwrap()).unwrap();
    let mut levels = 0;
    while let Some(next) = rest.get("next") {
        rest = next.clone();
        levels += 1;
    }
    assert_eq!((levels + structs + 1, rest), (DEPTH, json!(7)));
}
