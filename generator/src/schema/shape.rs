//! The record shapes for lenient decoding (`restgen_runtime::lenient`), derived from the
//! pre-passed schema typify sees, and the two rewrites that go with them: no field stays
//! required in the model (a required field that is absent decodes as absent), and every
//! record struct gets the field that keeps the values with no exact coercion.

use std::collections::{BTreeMap, BTreeSet};

use restgen_runtime::lenient::{Field, Kind, Node, RecordShape, Scalar};
use serde_json::{Map, Value};

use super::prepass::field_name;
use super::refs::for_each_subschema;

/// The JSON key of the field that keeps a record's raw values.
pub const RAW_FIELD: &str = "_restgen_raw";

/// The shape of the record `definitions[0]`, with its other definitions reachable by `$ref`.
pub fn build(definitions: &[(String, Value)]) -> RecordShape {
    let mut builder = Builder {
        definitions,
        nodes: Vec::new(),
        by_name: BTreeMap::new(),
    };
    if let Some((name, _)) = definitions.first() {
        builder.definition(name);
    }
    let raw_field = definitions
        .first()
        .and_then(|(_, schema)| schema.get("properties")?.as_object())
        .filter(|properties| {
            !properties.is_empty()
                && !properties
                    .keys()
                    .any(|p| field_name(p) == field_name(RAW_FIELD))
        })
        .map(|_| RAW_FIELD.into());
    RecordShape {
        nodes: builder.nodes.into(),
        raw_field,
    }
}

/// Gives the record's schema the property that keeps raw values (when the shape has it).
pub fn add_raw_field(record: &mut Value) {
    let Some(Value::Object(properties)) = record.get_mut("properties") else {
        return;
    };
    properties.insert(
        RAW_FIELD.into(),
        serde_json::json!({
            "type": "object",
            "additionalProperties": {},
            "description": "Values of this record that did not match its schema and had no \
                exact coercion, as the API sent them, by JSON pointer (`/address/zip`). The \
                fields they belong to read as absent. Empty when the record matched."
        }),
    );
}

/// Drops `required` everywhere but in the members of a union (inline, or a definition a
/// union refers to), where it tells the shapes apart: a member missing a field it requires is
/// not that member, and the union's catch-all keeps the value.
pub fn relax_required(definitions: &mut [(String, Value)]) {
    let mut members = BTreeSet::new();
    for (_, schema) in definitions.iter() {
        super::names::referenced_members(schema, &mut members);
    }
    for (name, schema) in definitions.iter_mut() {
        relax(schema, members.contains(&format!("#/definitions/{name}")));
    }
}

fn relax(value: &mut Value, keep: bool) {
    let Value::Object(map) = value else { return };
    if !keep {
        map.remove("required");
    }
    let unions: Vec<&str> = ["oneOf", "anyOf"]
        .into_iter()
        .filter(|key| {
            map.get(*key)
                .and_then(Value::as_array)
                .is_some_and(|members| members.iter().filter(|m| !is_null(m)).count() >= 2)
        })
        .collect();
    let _ = for_each_subschema::<()>(map, &mut |key, child| {
        let member = unions.iter().any(|u| {
            key.strip_prefix(u)
                .is_some_and(|rest| rest.starts_with('/'))
        });
        relax(child, member);
        Ok(())
    });
}

fn is_null(value: &Value) -> bool {
    match value.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().all(|t| t == "null"),
        _ => false,
    }
}

struct Builder<'a> {
    definitions: &'a [(String, Value)],
    nodes: Vec<Node>,
    /// The node of each definition reached so far.
    by_name: BTreeMap<String, u32>,
}

const ANY: Node = Node {
    kind: Kind::Any,
    nullable: true,
};

