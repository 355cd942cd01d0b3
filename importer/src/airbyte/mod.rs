//! Airbyte's constructs that converted configs carry, rewritten into the dialect before the
//! config is written, each with a note that says what it was and how it reads now:
//!
//! - spelled differently, same meaning: `body` is `json`, `http_method` is `method`,
//!   `start_from_page` is `base_page`, `page_size` is `limit`, `size_param` is `limit_param`,
//!   an `offset` paginator with a `page_param` pages by number, `data_selector: ""` is the
//!   root, auth `type: none` is no auth;
//! - translated: `incremental_sync` (a datetime cursor) becomes an `incremental` block, a
//!   substream `partition_router` a parent placeholder, Jinja `{{ config['x'] }}` and
//!   `{{ stream_partition.x }}` in paths, parameters, headers and bodies the `{config.x}`
//!   setting and the `{x}` argument; a `custom` paginator or auth (code) the
//!   `{type: custom, name: ..}` marker whose Rust code the generated builder requires;
//! - a `record_filter` the expression language reads becomes a `filter` processing step,
//!   `transformations` (AddFields, RemoveFields) a `map` step, and an `error_handler`'s
//!   `response_filters` (with its backoff strategy) `response_actions`;
//! - without a meaning a spec can hold, left out so that the resource still works, and noted:
//!   a `record_filter` over Airbyte's sync state, a list `partition_router`, and a
//!   paginator's `step`, `start_time_option`, `end_time_option`, `inject_on_first_request`.

mod cursor;
mod jinja;
mod jinja_expr;
mod paginator;
mod steps;
mod sync;

use crate::source::{Loc, Note, Source};
use crate::tree::{Node, Value};
use crate::yaml;

/// Rewrites Airbyte's constructs in `config`; returns a note for each.
pub fn rewrite(config: &mut Node, source: &Source) -> Vec<Note> {
    let mut r = Rewriter {
        source,
        notes: Vec::new(),
    };
    let body_key = config
        .get_mut("client")
        .and_then(|client| r.key_in_body(client));
    if let Some(client) = config.get_mut("client") {
        r.auth_in(client);
        let mut found = Vec::new();
        if let Some(base_url) = client.get_mut("base_url") {
            jinja::jinja_in(base_url, &mut found);
        }
        r.jinja_notes(found);
    }
    if let Some(defaults) = config.get_mut("resource_defaults") {
        r.resource(defaults);
    }
    if let Some(resources) = config.get_mut("resources") {
        for resource in resources.items_mut() {
            r.resource(resource);
            if let Some((name, key)) = &body_key {
                put_in_body(resource, name, key);
            }
        }
    }
    r.notes
}

/// Takes the `auth` out of a client, or sets an endpoint's to `null` (no credentials).
fn drop_auth(holder: &mut Node) {
    let client = holder.get("base_url").is_some();
    match holder.get_mut("auth") {
        Some(auth) if !client => *auth = Node::new(Value::Null, auth.at),
        _ => {
            holder.take("auth");
        }
    }
}

/// The name of a custom component: its `name`, else the last part of its `class_name`
/// (`source_x.components.SigV4Auth`), as an identifier; `fallback` without either.
fn custom_name(component: &Node, fallback: &str) -> String {
    let written = component
        .get("name")
        .or_else(|| component.get("class_name"))
        .and_then(Node::as_str)
        .map(|n| n.rsplit('.').next().unwrap_or(n).to_string())
        .unwrap_or_default();
    let name: String = written
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        name
    } else {
        fallback.to_string()
    }
}

/// Whether `component` is `{type: custom, name: <identifier>}` already.
fn is_marker(component: &Node) -> bool {
    component.entries().len() == 2
        && component
            .get("name")
            .and_then(Node::as_str)
            .is_some_and(|n| custom_name(component, "") == n)
}

/// `{type: custom, name: <name>}`.
fn custom_marker(name: &str, at: Loc) -> Node {
    let mut node = Node::new(Value::Dict(Vec::new()), at);
    node.set("type", Node::new(Value::Str("custom".into()), at));
    node.set("name", Node::new(Value::Str(name.to_string()), at));
    node
}

/// Adds `name: key` to the JSON body of a resource's endpoint.
fn put_in_body(resource: &mut Node, name: &str, key: &Node) {
    let Some(endpoint) = resource.get_mut("endpoint") else {
        return;
    };
    if let Value::Str(path) = &endpoint.value {
        let path = Node::new(Value::Str(path.clone()), endpoint.at);
        let mut long = Node::new(Value::Dict(Vec::new()), endpoint.at);
        long.set("path", path);
        *endpoint = long;
    }
    if endpoint.get("json").is_none() {
        endpoint.set("json", Node::new(Value::Dict(Vec::new()), key.at));
    }
    if let Some(json) = endpoint.get_mut("json")
        && json.get(name).is_none()
    {
        json.set(name, key.clone());
    }
}

