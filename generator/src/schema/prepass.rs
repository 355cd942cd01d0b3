//! The schema pre-pass that runs before typify, so models survive real APIs: nullability in
//! both styles, no `deny_unknown_fields`, no enforced bounds or patterns on response models,
//! nested titles dropped so type names come from their position and cannot collide across
//! resources. String enums are hoisted afterwards (`enums`).

use serde_json::{Map, Value};

/// Keywords that only validate; a response that breaks them must still decode.
const VALIDATION_ONLY: &[&str] = &[
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// Rewrites a record schema in place (see the module doc).
pub fn prepare(schema: &mut Value) {
    if let Value::Object(root) = schema {
        root.remove("title");
        root.remove("$id");
    }
    walk(schema);
}

fn walk(value: &mut Value) {
    match value {
        Value::Object(map) => {
            rewrite(map);
            for (_, child) in map.iter_mut() {
                walk(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

fn rewrite(map: &mut Map<String, Value>) {
    if map.get("nullable") == Some(&Value::Bool(true)) {
        map.remove("nullable");
        add_null(map);
    }
    if map.get("additionalProperties") == Some(&Value::Bool(false)) {
        map.remove("additionalProperties");
    }
    for key in VALIDATION_ONLY {
        map.remove(*key);
    }
    // Nested titles would name types after themselves, colliding across resources.
    if map.contains_key("properties") || map.contains_key("type") || map.contains_key("items") {
        map.remove("title");
    }
}

fn add_null(map: &mut Map<String, Value>) {
    match map.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = std::mem::take(t);
            map.insert(
                "type".into(),
                Value::Array(vec![Value::String(t), "null".into()]),
            );
        }
        Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => {
            types.push("null".into());
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rewrites() {
        let mut s = json!({
            "title": "Root",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "a": {"type": "string", "nullable": true, "pattern": "^x$"},
                "b": {"type": "string", "nullable": true, "minLength": 1},
                "c": {"type": "object", "title": "Nested", "properties": {}}
            }
        });
        prepare(&mut s);
        assert_eq!(
            s,
            json!({
                "type": "object",
                "properties": {
                    "a": {"type": ["string", "null"]},
                    "b": {"type": ["string", "null"]},
                    "c": {"type": "object", "properties": {}}
                }
            })
        );
    }
}
