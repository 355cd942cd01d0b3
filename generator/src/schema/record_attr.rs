//! typify's structs with what restgen adds to every record field moved into the runtime's
//! `#[record]` attribute: the `skip_serializing_if` of each `Option` field and the
//! `restgen_raw` field of a record type become one line, `#[::restgen_runtime::record(raw)]`,
//! whose expansion (`runtime/macros`) is the same struct.

use quote::quote;
use syn::{Attribute, Field, Fields, Item, ItemStruct};

/// Puts `#[::restgen_runtime::record]` (with `(raw)` on a struct that has the raw-values
/// field) on every struct of `file` it changes, taking off what the attribute adds back.
pub fn apply(file: &mut syn::File) {
    for item in &mut file.items {
        if let Item::Struct(item) = item {
            apply_to(item);
        }
    }
}

fn apply_to(item: &mut ItemStruct) {
    let Fields::Named(fields) = &mut item.fields else {
        return;
    };
    // The attribute skips every `None`: a struct with an optional field typify serializes
    // as `null` (required but nullable, in a union member) is left as typify wrote it.
    if fields
        .named
        .iter()
        .any(|f| is_option(&f.ty) && !f.attrs.iter().any(is_option_skip))
    {
        return;
    }
    let before = fields.named.len();
    let kept: syn::punctuated::Punctuated<Field, syn::Token![,]> =
        std::mem::take(&mut fields.named)
            .into_iter()
            .filter(|f| !is_raw_field(f))
            .collect();
    fields.named = kept;
    let raw = fields.named.len() < before;
    let mut skips = false;
    for field in fields.named.iter_mut() {
        let count = field.attrs.len();
        field.attrs.retain(|a| !is_option_skip(a));
        skips |= field.attrs.len() < count;
    }
    if !raw && !skips {
        return;
    }
    // #[::restgen_runtime::record(raw)] or #[::restgen_runtime::record]
    let attr: Attribute = if raw {
        syn::parse_quote!(#[::restgen_runtime::record(raw)])
    } else {
        syn::parse_quote!(#[::restgen_runtime::record])
    };
    // before the derives, which must see the struct it expands to
    let at = item
        .attrs
        .iter()
        .position(|a| a.path().is_ident("derive"))
        .unwrap_or(item.attrs.len());
    item.attrs.insert(at, attr);
}

/// `#[serde(skip_serializing_if = "::std::option::Option::is_none")]`, as typify writes it
/// on every optional field.
fn is_option_skip(attr: &Attribute) -> bool {
    let expected: Attribute =
        syn::parse_quote!(#[serde(skip_serializing_if = "::std::option::Option::is_none")]);
    quote!(#attr).to_string() == quote!(#expected).to_string()
}

/// The field `schema::shape::add_raw_field` gave a record type, as typify wrote it.
fn is_raw_field(field: &Field) -> bool {
    field.ident.as_ref().is_some_and(|i| i == "restgen_raw")
        && field.attrs.iter().any(|a| {
            a.path().is_ident("serde") && quote!(#a).to_string().contains("\"_restgen_raw\"")
        })
}

/// Whether a field's type is an `Option<..>`, as `#[record]` decides it (`runtime/macros`).
fn is_option(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Option" && !s.arguments.is_empty()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    fn applied(code: &str) -> String {
        let mut file: syn::File = syn::parse_str(code).unwrap();
        super::apply(&mut file);
        quote::quote!(#file).to_string()
    }

    #[test]
    fn skips_and_the_raw_field_become_the_attribute() {
        let out = applied(
            r#"
            #[derive(Serialize)]
            pub struct User {
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub id: ::std::option::Option<String>,
                #[serde(rename = "_restgen_raw", default, skip_serializing_if = "::serde_json::Map::is_empty")]
                pub restgen_raw: ::serde_json::Map<String, ::serde_json::Value>,
            }
            "#,
        );
        assert!(out.contains(":: restgen_runtime :: record (raw)"), "{out}");
        assert!(!out.contains("skip_serializing_if"), "{out}");
        assert!(!out.contains("restgen_raw :"), "{out}");
    }

    #[test]
    fn a_struct_that_serializes_a_null_is_left_as_typify_wrote_it() {
        let code = r#"
            #[derive(Serialize)]
            pub struct Member {
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub id: ::std::option::Option<String>,
                pub kind: ::std::option::Option<String>,
            }
            "#;
        let out = applied(code);
        assert!(!out.contains("restgen_runtime"), "{out}");
        assert!(out.contains("skip_serializing_if"), "{out}");
    }
}
