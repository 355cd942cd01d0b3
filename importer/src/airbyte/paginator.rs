//! Airbyte's paginator options: renamed where they mean a dlt key, left out where a
//! paginator has no use for them, and the paginators that cannot page as written.

use super::Rewriter;
use crate::tree::{Node, Value};
use crate::yaml;

/// Paginator keys of Airbyte's that have no meaning in a paginator here, and why.
const PAGINATOR_DROPPED: &[(&str, &str)] = &[
    (
        "step",
        "a date cursor's step between requests (Airbyte's DatetimeBasedCursor), which a paginator does not take",
    ),
    (
        "start_time_option",
        "where a date cursor sends its start (Airbyte's DatetimeBasedCursor), which a paginator does not take",
    ),
    (
        "end_time_option",
        "where a date cursor sends its end (Airbyte's DatetimeBasedCursor), which a paginator does not take",
    ),
    (
        "inject_on_first_request",
        "restgen sends the page number on every request, the first included, as dlt does",
    ),
];

impl Rewriter<'_> {
    /// Paginators that cannot page as written: an `offset` without the `limit` it steps by
    /// is left out (the first page is fetched); a `cursor` that reads the `Link` header in
    /// code is the `header_link` paginator it means.
    pub(super) fn unusable_paginator(&mut self, endpoint: &mut Node) {
        let Some(paginator) = endpoint.get("paginator") else {
            return;
        };
        let at = paginator.at;
        let kind = paginator.get("type").and_then(Node::as_str);
        if kind == Some("offset") && paginator.get("limit").is_none() {
            endpoint.take("paginator");
            self.note(
                at,
                "paginator.offset_no_limit",
                "an `offset` paginator without `limit` has no page size to step the offset by \
                 (dlt requires one); it is left out, so only the first page is fetched: add \
                 the API's page size as `limit` to page through"
                    .into(),
            );
            return;
        }
        let reads_link = |key: &str| {
            paginator
                .get(key)
                .and_then(Node::as_str)
                .is_some_and(|t| t.to_ascii_lowercase().starts_with("headers.link."))
        };
        if kind == Some("cursor") && (reads_link("cursor_path") || reads_link("cursor_value")) {
            let mut link = Node::new(Value::Dict(Vec::new()), at);
            link.set("type", Node::new(Value::Str("header_link".into()), at));
            endpoint.set("paginator", link);
            self.note(
                at,
                "paginator.cursor_from_link",
                "this `cursor` paginator reads its cursor out of the `Link` header with code \
                 (Airbyte's Jinja); it means the next page the `Link` header names, and is \
                 written as `type: header_link`"
                    .into(),
            );
        }
    }

    pub(super) fn paginator(&mut self, paginator: &mut Node) {
        let kind = paginator
            .get("type")
            .and_then(Node::as_str)
            .map(str::to_string);
        match kind.as_deref() {
            Some("page_number") => {
                self.rename(
                    paginator,
                    "start_from_page",
                    "base_page",
                    "paginator.start_from_page",
                    "`start_from_page` is Airbyte's first page number, dlt's `base_page`",
                );
                self.rename(
                    paginator,
                    "page_size",
                    "limit",
                    "paginator.page_size",
                    "`page_size` is Airbyte's page size, restgen's `limit`",
                );
                self.rename(
                    paginator,
                    "size_param",
                    "limit_param",
                    "paginator.page_size",
                    "`size_param` names the page size parameter, restgen's `limit_param`",
                );
            }
            Some("cursor") => {
                self.rename(
                    paginator,
                    "page_size",
                    "limit",
                    "paginator.page_size",
                    "`page_size` is Airbyte's page size, restgen's `limit`",
                );
            }
            Some("offset") => {
                self.rename(
                    paginator,
                    "size_param",
                    "limit_param",
                    "paginator.page_size",
                    "`size_param` names the page size parameter, dlt's `limit_param`",
                );
                if paginator.get("page_param").is_some() {
                    let at = paginator.at;
                    if let Some(kind) = paginator.get_mut("type") {
                        kind.value = Value::Str("page_number".into());
                    }
                    let dropped: Vec<String> = ["offset_param", "offset"]
                        .into_iter()
                        .filter(|k| paginator.take(k).is_some())
                        .map(|k| format!(" (`{k}` is left out)"))
                        .collect();
                    self.note(
                        at,
                        "paginator.offset_page_param",
                        format!(
                            "an `offset` paginator with a `page_param` counts pages, not records \
                             (Airbyte's PageIncrement); it is written as a `page_number` \
                             paginator, `limit` being the page size{}",
                            dropped.concat()
                        ),
                    );
                }
            }
            _ => {}
        }
        for (key, why) in PAGINATOR_DROPPED {
            if let Some(entry) = paginator.take(key) {
                self.note(
                    entry.key_at,
                    "paginator.airbyte_option",
                    format!(
                        "`{key}: {}` is not read: {why}; it is left out",
                        yaml::flow(&entry.value)
                    ),
                );
            }
        }
    }
}
