//! Placeholders in the spec's `str.format` templates (paths, parameter values, headers, JSON
//! bodies): splitting a template into text and `{placeholder}`s, and reading the kinds that
//! bind to something: `{resources.<parent>.<field>}`, `{incremental.*}`, the client's values
//! `{config.<name>}` / `{secrets.<name>}` (also written as a `{secret: name}` /
//! `{config: name}` mapping), and a plain `{name}` the caller supplies.

use std::borrow::Cow;

use restgen_runtime::descriptor::ValueRef;
use serde_yaml::Value;

use super::issue::Issue;
use super::{ParentLink, jsonpath};

/// The `{incremental.*}` values the runtime supplies: its list.
const INCREMENTAL_VALUES: &[&str] = restgen_runtime::incremental::PLACEHOLDERS;

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

/// Whether a placeholder is a plain name (`start_date`), which the caller supplies.
pub fn is_name(expr: &str) -> bool {
    let mut chars = expr.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `{config.<name>}` / `{secrets.<name>}` written at character `at` of its scalar: the
/// client's setting or secret. `None` for any other placeholder.
pub fn value(expr: &str, at: usize) -> Result<Option<ValueRef>, Issue> {
    let Some((space, name)) = expr.split_once('.') else {
        return Ok(None);
    };
    let named = |name: &str| Cow::Owned(name.to_string());
    let value = match space {
        "config" => ValueRef::Config(named(name)),
        "secrets" => ValueRef::Secret(named(name)),
        _ => return Ok(None),
    };
    if !is_name(name) {
        let what = if space == "config" {
            "setting"
        } else {
            "secret"
        };
        let message = if name.is_empty() {
            format!("placeholder `{{{expr}}}` names no {what}")
        } else {
            format!("placeholder `{{{expr}}}`: `{name}` is not the name of a {what}")
        };
        return Err(Issue::new(message)
            .column(at)
            .label("expected a name of letters, digits and `_`")
            .help(format!(
                "`{{{space}.<name>}}` names a value the client is given, as `{{{}: <name>}}` does",
                if space == "config" {
                    "config"
                } else {
                    "secret"
                }
            )));
    }
    Ok(Some(value))
}

/// A `{secret: name}` or `{config: name}` mapping: the value it names. `None` for any other
/// value.
pub fn reference(value: &Value) -> Option<ValueRef> {
    let Value::Mapping(m) = value else {
        return None;
    };
    let (key, name) = m.iter().next()?;
    let name = name.as_str()?.to_string();
    if m.len() != 1 {
        return None;
    }
    match key.as_str()? {
        "secret" => Some(ValueRef::Secret(Cow::Owned(name))),
        "config" => Some(ValueRef::Config(Cow::Owned(name))),
        _ => None,
    }
}

/// A mapping that looks like a misspelled reference (`{secrt: token}`): the key it meant.
pub fn reference_typo(value: &Value) -> Option<String> {
    let Value::Mapping(m) = value else {
        return None;
    };
    let (key, _) = m.iter().next()?;
    if m.len() != 1 {
        return None;
    }
    crate::spec::diagnostic::closest(key.as_str()?, &["secret", "config"])
        .map(|c| format!("did you mean `{c}`? a reference is `{{{c}: <name>}}`"))
}

/// The placeholder the runtime fills with a value of the client.
pub fn value_text(value: &ValueRef) -> String {
    match value {
        ValueRef::Secret(name) => format!("{{secrets.{name}}}"),
        ValueRef::Config(name) => format!("{{config.{name}}}"),
        ValueRef::Literal(text) => escape(text),
    }
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

/// Splits a `str.format` template into text and `{placeholder}`s (`{{`/`}}` are literal) as
/// the runtime reads it when it fills requests (`restgen_runtime::placeholders::pieces`);
/// placeholder expressions trimmed.
pub fn split(template: &str) -> Result<Vec<Piece>, Issue> {
    use restgen_runtime::placeholders::{self, TemplateError};
    let pieces = placeholders::pieces(template).map_err(|e| match e {
        TemplateError::Unclosed { at } => Issue::new("a placeholder's `{` is never closed")
            .column(at)
            .label("unclosed `{`")
            .help("close it with `}`, or write a literal brace as `{{`"),
        TemplateError::StrayClose { at } => Issue::new("a single `}` outside a placeholder")
            .column(at)
            .label("single `}`")
            .help("write `}}` for a literal brace"),
    })?;
    Ok(pieces
        .into_iter()
        .map(|piece| match piece {
            placeholders::Piece::Text(text) => Piece::Text(text),
            placeholders::Piece::Placeholder { name, at } => {
                Piece::Placeholder(name.trim().to_string(), at)
            }
        })
        .collect())
}

/// Escapes literal braces for the runtime's placeholder filler.
pub fn escape(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}
