//! `response_actions` as written: maps with `status_code` and/or `content`, and
//! `action: ignore` (dlt's only declarative action; callables cannot be written in a spec).

use std::borrow::Cow;

use restgen_runtime::descriptor::ResponseAction;
use serde_yaml::Value;

use super::issue::Issue;
use super::request::scalar_text;

/// The runtime's response actions; an issue is located relative to the list.
pub fn resolve(actions: &[Value]) -> Result<Vec<ResponseAction>, Issue> {
    let mut out = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        out.push(resolve_one(action).map_err(|e| e.under_index(i))?);
    }
    Ok(out)
}

fn resolve_one(action: &Value) -> Result<ResponseAction, Issue> {
    let Value::Mapping(map) = action else {
        return Err(Issue::new("a response action must be a mapping")
            .label("expected `{status_code: 404, action: ignore}`"));
    };
    let mut entry = ResponseAction {
        status_code: None,
        content: None,
    };
    let mut ignore = false;
    for (key, value) in map {
        let key_text = scalar_text(key);
        match (key.as_str(), value) {
            (Some("status_code"), Value::Number(n)) => {
                let code = n.as_u64().and_then(|c| u16::try_from(c).ok());
                entry.status_code = Some(code.ok_or_else(|| {
                    Issue::new(format!("`status_code` {n} is not an HTTP status"))
                        .at_key("status_code")
                        .label("expected an integer such as 404")
                })?);
            }
            (Some("status_code"), other) => {
                return Err(Issue::new(
                    "`status_code` must be an integer: dlt compares it with `==`, so this \
                     would never match",
                )
                .at_key("status_code")
                .label(format!("`{}` is not an integer", scalar_text(other)))
                .help(format!("write `status_code: {}`", scalar_text(other))));
            }
            (Some("content"), Value::String(text)) => {
                entry.content = Some(Cow::Owned(text.clone()));
            }
            (Some("content"), _) => {
                return Err(Issue::new("`content` must be a string")
                    .at_key("content")
                    .label("expected text to look for in the response body"));
            }
            (Some("action"), Value::String(a)) if a == "ignore" => ignore = true,
            (Some("action"), other) => {
                return Err(Issue::new(format!(
                    "action `{}` is not supported; restgen supports `ignore`",
                    scalar_text(other)
                ))
                .at_key("action")
                .label("expected `ignore`")
                .note("callable actions cannot be written in a spec"));
            }
            _ => {
                let keys = ["status_code", "content", "action"];
                return Err(
                    Issue::new(format!("unknown key `{key_text}` in a response action"))
                        .at_key(&key_text)
                        .key()
                        .label("unknown key")
                        .maybe_help(crate::spec::diagnostic::did_you_mean(&key_text, &keys))
                        .note("a response action takes `status_code`, `content` and `action`"),
                );
            }
        }
    }
    if !ignore {
        return Err(Issue::new("a response action needs `action: ignore`")
            .label("no `action` here")
            .note("`ignore` is the only declarative action dlt has"));
    }
    if entry.status_code.is_none() && entry.content.is_none() {
        return Err(Issue::new(
            "a response action needs `status_code` or `content`: an unconditional ignore \
             would drop every response",
        )
        .label("matches every response"));
    }
    Ok(entry)
}
