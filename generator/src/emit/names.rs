//! Rust names for spec names: snake_case methods and arguments, SCREAMING_CASE statics,
//! keywords and clashes made safe.

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
/// Setters the builders define themselves, which a secret setter must not shadow.
pub const BUILDER_METHODS: &[&str] = &[
    "base_url",
    "timeout",
    "connect_timeout",
    "retry_policy",
    "max_retry_delay",
    "jitter",
    "max_body_size",
    "strict",
    "from_env",
    "build",
    "value",
    "http_client",
    "hook",
    "user_agent",
    "on_token_rotation",
    "custom_auth",
    "custom_paginator",
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

/// Why `api` cannot name a generated crate (a Rust keyword, or a crate the generated code
/// uses), if it cannot.
pub fn unusable_crate_name(api: &str) -> Option<String> {
    let ident = api.replace('-', "_");
    if KEYWORDS.contains(&ident.as_str()) {
        return Some(format!("`{api}` is a Rust keyword"));
    }
    TAKEN_CRATE_NAMES
        .contains(&ident.as_str())
        .then(|| format!("`{api}` is the name of a crate the generated code uses"))
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
