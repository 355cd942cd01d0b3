//! The `<child>_all` fan-out methods: for every resource whose arguments all come from one
//! parent's fields, the expression that walks the parent (or the chain of parents, for
//! grandchildren) and runs the child once per parent record.

use proc_macro2::TokenStream;
use quote::quote;

use super::client::{record_shape, record_type};
use super::docs;
use super::literal::ToLiteral;
use super::names::{CLIENT_METHODS, shouty, snake};
use crate::ir::{ApiIr, ResourceIr};

/// The parent a `<child>_all` fan-out walks: one whose fields supply every argument of the
/// child and which either takes no arguments itself or has a fan-out of its own (a chain
/// that ends at a resource without arguments: grandchildren and deeper).
pub(super) fn fan_out_parent<'a>(api: &'a ApiIr, r: &'a ResourceIr) -> Option<&'a ResourceIr> {
    let mut chain = vec![r.name.as_str()];
    let mut at = r;
    loop {
        let name = at.parent()?;
        // a cycle is reported by the IR; it has no fan-out
        if chain.contains(&name) {
            return None;
        }
        chain.push(name);
        let parent = api.resources.iter().find(|p| p.name == name)?;
        if parent.args.is_empty() {
            break;
        }
        at = parent;
    }
    let name = r.parent()?;
    api.resources.iter().find(|p| p.name == name)
}

