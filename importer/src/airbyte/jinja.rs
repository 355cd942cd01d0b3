//! Airbyte's Jinja templates in paths, parameters, headers, bodies and the base URL:
//! `{{ config['x'] }}` is the setting `{config.x}`, `{{ stream_partition.x }}` (and a bare
//! name) the argument `{x}`; a parameter, header or body value of date macros and settings
//! (`{{ now_utc().strftime('%Y') }}`) the template `{expr: ..}` the runtime computes
//! ([`super::jinja_expr`]); anything else is sent as the literal text dlt would send.

use super::jinja_expr;
use super::{Rewriter, is_name};
use crate::source::Loc;
use crate::tree::{Entry, Node, Value};

impl Rewriter<'_> {
    /// Jinja templates in the path, parameters, headers and body.
    pub(super) fn templates(&mut self, endpoint: &mut Node) {
        let mut found = Vec::new();
        if let Some(node) = endpoint.get_mut("path") {
            jinja_in(node, &mut found);
        }
        for key in ["params", "headers", "json"] {
            if let Some(node) = endpoint.get_mut(key) {
                templates_in(node, &mut found);
            }
        }
        self.jinja_notes(found);
    }

    /// A note for each Jinja template found, saying what it became.
    pub(super) fn jinja_notes(&mut self, found: Found) {
        for (at, was, now) in found {
            if let Some(now) = now.as_deref().and_then(|n| n.strip_prefix(COMPUTED)) {
                let (expr, lost) = now.split_once(LOST).unwrap_or((now, ""));
                let lost = if lost.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; it read {lost}, Airbyte's sync state, which a spec does not have: the \
                         fallback is sent on every run, not the state's value"
                    )
                };
                self.note(
                    at,
                    "endpoint.jinja_template",
                    format!(
                        "`{was}` is Airbyte's Jinja; restgen computes it when each request run \
                         starts as `{{expr: \"{expr}\"}}`{lost}"
                    ),
                );
                continue;
            }
            let message = match now {
                Some(now) => format!(
                    "`{was}` is Airbyte's Jinja, which dlt would send as literal braces; restgen \
                     reads it as `{now}` ({})",
                    if now.starts_with("{config.") {
                        "the client's setting of that name"
                    } else {
                        "an argument of the resource"
                    }
                ),
                None => format!(
                    "`{was}` is Airbyte's Jinja, which restgen cannot evaluate; it is sent as \
                     literal text (its braces escaped): replace it with the value you mean"
                ),
            };
            self.note(at, "endpoint.jinja", message);
        }
    }
}

/// What a Jinja template found became: where, the template, and its placeholder (`None`:
/// sent as literal text; [`COMPUTED`] then the template, for a computed value).
pub(super) type Found = Vec<(Loc, String, Option<String>)>;

/// Marks a [`Found`] that became `{expr: ..}`; [`LOST`] separates what it left out.
const COMPUTED: &str = "expr:";
const LOST: &str = "\u{0}lost:";

/// [`jinja_in`] for parameter, header and body values, where a template of date macros and
/// settings becomes `{expr: ..}`.
fn templates_in(node: &mut Node, found: &mut Found) {
    let at = node.at;
    match &mut node.value {
        Value::Str(text) if text.contains("{{") => {
            match jinja_expr::translate(text, |inner| jinja_placeholder(inner).is_some()) {
                Some(t) => {
                    let lost = t.lost.map(|l| format!("{LOST}{l}")).unwrap_or_default();
                    found.push((
                        at,
                        text.clone(),
                        Some(format!("{COMPUTED}{}{lost}", t.expr)),
                    ));
                    node.value = Value::Dict(vec![Entry {
                        key: "expr".into(),
                        key_at: at,
                        value: Node::new(Value::Str(t.expr), at),
                    }]);
                }
                None => jinja_in(node, found),
            }
        }
        Value::List(items) => items.iter_mut().for_each(|n| templates_in(n, found)),
        Value::Dict(entries) => entries
            .iter_mut()
            .for_each(|e| templates_in(&mut e.value, found)),
        _ => jinja_in(node, found),
    }
}

