//! `#[record]`, the attribute every generated record type carries (re-exported as
//! `restgen_runtime::record`): what restgen adds to typify's structs, written once here
//! instead of on every field of every generated crate.

use proc_macro::TokenStream;
use quote::quote;
use syn::{Field, Fields, ItemStruct, Type, parse_macro_input};

/// On a generated record struct, before its `#[derive(Serialize, Deserialize)]`:
///
/// - every `Option` field without a `skip_serializing_if` of its own is left out when
///   serialized as `None` (`#[serde(skip_serializing_if = "Option::is_none")]`), so a record
///   serializes with the fields it was sent with, not `null`s for the ones it was not;
/// - with `#[record(raw)]`, the struct gets `restgen_raw`, serialized as `_restgen_raw`: the
///   values lenient decoding kept raw (`restgen_runtime::lenient`), placed among the fields
///   by name.
///
/// Anything other than a struct with named fields is returned unchanged.
#[proc_macro_attribute]
pub fn record(attr: TokenStream, item: TokenStream) -> TokenStream {
    let raw = !attr.is_empty();
    let mut item = parse_macro_input!(item as ItemStruct);
    let Fields::Named(fields) = &mut item.fields else {
        return quote!(#item).into();
    };
    for field in fields.named.iter_mut() {
        if is_option(&field.ty) && !skips(field) {
            field.attrs.push(syn::parse_quote!(
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
            ));
        }
    }
    if raw {
        // typify sorts fields by name and puts flattened ones last
        let at = fields
            .named
            .iter()
            .position(|f| {
                is_flattened(f)
                    || f.ident
                        .as_ref()
                        .is_some_and(|i| i.to_string().as_str() > "restgen_raw")
            })
            .unwrap_or(fields.named.len());
        let with_raw: ItemStruct = syn::parse_quote! {
            struct WithRaw {
                /// Values of this record that did not match its schema and had no exact
                /// coercion, as the API sent them, by JSON pointer (`/address/zip`). The
                /// fields they belong to read as absent. Empty when the record matched.
                #[serde(
                    rename = "_restgen_raw",
                    default,
                    skip_serializing_if = "::serde_json::Map::is_empty"
                )]
                pub restgen_raw: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            }
        };
        let Fields::Named(raw_field) = with_raw.fields else {
            return quote!(#item).into();
        };
        if let Some(field) = raw_field.named.into_iter().next() {
            fields.named.insert(at, field);
        }
    }
    quote!(#item).into()
}

/// Whether a field's type is an `Option<..>` (`Option`, `std::option::Option`, ..).
fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Option" && !s.arguments.is_empty()),
        _ => false,
    }
}

/// Whether a field already says when it is skipped.
fn skips(field: &Field) -> bool {
    serde_attr_mentions(field, "skip_serializing_if") || serde_attr_mentions(field, "skip")
}

fn is_flattened(field: &Field) -> bool {
    serde_attr_mentions(field, "flatten")
}

/// Whether one of the field's `#[serde(..)]` attributes names `word`.
fn serde_attr_mentions(field: &Field, word: &str) -> bool {
    field.attrs.iter().any(|attr| {
        attr.path().is_ident("serde")
            && attr.meta.require_list().is_ok_and(|list| {
                list.tokens
                    .clone()
                    .into_iter()
                    .any(|t| t.to_string() == word)
            })
    })
}
