//! Emits `params.rs`: one trait per resource with typed setters for the query parameters its
//! spec declares. The setters are the trait's default methods, and one generic impl covers
//! every request of the resource's record type, async and blocking
//! (`restgen_runtime::params::ParamRequest` is the plumbing, written once in the runtime).
//!
//! Setters live in traits because the request types belong to the runtime: a generated crate
//! cannot add inherent methods to them. Every resource with declared parameters gets its
//! trait, including resources that share a record type with another: their traits then both
//! apply to that request type, and where two of them declare a setter of the same name,
//! `request.limit(5)` is ambiguous and the call is written `ContactsParams::limit(request, 5)`,
//! which always compiles. So a setter never vanishes.

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
    "set_param",
    "max_pages",
    "max_records",
    "incremental",
    "incremental_start",
    "concurrency",
    "record_shape",
    "strict",
    "decode_report",
    "check_body",
    "filter",
    "map",
    "descriptor",
    "shape",
    "resume",
    "pages",
    "stream",
    "iter",
    "clone",
    "fmt",
];

/// A resource's setter trait: the resource, its record type and the trait's name.
pub type SetterTrait<'a> = (&'a ResourceIr, TokenStream, Ident);

/// The resources that get a setter trait, in spec order: those with declared parameters.
/// Each trait has its own name.
pub fn resources_with_setters<'a>(
    api: &'a ApiIr,
    record_types: &[Option<TokenStream>],
) -> Vec<SetterTrait<'a>> {
    let mut taken: Vec<String> = Vec::new();
    api.resources
        .iter()
        .zip(record_types)
        .filter(|(r, _)| !r.settable_params.is_empty())
        .map(|(r, ty)| {
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
    let resources = resources_with_setters(api, record_types);
    // Imported only where used: generated code builds without warnings.
    let uses_value = resources
        .iter()
        .flat_map(|(r, _, _)| &r.settable_params)
        .any(|p| p.kind != ParamKind::List);
    let mut imports = TokenStream::new();
    if !resources.is_empty() {
        // use ::restgen_runtime::params::ParamRequest;
        imports.extend(quote!(
            use ::restgen_runtime::params::ParamRequest;
        ));
    }
    if uses_value {
        // use ::restgen_runtime::serde_json::Value;
        imports.extend(quote!(
            use ::restgen_runtime::serde_json::Value;
        ));
    }
    let traits = resources
        .into_iter()
        .map(|(r, record, name)| setter_trait(r, &record, &name));
    // use ..; pub trait UsersParams: ParamRequest<Record = crate::types::User> { fn status(..) -> Self { .. } }
    // impl<R: ParamRequest<Record = crate::types::User>> UsersParams for R {}
    quote! {
        #imports
        #(#traits)*
    }
}

fn setter_trait(r: &ResourceIr, record: &TokenStream, name: &Ident) -> TokenStream {
    let doc = docs::outer(&format!(
        "Typed setters for the query parameters the {} resource declares, on its async and \
         blocking requests. Each replaces the declared value; `use <crate>::prelude::*` brings \
         them into scope.",
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
    let bodies = r.settable_params.iter().map(body);
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
    // #[doc = ".."] pub trait UsersParams: ParamRequest<Record = crate::types::User> {
    //     #[doc = ".."] fn status(self, value: impl Into<String>) -> Self { self.set_param(..) }
    // }
    // impl<R: ParamRequest<Record = crate::types::User>> UsersParams for R {}
    quote! {
        #doc
        pub trait #name: ParamRequest<Record = #record> {
            #(#docs #signatures { #bodies })*
        }

        impl<R: ParamRequest<Record = #record>> #name for R {}
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
        ParamKind::Text => quote!(Value::String(value.into())),
        // Value::from(value)
        ParamKind::Integer | ParamKind::Float | ParamKind::Bool => quote!(Value::from(value)),
        // list(value): each item as text
        ParamKind::List => quote!(::restgen_runtime::params::list(value)),
        // Value::String(value.to_string())
        ParamKind::Untyped => quote!(Value::String(value.to_string())),
    };
    // self.set_param("status", <value>)
    quote!(self.set_param(#name, #value))
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
