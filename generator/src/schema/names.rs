//! Type names. typify names an inline schema after its position (`Contact` + `book` =
//! `ContactBook`) and never checks that the name is free, so a record `ContactBook` and the
//! inline object `book` of `Contact` both emit `pub struct ContactBook`, which does not
//! compile. So every inline schema that becomes a Rust type (object with properties, string
//! enum, union, unmerged allOf, multi-type value) gets an explicit `title` here, which typify
//! uses as the type's name. The title is the position name, or the position name with a
//! number when it is already taken: `Contact.book` is `ContactBook2` when a record is called
//! `ContactBook`. Record names are taken first, then the names are given in resource order
//! and schema order, so the result is the same on every run.
//!
//! Position names: `<Parent><Property>`, `<Parent>Item` for array items, `<Parent>Value` for
//! map values, and for a union member `<Union><Tag>` (the value of its discriminator, a
//! required one-value string enum), `<Union>Variant<i>` otherwise; the catch-all is titled
//! so that its variant reads `Other`. A discriminator is marked closed, so `enums` leaves it to typify: a shape whose
//! tag does not match is skipped and the next one is tried.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::prepass::CATCH_ALL;
use super::{claim, pascal};

/// Marks a discriminator enum that must stay closed (see the module doc).
pub const CLOSED: &str = "x-restgen-closed";

/// Names the inline types under the definition `schema`, itself named `name`.
pub fn assign(schema: &mut Value, name: &str, taken: &mut BTreeSet<String>) {
    let Value::Object(map) = schema else { return };
    if is_string_enum(map) {
        // A definition that is itself an enum keeps its own name.
        map.insert("title".into(), name.into());
    }
    children(map, name, taken);
}

fn visit(value: &mut Value, position: &str, taken: &mut BTreeSet<String>) {
    let Value::Object(map) = value else { return };
    let name = if becomes_type(map) {
        let name = claim(&pascal(position), taken);
        map.insert("title".into(), name.clone().into());
        name
    } else {
        position.to_string()
    };
    children(map, &name, taken);
}

fn children(map: &mut Map<String, Value>, name: &str, taken: &mut BTreeSet<String>) {
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => {
                for (property, child) in properties.iter_mut() {
                    visit(child, &format!("{name} {property}"), taken);
                }
            }
            ("items", child @ Value::Object(_)) => visit(child, &format!("{name} item"), taken),
            ("additionalProperties", child @ Value::Object(_)) => {
                visit(child, &format!("{name} value"), taken);
            }
            // typify merges the members into the type `name`: their fields are its fields.
            ("allOf", Value::Array(members)) => {
                for member in members.iter_mut() {
                    if let Value::Object(member) = member {
                        children(member, name, taken);
                    }
                }
            }
            ("anyOf" | "oneOf", Value::Array(members)) => union(members, name, taken),
            _ => {}
        }
    }
}

fn union(members: &mut [Value], name: &str, taken: &mut BTreeSet<String>) {
    let shapes = members.iter().filter(|m| !is_null(m)).count();
    if shapes < 2 {
        // [X, null] is an Option: X is the type itself.
        for member in members.iter_mut().filter(|m| !is_null(m)) {
            visit(member, name, taken);
        }
        return;
    }
    // The name typify sees for each shape: its title, or the referenced definition.
    let mut named = Vec::new();
    for (i, member) in members.iter_mut().enumerate() {
        let Value::Object(map) = member else { continue };
        if map.contains_key(CATCH_ALL) || is_null_map(map) {
            continue;
        }
        let position = match discriminator(map) {
            Some(tag) => format!("{name} {tag}"),
            None => format!("{name} variant {i}"),
        };
        visit(member, &position, taken);
        let title = member.get("title").and_then(Value::as_str);
        let reference = member
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next());
        if let Some(n) = title.or(reference) {
            named.push(n.to_string());
        }
    }
    // typify names each variant after its shape's name, minus the words all names share,
    // when every shape has one: the catch-all is `<shared words>Other`, so it reads `Other`.
    let catch_all = members
        .iter()
        .filter(|m| m.get(CATCH_ALL).is_some())
        .count();
    let prefix = if named.len() + catch_all == shapes {
        common_words(&named)
    } else {
        String::new()
    };
    let mut other = pascal(&format!("{prefix} other"));
    if named.contains(&other) {
        other = pascal(&format!("{prefix} unmatched"));
    }
    for member in members.iter_mut() {
        if let Value::Object(map) = member
            && map.contains_key(CATCH_ALL)
        {
            map.insert("title".into(), other.clone().into());
        }
    }
}

