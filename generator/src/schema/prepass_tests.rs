//! The schema prepass on the shapes real schemas take: what it rewrites, what it keeps, and
//! what it reports.

use super::*;
use serde_json::json;

fn prepared(mut schema: Value) -> Value {
    prepare(&mut schema);
    schema
}

#[test]
fn nullable_in_both_styles_and_required_but_nullable() {
    let s = prepared(json!({
        "type": "object",
        "required": ["a", "b", "c", "d", "e", "missing"],
        "properties": {
            "a": {"type": "string", "nullable": true, "pattern": "^x$"},
            "b": {"type": ["null", "string"], "minLength": 1},
            "c": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "d": {"type": "string"},
            "e": {"$ref": "#/definitions/X", "nullable": true, "description": "An X."}
        }
    }));
    assert_eq!(
        s,
        json!({
            "type": "object",
            "required": ["d"],
            "properties": {
                "a": {"type": ["string", "null"]},
                "b": {"type": ["null", "string"]},
                "c": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "d": {"type": "string"},
                "e": {
                    "anyOf": [{"$ref": "#/definitions/X"}, {"type": "null"}],
                    "description": "An X."
                }
            },
            "additionalProperties": {}
        })
    );
}

#[test]
fn unknown_fields_are_kept_unless_a_field_is_called_extra() {
    let s = prepared(json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "open": {"type": "object", "additionalProperties": true, "properties": {"a": {}}},
            "typed": {"type": "object", "additionalProperties": {"type": "integer"},
                      "properties": {"a": {}}},
            "clash": {"type": "object", "additionalProperties": false,
                      "properties": {"Extra": {"type": "string"}}},
            "map": {"type": "object"}
        }
    }));
    assert_eq!(s["additionalProperties"], json!({}));
    assert_eq!(s["properties"]["open"]["additionalProperties"], json!({}));
    assert_eq!(
        s["properties"]["typed"]["additionalProperties"],
        json!({"type": "integer"})
    );
    assert!(
        s["properties"]["clash"]
            .get("additionalProperties")
            .is_none()
    );
    assert_eq!(s["properties"]["map"], json!({"type": "object"}));
}

#[test]
fn field_names_match_typify_and_collisions_go_to_extra() {
    for (property, field) in [
        ("type", "type_"),
        ("self", "self_"),
        ("Self", "self_"),
        ("@odata.id", "odata_id"),
        ("a-b", "a_b"),
        ("1st", "x1st"),
        ("createdAt", "created_at"),
        ("$count", "count"),
        ("", "x"),
    ] {
        assert_eq!(field_name(property), field, "{property}");
    }
    let s = prepared(json!({
        "required": ["createdAt", "created_at"],
        "properties": {
            "createdAt": {"type": "string"},
            "created_at": {"type": "string"},
            "self": {"type": "string"},
            "Self": {"type": "string"}
        }
    }));
    let kept: Vec<&String> = s["properties"].as_object().unwrap().keys().collect();
    assert_eq!(kept, ["createdAt", "self"]);
    assert_eq!(s["required"], json!(["createdAt"]));
}

#[test]
fn all_of_objects_are_merged() {
    let s = prepared(json!({
        "description": "Merged.",
        "allOf": [
            {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            {"title": "Part", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
        ]
    }));
    assert_eq!(
        s,
        json!({
            "description": "Merged.",
            "type": "object",
            "properties": {"id": {"type": "string"}, "n": {"type": "integer"}},
            "required": ["id", "n"],
            "additionalProperties": {}
        })
    );
}

#[test]
fn unions_get_a_catch_all_but_options_do_not() {
    let s = prepared(json!({"required": ["u", "n"], "properties": {
        "u": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "n": {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}],
              "description": "N."},
        "o": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "p": {"oneOf": [{"type": "string"}, {}]}
    }}));
    let p = &s["properties"];
    let catch_all = json!({
        "description": "A value none of the documented shapes match, kept as JSON.",
        CATCH_ALL: true
    });
    assert_eq!(
        p["u"],
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}, catch_all]})
    );
    assert_eq!(
        p["n"],
        json!({
            "anyOf": [
                {"oneOf": [{"type": "string"}, {"type": "integer"}, catch_all]},
                {"type": "null"}
            ],
            "description": "N."
        })
    );
    assert_eq!(
        p["o"],
        json!({"anyOf": [{"type": "string"}, {"type": "null"}]})
    );
    assert_eq!(p["p"], json!({"oneOf": [{"type": "string"}, {}]}));
    assert_eq!(s["required"], json!(["u"]));
}

#[test]
fn enums_formats_and_titles() {
    let s = prepared(json!({"properties": {
        "level": {"type": "integer", "enum": [1, 2], "description": "Level."},
        "kind": {"const": "task"},
        "id": {"type": "string", "format": "uuid"},
        "at": {"type": ["string", "null"], "format": "date-time"},
        "n": {"type": "integer", "format": "int32", "default": 3},
        "nested": {"title": "Nested", "type": "object", "properties": {}}
    }}));
    let p = &s["properties"];
    assert_eq!(
        p["level"],
        json!({"type": "integer", "description": "Level. Known values: 1, 2."})
    );
    assert_eq!(p["kind"], json!({"enum": ["task"]}));
    assert_eq!(p["id"], json!({"type": "string"}));
    assert_eq!(
        p["at"],
        json!({"type": ["string", "null"], "format": "date-time"})
    );
    assert_eq!(p["n"], json!({"type": "integer", "format": "int32"}));
    assert_eq!(
        p["nested"],
        json!({"type": "object", "properties": {}, "description": "Nested"})
    );
}
