//! Resolves an endpoint's `incremental` block into the runtime's `IncrementalConfig`, with
//! dlt's defaults (`max`, closed start, open end, raise on a missing cursor).

use std::borrow::Cow;

use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing, RowOrder};
use serde_yaml::{Mapping, Value};

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
    "datetime_format",
    "cursor_datetime_formats",
    "window",
];

/// dlt's deprecated incremental parameter, `params: {since: {type: incremental, cursor_path,
/// initial_value, ...}}`: the parameter carries the start value, like `start_param`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamBlock {
    /// The parameter's name, which becomes the block's `start_param`.
    pub name: String,
    /// The equivalent `incremental` block.
    pub block: Value,
}

/// Splits dlt's incremental parameters from the others: returns the parameters without any of
/// them, and the one as an `incremental` block. As in dlt, only one such parameter is allowed,
/// and it takes no end value (that needs the endpoint's block). An issue is located relative
/// to `params`.
pub fn split_param(
    params: Option<&Mapping>,
) -> (Option<Mapping>, Result<Option<ParamBlock>, Issue>) {
    let Some(params) = params else {
        return (None, Ok(None));
    };
    let is_incremental = |v: &Value| v.get("type").and_then(Value::as_str) == Some("incremental");
    let rest: Mapping = params
        .iter()
        .filter(|(_, v)| !is_incremental(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut found = params.iter().filter(|(_, v)| is_incremental(v));
    let Some((name, Value::Mapping(config))) = found.next() else {
        return (Some(rest), Ok(None));
    };
    let name = super::request::scalar_text(name);
    (Some(rest), param_block(name, config, found.next()))
}

/// The block of the incremental parameter `name`; `second` is another one, an error.
fn param_block(
    name: String,
    config: &Mapping,
    second: Option<(&Value, &Value)>,
) -> Result<Option<ParamBlock>, Issue> {
    if let Some((other, _)) = second {
        return Err(
            Issue::new("only one incremental parameter is allowed per endpoint")
                .at_key(&super::request::scalar_text(other))
                .key()
                .label("a second incremental parameter")
                .also(&name, "the first")
                .help("keep one, or move the cursor to the endpoint's `incremental` block"),
        );
    }
    let mut block = config.clone();
    block.remove("type");
    for key in ["end_value", "end_param", "start_param"] {
        if block.get(key).is_some_and(|v| !v.is_null()) {
            return Err(Issue::new(format!(
                "incremental parameter `{name}` cannot have `{key}`"
            ))
            .at_key(&name)
            .at_key(key)
            .key()
            .label("not allowed in the parameter form")
            .note("the parameter itself carries the start value, as `start_param` does")
            .help(format!(
                "use the endpoint's `incremental` block for `{key}`, with \
                 `{{incremental.start_value}}` in the parameter"
            )));
        }
    }
    block.insert("start_param".into(), Value::String(name.clone()));
    Ok(Some(ParamBlock {
        name,
        block: Value::Mapping(block),
    }))
}

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
    let lag = lag(get("lag"))?;
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
    let (initial_value_config, end_value_config) = (
        setting(get("initial_value"), "initial_value")?,
        setting(get("end_value"), "end_value")?,
    );
    let json_value = |key: &str| match (key, &initial_value_config, &end_value_config) {
        ("initial_value", Some(_), _) | ("end_value", _, Some(_)) => Ok(None),
        _ => json_value(key),
    };
    let datetime = super::windows::resolve(map)?;
    let config = IncrementalConfig {
        datetime_format: datetime.datetime_format,
        cursor_datetime_formats: Cow::Owned(datetime.cursor_datetime_formats),
        window: datetime.window,
        cursor_path: jsonpath::compile(&cursor_field)
            .map_err(|e| Issue::from(e).under("cursor_path"))?,
        cursor_field: Cow::Owned(cursor_field),
        initial_value: json_value("initial_value")?,
        end_value: json_value("end_value")?,
        initial_value_config,
        end_value_config,
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
        row_order: match text("row_order")?.as_deref() {
            None => None,
            Some(_) => match choice("row_order", &["asc", "desc"], "asc")?.as_str() {
                "desc" => Some(RowOrder::Desc),
                _ => Some(RowOrder::Asc),
            },
        },
        lag,
        primary_key: Cow::Owned(match get("primary_key").or(primary_key.as_ref()) {
            Some(Value::String(s)) => vec![Cow::Owned(s.clone())],
            Some(Value::Sequence(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(|s| Cow::Owned(s.to_string())))
                .collect(),
            _ => Vec::new(),
        }),
    };
    super::windows::check(&config, map)?;
    Ok(config)
}

/// A bound written as a setting, `{config: start_date}` (dlt's `dlt.config["start_date"]`):
/// its name. Any other mapping (a secret, more keys) is an error; a literal is `None`.
fn setting(value: Option<&Value>, key: &str) -> Result<Option<Cow<'static, str>>, Issue> {
    let Some(Value::Mapping(map)) = value else {
        return Ok(None);
    };
    let name = map.get("config").and_then(Value::as_str);
    match name {
        Some(name) if map.len() == 1 && !name.is_empty() => Ok(Some(Cow::Owned(name.to_string()))),
        _ => Err(Issue::new(format!(
            "`{key}` must be a value or a setting `{{config: <name>}}`"
        ))
        .at_key(key)
        .label("expected a literal or `{config: <name>}`")
        .note("a start or end value is sent and logged in clear: it cannot be a secret")
        .help(format!(
            "write `{key}: {{config: start_date}}` to read it from a setting"
        ))),
    }
}

/// dlt's `lag`: a number (seconds for a datetime cursor, days for a date one, units for a
/// number), kept as its JSON text; zero is no lag.
fn lag(value: Option<&Value>) -> Result<Option<Cow<'static, str>>, Issue> {
    let Some(value) = value else {
        return Ok(None);
    };
    let number = match value {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite() && *f >= 0.0),
        _ => None,
    };
    match number {
        // zero is no lag
        Some(n) if n.abs() < f64::MIN_POSITIVE => Ok(None),
        Some(_) => Ok(Some(Cow::Owned(serde_json::to_string(value).map_err(
            |e| {
                Issue::new(format!("`lag` cannot be written as JSON: {e}"))
                    .at_key("lag")
                    .label("not JSON")
            },
        )?))),
        None => Err(Issue::new(format!(
            "`lag` must be a non-negative number, not {}",
            crate::spec::parse::kind_of(value)
        ))
        .at_key("lag")
        .label("expected a number")
        .note("seconds for a datetime cursor, days for a date cursor, units for a number")),
    }
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
        let (rest, block) = split_param(Some(&params));
        assert_eq!(rest.unwrap(), mapping("{a: 1}"));
        let block = block.unwrap().unwrap();
        assert_eq!(block.name, "since");
        let config = resolve(&block.block, &None).unwrap();
        assert_eq!(config.start_param.as_deref(), Some("since"));
        assert_eq!(config.initial_value.as_deref(), Some("\"2024-01-02\""));
        assert_eq!(config.cursor_field, "updated");
    }

    #[test]
    fn bounds_may_be_settings() {
        let block: Value = serde_yaml::from_str(
            "{cursor_path: ts, initial_value: {config: start_date}, end_value: {config: until}}",
        )
        .unwrap();
        let config = resolve(&block, &None).unwrap();
        assert_eq!(config.initial_value_config.as_deref(), Some("start_date"));
        assert_eq!(config.end_value_config.as_deref(), Some("until"));
        assert_eq!((config.initial_value, config.end_value), (None, None));
        for bad in [
            "{secret: token}",
            "{config: a, other: b}",
            "{config: ''}",
            "{config: [a]}",
        ] {
            let block: Value =
                serde_yaml::from_str(&format!("{{cursor_path: ts, initial_value: {bad}}}"))
                    .unwrap();
            let issue = resolve(&block, &None).unwrap_err();
            assert!(
                format!("{issue:?}").contains("{config: <name>}"),
                "{bad}: {issue:?}"
            );
        }
    }

    #[test]
    fn lag_is_a_number() {
        let block = |lag: &str| -> Value {
            serde_yaml::from_str(&format!("{{cursor_path: ts, lag: {lag}}}")).unwrap()
        };
        assert_eq!(
            resolve(&block("3600"), &None).unwrap().lag.as_deref(),
            Some("3600")
        );
        assert_eq!(
            resolve(&block("1.5"), &None).unwrap().lag.as_deref(),
            Some("1.5")
        );
        assert_eq!(resolve(&block("0"), &None).unwrap().lag, None);
        for bad in ["'1 day'", "-1", "[1]"] {
            assert!(resolve(&block(bad), &None).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_incremental_parameter_takes_no_end_and_comes_alone() {
        for params in [
            "{since: {type: incremental, cursor_path: u, end_value: 5}}",
            "{since: {type: incremental, cursor_path: u, end_param: to}}",
            "{a: {type: incremental, cursor_path: u}, b: {type: incremental, cursor_path: v}}",
        ] {
            let (rest, block) = split_param(Some(&mapping(params)));
            assert!(block.is_err(), "{params}");
            // the parameter is an error, so it is not sent as a plain one either
            assert_eq!(rest.unwrap(), Mapping::new(), "{params}");
        }
        let (rest, block) = split_param(Some(&mapping("{a: 1}")));
        assert_eq!(rest.unwrap(), mapping("{a: 1}"));
        assert!(block.unwrap().is_none());
    }
}
