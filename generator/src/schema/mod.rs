//! Record models: the JSON Schema pre-pass, then typify, one named type per resource.
//!
//! Each resource's schema goes through these steps before typify sees it:
//!
//! 1. [`refs::bundle`]: local `$ref`s are made resolvable (`#` is the record itself,
//!    `#/definitions/x` and `#/$defs/x` become definitions of their own, named `<Record><X>`).
//! 2. [`prepass::prepare`]: the rewrites that make models survive real APIs (nullability in
//!    both styles, no enforced validation, unknown fields kept in `extra`, open unions, ...).
//! 3. [`names::assign`]: every inline schema that becomes a Rust type gets an explicit,
//!    unique name, so two schemas never emit the same Rust name.
//! 4. [`enums::hoist`] and [`formats::hoist`]: string enums and `date`/`date-time` strings are
//!    replaced by our own lenient types (`Unknown(String)`, `Unparsed(String)`).
//!
//! After typify, [`generate`] checks that no two emitted types share a name.

pub mod enums;
mod error;
pub mod formats;
pub mod names;
pub mod prepass;
mod record_attr;
pub mod refs;
pub mod shape;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use serde_json::Value;
use typify::{TypeDetails, TypeSpace, TypeSpaceImpl, TypeSpaceSettings};

use crate::ir::ResourceIr;

pub use error::{Place, SchemaError};

/// The models of one API.
#[derive(Debug)]
pub struct Models {
    /// typify's output: every type, sorted by name.
    pub tokens: TokenStream,
    /// The record type of each resource, as a path from the crate root (`types::Contact`),
    /// or `None` for a resource without a schema.
    pub record_types: Vec<Option<TokenStream>>,
    /// The shape of each resource's record type for lenient decoding, like `record_types`.
    pub shapes: Vec<Option<restgen_runtime::lenient::RecordShape>>,
    /// Whether the models use chrono.
    pub uses_chrono: bool,
    /// Whether the models use uuid.
    pub uses_uuid: bool,
}

