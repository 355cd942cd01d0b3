//! Airbyte's `incremental_sync` (a date cursor) and `partition_router` (a substream or a
//! list of values), in dlt's terms where they have them.

use super::Rewriter;
use crate::tree::{Entry, Node, Value};
use crate::yaml;

impl Rewriter<'_> {
    /// Airbyte's `incremental_sync` (a DatetimeBasedCursor) as the endpoint's `incremental`.
    pub(super) fn incremental(&mut self, endpoint: &mut Node, sync: Entry) {
        let at = sync.key_at;
        let mut block = Node::new(Value::Dict(Vec::new()), sync.value.at);
        let mut read = Vec::new();
        let mut left = Vec::new();
        for entry in sync.value.entries() {
            let value = &entry.value;
            match entry.key.as_str() {
                "cursor_field" => {
                    block.set("cursor_path", value.clone());
                    read.push("`cursor_field` as `cursor_path`".to_string());
                }
                "start_datetime" | "end_datetime" => {
                    let (target, name) = if entry.key == "start_datetime" {
                        ("initial_value", "start")
                    } else {
                        ("end_value", "end")
                    };
                    match &value.value {
                        // `now`: the present, where a run ends anyway
                        Value::Str(s) if !s.contains("{{") && !s.eq_ignore_ascii_case("now") => {
                            block.set(target, value.clone());
                            read.push(format!("`{}` as `{target}`", entry.key));
                        }
                        _ => left.push(format!(
                            "`{}: {}` ({})",
                            entry.key,
                            yaml::flow(value),
                            if name == "start" {
                                "a computed start: give it with `Incremental::resume` or the \
                                 request's `incremental_start`"
                            } else {
                                "a computed end: without one, a run goes to the newest record"
                            }
                        )),
                    }
                }
                "start_time_option" | "end_time_option" | "start_time_param" | "end_time_param" => {
                    let target = if entry.key.starts_with("start") {
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
                                .filter(|_| {
                                    matches!(inject, None | Some("request_parameter" | "query"))
                                })
                                .cloned()
                        }
                    };
                    match field {
                        Some(field) => {
                            block.set(target, field);
                            read.push(format!("`{}` as `{target}`", entry.key));
                        }
                        None => left.push(format!(
                            "`{}: {}` (restgen sends the start and end as query parameters)",
                            entry.key,
                            yaml::flow(value)
                        )),
                    }
                }
                other => left.push(format!("`{other}`")),
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
        let left = if left.is_empty() {
            String::new()
        } else {
            format!("; not read: {}", left.join(", "))
        };
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
        self.note(
            at,
            "incremental_sync",
            format!(
                "`incremental_sync` is Airbyte's date cursor; it is written as the endpoint's \
                 `incremental` block: {}{left}",
                read.join(", ")
            ),
        );
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
