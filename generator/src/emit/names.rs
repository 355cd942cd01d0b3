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
    "from_env",
    "build",
    "value",
];

/// A snake_case identifier for `name`, suffixed with `_` when it is a keyword or in `reserved`.
pub fn snake(name: &str, reserved: &[&str]) -> Ident {
    let mut s: String = name
        .to_snake_case()
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
    if s.chars().all(|c| c == '_') || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("r_{s}");
    }
    if KEYWORDS.contains(&s.as_str()) || reserved.contains(&s.as_str()) {
        s.push('_');
    }
    Ident::new(&s, Span::call_site())
}

/// A SCREAMING_SNAKE_CASE identifier for a static.
pub fn shouty(name: &str) -> Ident {
    let mut s: String = name
        .to_shouty_snake_case()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.chars().all(|c| c == '_') || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("R_{s}");
    }
    Ident::new(&s, Span::call_site())
}
