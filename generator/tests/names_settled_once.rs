//! Rust names are settled once, in the IR (`ResourceIr::names`, `PathArg::rust`,
//! `SettableParam::setter`, `ApiIr::value_names`), and every emitted file writes those names.
//! The spec here is made of names that normalise onto each other or onto reserved words: if
//! any emit module computed a name itself, it would differ from the IR's in one of them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use restgen::SpecFiles;
use restgen::ir::ApiIr;

const SCHEMA: &str = r#"{"type": "object", "properties": {"id": {"type": "string"}}}"#;

/// `builder` and `clone` are client methods, `type` a keyword, `{type}`/`{type_}` and
/// `{self}` arguments, `per-page`/`per_page` two parameters of one setter name, `timeout` a
/// secret named like a builder method, and `type-codes` a child with a fan-out.
const CONFIG: &str = r#"
client:
  base_url: https://x.example.com
  auth: {type: api_key, name: key, api_key: {secret: timeout}, location: query}
resources:
  - name: builder
    endpoint: {path: /b, paginator: single_page}
  - name: clone
    endpoint: {path: "/c/{type}/{type_}/{self}", paginator: single_page}
  - name: type
    endpoint: {path: /t, paginator: single_page, params: {per-page: 5, per_page: 6}}
  - name: type-codes
    endpoint:
      path: "/t/{resources.type.id}/codes"
      paginator: single_page
"#;

fn resolve(config: &str) -> ApiIr {
    let schemas = [
        ("builder", SCHEMA),
        ("clone", SCHEMA),
        ("type", SCHEMA),
        ("type-codes", SCHEMA),
    ];
    let files = SpecFiles::in_memory("p", config, &schemas);
    let (loaded, diagnostics) = restgen::spec::load(&files);
    let loaded = loaded.unwrap_or_else(|| panic!("{diagnostics}"));
    restgen::ir::resolve(&loaded).unwrap_or_else(|d| panic!("{d}"))
}

