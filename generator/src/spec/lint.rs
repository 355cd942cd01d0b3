//! Warnings: things that generate but that a user should know about. A secret written as a
//! literal ends up compiled into the generated crate; a restgen extension makes the spec one
//! that dlt's own `rest_api_source` would refuse. Neither fails generation.

use std::sync::Arc;

use serde_yaml::Value;

use super::diagnostic::Diagnostic;
use super::span::{SpanIndex, YamlPath};

/// Auth fields that hold a secret.
const SECRET_FIELDS: &[&str] = &[
    "token",
    "api_key",
    "password",
    "client_secret",
    "refresh_token",
];

/// Header and parameter names that carry credentials.
const CREDENTIAL_NAMES: &[&str] = &[
    "authorization",
    "x-api-key",
    "api-key",
    "api_key",
    "apikey",
    "x-auth-token",
    "access_token",
    "auth_token",
    "token",
    "client_secret",
    "password",
];

/// Every warning about the config `document` of the API `api`.
pub fn lint(
    api: &str,
    file: &str,
    source: &Arc<str>,
    spans: &SpanIndex,
    document: &Value,
) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let at = |path: &YamlPath| spans.value(path).unwrap_or(0..0);
    let root = YamlPath::root();
    let mut auths = vec![root.key("client").key("auth")];
    let mut paginators = vec![root.key("client").key("paginator")];
    let mut endpoints = vec![root.key("resource_defaults").key("endpoint")];
    if let Some(Value::Sequence(resources)) = get(document, &root.key("resources")) {
        for i in 0..resources.len() {
            endpoints.push(root.key("resources").index(i).key("endpoint"));
        }
    }
    for endpoint in &endpoints {
        auths.push(endpoint.key("auth"));
        paginators.push(endpoint.key("paginator"));
    }

    for auth in &auths {
        for field in SECRET_FIELDS {
            let path = auth.key(field);
            if let Some(value @ (Value::String(_) | Value::Number(_))) = get(document, &path) {
                warnings.push(literal_secret(api, file, source, at(&path), field, value));
            }
        }
    }
    for endpoint in endpoints.iter().chain([&root.key("client")]) {
        for section in ["headers", "params"] {
            let Some(Value::Mapping(map)) = get(document, &endpoint.key(section)) else {
                continue;
            };
            for (key, value) in map {
                let (Some(name), Value::String(text)) = (key.as_str(), value) else {
                    continue;
                };
                // a placeholder is filled at run time, not a literal credential
                if CREDENTIAL_NAMES.contains(&name.to_ascii_lowercase().as_str())
                    && !text.contains('{')
                {
                    let path = endpoint.key(section).key(name);
                    let location = if section == "headers" {
                        "header"
                    } else {
                        "query"
                    };
                    warnings.push(
                        Diagnostic::warning(
                            file,
                            format!(
                                "`{name}` is a literal credential in `{section}`: it would be \
                                 compiled into the generated crate"
                            ),
                        )
                        .in_source(source.clone())
                        .at(at(&path), "a literal credential")
                        .help(format!(
                            "send it with an auth block instead: `auth: {{type: api_key, name: \
                             {name}, location: {location}, api_key: {{secret: api_key}}}}`"
                        )),
                    );
                }
            }
        }
    }

    for paginator in &paginators {
        for key in ["cursor_value", "stop_condition"] {
            let path = paginator.key(key);
            if let Some(Value::String(text)) = get(document, &path) {
                warnings.extend(misspelled_variables(file, source, spans, &path, text));
            }
        }
    }

    let mut extensions: Vec<(YamlPath, &str)> = Vec::new();
    for paginator in &paginators {
        for key in ["cursor_value", "stop_condition", "limit_param"] {
            if get(document, &paginator.key(key)).is_some() {
                extensions.push((
                    paginator.key(key),
                    "a template cursor or page size (seed dialect)",
                ));
            }
        }
        let kind = get(document, &paginator.key("type")).and_then(Value::as_str);
        if matches!(kind, Some("cursor" | "page_number"))
            && get(document, &paginator.key("limit")).is_some()
        {
            extensions.push((
                paginator.key("limit"),
                "a page size on a cursor or page_number paginator",
            ));
        }
    }
    for endpoint in &endpoints {
        if get(document, &endpoint.key("error_handler")).is_some() {
            extensions.push((
                endpoint.key("error_handler"),
                "`error_handler` (a per-endpoint retry policy)",
            ));
        }
        if get(document, &endpoint.key("partitions")).is_some() {
            extensions.push((
                endpoint.key("partitions"),
                "list `partitions` (Airbyte's ListPartitionRouter)",
            ));
        }
        for (key, what) in [
            (
                "datetime_format",
                "cursor values compared as time (`datetime_format`)",
            ),
            (
                "cursor_datetime_formats",
                "cursor values compared as time (`cursor_datetime_formats`)",
            ),
            ("window", "date `window`s (Airbyte's DatetimeBasedCursor)"),
        ] {
            let at = endpoint.key("incremental").key(key);
            if get(document, &at).is_some() {
                extensions.push((at, what));
            }
        }
        if let Some(Value::Sequence(_)) = get(document, &endpoint.key("data_selector")) {
            extensions.push((
                endpoint.key("data_selector"),
                "a `data_selector` given as a list of field names",
            ));
        }
        for param in caller_params(document, endpoint) {
            extensions.push((param, "a `{name}` parameter the caller passes"));
        }
        for key in ["params", "headers", "json"] {
            let mut found = Vec::new();
            computed_values(document, &endpoint.key(key), &mut found);
            for at in found {
                extensions.push((at, "a request value computed by a template (`{expr: ..}`)"));
            }
        }
    }
    if get(document, &root.key("client").key("api_budget")).is_some() {
        extensions.push((
            root.key("client").key("api_budget"),
            "a client rate budget `api_budget` (Airbyte's)",
        ));
    }
    for auth in &auths {
        let kind = get(document, &auth.key("type")).and_then(Value::as_str);
        if kind == Some("oauth2") {
            extensions.push((
                auth.key("type"),
                "auth type `oauth2` (dlt's is `oauth2_client_credentials`)",
            ));
        }
        if kind == Some("session_token") {
            extensions.push((
                auth.key("type"),
                "auth type `session_token` (Airbyte's session-token authenticator)",
            ));
        }
        if kind == Some("basic") {
            extensions.push((
                auth.key("type"),
                "auth type `basic` (dlt's is `http_basic`)",
            ));
        }
        if matches!(kind, None | Some("bearer")) && get(document, &auth.key("api_key")).is_some() {
            extensions.push((auth.key("api_key"), "a bearer token given as `api_key`"));
        }
        if get(document, &auth.key("prefix")).is_some() {
            extensions.push((auth.key("prefix"), "an api_key `prefix`"));
        }
    }
    // the first in the file is the primary place
    extensions.sort_by_key(|(path, _)| spans.key_or_value(path).map_or(0, |s| s.start));
    if let Some((first, _)) = extensions.first() {
        let mut kinds: Vec<&str> = Vec::new();
        for (_, kind) in &extensions {
            if !kinds.contains(kind) {
                kinds.push(kind);
            }
        }
        let mut warning = Diagnostic::warning(
            file,
            format!(
                "this spec uses restgen extensions that dlt's rest_api_source does not accept ({} place{})",
                extensions.len(),
                if extensions.len() == 1 { "" } else { "s" }
            ),
        )
        .in_source(source.clone())
        .at(spans.key_or_value(first).unwrap_or(0..0), "not dlt");
        // one label per kind, so a long spec does not print every occurrence
        let mut shown = vec![extensions[0].1];
        for (path, kind) in extensions.iter().skip(1) {
            if !shown.contains(kind) {
                shown.push(kind);
                warning = warning.also(spans.key_or_value(path).unwrap_or(0..0), "not dlt");
            }
        }
        warning = warning
            .note(format!("extensions used: {}", kinds.join("; ")))
            .note("restgen generates it as docs/dialect.md describes; dlt would raise on it");
        warnings.push(warning);
    }
    warnings
}

