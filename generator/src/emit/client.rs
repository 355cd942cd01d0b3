//! Emits the client side of a generated crate: the async `Client` with its builder and one
//! method per resource, the blocking mirror, and the descriptor statics they hand over.

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::descriptor::{AuthChoice, AuthConfig};

use super::docs;
use super::fanout::{fan_out_parent, fan_out_statics, fan_outs};
use super::literal::ToLiteral;
use super::names::ident;
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
/// and those consts. The shared values every resource names make `shared::RESOURCE`, the
/// base of each literal (`..shared::RESOURCE`), so each resource writes only its own fields.
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
    let fields: Vec<Vec<_>> = fields
        .into_iter()
        .map(|fields| {
            fields
                .into_iter()
                .map(|(f, value)| {
                    let value = replace
                        .get(&(f, value.to_string()))
                        .cloned()
                        .unwrap_or(value);
                    (f, value)
                })
                .collect()
        })
        .collect();
    // The shared values every resource names, when there are several: written once more, as
    // `shared::RESOURCE`, the base of every resource's literal.
    let common: Vec<(&str, TokenStream)> = match fields.split_first() {
        Some((first, rest)) if !rest.is_empty() => first
            .iter()
            .filter(|(f, value)| {
                replace.values().any(|r| r.to_string() == value.to_string())
                    && rest.iter().all(|other| {
                        other
                            .iter()
                            .any(|(g, v)| g == f && v.to_string() == value.to_string())
                    })
            })
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let mut base = quote!(ResourceDescriptor::DEFAULT);
    if common.len() > 1 {
        let value = super::literal::struct_literal(
            quote!(ResourceDescriptor),
            &common,
            Some(quote!(ResourceDescriptor::DEFAULT)),
        );
        // pub const RESOURCE: ResourceDescriptor = ResourceDescriptor { retry: shared::RETRY, .. };
        consts.push(quote!(pub const RESOURCE: ResourceDescriptor = #value;));
        base = quote!(shared::RESOURCE);
    }
    let literals = fields
        .into_iter()
        .map(|fields| {
            let own: Vec<_> = fields
                .into_iter()
                .filter(|(f, _)| common.len() < 2 || !common.iter().any(|(g, _)| g == f))
                .collect();
            super::literal::struct_literal(quote!(ResourceDescriptor), &own, Some(base.clone()))
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
        let name = ident(&r.names.statics);
        let doc = format!("How the runtime fetches {}.", docs::code(&r.name));
        let doc = docs::outer(&doc);
        // #[doc = "How the runtime fetches `users`."]
        // pub static USERS: ResourceDescriptor = ResourceDescriptor { .., ..ResourceDescriptor::DEFAULT };
        quote! {
            #doc
            pub static #name: ResourceDescriptor = #value;
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
            let name = ident(&r.names.statics);
            let doc = docs::outer(&format!("The shape of `{}` records.", r.name));
            let value = shape.as_ref()?.literal();
            // #[doc = "The shape of `users` records."]
            // pub static USERS: RecordShape = ::restgen_runtime::record_shape! { .. };
            Some(quote! {
                #doc
                pub static #name: RecordShape = #value;
            })
        })
        .collect();
    let shapes = (!shapes.is_empty()).then(|| {
        // pub mod shapes { use ..::RecordShape; pub static USERS: RecordShape = ..; .. }
        quote! {
            /// The shape of each record type, by which the runtime decodes records whose
            /// fields disagree with the schema (`restgen_runtime::lenient`), in the compact
            /// form of `restgen_runtime::record_shape!`.
            pub mod shapes {
                use ::restgen_runtime::lenient::RecordShape;
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
    // pub mod fan_outs { .. }
    // pub mod partitions { .. }
    let fan_outs = fan_out_statics(api);
    let partitions = super::fanout::partition_statics(api);
    quote! {
        #imports
        #client_doc
        pub static CLIENT: ClientSpec = #client;
        #shared
        #(#resources)*
        #shapes
        #fan_outs
        #partitions
    }
}

/// The `use` lines of `client.rs` and `blocking.rs`: the descriptors, their shapes and the
/// record types, by the short names the methods use.
fn client_imports(record_types: &[Option<TokenStream>], descriptors: bool) -> TokenStream {
    let models = record_types.iter().any(Option::is_some);
    let types = models.then(|| {
        quote!(
            use crate::types;
        )
    });
    let descriptors = match (descriptors, models) {
        (false, _) => None,
        (true, false) => Some(quote!(
            use crate::descriptors;
        )),
        (true, true) => Some(quote!(
            use crate::descriptors::{self, shapes};
        )),
    };
    // use crate::descriptors::{self, shapes}; use crate::types;
    quote!(#descriptors #types)
}

/// `client.rs`: the async client. The runtime's `client!` declares the client, the builder and
/// the options every API shares; this file adds the API's own setters and resource methods.
pub fn async_client(api: &ApiIr, record_types: &[Option<TokenStream>]) -> TokenStream {
    let imports = client_imports(record_types, true);
    let source = api.api.as_str();
    let builder = builder(api);
    let customs = super::embed::expected_customs(api);
    let fan_outs = fan_outs(api, record_types);
    let with_setters = setter_resources(api, record_types);
    let methods = api.resources.iter().zip(record_types).map(|(r, ty)| {
        let (signature, body) = method_parts(r, ty, &with_setters);
        let descriptor = ident(&r.names.statics);
        let shape = record_shape(&descriptor, ty);
        // pub fn users(&self, id: impl ToString) -> ResourceRequest<types::User> {
        //     self.core.resource(&descriptors::USERS).record_shape(&shapes::USERS).arg("id", id)
        // }
        quote! {
            #signature {
                self.core.resource(&descriptors::#descriptor) #shape #body
            }
        }
    });
    // use ..; ::restgen_runtime::client!(async "users", descriptors::CLIENT);
    // impl<C> ClientBuilder<C> { <the API's setters> }  impl Client { <resource methods> }
    quote! {
        use ::restgen_runtime::ResourceRequest;
        #imports

        ::restgen_runtime::client!(async #source, descriptors::CLIENT #customs);

        #builder

        impl Client {
            #(#methods)*

            #(#fan_outs)*
        }
    }
}

/// `blocking.rs`: the same client for code without an async runtime, all of it declared by the
/// runtime's `client!` from the list of the async client's resource and fan-out methods.
pub fn blocking_client(api: &ApiIr, record_types: &[Option<TokenStream>]) -> TokenStream {
    let imports = client_imports(record_types, false);
    let source = api.api.as_str();
    // Sorted by name: the formatter flows the list, so the spec's order would reflow lines.
    let mut methods: Vec<(String, TokenStream)> = api
        .resources
        .iter()
        .zip(record_types)
        .map(|(r, ty)| {
            let method = ident(&r.names.method);
            let args = r.args.iter().map(|a| ident(&a.rust));
            let record = record_type(ty);
            // users(id) -> types::User
            (method.to_string(), quote!(#method(#(#args),*) -> #record))
        })
        .collect();
    methods.sort_by(|a, b| a.0.cmp(&b.0));
    let methods = methods.into_iter().map(|(_, tokens)| tokens);
    let mut fan_outs: Vec<(String, TokenStream)> = api
        .resources
        .iter()
        .zip(record_types)
        .filter(|(r, _)| r.partitions.is_some() || r.windowed() || fan_out_parent(api, r).is_some())
        .map(|(r, ty)| {
            let method = ident(&r.names.all_method);
            let record = record_type(ty);
            // followers_all -> types::Follower
            (method.to_string(), quote!(#method -> #record))
        })
        .collect();
    fan_outs.sort_by(|a, b| a.0.cmp(&b.0));
    let fan_outs = fan_outs.into_iter().map(|(_, tokens)| tokens);
    // use crate::types;
    // ::restgen_runtime::client!(blocking "users" { users(id) -> types::User, .. } { .. });
    quote! {
        #imports

        ::restgen_runtime::client!(blocking #source { #(#methods),* } { #(#fan_outs),* });
    }
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
                || r.descriptor.settings().contains(&name)
        })
        .map(|r| docs::code(&r.name))
        .collect();
    format!("Needed by {}", users.join(", "))
}

/// The API's own builder setters, next to the ones the runtime's `client!` declares for every
/// API: one per secret or setting, the base URL (its default in the doc), the token URL when
/// the spec has a literal one, and the custom code setters.
fn builder(api: &ApiIr) -> TokenStream {
    let token_url = api.token_url_setter;
    let setters = api
        .client
        .values
        .iter()
        .zip(&api.value_names)
        .map(|(v, names)| {
            let setter = ident(&names.setter);
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
                docs::code(&names.env_var)
            );
            let doc = docs::outer(&doc);
            // #[doc = "Sets the secret `api_key`. ..."]
            // pub fn api_key(self, value: impl Into<String>) -> Self { .. }
            quote! {
                #doc
                pub fn #setter(self, value: impl Into<String>) -> Self {
                    self.with_inner(|b| b.value(#name, value))
                }
            }
        });
    let base_doc = format!(
        "Overrides the base URL (default {}), e.g. for a sandbox or a local mock.",
        docs::code(&api.client.base_url)
    );
    let base_doc = docs::outer(&base_doc);
    let token_url = token_url.then(|| {
        // pub fn token_url(self, url: impl Into<String>) -> Self { .. }
        quote! {
            /// Overrides the OAuth2 token URL of the spec, e.g. for a sandbox or a local mock.
            pub fn token_url(self, url: impl Into<String>) -> Self {
                self.with_inner(|b| b.token_url(url))
            }
        }
    });
    let embedding = super::embed::builder_methods(api);
    // impl<C> ClientBuilder<C> { pub fn api_key(..), base_url(..), .. }
    quote! {
        impl<C> ClientBuilder<C> {
            #(#setters)*

            #base_doc
            pub fn base_url(self, url: impl Into<String>) -> Self {
                self.with_inner(|b| b.base_url(url))
            }

            #token_url

            #embedding
        }
    }
}

/// `.record_shape(&shapes::USERS)` for a resource with a record type, in `client.rs`.
pub(super) fn record_shape(
    descriptor: &proc_macro2::Ident,
    ty: &Option<TokenStream>,
) -> Option<TokenStream> {
    // .record_shape(&shapes::USERS)
    ty.as_ref()
        .map(|_| quote!(.record_shape(&shapes::#descriptor)))
}

/// A resource's record type where `use crate::types;` is in scope.
pub(super) fn record_type(ty: &Option<TokenStream>) -> TokenStream {
    match ty {
        // types::User
        Some(ty) => ty.clone(),
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
    let method = ident(&r.names.method);
    let record = record_type(ty);
    let doc = resource_doc(r, with_setters);
    let doc = docs::outer(&doc);
    let params = r.args.iter().map(|a| ident(&a.rust));
    let binds = r.args.iter().map(|a| {
        let param = ident(&a.rust);
        let name = &a.name;
        // .arg("sign_req", sign_req)
        quote!(.arg(#name, #param))
    });
    // #[doc = ".."] pub fn users(&self, id: impl ToString) -> ResourceRequest<types::User>
    let signature = quote! {
        #doc
        pub fn #method(&self #(, #params: impl ToString)*)
            -> ResourceRequest<#record>
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
        d.paginator.describe(&docs::code),
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