/// The `fn` names of `impl Client` in `file`, each with its parameter names.
fn client_methods(file: &str) -> BTreeSet<(String, Vec<String>)> {
    let file = syn::parse_file(file).unwrap();
    let mut methods = BTreeSet::new();
    for item in file.items {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(ty) = &*imp.self_ty else {
            continue;
        };
        if ty.path.segments.last().unwrap().ident != "Client" {
            continue;
        }
        for item in imp.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            let params = f
                .sig
                .inputs
                .iter()
                .filter_map(|input| match input {
                    syn::FnArg::Typed(t) => match &*t.pat {
                        syn::Pat::Ident(p) => Some(p.ident.to_string()),
                        _ => None,
                    },
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            methods.insert((f.sig.ident.to_string(), params));
        }
    }
    methods
}

/// The methods the blocking client's `client!(blocking "api" { m(a, b) -> T, .. } { all -> T, .. })`
/// lists, with their parameter names.
fn blocking_methods(file: &str) -> BTreeSet<(String, Vec<String>)> {
    use proc_macro2::{Delimiter, TokenTree};
    let file = syn::parse_file(file).unwrap();
    let mut methods = BTreeSet::new();
    for item in file.items {
        let syn::Item::Macro(m) = item else { continue };
        for tree in m.mac.tokens {
            let TokenTree::Group(list) = tree else {
                continue;
            };
            if list.delimiter() != Delimiter::Brace {
                continue;
            }
            // each entry starts after a top-level `,`: its first ident is the method, an
            // immediately following parenthesis its parameters
            let mut entry_start = true;
            let mut tokens = list.stream().into_iter().peekable();
            while let Some(token) = tokens.next() {
                match token {
                    TokenTree::Ident(name) if entry_start => {
                        entry_start = false;
                        let params = match tokens.peek() {
                            Some(TokenTree::Group(g))
                                if g.delimiter() == Delimiter::Parenthesis =>
                            {
                                g.stream()
                                    .into_iter()
                                    .filter_map(|t| match t {
                                        TokenTree::Ident(i) => Some(i.to_string()),
                                        _ => None,
                                    })
                                    .collect()
                            }
                            _ => Vec::new(),
                        };
                        methods.insert((name.to_string(), params));
                    }
                    TokenTree::Punct(p) if p.as_char() == ',' => entry_start = true,
                    _ => {}
                }
            }
        }
    }
    methods
}

/// The names of the `static`s of `file`, and of those in its inline module `module`.
fn statics(file: &str, module: Option<&str>) -> BTreeSet<String> {
    let file = syn::parse_file(file).unwrap();
    let items = match module {
        None => file.items,
        Some(name) => file
            .items
            .into_iter()
            .find_map(|item| match item {
                syn::Item::Mod(m) if m.ident == name => m.content.map(|(_, items)| items),
                _ => None,
            })
            .unwrap_or_default(),
    };
    items
        .into_iter()
        .filter_map(|item| match item {
            syn::Item::Static(s) => Some(s.ident.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_emitted_name_is_the_one_the_ir_settled() {
    let api = resolve(CONFIG);
    let files = restgen::emit::emit_crate(&api, "specs/p").unwrap();

    // the IR settles clashing spellings apart: distinct Rust names for distinct spec names
    let by_name = |name: &str| api.resources.iter().find(|r| r.name == name).unwrap();
    assert_eq!(by_name("builder").names.method, "builder_");
    assert_eq!(by_name("clone").names.method, "clone_");
    assert_eq!(by_name("type").names.method, "type_");
    let args: Vec<&str> = by_name("clone")
        .args
        .iter()
        .map(|a| a.rust.as_str())
        .collect();
    assert_eq!(
        args.iter().collect::<BTreeSet<_>>().len(),
        args.len(),
        "{args:?}"
    );
    let setters: Vec<&str> = by_name("type")
        .settable_params
        .iter()
        .map(|p| p.setter.as_str())
        .collect();
    assert_eq!(setters, ["per_page", "per_page_2"]);
    assert_eq!(api.value_names[0].setter, "timeout_");

    // the clients (async and blocking) have exactly the methods the IR names, with the
    // IR's parameter names (`builder` and `from_env` are the runtime's `client!`'s)
    let mut expected: BTreeSet<(String, Vec<String>)> = BTreeSet::new();
    for r in &api.resources {
        let params = r.args.iter().map(|a| a.rust.clone()).collect();
        expected.insert((r.names.method.clone(), params));
        if r.fan_out.is_some() {
            expected.insert((r.names.all_method.clone(), Vec::new()));
        }
    }
    assert!(expected.contains(&("type_codes_all".to_string(), Vec::new())));
    assert_eq!(client_methods(&files["src/client.rs"]), expected);
    assert_eq!(blocking_methods(&files["src/blocking.rs"]), expected);

    // descriptors: one static per resource, one fan-out wiring per child
    let mut descriptors: BTreeSet<String> = api
        .resources
        .iter()
        .map(|r| r.names.statics.clone())
        .collect();
    descriptors.insert("CLIENT".into());
    assert_eq!(statics(&files["src/descriptors.rs"], None), descriptors);
    let wired: BTreeSet<String> = api
        .resources
        .iter()
        .filter(|r| r.fan_out.is_some())
        .map(|r| r.names.statics.clone())
        .collect();
    assert_eq!(
        statics(&files["src/descriptors.rs"], Some("fan_outs")),
        wired
    );

    // typed setters, the builder's secret setter, the example and the crate docs
    let params = &files["src/params.rs"];
    let trait_name = by_name("type").names.params_trait.clone().unwrap();
    assert!(
        params.contains(&format!("pub trait {trait_name}:")),
        "{params}"
    );
    for setter in setters {
        assert!(params.contains(&format!("fn {setter}(self")), "{params}");
    }
    assert!(files["src/client.rs"].contains("pub fn timeout_("));
    let example = files
        .iter()
        .find(|(path, _)| path.starts_with("examples/") && path.ends_with("cli.rs"))
        .map(|(_, text)| text.split_whitespace().collect::<String>())
        .unwrap();
    for r in &api.resources {
        assert!(
            example.contains(&format!("client.{}(", r.names.method)),
            "{} in\n{example}",
            r.names.method
        );
    }
}

/// A resource's names depend on its own spec name only: moving resources around renames
/// nothing.
#[test]
fn names_are_stable_when_resources_move() {
    let api = resolve(CONFIG);
    let (head, tail) = CONFIG.split_at(CONFIG.find("  - name: type\n").unwrap());
    let resources_at = head.find("  - name: builder").unwrap();
    let reordered = format!("{}{}{}", &head[..resources_at], tail, &head[resources_at..]);
    let again = resolve(&reordered);
    for r in &api.resources {
        let other = again.resources.iter().find(|o| o.name == r.name).unwrap();
        assert_eq!(r.names, other.names, "{}", r.name);
        let args = |r: &restgen::ir::ResourceIr| -> Vec<String> {
            r.args.iter().map(|a| a.rust.clone()).collect()
        };
        assert_eq!(args(r), args(other), "{}", r.name);
    }
}
