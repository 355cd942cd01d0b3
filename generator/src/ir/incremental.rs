//! Resolves an endpoint's `incremental` block into the runtime's `IncrementalConfig`, with
//! dlt's defaults (`max`, closed start, open end, raise on a missing cursor).

use std::borrow::Cow;

use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing};
use serde_yaml::Value;

use super::issue::Issue;
use super::jsonpath;
use crate::spec::diagnostic::{did_you_mean, one_of};

const KEYS: &[&str] = &[
    "cursor_path",
    "initial_value",
    "end_value",
    "start_param",
    "end_param",
    "last_value_func",
    "range_start",
    "range_end",
    "on_cursor_value_missing",
    "primary_key",
    "row_order",
    "lag",
    "allow_external_schedulers",
];

/// The runtime config of an `incremental` block; `primary_key` is the resource's. An issue
/// is located relative to the block.
pub fn resolve(block: &Value, primary_key: &Option<Value>) -> Result<IncrementalConfig, Issue> {
    let Value::Mapping(map) = block else {
        return Err(Issue::new("`incremental` must be a mapping")
            .label("expected a mapping with `cursor_path`")
            .help("write `incremental: {cursor_path: updated_at, initial_value: '2024-01-01'}`"));
    };
    let get = |key: &str| map.get(key).filter(|v| !v.is_null());
    for key in map.keys() {
        let name = super::request::scalar_text(key);
        if ["convert", "transform"].contains(&name.as_str()) {
            return Err(Issue::new(format!(
                "`{name}` is a Python callable and cannot be written in a spec"
            ))
            .at_key(&name)
            .key()
            .label("a callable"));
        }
        if !KEYS.contains(&name.as_str()) {
            return Err(Issue::new(format!("unknown key `{name}` in `incremental`"))
                .at_key(&name)
                .key()
                .label("unknown key")
                .maybe_help(did_you_mean(&name, KEYS))
                .note(format!("`incremental` takes {}", one_of(KEYS))));
        }
    }
    if get("lag").is_some() {
        return Err(Issue::new("`lag` is not supported by restgen yet")
            .at_key("lag")
            .key()
            .label("not supported"));
    }
    let cursor_field = get("cursor_path")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Issue::new("`incremental` needs `cursor_path` (a JSONPath into each record)")
                .key()
                .label("no `cursor_path` here")
        })?
        .to_string();
    let text = |key: &str| -> Result<Option<String>, Issue> {
        get(key)
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(Issue::new(format!(
                    "`{key}` must be a string, not {}",
                    crate::spec::parse::kind_of(other)
                ))
                .at_key(key)
                .label("expected a string")),
            })
            .transpose()
    };
    let json_value = |key: &str| -> Result<Option<Cow<'static, str>>, Issue> {
        get(key)
            .map(|v| {
                serde_json::to_string(v).map(Cow::Owned).map_err(|e| {
                    Issue::new(format!("`{key}` cannot be written as JSON: {e}"))
                        .at_key(key)
                        .label("not JSON")
                })
            })
            .transpose()
    };
    let choice = |key: &str, options: &[&str], default: &str| -> Result<String, Issue> {
        let value = text(key)?.unwrap_or_else(|| default.to_string());
        if options.contains(&value.as_str()) {
            Ok(value)
        } else {
            Err(Issue::new(format!("unknown `{key}` `{value}`"))
                .at_key(key)
                .label(format!("expected {}", one_of(options)))
                .maybe_help(did_you_mean(&value, options)))
        }
    };
    Ok(IncrementalConfig {
        cursor_path: jsonpath::compile(&cursor_field)
            .map_err(|e| Issue::from(e).under("cursor_path"))?,
        cursor_field: Cow::Owned(cursor_field),
        initial_value: json_value("initial_value")?,
        end_value: json_value("end_value")?,
        start_param: text("start_param")?.map(Cow::Owned),
        end_param: text("end_param")?.map(Cow::Owned),
        last_value_func: match choice("last_value_func", &["max", "min"], "max")?.as_str() {
            "min" => LastValueFunc::Min,
            _ => LastValueFunc::Max,
        },
        start_open: choice("range_start", &["closed", "open"], "closed")? == "open",
        end_closed: choice("range_end", &["open", "closed"], "open")? == "closed",
        on_cursor_value_missing: match choice(
            "on_cursor_value_missing",
            &["raise", "include", "exclude"],
            "raise",
        )?
        .as_str()
        {
            "include" => OnCursorMissing::Include,
            "exclude" => OnCursorMissing::Exclude,
            _ => OnCursorMissing::Raise,
        },
        primary_key: Cow::Owned(match get("primary_key").or(primary_key.as_ref()) {
            Some(Value::String(s)) => vec![Cow::Owned(s.clone())],
            Some(Value::Sequence(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(|s| Cow::Owned(s.to_string())))
                .collect(),
            _ => Vec::new(),
        }),
    })
}
