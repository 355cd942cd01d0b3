//! Airbyte's record processing rewritten onto `processing_steps`: an endpoint's
//! `record_filter` (a Jinja condition over `record`) becomes a `filter` step of its resource
//! when restgen's expression language reads it; one that reads what a spec cannot give
//! (`stream_interval`, `stream_state`, macros) is left out with a note, as before.

use restgen::ir::template;

use crate::tree::{Node, Value};
use crate::yaml;

use super::Rewriter;

impl Rewriter<'_> {
    /// Takes the endpoint's `record_filter` and, when it compiles, returns the filter step
    /// for the resource to run.
    pub(super) fn record_filter(&mut self, endpoint: &mut Node) -> Option<Node> {
        let entry = endpoint.take("record_filter")?;
        let condition = entry.value.as_str().map(str::to_string);
        let reads_airbyte_state = condition.as_deref().is_some_and(|c| {
            [
                "stream_interval",
                "stream_state",
                "stream_slice",
                "stream_partition",
                "now_utc",
            ]
            .iter()
            .any(|name| c.contains(name))
        });
        match condition {
            Some(text) if !reads_airbyte_state && template::compile_record(&text).is_ok() => {
                self.note(
                    entry.key_at,
                    "endpoint.record_filter_step",
                    format!(
                        "`record_filter: {}` is Airbyte's filter of the records by a Jinja \
                         condition; it is written as the resource's processing step \
                         `filter`, which keeps the records it holds for",
                        yaml::flow(&entry.value)
                    ),
                );
                let mut step = Node::new(Value::Dict(Vec::new()), entry.value.at);
                step.set("filter", Node::new(Value::Str(text), entry.value.at));
                Some(step)
            }
            _ => {
                self.note(
                    entry.key_at,
                    "endpoint.record_filter",
                    format!(
                        "`record_filter: {}` is Airbyte's filter of the records by a Jinja \
                         condition that restgen's expressions cannot read (it needs Airbyte's \
                         sync state or a macro); it is left out and every record the API \
                         returns is delivered: filter them in your code",
                        yaml::flow(&entry.value)
                    ),
                );
                None
            }
        }
    }
}

/// Whether restgen's record expressions read `text`: it compiles, and reads none of
/// Airbyte's sync state or macros (which would compile as record fields of those names).
fn readable(text: &str) -> bool {
    let airbyte = [
        "stream_interval",
        "stream_state",
        "stream_slice",
        "stream_partition",
        "now_utc",
        "day_delta",
        "format_datetime",
    ];
    !airbyte.iter().any(|name| text.contains(name)) && template::compile_record(text).is_ok()
}

/// Appends `step` to the resource's `processing_steps`, after any it has.
pub(super) fn add_step(resource: &mut Node, step: Node) {
    let at = step.at;
    match resource.get_mut("processing_steps") {
        Some(Node {
            value: Value::List(items),
            ..
        }) => items.push(step),
        _ => resource.set("processing_steps", Node::new(Value::List(vec![step]), at)),
    }
}

