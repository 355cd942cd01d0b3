//! Records are deterministic, unique where asked, ordered where asked, and valid.

use super::*;
use serde_json::json;

fn shape<'a>(schema: &'a Value, unique: &'a [Vec<String>]) -> RecordShape<'a> {
    RecordShape {
        schema: Some(schema),
        unique,
        tag: "things",
        ordered: &[],
    }
}

#[test]
fn records_are_deterministic_and_unique_where_asked() {
    let schema = json!({
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "at": {"type": ["null", "integer"]},
            "mode": {"type": "string", "enum": ["test", "production"]},
            "when": {"type": ["null", "string"], "format": "date-time"},
            "tags": {"type": ["null", "array"], "items": {"type": "string"}}
        },
        "required": ["id"]
    });
    let unique = vec![vec!["id".to_string()], vec!["at".to_string()]];
    let a: Vec<_> = (0..20)
        .map(|i| record(&shape(&schema, &unique), 7, i))
        .collect();
    let b: Vec<_> = (0..20)
        .map(|i| record(&shape(&schema, &unique), 7, i))
        .collect();
    assert_eq!(a, b);
    let ids: std::collections::BTreeSet<_> = a.iter().map(|r| r["id"].to_string()).collect();
    let ats: std::collections::BTreeSet<_> = a.iter().map(|r| r["at"].to_string()).collect();
    assert_eq!((ids.len(), ats.len()), (20, 20));
    assert!(a.iter().all(|r| r["mode"] == "test"));
    assert!(a.iter().all(|r| r["at"].is_i64()));
    assert!(a.iter().any(|r| r["when"].is_null()));
    assert!(
        a.iter()
            .filter_map(|r| r["when"].as_str())
            .all(|w| w.len() == 20 && w.ends_with('Z'))
    );
}

#[test]
fn ordered_fields_rise_after_their_start_and_are_never_null() {
    let schema = json!({
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "meta": {"type": ["null", "object"], "properties": {
                "updated_at": {"type": ["null", "integer"]}
            }},
            "at": {"type": ["null", "string"], "format": "date-time"}
        }
    });
    let ordered = [
        Ordered {
            path: vec!["meta".into(), "updated_at".into()],
            start: Some(json!(1000)),
            descending: false,
            format: None,
        },
        Ordered {
            path: vec!["at".into()],
            start: Some(json!("2024-01-01T00:00:00Z")),
            descending: false,
            format: None,
        },
    ];
    let shape = RecordShape {
        schema: Some(&schema),
        unique: &[],
        tag: "t",
        ordered: &ordered,
    };
    let records: Vec<Value> = (0..30).map(|i| record(&shape, 3, i)).collect();
    let updated: Vec<i64> = records
        .iter()
        .map(|r| r["meta"]["updated_at"].as_i64().unwrap())
        .collect();
    assert_eq!(updated[0], 1060);
    assert!(updated.windows(2).all(|w| w[0] < w[1]));
    let at: Vec<&str> = records.iter().map(|r| r["at"].as_str().unwrap()).collect();
    assert_eq!(at[0], "2024-01-01T00:01:00Z");
    assert!(at.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn refs_all_of_and_additional_properties() {
    let schema = json!({
        "type": "object",
        "definitions": {"money": {"type": "object", "properties": {"cents": {"type": "integer", "minimum": 5, "maximum": 5}}}},
        "properties": {
            "price": {"$ref": "#/definitions/money"},
            "both": {"allOf": [
                {"type": "object", "properties": {"a": {"const": 1}}},
                {"type": "object", "properties": {"b": {"const": 2}}}
            ]},
            "labels": {"type": "object", "additionalProperties": {"type": "boolean"}}
        }
    });
    let r = record(&shape(&schema, &[]), 1, 0);
    assert_eq!(r["price"]["cents"], 5);
    assert_eq!(r["both"], json!({"a": 1, "b": 2}));
    assert!(
        r["labels"]
            .as_object()
            .is_some_and(|m| m.values().all(Value::is_boolean))
    );
}
