//! Airbyte's `incremental_sync` (a date cursor) and `partition_router` (a substream or a
//! list of values), in dlt's terms where they have them.

use super::{Rewriter, cursor};
use crate::tree::{Entry, Node, Value};
use crate::yaml;

impl Rewriter<'_> {
    /// Airbyte's `incremental_sync` (a DatetimeBasedCursor, or `type: datetime` in converted
    /// configs) as the endpoint's `incremental`: dlt's keys where dlt has them, restgen's
    /// `datetime_format`, `cursor_datetime_formats` and `window` for the rest.
    pub(super) fn incremental(&mut self, endpoint: &mut Node, sync: Entry) {
        let at = sync.key_at;
        let mut block = Node::new(Value::Dict(Vec::new()), sync.value.at);
        let mut window = Node::new(Value::Dict(Vec::new()), sync.value.at);
        let mut read = Vec::new();
        let mut left = Vec::new();
        let mut lookback = None;
        let mut options = Vec::new();
        for entry in sync.value.entries() {
            let value = &entry.value;
            let literal = value.as_str().filter(|s| !s.contains("{{"));
            match entry.key.as_str() {
                "type"
                    if matches!(
                        literal,
                        Some("datetime" | "DatetimeBasedCursor" | "datetime_cursor")
                    ) => {}
                "cursor_field" => {
                    block.set("cursor_path", value.clone());
                    read.push("`cursor_field` as `cursor_path`".to_string());
                }
                "start_datetime" | "end_datetime" => {
                    let start = entry.key == "start_datetime";
                    let target = if start { "initial_value" } else { "end_value" };
                    // Airbyte's MinMaxDatetime holds the value under `datetime`
                    let node = value.get("datetime").unwrap_or(value);
                    let setting = match &node.value {
                        Value::Config(name) => Some(name.as_str()),
                        Value::Str(s) => cursor::setting_template(s),
                        _ => None,
                    };
                    if let Some(name) = setting {
                        // dlt.config["start_date"]: read from the setting when a run starts
                        let reference = Node::new(Value::Config(name.to_string()), node.at);
                        block.set(target, reference);
                        read.push(format!(
                            "`{}` (the setting `{name}`) as `{target}`",
                            entry.key
                        ));
                        continue;
                    }
                    match node.as_str() {
                        Some(s) if !start && cursor::is_now(s) => {
                            read.push(format!(
                                "`end_datetime: {}` as no end (now)",
                                yaml::flow(node)
                            ));
                        }
                        Some(s) if !s.contains("{{") && !s.eq_ignore_ascii_case("now") => {
                            block.set(target, node.clone());
                            read.push(format!("`{}` as `{target}`", entry.key));
                        }
                        _ => left.push(format!(
                            "`{}: {}` ({})",
                            entry.key,
                            yaml::flow(value),
                            if matches!(node.value, Value::Secret(_)) {
                                "a secret: restgen reads a start or end from a setting, \
                                 `dlt.config[..]`, which is sent and logged in clear"
                            } else if start {
                                "a computed start: give it with `Incremental::starting_at`, \
                                 `Incremental::resume` or the request's `incremental_start`"
                            } else {
                                "a computed end: without one, a run goes to the newest record"
                            }
                        )),
                    }
                }
                "datetime_format" if literal.is_some_and(cursor::is_format) => {
                    block.set("datetime_format", value.clone());
                    read.push("`datetime_format`".to_string());
                }
                "cursor_datetime_formats" if cursor::formats(value) => {
                    block.set("cursor_datetime_formats", value.clone());
                    read.push("`cursor_datetime_formats`".to_string());
                }
                "step" | "cursor_granularity" if literal.is_some_and(cursor::is_duration) => {
                    let key = if entry.key == "step" {
                        "step"
                    } else {
                        "granularity"
                    };
                    window.set(key, value.clone());
                }
                "start_time_option" | "end_time_option" | "start_time_param" | "end_time_param" => {
                    options.push(entry);
                }
                "partition_field_start" | "partition_field_end"
                    if literal.is_some_and(|l| ["start_time", "end_time"].contains(&l)) => {}
                "lookback_window" => lookback = Some(value),
                other => left.push(format!("`{other}: {}`", yaml::flow(value))),
            }
        }
        // Windows when the cursor's format is declared and a request carries the bounds
        let windowed = block.get("datetime_format").is_some()
            && cursor::walkable(endpoint)
            && (!options.is_empty() || cursor::binds_window(endpoint));
        if windowed {
            for option in options {
                match cursor::inject(endpoint, option) {
                    Some(how) => read.push(how),
                    None => left.push(format!(
                        "`{}: {}` (restgen sends a window's bounds as a query parameter, a \
                         header or a JSON body field)",
                        option.key,
                        yaml::flow(&option.value)
                    )),
                }
            }
            if let Some(value) = lookback {
                match value.as_str().filter(|l| cursor::is_duration(l)) {
                    Some(_) => window.set("lookback", value.clone()),
                    None => left.push(format!(
                        "`lookback_window: {}` (not an ISO 8601 duration)",
                        yaml::flow(value)
                    )),
                }
            }
            let parts: Vec<&str> = window.entries().iter().map(|e| e.key.as_str()).collect();
            read.push(if parts.is_empty() {
                "the date range as one `window`".to_string()
            } else {
                format!("`window` ({})", parts.join(", "))
            });
            block.set("window", window);
        } else {
            for option in options {
                self.time_param(&mut block, option, &mut read, &mut left);
            }
            for entry in window.entries() {
                left.push(format!(
                    "`{}: {}` (no request carries the window's bounds)",
                    if entry.key == "step" {
                        "step"
                    } else {
                        "cursor_granularity"
                    },
                    yaml::flow(&entry.value)
                ));
            }
            if let Some(value) = lookback {
                Self::lag(&sync, &mut block, value, &mut read, &mut left);
            }
        }
        // a start or end restgen would not read as a datetime in the declared formats
        for key in ["initial_value", "end_value"] {
            if let Some(node) = block.get(key)
                && !cursor::readable(node, &block)
            {
                left.push(format!(
                    "`{key}: {}` (not a datetime in the declared formats)",
                    yaml::flow(node)
                ));
                block.take(key);
                read.retain(|r| !r.ends_with(&format!("as `{key}`")));
            }
        }
        if block.get("cursor_path").is_none() {
            self.note(
                at,
                "incremental_sync",
                format!(
                    "`incremental_sync` without a `cursor_field` has no cursor to follow; it is \
                     left out{}",
                    if left.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", left.join(", "))
                    }
                ),
            );
            return;
        }
        if endpoint.get("incremental").is_some() {
            self.note(
                at,
                "incremental_sync",
                "`incremental_sync` (Airbyte's date cursor) is left out: the endpoint has an \
                 `incremental` block already"
                    .into(),
            );
            return;
        }
        endpoint.set("incremental", block);
        if left.is_empty() {
            // everything read: a rewrite, not a loss
            self.note(
                at,
                "incremental_sync_read",
                format!(
                    "`incremental_sync` is Airbyte's date cursor; it is written as the \
                     endpoint's `incremental` block: {}",
                    read.join(", ")
                ),
            );
            return;
        }
        self.note(
            at,
            "incremental_sync",
            format!(
                "`incremental_sync` is Airbyte's date cursor; it is written as the endpoint's \
                 `incremental` block: {}; not read: {}",
                read.join(", "),
                left.join(", ")
            ),
        );
    }

    /// A start or end time option without windows: dlt's `start_param` / `end_param`.
    fn time_param(
        &mut self,
        block: &mut Node,
        option: &Entry,
        read: &mut Vec<String>,
        left: &mut Vec<String>,
    ) {
        let value = &option.value;
        let target = if option.key.starts_with("start") {
            "start_param"
        } else {
            "end_param"
        };
        let field = match &value.value {
            Value::Str(_) => Some(value.clone()),
            _ => {
                let inject = value.get("inject_into").and_then(Node::as_str);
                value
                    .get("field_name")
                    .filter(|_| matches!(inject, None | Some("request_parameter" | "query")))
                    .cloned()
            }
        };
        match field {
            Some(field) => {
                block.set(target, field);
                read.push(format!("`{}` as `{target}`", option.key));
            }
            None => left.push(format!(
                "`{}: {}` (restgen sends the start and end as query parameters)",
                option.key,
                yaml::flow(value)
            )),
        }
    }

    /// `lookback_window` without windows: dlt's `lag`, in days on a date cursor.
    fn lag(
        sync: &Entry,
        block: &mut Node,
        value: &Node,
        read: &mut Vec<String>,
        left: &mut Vec<String>,
    ) {
        let Some(seconds) = value.as_str().and_then(duration_seconds) else {
            left.push(format!(
                "`lookback_window: {}` (not a duration in days, hours, minutes or seconds)",
                yaml::flow(value)
            ));
            return;
        };
        // dlt's lag counts days when the initial value or the cursor's values are dates,
        // seconds otherwise
        let date_format = sync
            .value
            .get("datetime_format")
            .and_then(Node::as_str)
            .is_some_and(|f| ["%Y-%m-%d", "%Y%m%d"].contains(&f));
        let date_start = date_format
            || block
                .get("initial_value")
                .and_then(Node::as_str)
                .is_some_and(is_date);
        let (lag, unit) = if date_start {
            (seconds / 86_400, "days")
        } else {
            (seconds, "seconds")
        };
        if date_start && seconds % 86_400 != 0 {
            left.push("`lookback_window` (not whole days on a date cursor)".into());
        } else {
            block.set("lag", Node::new(Value::Int(lag), value.at));
            read.push(format!("`lookback_window` as `lag` ({lag} {unit})"));
        }
    }

    pub(super) fn partition_router(&mut self, endpoint: &mut Node, router: Entry) {
        let at = router.key_at;
        let r = &router.value;
        let text = |key: &str| r.get(key).and_then(Node::as_str).map(str::to_string);
        let kind = text("type").unwrap_or_default();
        if kind == "substream"
            && let (Some(parent), Some(key), Some(field)) = (
                text("parent_stream"),
                text("parent_key"),
                text("partition_field"),
            )
        {
            let placeholder = format!("{{{field}}}");
            let link = format!("{{resources.{parent}.{key}}}");
            if let Some(path) = endpoint.get_mut("path")
                && let Value::Str(p) = &mut path.value
                && p.contains(&placeholder)
            {
                *p = p.replace(&placeholder, &link);
                self.note(
                    at,
                    "endpoint.partition_router",
                    format!(
                        "`partition_router` (a substream of `{parent}`) makes this a child of \
                         `{parent}`: `{placeholder}` in the path is written as `{link}`"
                    ),
                );
                return;
            }
        }
        if matches!(kind.as_str(), "list" | "ListPartitionRouter")
            && let Some(how) = list_partitions(endpoint, r)
        {
            self.note(
                at,
                "endpoint.partition_router_list",
                format!(
                    "`partition_router` (a list) is written as `partitions`: the endpoint is \
                     walked once per value by `<resource>_all()`, {how}"
                ),
            );
            return;
        }
        self.note(
            at,
            "endpoint.partition_router",
            format!(
                "`partition_router: {}` is not read: restgen runs the endpoint once, not once per \
                 partition; pass the partition's value yourself (`.param(..)` or an argument)",
                yaml::flow(r)
            ),
        );
    }
}

