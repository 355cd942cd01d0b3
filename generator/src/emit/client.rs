//! Emits the client side of a generated crate: the async `Client` with its builder and one
//! method per resource, the blocking mirror, and the descriptor statics they hand over.

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::descriptor::{
    AuthChoice, AuthConfig, CursorSource, PaginatorConfig, Target, ValueRef,
};

use super::docs;
use super::fanout::{fan_out_parent, fan_outs};
use super::literal::ToLiteral;
use super::names::{BUILDER_METHODS, CLIENT_METHODS, shouty, snake};
use super::params;
use crate::ir::{ApiIr, ResourceIr};

/// The descriptor fields a value of which several resources share (most often from the
/// spec's `resource_defaults`) is written once, as a const of `mod shared`: the const's name
/// and type, by field.
const SHARED_FIELDS: &[(&str, &str, &str)] = &[
    ("params", "PARAMS", "List<Param>"),
    ("paginator", "PAGINATOR", "PaginatorConfig"),
    ("retry", "RETRY", "Option<RetryPolicy>"),
    ("incremental", "INCREMENTAL", "Option<IncrementalConfig>"),
    ("data_selector", "DATA_SELECTOR", "Option<Selector>"),
];

/// The resources' descriptor literals, with a field value that two or more resources share
/// replaced by a const in `mod shared` (so a spec value lives in one place of the output),
/// and those consts.
fn resource_literals(api: &ApiIr) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let fields: Vec<_> = api
        .resources
        .iter()
        .map(|r| super::literal::resource_fields(&r.descriptor))
        .collect();
    // per shared field, its distinct values and how often each occurs
    let mut consts = Vec::new();
    let mut replace: std::collections::HashMap<(&str, String), TokenStream> =
        std::collections::HashMap::new();
    for &(field, name, ty) in SHARED_FIELDS {
        let mut values: Vec<(String, &TokenStream, usize)> = Vec::new();
        for (f, value) in fields.iter().flatten() {
            if *f != field {
                continue;
            }
            let key = value.to_string();
            match values.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, n)) => *n += 1,
                None => values.push((key, value, 1)),
            }
        }
        // named by how many resources share them, then by value, so reordering resources
        // reorders nothing here
        let mut shared: Vec<_> = values.into_iter().filter(|(_, _, n)| *n > 1).collect();
        shared.sort_by(|(a, _, m), (b, _, n)| n.cmp(m).then_with(|| a.cmp(b)));
        for (i, (key, value, _)) in shared.iter().enumerate() {
            let ident = match i {
                0 => name.to_string(),
                _ => format!("{name}_{}", i + 1),
            };
            let ident = proc_macro2::Ident::new(&ident, proc_macro2::Span::call_site());
            let ty: TokenStream = ty.parse().unwrap_or_default();
            // pub const RETRY: Option<RetryPolicy> = Some(RetryPolicy { .. });
            consts.push(quote!(pub const #ident: #ty = #value;));
            // shared::RETRY
            replace.insert((field, key.clone()), quote!(shared::#ident));
        }
    }
    let literals = fields
        .into_iter()
        .map(|fields| {
            let fields: Vec<_> = fields
                .into_iter()
                .map(|(f, value)| {
                    let value = replace
                        .get(&(f, value.to_string()))
                        .cloned()
                        .unwrap_or(value);
                    (f, value)
                })
                .collect();
            super::literal::struct_literal(
                quote!(ResourceDescriptor),
                &fields,
                Some(quote!(ResourceDescriptor::DEFAULT)),
            )
        })
        .collect();
    (literals, consts)
}

/// `descriptors.rs`: the client spec and one static per resource.
pub fn descriptors(
    api: &ApiIr,
    shapes: &[Option<restgen_runtime::lenient::RecordShape>],
) -> TokenStream {
    let client = api.client.literal();
    let client_doc = format!("The client section of the `{}` spec.", api.api);
    let client_doc = docs::outer(&client_doc);
    let (literals, consts) = resource_literals(api);
    let resources = api.resources.iter().zip(literals).map(|(r, value)| {
        let ident = shouty(&r.name);
        let doc = format!("How the runtime fetches {}.", docs::code(&r.name));
        let doc = docs::outer(&doc);
        // #[doc = "How the runtime fetches `users`."]
        // pub static USERS: ResourceDescriptor = ResourceDescriptor { .., ..ResourceDescriptor::DEFAULT };
        quote! {
            #doc
            pub static #ident: ResourceDescriptor = #value;
        }
    });
    let shared = (!consts.is_empty()).then(|| {
        // mod shared { use super::*; pub const RETRY: Option<RetryPolicy> = ..; }
        quote! {
            /// Values several resources share, written once.
            mod shared {
                use super::*;
                #(#consts)*
            }
        }
    });
    let imports = super::literal::imports();
    let shapes: Vec<TokenStream> = api
        .resources
        .iter()
        .zip(shapes)
        .filter_map(|(r, shape)| {
            let ident = shouty(&r.name);
            let doc = docs::outer(&format!("The shape of `{}` records.", r.name));
            let value = shape.as_ref()?.literal();
            // #[doc = "The shape of `users` records."]
            // pub static USERS: RecordShape = RecordShape { .. };
            Some(quote! {
                #doc
                pub static #ident: RecordShape = #value;
            })
        })
        .collect();
    let shapes = (!shapes.is_empty()).then(|| {
        let imports = super::literal::shape_imports();
        // pub mod shapes { use ..; pub static USERS: RecordShape = ..; .. }
        quote! {
            /// The shape of each record type, by which the runtime decodes records whose
            /// fields disagree with the schema (`restgen_runtime::lenient`).
            pub mod shapes {
                #imports
                #(#shapes)*
            }
        }
    });
    // use ::restgen_runtime::descriptor::*; use ::std::borrow::Cow;
    // #[doc = "The client section ..."]
    // pub static CLIENT: ClientSpec = ClientSpec { .. };
    // mod shared { .. }
    // pub static USERS: ResourceDescriptor = ..; (one per resource)
    // pub mod shapes { .. }
    quote! {
        #imports
        #client_doc
        pub static CLIENT: ClientSpec = #client;
        #shared
        #(#resources)*
        #shapes
    }
}

/// `client.rs`: the async client.
pub fn async_client(api: &ApiIr, record_types: &[Option<TokenStream>]) -> TokenStream {
    let doc = format!(
        "Async client for the `{}` API. Cheap to clone: clones share one connection pool.",
        api.api
    );
    let doc = docs::outer(&doc);
    let builder = builder(
        api,
        &quote!(Client),
        &quote! {
            self.prepared().build(&crate::descriptors::CLIENT).map(|core| Client { core })
        },
    );
    let fan_outs = fan_outs(api, record_types);
    let with_setters = setter_resources(api, record_types);
    let methods = api.resources.iter().zip(record_types).map(|(r, ty)| {
        let (signature, body) = method_parts(r, ty, &with_setters);
        let descriptor = shouty(&r.name);
        let shape = record_shape(&descriptor, ty);
        // pub fn users(&self, id: impl ToString) -> ResourceRequest<types::User> {
        //     ResourceRequest::new(self.core.clone(), Cow::Borrowed(&descriptors::USERS))
        //         .record_shape(&descriptors::shapes::USERS).arg("id", id)
        // }
        quote! {
            #signature {
                ::restgen_runtime::ResourceRequest::new(
                    self.core.clone(),
                    ::std::borrow::Cow::Borrowed(&crate::descriptors::#descriptor),
                )
                #shape
                #body
            }
        }
    });
    // pub struct Client { core }  + builder + impl Client { builder(), from_env(), resources }
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct Client {
            pub(crate) core: ::restgen_runtime::ClientCore,
        }

        #builder

        impl Client {
            /// A builder: set the secrets, optionally the base URL and timeouts, then `build()`.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::default()
            }

            /// A client whose secrets all come from the environment (`SOURCES__<API>__<NAME>`).
            pub fn from_env() -> ::std::result::Result<Self, ::restgen_runtime::Error> {
                Self::builder().from_env().build()
            }

            #(#methods)*

            #(#fan_outs)*
        }
    }
}

