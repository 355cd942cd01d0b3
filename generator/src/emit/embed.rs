//! The builder methods that fit a generated client into a Rust service and differ per API: one
//! setter per custom auth or paginator the spec names (`type: custom`), which `build()` then
//! requires. The ones every API shares (the caller's own HTTP client, hooks, the `User-Agent`,
//! the rotated-token callback) are the runtime's `client!`.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use restgen_runtime::descriptor::{AuthChoice, AuthConfig, PaginatorConfig};

use super::docs;
use super::names::snake_text;
use crate::ir::ApiIr;

/// The custom auth and paginator names of a spec, each sorted.
fn customs(api: &ApiIr) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut auths = BTreeSet::new();
    let mut paginators = BTreeSet::new();
    if let Some(AuthConfig::Custom { name }) = &api.client.auth {
        auths.insert(name.to_string());
    }
    for r in &api.resources {
        if let AuthChoice::Endpoint(AuthConfig::Custom { name }) = &r.descriptor.auth {
            auths.insert(name.to_string());
        }
        if let PaginatorConfig::Custom { name } = &r.descriptor.paginator {
            paginators.insert(name.to_string());
        }
    }
    (auths, paginators)
}

/// The setter of custom `kind` `name`: `custom_<kind>` when the spec names one of the kind,
/// else `custom_<kind>_<name>`.
fn setter(kind: &str, name: &str, count: usize) -> proc_macro2::Ident {
    if count == 1 {
        format_ident!("custom_{kind}")
    } else {
        format_ident!("custom_{kind}_{}", snake_text(name, "n_"))
    }
}

/// The builder's custom code setters.
pub fn builder_methods(api: &ApiIr) -> TokenStream {
    let (auths, paginators) = customs(api);
    builder_setters(&auths, &paginators)
}

/// What `build()` requires, as the runtime's `client!` takes it: `"auth" "sso", ..`.
pub fn expected_customs(api: &ApiIr) -> TokenStream {
    let (auths, paginators) = customs(api);
    let auths = auths.iter();
    let paginators = paginators.iter();
    // , "auth" "sso", "paginator" "scroll"
    quote!(#(, "auth" #auths)* #(, "paginator" #paginators)*)
}

/// The setters of the custom auths and paginators a spec names.
fn builder_setters(auths: &BTreeSet<String>, paginators: &BTreeSet<String>) -> TokenStream {
    let auth_setters = auths.iter().map(|name| {
        let method = setter("auth", name, auths.len());
        let doc = docs::outer(&format!(
            "The Rust code of the spec's custom auth {} (`restgen_runtime::custom::Auth`); \
             required: `build()` fails without it.",
            docs::code(name)
        ));
        // pub fn custom_auth(self, auth: impl Auth) -> Self { .. }
        quote! {
            #doc
            pub fn #method(self, auth: impl ::restgen_runtime::custom::Auth) -> Self {
                self.with_inner(|b| b.custom_auth(#name, auth))
            }
        }
    });
    let paginator_setters = paginators.iter().map(|name| {
        let method = setter("paginator", name, paginators.len());
        let doc = docs::outer(&format!(
            "The Rust code of the spec's custom paginator {} \
             (`restgen_runtime::custom::Paginator`; each run pages with its own clone); \
             required: `build()` fails without it.",
            docs::code(name)
        ));
        // pub fn custom_paginator<P: Paginator + Clone>(self, paginator: P) -> Self { .. }
        quote! {
            #doc
            pub fn #method<P>(self, paginator: P) -> Self
            where
                P: ::restgen_runtime::custom::Paginator + ::std::clone::Clone,
            {
                self.with_inner(|b| b.custom_paginator(#name, paginator))
            }
        }
    });
    // custom auth setters, then custom paginator setters
    quote! {
        #(#auth_setters)*

        #(#paginator_setters)*
    }
}
