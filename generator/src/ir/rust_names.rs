//! Rust names for spec names: snake_case methods and arguments, SCREAMING_CASE statics,
//! keywords and clashes made safe. They are settled once in the IR (`ir::names::settle`,
//! which also checks them for clashes) and carried on it ([`ResourceNames`], `PathArg::rust`,
//! `SettableParam::setter`, [`ValueNames`]); emit writes them as they are and computes none.

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::{Ident, Span};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Methods the clients define themselves, which a resource method must not shadow.
pub const CLIENT_METHODS: &[&str] = &["builder", "from_env", "core", "clone"];
/// Setters the builders define themselves, which a secret setter must not shadow; the
/// runtime's `ClientBuilder` methods among them (`emit::tidy` checks this list against it).
pub const BUILDER_METHODS: &[&str] = &[
    "base_url",
    "timeout",
    "connect_timeout",
    "retry_policy",
    "max_retry_delay",
    "jitter",
    "max_body_size",
    "strict",
    "clock",
    "from_env",
    "build",
    "value",
    "absolute_paths_to_base_url",
    "http_client",
    "hook",
    "user_agent",
    "no_user_agent",
    "on_token_rotation",
    "custom_auth",
    "custom_paginator",
    "rate_limit",
    "rate",
    // private methods of the runtime's `client!`
    "with_inner",
    "build_core",
];

/// The Rust names of one resource, settled once in the IR; every emitted file (async and
/// blocking clients, descriptors, example, docs) writes these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceNames {
    /// The client method (`users`; `type_` for a keyword, `builder_` for a client method).
    pub method: String,
    /// The fan-out method (`users_all`); emitted only for a resource with a fan-out.
    pub all_method: String,
    /// The descriptor, record-shape and fan-out statics (`USERS`).
    pub statics: String,
    /// The typed-setter trait (`UsersParams`), for a resource with declared parameters.
    pub params_trait: Option<String>,
}

/// A secret or setting of the client, by its spec name, with its builder setter and the
/// environment variable `from_env` reads it from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueNames {
    /// The name in the spec (`{secrets.api_key}`), which the runtime's builder takes.
    pub name: String,
    /// The generated builder's setter (`api_key`; `timeout_` for a builder method).
    pub setter: String,
    /// The environment variable (`SOURCES__<API>__<NAME>`).
    pub env_var: String,
}

/// A custom auth or paginator the spec names (`type: custom`), with the builder setter that
/// takes its Rust code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomNames {
    /// The name in the spec, as the runtime's builder takes it.
    pub name: String,
    /// The builder setter: `custom_<kind>` when the spec names one of the kind, else
    /// `custom_<kind>_<name>`.
    pub setter: String,
}

/// Methods of the runtime's request types, which a trait method of the same name would lose
/// to (inherent methods win), so a typed setter with such a name gets a `_` suffix
/// (`emit::tidy` checks this list against the runtime's source).
pub const REQUEST_METHODS: &[&str] = &[
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
    "descriptor",
    "shape",
    "strict",
    "decode_report",
    "check_body",
    "filter",
    "map",
    "resume",
    "pages",
    "stream",
    "iter",
    "clone",
    "fmt",
];

/// Crates a generated crate uses or the language reserves: an API of one of these names would
/// shadow it.
const TAKEN_CRATE_NAMES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "restgen_runtime",
    "serde",
    "serde_json",
    "chrono",
    "uuid",
    "futures",
];

/// Why a name cannot name a generated crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrateNameProblem {
    /// A Rust keyword (the crate is also a path: `use shipping::Client`).
    #[error("`{0}` is a Rust keyword")]
    Keyword(String),
    /// A crate the generated code uses.
    #[error("`{0}` is the name of a crate the generated code uses")]
    Taken(String),
    /// Not a name Cargo and Rust both take.
    #[error(
        "use lowercase letters, digits, `_` and `-`, starting with a letter, and not a Rust \
         keyword"
    )]
    Spelling,
}

/// The crate's Rust name (the package name with `-` as `_`).
pub fn crate_ident(api: &str) -> String {
    api.replace('-', "_")
}

/// Why `api` cannot name a generated crate, if it cannot: Cargo takes letters, digits, `_`
/// and `-`, and the crate is also a Rust path, so no keyword and no crate the generated code
/// uses. The one home of this rule (`restgen::generate`, `emit_crate` and the importer ask it).
pub fn unusable_crate_name(api: &str) -> Option<CrateNameProblem> {
    let ident = api.replace('-', "_");
    if KEYWORDS.contains(&ident.as_str()) {
        return Some(CrateNameProblem::Keyword(api.to_string()));
    }
    if TAKEN_CRATE_NAMES.contains(&ident.as_str()) {
        return Some(CrateNameProblem::Taken(api.to_string()));
    }
    let spelled = api.starts_with(|c: char| c.is_ascii_lowercase())
        && api
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && snake(&ident, &[]) == ident.as_str();
    (!spelled).then_some(CrateNameProblem::Spelling)
}

/// `name` in snake_case with every character that cannot be in an identifier as `_`, and
/// `prefix` before a name that would be only underscores (or empty) or start with a digit.
pub fn snake_text(name: &str, prefix: &str) -> String {
    identifier_text(&name.to_snake_case(), prefix)
}

/// `cased` with every character that cannot be in an identifier as `_`, and `prefix` before a
/// name that would be only underscores (or empty) or start with a digit.
fn identifier_text(cased: &str, prefix: &str) -> String {
    let cleaned: String = cased
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // `_` alone is not an identifier, and a digit cannot start one
    if cleaned.chars().all(|c| c == '_') || cleaned.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{prefix}{cleaned}")
    } else {
        cleaned
    }
}

/// A snake_case identifier for `name`, suffixed with `_` when it is a keyword or in `reserved`.
pub fn snake(name: &str, reserved: &[&str]) -> Ident {
    let mut s = snake_text(name, "r_");
    if KEYWORDS.contains(&s.as_str()) || reserved.contains(&s.as_str()) {
        s.push('_');
    }
    Ident::new(&s, Span::call_site())
}

/// A SCREAMING_SNAKE_CASE identifier for a static.
pub fn shouty(name: &str) -> Ident {
    let s = identifier_text(&name.to_shouty_snake_case(), "R_");
    Ident::new(&s, Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One rule for every caller: `emit_crate` (used without `restgen::generate` by the
    /// catalog and check-schemas runs) refuses what `generate` refuses.
    #[test]
    fn crate_names_are_checked_in_one_place() {
        assert_eq!(unusable_crate_name("shipping"), None);
        assert_eq!(unusable_crate_name("shared-inbox"), None);
        assert_eq!(
            unusable_crate_name("box"),
            Some(CrateNameProblem::Keyword("box".into()))
        );
        assert_eq!(
            unusable_crate_name("serde"),
            Some(CrateNameProblem::Taken("serde".into()))
        );
        for bad in ["Shipping", "9lives", "ship ping", "café"] {
            assert_eq!(
                unusable_crate_name(bad),
                Some(CrateNameProblem::Spelling),
                "{bad}"
            );
        }
    }
}