pub(crate) struct Rewriter<'a> {
    source: &'a Source,
    notes: Vec<Note>,
}

impl Rewriter<'_> {
    fn note(&mut self, at: Loc, code: &'static str, message: String) {
        self.notes.push(self.source.note(at, code, message));
    }

    /// An `api_key` auth with `location: body` (Airbyte's `inject_into: body_json`): taken
    /// out of the client, to be written into every endpoint's JSON body.
    fn key_in_body(&mut self, client: &mut Node) -> Option<(String, Node)> {
        let auth = client.get("auth")?;
        if auth.get("type").and_then(Node::as_str) != Some("api_key")
            || auth.get("location").and_then(Node::as_str) != Some("body")
        {
            return None;
        }
        let name = auth
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("api_key")
            .to_string();
        let key = auth.get("api_key")?.clone();
        let at = auth.at;
        client.take("auth");
        self.note(
            at,
            "auth.api_key_in_body",
            format!(
                "an `api_key` auth with `location: body` sends the key in the JSON body; it is \
                 written as the field `{name}` of every endpoint's `json`, and the auth block \
                 is left out"
            ),
        );
        Some((name, key))
    }

    /// The `auth` of a client or endpoint. An auth left out of the client leaves requests
    /// without credentials; one left out of an endpoint becomes `auth: null`, dlt's way to
    /// send none (without it the endpoint would take the client's).
    fn auth_in(&mut self, holder: &mut Node) {
        let Some(auth) = holder.get("auth") else {
            return;
        };
        let at = auth.at;
        match auth.get("type").and_then(Node::as_str) {
            Some("none") => {
                drop_auth(holder);
                self.note(
                    at,
                    "auth.none",
                    "auth type `none` (Airbyte's NoAuth) means the API needs no credentials; the \
                     auth block is left out"
                        .into(),
                );
            }
            // already the marker (a dlt class the evaluation read)
            Some("custom") if is_marker(auth) => {}
            Some("custom") => {
                let name = custom_name(auth, "CustomAuth");
                let keys: Vec<String> = auth
                    .entries()
                    .iter()
                    .filter(|e| !matches!(e.key.as_str(), "type" | "name" | "class_name"))
                    .map(|e| format!("`{}`", e.key))
                    .collect();
                let marker = custom_marker(&name, at);
                if let Some(slot) = holder.get_mut("auth") {
                    *slot = marker;
                }
                let given = if keys.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (its settings {} are for that code to read)",
                        keys.join(", ")
                    )
                };
                self.note(
                    at,
                    "auth.custom",
                    format!(
                        "auth type `custom` is an authenticator written in code: it becomes \
                         `{{type: custom, name: {name}}}`, and the generated client's builder \
                         requires its Rust code (`.custom_auth(impl restgen_runtime::custom::Auth)`)\
                         {given}"
                    ),
                );
            }
            Some("oauth2")
                if auth.get("token_url").is_none() && auth.get("access_token_url").is_none() =>
            {
                let grant = auth
                    .get("grant_type")
                    .and_then(Node::as_str)
                    .unwrap_or("refresh_token")
                    .to_string();
                drop_auth(holder);
                self.note(
                    at,
                    "auth.oauth2_no_token_url",
                    format!(
                        "oauth2 auth (grant `{grant}`) without a `token_url`: there is no token \
                         endpoint to ask; the auth block is left out, so requests go without \
                         credentials until you add one"
                    ),
                );
            }
            Some("oauth2") => {
                if let Some(auth) = holder.get_mut("auth")
                    && let Some(entry) = auth.take("access_token")
                {
                    self.note(
                        entry.key_at,
                        "auth.oauth2_access_token",
                        "`access_token` of oauth2 auth is not read: restgen gets the access token \
                         from the token endpoint with the refresh token, and renews it; the key is \
                         left out"
                            .into(),
                    );
                }
            }
            _ => {}
        }
    }

    fn resource(&mut self, resource: &mut Node) {
        if !matches!(resource.value, Value::Dict(_)) {
            return;
        }
        let sync = resource.take("incremental_sync");
        if resource.get("endpoint").is_none() && sync.is_some() {
            let path = resource.get("name").cloned();
            if let Some(path) = path {
                let mut endpoint = Node::new(Value::Dict(Vec::new()), path.at);
                endpoint.set("path", path);
                resource.set("endpoint", endpoint);
            }
        }
        let Some(endpoint) = resource.get_mut("endpoint") else {
            return;
        };
        if matches!(endpoint.value, Value::Str(_)) && sync.is_none() {
            return;
        }
        if let Value::Str(path) = &endpoint.value {
            // `endpoint: "path"`: the long form, to hold what the rewrites add
            let path = Node::new(Value::Str(path.clone()), endpoint.at);
            let mut long = Node::new(Value::Dict(Vec::new()), endpoint.at);
            long.set("path", path);
            *endpoint = long;
        }
        if let Some(sync) = sync {
            self.incremental(endpoint, sync);
        }
        let filter = self.record_filter(endpoint);
        let transformed = self.transformations(endpoint);
        self.response_filters(endpoint);
        self.endpoint(endpoint);
        if let Some(filter) = filter {
            steps::add_step(resource, filter);
        }
        if let Some(map) = transformed {
            steps::add_step(resource, map);
        }
    }

    fn endpoint(&mut self, endpoint: &mut Node) {
        if let Some(sync) = endpoint.take("incremental_sync") {
            self.incremental(endpoint, sync);
        }
        self.rename(
            endpoint,
            "body",
            "json",
            "endpoint.body",
            "`body` is Airbyte's request body; restgen sends it as the JSON body, dlt's `json`",
        );
        if let Some(method) = endpoint.get("http_method") {
            let at = method.at;
            let upper = method.as_str().map(str::to_ascii_uppercase);
            if let Some(upper) = upper
                && endpoint.rename("http_method", "method")
                && let Some(method) = endpoint.get_mut("method")
            {
                method.value = Value::Str(upper.clone());
                self.note(
                    at,
                    "endpoint.http_method",
                    format!(
                        "`http_method` is Airbyte's name of dlt's `method`; it is written as \
                         `method: {upper}`"
                    ),
                );
            }
        }
        if let Some(selector) = endpoint.get("data_selector")
            && let Some(text) = selector.as_str()
            && text.contains("{{")
            && let Some(entry) = endpoint.take("data_selector")
        {
            self.note(
                entry.key_at,
                "endpoint.data_selector_jinja",
                format!(
                    "`data_selector: {}` is computed by Airbyte's Jinja, which a JSONPath cannot                      be; it is left out, so restgen finds the records as dlt does when no                      selector is given",
                    yaml::flow(&entry.value)
                ),
            );
        }
        if let Some(selector) = endpoint.get_mut("data_selector")
            && let Some(text) = selector.as_str().map(str::to_string)
            && is_field_name(&text)
        {
            let quoted = format!("$['{text}']");
            let at = selector.at;
            selector.value = Value::Str(quoted.clone());
            self.note(
                at,
                "endpoint.data_selector_name",
                format!(
                    "`data_selector: {text}` is a field name that is no JSONPath (dlt would \
                     fail to parse it); it is written as `{quoted}`"
                ),
            );
        }
        if let Some(selector) = endpoint.get_mut("data_selector")
            && matches!(selector.as_str(), Some("" | "[]"))
        {
            let was = yaml::flow(selector);
            let at = selector.at;
            selector.value = Value::Str("$".into());
            self.note(
                at,
                "endpoint.data_selector_root",
                format!(
                    "`data_selector: {was}` is not a JSONPath; it stands for Airbyte's empty \
                     field path, the response root, and is written as `$`"
                ),
            );
        }
        self.templates(endpoint);
        if let Some(router) = endpoint.take("partition_router") {
            self.partition_router(endpoint, router);
        }
        let custom = endpoint
            .get("paginator")
            .and_then(|p| p.get("type"))
            .and_then(Node::as_str)
            == Some("custom");
        let marker = endpoint.get("paginator").is_some_and(is_marker);
        if custom
            && !marker
            && let Some(paginator) = endpoint.get_mut("paginator")
        {
            let at = paginator.at;
            let name = custom_name(paginator, "CustomPaginator");
            *paginator = custom_marker(&name, at);
            self.note(
                at,
                "paginator.custom",
                format!(
                    "paginator type `custom` is a paginator written in code: it becomes \
                     `{{type: custom, name: {name}}}`, and the generated client's builder \
                     requires its Rust code (`.custom_paginator(impl \
                     restgen_runtime::custom::Paginator)`)"
                ),
            );
        }
        if let Some(paginator) = endpoint.get_mut("paginator") {
            self.paginator(paginator);
        }
        self.unusable_paginator(endpoint);
        self.auth_in(endpoint);
    }

    /// Renames `from` to `to` in `node` when `to` is not there, with a note.
    fn rename(&mut self, node: &mut Node, from: &str, to: &str, code: &'static str, why: &str) {
        let Some(entry) = node.entries().iter().find(|e| e.key == from) else {
            return;
        };
        let at = entry.key_at;
        if node.rename(from, to) {
            self.note(at, code, format!("{why}; it is written as `{to}`"));
        } else {
            self.note(
                at,
                code,
                format!("{why}; there is a `{to}` already, so `{from}` is kept as written"),
            );
        }
    }
}

/// A field name with characters a bare JSONPath cannot hold (`Time Series (Daily)`), and none
/// of JSONPath's own.
fn is_field_name(text: &str) -> bool {
    !text.is_empty()
        && text.contains([' ', '(', ')', '-', '/'])
        && !text.contains(['$', '.', '[', ']', '\'', '"', '*', '{', '}'])
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