/// The leading words all `names` share (`PaymentMethodCard`, `PaymentMethodBankTransfer`:
/// `PaymentMethod`), as typify computes it for variant names.
fn common_words(names: &[String]) -> String {
    use heck::ToKebabCase;
    let split: Vec<Vec<String>> = names
        .iter()
        .map(|n| n.to_kebab_case().split('-').map(str::to_string).collect())
        .collect();
    let Some(first) = split.first() else {
        return String::new();
    };
    let shared = first
        .iter()
        .enumerate()
        .take_while(|(i, word)| split.iter().all(|words| words.get(*i) == Some(*word)))
        .map(|(_, word)| word.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    if shared.is_empty() {
        shared
    } else {
        pascal(&shared)
    }
}

/// Marks closed the tags of the definitions that are members of a union by reference
/// (`oneOf: [{"$ref": ..}, ..]`), as `assign` does for inline members.
pub fn close_referenced_tags(definitions: &mut [(String, Value)]) {
    let mut members = BTreeSet::new();
    for (_, schema) in definitions.iter() {
        referenced_members(schema, &mut members);
    }
    for (name, schema) in definitions.iter_mut() {
        if members.contains(&format!("#/definitions/{name}"))
            && let Value::Object(map) = schema
        {
            discriminator(map);
        }
    }
}

pub(crate) fn referenced_members(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for key in ["oneOf", "anyOf"] {
                if let Some(Value::Array(members)) = map.get(key)
                    && members.iter().filter(|m| !is_null(m)).count() >= 2
                {
                    found.extend(
                        members
                            .iter()
                            .filter_map(|m| m.get("$ref")?.as_str().map(str::to_string)),
                    );
                }
            }
            map.values().for_each(|v| referenced_members(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| referenced_members(v, found)),
        _ => {}
    }
}

/// The tag of a union member: its first required property whose schema is a one-value
/// string enum. The property is marked closed.
fn discriminator(map: &mut Map<String, Value>) -> Option<String> {
    let required: Vec<String> = map
        .get("required")?
        .as_array()?
        .iter()
        .filter_map(|r| r.as_str().map(str::to_string))
        .collect();
    let Some(Value::Object(properties)) = map.get_mut("properties") else {
        return None;
    };
    let mut tag = None;
    for (property, schema) in properties.iter_mut() {
        if !required.contains(property) {
            continue;
        }
        let Value::Object(schema) = schema else {
            continue;
        };
        let value = match schema
            .get("enum")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([Value::String(v)]) => v.clone(),
            _ => continue,
        };
        schema.insert(CLOSED.into(), Value::Bool(true));
        tag.get_or_insert(value);
    }
    tag
}

/// Whether typify emits a named type for this schema.
fn becomes_type(map: &Map<String, Value>) -> bool {
    let has_properties = matches!(map.get("properties"), Some(Value::Object(p)) if !p.is_empty());
    let union = ["anyOf", "oneOf"].iter().any(|k| {
        map.get(*k)
            .and_then(Value::as_array)
            .is_some_and(|m| m.iter().filter(|m| !is_null(m)).count() >= 2)
    });
    let multi_type = map
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().filter(|t| *t != "null").count() >= 2);
    has_properties || union || multi_type || map.contains_key("allOf") || is_string_enum(map)
}

fn is_string_enum(map: &Map<String, Value>) -> bool {
    map.get("enum")
        .and_then(Value::as_array)
        .is_some_and(|v| v.iter().any(Value::is_string))
}

fn is_null(value: &Value) -> bool {
    matches!(value, Value::Object(map) if is_null_map(map))
}

