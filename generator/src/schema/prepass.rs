//! The schema pre-pass that runs before typify, so models survive real APIs. It works
//! bottom-up (a schema's subschemas are rewritten before the schema itself):
//!
//! - **Nullability.** OpenAPI `nullable: true` becomes `null` in `type` (or in `enum`, or an
//!   `anyOf` with `null` for a schema without a type); `type: [null, X]` is kept. A property
//!   that accepts null (or any value) is dropped from `required`: typify would otherwise emit
//!   `deserialize_with = Option::deserialize`, which fails when the key is absent. So a
//!   required-but-nullable field is an `Option` that accepts absent, `null` and a value.
//! - **Lenient validation.** `pattern`, lengths, bounds, `not`, `if`/`then`/`else` and the
//!   other validation-only keywords are removed: a response that breaks them still decodes.
//!   `default` is removed too: an absent field is `None`, not an invented value (and typify
//!   panics on some defaults). String formats other than `date-time` and `date` are removed
//!   (`uuid`, `ipv4`, .. stay `String`, so an odd id never fails a record); `date-time` and
//!   `date` become lenient types later (`formats`).
//! - **Tuples** (`items: [..]`, `prefixItems`) are arrays of JSON values, and
//!   `patternProperties` are dropped (their fields are unknown fields, kept in `extra`).
//! - **Enums.** A non-string `enum` (e.g. integers) is removed and its values listed in the
//!   description: typify would reject a new value. A string `const` becomes a one-value
//!   `enum`, so it is open like every other string enum (`enums`), except where it tags a
//!   union's shape (`names`).
//! - **allOf** of inline objects is merged here into one object (properties and `required`
//!   united), so the fields below apply to the merged struct.
//! - **Unknown fields** are tolerated and reachable: every object with properties gets
//!   `additionalProperties: {}` when it has none, `true` or `false`, which typify emits as
//!   `#[serde(flatten)] pub extra: serde_json::Map<String, Value>` holding every field
//!   the schema does not list, and never as `deny_unknown_fields`. An object whose schema
//!   gives `additionalProperties` a schema keeps it (typed `extra` values). The one exception
//!   is an object with a property whose field would itself be `extra`: it keeps no map
//!   (typify would emit two `extra` fields), and unknown fields are ignored there.
//! - **Field names.** Of two properties with the same Rust field name (`createdAt` and
//!   `created_at`), the later one is left out of the struct and lands in `extra`.
//! - **Open unions.** A `oneOf` or `anyOf` with two or more non-null shapes becomes a
//!   `oneOf` (typify emits an untagged enum: the first shape that matches wins; its `anyOf`
//!   struct of flattened options cannot hold a number or a string), `null` among the shapes
//!   makes the whole union an `Option`, and a last catch-all shape is added, so a value none
//!   of the documented shapes match is kept as JSON (the `Other` variant) and never fails
//!   the record.
//! - **Docs.** A title becomes the description when there is none, then is removed: type
//!   names come from positions (`names`), so titles cannot collide across resources.

use serde_json::{Map, Value};

use super::refs::for_each_subschema;

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
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "default",
];

/// Marks the catch-all shape added to a union (see the module doc); `names` titles it.
pub const CATCH_ALL: &str = "x-restgen-catch-all";

/// Rewrites a record schema in place (see the module doc).
pub fn prepare(schema: &mut Value) {
    if let Value::Object(root) = schema {
        root.remove("$id");
        root.remove("$schema");
    }
    walk(schema);
}

fn walk(value: &mut Value) {
    let Value::Object(map) = value else { return };
    let _ = for_each_subschema::<()>(map, &mut |_, child| {
        walk(child);
        Ok(())
    });
    rewrite(map);
}

fn rewrite(map: &mut Map<String, Value>) {
    for key in VALIDATION_ONLY {
        map.remove(*key);
    }
    if let Some(Value::String(title)) = map.remove("title")
        && !map.contains_key("description")
    {
        map.insert("description".into(), Value::String(title));
    }
    formats(map);
    enums(map);
    // Tuples: typify only takes them with exact lengths, which are validation; and pattern
    // properties need the `regress` crate. Their values are kept as JSON.
    if matches!(map.get("items"), Some(Value::Array(_))) || map.contains_key("prefixItems") {
        map.remove("prefixItems");
        map.insert("items".into(), Value::Object(Map::new()));
    }
    map.remove("additionalItems");
    map.remove("patternProperties");
    merge_all_of(map);
    drop_colliding_fields(map);
    open_object(map);
    open_unions(map);
    drop_nullable_from_required(map);
    if map.remove("nullable") == Some(Value::Bool(true)) {
        make_nullable(map);
    }
}

/// Keeps only the formats that map to a type which cannot reject a sensible value.
fn formats(map: &mut Map<String, Value>) {
    let Some(Value::String(format)) = map.get("format") else {
        return;
    };
    let string = match map.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => true,
    };
    if string && format != "date-time" && format != "date" {
        map.remove("format");
    }
}

