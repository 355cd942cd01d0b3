//! The `<child>_all` fan-out methods: for every resource whose arguments all come from one
//! parent's fields, the expression that walks the parent (or the chain of parents, for
//! grandchildren) and runs the child once per parent record.

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::{PARTITION_WALK, PartitionValues, WINDOW_WALK};

use super::client::{record_shape, record_type};
use super::docs;
use super::literal::ToLiteral;
use super::names::ident;
use crate::ir::{ApiIr, ResourceIr};

/// The parent a `<child>_all` fan-out walks, as the IR wired it (`ResourceIr::fan_out`).
pub(super) fn fan_out_parent<'a>(api: &'a ApiIr, r: &'a ResourceIr) -> Option<&'a ResourceIr> {
    let wiring = r.fan_out.as_ref()?;
    api.resources.iter().find(|p| p.name == wiring.parent)
}

/// Whether `r` has a `<resource>_all` method: a walk over its list partitions or its date
/// windows, or a fan-out over its parent. The client's methods and the extract command's
/// `--all` arm both ask this.
pub(super) fn has_all(api: &ApiIr, r: &ResourceIr) -> bool {
    r.partitions.is_some()
        || r.descriptor
            .incremental
            .as_ref()
            .is_some_and(|i| i.window.is_some())
        || fan_out_parent(api, r).is_some()
}