/// `blocking.rs`: the same client for code without an async runtime.
pub fn blocking_client(api: &ApiIr, record_types: &[Option<TokenStream>]) -> TokenStream {
    let doc = format!(
        "Blocking client for the `{}` API: the async client driven by a private runtime. Do not \
         use it inside an async runtime.",
        api.api
    );
    let doc = docs::outer(&doc);
    let builder = builder(
        api,
        &quote!(Client),
        &quote! {
            let core = self.prepared().build(&crate::descriptors::CLIENT)?;
            Ok(Client {
                inner: crate::Client { core },
                runtime: ::restgen_runtime::blocking::BlockingRuntime::new()?,
            })
        },
    );
    let fan_outs = api
        .resources
        .iter()
        .zip(record_types)
        .filter_map(|(r, ty)| {
            let walked = match (&r.partitions, fan_out_parent(api, r)) {
                (Some(p), _) => format!("partition value of {}", docs::code(&p.field)),
                (None, Some(parent)) => format!("{} record", docs::code(&parent.name)),
                (None, None) => return None,
            };
            let method = snake(&format!("{}_all", r.name), CLIENT_METHODS);
            let record = record_type(ty);
            let doc = docs::outer(&format!(
                "{} for every {walked} (see the async client's method of the same name).",
                docs::code(&r.name),
            ));
            // pub fn followers_all(&self) -> BlockingFanOut<Follower> {
            //     self.runtime.fan_out(self.inner.followers_all())
            // }
            Some(quote! {
                #doc
                pub fn #method(&self) -> ::restgen_runtime::fanout::BlockingFanOut<#record> {
                    self.runtime.fan_out(self.inner.#method())
                }
            })
        });
    let with_setters = setter_resources(api, record_types);
    let methods = api.resources.iter().zip(record_types).map(|(r, ty)| {
        let method = snake(&r.name, CLIENT_METHODS);
        let args = r.args.iter().map(|a| snake(&a.name, &[]));
        let params = args.clone();
        let record = record_type(ty);
        let doc = resource_doc(r, &with_setters);
        let doc = docs::outer(&doc);
        // pub fn users(&self, id: impl ToString) -> BlockingRequest<types::User> {
        //     self.runtime.request(self.inner.users(id))
        // }
        quote! {
            #doc
            pub fn #method(&self #(, #params: impl ::std::string::ToString)*)
                -> ::restgen_runtime::blocking::BlockingRequest<#record>
            {
                self.runtime.request(self.inner.#method(#(#args),*))
            }
        }
    });
    // pub struct Client { inner: crate::Client, runtime } + builder + resource methods
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: crate::Client,
            runtime: ::restgen_runtime::blocking::BlockingRuntime,
        }

        #builder

        impl Client {
            /// A builder: set the secrets, optionally the base URL and timeouts, then `build()`.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::default()
            }

            /// A client whose secrets all come from the environment (`SOURCES__<API>__<NAME>`).
            pub fn from_env() -> ::std::result::Result<Self, ::restgen_runtime::Error> {
                Self::builder().from_env().build()
            }

            #(#methods)*

            #(#fan_outs)*
        }
    }
}