fn enums(map: &mut Map<String, Value>) {
    if let Some(value) = map.get("const") {
        match value {
            Value::String(_) | Value::Null => {
                let value = value.clone();
                map.remove("const");
                map.insert("enum".into(), Value::Array(vec![value]));
            }
            _ => {
                map.remove("const");
            }
        }
    }
    let Some(Value::Array(values)) = map.get("enum") else {
        return;
    };
    if values.iter().all(|v| v.is_string() || v.is_null()) {
        return;
    }
    let listed: Vec<String> = values.iter().map(Value::to_string).collect();
    map.remove("enum");
    let known = format!("Known values: {}.", listed.join(", "));
    let description = match map.get("description").and_then(Value::as_str) {
        Some(d) => format!("{d} {known}"),
        None => known,
    };
    map.insert("description".into(), Value::String(description));
}

/// An inline object schema that can be merged with others: no reference, no union.
fn mergeable(value: &Value) -> bool {
    let Value::Object(map) = value else {
        return false;
    };
    let object_type = match map.get("type") {
        Some(Value::String(t)) => t == "object",
        None => map.contains_key("properties"),
        Some(_) => false,
    };
    object_type
        && !["$ref", "allOf", "anyOf", "oneOf", "enum", "items"]
            .iter()
            .any(|k| map.contains_key(*k))
}

fn merge_all_of(map: &mut Map<String, Value>) {
    let Some(Value::Array(members)) = map.get("allOf") else {
        return;
    };
    if members.is_empty() || !members.iter().all(mergeable) {
        return;
    }
    let Some(Value::Array(members)) = map.remove("allOf") else {
        return;
    };
    let mut properties = match map.remove("properties") {
        Some(Value::Object(p)) => p,
        _ => Map::new(),
    };
    let mut required: Vec<Value> = match map.remove("required") {
        Some(Value::Array(r)) => r,
        _ => Vec::new(),
    };
    let mut extra: Option<Value> = map.remove("additionalProperties");
    for member in members {
        let Value::Object(mut member) = member else {
            continue;
        };
        if let Some(Value::Object(props)) = member.remove("properties") {
            for (name, schema) in props {
                match properties.get_mut(&name) {
                    None => {
                        properties.insert(name, schema);
                    }
                    Some(existing) if *existing == schema => {}
                    Some(existing) => {
                        let mut both = Map::new();
                        both.insert("allOf".into(), Value::Array(vec![existing.take(), schema]));
                        merge_all_of(&mut both);
                        *existing = Value::Object(both);
                    }
                }
            }
        }
        if let Some(Value::Array(names)) = member.remove("required") {
            for name in names {
                if !required.contains(&name) {
                    required.push(name);
                }
            }
        }
        if let Some(member_extra) = member.remove("additionalProperties") {
            // Differing schemas for unknown fields: leave them open.
            extra = match extra {
                None => Some(member_extra),
                Some(e) if e == member_extra => Some(e),
                Some(_) => Some(Value::Bool(true)),
            };
        }
        if let Some(description) = member.remove("description")
            && !map.contains_key("description")
        {
            map.insert("description".into(), description);
        }
    }
    map.insert("type".into(), "object".into());
    map.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        map.insert("required".into(), Value::Array(required));
    }
    if let Some(extra) = extra {
        map.insert("additionalProperties".into(), extra);
    }
}

/// The Rust field name typify gives a property (its `sanitize`, snake case).
pub(crate) fn field_name(property: &str) -> String {
    use heck::ToSnakeCase;
    let out = match property {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => property
            .replace('\'', "")
            .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-")
            .to_snake_case(),
    };
    let out = match out.chars().next() {
        Some(c) if c.is_alphabetic() => out,
        _ => format!("x{out}"),
    };
    if typify::accept_as_ident(&out) {
        out
    } else {
        format!("{out}_")
    }
}

