//! Emits `params.rs`: one trait per resource with typed setters for the query parameters its
//! spec declares, implemented for that resource's async and blocking requests.
//!
//! Setters live in traits because the request types belong to the runtime: a generated crate
//! cannot add inherent methods to them. Each trait is implemented for the request of one
//! record type, so two resources that share a record type would make a setter name
//! ambiguous; such resources get no trait and keep the generic `.param(name, value)`.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::client::record_type;
use super::docs;
use super::names::snake;
use crate::ir::request::{ParamKind, SettableParam};
use crate::ir::{ApiIr, ResourceIr};

/// Methods of the runtime's request types, which a trait method of the same name would lose
/// to (inherent methods win), so a setter with such a name gets a `_` suffix (`emit::tidy`
/// checks this list against the runtime's source).
pub(super) const REQUEST_METHODS: &[&str] = &[
    "new",
    "arg",
    "arg_value",
    "param",
    "param_value",
    "max_pages",
    "max_records",
    "incremental",
    "incremental_start",
    "concurrency",
    "record_shape",
    "strict",
    "decode_report",
    "check_body",
    "resume",
    "pages",
    "stream",
    "iter",
    "clone",
    "fmt",
];

/// A resource's setter trait: the resource, its record type and the trait's name.
pub type SetterTrait<'a> = (&'a ResourceIr, TokenStream, Ident);

/// The resources that get a setter trait, in spec order: those with declared parameters whose
/// record type no other resource shares. Each trait has its own name.
pub fn resources_with_setters<'a>(
    api: &'a ApiIr,
    record_types: &[Option<TokenStream>],
) -> Vec<SetterTrait<'a>> {
    let types: Vec<String> = record_types
        .iter()
        .map(|ty| record_type(ty).to_string())
        .collect();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for ty in &types {
        *uses.entry(ty.as_str()).or_default() += 1;
    }
    let mut taken: Vec<String> = Vec::new();
    api.resources
        .iter()
        .zip(record_types)
        .zip(&types)
        .filter(|((r, _), ty)| {
            !r.settable_params.is_empty() && uses.get(ty.as_str()).copied() == Some(1)
        })
        .map(|((r, ty), _)| {
            // `ab1` and `ab_1` would both be `Ab1Params`: number the later one
            let base = trait_name(&r.name);
            let mut name = format!("{base}Params");
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{base}{n}Params");
                n += 1;
            }
            taken.push(name.clone());
            (r, record_type(ty), format_ident!("{}", name))
        })
        .collect()
}

/// The start of a resource's setter trait name: the name in UpperCamelCase, ASCII letters
/// and digits only, with `R` before a digit (`7-eleven` is `R7ElevenParams`).
fn trait_name(resource: &str) -> String {
    let camel: String = heck::ToUpperCamelCase::to_upper_camel_case(resource)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if camel.starts_with(|c: char| c.is_ascii_alphabetic()) {
        camel
    } else {
        format!("R{camel}")
    }
}

