//! Lists the generator mirrors from the runtime's source, checked against it (as
//! rust-analyzer's `tidy` checks its own tree): a method added to the runtime's request or
//! builder types must be in the list that keeps generated setters from shadowing it.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

/// The `pub fn` names of every inherent `impl` of `ty` in the runtime's sources.
fn runtime_methods(ty: &str) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/src");
    let mut files = vec![root];
    let mut methods = BTreeSet::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for item in file.items {
            let syn::Item::Impl(imp) = item else { continue };
            let syn::Type::Path(self_ty) = &*imp.self_ty else {
                continue;
            };
            if imp.trait_.is_some() || self_ty.path.segments.last().unwrap().ident != ty {
                continue;
            }
            for item in imp.items {
                if let syn::ImplItem::Fn(f) = item
                    && matches!(f.vis, syn::Visibility::Public(_))
                {
                    methods.insert(f.sig.ident.to_string());
                }
            }
        }
    }
    assert!(!methods.is_empty(), "no `impl {ty}` found in the runtime");
    methods
}

fn missing(ty: &str, list: &[&str]) -> Vec<String> {
    runtime_methods(ty)
        .into_iter()
        .filter(|m| !list.contains(&m.as_str()))
        .collect()
}

#[test]
fn request_methods_mirror_the_runtime() {
    for ty in ["ResourceRequest", "BlockingRequest"] {
        let missing = missing(ty, super::params::REQUEST_METHODS);
        assert!(
            missing.is_empty(),
            "emit/params.rs REQUEST_METHODS misses {ty}'s {missing:?}"
        );
    }
}

#[test]
fn builder_methods_mirror_the_runtime() {
    // `token_url` is reserved only when the builder defines it (a literal OAuth2 token URL,
    // see `emit::client::builder`); otherwise a setting may be called so. `product` and
    // `expect_custom` are called inside `build()` (`emit::embed`), never offered to users.
    let mut list = super::names::BUILDER_METHODS.to_vec();
    list.extend(["token_url", "product", "expect_custom"]);
    let missing = missing("ClientBuilder", &list);
    assert!(
        missing.is_empty(),
        "emit/names.rs BUILDER_METHODS misses ClientBuilder's {missing:?}"
    );
}

#[test]
fn generated_builders_offer_every_runtime_builder_method() {
    // Every option of the runtime's builder reaches a generated builder: forwarded, with its
    // doc, by the runtime's `client!` macro, or emitted per API (`value` as one setter per
    // secret or setting, `base_url` with its default, `token_url`, the custom code setters).
    // `product` and `expect_custom` are called inside `client!`'s build, never offered to users.
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/src/client/generated.rs"),
    )
    .unwrap();
    let per_api = [
        "value",
        "base_url",
        "token_url",
        "custom_auth",
        "custom_paginator",
        "product",
        "expect_custom",
        "build",
    ];
    let missing: Vec<String> = runtime_methods("ClientBuilder")
        .into_iter()
        .filter(|m| !per_api.contains(&m.as_str()))
        .filter(|m| !source.contains(&format!("pub fn {m}(")))
        .collect();
    assert!(
        missing.is_empty(),
        "the runtime's `client!` (runtime/src/client/generated.rs) does not forward {missing:?}"
    );
}
