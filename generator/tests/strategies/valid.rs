//! Specs valid by construction except for edge values: names that must become Rust
//! identifiers, secrets with odd names, extreme numbers, schemas with odd property names.

use proptest::prelude::*;
use serde_yaml::Value;

use super::string;
use super::text::template_like;

/// Identifier-ish text that a generated crate must turn into Rust names: keywords, digits
/// first, dashes, spaces, non-ASCII and the empty string among them.
fn odd_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z][a-z0-9_]{0,8}",
        1 => proptest::sample::select(
            &[
                "type", "self", "Self", "crate", "super", "async", "fn", "r#type", "_", "__",
                "1st", "my-key", "with space", "é", "日本", "", "CamelCase", "a.b", "client",
                "builder", "new", "Error", "stream", "iter", "pages",
            ][..]
        )
        .prop_map(str::to_string),
        1 => "[ -~]{0,8}",
    ]
}

fn secret_ref() -> impl Strategy<Value = Value> {
    (odd_name(), any::<bool>()).prop_map(|(n, secret)| {
        let kind = if secret { "secret" } else { "config" };
        Value::Mapping([(string(kind), string(&n))].into_iter().collect())
    })
}

fn map(pairs: Vec<(&str, Value)>) -> Value {
    Value::Mapping(pairs.into_iter().map(|(k, v)| (string(k), v)).collect())
}

fn int(n: i64) -> Value {
    Value::Number(n.into())
}

/// A valid auth block of every kind, with odd secret names.
fn valid_auth() -> BoxedStrategy<Value> {
    prop_oneof![
        secret_ref().prop_map(|t| map(vec![("type", string("bearer")), ("token", t)])),
        (
            odd_name(),
            secret_ref(),
            proptest::sample::select(&["header", "query", "cookie"][..])
        )
            .prop_map(|(n, k, l)| map(vec![
                ("type", string("api_key")),
                ("name", string(&n)),
                ("api_key", k),
                ("location", string(l)),
            ])),
        (secret_ref(), proptest::option::of(secret_ref())).prop_map(|(u, p)| {
            let mut pairs = vec![("type", string("http_basic")), ("username", u)];
            pairs.extend(p.map(|p| ("password", p)));
            map(pairs)
        }),
        (secret_ref(), secret_ref(), any::<u64>()).prop_map(|(id, s, exp)| map(vec![
            ("type", string("oauth2_client_credentials")),
            ("access_token_url", string("https://auth.example.com/token")),
            ("client_id", id),
            ("client_secret", s),
            ("default_token_expiration", Value::Number(exp.into())),
        ])),
    ]
    .boxed()
}

/// A valid paginator of every kind, with edge values.
fn valid_paginator() -> BoxedStrategy<Value> {
    let edge = prop_oneof![Just(0i64), Just(1), Just(i64::MAX), 0i64..1000];
    let path =
        proptest::sample::select(&["next", "meta.next", "$.paging['next url']", "$..next"][..]);
    prop_oneof![
        proptest::sample::select(
            &[
                "single_page",
                "auto",
                "json_link",
                "header_link",
                "header_cursor",
                "cursor",
                "page_number"
            ][..]
        )
        .prop_map(string),
        (
            1i64..1000,
            edge.clone(),
            proptest::option::of(edge.clone()),
            odd_name(),
            any::<bool>()
        )
            .prop_map(|(limit, offset, max, param, body)| {
                let mut pairs = vec![
                    ("type", string("offset")),
                    ("limit", int(limit)),
                    ("offset", int(offset)),
                ];
                pairs.push(if body {
                    ("offset_body_path", string("page.offset"))
                } else {
                    ("offset_param", string(&param))
                });
                pairs.extend(max.map(|m| ("maximum_offset", int(m))));
                map(pairs)
            }),
        (
            -3i64..3,
            proptest::option::of(edge),
            proptest::option::of(1i64..500)
        )
            .prop_map(|(base, max, limit)| {
                let mut pairs = vec![("type", string("page_number")), ("base_page", int(base))];
                pairs.extend(max.map(|m| ("maximum_page", int(m))));
                pairs.extend(limit.map(|l| ("limit", int(l))));
                map(pairs)
            }),
        (
            path.clone(),
            odd_name(),
            proptest::option::of(template_like())
        )
            .prop_map(|(p, param, stop)| {
                let mut pairs = vec![
                    ("type", string("cursor")),
                    ("cursor_path", string(p)),
                    ("cursor_param", string(&param)),
                ];
                pairs.extend(stop.map(|s| ("stop_condition", string(&s))));
                map(pairs)
            }),
        path.prop_map(|p| map(vec![
            ("type", string("json_link")),
            ("next_url_path", string(p))
        ])),
        (odd_name(), odd_name()).prop_map(|(k, p)| map(vec![
            ("type", string("header_cursor")),
            ("cursor_key", string(&k)),
            ("cursor_param", string(&p)),
        ])),
    ]
    .boxed()
}

