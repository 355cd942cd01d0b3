//! Headers: an endpoint's, bound like parameters (parent placeholders become arguments), and
//! the client's, static as in dlt. Either may send a secret or setting of the client: a
//! `{secret: name}` / `{config: name}` value, or `{secrets.<name>}` / `{config.<name>}` in
//! the text.

use restgen_runtime::descriptor::Param;
use serde_yaml::{Mapping, Value};

use super::Site;
use super::issue::Issue;
use super::placeholder::{self, escape};
use super::request::{BoundRequest, bind_text, param, scalar_text};
use crate::spec::span::Seg;

/// Headers: static values, or parent placeholders like parameters. An issue is located
/// relative to the endpoint.
pub fn bind_headers(
    headers: Option<&Mapping>,
    bound: &mut BoundRequest,
) -> Result<Vec<Param>, Issue> {
    let mut out = Vec::new();
    for (k, v) in headers.into_iter().flatten() {
        let key = scalar_text(k);
        let site = Site {
            at: vec![Seg::Key("headers".into()), Seg::Key(key.clone())],
            ..Site::default()
        };
        let in_header = |e: Issue| e.under(&key).under("headers");
        if let Some(named) = placeholder::reference(v) {
            out.push(param(&key, bound.value(named)));
            continue;
        }
        if let Some(text) = bound.computed(v) {
            out.push(param(&key, text.map_err(in_header)?));
            continue;
        }
        let text = match v {
            Value::String(s) => bind_text(&key, s, bound, site).map_err(in_header)?,
            Value::Null => continue,
            Value::Mapping(_) | Value::Sequence(_) => return Err(in_header(not_text(&key, v))),
            other => escape(&scalar_text(other)),
        };
        out.push(param(&key, text));
    }
    Ok(out)
}

/// Client headers are static in dlt (no placeholders): each value is sent as written, but
/// for the client's own secrets and settings. Every issue is located relative to the client
/// section; the secrets and settings sent are noted in `bound`.
pub fn client_headers(
    headers: Option<&Mapping>,
    bound: &mut BoundRequest,
) -> (Vec<Param>, Vec<Issue>) {
    let mut out = Vec::new();
    let mut issues = Vec::new();
    for (k, v) in headers.into_iter().flatten() {
        let key = scalar_text(k);
        if let Some(named) = placeholder::reference(v) {
            out.push(param(&key, bound.value(named)));
            continue;
        }
        match v {
            Value::Null => {}
            Value::Mapping(_) | Value::Sequence(_) => {
                issues.push(not_text(&key, v).under(&key).under("headers"));
            }
            Value::String(text) => match static_text(text, bound) {
                Ok(text) => out.push(param(&key, text)),
                Err(issue) => issues.push(issue.under(&key).under("headers")),
            },
            // the runtime fills `{name}` placeholders; a literal brace is doubled
            other => out.push(param(&key, escape(&scalar_text(other)))),
        }
    }
    (out, issues)
}

/// A client header's text as the runtime's template: literal, braces doubled, but for each
/// `{config.<name>}` / `{secrets.<name>}`, which the runtime fills with the client's value.
fn static_text(text: &str, bound: &mut BoundRequest) -> Result<String, Issue> {
    let mut out = String::new();
    let mut rest = text;
    let mut at = 0;
    while let Some(start) = rest.find('{') {
        out.push_str(&escape(&rest[..start]));
        at += rest[..start].chars().count();
        let after = &rest[start + 1..];
        // `{{` is a literal brace in dlt's templates too, but a client header is not one
        let value = match after.find('}') {
            Some(end) if !after.starts_with('{') => {
                placeholder::value(after[..end].trim(), at)?.map(|v| (v, end))
            }
            _ => None,
        };
        match value {
            Some((value, end)) => {
                out.push_str(&bound.value(value));
                at += after[..end].chars().count() + 2;
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("{{");
                at += 1;
                rest = after;
            }
        }
    }
    out.push_str(&escape(rest));
    Ok(out)
}

/// A header whose value is a mapping or a list; the issue is about the value.
fn not_text(key: &str, value: &Value) -> Issue {
    // a mapping that is not a reference would otherwise be sent as the text "secrt: .."
    Issue::new(format!(
        "header `{key}` must be a string, or a `{{secret: name}}` / `{{config: name}}` reference"
    ))
    .label(format!(
        "{} is not a header value",
        crate::spec::parse::kind_of(value)
    ))
    .maybe_help(placeholder::reference_typo(value))
    .note("a header is sent as text; a reference sends the client's secret or setting")
}