/// Rewrites the Jinja `{{ ... }}` (and dlt-braced `{stream_slice.x}`) in every string below
/// `node`, recording each in `found`.
pub(super) fn jinja_in(node: &mut Node, found: &mut Found) {
    let at = node.at;
    match &mut node.value {
        Value::Str(text) => {
            let mut record = |whole: &str, placeholder: Option<String>| {
                found.push((at, whole.to_string(), placeholder.clone()));
                placeholder
            };
            let jinja = replace_spans(text, "{{", "}}", |whole| {
                let inner = whole[2..whole.len() - 2].trim();
                // literal text: every brace doubled, as dlt's placeholders escape them
                record(whole, jinja_placeholder(inner))
                    .unwrap_or_else(|| whole.replace('{', "{{").replace('}', "}}"))
            });
            // `{stream_slice.id}`: Airbyte's partition in dlt's braces, an argument too
            *text = replace_spans(&jinja, "{stream_", "}", |whole| {
                match jinja_placeholder(&whole[1..whole.len() - 1]) {
                    Some(placeholder) => record(whole, Some(placeholder)).unwrap_or_default(),
                    None => whole.to_string(),
                }
            });
        }
        Value::List(items) => items.iter_mut().for_each(|n| jinja_in(n, found)),
        Value::Dict(entries) => entries
            .iter_mut()
            .for_each(|e| jinja_in(&mut e.value, found)),
        _ => {}
    }
}

/// `text` with each span from `open` to the next `close` (both included) replaced by what
/// `replace` makes of it.
fn replace_spans(
    text: &str,
    open: &str,
    close: &str,
    mut replace: impl FnMut(&str) -> String,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        let Some(len) = rest[start + open.len()..].find(close) else {
            break;
        };
        let end = start + open.len() + len + close.len();
        out.push_str(&rest[..start]);
        out.push_str(&replace(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The placeholder a Jinja expression stands for: `config['x']` the setting `{config.x}`,
/// `stream_partition.x` (or `stream_slice`) and a bare name the argument `{x}`.
fn jinja_placeholder(expr: &str) -> Option<String> {
    let key = |rest: &str| -> Option<String> {
        let name = if let Some(dotted) = rest.strip_prefix('.') {
            dotted.to_string()
        } else {
            let inner = rest.strip_prefix('[')?.strip_suffix(']')?.trim();
            inner
                .strip_prefix(['\'', '"'])?
                .strip_suffix(['\'', '"'])?
                .to_string()
        };
        is_name(&name).then_some(name)
    };
    if let Some(rest) = expr.strip_prefix("config") {
        return key(rest).map(|name| format!("{{config.{name}}}"));
    }
    for prefix in ["stream_partition", "stream_slice"] {
        if let Some(rest) = expr.strip_prefix(prefix) {
            return key(rest).map(|name| format!("{{{name}}}"));
        }
    }
    is_name(expr).then(|| format!("{{{expr}}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jinja_placeholders() {
        assert_eq!(
            jinja_placeholder("config['dataset_id']").as_deref(),
            Some("{config.dataset_id}")
        );
        assert_eq!(
            jinja_placeholder("config.region").as_deref(),
            Some("{config.region}")
        );
        assert_eq!(
            jinja_placeholder("stream_partition['user_id']").as_deref(),
            Some("{user_id}")
        );
        assert_eq!(
            jinja_placeholder("stream_slice.id").as_deref(),
            Some("{id}")
        );
        assert_eq!(
            jinja_placeholder("company_id").as_deref(),
            Some("{company_id}")
        );
        assert_eq!(
            jinja_placeholder("stream_partition.key.split('::')[1]"),
            None
        );
        assert_eq!(jinja_placeholder("now_utc()"), None);
    }
}
