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