/// A `ClientBuilder` with one setter per secret or setting and the common options; `build`
/// is the given body returning `Result<#client, Error>`.
/// Whether an OAuth2 auth of the API has a literal token URL, which a builder can override.
fn literal_token_url(api: &ApiIr) -> bool {
    let endpoint_auths = api
        .resources
        .iter()
        .filter_map(|r| match &r.descriptor.auth {
            AuthChoice::Endpoint(auth) => Some(auth),
            _ => None,
        });
    api.client
        .auth
        .iter()
        .chain(endpoint_auths)
        .any(|auth| match auth {
            AuthConfig::OAuth2ClientCredentials {
                access_token_url: url,
                ..
            }
            | AuthConfig::OAuth2RefreshToken { token_url: url, .. } => {
                matches!(url, ValueRef::Literal(_))
            }
            _ => false,
        })
}

/// What a value that is not required is for, for its setter's doc.
fn optional_use(api: &ApiIr, name: &str) -> String {
    let named = |auth: &AuthConfig| crate::ir::auth_values(auth).contains(&name);
    if api.client.auth.as_ref().is_some_and(named) {
        return "Optional: a session token to send instead of logging in".into();
    }
    let users: Vec<String> = api
        .resources
        .iter()
        .filter(|r| {
            matches!(&r.descriptor.auth, AuthChoice::Endpoint(auth) if named(auth))
                || r.descriptor.paginator.settings().contains(&name)
        })
        .map(|r| docs::code(&r.name))
        .collect();
    format!("Needed by {}", users.join(", "))
}

