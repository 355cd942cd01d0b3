//! Resolves an endpoint's `incremental` block into the runtime's `IncrementalConfig`, with
//! dlt's defaults (`max`, closed start, open end, raise on a missing cursor).

use std::borrow::Cow;

use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing};
use serde_yaml::{Mapping, Value};

use super::jsonpath;

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

/// dlt's deprecated incremental parameter, `params: {since: {type: incremental, cursor_path,
/// initial_value, ...}}`: the parameter carries the start value, like `start_param`. Returns
/// the parameters without it and the equivalent `incremental` block. As in dlt, only one such
/// parameter is allowed, and it takes no end value (that needs the endpoint's block).
pub fn split_param(params: Option<&Mapping>) -> Result<(Option<Mapping>, Option<Value>), String> {
    let Some(params) = params else {
        return Ok((None, None));
    };
    let is_incremental = |v: &Value| v.get("type").and_then(Value::as_str) == Some("incremental");
    let mut found = params.iter().filter(|(_, v)| is_incremental(v));
    let Some((name, config)) = found.next() else {
        return Ok((Some(params.clone()), None));
    };
    if found.next().is_some() {
        return Err("only one incremental parameter is allowed per endpoint".into());
    }
    let Value::Mapping(config) = config else {
        return Ok((Some(params.clone()), None));
    };
    let mut block = config.clone();
    block.remove("type");
    for key in ["end_value", "end_param", "start_param"] {
        if block.get(key).is_some_and(|v| !v.is_null()) {
            return Err(format!(
                "incremental parameter `{}`: `{key}` is not allowed here; use the endpoint's \
                 `incremental` block for it",
                super::request::scalar_text(name)
            ));
        }
    }
    block.insert("start_param".into(), name.clone());
    let rest = params
        .iter()
        .filter(|(k, _)| *k != name)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok((Some(rest), Some(Value::Mapping(block))))
}

/// The runtime config of an `incremental` block; `primary_key` is the resource's.
pub fn resolve(block: &Value, primary_key: &Option<Value>) -> Result<IncrementalConfig, String> {
    let Value::Mapping(map) = block else {
        return Err("expected a map with `cursor_path` and optionally `initial_value`".into());
    };
    let get = |key: &str| map.get(key).filter(|v| !v.is_null());
    for key in map.keys() {
        let name = key.as_str().unwrap_or_default();
        if ["convert", "transform"].contains(&name) {
            return Err(format!(
                "`{name}` is a Python callable and cannot be written in a spec"
            ));
        }
        if !KEYS.contains(&name) {
            let hint = crate::spec::diagnostic::closest(name, KEYS)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(format!("unknown key `{name}`{hint}"));
        }
    }
    if get("lag").is_some() {
        return Err("`lag` is not supported by restgen yet".into());
    }
    let cursor_field = get("cursor_path")
        .and_then(Value::as_str)
        .ok_or("needs `cursor_path` (a JSONPath into each record)")?
        .to_string();
    let text = |key: &str| -> Result<Option<String>, String> {
        get(key)
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("`{key}` must be a string, found {other:?}")),
            })
            .transpose()
    };
    let json_value = |key: &str| -> Result<Option<Cow<'static, str>>, String> {
        get(key)
            .map(|v| {
                serde_json::to_string(v)
                    .map(Cow::Owned)
                    .map_err(|e| format!("`{key}`: {e}"))
            })
            .transpose()
    };
    let choice = |key: &str, options: &[&str], default: &str| -> Result<String, String> {
        let value = text(key)?.unwrap_or_else(|| default.to_string());
        if options.contains(&value.as_str()) {
            Ok(value)
        } else {
            Err(format!(
                "`{key}` must be one of {}, found `{value}`",
                options.join(", ")
            ))
        }
    };
    Ok(IncrementalConfig {
        cursor_path: jsonpath::compile(&cursor_field)?,
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn mapping(yaml: &str) -> Mapping {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn an_incremental_parameter_becomes_a_block_with_start_param() {
        let params = mapping(
            "{a: 1, since: {type: incremental, cursor_path: updated, initial_value: '2024-01-02'}}",
        );
        let (rest, block) = split_param(Some(&params)).unwrap();
        assert_eq!(rest.unwrap(), mapping("{a: 1}"));
        let config = resolve(&block.unwrap(), &None).unwrap();
        assert_eq!(config.start_param.as_deref(), Some("since"));
        assert_eq!(config.initial_value.as_deref(), Some("\"2024-01-02\""));
        assert_eq!(config.cursor_field, "updated");
    }

    #[test]
    fn an_incremental_parameter_takes_no_end_and_comes_alone() {
        for params in [
            "{since: {type: incremental, cursor_path: u, end_value: 5}}",
            "{since: {type: incremental, cursor_path: u, end_param: to}}",
            "{a: {type: incremental, cursor_path: u}, b: {type: incremental, cursor_path: v}}",
        ] {
            assert!(split_param(Some(&mapping(params))).is_err(), "{params}");
        }
        let (rest, block) = split_param(Some(&mapping("{a: 1}"))).unwrap();
        assert_eq!(rest.unwrap(), mapping("{a: 1}"));
        assert!(block.is_none());
    }
}