/// The query parameters of `endpoint` with a plain `{name}` placeholder, which becomes an
/// argument of the resource's method (dlt raises). A parameter the path uses is sent in the
/// path as written, so it is not one.
/// The `{expr: ..}` values at or below `at`.
fn computed_values(document: &Value, at: &YamlPath, found: &mut Vec<YamlPath>) {
    match get(document, at) {
        Some(value) if crate::ir::request::template_of(value).is_some() => found.push(at.clone()),
        Some(Value::Mapping(map)) => {
            for key in map.keys().filter_map(Value::as_str) {
                computed_values(document, &at.key(key), found);
            }
        }
        Some(Value::Sequence(items)) => {
            for i in 0..items.len() {
                computed_values(document, &at.index(i), found);
            }
        }
        _ => {}
    }
}

fn caller_params(document: &Value, endpoint: &YamlPath) -> Vec<YamlPath> {
    use crate::ir::placeholder::{Piece, is_name, split};
    let Some(Value::Mapping(params)) = get(document, &endpoint.key("params")) else {
        return Vec::new();
    };
    let path = get(document, &endpoint.key("path"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let names_one = |text: &str| {
        split(text).is_ok_and(|pieces| {
            pieces
                .iter()
                .any(|p| matches!(p, Piece::Placeholder(expr, _) if is_name(expr)))
        })
    };
    params
        .iter()
        .filter_map(|(key, value)| {
            let key = key.as_str()?;
            let texts: Vec<&str> = match value {
                Value::String(text) => vec![text.as_str()],
                Value::Sequence(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            (!path.contains(&format!("{{{key}}}")) && texts.into_iter().any(names_one))
                .then(|| endpoint.key("params").key(key))
        })
        .collect()
}

/// A name a template reads as a field of the response that is one typo away from a variable
/// (`respnse.has_more`): it generates, and reads `response.respnse.has_more`.
fn misspelled_variables(
    file: &str,
    source: &Arc<str>,
    spans: &SpanIndex,
    path: &YamlPath,
    text: &str,
) -> Vec<Diagnostic> {
    let variables = crate::ir::template::VARIABLES;
    crate::ir::template::response_fields(text)
        .into_iter()
        .filter_map(|(column, name)| {
            let meant = variables
                .iter()
                .find(|v| **v != name && strsim::levenshtein(v, &name) <= 1)?;
            let span = spans
                .offset_in_scalar(source, path, column)
                .map(|at| at..at + name.len())
                .or_else(|| spans.value(path))
                .unwrap_or(0..0);
            Some(
                Diagnostic::warning(
                    file,
                    format!("`{name}` is read as a field of the response, `response.{name}`"),
                )
                .in_source(source.clone())
                .at(span, "not a template variable")
                .help(format!("did you mean `{meant}`?"))
                .note(format!(
                    "a template's variables are {}; any other name is a field of the response",
                    crate::spec::diagnostic::one_of(variables)
                )),
            )
        })
        .collect()
}

fn literal_secret(
    api: &str,
    file: &str,
    source: &Arc<str>,
    span: std::ops::Range<usize>,
    name: &str,
    value: &Value,
) -> Diagnostic {
    let kind = if matches!(value, Value::Number(_)) {
        "number"
    } else {
        "string"
    };
    let secret = name.to_ascii_lowercase().replace('-', "_");
    Diagnostic::warning(
        file,
        format!(
            "`{name}` is a literal {kind}: this secret would be compiled into the generated crate"
        ),
    )
    .in_source(source.clone())
    .at(span, "a literal credential")
    .help(format!(
        "write `{name}: {{secret: {secret}}}`; the client then asks for it (`.{secret}(..)` or the \
         SOURCES__{}__{} environment variable)",
        api.to_ascii_uppercase(),
        secret.to_ascii_uppercase()
    ))
}

/// The value at `path` in `document`.
pub fn get<'a>(document: &'a Value, path: &YamlPath) -> Option<&'a Value> {
    let mut node = document;
    for seg in &path.0 {
        node = match (seg, node) {
            (super::span::Seg::Key(k), Value::Mapping(m)) => m.get(k.as_str())?,
            (super::span::Seg::Index(i), Value::Sequence(s)) => s.get(*i)?,
            _ => return None,
        };
    }
    Some(node)
}
