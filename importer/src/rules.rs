//! The constructs that are not valid dlt 1.31 but that restgen reads anyway (the seed
//! dialect, `reference/dlt-rest-api.md` §9), each with a note that says in plain words what
//! dlt would do and how restgen interprets it.

use crate::keys::{self, Part};
use crate::source::{Note, Source};
use crate::tree::{Node, Value};
use crate::yaml;

/// Notes on every non-dlt construct of `config`, in input order.
pub fn notes(config: &Node, source: &Source) -> Vec<Note> {
    let mut out = Vec::new();
    let mut note = |node: &Node, code: &'static str, message: String| {
        out.push(source.note(node.at, code, message))
    };
    for (part, node) in keys::parts(config) {
        match part {
            Part::Auth => auth_notes(node, &mut note),
            Part::Paginator => paginator_notes(node, &mut note),
            Part::Endpoint => endpoint_notes(node, &mut note),
            _ => {}
        }
    }
    references_outside_auth(config, false, source, &mut out);
    for (section, entry) in keys::unknown(config) {
        let message = match (section.as_str(), entry.key.as_str()) {
            ("api_key auth", "prefix") => "`prefix` is not a key of dlt's api_key auth (dlt \
                 rejects it); restgen sends it before the key, e.g. `Authorization: GenieKey <key>`"
                .to_string(),
            (section, key) => format!(
                "`{key}` is not a key of dlt's {section} config (dlt would reject the whole \
                 config); it is kept as written"
            ),
        };
        out.push(source.note(entry.key_at, "unknown_key", message));
    }
    out.sort_by_key(|n| n.at);
    out
}

/// restgen reads secret and config values in auth blocks, and in the parameters, headers
/// and JSON bodies it sends, a setting as a list partition's `values`, and config values as
/// incremental bounds; one anywhere else is kept but will not generate.
fn references_outside_auth(node: &Node, read: bool, source: &Source, out: &mut Vec<Note>) {
    match &node.value {
        Value::Secret(_) | Value::Config(_) if !read => out.push(source.note(
            node.at,
            "reference_unread",
            format!(
                "`{}` is where restgen does not read secrets or config values (it reads them \
                 in auth blocks, parameters, headers and JSON bodies); it is kept as written, \
                 and the spec will not generate until it is a literal",
                yaml::flow(node)
            ),
        )),
        Value::Dict(entries) => {
            for e in entries {
                // an incremental bound reads a setting (not a secret) when a run starts
                let bound = matches!(e.key.as_str(), "initial_value" | "end_value")
                    && matches!(e.value.value, Value::Config(_));
                let sent = bound
                    || matches!(
                        e.key.as_str(),
                        "auth" | "params" | "headers" | "json" | "partitions"
                    );
                references_outside_auth(&e.value, read || sent, source, out);
            }
        }
        Value::List(items) => {
            for item in items {
                references_outside_auth(item, read, source, out);
            }
        }
        _ => {}
    }
}