/// The expression building the fan-out of `r` over its parent (and its parent's, up the
/// chain), with records decoded with `shape` (their type is inferred: the method's, or raw
/// records for a parent inside the chain). The wiring is the static the descriptors hold.
fn fan_out_expr(
    api: &ApiIr,
    r: &ResourceIr,
    parent: &ResourceIr,
    shape: Option<TokenStream>,
) -> TokenStream {
    let (parent_static, child_static) = (ident(&parent.names.statics), ident(&r.names.statics));
    // self.core.resource(&descriptors::CHILD).record_shape(&shapes::CHILD)
    let child = quote!(self.core.resource(&descriptors::#child_static)#shape);
    match fan_out_parent(api, parent) {
        // FanOut::wired(self.core.resource(&descriptors::PARENT), <child>,
        //               &descriptors::fan_outs::CHILD)
        None => quote! {
            ::restgen_runtime::FanOut::wired(
                self.core.resource(&descriptors::#parent_static),
                #child,
                &descriptors::fan_outs::#child_static,
            )
        },
        // FanOut::wired_nested(<the parent's own fan-out, of raw records>, <child>,
        //                      &descriptors::fan_outs::CHILD)
        Some(grandparent) => {
            let inner = fan_out_expr(api, parent, grandparent, None);
            quote! {
                ::restgen_runtime::FanOut::wired_nested(
                    #inner,
                    #child,
                    &descriptors::fan_outs::#child_static,
                )
            }
        }
    }
}

/// `descriptors.rs`'s `mod fan_outs`: the fan-out wiring of every child resource, as the
/// runtime's `FanOutDescriptor` (empty when no resource has a fan-out).
pub(super) fn fan_out_statics(api: &ApiIr) -> TokenStream {
    let statics: Vec<TokenStream> = api
        .resources
        .iter()
        .filter_map(|r| {
            let wiring = r.fan_out.as_ref()?;
            let name = ident(&r.names.statics);
            let value = wiring.literal();
            let doc = docs::outer(&format!(
                "How {} is fetched for every {} record.",
                docs::code(&r.name),
                docs::code(&wiring.parent)
            ));
            // #[doc = ".."] pub static FOLLOWERS: FanOutDescriptor = FanOutDescriptor { .. };
            Some(quote! {
                #doc
                pub static #name: FanOutDescriptor = #value;
            })
        })
        .collect();
    statics_module(
        "fan_outs",
        "The fan-out wiring of each child resource: its parent, which parent field binds\n\
         which argument, and the parent fields its records carry.",
        &statics,
    )
}

/// The `<child>_all` fan-out methods of the async client: one per resource whose arguments all
/// come from one parent that takes no arguments itself or has a fan-out of its own.
pub(super) fn fan_outs(api: &ApiIr, record_types: &[Option<TokenStream>]) -> Vec<TokenStream> {
    let mut methods = Vec::new();
    for (r, ty) in api.resources.iter().zip(record_types) {
        if let Some(method) = partition_walk(r, ty).or_else(|| window_walk(r, ty)) {
            methods.push(method);
            continue;
        }
        let Some(parent) = fan_out_parent(api, r) else {
            continue;
        };
        let method = ident(&r.names.all_method);
        let record = record_type(ty);
        let shape = record_shape(&ident(&r.names.statics), ty);
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
        // pub fn followers_all(&self) -> FanOut<Follower> { FanOut::wired(.., &fan_outs::FOLLOWERS) }
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
    let field = partitions.field.as_str();
    let which = match &partitions.values {
        PartitionValues::Listed(values) => format!("the spec lists ({})", values.len()),
        PartitionValues::Setting(name) => format!(
            "the setting {} holds (a list, or comma-separated values; the walk fails at once \
             without it)",
            docs::code(name)
        ),
    };
    let doc = docs::outer(&format!(
        "{name} once per partition: walks {name} for each value of {field} {which}, each with \
         a fresh paginator. Each item carries its value as {key}.",
        name = docs::code(&r.name),
        field = docs::code(field),
        key = docs::code(&format!("_{PARTITION_WALK}_{field}")),
    ));
    let child_static = ident(&r.names.statics);
    // FanOut::over_partitions(&descriptors::partitions::ABSENCES, Cow::Borrowed("partition"),
    //     Cow::Borrowed("year"), <request>)
    let walk = |request: TokenStream| {
        quote! {
            ::restgen_runtime::FanOut::over_partitions(
                &descriptors::partitions::#child_static,
                ::std::borrow::Cow::Borrowed(#PARTITION_WALK),
                ::std::borrow::Cow::Borrowed(#field),
                #request,
            )
        }
    };
    Some(walk_method(r, ty, doc, walk))
}

/// The `<resource>_all` method of a resource with date windows: one walk per window.
fn window_walk(r: &ResourceIr, ty: &Option<TokenStream>) -> Option<TokenStream> {
    let window = r.descriptor.incremental.as_ref()?.window.as_ref()?;
    let step = window.step.as_deref().map_or_else(
        || "one window".to_string(),
        |step| format!("windows of {}", docs::code(step)),
    );
    let doc = docs::outer(&format!(
        "{name} window by window: walks the spec's date range ({step}) from the start value \
         (the initial value, or the checkpoint given with `.incremental(&run)` less the \
         lookback) to the end value, or now without one, binding each window's bounds to \
         {start} and {end}. Each item carries them as {key_start} and {key_end}; a failed \
         window resumes at its failed page.",
        name = docs::code(&r.name),
        start = docs::code("start_time"),
        end = docs::code("end_time"),
        key_start = docs::code(&format!("_{WINDOW_WALK}_start_time")),
        key_end = docs::code(&format!("_{WINDOW_WALK}_end_time")),
    ));
    // FanOut::over_date_windows(Cow::Borrowed("window"), <request>)
    let walk = |request: TokenStream| {
        quote! {
            ::restgen_runtime::FanOut::over_date_windows(
                ::std::borrow::Cow::Borrowed(#WINDOW_WALK),
                #request,
            )
        }
    };
    Some(walk_method(r, ty, doc, walk))
}

/// A `<resource>_all` method walking the resource's own request with `walk` (a spec's
/// `parallelized` makes it concurrent).
fn walk_method(
    r: &ResourceIr,
    ty: &Option<TokenStream>,
    doc: TokenStream,
    walk: impl FnOnce(TokenStream) -> TokenStream,
) -> TokenStream {
    let method = ident(&r.names.all_method);
    let record = record_type(ty);
    let child_static = ident(&r.names.statics);
    let shape = record_shape(&child_static, ty);
    // self.core.resource(&descriptors::EVENTS).record_shape(&shapes::EVENTS)
    let body = walk(quote!(self.core.resource(&descriptors::#child_static)#shape));
    let parallel = r
        .parallelized
        .then(|| quote!(.concurrency(::restgen_runtime::PARALLELIZED_CONCURRENCY)));
    // pub fn events_all(&self) -> FanOut<Event> { FanOut::over_..(.., <request>) }
    quote! {
        #doc
        pub fn #method(&self) -> ::restgen_runtime::FanOut<#record> {
            #body #parallel
        }
    }
}

/// `descriptors.rs`'s `mod partitions`: the values each partitioned resource walks, typed
/// literals or the setting that holds them (empty when no resource has partitions).
pub(super) fn partition_statics(api: &ApiIr) -> TokenStream {
    let statics: Vec<TokenStream> = api
        .resources
        .iter()
        .filter_map(|r| {
            let partitions = r.partitions.as_ref()?;
            let name = ident(&r.names.statics);
            let value = partitions.values.literal();
            let doc = docs::outer(&format!(
                "The partitions {} is walked over.",
                docs::code(&r.name)
            ));
            // #[doc = ".."] pub static ABSENCES: PartitionValues = PartitionValues::Listed(..);
            Some(quote! {
                #doc
                pub static #name: PartitionValues = #value;
            })
        })
        .collect();
    statics_module(
        "partitions",
        "The values of each partitioned resource's walk (`<resource>_all()`).",
        &statics,
    )
}

/// `pub mod <name>` of `statics` with the descriptor imports; nothing when there are none.
fn statics_module(name: &str, doc: &str, statics: &[TokenStream]) -> TokenStream {
    if statics.is_empty() {
        return TokenStream::new();
    }
    let imports = super::literal::imports();
    let (name, doc) = (ident(name), docs::outer(doc));
    // #[doc = ".."] pub mod fan_outs { use ..; pub static FOLLOWERS: FanOutDescriptor = ..; }
    quote! {
        #doc
        pub mod #name {
            #imports
            #(#statics)*
        }
    }
}