fn is_null_map(map: &Map<String, Value>) -> bool {
    match map.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().all(|t| t == "null"),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_names_skip_taken_ones() {
        let mut taken = BTreeSet::from(["Contact".to_string(), "ContactBook".to_string()]);
        let mut contact = json!({"type": "object", "properties": {
            "book": {"type": "object", "properties": {
                "owner": {"type": "string", "enum": ["me", "team"]}
            }},
            "tags": {"type": "array", "items": {"type": "object", "properties": {"a": {}}}},
            "tags_item": {"type": "object", "properties": {"a": {}}},
            "plain": {"type": "string"}
        }});
        assign(&mut contact, "Contact", &mut taken);
        let p = &contact["properties"];
        assert_eq!(p["book"]["title"], "ContactBook2");
        assert_eq!(
            p["book"]["properties"]["owner"]["title"],
            "ContactBook2Owner"
        );
        assert_eq!(p["tags"]["items"]["title"], "ContactTagsItem");
        assert_eq!(p["tags_item"]["title"], "ContactTagsItem2");
        assert!(p["plain"].get("title").is_none());
        assert!(p["tags"].get("title").is_none());
    }

    #[test]
    fn union_members_are_named_after_their_tag() {
        let mut taken = BTreeSet::new();
        let mut payment = json!({"properties": {"method": {"oneOf": [
            {"required": ["type"], "properties": {"type": {"enum": ["card"]}, "last4": {}}},
            {"required": ["type"], "properties": {"type": {"enum": ["bank_transfer"]}}},
            {"description": "catch-all", "x-restgen-catch-all": true}
        ]}}});
        assign(&mut payment, "Payment", &mut taken);
        let m = &payment["properties"]["method"];
        assert_eq!(m["title"], "PaymentMethod");
        assert_eq!(m["oneOf"][0]["title"], "PaymentMethodCard");
        assert_eq!(m["oneOf"][0]["properties"]["type"][CLOSED], true);
        assert_eq!(
            m["oneOf"][0]["properties"]["type"]["title"],
            "PaymentMethodCardType"
        );
        assert_eq!(m["oneOf"][1]["title"], "PaymentMethodBankTransfer");
        assert_eq!(m["oneOf"][2]["title"], "PaymentMethodOther");
    }

    #[test]
    fn catch_all_takes_the_shared_words_of_the_shapes() {
        let mut taken = BTreeSet::new();
        let mut payment = json!({"properties": {
            "refs": {"oneOf": [
                {"$ref": "#/definitions/PaymentCheckoutSource"},
                {"$ref": "#/definitions/PaymentInvoiceSource"},
                {"x-restgen-catch-all": true}
            ]},
            "mixed": {"oneOf": [
                {"type": "string"}, {"type": "integer"}, {"x-restgen-catch-all": true}
            ]}
        }});
        assign(&mut payment, "Payment", &mut taken);
        assert_eq!(
            payment["properties"]["refs"]["oneOf"][2]["title"],
            "PaymentOther"
        );
        assert_eq!(payment["properties"]["mixed"]["oneOf"][2]["title"], "Other");
    }

    #[test]
    fn tags_of_referenced_members_are_closed() {
        let mut definitions = vec![
            (
                "R".to_string(),
                json!({"properties": {"a": {"oneOf": [
                    {"$ref": "#/definitions/RP"}, {"$ref": "#/definitions/RQ"}, {"x-restgen-catch-all": true}
                ]}}}),
            ),
            (
                "RP".to_string(),
                json!({"required": ["kind"], "properties": {"kind": {"enum": ["p"]}}}),
            ),
            (
                "RQ".to_string(),
                json!({"properties": {"kind": {"enum": ["q"]}}}),
            ),
        ];
        close_referenced_tags(&mut definitions);
        assert_eq!(definitions[1].1["properties"]["kind"][CLOSED], true);
        // Not required: not a tag.
        assert!(definitions[2].1["properties"]["kind"].get(CLOSED).is_none());
    }

    #[test]
    fn options_take_the_position_name() {
        let mut taken = BTreeSet::new();
        let mut s = json!({"properties": {"a": {"anyOf": [
            {"type": "object", "properties": {"x": {}}}, {"type": "null"}
        ]}}});
        assign(&mut s, "R", &mut taken);
        assert!(s["properties"]["a"].get("title").is_none());
        assert_eq!(s["properties"]["a"]["anyOf"][0]["title"], "Ra");
    }
}