/// Of two properties with the same Rust field name (`createdAt` and `created_at`, `self`
/// and `Self`), the later one in schema order is left out of the struct (typify would emit
/// the field twice); its value is then kept in `extra` like any unknown field.
fn drop_colliding_fields(map: &mut Map<String, Value>) {
    let Some(Value::Object(properties)) = map.get_mut("properties") else {
        return;
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut dropped = Vec::new();
    properties.retain(|name, _| {
        let keep = seen.insert(field_name(name));
        if !keep {
            dropped.push(Value::String(name.clone()));
        }
        keep
    });
    if let Some(Value::Array(required)) = map.get_mut("required") {
        required.retain(|r| !dropped.contains(r));
    }
}

fn open_object(map: &mut Map<String, Value>) {
    let Some(Value::Object(properties)) = map.get("properties") else {
        return;
    };
    if properties.is_empty() {
        if map.get("additionalProperties") == Some(&Value::Bool(false)) {
            map.remove("additionalProperties");
        }
        return;
    }
    if properties.keys().any(|p| field_name(p) == "extra") {
        map.remove("additionalProperties");
        return;
    }
    match map.get("additionalProperties") {
        Some(Value::Object(_)) => {}
        _ => {
            map.insert("additionalProperties".into(), Value::Object(Map::new()));
        }
    }
}

/// Whether a schema accepts `null`.
pub(crate) fn accepts_null(value: &Value) -> bool {
    let Value::Object(map) = value else {
        return value == &Value::Bool(true);
    };
    if map.get("nullable") == Some(&Value::Bool(true)) {
        return true;
    }
    match map.get("type") {
        Some(Value::String(t)) => return t == "null",
        Some(Value::Array(types)) => return types.iter().any(|t| t == "null"),
        _ => {}
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        return values.iter().any(Value::is_null);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = map.get(key) {
            // The catch-all takes null too, but a required union stays required.
            return members
                .iter()
                .any(|m| m.get(CATCH_ALL).is_none() && accepts_null(m));
        }
    }
    // No type, no enum, no union: a reference or an allOf constrains it; anything else
    // ({}, a description only) accepts any value, null included.
    !["$ref", "allOf", "properties", "items"]
        .iter()
        .any(|k| map.contains_key(*k))
}

fn drop_nullable_from_required(map: &mut Map<String, Value>) {
    let Some(Value::Array(required)) = map.get("required") else {
        return;
    };
    let properties = match map.get("properties") {
        Some(Value::Object(p)) => p,
        _ => &Map::new(),
    };
    // A required name without a property would be a required `serde_json::Value`; it is
    // dropped too (the value, when present, lands in `extra`).
    let kept: Vec<Value> = required
        .iter()
        .filter(|name| {
            name.as_str()
                .and_then(|n| properties.get(n))
                .is_some_and(|schema| !accepts_null(schema))
        })
        .cloned()
        .collect();
    if kept.is_empty() {
        map.remove("required");
    } else {
        map.insert("required".into(), Value::Array(kept));
    }
}

/// Whether a union member takes any value (so the union needs no catch-all).
fn permissive(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Object(map) => map.keys().all(|k| k == "description" || k == CATCH_ALL),
        _ => false,
    }
}

fn is_null(value: &Value) -> bool {
    match value.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().all(|t| t == "null"),
        _ => value
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|v| v.iter().all(Value::is_null)),
    }
}

fn open_unions(map: &mut Map<String, Value>) {
    let shapes = |members: &Vec<Value>| members.iter().filter(|m| !is_null(m)).count();
    if let Some(Value::Array(members)) = map.get("anyOf")
        && shapes(members) >= 2
        && !map.contains_key("oneOf")
        && let Some(members) = map.remove("anyOf")
    {
        map.insert("oneOf".into(), members);
    }
    let Some(Value::Array(members)) = map.get_mut("oneOf") else {
        return;
    };
    if shapes(members) < 2 {
        return;
    }
    if members.iter().any(is_null) {
        // [A, B, null] is Option<[A, B]>: the node is wrapped below (`make_nullable`).
        members.retain(|m| !is_null(m));
        map.insert("nullable".into(), Value::Bool(true));
    }
    let Some(Value::Array(members)) = map.get_mut("oneOf") else {
        return;
    };
    if members.iter().any(permissive) {
        return;
    }
    let mut catch_all = Map::new();
    catch_all.insert(
        "description".into(),
        "A value none of the documented shapes match, kept as JSON.".into(),
    );
    catch_all.insert(CATCH_ALL.into(), Value::Bool(true));
    members.push(Value::Object(catch_all));
}

fn make_nullable(map: &mut Map<String, Value>) {
    match map.get_mut("type") {
        Some(Value::String(t)) => {
            if t != "null" {
                let t = std::mem::take(t);
                map.insert(
                    "type".into(),
                    Value::Array(vec![Value::String(t), "null".into()]),
                );
            }
            if let Some(Value::Array(values)) = map.get_mut("enum")
                && !values.iter().any(Value::is_null)
            {
                values.push(Value::Null);
            }
        }
        Some(Value::Array(types)) => {
            if !types.iter().any(|t| t == "null") {
                types.push("null".into());
            }
        }
        Some(_) => {}
        None => {
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                if !values.iter().any(Value::is_null) {
                    values.push(Value::Null);
                }
            } else if !accepts_null(&Value::Object(map.clone())) {
                // {"$ref": ..} or {"allOf": ..}: {"anyOf": [<it>, {"type": "null"}]}
                let description = map.remove("description");
                let inner = std::mem::take(map);
                map.insert(
                    "anyOf".into(),
                    Value::Array(vec![
                        Value::Object(inner),
                        serde_json::json!({"type": "null"}),
                    ]),
                );
                if let Some(d) = description {
                    map.insert("description".into(), d);
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "prepass_tests.rs"]
mod tests;
