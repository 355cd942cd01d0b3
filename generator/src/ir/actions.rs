//! `response_actions` as written: maps with `status_code`, `content` and/or `predicate`,
//! and an action: dlt's `ignore` (its only declarative one), or restgen's `retry`,
//! `rate_limited` and `fail` (Airbyte's `HttpResponseFilter` actions), the retrying ones with
//! an optional `backoff`. Callables cannot be written in a spec.

use std::borrow::Cow;

use restgen_runtime::descriptor::{Backoff, ResponseAction, RuleAction};
use serde_yaml::Value;

use super::issue::Issue;
use super::request::scalar_text;
use super::template;

/// The actions a spec can write.
const ACTIONS: [&str; 4] = ["ignore", "retry", "rate_limited", "fail"];

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
    let mut entry = ResponseAction::DEFAULT;
    let mut action = None;
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
            (Some("predicate"), Value::String(text)) => {
                entry.predicate =
                    Some(template::compile(text).map_err(|e| Issue::from(e).under("predicate"))?);
            }
            (Some("predicate"), _) => {
                return Err(Issue::new("`predicate` is an expression over the response")
                    .at_key("predicate")
                    .label("expected text such as `{{ response.status == 'failure' }}`"));
            }
            (Some("message"), Value::String(text)) => {
                entry.message = Some(Cow::Owned(text.clone()));
            }
            (Some("backoff"), value) => {
                entry.backoff = Some(backoff(value).map_err(|e| e.under("backoff"))?);
            }
            (Some("action"), Value::String(a)) if ACTIONS.contains(&a.as_str()) => {
                action = Some(match a.as_str() {
                    "ignore" => RuleAction::Ignore,
                    "retry" => RuleAction::Retry,
                    "rate_limited" => RuleAction::RateLimited,
                    _ => RuleAction::Fail,
                });
            }
            (Some("action"), other) => {
                let text = scalar_text(other);
                return Err(Issue::new(format!(
                    "action `{text}` is not supported; restgen supports `ignore`, `retry`, \
                     `rate_limited` and `fail`"
                ))
                .at_key("action")
                .label("expected `ignore`, `retry`, `rate_limited` or `fail`")
                .maybe_help(crate::spec::diagnostic::did_you_mean(
                    &text.to_ascii_lowercase(),
                    &ACTIONS,
                ))
                .note("callable actions cannot be written in a spec"));
            }
            _ => {
                let keys = [
                    "status_code",
                    "content",
                    "predicate",
                    "action",
                    "backoff",
                    "message",
                ];
                return Err(
                    Issue::new(format!("unknown key `{key_text}` in a response action"))
                        .at_key(&key_text)
                        .key()
                        .label("unknown key")
                        .maybe_help(crate::spec::diagnostic::did_you_mean(&key_text, &keys))
                        .note(
                            "a response action takes `status_code`, `content`, `predicate`, \
                             `action`, `backoff` and `message`",
                        ),
                );
            }
        }
    }
    let Some(action) = action else {
        return Err(Issue::new("a response action needs an `action`")
            .label("no `action` here")
            .note("`ignore` (dlt's), `retry`, `rate_limited` or `fail`"));
    };
    entry.action = action;
    if entry.backoff.is_some() && !matches!(action, RuleAction::Retry | RuleAction::RateLimited) {
        return Err(Issue::new(
            "only `retry` and `rate_limited` wait: a `backoff` needs one of them",
        )
        .at_key("backoff")
        .key()
        .label("a backoff for an action that does not retry"));
    }
    if entry.status_code.is_none() && entry.content.is_none() && entry.predicate.is_none() {
        return Err(Issue::new(
            "a response action needs `status_code`, `content` or `predicate`: an unconditional \
             action would apply to every response",
        )
        .label("matches every response"));
    }
    Ok(entry)
}

/// `{type: constant, seconds: 5}`, `{type: exponential, factor: 2}` or
/// `{type: header, name: Retry-After}`.
fn backoff(value: &Value) -> Result<Backoff, Issue> {
    let kind = value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let seconds = |key: &str| -> Result<f64, Issue> {
        let n = value.get(key).and_then(Value::as_f64).ok_or_else(|| {
            Issue::new(format!(
                "a {kind} backoff needs `{key}`, a number of seconds"
            ))
            .label(format!("no `{key}`"))
        })?;
        if n.is_finite() && n >= 0.0 {
            Ok(n)
        } else {
            Err(Issue::new(format!(
                "`{key}` must be a finite number of seconds, 0 or more"
            ))
            .at_key(key)
            .label("not a wait"))
        }
    };
    match kind {
        "constant" => Ok(Backoff::Constant {
            secs: seconds("seconds")?,
        }),
        "exponential" => Ok(Backoff::Exponential {
            factor: seconds("factor")?,
        }),
        "header" => match value.get("name").and_then(Value::as_str) {
            Some(name) => Ok(Backoff::Header {
                name: Cow::Owned(name.to_string()),
            }),
            None => Err(Issue::new("a header backoff needs the header's `name`")
                .label("no `name`")),
        },
        _ => Err(Issue::new("a backoff is `constant`, `exponential` or `header`")
            .label("expected `{type: constant, seconds: 5}`, `{type: exponential, factor: 2}` or `{type: header, name: Retry-After}`")),
    }
}
