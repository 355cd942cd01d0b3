//! restgen's datetime keys of an `incremental` block (Airbyte's `DatetimeBasedCursor`, which
//! dlt does not have): `datetime_format` and `cursor_datetime_formats`, with which cursor
//! values compare as instants, and `window: {step, granularity, lookback}`, the date windows
//! the generated `<resource>_all()` walks (`FanOut::over_date_windows`), each window's bounds
//! bound to the placeholders `{start_time}` and `{end_time}`.

use std::borrow::Cow;

use restgen_runtime::incremental::windows::{IsoDuration, WindowConfig, is_format};
use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc};
use serde_yaml::{Mapping, Value};

use super::PathArg;
use super::issue::Issue;
use crate::spec::diagnostic::{did_you_mean, one_of};

const WINDOW_KEYS: &[&str] = &["step", "granularity", "lookback"];

/// The arguments a window binds: Airbyte's `partition_field_start` and `partition_field_end`.
pub const BOUNDS: &[&str] = &["start_time", "end_time"];

/// The datetime keys of an `incremental` block, resolved.
pub struct DatetimeKeys {
    /// `datetime_format`: how window bounds are written.
    pub datetime_format: Option<Cow<'static, str>>,
    /// `cursor_datetime_formats`: more formats cursor values are read in.
    pub cursor_datetime_formats: Vec<Cow<'static, str>>,
    /// `window`.
    pub window: Option<WindowConfig>,
}

/// The datetime keys of an `incremental` mapping: the format bounds are written in, the
/// formats cursor values are read in, and the windows. Issues are relative to the block.
pub fn resolve(map: &Mapping) -> Result<DatetimeKeys, Issue> {
    let get = |key: &str| map.get(key).filter(|v| !v.is_null());
    let datetime_format = get("datetime_format")
        .map(|v| format(v).map_err(|e| e.under("datetime_format")))
        .transpose()?;
    let cursor_formats = match get("cursor_datetime_formats") {
        None => Vec::new(),
        Some(Value::Sequence(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| format(v).map_err(|e| e.under_index(i).under("cursor_datetime_formats")))
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(
                Issue::new("`cursor_datetime_formats` must be a list of formats")
                    .at_key("cursor_datetime_formats")
                    .label("expected a list of strftime formats")
                    .help("write `cursor_datetime_formats: ['%Y-%m-%dT%H:%M:%S%z', '%s']`"),
            );
        }
    };
    let window = get("window")
        .map(|w| window(w).map_err(|e| e.under("window")))
        .transpose()?;
    if window.is_some() && datetime_format.is_none() {
        return Err(Issue::new(
            "date windows need `datetime_format`: the format their bounds are sent in",
        )
        .at_key("window")
        .key()
        .label("no `datetime_format` in this block")
        .help("add `datetime_format: '%Y-%m-%dT%H:%M:%SZ'` (strftime; `%s` for epoch seconds)"));
    }
    Ok(DatetimeKeys {
        datetime_format,
        cursor_datetime_formats: cursor_formats,
        window,
    })
}

/// A strftime format, with Airbyte's `%s_as_float`, `%ms` and `%_ms`.
fn format(value: &Value) -> Result<Cow<'static, str>, Issue> {
    let Value::String(text) = value else {
        return Err(Issue::new(format!(
            "a datetime format must be a string, not {}",
            crate::spec::parse::kind_of(value)
        ))
        .label("expected a strftime format such as '%Y-%m-%dT%H:%M:%SZ'"));
    };
    if !is_format(text) {
        return Err(Issue::new(format!("`{text}` is not a datetime format"))
            .label("expected strftime (`%Y-%m-%d`), or `%s`, `%ms`, `%s_as_float`")
            .note("Python's strftime directives, `%f` six-digit microseconds, Airbyte's `%_ms` milliseconds"));
    }
    Ok(Cow::Owned(text.clone()))
}

