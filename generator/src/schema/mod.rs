//! Record models: the JSON Schema pre-pass, then typify, one named type per resource.

pub mod enums;
pub mod prepass;

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use typify::{TypeSpace, TypeSpaceImpl, TypeSpaceSettings};

use crate::ir::ResourceIr;

/// The models of one API.
#[derive(Debug)]
pub struct Models {
    /// typify's output: every type, sorted by name.
    pub tokens: TokenStream,
    /// The record type of each resource, as a path from the crate root (`types::Contact`),
    /// or `None` for a resource without a schema.
    pub record_types: Vec<Option<TokenStream>>,
    /// Whether the models use chrono.
    pub uses_chrono: bool,
    /// Whether the models use uuid.
    pub uses_uuid: bool,
}

/// Generates the models of every resource that has a schema.
pub fn generate(resources: &[ResourceIr]) -> Result<Models, String> {
    let mut taken = BTreeSet::new();
    let mut record_types = Vec::new();
    let mut definitions: Vec<(String, serde_json::Value)> = Vec::new();
    for resource in resources {
        let Some(raw) = &resource.schema else {
            record_types.push(None);
            continue;
        };
        let name = unique_name(raw, &resource.name, &mut taken);
        let ident = proc_macro2::Ident::new(&name, proc_macro2::Span::call_site());
        // types::SignatureRequest
        record_types.push(Some(quote::quote!(types::#ident)));
        definitions.push((name, raw.clone()));
    }
    let mut open_enums = Vec::new();
    for (name, schema) in &mut definitions {
        prepass::prepare(schema);
        open_enums.extend(enums::hoist(schema, name, &mut taken));
    }
    let mut settings = TypeSpaceSettings::default();
    settings
        .with_type_mod("types")
        .with_struct_builder(false)
        .with_derive("PartialEq".to_string());
    for open in &open_enums {
        settings.with_replacement(
            &open.name,
            format!("crate::types::{}", open.name),
            [TypeSpaceImpl::Display, TypeSpaceImpl::FromStr].into_iter(),
        );
        definitions.push((open.name.clone(), serde_json::json!({"type": "string"})));
    }
    let mut schemas = Vec::with_capacity(definitions.len());
    for (name, schema) in definitions {
        let schema: schemars::schema::Schema = serde_json::from_value(schema)
            .map_err(|e| format!("schema of `{name}` is not a JSON Schema: {e}"))?;
        schemas.push((name, schema));
    }
    let mut space = TypeSpace::new(&settings);
    // typify panics on some shapes it does not support; report them as errors.
    let added = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        space.add_ref_types(schemas)
    }));
    match added {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("schemas: {e}")),
        Err(_) => return Err("a schema uses a shape typify cannot convert".to_string()),
    }
    let enum_code = open_enums.iter().map(enums::emit);
    let typify_code = space.to_stream();
    // typify's types, then the open enums: `pub enum Status { Draft, .., Unknown(String) }`
    let tokens = quote::quote! {
        #typify_code
        #(#enum_code)*
    };
    Ok(Models {
        tokens,
        record_types,
        uses_chrono: space.uses_chrono(),
        uses_uuid: space.uses_uuid(),
    })
}

/// The record type's name: the schema's title, else the resource name, in PascalCase; a
/// name already taken falls back to the resource name, then gets a number.
fn unique_name(schema: &serde_json::Value, resource: &str, taken: &mut BTreeSet<String>) -> String {
    use heck::ToUpperCamelCase;
    let from_resource = resource.to_upper_camel_case();
    let preferred = schema
        .get("title")
        .and_then(|t| t.as_str())
        .map(|t| t.to_upper_camel_case())
        .filter(|t| !t.is_empty() && t.starts_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or_else(|| from_resource.clone());
    let mut name = preferred;
    if taken.contains(&name) {
        name = from_resource.clone();
    }
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{from_resource}{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}
