//! dlt 1.31 validates a config against closed TypedDicts: a key outside them makes dlt reject
//! the whole config. These are those key sets, per section, so that every such key gets a
//! note at its place (restgen's own check stops at the first problem it meets).

use crate::tree::{Entry, Node, Value};

const TOP: &[&str] = &["client", "resources", "resource_defaults"];
const CLIENT: &[&str] = &["base_url", "headers", "auth", "paginator", "session"];
const RESOURCE: &[&str] = &[
    "name",
    "endpoint",
    "write_disposition",
    "primary_key",
    "merge_key",
    "columns",
    "table_name",
    "max_table_nesting",
    "selected",
    "parallelized",
    "processing_steps",
    "include_from_parent",
    "schema_contract",
    "table_format",
    "file_format",
    "references",
    "parent_table_name",
    "nested_hints",
];
const ENDPOINT: &[&str] = &[
    "path",
    "method",
    "params",
    "json",
    "data",
    "headers",
    "paginator",
    "data_selector",
    "response_actions",
    "incremental",
    "auth",
];
const INCREMENTAL: &[&str] = &[
    "cursor_path",
    "initial_value",
    "end_value",
    "convert",
    "transform",
    "last_value_func",
    "primary_key",
    "row_order",
    "lag",
    "on_cursor_value_missing",
    "range_start",
    "range_end",
    "allow_external_schedulers",
    "start_param",
    "end_param",
];
const RESPONSE_ACTION: &[&str] = &[
    "status_code",
    "content",
    "action",
    "predicate",
    "backoff",
    "message",
];

/// The keys of dlt's auth config of `kind` (`None`: no `type`, which is bearer).
fn auth_keys(kind: Option<&str>) -> Option<&'static [&'static str]> {
    Some(match kind {
        None | Some("bearer") => &["type", "token"],
        Some("api_key") => &["type", "name", "api_key", "location"],
        Some("http_basic" | "basic") => &["type", "username", "password"],
        Some("oauth2_client_credentials") => &[
            "type",
            "access_token_url",
            "client_id",
            "client_secret",
            "access_token_request_data",
            "default_token_expiration",
            "session",
        ],
        Some(_) => return None,
    })
}

/// The keys of dlt's paginator config of `kind`.
fn paginator_keys(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "single_page" | "auto" => &["type"],
        "json_link" | "json_response" => &["type", "next_url_path"],
        "header_link" => &["type", "links_next_key"],
        "header_cursor" => &["type", "cursor_key", "cursor_param"],
        "cursor" => &[
            "type",
            "cursor_path",
            "cursor_param",
            "cursor_body_path",
            "stop_after_empty_page",
            "has_more_path",
        ],
        "offset" => &[
            "type",
            "limit",
            "offset",
            "offset_param",
            "offset_body_path",
            "limit_param",
            "limit_body_path",
            "total_path",
            "maximum_offset",
            "stop_after_empty_page",
            "has_more_path",
        ],
        "page_number" => &[
            "type",
            "base_page",
            "page",
            "page_param",
            "page_body_path",
            "total_path",
            "maximum_page",
            "stop_after_empty_page",
            "has_more_path",
        ],
        _ => return None,
    })
}

/// Keys that are not dlt but that the rules note on their own, with what restgen makes of
/// them: `(section, key)`.
const NOTED_ELSEWHERE: &[(&str, &str)] = &[
    ("endpoint", "error_handler"),
    ("endpoint", "partitions"),
    ("incremental", "datetime_format"),
    ("incremental", "cursor_datetime_formats"),
    ("incremental", "window"),
    ("cursor paginator", "cursor_value"),
    ("cursor paginator", "stop_condition"),
    ("cursor paginator", "limit"),
    ("cursor paginator", "limit_param"),
    ("page_number paginator", "limit"),
    ("page_number paginator", "limit_param"),
    ("bearer auth", "api_key"),
    ("bearer auth", "location"),
];