impl Rewriter<'_> {
    /// Airbyte's `transformations` (`AddFields`, `RemoveFields`) on an endpoint or resource,
    /// as one `map` step; a field whose value is Jinja restgen cannot read is left out with
    /// a note, and so is any other transformation.
    pub(super) fn transformations(&mut self, holder: &mut Node) -> Option<Node> {
        let entry = holder.take("transformations")?;
        let mut add = Vec::new();
        let mut remove = Vec::new();
        for t in entry.value.items() {
            match t.get("type").and_then(Node::as_str) {
                Some("AddFields") => {
                    for field in t.get("fields").map(Node::items).unwrap_or_default() {
                        let (Some(path), Some(value)) = (field.get("path"), field.get("value"))
                        else {
                            continue;
                        };
                        if value
                            .as_str()
                            .is_none_or(|text| !text.contains("{{") || readable(text))
                        {
                            let mut item = Node::new(Value::Dict(Vec::new()), field.at);
                            item.set("path", path.clone());
                            item.set("value", value.clone());
                            add.push(item);
                        } else {
                            self.note(
                                field.at,
                                "endpoint.transformation_field",
                                format!(
                                    "AddFields `{}` is Jinja restgen's expressions cannot read; \
                                     the field is not added",
                                    yaml::flow(path)
                                ),
                            );
                        }
                    }
                }
                Some("RemoveFields") => {
                    remove.extend(
                        t.get("field_pointers")
                            .map(Node::items)
                            .unwrap_or_default()
                            .iter()
                            .cloned(),
                    );
                }
                other => self.note(
                    t.at,
                    "endpoint.transformation",
                    format!(
                        "transformation `{}` is Airbyte code restgen has no counterpart for; \
                         it is left out",
                        other.unwrap_or("?")
                    ),
                ),
            }
        }
        if add.is_empty() && remove.is_empty() {
            return None;
        }
        let at = entry.value.at;
        self.note(
            entry.key_at,
            "endpoint.transformations_step",
            "Airbyte's `transformations` (AddFields, RemoveFields) are written as a `map` \
             processing step of the resource"
                .into(),
        );
        let mut edit = Node::new(Value::Dict(Vec::new()), at);
        if !remove.is_empty() {
            edit.set("remove", Node::new(Value::List(remove), at));
        }
        if !add.is_empty() {
            edit.set("add", Node::new(Value::List(add), at));
        }
        let mut step = Node::new(Value::Dict(Vec::new()), at);
        step.set("map", edit);
        Some(step)
    }

    /// Airbyte's `error_handler.response_filters` (`HttpResponseFilter`s) as
    /// `response_actions`, one per status code, with the handler's first backoff strategy on
    /// the retrying ones.
    pub(super) fn response_filters(&mut self, endpoint: &mut Node) {
        let Some(handler) = endpoint.get_mut("error_handler") else {
            return;
        };
        let Some(filters) = handler.take("response_filters") else {
            return;
        };
        let backoff = handler
            .take("backoff_strategies")
            .and_then(|s| s.value.items().first().and_then(backoff));
        let mut actions = Vec::new();
        for filter in filters.value.items() {
            let action = match filter.get("action").and_then(Node::as_str) {
                Some("IGNORE") => "ignore",
                Some("RETRY") => "retry",
                Some("FAIL") => "fail",
                Some("RATE_LIMITED") => "rate_limited",
                _ => {
                    self.note(
                        filter.at,
                        "endpoint.response_filter",
                        format!(
                            "response filter `{}` has no action restgen knows; it is left out",
                            yaml::flow(filter)
                        ),
                    );
                    continue;
                }
            };
            let mut base = Node::new(Value::Dict(Vec::new()), filter.at);
            if let Some(text) = filter.get("error_message_contains") {
                base.set("content", text.clone());
            }
            if let Some(predicate) = filter.get("predicate") {
                let readable = predicate
                    .as_str()
                    .is_some_and(|p| template::compile(p).is_ok());
                if !readable {
                    self.note(
                        predicate.at,
                        "endpoint.response_filter_predicate",
                        format!(
                            "predicate `{}` is Jinja restgen's expressions cannot read; the \
                             filter is left out",
                            yaml::flow(predicate)
                        ),
                    );
                    continue;
                }
                base.set("predicate", predicate.clone());
            }
            if let Some(message) = filter.get("error_message") {
                base.set("message", message.clone());
            }
            base.set("action", Node::new(Value::Str(action.into()), filter.at));
            if matches!(action, "retry" | "rate_limited")
                && let Some(backoff) = &backoff
            {
                base.set("backoff", backoff.clone());
            }
            let codes = filter
                .get("http_codes")
                .map(Node::items)
                .unwrap_or_default();
            if codes.is_empty() {
                if base.get("content").is_some() || base.get("predicate").is_some() {
                    actions.push(base);
                }
                continue;
            }
            for code in codes {
                let mut one = base.clone();
                one.set("status_code", code.clone());
                actions.push(one);
            }
        }
        self.note(
            filters.key_at,
            "endpoint.response_filters",
            "Airbyte's `response_filters` are written as `response_actions` (IGNORE, RETRY, \
             FAIL, RATE_LIMITED as ignore, retry, fail, rate_limited)"
                .into(),
        );
        if actions.is_empty() {
            return;
        }
        match endpoint.get_mut("response_actions") {
            Some(Node {
                value: Value::List(items),
                ..
            }) => items.extend(actions),
            _ => {
                let at = filters.value.at;
                endpoint.set("response_actions", Node::new(Value::List(actions), at));
            }
        }
    }
}

/// An Airbyte backoff strategy as a rule's `backoff`.
fn backoff(strategy: &Node) -> Option<Node> {
    let at = strategy.at;
    let mut out = Node::new(Value::Dict(Vec::new()), at);
    let text = |s: &str| Node::new(Value::Str(s.into()), at);
    match strategy.get("type").and_then(Node::as_str)? {
        "ConstantBackoffStrategy" => {
            out.set("type", text("constant"));
            out.set("seconds", strategy.get("backoff_time_in_seconds")?.clone());
        }
        "ExponentialBackoffStrategy" => {
            out.set("type", text("exponential"));
            let factor = strategy
                .get("factor")
                .cloned()
                .unwrap_or_else(|| Node::new(Value::Int(5), at));
            out.set("factor", factor);
        }
        "WaitTimeFromHeader" => {
            out.set("type", text("header"));
            out.set("name", strategy.get("header")?.clone());
        }
        _ => return None,
    }
    Some(out)
}