/// `params.rs`: the setter traits.
pub fn params_module(api: &ApiIr, record_types: &[Option<TokenStream>]) -> TokenStream {
    let traits = resources_with_setters(api, record_types)
        .into_iter()
        .map(|(r, record, name)| setter_trait(r, &record, &name));
    // pub trait UsersParams: Sized { fn status(self, value: impl Into<String>) -> Self; }
    // impl UsersParams for ResourceRequest<crate::types::User> { .. }
    // impl UsersParams for BlockingRequest<crate::types::User> { .. }
    quote!(#(#traits)*)
}

fn setter_trait(r: &ResourceIr, record: &TokenStream, name: &Ident) -> TokenStream {
    let doc = docs::outer(&format!(
        "Typed setters for the query parameters the {} resource declares. Each replaces the \
         declared value; `use <crate>::prelude::*` brings them into scope.",
        docs::code(&r.name)
    ));
    let mut taken: Vec<String> = Vec::new();
    let signatures: Vec<TokenStream> = r
        .settable_params
        .iter()
        .map(|p| {
            // `per-page` and `per_page` would both be `per_page`: number the later one
            let base = snake(&p.name, REQUEST_METHODS).to_string();
            let mut setter = base.clone();
            let mut n = 2;
            while taken.contains(&setter) {
                setter = format!("{base}_{n}");
                n += 1;
            }
            taken.push(setter.clone());
            signature(p, &format_ident!("{}", setter))
        })
        .collect();
    let bodies: Vec<TokenStream> = r.settable_params.iter().map(body).collect();
    let impls = [
        quote!(::restgen_runtime::ResourceRequest<#record>),
        quote!(::restgen_runtime::blocking::BlockingRequest<#record>),
    ]
    .into_iter()
    .map(|request| {
        // impl UsersParams for ResourceRequest<crate::types::User> {
        //     fn status(self, value: impl Into<String>) -> Self { self.param_value("status", ..) }
        // }
        quote! {
            impl #name for #request {
                #(#signatures { #bodies })*
            }
        }
    });
    let docs = r.settable_params.iter().map(|p| {
        docs::outer(&format!(
            "Sets {} (declared as {}){}.",
            docs::code(&p.name),
            docs::code(&p.declared),
            match p.kind {
                ParamKind::List => "; one repeated key per item",
                ParamKind::Bool => "; sent as `True`/`False`, as dlt sends it",
                _ => "",
            }
        ))
    });
    // #[doc = ".."] pub trait UsersParams: Sized { #[doc = ".."] fn status(self, value: impl Into<String>) -> Self; }
    quote! {
        #doc
        pub trait #name: Sized {
            #(#docs #signatures;)*
        }

        #(#impls)*
    }
}

/// `fn status(self, value: impl Into<String>) -> Self`, typed by the declared value.
fn signature(p: &SettableParam, setter: &proc_macro2::Ident) -> TokenStream {
    let value_type = match p.kind {
        // impl Into<String>
        ParamKind::Text => quote!(impl ::std::convert::Into<::std::string::String>),
        // i64
        ParamKind::Integer => quote!(i64),
        // f64
        ParamKind::Float => quote!(f64),
        // bool
        ParamKind::Bool => quote!(bool),
        // impl IntoIterator<Item = impl ToString>
        ParamKind::List => {
            quote!(impl ::std::iter::IntoIterator<Item = impl ::std::string::ToString>)
        }
        // impl ToString
        ParamKind::Untyped => quote!(impl ::std::string::ToString),
    };
    // fn status(self, value: impl Into<String>) -> Self
    quote!(fn #setter(self, value: #value_type) -> Self)
}

/// The setter's body: the value as JSON, handed to `param_value` for dlt's wire form.
fn body(p: &SettableParam) -> TokenStream {
    let name = &p.name;
    let value = match p.kind {
        // Value::String(value.into())
        ParamKind::Text => quote!(::restgen_runtime::serde_json::Value::String(value.into())),
        // Value::from(value)
        ParamKind::Integer | ParamKind::Float | ParamKind::Bool => {
            quote!(::restgen_runtime::serde_json::Value::from(value))
        }
        // Value::Array(value.into_iter().map(|item| Value::String(item.to_string())).collect())
        ParamKind::List => quote! {
            ::restgen_runtime::serde_json::Value::Array(
                value
                    .into_iter()
                    .map(|item| ::restgen_runtime::serde_json::Value::String(item.to_string()))
                    .collect(),
            )
        },
        // Value::String(value.to_string())
        ParamKind::Untyped => {
            quote!(::restgen_runtime::serde_json::Value::String(
                value.to_string()
            ))
        }
    };
    // self.param_value("status", <value>)
    quote!(self.param_value(#name, #value))
}

#[cfg(test)]
mod tests {
    use super::trait_name;

    #[test]
    fn odd_resource_names_make_valid_trait_names() {
        // the start of the name; `resources_with_setters` adds `Params` (and a number when
        // two resources clean to the same name)
        assert_eq!(trait_name("7$=v/D"), "R7VD");
        assert_eq!(trait_name("$"), "R");
        assert_eq!(trait_name("contact_books"), "ContactBooks");
    }
}