fn endpoint_notes(endpoint: &Node, note: &mut impl FnMut(&Node, &'static str, String)) {
    if let Some(handler) = endpoint.get("error_handler") {
        note(
            handler,
            "endpoint.error_handler",
            error_handler_note(handler),
        );
    }
    if let Some(selector) = endpoint.get("data_selector")
        && let Value::List(fields) = &selector.value
    {
        let message = if fields.is_empty() {
            "`data_selector: []` is not dlt (dlt wants a JSONPath string; `[]` is Airbyte's \
             field_path of the response root); restgen reads it as the response root, like \
             dlt's `$`"
                .to_string()
        } else {
            format!(
                "`data_selector: {}` is not dlt (dlt wants a JSONPath string); restgen reads the \
                 list as a path of field names from the response root",
                yaml::flow(selector)
            )
        };
        note(selector, "endpoint.data_selector_list", message);
    }
}

fn has(node: &Node, key: &str) -> bool {
    node.get(key).is_some()
}

fn auth_notes(auth: &Node, note: &mut impl FnMut(&Node, &'static str, String)) {
    let kind = auth.get("type").and_then(Node::as_str);
    match kind {
        Some("basic") => note(
            auth,
            "auth.basic",
            "auth type `basic` is not dlt's (dlt calls it `http_basic`; `basic` is Airbyte's \
             BasicHttpAuthenticator); restgen reads it as `http_basic`"
                .into(),
        ),
        Some("bearer" | "api_key" | "http_basic" | "oauth2_client_credentials") | None => {}
        Some("oauth2") => note(
            auth,
            "auth.oauth2",
            format!(
                "auth type `oauth2` is Airbyte's OAuthAuthenticator (dlt has only \
                 `oauth2_client_credentials`); restgen reads it as the {} grant: the access \
                 token is fetched from `token_url`, cached and renewed before it expires",
                if has(auth, "refresh_token")
                    || auth.get("grant_type").and_then(Node::as_str) == Some("refresh_token")
                {
                    "refresh-token"
                } else {
                    "client-credentials"
                }
            ),
        ),
        Some("session_token") => note(
            auth,
            "auth.session_token",
            "auth type `session_token` is Airbyte's SessionTokenAuthenticator (dlt has none); \
             restgen logs in at `login_url` with the username and password (unless a \
             `session_token` is given), reads the token at `session_token_response_key` and \
             sends it in the `header`"
                .into(),
        ),
        // the marker of Rust code, noted where it was made (a custom component, a class)
        Some("custom") => {}
        Some(other) => note(
            auth,
            "auth.unknown_type",
            format!(
                "auth type `{other}` is not one of dlt's (bearer, api_key, http_basic, \
                 oauth2_client_credentials) nor one restgen reads (basic, oauth2, \
                 session_token, custom); the spec will not generate until it is"
            ),
        ),
    }
    if matches!(kind, Some("basic" | "http_basic")) && !has(auth, "password") {
        note(
            auth,
            "auth.basic_no_password",
            "HTTP basic auth without a `password`: dlt requires one; restgen sends an empty \
             password, as Airbyte does"
                .into(),
        );
    }
    if matches!(kind, Some("bearer") | None) && has(auth, "api_key") && !has(auth, "token") {
        let location = if has(auth, "location") {
            "; `location` is accepted and ignored"
        } else {
            ""
        };
        note(
            auth,
            "auth.bearer_api_key",
            format!(
                "bearer auth with `api_key` instead of `token`: dlt's bearer auth ignores \
                 `api_key` and would fail for want of a token; restgen sends `api_key` as the \
                 bearer token{location}"
            ),
        );
    }
}

fn paginator_notes(paginator: &Node, note: &mut impl FnMut(&Node, &'static str, String)) {
    let kind = match &paginator.value {
        Value::Str(s) => Some(s.as_str()),
        _ => paginator.get("type").and_then(Node::as_str),
    };
    match kind {
        None => note(
            paginator,
            "paginator.no_type",
            "paginator without a `type`: dlt requires one; it is kept as written".into(),
        ),
        Some(kind) if kind != "custom" && !keys::is_paginator_type(kind) => note(
            paginator,
            "paginator.unknown_type",
            format!("paginator type `{kind}` is not one of dlt's; it is kept as written"),
        ),
        Some(_) => {}
    }
    if kind == Some("json_response") {
        note(
            paginator,
            "paginator.json_response",
            "paginator type `json_response` is dlt's deprecated name of `json_link`; restgen \
             reads it as `json_link`"
                .into(),
        );
    }
    let page_size = has(paginator, "limit") || has(paginator, "limit_param");
    match kind {
        Some("cursor") => {
            if let Some(value) = paginator.get("cursor_value") {
                note(
                    value,
                    "paginator.cursor_value",
                    format!(
                        "`cursor_value` is not dlt (dlt rejects it; it is Airbyte's \
                         CursorPagination template); restgen evaluates the expression on each \
                         response: the result is the next cursor, a falsy result ends paging, \
                         and a URL is followed as the next page{}",
                        bare_form(value)
                    ),
                );
            }
            if let Some(stop) = paginator.get("stop_condition") {
                note(
                    stop,
                    "paginator.stop_condition",
                    format!(
                        "`stop_condition` is not dlt (dlt rejects it; it is Airbyte's); restgen \
                         evaluates it on each response, before the cursor, and ends paging when \
                         it is true{}",
                        bare_form(stop)
                    ),
                );
                if let Some(flag) = more_flag(stop) {
                    note(
                        stop,
                        "paginator.stop_condition_more_flag",
                        format!(
                            "the stop condition is the flag `{flag}` alone, which by its name is \
                             true while more pages follow: read as written, paging stops after \
                             the first page that has a successor; if the flag means more pages, \
                             write `not {flag}`"
                        ),
                    );
                }
                if !has(paginator, "cursor_path") && !has(paginator, "cursor_value") {
                    note(
                        paginator,
                        "paginator.last_record_cursor",
                        "cursor paginator with neither `cursor_path` nor `cursor_value`: dlt \
                         would read the cursor at `cursors.next`; restgen takes the `id` of the \
                         page's last record as the next cursor (`before_id` style)"
                            .into(),
                    );
                }
            }
            if page_size {
                note(
                    paginator,
                    "paginator.page_size",
                    page_size_note("cursor", paginator),
                );
            }
        }
        Some("page_number") => {
            if page_size {
                note(
                    paginator,
                    "paginator.page_size",
                    page_size_note("page_number", paginator),
                );
            }
            if !has(paginator, "total_path") {
                note(
                    paginator,
                    "paginator.page_number_no_total",
                    "page_number paginator without `total_path`: dlt reads the number of pages \
                     at `total` and raises when the response has none; restgen does the same \
                     when a total is there, else it stops on an empty page or a page shorter \
                     than the page size"
                        .into(),
                );
            }
        }
        Some("offset") if !has(paginator, "total_path") => note(
            paginator,
            "paginator.offset_no_total",
            "offset paginator without `total_path`: dlt reads the total at `total` and raises \
             when the response has none; restgen does the same when a total is there, else it \
             stops on an empty page or a page shorter than `limit`"
                .into(),
        ),
        _ => {}
    }
}

/// The name of a stop condition that is a has-more flag alone (`has_more`,
/// `{{ response.hasMore }}`), read as is: stop when there are more pages.
fn more_flag(stop: &Node) -> Option<String> {
    let text = stop.as_str()?.trim();
    let inner = text
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(text)
        .trim();
    let name = inner.strip_prefix("response.").unwrap_or(inner);
    let last = name.rsplit('.').next()?;
    let is_path = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    let lower = last.to_ascii_lowercase().replace('_', "");
    (is_path
        && (lower == "hasmore" || lower == "hasnext" || lower == "hasnextpage" || lower == "more"))
        .then(|| inner.to_string())
}

/// For a template written without `{{ }}`: how restgen reads it.
fn bare_form(template: &Node) -> String {
    match template.as_str() {
        Some(text) if !text.trim_start().starts_with('{') => format!(
            "; it is written without `{{{{ }}}}`, and read as the expression `{text}` (a name \
             that is not `response`, `headers`, `last_record`, `last_page_size` or `config` is \
             a field of the response)"
        ),
        _ => String::new(),
    }
}

fn page_size_note(kind: &str, paginator: &Node) -> String {
    if !has(paginator, "limit") {
        return format!(
            "`limit_param` is not a key of dlt's {kind} paginator (it names Airbyte's page size \
             parameter); without a `limit` there is no size to send, so restgen sends none and \
             the API's default page size applies"
        );
    }
    let param = paginator
        .get("limit_param")
        .and_then(Node::as_str)
        .unwrap_or("limit");
    let size = paginator
        .get("limit")
        .map_or_else(|| "the limit".into(), yaml::flow);
    format!(
        "`limit`/`limit_param` are not keys of dlt's {kind} paginator (dlt rejects them; the \
         page size is Airbyte's page_size option); restgen sends `{param}={size}` on every \
         request"
    )
}

fn error_handler_note(handler: &Node) -> String {
    let mut policy = Vec::new();
    // As Airbyte's DefaultErrorHandler reads it: the listed codes add to the transient ones
    if let Some(codes) = handler.get("retry_on_status_codes") {
        policy.push(format!(
            "retry on {} besides 408, 429, 5xx, connection errors and timeouts",
            yaml::flow(codes)
        ));
    }
    if let Some(codes) = handler.get("fail_on_status_codes") {
        policy.push(format!("fail at once on {}", yaml::flow(codes)));
    }
    if let Some(n) = handler.get("max_retries") {
        policy.push(format!("at most {} retries", yaml::flow(n)));
    }
    if let Some(f) = handler.get("backoff_factor") {
        policy.push(format!("backoff factor {}", yaml::flow(f)));
    }
    let policy = if policy.is_empty() {
        String::new()
    } else {
        format!(": {}", policy.join(", "))
    };
    format!(
        "`error_handler` is not a dlt endpoint key (dlt rejects it; retries are global there); \
         restgen reads it as this endpoint's retry policy{policy} (a status that must fail at \
         once goes in `fail_on_status_codes`)"
    )
}