/// A valid resource named `name`, possibly a child of `parent`.
fn valid_resource(name: String, parent: Option<String>) -> BoxedStrategy<Value> {
    let backoff = prop_oneof![
        4 => 0.0f64..10.0,
        1 => Just(f64::INFINITY),
        1 => Just(f64::NAN),
        1 => Just(-1.0),
        1 => Just(1e308),
    ];
    (
        proptest::option::of(valid_paginator()),
        proptest::option::of(valid_auth()),
        proptest::option::of((backoff, any::<u32>())),
        proptest::collection::vec(
            (
                odd_name(),
                prop_oneof![
                    odd_name().prop_map(|s| string(&s)),
                    any::<i64>().prop_map(int),
                    any::<bool>().prop_map(Value::Bool),
                ],
            ),
            0..3,
        ),
        proptest::option::of(odd_name()),
        proptest::option::of(proptest::sample::select(
            &["data", "$", "items[*]", "['a b']"][..],
        )),
    )
        .prop_map(move |(paginator, auth, retry, params, arg, selector)| {
            let mut path = format!("/{}", name.replace(['{', '}'], ""));
            if let Some(parent) = &parent {
                path.push_str(&format!("/{{resources.{parent}.id}}/children"));
            } else if let Some(arg) = arg.filter(|a| !a.contains(['{', '}', '.'])) {
                path.push_str(&format!("/{{{arg}}}"));
            }
            let mut endpoint = vec![("path", string(&path))];
            endpoint.extend(paginator.map(|p| ("paginator", p)));
            endpoint.extend(auth.map(|a| ("auth", a)));
            endpoint.extend(selector.map(|s| ("data_selector", string(s))));
            if let Some((backoff, retries)) = retry {
                endpoint.push((
                    "error_handler",
                    map(vec![
                        ("backoff_factor", Value::Number(backoff.into())),
                        ("max_retries", Value::Number(retries.into())),
                    ]),
                ));
            }
            let params: Vec<(String, Value)> = params
                .into_iter()
                .filter(|(k, _)| !k.contains(['{', '}']))
                .collect();
            if !params.is_empty() {
                endpoint.push((
                    "params",
                    Value::Mapping(params.into_iter().map(|(k, v)| (string(&k), v)).collect()),
                ));
            }
            let mut resource = vec![("name", string(&name)), ("endpoint", map(endpoint))];
            if parent.is_some() {
                resource.push(("include_from_parent", Value::Sequence(vec![string("id")])));
            }
            map(resource)
        })
        .boxed()
}

/// A schema with odd property names and types.
fn valid_schema() -> impl Strategy<Value = String> {
    let kind = proptest::sample::select(
        &[
            r#"{"type": "string"}"#,
            r#"{"type": ["string", "null"]}"#,
            r#"{"type": "string", "format": "date-time"}"#,
            r#"{"type": "string", "enum": ["a", "B", "a b", "1", ""]}"#,
            r#"{"type": "integer"}"#,
            r#"{"type": "array", "items": {"type": "object"}}"#,
            r#"{"oneOf": [{"type": "string"}, {"type": "integer"}]}"#,
            r#"{}"#,
        ][..],
    );
    proptest::collection::vec((odd_name(), kind), 0..4).prop_map(|props| {
        let properties: serde_json::Map<String, serde_json::Value> = props
            .into_iter()
            .map(|(k, v)| (k, serde_json::from_str(v).unwrap_or_default()))
            .collect();
        serde_json::json!({"type": "object", "properties": properties}).to_string()
    })
}

/// A spec that is valid by construction except for edge values: names that must become
/// Rust identifiers, secrets with odd names, extreme numbers; with schemas for its resources.
pub fn valid_spec() -> impl Strategy<Value = (String, Vec<(String, String)>)> {
    proptest::collection::vec(odd_name(), 1..4)
        .prop_flat_map(|mut names| {
            names.sort();
            names.dedup();
            let resources: Vec<BoxedStrategy<Value>> = names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let parent = (i > 0 && i % 2 == 0).then(|| names[0].clone());
                    valid_resource(n.clone(), parent)
                })
                .collect();
            let schemas = proptest::collection::vec(valid_schema(), names.len());
            (
                Just(names),
                resources,
                proptest::option::of(valid_auth()),
                schemas,
            )
        })
        .prop_map(|(names, resources, auth, schemas)| {
            let mut client = vec![("base_url", string("https://api.example.com/v1/"))];
            client.extend(auth.map(|a| ("auth", a)));
            let root = map(vec![
                ("client", map(client)),
                ("resources", Value::Sequence(resources)),
            ]);
            let text = serde_yaml::to_string(&root).unwrap_or_default();
            let schemas = names
                .into_iter()
                .zip(schemas)
                .filter(|(n, _)| !n.is_empty() && !n.contains(['/', '\\', '\0']))
                .collect();
            (text, schemas)
        })
}