fn builder(api: &ApiIr, client: &TokenStream, build: &TokenStream) -> TokenStream {
    let token_url = literal_token_url(api);
    let mut reserved = BUILDER_METHODS.to_vec();
    if token_url {
        reserved.push("token_url");
    }
    let setters = api.client.values.iter().map(|v| {
        let setter = snake(&v.name, &reserved);
        let name = v.name.as_ref();
        let kind = if v.secret { "secret" } else { "setting" };
        let when = if v.required {
            "Required".to_string()
        } else {
            optional_use(api, name)
        };
        let doc = format!(
            "Sets the {kind} {}. {when}; `from_env` reads it from {}.",
            docs::code(name),
            docs::code(&api.client.env_var(name))
        );
        let doc = docs::outer(&doc);
        // #[doc = "Sets the secret `api_key`. ..."]
        // pub fn api_key(self, value: impl Into<String>) -> Self { .. }
        quote! {
            #doc
            pub fn #setter(self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                ClientBuilder { inner: self.inner.value(#name, value) }
            }
        }
    });
    let base_doc = format!(
        "Overrides the base URL (default {}), e.g. for a sandbox or a local mock.",
        docs::code(&api.client.base_url)
    );
    let base_doc = docs::outer(&base_doc);
    let doc = format!("Builds a [`{client}`] for the `{}` API.", api.api);
    let doc = docs::outer(&doc);
    let token_url = token_url.then(|| {
        // pub fn token_url(self, url: impl Into<String>) -> Self { .. }
        quote! {
            /// Overrides the OAuth2 token URL of the spec, e.g. for a sandbox or a local mock.
            pub fn token_url(self, url: impl ::std::convert::Into<::std::string::String>) -> Self {
                ClientBuilder { inner: self.inner.token_url(url) }
            }
        }
    });
    let embedding = super::embed::builder_methods(api);
    // #[derive(Default)] pub struct ClientBuilder { inner } + impl with setters and build()
    quote! {
        #doc
        #[derive(Debug, Clone, Default)]
        pub struct ClientBuilder {
            inner: ::restgen_runtime::ClientBuilder,
        }

        impl ClientBuilder {
            #(#setters)*

            #base_doc
            pub fn base_url(self, url: impl ::std::convert::Into<::std::string::String>) -> Self {
                ClientBuilder { inner: self.inner.base_url(url) }
            }

            #token_url

            /// The read timeout of each request (default 60 s).
            pub fn timeout(self, timeout: ::std::time::Duration) -> Self {
                ClientBuilder { inner: self.inner.timeout(timeout) }
            }

            /// The connect timeout (default 60 s).
            pub fn connect_timeout(self, timeout: ::std::time::Duration) -> Self {
                ClientBuilder { inner: self.inner.connect_timeout(timeout) }
            }

            /// The retry policy of resources whose spec sets none (default: dlt's, 5 attempts on
            /// 429 and 5xx, waiting up to 1, 2, 4 and 8 s).
            pub fn retry_policy(self, policy: ::restgen_runtime::descriptor::RetryPolicy) -> Self {
                ClientBuilder { inner: self.inner.retry_policy(policy) }
            }

            /// Caps every wait between attempts, whatever the spec's retry policy or a
            /// `Retry-After` asks for (default 300 s, dlt's `request_max_retry_delay`).
            pub fn max_retry_delay(self, delay: ::std::time::Duration) -> Self {
                ClientBuilder { inner: self.inner.max_retry_delay(delay) }
            }

            /// How exponential backoff waits are jittered (default: full jitter, each wait
            /// uniform between 0 and the backoff; `Jitter::None` waits exactly dlt's 1, 2, 4 s).
            pub fn jitter(self, jitter: ::restgen_runtime::retry::Jitter) -> Self {
                ClientBuilder { inner: self.inner.jitter(jitter) }
            }

            /// The largest response body accepted, in bytes after decompression (default
            /// 64 MiB); a larger one fails its page with `Error::BodyTooLarge`, not retried.
            pub fn max_body_size(self, bytes: u64) -> Self {
                ClientBuilder { inner: self.inner.max_body_size(bytes) }
            }

            /// Decodes every request's records strictly: a value not of the schema's type, or a
            /// missing required field, fails the page with `Error::Decode` instead of being
            /// coerced or kept raw on the record (see `docs/models.md`).
            pub fn strict(self) -> Self {
                ClientBuilder { inner: self.inner.strict() }
            }

            /// Sends at most `n` requests per `period` (a moving window), counting every
            /// request of the client: pages fetched ahead, fan-out children, retries, token
            /// calls. A 429, or `X-RateLimit-Remaining: 0` with its reset, pauses them all.
            pub fn rate_limit(self, n: u32, period: ::std::time::Duration) -> Self {
                ClientBuilder { inner: self.inner.rate_limit(n, period) }
            }
            #embedding

            /// Fills every secret and setting not set yet from `SOURCES__<API>__<NAME>`.
            pub fn from_env(self) -> Self {
                ClientBuilder { inner: self.inner.from_env(&crate::descriptors::CLIENT) }
            }

            /// Checks that the required secrets are set and builds the client.
            pub fn build(self) -> ::std::result::Result<#client, ::restgen_runtime::Error> {
                #build
            }
        }
    }
}

