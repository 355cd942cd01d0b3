//! The builder methods that fit a generated client into a Rust service: the caller's own HTTP
//! client, hooks, the `User-Agent`, the rotated-token callback, and one setter per custom auth
//! or paginator the spec names (`type: custom`), which `build()` then requires.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::names::ident;
use crate::ir::ApiIr;

/// The builder's embedding methods and its private `prepared()`, which `build()` calls.
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
                ClientBuilder { inner: self.inner.custom_auth(#name, auth) }
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
                ClientBuilder { inner: self.inner.custom_paginator(#name, paginator) }
            }
        }
    });
    let auth_names = auths.iter().map(|c| &c.name);
    let paginator_names = paginators.iter().map(|c| &c.name);
    // pub fn http_client(..), hook(..), user_agent(..), on_token_rotation(..), custom setters,
    // fn prepared(self) -> restgen_runtime::ClientBuilder { .. }
    quote! {
        /// Sends requests through your own HTTP client: a `reqwest::Client` or a
        /// `reqwest_middleware::ClientWithMiddleware`, built with
        /// `.redirect(reqwest::redirect::Policy::none())` (restgen follows redirects
        /// itself, keeping credentials on the API's origin; `build()` refuses one that
        /// follows them).
        pub fn http_client(self, client: impl ::std::convert::Into<::restgen_runtime::HttpClient>) -> Self {
            ClientBuilder { inner: self.inner.http_client(client) }
        }

        /// Adds a hook run before each request and after each response
        /// (`restgen_runtime::hooks::Hook`).
        pub fn hook(self, hook: impl ::restgen_runtime::hooks::Hook) -> Self {
            ClientBuilder { inner: self.inner.hook(hook) }
        }

        /// The `User-Agent` of every request (default `restgen/<version> <crate>/<version>`).
        pub fn user_agent(self, agent: impl ::std::convert::Into<::std::string::String>) -> Self {
            ClientBuilder { inner: self.inner.user_agent(agent) }
        }

        /// Called with every token to persist: a refresh token the token endpoint rotated, a
        /// session token a login returned.
        pub fn on_token_rotation(
            self,
            sink: impl Fn(&::restgen_runtime::custom::TokenRotation) + Send + Sync + 'static,
        ) -> Self {
            ClientBuilder { inner: self.inner.on_token_rotation(sink) }
        }

        #(#auth_setters)*

        #(#paginator_setters)*

        /// The runtime builder with this crate in the `User-Agent` and the spec's custom
        /// code required.
        fn prepared(self) -> ::restgen_runtime::ClientBuilder {
            self.inner
                .product(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                #(.expect_custom("auth", #auth_names))*
                #(.expect_custom("paginator", #paginator_names))*
        }
    }
}