/// The expression building the fan-out of `r` over its parent (and its parent's, up the
/// chain), with records decoded with `shape` (their type is inferred: the method's, or raw
/// records for a parent inside the chain).
fn fan_out_expr(
    api: &ApiIr,
    r: &ResourceIr,
    parent: &ResourceIr,
    shape: Option<TokenStream>,
) -> TokenStream {
    let (parent_static, child_static) = (shouty(&parent.name), shouty(&r.name));
    let parent_name = parent.name.as_str();
    let bindings = r.args.iter().filter_map(|a| {
        let link = a.parent.as_ref()?;
        let (arg, field, field_name) = (
            a.name.as_str(),
            super::literal::scoped(link.selector.literal()),
            link.field.as_str(),
        );
        // ParentBinding { arg: Cow::Borrowed("sign_req"), field: Selector { .. }, field_name: Cow::Borrowed("id") }
        Some(quote!(::restgen_runtime::ParentBinding {
            arg: ::std::borrow::Cow::Borrowed(#arg),
            field: #field,
            field_name: ::std::borrow::Cow::Borrowed(#field_name),
        }))
    });
    let includes = r
        .include_from_parent
        .iter()
        .map(|f| quote!(::std::borrow::Cow::Borrowed(#f)));
    // .concurrency(::restgen_runtime::PARALLELIZED_CONCURRENCY)
    let parallel = r
        .parallelized
        .then(|| quote!(.concurrency(::restgen_runtime::PARALLELIZED_CONCURRENCY)));
    let child = quote! {
        ::restgen_runtime::ResourceRequest::new(
            self.core.clone(),
            ::std::borrow::Cow::Borrowed(&crate::descriptors::#child_static),
        )#shape
    };
    match fan_out_parent(api, parent) {
        // FanOut::new(ResourceRequest::new(.., &PARENT), ResourceRequest::new(.., &CHILD),
        //             Cow::Borrowed("parent"), Vec::from([ParentBinding { .. }]), Vec::from([..]))
        None => quote! {
            ::restgen_runtime::FanOut::new(
                ::restgen_runtime::ResourceRequest::new(
                    self.core.clone(),
                    ::std::borrow::Cow::Borrowed(&crate::descriptors::#parent_static),
                ),
                #child,
                ::std::borrow::Cow::Borrowed(#parent_name),
                ::std::vec::Vec::from([#(#bindings),*]),
                ::std::vec::Vec::from([#(#includes),*]),
            )#parallel
        },
        // FanOut::nested(<the parent's own fan-out, of raw records>, ResourceRequest::new(..),
        //                Cow::Borrowed("parent"), Vec::from([ParentBinding { .. }]), Vec::from([..]))
        Some(grandparent) => {
            let inner = fan_out_expr(api, parent, grandparent, None);
            quote! {
                ::restgen_runtime::FanOut::nested(
                    #inner,
                    #child,
                    ::std::borrow::Cow::Borrowed(#parent_name),
                    ::std::vec::Vec::from([#(#bindings),*]),
                    ::std::vec::Vec::from([#(#includes),*]),
                )#parallel
            }
        }
    }
}

/// The `<child>_all` fan-out methods of the async client: one per resource whose arguments all
/// come from one parent that takes no arguments itself or has a fan-out of its own.
pub(super) fn fan_outs(api: &ApiIr, record_types: &[Option<TokenStream>]) -> Vec<TokenStream> {
    let mut methods = Vec::new();
    for (r, ty) in api.resources.iter().zip(record_types) {
        if let Some(method) = partition_walk(r, ty) {
            methods.push(method);
            continue;
        }
        let Some(parent) = fan_out_parent(api, r) else {
            continue;
        };
        let method = snake(&format!("{}_all", r.name), CLIENT_METHODS);
        let record = record_type(ty);
        let shape = record_shape(&shouty(&r.name), ty);
        let parallel_doc = if r.parallelized {
            " The spec marks it `parallelized`: it walks several parents at once \
             (`PARALLELIZED_CONCURRENCY`; change it with `.concurrency(n)`)."
        } else {
            ""
        };
        let chain_doc = if parent.args.is_empty() {
            String::new()
        } else {
            format!(
                " {} is itself walked for every record of its parent, up the chain.",
                docs::code(&parent.name)
            )
        };
        let doc = docs::outer(&format!(
            "{name} for every {parent_code} record: walks {parent_code} and fetches {name} once \
             per record, each with a fresh paginator. Each item carries the parent fields it \
             was fetched for ({fields}).{chain_doc}{parallel_doc}",
            name = docs::code(&r.name),
            parent_code = docs::code(&parent.name),
            fields = docs::code(&format!("_{}_<field>", parent.name)),
        ));
        let body = fan_out_expr(api, r, parent, shape);
        // pub fn followers_all(&self) -> FanOut<Follower> { FanOut::new(..) }
        methods.push(quote! {
            #doc
            pub fn #method(&self) -> ::restgen_runtime::FanOut<#record> {
                #body
            }
        });
    }
    methods
}

/// The `<resource>_all` method of a resource with list `partitions`: one walk per value.
fn partition_walk(r: &ResourceIr, ty: &Option<TokenStream>) -> Option<TokenStream> {
    let partitions = r.partitions.as_ref()?;
    let method = snake(&format!("{}_all", r.name), CLIENT_METHODS);
    let record = record_type(ty);
    let shape = record_shape(&shouty(&r.name), ty);
    let child_static = shouty(&r.name);
    let field = partitions.field.as_str();
    // the values as JSON text: a literal the crate reads back, whatever their types
    let values = serde_json::Value::Array(partitions.values.clone()).to_string();
    let doc = docs::outer(&format!(
        "{name} once per partition: walks {name} for each value of {field} the spec lists \
         ({count}), each with a fresh paginator. Each item carries its value as {key}.",
        name = docs::code(&r.name),
        field = docs::code(field),
        count = partitions.values.len(),
        key = docs::code(&format!("_partition_{field}")),
    ));
    let parallel = r
        .parallelized
        .then(|| quote!(.concurrency(::restgen_runtime::PARALLELIZED_CONCURRENCY)));
    // pub fn absences_all(&self) -> FanOut<Absence> {
    //     FanOut::over_values(restgen_runtime::serde_json::from_str::<Vec<Value>>("[2023,2024]").unwrap_or_default(),
    //                         Cow::Borrowed("partition"), Cow::Borrowed("year"), ResourceRequest::new(..))
    // }
    Some(quote! {
        #doc
        pub fn #method(&self) -> ::restgen_runtime::FanOut<#record> {
            ::restgen_runtime::FanOut::over_values(
                ::restgen_runtime::serde_json::from_str::<::std::vec::Vec<::restgen_runtime::serde_json::Value>>(#values)
                    .unwrap_or_default(),
                ::std::borrow::Cow::Borrowed("partition"),
                ::std::borrow::Cow::Borrowed(#field),
                ::restgen_runtime::ResourceRequest::new(
                    self.core.clone(),
                    ::std::borrow::Cow::Borrowed(&crate::descriptors::#child_static),
                )#shape,
            )#parallel
        }
    })
}