impl Builder<'_> {
    fn push(&mut self, node: Node) -> u32 {
        self.nodes.push(node);
        u32::try_from(self.nodes.len() - 1).unwrap_or(u32::MAX)
    }

    /// The node of the definition `name`, built once (a recursive reference finds it).
    fn definition(&mut self, name: &str) -> Option<u32> {
        if let Some(index) = self.by_name.get(name) {
            return Some(*index);
        }
        let schema = &self.definitions.iter().find(|(n, _)| n == name)?.1;
        let index = self.push(ANY);
        self.by_name.insert(name.to_string(), index);
        let node = self.node(schema);
        if let Some(slot) = self.nodes.get_mut(index as usize) {
            *slot = node;
        }
        Some(index)
    }

    /// The index of `schema`'s node: a plain reference shares its definition's, and a node
    /// equal to one already built (every nullable string) is shared too.
    fn index(&mut self, schema: &Value) -> u32 {
        if let Some(index) = reference(schema).and_then(|name| self.definition(name)) {
            return index;
        }
        let node = self.node(schema);
        // Index 0 is the record; a definition's slot may still hold its placeholder.
        let built = self.by_name.values().copied().collect::<BTreeSet<u32>>();
        match (1..self.nodes.len()).find(|&i| {
            self.nodes[i] == node && !built.contains(&u32::try_from(i).unwrap_or(u32::MAX))
        }) {
            Some(i) => u32::try_from(i).unwrap_or(u32::MAX),
            None => self.push(node),
        }
    }

    fn node(&mut self, schema: &Value) -> Node {
        let Value::Object(map) = schema else {
            return ANY;
        };
        if let Some(name) = reference(schema) {
            // a definition still being built (recursion) is `Any` here
            return self
                .definition(name)
                .and_then(|index| self.nodes.get(index as usize).cloned())
                .unwrap_or(ANY);
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            let Some(Value::Array(members)) = map.get(key) else {
                continue;
            };
            let shapes: Vec<&Value> = members.iter().filter(|m| !is_null(m)).collect();
            // `[X, null]` is a nullable X; a real union, or a composition, is left open
            return match shapes.as_slice() {
                [only] => {
                    let mut node = self.node(only);
                    node.nullable |= shapes.len() < members.len();
                    node
                }
                _ => ANY,
            };
        }
        let mut nullable = false;
        let types: Vec<&str> = match map.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let types: Vec<&str> = types
            .into_iter()
            .filter(|t| {
                let null = *t == "null";
                nullable |= null;
                !null
            })
            .collect();
        if let Some(Value::Array(values)) = map.get("enum") {
            nullable |= values.iter().any(Value::is_null);
        }
        let kind = match types.as_slice() {
            [] if map.contains_key("properties") => self.object(map),
            [] if map.contains_key("enum") => Kind::Scalar(Scalar::String),
            [] => return ANY,
            ["boolean"] => Kind::Scalar(Scalar::Bool),
            ["integer"] => Kind::Scalar(Scalar::Integer),
            ["number"] => Kind::Scalar(Scalar::Number),
            // the formats an output with its own types (Parquet) keeps; decoding reads both
            // as strings
            ["string"] => Kind::Scalar(match map.get("format").and_then(Value::as_str) {
                Some("date-time") => Scalar::Timestamp,
                Some("date") => Scalar::Date,
                _ => Scalar::String,
            }),
            ["array"] => Kind::Array(match map.get("items") {
                Some(items) => self.index(items),
                None => self.push(ANY),
            }),
            ["object"] => self.object(map),
            _ => return ANY,
        };
        Node { kind, nullable }
    }

    fn object(&mut self, map: &Map<String, Value>) -> Kind {
        let required: BTreeSet<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields = Vec::new();
        if let Some(Value::Object(properties)) = map.get("properties") {
            let sorted: BTreeMap<&String, &Value> = properties.iter().collect();
            for (name, schema) in sorted {
                let node = self.index(schema);
                fields.push(Field {
                    name: name.clone().into(),
                    node,
                    required: required.contains(name.as_str()),
                });
            }
        }
        let rest = match map.get("additionalProperties") {
            Some(schema @ Value::Object(m)) if !m.is_empty() => Some(self.index(schema)),
            _ => None,
        };
        Kind::Object {
            fields: fields.into(),
            rest,
        }
    }
}

