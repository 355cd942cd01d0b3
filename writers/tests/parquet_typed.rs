//! Parquet written from typed records, as the extract command hands them over (structs as the
//! generator makes them: `#[record]`, optional fields, the flattened `extra` map, lenient
//! timestamps), read back with the `parquet` crate: the columns fill from the records'
//! `Serialize` with no JSON value in between, and lose nothing a JSON value would have kept.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{EVENT, empty, full_row, read_back};
use restgen_runtime::types::{Date, Timestamp};
use restgen_writers::{Format, WriteError, Writer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The `EVENT` shape's record, typed as the generator would type it.
#[restgen_runtime::record(raw)]
#[derive(Serialize, Deserialize, Clone, Default)]
struct Event {
    active: Option<bool>,
    at: Option<Timestamp>,
    deep: Option<Deep>,
    id: Option<i64>,
    labels: Option<BTreeMap<String, String>>,
    on: Option<Date>,
    owner: Option<Owner>,
    parent: Option<Box<Event>>,
    payload: Option<Value>,
    score: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[restgen_runtime::record]
#[derive(Serialize, Deserialize, Clone, Default)]
struct Owner {
    name: Option<String>,
    roles: Option<Vec<Role>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[restgen_runtime::record]
#[derive(Serialize, Deserialize, Clone, Default)]
struct Role {
    name: Option<String>,
    since: Option<Timestamp>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Deep {
    a: Option<A>,
}

#[derive(Serialize, Deserialize, Clone)]
struct A {
    b: Option<B>,
}

#[derive(Serialize, Deserialize, Clone)]
struct B {
    c: Option<Vec<i64>>,
}

fn timestamp(text: &str) -> Option<Timestamp> {
    Some(Timestamp::parse(text))
}

fn role(name: &str, since: Option<&str>) -> Role {
    Role {
        name: Some(name.into()),
        since: since.map(Timestamp::parse),
        ..Role::default()
    }
}

fn write_typed<T: Serialize>(path: &Path, pages: &[&[T]]) -> u64 {
    let mut writer = Writer::create(Format::Parquet, Some(path), &EVENT).unwrap();
    for page in pages {
        writer.write_records(page).unwrap();
    }
    writer.finish().unwrap()
}

/// A column's JSON text read back as a value.
fn parsed(row: &Value, column: &str) -> Value {
    serde_json::from_str(row[column].as_str().unwrap()).unwrap()
}

/// Scalars, a nested struct holding a list of structs, a list of strings, a chain of structs,
/// a free-form map, an untyped value and a recursive reference, from a typed record.
#[test]
fn typed_records_fill_nested_structs_and_lists() {
    let full = Event {
        active: Some(true),
        at: timestamp("2024-03-01T12:00:00+02:00"),
        deep: Some(Deep {
            a: Some(A {
                b: Some(B {
                    c: Some(vec![1, 2, 3]),
                }),
            }),
        }),
        id: Some(1),
        labels: Some(BTreeMap::from([("team".to_string(), "x".to_string())])),
        on: Some(Date::parse("2024-03-01")),
        owner: Some(Owner {
            name: Some("ann".into()),
            roles: Some(vec![
                role("admin", Some("2020-01-01T00:00:00Z")),
                role("dev", None),
            ]),
            ..Owner::default()
        }),
        parent: Some(Box::new(Event {
            id: Some(0),
            ..Event::default()
        })),
        payload: Some(json!({"kind": [1, {"deep": true}]})),
        score: Some(2.5),
        tags: vec!["a".into(), "b".into()],
        ..Event::default()
    };
    // absent fields, an empty list (skipped when serialized: null), an empty struct
    let sparse = Event {
        id: Some(2),
        owner: Some(Owner {
            roles: Some(Vec::new()),
            ..Owner::default()
        }),
        deep: Some(Deep { a: None }),
        ..Event::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typed.parquet");
    let pages = [std::slice::from_ref(&full), std::slice::from_ref(&sparse)];
    assert_eq!(write_typed(&path, &pages), 2);
    let (got, groups, _) = read_back(&path);
    assert_eq!(groups, 1);

    let mut want = full_row();
    want.insert("parent".into(), json!(r#"{"id":0}"#));
    assert_eq!(got[0], Value::Object(want));

    let mut want = empty();
    want.insert("id".into(), json!(2));
    want.insert("owner".into(), json!({"name": null, "roles": []}));
    want.insert("deep".into(), json!({"a": null}));
    assert_eq!(got[1], Value::Object(want));

    // the same records as JSON values make the same file
    let values = dir.path().join("values.parquet");
    let pages = [
        vec![serde_json::to_value(&full).unwrap()],
        vec![serde_json::to_value(&sparse).unwrap()],
    ];
    let mut writer = Writer::create(Format::Parquet, Some(&values), &EVENT).unwrap();
    for page in &pages {
        writer.write_page(page).unwrap();
    }
    writer.finish().unwrap();
    assert_eq!(read_back(&values).0, got);
}

/// A typed record whose fields are not of the shape's types (a record type older or newer
/// than the shape, a hand-written one): each value is null in its column and kept as
/// serialized in `_restgen_raw`, by pointer.
#[test]
fn a_typed_field_of_the_wrong_type_is_kept_in_restgen_raw() {
    #[derive(Serialize)]
    struct Skewed {
        active: i64,
        id: String,
        on: bool,
        owner: String,
        score: &'static str,
        tags: Vec<u64>,
        deep: Deep,
    }
    #[derive(Serialize)]
    struct Huge {
        id: u64,
        score: u64,
    }
    let skewed = Skewed {
        active: 1,
        id: "seven".into(),
        on: false,
        owner: "nobody".into(),
        score: "high",
        tags: vec![1, 2],
        deep: Deep {
            a: Some(A {
                b: Some(B { c: None }),
            }),
        },
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("skewed.parquet");
    let mut writer = Writer::create(Format::Parquet, Some(&path), &EVENT).unwrap();
    writer.write_records(&[skewed]).unwrap();
    writer
        .write_records(&[Huge {
            id: u64::MAX,
            score: u64::MAX,
        }])
        .unwrap();
    assert_eq!(writer.finish().unwrap(), 2);
    let (got, _, _) = read_back(&path);
    assert_eq!(
        parsed(&got[0], "_restgen_raw"),
        json!({"/active": 1, "/id": "seven", "/on": false, "/owner": "nobody",
               "/score": "high", "/tags/0": 1, "/tags/1": 2})
    );
    for column in ["active", "id", "on", "owner", "score"] {
        assert_eq!(got[0][column], Value::Null, "{column}");
    }
    // the list keeps its length, its items null
    assert_eq!(got[0]["tags"], json!([null, null]));
    assert_eq!(got[0]["deep"], json!({"a": {"b": {"c": null}}}));
    // an integer past i64 does not fit an Int64 column; a float column takes it
    assert_eq!(parsed(&got[1], "_restgen_raw"), json!({"/id": u64::MAX}));
    assert_eq!(got[1]["id"], Value::Null);
    assert_eq!(got[1]["score"], json!(u64::MAX as f64));
}

/// Fields the shape has no column for, at the top and inside structs and lists of structs
/// (the flattened `extra` maps, a typed field the shape does not name, a field named like the
/// writer's own columns), go to `_restgen_extra` by pointer.
#[test]
fn unknown_fields_of_typed_records_go_to_restgen_extra() {
    #[derive(Serialize)]
    struct Wider {
        #[serde(flatten)]
        event: Event,
        nickname: &'static str,
        _restgen_extra: u8,
    }
    let mut owner_extra = Map::new();
    owner_extra.insert("mood".into(), json!("fine"));
    let mut role_extra = Map::new();
    role_extra.insert("level".into(), json!(3));
    let mut extra = Map::new();
    extra.insert("unknown".into(), json!({"nested": [1]}));
    extra.insert("odd/key~".into(), json!(7));
    let record = Wider {
        event: Event {
            id: Some(5),
            owner: Some(Owner {
                name: Some("bob".into()),
                roles: Some(vec![Role {
                    extra: role_extra,
                    ..role("x", None)
                }]),
                extra: owner_extra,
            }),
            extra,
            ..Event::default()
        },
        nickname: "bobby",
        _restgen_extra: 1,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("extra.parquet");
    assert_eq!(write_typed(&path, &[&[record]]), 1);
    let (got, _, _) = read_back(&path);
    assert_eq!(
        parsed(&got[0], "_restgen_extra"),
        json!({"/unknown": {"nested": [1]}, "/odd~1key~0": 7, "/owner/mood": "fine",
               "/owner/roles/0/level": 3, "/nickname": "bobby", "/_restgen_extra": 1})
    );
    assert_eq!(got[0]["_restgen_raw"], Value::Null);
    assert_eq!(got[0]["id"], json!(5));
    assert_eq!(
        got[0]["owner"],
        json!({"name": "bob", "roles": [{"name": "x", "since": null}]})
    );
}

/// A timestamp or date lenient decoding could not parse serializes as the text the API sent:
/// its column is null and the text is in `_restgen_raw`, beside the values the record itself
/// kept raw.
#[test]
fn an_unparseable_timestamp_is_kept_raw_beside_the_records_own_raw_values() {
    let mut own_raw = Map::new();
    own_raw.insert("/score".into(), json!("a lot"));
    let record = Event {
        id: Some(3),
        at: timestamp("yesterday"),
        on: Some(Date::parse("2024-02-30")),
        owner: Some(Owner {
            roles: Some(vec![role("x", Some("soon"))]),
            ..Owner::default()
        }),
        restgen_raw: own_raw,
        ..Event::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raw.parquet");
    assert_eq!(write_typed(&path, &[&[record]]), 1);
    let (got, _, _) = read_back(&path);
    assert_eq!(
        parsed(&got[0], "_restgen_raw"),
        json!({"/score": "a lot", "/at": "yesterday", "/on": "2024-02-30",
               "/owner/roles/0/since": "soon"})
    );
    assert_eq!(got[0]["at"], Value::Null);
    assert_eq!(got[0]["on"], Value::Null);
    assert_eq!(
        got[0]["owner"],
        json!({"name": null, "roles": [{"name": "x", "since": null}]})
    );
    assert_eq!(got[0]["_restgen_extra"], Value::Null);
}

/// A record that cannot be serialized at all (a map keyed by a list: JSON has no such key)
/// fails the write, and the file never appears: its row was half-filled.
#[test]
fn a_record_that_cannot_serialize_leaves_no_file() {
    #[derive(Serialize)]
    struct Bad {
        id: i64,
        payload: BTreeMap<Vec<u8>, u8>,
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.parquet");
    let mut writer = Writer::create(Format::Parquet, Some(&path), &EVENT).unwrap();
    writer
        .write_records(&[Event {
            id: Some(1),
            ..Event::default()
        }])
        .unwrap();
    let bad = Bad {
        id: 2,
        payload: BTreeMap::from([(vec![1], 1)]),
    };
    match writer.write_records(&[bad]) {
        Err(WriteError::Encode { index, message }) => {
            assert_eq!(index, 1);
            assert!(message.contains("key must be a string"), "{message}");
        }
        other => panic!("expected an encode error, got {other:?}"),
    }
    assert!(writer.finish().is_err());
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
