//! The builder methods that fit a generated client into a Rust service and differ per API: one
//! setter per custom auth or paginator the spec names (`type: custom`), which `build()` then
//! requires. The ones every API shares (the caller's own HTTP client, hooks, the `User-Agent`,
//! the rotated-token callback) are the runtime's `client!`.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::names::ident;
use crate::ir::ApiIr;

/// The builder's custom code setters, named in the IR.
pub fn builder_methods(api: &ApiIr) -> TokenStream {
    let (auths, paginators) = (&api.custom_auths, &api.custom_paginators);
    let auth_setters = auths.iter().map(|custom| {
        let (name, method) = (&custom.name, ident(&custom.setter));
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
    let paginator_setters = paginators.iter().map(|custom| {
        let (name, method) = (&custom.name, ident(&custom.setter));
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

/// What `build()` requires, as the runtime's `client!` takes it: `"auth" "sso", ..`.
pub fn expected_customs(api: &ApiIr) -> TokenStream {
    let auths = api.custom_auths.iter().map(|c| &c.name);
    let paginators = api.custom_paginators.iter().map(|c| &c.name);
    // , "auth" "sso", "paginator" "scroll"
    quote!(#(, "auth" #auths)* #(, "paginator" #paginators)*)
}