/// Writes a list `partition_router` (literal `values` or a setting's, a `cursor_field`) as
/// the endpoint's `partitions` when the value reaches the request: through its
/// `request_option` (query, header or JSON body) or a `{cursor_field}` placeholder already
/// there. Says how it is sent; `None` (nothing written) when the values are neither literal
/// nor a setting, or the value goes nowhere.
fn list_partitions(endpoint: &mut Node, router: &Node) -> Option<String> {
    let values = router.get("values")?;
    let from = match &values.value {
        Value::List(items)
            if !items.is_empty()
                && items.iter().all(|v| {
                    matches!(v.value, Value::Str(_) | Value::Int(_) | Value::Float(_))
                }) =>
        {
            String::new()
        }
        // `dlt.config["years"]`: the runtime reads the setting when the walk starts
        Value::Config(name) => format!(
            " (the values are the setting `{name}`'s, read when the walk starts: a list, or \
             comma-separated values)"
        ),
        _ => return None,
    };
    let field = router
        .get("cursor_field")
        .and_then(Node::as_str)?
        .to_string();
    let placeholder = format!("{{{field}}}");
    let at = router.at;
    let how = match router.get("request_option") {
        Some(option) => {
            let name = option.get("field_name").and_then(Node::as_str)?.to_string();
            let target = match option.get("inject_into").and_then(Node::as_str) {
                Some("request_parameter" | "query") | None => "params",
                Some("header") => "headers",
                Some("body_json") => "json",
                _ => return None,
            };
            if endpoint.get(target).is_none() {
                endpoint.set(target, Node::new(Value::Dict(Vec::new()), at));
            }
            let map = endpoint.get_mut(target)?;
            if !matches!(map.value, Value::Dict(_)) {
                return None;
            }
            map.set(&name, Node::new(Value::Str(placeholder.clone()), at));
            let place = match target {
                "params" => "query parameter",
                "headers" => "header",
                _ => "JSON body field",
            };
            format!("each value sent as the {place} `{name}`")
        }
        None => {
            let text = yaml::flow(endpoint);
            if !text.contains(&placeholder) {
                return None;
            }
            format!("each value bound to `{placeholder}`")
        }
    };
    let mut block = Node::new(Value::Dict(Vec::new()), at);
    block.set("field", Node::new(Value::Str(field), at));
    block.set("values", values.clone());
    endpoint.set("partitions", block);
    Some(format!("{how}{from}"))
}

