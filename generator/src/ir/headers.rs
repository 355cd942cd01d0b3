//! Headers: an endpoint's, bound like parameters (parent placeholders become arguments), and
//! the client's, static as in dlt. A header's value is text: a secret or config reference
//! there is an error, since restgen reads those in auth blocks only.

use restgen_runtime::descriptor::Param;
use serde_yaml::{Mapping, Value};

use super::Site;
use super::issue::Issue;
use super::placeholder::escape;
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

/// Client headers are static in dlt (no placeholders): each value is sent as written. Every
/// issue is located relative to the client section.
pub fn client_headers(headers: Option<&Mapping>) -> (Vec<Param>, Vec<Issue>) {
    let mut out = Vec::new();
    let mut issues = Vec::new();
    for (k, v) in headers.into_iter().flatten() {
        let key = scalar_text(k);
        match v {
            Value::Null => {}
            Value::Mapping(_) | Value::Sequence(_) => {
                issues.push(not_text(&key, v).under(&key).under("headers"));
            }
            // the runtime fills `{name}` placeholders; a literal brace is doubled
            other => out.push(param(&key, escape(&scalar_text(other)))),
        }
    }
    (out, issues)
}

/// A header whose value is a mapping or a list; the issue is about the value.
fn not_text(key: &str, value: &Value) -> Issue {
    // a `{secret: ..}` here would otherwise be sent as the text "secret: .."
    Issue::new(format!("header `{key}` must be a string"))
        .label(format!(
            "{} is not a header value",
            crate::spec::parse::kind_of(value)
        ))
        .note("secret and config references are read in auth blocks only")
        .help(format!(
            "for a secret header, use `auth: {{type: api_key, name: {key}, api_key: {{secret: ..}}}}`"
        ))
}