/// The `window` mapping: ISO 8601 durations, a step that moves.
fn window(value: &Value) -> Result<WindowConfig, Issue> {
    let Value::Mapping(map) = value else {
        return Err(Issue::new("`window` must be a mapping")
            .label("expected `{step: P1D, granularity: PT1S, lookback: P3D}`"));
    };
    for key in map.keys() {
        let name = super::request::scalar_text(key);
        if !WINDOW_KEYS.contains(&name.as_str()) {
            return Err(Issue::new(format!("unknown key `{name}` in `window`"))
                .at_key(&name)
                .key()
                .label("unknown key")
                .maybe_help(did_you_mean(&name, WINDOW_KEYS))
                .note(format!("`window` takes {}", one_of(WINDOW_KEYS))));
        }
    }
    let duration = |key: &str| -> Result<Option<Cow<'static, str>>, Issue> {
        let Some(v) = map.get(key).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let parsed = v.as_str().and_then(IsoDuration::parse);
        match parsed {
            Some(d) if key == "step" && d == IsoDuration::ZERO => {
                Err(Issue::new("a window `step` must move: this one is zero")
                    .at_key(key)
                    .label("a step of nothing")
                    .help("write a length such as `P1D`, `PT6H` or `P1M`"))
            }
            Some(_) => Ok(v.as_str().map(|s| Cow::Owned(s.to_string()))),
            None => Err(Issue::new(format!(
                "`{key}` must be an ISO 8601 duration, not {}",
                match v {
                    Value::String(s) => format!("`{s}`"),
                    other => crate::spec::parse::kind_of(other).to_string(),
                }
            ))
            .at_key(key)
            .label("expected a duration such as `P1D`, `PT1S`, `P1M` or `PT0.5S`")),
        }
    };
    Ok(WindowConfig {
        step: duration("step")?,
        granularity: duration("granularity")?,
        lookback: duration("lookback")?,
    })
}

/// The checks that need the whole block: start and end values readable as datetimes when
/// formats are declared; a window grows forward and has one lookback. (A window without an
/// `initial_value` takes its start from the run: `Incremental::starting_at` or a checkpoint.)
pub fn check(config: &IncrementalConfig, map: &Mapping) -> Result<(), Issue> {
    let formats = config.datetime_formats();
    if !formats.is_empty() {
        for (key, text) in [
            ("initial_value", &config.initial_value),
            ("end_value", &config.end_value),
        ] {
            let Some(text) = text else { continue };
            let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
            if !config.is_bound(&value) {
                return Err(Issue::new(format!(
                    "`{key}` {value} is not a datetime in the declared formats"
                ))
                .at_key(key)
                .label(format!("expected a datetime in {}", formats.join(", ")))
                .note("with `datetime_format` or `cursor_datetime_formats`, cursor values compare as time"));
            }
        }
    }
    let Some(window) = &config.window else {
        return Ok(());
    };
    if config.last_value_func == LastValueFunc::Min {
        return Err(Issue::new(
            "date windows walk forward in time: `last_value_func` must be `max`",
        )
        .at_key("last_value_func")
        .label("windows cannot walk backward"));
    }
    if window.lookback.is_some() && map.get("lag").is_some_and(|v| !v.is_null()) {
        return Err(
            Issue::new("write the look back once: `lag` or `window.lookback`, not both")
                .at_key("lag")
                .key()
                .label("a lag")
                .also("window", "and a window with a lookback"),
        );
    }
    Ok(())
}

/// A windowed resource binds the window's bounds and nothing else: its only arguments are
/// `start_time` and/or `end_time`, no parent field, no list partitions. Issues are relative
/// to the endpoint.
pub fn check_resource(args: &[PathArg], partitioned: bool) -> Result<(), Issue> {
    let in_window = |e: Issue| e.under("incremental");
    let names: Vec<&str> = args.iter().map(|a| a.name.as_str()).collect();
    if partitioned {
        return Err(in_window(
            Issue::new("a resource walks list partitions or date windows, not both")
                .at_key("window")
                .key()
                .label("date windows")
                .help("keep one of `window` and `partitions`"),
        ));
    }
    if !names.iter().any(|n| BOUNDS.contains(n)) {
        return Err(in_window(
            Issue::new("the windows reach no request: nothing sends `{start_time}` or `{end_time}`")
                .at_key("window")
                .key()
                .label("windows no request carries")
                .help("send the bounds where the API takes them: `params: {since: '{start_time}', until: '{end_time}'}`")
                .note("every window would fetch the same records"),
        ));
    }
    if let Some(other) = args
        .iter()
        .find(|a| !BOUNDS.contains(&a.name.as_str()) || a.parent.is_some())
    {
        return Err(in_window(
            Issue::new(format!(
                "a windowed resource takes no argument but the window's bounds, and `{}` is one",
                other.name
            ))
            .at_key("window")
            .key()
            .label(format!("the resource also takes {}", one_of(&names)))
            .note("the window walk binds `{start_time}` and `{end_time}` only"),
        ));
    }
    Ok(())
}