/// Generates the models of every resource that has a schema.
pub fn generate(resources: &[ResourceIr]) -> Result<Models, SchemaError> {
    let mut taken = BTreeSet::new();
    let mut record_types = vec![None; resources.len()];
    // (type name, schema, resource it comes from)
    let mut records: Vec<(String, Value, &str, usize)> = Vec::new();
    // Names are given in an order of the resources' names, not the spec's: when two schemas
    // want one name, which gets it must not change when the spec's resources are
    // reordered. Shorter names first: `contacts` keeps the title it shares with
    // `archived_contacts`.
    let mut by_name: Vec<(usize, &ResourceIr)> = resources.iter().enumerate().collect();
    by_name.sort_by_key(|(_, r)| (r.name.len(), r.name.as_str()));
    for (index, resource) in by_name {
        let Some(raw) = &resource.schema else {
            continue;
        };
        let name = unique_name(raw, &resource.name, &mut taken);
        let ident = proc_macro2::Ident::new(&name, proc_macro2::Span::call_site());
        // types::SignatureRequest
        record_types[index] = Some(quote::quote!(types::#ident));
        records.push((name, raw.clone(), &resource.name, index));
    }
    // Reserved after the records, so a record may still be called `Timestamp`.
    let format_names = formats::FormatNames {
        timestamp: claim("Timestamp", &mut taken),
        date: claim("Date", &mut taken),
    };

    // Each resource's definitions: its record first, then its own `definitions`.
    let mut bundles: Vec<(&str, Vec<(String, Value)>)> = Vec::new();
    let mut open_enums = Vec::new();
    let mut used_formats = formats::Used::default();
    let mut shapes = vec![None; resources.len()];
    for (name, mut schema, resource, index) in records {
        let mut bundled =
            refs::bundle(&mut schema, &name, &mut taken).map_err(|(pointer, message)| {
                SchemaError::Resource {
                    resource: resource.to_string(),
                    place: Place::At(pointer),
                    message,
                }
            })?;
        bundled.insert(0, (name, schema));
        refs::break_all_of_cycles(&mut bundled);
        for (_, schema) in &mut bundled {
            prepass::prepare(schema);
        }
        // The shape reads the schema as the pre-pass left it, `required` included; the model
        // then makes every field optional and gets its field for raw values.
        let record_shape = shape::build(&bundled);
        shape::relax_required(&mut bundled);
        if record_shape.raw_field.is_some()
            && let Some((_, record)) = bundled.first_mut()
        {
            shape::add_raw_field(record);
        }
        shapes[index] = Some(record_shape);
        names::close_referenced_tags(&mut bundled);
        for (name, schema) in &mut bundled {
            names::assign(schema, name, &mut taken);
            open_enums.extend(enums::hoist(schema));
            used_formats.merge(formats::hoist(schema, &format_names));
        }
        // A definition that was itself an enum is now a reference to itself; the enum
        // replaces it.
        bundled.retain(|(name, schema)| !refers_to_itself(name, schema));
        bundles.push((resource, bundled));
    }

    let mut settings = TypeSpaceSettings::default();
    settings
        .with_type_mod("types")
        .with_struct_builder(false)
        .with_map_type("::std::collections::BTreeMap")
        .with_derive("PartialEq".to_string());
    let mut replaced = Vec::new();
    for open in &open_enums {
        replaced.push(open.name.clone());
    }
    for (used, name) in [
        (used_formats.timestamp, &format_names.timestamp),
        (used_formats.date, &format_names.date),
    ] {
        if used {
            replaced.push(name.clone());
        }
    }
    // Our types stand in for these definitions.
    let mut shared = Vec::new();
    for name in &replaced {
        settings.with_replacement(
            name,
            format!("crate::types::{name}"),
            [TypeSpaceImpl::Display, TypeSpaceImpl::FromStr].into_iter(),
        );
        shared.push((name.clone(), serde_json::json!({"type": "string"})));
    }
    let definitions = bundles
        .iter()
        .flat_map(|(_, bundle)| bundle.iter().cloned())
        .chain(shared.iter().cloned());
    let mut space = TypeSpace::new(&settings);
    if let Err(e) = convert(&mut space, definitions) {
        return Err(locate(&settings, &bundles, &shared).unwrap_or(SchemaError::Models(e)));
    }
    check_unique(&space, &replaced).map_err(SchemaError::Models)?;
    let enum_code = open_enums.iter().map(enums::emit);
    let format_code = formats::emit(&used_formats, &format_names);
    let typify_code = shared_error_module(space.to_stream());
    // typify's types, then ours: `pub enum Status { Draft, .., Unknown(String) }`,
    // `pub enum Timestamp { Parsed(..), Unparsed(String) }`
    let tokens = quote::quote! {
        #typify_code
        #(#enum_code)*
        #format_code
    };
    Ok(Models {
        tokens,
        record_types,
        shapes,
        uses_chrono: space.uses_chrono() || used_formats.timestamp || used_formats.date,
        uses_uuid: space.uses_uuid(),
    })
}

/// typify's output with its `pub mod error { pub struct ConversionError .. }` (the same
/// 40 lines in every crate) replaced by a re-export of the runtime's copy, under the path
/// typify's conversions name, and each struct's per-field additions moved into the runtime's
/// `#[record]` ([`record_attr`]). Output that does not parse as a file is left as it is (the
/// formatter reports it).
fn shared_error_module(code: TokenStream) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(code.clone()) else {
        return code;
    };
    for item in &mut file.items {
        if let syn::Item::Mod(module) = item
            && module.ident == "error"
            && module.content.is_some()
        {
            // /// Error types.
            // pub mod error { pub use ::restgen_runtime::types::ConversionError; }
            *item = syn::parse_quote! {
                /// Error types.
                pub mod error {
                    pub use ::restgen_runtime::types::ConversionError;
                }
            };
        }
    }
    record_attr::apply(&mut file);
    quote::quote!(#file)
}

/// Adds `definitions` to `space`; typify's errors and panics (it panics on some shapes it
/// does not support) come back as the error's text.
fn convert(
    space: &mut TypeSpace,
    definitions: impl IntoIterator<Item = (String, Value)>,
) -> Result<(), String> {
    let mut schemas = Vec::new();
    for (name, schema) in definitions {
        let schema: schemars::schema::Schema = serde_json::from_value(schema)
            .map_err(|e| format!("schema of `{name}` is not a JSON Schema: {e}"))?;
        schemas.push((name, schema));
    }
    let added = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        space.add_ref_types(schemas)
    }));
    match added {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let first = text.lines().next().unwrap_or_default();
            Err(format!("typify cannot convert it ({first})"))
        }
    }
}

/// Finds what typify fails on: the resource whose definitions fail on their own, then the
/// definition, then the deepest subschema that still fails when converted in its place.
/// The pointer is into the schema as the pre-pass left it.
fn locate(
    settings: &TypeSpaceSettings,
    bundles: &[(&str, Vec<(String, Value)>)],
    shared: &[(String, Value)],
) -> Option<SchemaError> {
    let fails = |definitions: Vec<(String, Value)>| {
        let mut space = TypeSpace::new(settings);
        convert(
            &mut space,
            definitions.into_iter().chain(shared.iter().cloned()),
        )
        .err()
    };
    for (resource, bundle) in bundles {
        let Some(error) = fails(bundle.clone()) else {
            continue;
        };
        for (i, (name, schema)) in bundle.iter().enumerate() {
            // The definition `i` replaced by `probe`, the others by `{}` so references to
            // them still resolve.
            let with = |probe: &Value| {
                let definitions = bundle.iter().enumerate().map(|(j, (n, _))| {
                    (
                        n.clone(),
                        if j == i {
                            probe.clone()
                        } else {
                            serde_json::json!({})
                        },
                    )
                });
                fails(definitions.collect())
            };
            let Some(mut error) = with(schema) else {
                continue;
            };
            let mut at = String::new();
            let mut current = schema.clone();
            loop {
                let Value::Object(mut map) = current else {
                    break;
                };
                let mut deeper = None;
                let _ = refs::for_each_subschema::<()>(&mut map, &mut |key, child| {
                    if deeper.is_none()
                        && let Some(e) = with(child)
                    {
                        deeper = Some((key.to_string(), child.clone(), e));
                    }
                    Ok(())
                });
                let Some((key, child, e)) = deeper else { break };
                at = format!("{at}/{key}");
                current = child;
                error = e;
            }
            let at = if at.is_empty() { "/".to_string() } else { at };
            let place = if i == 0 {
                Place::At(at)
            } else {
                Place::InDefinition {
                    name: name.clone(),
                    pointer: at,
                }
            };
            return Some(SchemaError::Resource {
                resource: resource.to_string(),
                place,
                message: error,
            });
        }
        return Some(SchemaError::Resource {
            resource: resource.to_string(),
            place: Place::Whole,
            message: error,
        });
    }
    None
}

