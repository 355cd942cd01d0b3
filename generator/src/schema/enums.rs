//! Open string enums. typify's enums reject a value they do not know, which breaks a sync the
//! day an API adds one; so every string enum is hoisted out of the schema into a named
//! definition, replaced in typify by our own enum that keeps unknown values in
//! `Unknown(String)` and round-trips them: the runtime's `open_enum!` writes its behaviour,
//! the generated code invokes it with the variant table. The enum's name is the title `names` gave it; a
//! union's discriminator (marked closed by `names`) is left to typify.

use std::collections::BTreeSet;

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use super::names::CLOSED;
use super::refs::for_each_subschema;

/// A string enum found in a schema.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenEnum {
    /// The Rust type name.
    pub name: String,
    /// The known wire values, in schema order.
    pub values: Vec<String>,
    /// The schema's description.
    pub description: Option<String>,
}

/// Replaces every titled string enum under `schema` by a `$ref` to a definition of that
/// name, and returns the enums found. `null` in the values, or a nullable type, makes the
/// reference nullable. A definition that is itself an enum becomes a reference to itself,
/// which the caller drops (the enum replaces it).
pub fn hoist(schema: &mut Value) -> Vec<OpenEnum> {
    let mut found = Vec::new();
    walk(schema, &mut found);
    found
}

fn walk(value: &mut Value, found: &mut Vec<OpenEnum>) {
    let Value::Object(map) = value else { return };
    if map.contains_key(CLOSED) {
        map.remove(CLOSED);
        return;
    }
    if let Some((values, nullable)) = as_string_enum(map)
        && let Some(Value::String(name)) = map.get("title")
    {
        let name = name.clone();
        let description = map.get("description").cloned();
        found.push(OpenEnum {
            name: name.clone(),
            values,
            description: description
                .as_ref()
                .and_then(Value::as_str)
                .map(str::to_string),
        });
        *map = reference(&name, nullable, description);
        return;
    }
    let _ = for_each_subschema::<()>(map, &mut |_, child| {
        walk(child, found);
        Ok(())
    });
}

/// `{"allOf": [{"$ref": ..}]}`, or `{"anyOf": [{"$ref": ..}, {"type": "null"}]}` when
/// nullable, with the description kept for the field's doc comment.
pub(crate) fn reference(
    name: &str,
    nullable: bool,
    description: Option<Value>,
) -> Map<String, Value> {
    let reference = serde_json::json!({ "$ref": format!("#/definitions/{name}") });
    let mut replacement = Map::new();
    if let Some(d) = description {
        replacement.insert("description".into(), d);
    }
    if nullable {
        replacement.insert(
            "anyOf".into(),
            Value::Array(vec![reference, serde_json::json!({"type": "null"})]),
        );
    } else {
        replacement.insert("allOf".into(), Value::Array(vec![reference]));
    }
    replacement
}

/// The values and nullability of a string enum schema.
fn as_string_enum(map: &Map<String, Value>) -> Option<(Vec<String>, bool)> {
    let values = map.get("enum")?.as_array()?;
    let typed_string = match map.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => {
            types.iter().any(|t| t == "string")
                && types.iter().all(|t| t == "string" || t == "null")
        }
        None => true,
        _ => false,
    };
    if !typed_string || !values.iter().all(|v| v.is_string() || v.is_null()) {
        return None;
    }
    let strings: Vec<String> = values
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    if strings.is_empty() {
        return None;
    }
    let nullable = values.iter().any(Value::is_null)
        || matches!(map.get("type"), Some(Value::Array(t)) if t.iter().any(|t| t == "null"));
    Some((strings, nullable))
}

/// The variant names of an enum: PascalCase values, made unique; the catch-all is `Unknown`
/// unless a value already takes that name.
fn variant_names(open: &OpenEnum) -> (Vec<Ident>, Ident) {
    let mut used = BTreeSet::new();
    let variants = open
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut name: String = v
                .to_upper_camel_case()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect();
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                name = format!("V{name}");
            }
            if name == "Self" || !used.insert(name.clone()) {
                name = format!("{name}{i}");
                used.insert(name.clone());
            }
            Ident::new(&name, Span::call_site())
        })
        .collect();
    let unknown = if used.contains("Unknown") {
        "UnknownValue"
    } else {
        "Unknown"
    };
    (variants, Ident::new(unknown, Span::call_site()))
}

/// The Rust code of an open enum: the type, then an invocation of the runtime's
/// `open_enum!` with the variant table, which writes `as_str`, `Display`, `FromStr` and serde.
pub fn emit(open: &OpenEnum) -> TokenStream {
    let name = Ident::new(&open.name, Span::call_site());
    let (variants, unknown) = variant_names(open);
    let values = &open.values;
    let doc = open
        .description
        .as_deref()
        .map(|d| d.lines().map(|l| format!(" {l}")).collect::<Vec<_>>())
        .unwrap_or_else(|| {
            vec![format!(
                " One of the values the API documents for `{}`.",
                open.name
            )]
        });
    let variant_docs = values.iter().map(|v| format!(" `{v}`"));
    // /// doc
    // #[derive(..)] pub enum Status { /// `draft` Draft, .., Unknown(String) }
    // ::restgen_runtime::open_enum!(Status { Draft("draft"), .. } Unknown);
    quote! {
        #(#[doc = #doc])*
        #[doc = ""]
        #[doc = " Open: a value this client does not know yet is kept in the catch-all variant."]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(
                #[doc = #variant_docs]
                #variants,
            )*
            /// A value this client does not know yet, kept exactly as the API sent it.
            #unknown(::std::string::String),
        }

        ::restgen_runtime::open_enum!(#name { #(#variants(#values)),* } #unknown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hoists_titled_enums_and_leaves_closed_ones() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["draft", "done"], "description": "State.",
                           "title": "RequestStatus"},
                "signers": {"type": "array", "items": {"type": "object", "properties": {
                    "role": {"type": ["null", "string"], "enum": ["a", "b", null],
                             "title": "RequestSignersItemRole"}
                }}},
                "tag": {"enum": ["card"], "title": "Tag", "x-restgen-closed": true}
            }
        });
        let found = hoist(&mut schema);
        let names: Vec<_> = found.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["RequestStatus", "RequestSignersItemRole"]);
        assert_eq!(
            schema["properties"]["status"],
            json!({"description": "State.", "allOf": [{"$ref": "#/definitions/RequestStatus"}]})
        );
        assert_eq!(
            schema["properties"]["signers"]["items"]["properties"]["role"],
            json!({"anyOf": [{"$ref": "#/definitions/RequestSignersItemRole"}, {"type": "null"}]})
        );
        assert_eq!(
            schema["properties"]["tag"],
            json!({"enum": ["card"], "title": "Tag"})
        );
    }

    #[test]
    fn variant_names_are_unique_and_valid() {
        let open = OpenEnum {
            name: "E".into(),
            values: vec![
                "in-progress".into(),
                "in_progress".into(),
                "1st".into(),
                "unknown".into(),
            ],
            description: None,
        };
        let (variants, unknown) = variant_names(&open);
        let shown: Vec<String> = variants.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["InProgress", "InProgress1", "V1st", "Unknown"]);
        assert_eq!(unknown.to_string(), "UnknownValue");
    }
}
