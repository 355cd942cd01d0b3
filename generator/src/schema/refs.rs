//! Local references. typify resolves a `$ref` by its last segment among the definitions it
//! is given, and panics on one it cannot find; a record schema's own `definitions` are not
//! among them. So before anything else each record schema is bundled:
//!
//! - `#` (recursion through the record itself) becomes a reference to the record's type;
//! - `#/definitions/<key>` and `#/$defs/<key>` become references to definitions of their
//!   own, hoisted out of the record and named `<Record><Key>` (numbered when taken);
//! - any other `$ref` (another file, a pointer into `properties`) is an error that names the
//!   reference and where it is, instead of a typify panic.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{claim, pascal};

/// Rewrites the references of the record schema `schema` (type `record`) and returns the
/// hoisted definitions, each already rewritten, in schema order. A reference it cannot
/// follow fails with its pointer and why.
pub fn bundle(
    schema: &mut Value,
    record: &str,
    taken: &mut BTreeSet<String>,
) -> Result<Vec<(String, Value)>, (String, String)> {
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    // "#/definitions/node" -> "FolderNode"
    let mut targets: BTreeMap<String, String> = BTreeMap::new();
    targets.insert("#".into(), record.into());
    if let Value::Object(root) = schema {
        for keyword in ["definitions", "$defs"] {
            let Some(Value::Object(defs)) = root.remove(keyword) else {
                continue;
            };
            for (key, def) in defs {
                let name = claim(&pascal(&format!("{record} {key}")), taken);
                targets.insert(format!("#/{keyword}/{}", escape(&key)), name.clone());
                hoisted.push((name, def));
            }
        }
    }
    rewrite(schema, &targets, &mut String::new())?;
    for (name, def) in &mut hoisted {
        let mut at = format!("/definitions/{name}");
        rewrite(def, &targets, &mut at)?;
    }
    Ok(hoisted)
}

/// Breaks the `allOf` cycles typify cannot handle. typify merges an `allOf` member that is
/// a `$ref` by expanding the referenced schema inline; when that schema leads back to the
/// same `allOf` through `allOf` references (`allOf: [{"$ref": "#"}, {..}]` inside the
/// record), it expands forever and
/// overflows the stack, which aborts the process. Such an `allOf` keeps only its
/// references: the other members' fields are then fields the referenced type does not
/// list, kept in its `extra` map. `definitions` are one record's bundle, names as typify
/// sees them.
pub fn break_all_of_cycles(definitions: &mut [(String, Value)]) {
    let edges: BTreeMap<String, BTreeSet<String>> = definitions
        .iter()
        .map(|(name, schema)| {
            let mut targets = BTreeSet::new();
            references(schema, &mut targets);
            (name.clone(), targets)
        })
        .collect();
    for (name, schema) in definitions.iter_mut() {
        cut(schema, name, &edges);
    }
}

/// The definitions `value` references as `allOf` members (the references typify expands).
fn references(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(members)) = map.get("allOf") {
                found.extend(members.iter().filter_map(|m| {
                    let r = m.get("$ref")?.as_str()?;
                    Some(r.strip_prefix("#/definitions/")?.to_string())
                }));
            }
            map.values().for_each(|v| references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

/// Whether `from` leads to `to` through `allOf` references.
fn reaches(from: &str, to: &str, edges: &BTreeMap<String, BTreeSet<String>>) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(at) = stack.pop() {
        if at == to {
            return true;
        }
        if seen.insert(at.clone())
            && let Some(next) = edges.get(&at)
        {
            stack.extend(next.iter().cloned());
        }
    }
    false
}

fn cut(value: &mut Value, owner: &str, edges: &BTreeMap<String, BTreeSet<String>>) {
    let Value::Object(map) = value else { return };
    if let Some(Value::Array(members)) = map.get_mut("allOf") {
        let cyclic = |m: &Value| {
            m.get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
                .is_some_and(|target| reaches(target, owner, edges))
        };
        if members.iter().any(cyclic) {
            members.retain(|m| m.get("$ref").is_some());
        }
    }
    let _ = for_each_subschema::<()>(map, &mut |_, child| {
        cut(child, owner, edges);
        Ok(())
    });
}