fn refers_to_itself(name: &str, schema: &serde_json::Value) -> bool {
    let own = serde_json::json!({ "$ref": format!("#/definitions/{name}") });
    ["allOf", "anyOf"].iter().any(|k| {
        schema
            .get(*k)
            .and_then(|m| m.as_array())
            .is_some_and(|m| m.first() == Some(&own))
    })
}

/// Fails when two emitted types would share a Rust name (the names pass should make this
/// impossible; this is the backstop that turns a compile error into a generation error).
fn check_unique(space: &TypeSpace, ours: &[String]) -> Result<(), String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for ty in space.iter_types() {
        if matches!(
            ty.details(),
            TypeDetails::Struct(_) | TypeDetails::Enum(_) | TypeDetails::Newtype(_)
        ) {
            *seen.entry(ty.name()).or_default() += 1;
        }
    }
    for name in ours {
        *seen.entry(name.clone()).or_default() += 1;
    }
    let twice: Vec<String> = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    if twice.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "two schemas would emit the same Rust type name: {}",
            twice.join(", ")
        ))
    }
}

/// The record type's name: the schema's title, else the resource name, in PascalCase; a
/// name already taken falls back to the resource name, then gets a number.
fn unique_name(schema: &serde_json::Value, resource: &str, taken: &mut BTreeSet<String>) -> String {
    let from_resource = pascal(resource);
    let preferred = schema
        .get("title")
        .and_then(|t| t.as_str())
        .map(pascal)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| from_resource.clone());
    if !taken.contains(&preferred) {
        taken.insert(preferred.clone());
        return preferred;
    }
    claim(&from_resource, taken)
}

/// `name`, or `name2`, `name3`, .. : the first one not taken yet, which is then taken.
pub(crate) fn claim(name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// A Rust type name from any text: PascalCase, ASCII letters and digits only, starting
/// with a letter. Stable under typify's own sanitizing, so the name we pick is the name
/// typify emits.
pub(crate) fn pascal(text: &str) -> String {
    use heck::ToUpperCamelCase;
    let words: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    // heck again: `AB` (from `a-b`) is `Ab` the second time, as typify would make it.
    let name = words.to_upper_camel_case().to_upper_camel_case();
    // `Self` is a keyword typify would rename (`Self_`), which the client's reference to
    // the record type would then miss
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || name == "Self" {
        format!("X{name}")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_names_are_idents_and_stable() {
        for (text, want) in [
            ("contact_books", "ContactBooks"),
            ("@odata.id", "OdataId"),
            ("a-b", "Ab"),
            ("SMSMessage", "SmsMessage"),
            ("1st", "X1st"),
            ("é", "X"),
            ("first name", "FirstName"),
            ("ContactBook2", "ContactBook2"),
            ("PaymentMethodVariant0", "PaymentMethodVariant0"),
            ("self", "XSelf"),
        ] {
            assert_eq!(pascal(text), want, "{text}");
            assert_eq!(pascal(want), want, "{want} is stable");
        }
    }

    #[test]
    fn typify_failures_are_located() {
        let bundles = vec![
            (
                "tags",
                vec![("Tag".to_string(), serde_json::json!({"type": "object"}))],
            ),
            (
                "widgets",
                vec![
                    ("Widget".to_string(), serde_json::json!({"type": "object"})),
                    (
                        "WidgetPart".to_string(),
                        serde_json::json!({"type": "object", "properties": {"a": {
                            "type": "object", "properties": {"b": {"$ref": "#/definitions/Nope"}}
                        }}}),
                    ),
                ],
            ),
        ];
        let located = locate(&TypeSpaceSettings::default(), &bundles, &[]).map(|e| e.to_string());
        assert_eq!(
            located.as_deref(),
            Some(
                "schema of resource `widgets`, in its definition `WidgetPart`, at \
                 /properties/a/properties/b: typify cannot convert it \
                 ($ref #/definitions/Nope is missing)"
            )
        );
    }

    #[test]
    fn claim_numbers_taken_names() {
        let mut taken = BTreeSet::new();
        assert_eq!(claim("Contact", &mut taken), "Contact");
        assert_eq!(claim("Contact", &mut taken), "Contact2");
        assert_eq!(claim("Contact", &mut taken), "Contact3");
    }
}
