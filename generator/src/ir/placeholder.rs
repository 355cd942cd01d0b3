//! Placeholders in the spec's `str.format` templates (paths, parameter values, headers, JSON
//! bodies): splitting a template into text and `{placeholder}`s, and reading the two kinds
//! that bind to something, `{resources.<parent>.<field>}` and `{incremental.*}`.

use super::issue::Issue;
use super::{ParentLink, jsonpath};

/// The `{incremental.*}` values the runtime supplies.
const INCREMENTAL_VALUES: &[&str] = &[
    "incremental.start_value",
    "incremental.last_value",
    "incremental.initial_value",
    "incremental.end_value",
];

/// Checks an `{incremental.*}` placeholder and keeps it for the runtime. An issue is about
/// the scalar the placeholder is in, at its column; `allowed` says whether the endpoint has an
/// `incremental` block.
pub fn incremental(expr: &str, at: usize, allowed: bool) -> Result<String, Issue> {
    if !allowed {
        return Err(Issue::new(format!(
            "placeholder `{{{expr}}}` is not bound: it needs an `incremental` block on the endpoint"
        ))
        .column(at)
        .label("no `incremental` block binds this")
        .help("add `incremental: {cursor_path: <field>, initial_value: ..}` to the endpoint"));
    }
    if !INCREMENTAL_VALUES.contains(&expr) {
        let names: Vec<&str> = INCREMENTAL_VALUES
            .iter()
            .map(|v| v.trim_start_matches("incremental."))
            .collect();
        let asked = expr.trim_start_matches("incremental.");
        return Err(Issue::new(format!(
            "placeholder `{{{expr}}}` is not bound: `{asked}` is not an incremental value"
        ))
        .column(at)
        .label(format!(
            "expected incremental.{}",
            names.join(", incremental.")
        ))
        .maybe_help(
            crate::spec::diagnostic::closest(asked, &names)
                .map(|c| format!("did you mean `{{incremental.{c}}}`?")),
        ));
    }
    Ok(format!("{{{expr}}}"))
}

/// `{resources.<parent>.<field>}` written at character `at` of its scalar.
pub fn parent(expr: &str, at: usize) -> Result<Option<ParentLink>, Issue> {
    let Some(rest) = expr.strip_prefix("resources.") else {
        return Ok(None);
    };
    let Some((resource, field)) = rest.split_once('.') else {
        return Err(Issue::new(format!(
            "placeholder `{{{expr}}}` must be `{{resources.<parent>.<field>}}`"
        ))
        .column(at)
        .label("no field named after the parent"));
    };
    // the field starts after `{`, `resources.`, the parent's name and a dot
    let field_at = at + 1 + "resources.".len() + resource.chars().count() + 1;
    let selector = jsonpath::compile(field).map_err(|e| {
        Issue::new(format!(
            "the field of placeholder `{{{expr}}}` is not a valid JSONPath: {}",
            e.what
        ))
        .column(field_at + e.at)
        .label(e.what)
    })?;
    Ok(Some(ParentLink {
        resource: resource.to_string(),
        selector,
        field: field.to_string(),
    }))
}

/// A piece of a template.
pub enum Piece {
    /// Literal text (`{{`/`}}` already read as braces).
    Text(String),
    /// The placeholder's expression and the character offset of its `{`.
    Placeholder(String, usize),
}

/// Splits a `str.format` template into text and `{placeholder}`s; `{{`/`}}` are literal.
pub fn split(template: &str) -> Result<Vec<Piece>, Issue> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().enumerate().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut expr = String::new();
                loop {
                    match chars.next() {
                        Some((_, '}')) => break,
                        Some((_, ch)) => expr.push(ch),
                        None => {
                            return Err(Issue::new("a placeholder's `{` is never closed")
                                .column(at)
                                .label("unclosed `{`")
                                .help("close it with `}`, or write a literal brace as `{{`"));
                        }
                    }
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Placeholder(expr.trim().to_string(), at));
            }
            '}' => {
                return Err(Issue::new("a single `}` outside a placeholder")
                    .column(at)
                    .label("single `}`")
                    .help("write `}}` for a literal brace"));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Escapes literal braces for the runtime's placeholder filler.
pub fn escape(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}