/// A definition key as written in a JSON pointer.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn rewrite(
    value: &mut Value,
    targets: &BTreeMap<String, String>,
    at: &mut String,
) -> Result<(), (String, String)> {
    let Value::Object(map) = value else {
        return Ok(());
    };
    if let Some(Value::String(reference)) = map.get_mut("$ref") {
        let Some(name) = targets.get(reference.as_str()) else {
            let pointer = if at.is_empty() { "/" } else { at.as_str() };
            return Err((
                pointer.to_string(),
                format!(
                    "`$ref: {reference}` is not supported: a record schema may only reference \
                     itself (`#`) or its own `definitions`/`$defs`"
                ),
            ));
        };
        *reference = format!("#/definitions/{name}");
    }
    for_each_subschema(map, &mut |key, child| {
        let len = at.len();
        at.push('/');
        at.push_str(key);
        let result = rewrite(child, targets, at);
        at.truncate(len);
        result
    })
}

/// Calls `f` with the JSON pointer suffix (`properties/name`) and the value of every
/// direct subschema of `map`, stopping at the first error.
pub(crate) fn for_each_subschema<E>(
    map: &mut Map<String, Value>,
    f: &mut dyn FnMut(&str, &mut Value) -> Result<(), E>,
) -> Result<(), E> {
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            (
                "properties" | "patternProperties" | "definitions" | "$defs" | "dependencies",
                Value::Object(children),
            ) => {
                for (name, child) in children.iter_mut() {
                    if child.is_object() {
                        f(&format!("{key}/{}", escape(name)), child)?;
                    }
                }
            }
            ("allOf" | "anyOf" | "oneOf" | "items" | "prefixItems", Value::Array(children)) => {
                for (i, child) in children.iter_mut().enumerate() {
                    f(&format!("{key}/{i}"), child)?;
                }
            }
            (
                "items"
                | "additionalProperties"
                | "additionalItems"
                | "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "propertyNames"
                | "unevaluatedProperties",
                child @ Value::Object(_),
            ) => f(key, child)?,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hoists_definitions_and_points_root_at_the_record() {
        let mut schema = json!({
            "type": "object",
            "definitions": {
                "node": {"type": "object", "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}
                }}
            },
            "$defs": {"a/b": {"type": "string"}},
            "properties": {
                "tree": {"$ref": "#/definitions/node"},
                "odd": {"$ref": "#/$defs/a~1b"},
                "parent": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}
            }
        });
        let mut taken = BTreeSet::from(["Folder".to_string(), "FolderNode".to_string()]);
        let hoisted = bundle(&mut schema, "Folder", &mut taken).unwrap();
        let names: Vec<&str> = hoisted.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["FolderNode2", "FolderAb"]);
        assert_eq!(
            schema["properties"],
            json!({
                "tree": {"$ref": "#/definitions/FolderNode2"},
                "odd": {"$ref": "#/definitions/FolderAb"},
                "parent": {"anyOf": [{"$ref": "#/definitions/Folder"}, {"type": "null"}]}
            })
        );
        assert_eq!(
            hoisted[0].1["properties"]["children"]["items"],
            json!({"$ref": "#/definitions/FolderNode2"})
        );
        assert!(schema.get("definitions").is_none() && schema.get("$defs").is_none());
    }

    #[test]
    fn all_of_cycles_keep_only_their_references() {
        let mut definitions = vec![
            (
                "Ticket".to_string(),
                json!({"properties": {
                    "parent": {"allOf": [{"$ref": "#/definitions/Ticket"}, {"properties": {"x": {}}}]},
                    "owner": {"allOf": [{"$ref": "#/definitions/User"}, {"properties": {"y": {}}}]}
                }}),
            ),
            ("User".to_string(), json!({"properties": {"id": {}}})),
        ];
        break_all_of_cycles(&mut definitions);
        let p = &definitions[0].1["properties"];
        assert_eq!(
            p["parent"],
            json!({"allOf": [{"$ref": "#/definitions/Ticket"}]})
        );
        assert_eq!(p["owner"]["allOf"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn other_references_are_located_errors() {
        let mut schema = json!({"properties": {"a": {"items": {"$ref": "other.json#/x"}}}});
        let e = bundle(&mut schema, "R", &mut BTreeSet::new()).unwrap_err();
        assert_eq!(
            e,
            (
                "/properties/a/items".to_string(),
                "`$ref: other.json#/x` is not supported: a record schema may only reference \
                 itself (`#`) or its own `definitions`/`$defs`"
                    .to_string()
            )
        );
    }
}