/// `.record_shape(&crate::descriptors::shapes::USERS)` for a resource with a record type.
pub(super) fn record_shape(
    descriptor: &proc_macro2::Ident,
    ty: &Option<TokenStream>,
) -> Option<TokenStream> {
    // .record_shape(&crate::descriptors::shapes::USERS)
    ty.as_ref()
        .map(|_| quote!(.record_shape(&crate::descriptors::shapes::#descriptor)))
}

pub(super) fn record_type(ty: &Option<TokenStream>) -> TokenStream {
    match ty {
        // crate::types::User
        Some(ty) => quote!(crate::#ty),
        // ::restgen_runtime::serde_json::Value
        None => quote!(::restgen_runtime::serde_json::Value),
    }
}

/// The signature and the argument-binding tail of a resource method.
fn method_parts(
    r: &ResourceIr,
    ty: &Option<TokenStream>,
    with_setters: &[(String, proc_macro2::Ident)],
) -> (TokenStream, TokenStream) {
    let method = snake(&r.name, CLIENT_METHODS);
    let record = record_type(ty);
    let doc = resource_doc(r, with_setters);
    let doc = docs::outer(&doc);
    let params = r.args.iter().map(|a| snake(&a.name, &[]));
    let binds = r.args.iter().map(|a| {
        let ident = snake(&a.name, &[]);
        let name = &a.name;
        // .arg("sign_req", sign_req)
        quote!(.arg(#name, #ident))
    });
    // #[doc = ".."] pub fn users(&self, id: impl ToString) -> ResourceRequest<crate::types::User>
    let signature = quote! {
        #doc
        pub fn #method(&self #(, #params: impl ::std::string::ToString)*)
            -> ::restgen_runtime::ResourceRequest<#record>
    };
    // .arg("id", id) ...
    (signature, quote!(#(#binds)*))
}

/// The resources that have a setter trait: the resource's name and the trait's.
fn setter_resources(
    api: &ApiIr,
    record_types: &[Option<TokenStream>],
) -> Vec<(String, proc_macro2::Ident)> {
    params::resources_with_setters(api, record_types)
        .into_iter()
        .map(|(r, _, name)| (r.name.clone(), name))
        .collect()
}

/// The doc comment of a resource method: request, paging, records, arguments, setters.
fn resource_doc(r: &ResourceIr, with_setters: &[(String, proc_macro2::Ident)]) -> String {
    let d = &r.descriptor;
    let method = match d.method {
        restgen_runtime::descriptor::Method::Get => "GET",
        restgen_runtime::descriptor::Method::Post => "POST",
    };
    let mut doc = format!(
        "{}: the {} resource.\n\nPaging: {}. Records at {}.",
        docs::code(&format!("{method} {}", d.path)),
        docs::code(&r.name),
        describe_paginator(&d.paginator),
        d.data_selector
            .as_ref()
            .map_or("the location detected on the first page".to_string(), |s| {
                docs::code(&s.to_string())
            })
    );
    if !r.primary_key.is_empty() {
        let keys: Vec<String> = r.primary_key.iter().map(|k| docs::code(k)).collect();
        doc.push_str(&format!(" Primary key: {}.", keys.join(", ")));
    }
    for arg in &r.args {
        match &arg.parent {
            Some(p) => doc.push_str(&format!(
                "\n\n{}: the {} of a {} record.",
                docs::code(&arg.name),
                docs::code(&p.field),
                docs::code(&p.resource)
            )),
            None => doc.push_str(&format!("\n\n{}: a path argument.", docs::code(&arg.name))),
        }
    }
    if let Some((_, setters)) = with_setters.iter().find(|(name, _)| *name == r.name) {
        let names: Vec<String> = r
            .settable_params
            .iter()
            .map(|p| docs::code(&p.name))
            .collect();
        doc.push_str(&format!(
            "\n\nDeclared parameters ({}) have typed setters in [`crate::params::{setters}`].",
            names.join(", "),
        ));
    }
    doc
}

fn target(t: &Target) -> String {
    match t {
        Target::Query(q) => docs::code(q),
        Target::Body(path) => format!("body {}", docs::code(&path.join("."))),
    }
}

/// One line on how a paginator pages, for doc comments.
pub fn describe_paginator(p: &PaginatorConfig) -> String {
    match p {
        PaginatorConfig::SinglePage => "a single request".into(),
        PaginatorConfig::Auto => "detected from the first response".into(),
        PaginatorConfig::Custom { name } => format!(
            "with the custom paginator {} given to the builder",
            docs::code(name)
        ),
        PaginatorConfig::JsonLink { next_url_path } => {
            format!(
                "follows the next URL at {}",
                docs::code(&next_url_path.to_string())
            )
        }
        PaginatorConfig::HeaderLink { links_next_key } => {
            format!(
                "follows the `Link` header with rel {}",
                docs::code(links_next_key)
            )
        }
        PaginatorConfig::HeaderCursor {
            cursor_key,
            cursor_param,
        } => format!(
            "cursor from header {} sent as {}",
            docs::code(cursor_key),
            docs::code(cursor_param)
        ),
        PaginatorConfig::Cursor(c) => {
            let from = match &c.source {
                CursorSource::Path(p) => format!("from {}", docs::code(&p.to_string())),
                CursorSource::Template(_) => "from a template".into(),
                CursorSource::LastRecord(p) => {
                    format!("from the last record's {}", docs::code(&p.to_string()))
                }
            };
            format!("cursor {from} sent as {}", target(&c.target))
        }
        PaginatorConfig::Offset(c) => format!(
            "offset {} and limit {} = {}",
            target(&c.offset_target),
            target(&c.limit_target),
            c.limit
        ),
        PaginatorConfig::PageNumber(c) => {
            format!("page number {} from {}", target(&c.page_target), c.page)
        }
    }
}