/// Whether `text` is a `YYYY-MM-DD` date.
fn is_date(text: &str) -> bool {
    text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// An ISO 8601 duration of weeks, days, hours, minutes and whole seconds (`P3D`, `PT12H`,
/// `P1DT30M`) in seconds; months and years have no fixed length and are `None`.
fn duration_seconds(text: &str) -> Option<i64> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total: i64 = 0;
    let mut any = false;
    for (part, units) in [
        (date, &[('W', 604_800), ('D', 86_400)][..]),
        (time, &[('H', 3_600), ('M', 60), ('S', 1)][..]),
    ] {
        let mut number = String::new();
        for ch in part.chars() {
            if ch.is_ascii_digit() {
                number.push(ch);
                continue;
            }
            let (_, seconds) = units.iter().find(|(u, _)| *u == ch)?;
            let n: i64 = number.parse().ok()?;
            total = total.checked_add(n.checked_mul(*seconds)?)?;
            number.clear();
            any = true;
        }
        if !number.is_empty() {
            return None;
        }
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookback_durations_in_seconds() {
        assert_eq!(duration_seconds("P3D"), Some(259_200));
        assert_eq!(duration_seconds("PT12H"), Some(43_200));
        assert_eq!(duration_seconds("P1DT30M"), Some(88_200));
        assert_eq!(duration_seconds("P1W"), Some(604_800));
        for bad in ["P1M", "P1Y", "3D", "P", "PT1.5S", "{{ config['x'] }}"] {
            assert_eq!(duration_seconds(bad), None, "{bad}");
        }
        assert!(is_date("2024-01-01"));
        assert!(!is_date("2024-01-01T00:00:00Z"));
    }
}