/// Every key of `config` outside dlt's key sets: the section it is in, and the entry.
pub fn unknown(config: &Node) -> Vec<(String, &Entry)> {
    let mut out = Vec::new();
    for (part, node) in parts(config) {
        match part {
            Part::Config => check(node, "config", TOP, &mut out),
            Part::Client => check(node, "client", CLIENT, &mut out),
            Part::Resource => check(node, "resource", RESOURCE, &mut out),
            Part::Endpoint => check(node, "endpoint", ENDPOINT, &mut out),
            Part::Auth => check_auth(node, &mut out),
            Part::Paginator => check_paginator(node, &mut out),
            Part::Incremental => check(node, "incremental", INCREMENTAL, &mut out),
            Part::ResponseAction => check(node, "response action", RESPONSE_ACTION, &mut out),
        }
    }
    out
}

/// The sections of a config that dlt validates each against its own TypedDict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The whole config.
    Config,
    /// `client`.
    Client,
    /// A client or endpoint `auth`.
    Auth,
    /// A client or endpoint `paginator`.
    Paginator,
    /// `resource_defaults` or a resource.
    Resource,
    /// An `endpoint`.
    Endpoint,
    /// An endpoint's `incremental`.
    Incremental,
    /// One of an endpoint's `response_actions`.
    ResponseAction,
}

/// Every section of `config` with its kind, in input order.
pub fn parts(config: &Node) -> Vec<(Part, &Node)> {
    let mut out = vec![(Part::Config, config)];
    if let Some(client) = config.get("client") {
        out.push((Part::Client, client));
        out.extend(client.get("auth").map(|a| (Part::Auth, a)));
        out.extend(client.get("paginator").map(|p| (Part::Paginator, p)));
    }
    let defaults = config.get("resource_defaults").into_iter();
    let resources = config.get("resources").map(Node::items).unwrap_or_default();
    for resource in defaults.chain(resources.iter()) {
        out.push((Part::Resource, resource));
        let Some(endpoint) = resource.get("endpoint") else {
            continue;
        };
        out.push((Part::Endpoint, endpoint));
        out.extend(endpoint.get("auth").map(|a| (Part::Auth, a)));
        out.extend(endpoint.get("paginator").map(|p| (Part::Paginator, p)));
        out.extend(endpoint.get("incremental").map(|i| (Part::Incremental, i)));
        let actions = endpoint
            .get("response_actions")
            .map(Node::items)
            .unwrap_or_default();
        out.extend(actions.iter().map(|a| (Part::ResponseAction, a)));
    }
    out
}

fn check<'a>(node: &'a Node, section: &str, allowed: &[&str], out: &mut Vec<(String, &'a Entry)>) {
    let Value::Dict(entries) = &node.value else {
        return;
    };
    for entry in entries {
        let noted = NOTED_ELSEWHERE.contains(&(section, entry.key.as_str()));
        if !allowed.contains(&entry.key.as_str()) && !noted {
            out.push((section.to_string(), entry));
        }
    }
}

fn check_auth<'a>(auth: &'a Node, out: &mut Vec<(String, &'a Entry)>) {
    let kind = auth.get("type").and_then(Node::as_str);
    if let Some(keys) = auth_keys(kind) {
        let section = format!("{} auth", kind.unwrap_or("bearer"));
        check(auth, &section, keys, out);
    }
}

fn check_paginator<'a>(paginator: &'a Node, out: &mut Vec<(String, &'a Entry)>) {
    if let Some(kind) = paginator.get("type").and_then(Node::as_str)
        && let Some(keys) = paginator_keys(kind)
    {
        check(paginator, &format!("{kind} paginator"), keys, out);
    }
}

/// Whether `kind` is a paginator type dlt knows.
pub fn is_paginator_type(kind: &str) -> bool {
    paginator_keys(kind).is_some()
}