/// The definition a plain `{"$ref": "#/definitions/X"}` names.
fn reference(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix("#/definitions/")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_follow_the_schema() {
        let definitions = vec![(
            "User".to_string(),
            json!({"type": "object", "required": ["id"], "properties": {
                    "verified": {"type": ["null", "boolean"]},
                    "id": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "integer"}},
                    "boss": {"anyOf": [{"$ref": "#/definitions/User"}, {"type": "null"}]},
                    "friend": {"$ref": "#/definitions/User"},
                    "kind": {"enum": ["a", "b", null]},
                    "either": {"oneOf": [{"type": "string"}, {"type": "integer"}, {}]}
                }, "additionalProperties": {"type": "number"}}),
        )];
        let shape = build(&definitions);
        let Kind::Object { fields, rest } = &shape.nodes[0].kind else {
            panic!("{shape:?}")
        };
        let names: Vec<&str> = fields.iter().map(|f| &*f.name).collect();
        assert_eq!(
            names,
            ["boss", "either", "friend", "id", "kind", "tags", "verified"]
        );
        let kind = |name: &str| {
            let field = fields.iter().find(|f| f.name == name).unwrap();
            (field.required, shape.nodes[field.node as usize].clone())
        };
        assert!(kind("id").0);
        assert_eq!(
            kind("verified").1,
            Node {
                kind: Kind::Scalar(Scalar::Bool),
                nullable: true
            }
        );
        assert_eq!(kind("friend").1, shape.nodes[0]);
        // the recursive reference while the record was being built is open
        assert_eq!(kind("boss").1, ANY);
        assert_eq!(
            kind("kind").1,
            Node {
                kind: Kind::Scalar(Scalar::String),
                nullable: true
            }
        );
        assert_eq!(kind("either").1.kind, Kind::Any);
        let Kind::Array(item) = kind("tags").1.kind else {
            panic!()
        };
        assert_eq!(
            shape.nodes[item as usize].kind,
            Kind::Scalar(Scalar::Integer)
        );
        assert_eq!(
            shape.nodes[rest.unwrap() as usize].kind,
            Kind::Scalar(Scalar::Number)
        );
        assert_eq!(shape.raw_field.as_deref(), Some(RAW_FIELD));
    }

    #[test]
    fn date_time_and_date_formats_are_timestamps_and_dates() {
        let definitions = vec![(
            "Event".to_string(),
            json!({"type": "object", "properties": {
                "at": {"type": "string", "format": "date-time"},
                "on": {"type": ["string", "null"], "format": "date"},
                "mail": {"type": "string", "format": "email"}
            }}),
        )];
        let shape = build(&definitions);
        let Kind::Object { fields, .. } = &shape.nodes[0].kind else {
            panic!("{shape:?}")
        };
        let node = |name: &str| {
            let field = fields.iter().find(|f| f.name == name).unwrap();
            shape.nodes[field.node as usize].clone()
        };
        assert_eq!(node("at").kind, Kind::Scalar(Scalar::Timestamp));
        assert_eq!(
            node("on"),
            Node {
                kind: Kind::Scalar(Scalar::Date),
                nullable: true
            }
        );
        assert_eq!(node("mail").kind, Kind::Scalar(Scalar::String));
    }

    #[test]
    fn required_goes_except_in_union_members() {
        let mut definitions = vec![
            (
                "A".to_string(),
                json!({"required": ["id"], "properties": {
                    "u": {"oneOf": [
                        {"required": ["kind"], "properties": {"kind": {"enum": ["x"]}}},
                        {"$ref": "#/definitions/B"},
                        {"type": "string"}
                    ]},
                    "n": {"anyOf": [{"required": ["z"], "properties": {"z": {}}}, {"type": "null"}]}
                }}),
            ),
            (
                "B".to_string(),
                json!({"required": ["b"], "properties": {"b": {}}}),
            ),
        ];
        relax_required(&mut definitions);
        let a = &definitions[0].1;
        assert!(a.get("required").is_none());
        assert_eq!(
            a["properties"]["u"]["oneOf"][0]["required"],
            json!(["kind"])
        );
        assert!(a["properties"]["n"]["anyOf"][0].get("required").is_none());
        assert_eq!(definitions[1].1["required"], json!(["b"]));
    }
}
