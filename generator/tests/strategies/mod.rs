//! Input generators for the property tests: near-valid specs built from the dialect's own
//! keys and values (with wrong types, misspellings and broken placeholders mixed in), edits
//! of the repository's real specs, and token soups for the template and JSONPath compilers.

use proptest::prelude::*;
use serde_yaml::{Mapping, Value};

/// Resource names: a small pool, so parents, duplicates and schemas meet.
const NAMES: &[&str] = &["items", "tags", "users", "a", "b", "items_2"];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(NAMES).prop_map(str::to_string),
        1 => "[a-z_]{1,8}",
        1 => any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ]
}

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

/// Any YAML value, small: for wrong types.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        prop_oneof![
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::NAN),
            any::<f64>()
        ]
        .prop_map(|f| Value::Number(f.into())),
        "[ -~]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Sequence),
            proptest::collection::vec(("[a-z_]{1,6}", inner), 0..3).prop_map(|pairs| {
                Value::Mapping(pairs.into_iter().map(|(k, v)| (string(&k), v)).collect())
            }),
        ]
    })
}

/// A value for `key`: usually of the right kind, sometimes of any kind.
fn value_for(key: &'static str) -> BoxedStrategy<Value> {
    let right: BoxedStrategy<Value> = match key {
        "limit" | "offset" | "maximum_offset" | "max_retries" | "default_token_expiration" => {
            prop_oneof![0i64..200, -5i64..0]
                .prop_map(|n| Value::Number(n.into()))
                .boxed()
        }
        "base_page" | "page" | "maximum_page" => {
            (-2i64..50).prop_map(|n| Value::Number(n.into())).boxed()
        }
        "backoff_factor" => prop_oneof![
            Just(f64::INFINITY),
            Just(f64::NAN),
            Just(-1.5),
            0.0f64..10.0
        ]
        .prop_map(|f| Value::Number(f.into()))
        .boxed(),
        "stop_after_empty_page" | "selected" | "parallelized" => {
            any::<bool>().prop_map(Value::Bool).boxed()
        }
        "total_path" | "has_more_path" | "cursor_path" | "next_url_path" | "data_selector"
        | "field" => jsonpath_like().prop_map(Value::String).boxed(),
        "cursor_value" | "stop_condition" => template_like().prop_map(Value::String).boxed(),
        "retry_on_status_codes" => proptest::collection::vec(
            prop_oneof![
                (0i64..70000).prop_map(|n| Value::Number(n.into())),
                Just(string("500"))
            ],
            0..3,
        )
        .prop_map(Value::Sequence)
        .boxed(),
        "token" | "api_key" | "username" | "password" | "client_id" | "client_secret"
        | "access_token_url" => prop_oneof![
            "[a-z_]{1,8}".prop_map(|n| {
                Value::Mapping([(string("secret"), string(&n))].into_iter().collect())
            }),
            "[a-z_]{1,8}".prop_map(|n| {
                Value::Mapping([(string("config"), string(&n))].into_iter().collect())
            }),
            "[a-z_]{1,8}".prop_map(|n| {
                Value::Mapping([(string("secrt"), string(&n))].into_iter().collect())
            }),
            "[a-zA-Z0-9]{0,10}".prop_map(Value::String),
        ]
        .boxed(),
        "location" => proptest::sample::select(&["header", "query", "param", "cookie", "body"][..])
            .prop_map(string)
            .boxed(),
        "method" => proptest::sample::select(&["GET", "POST", "PUT", "get"][..])
            .prop_map(string)
            .boxed(),
        "path" => path_like().prop_map(Value::String).boxed(),
        _ => "[a-z_.]{0,10}".prop_map(Value::String).boxed(),
    };
    prop_oneof![6 => right, 1 => any_value()].boxed()
}

/// A mapping with some of `keys` (and now and then a misspelled or unknown one).
fn mapping_of(keys: &'static [&'static str], most: usize) -> BoxedStrategy<Mapping> {
    let entry = (proptest::sample::select(keys), 0u8..24).prop_flat_map(|(key, roll)| {
        let written: BoxedStrategy<String> = match roll {
            0 => Just(format!("{key}x")).boxed(),
            1 => Just(key.chars().skip(1).collect::<String>()).boxed(),
            2 => "[a-z_]{1,6}".boxed(),
            _ => Just(key.to_string()).boxed(),
        };
        (written, value_for(key))
    });
    proptest::collection::vec(entry, 0..most)
        .prop_map(|pairs| pairs.into_iter().map(|(k, v)| (string(&k), v)).collect())
        .boxed()
}

const PAGINATOR_TYPES: &[&str] = &[
    "offset",
    "page_number",
    "cursor",
    "json_link",
    "json_response",
    "header_link",
    "header_cursor",
    "single_page",
    "auto",
    "cursr",
    "",
];

const PAGINATOR_KEYS: &[&str] = &[
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
    "base_page",
    "page",
    "page_param",
    "page_body_path",
    "maximum_page",
    "cursor_path",
    "cursor_param",
    "cursor_body_path",
    "cursor_value",
    "stop_condition",
    "next_url_path",
    "links_next_key",
    "cursor_key",
];

fn paginator() -> BoxedStrategy<Value> {
    prop_oneof![
        proptest::sample::select(PAGINATOR_TYPES).prop_map(string),
        (
            proptest::sample::select(PAGINATOR_TYPES),
            mapping_of(PAGINATOR_KEYS, 5),
            any::<bool>()
        )
            .prop_map(|(kind, mut map, typed)| {
                if typed {
                    map.insert(string("type"), string(kind));
                }
                Value::Mapping(map)
            }),
        any_value(),
    ]
    .boxed()
}

const AUTH_TYPES: &[&str] = &[
    "bearer",
    "api_key",
    "http_basic",
    "basic",
    "oauth2_client_credentials",
    "oauth",
];

const AUTH_KEYS: &[&str] = &[
    "token",
    "api_key",
    "name",
    "location",
    "prefix",
    "username",
    "password",
    "access_token_url",
    "client_id",
    "client_secret",
    "default_token_expiration",
];

fn auth() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => (
            proptest::option::of(proptest::sample::select(AUTH_TYPES)),
            mapping_of(AUTH_KEYS, 4)
        )
            .prop_map(|(kind, mut map)| {
                if let Some(kind) = kind {
                    map.insert(string("type"), string(kind));
                }
                Value::Mapping(map)
            }),
        1 => Just(Value::Null),
        1 => any_value(),
    ]
    .boxed()
}

/// Paths with every kind of placeholder, good and bad.
fn path_like() -> impl Strategy<Value = String> {
    let placeholder = prop_oneof![
        Just(String::new()),
        Just("{id}".to_string()),
        name().prop_map(|n| format!("{{resources.{n}.id}}")),
        name().prop_map(|n| format!("{{resources.{n}.meta[0]}}")),
        Just("{resources.x}".to_string()),
        Just("{incremental.start_value}".to_string()),
        Just("{incremental.nope}".to_string()),
        Just("{a.b}".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("{{literal}}".to_string()),
    ];
    ("/[a-z]{1,6}", placeholder, "(/[a-z]{1,4})?").prop_map(|(a, p, b)| format!("{a}/{p}{b}"))
}

/// JSONPath-ish text: mostly valid, some broken.
fn jsonpath_like() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(
            &[
                "data",
                "meta.next",
                "$",
                "$.results[*]",
                "items[0].id",
                "..id",
                "['@odata.nextLink']",
                "total",
                "has_more",
                "a[",
                "a..",
                "data[?(@.x)]",
                "",
            ][..]
        )
        .prop_map(str::to_string),
        jsonpath_soup(),
    ]
}

/// Template-ish text: mostly valid, some broken.
fn template_like() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(
            &[
                "{{ response.next }}",
                "{{ not response.get('has_more', {}) }}",
                "{{ last_record['id'] }}",
                "{{ last_page_size < 50 or not response.has_more }}",
                "{{ response.next | first }}",
                "{{ config.x }}",
                "response.next",
                "{{ }}",
            ][..]
        )
        .prop_map(str::to_string),
        template_soup(),
    ]
}

/// The template language's tokens, and a few that are not, in any order.
pub fn template_soup() -> impl Strategy<Value = String> {
    let token = proptest::sample::select(
        &[
            "{{",
            "}}",
            " ",
            "response",
            "headers",
            "last_record",
            "last_page_size",
            ".",
            "get",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ",",
            "'k'",
            "\"k\"",
            "'",
            "\"",
            "\\",
            "0",
            "-1",
            "99999999999999999999",
            "not",
            "and",
            "or",
            "==",
            "!=",
            "<",
            "<=",
            ">",
            ">=",
            "None",
            "True",
            "false",
            "null",
            "|",
            "é",
            "keys",
        ][..],
    );
    proptest::collection::vec(token, 0..16).prop_map(|t| t.concat())
}

/// The JSONPath subset's tokens, and a few that are not, in any order.
pub fn jsonpath_soup() -> impl Strategy<Value = String> {
    let token = proptest::sample::select(
        &[
            "$",
            ".",
            "..",
            "[",
            "]",
            "*",
            "'",
            "\"",
            "a",
            "b_c",
            "0",
            "-1",
            "?",
            "(",
            ")",
            "@",
            "`",
            " ",
            "é",
            "'x y'",
            "99999999999999999999",
        ][..],
    );
    proptest::collection::vec(token, 0..12).prop_map(|t| t.concat())
}

/// JSON documents (and now and then text that is not JSON) with the keys paginators and
/// selectors look for.
pub fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| n.into()),
        any::<f64>().prop_map(
            |f| serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)
        ),
        "[ -~]{0,10}".prop_map(serde_json::Value::String),
        Just(serde_json::Value::String(
            "https://api.example.com/next?page=2".into()
        )),
    ];
    let keys = proptest::sample::select(
        &[
            "next", "id", "data", "items", "has_more", "total", "meta", "paging", "k", "x",
        ][..],
    );
    let document = leaf.prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::vec((keys.clone(), inner), 0..4).prop_map(|pairs| {
                serde_json::Value::Object(
                    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                )
            }),
        ]
    });
    prop_oneof![
        8 => document.prop_map(|d| d.to_string()),
        1 => "[ -~]{0,20}",
    ]
}

const RESOURCE_KEYS: &[&str] = &[
    "primary_key",
    "write_disposition",
    "selected",
    "parallelized",
    "table_name",
];

const ENDPOINT_SCALARS: &[&str] = &["path", "method", "data_selector"];

fn endpoint() -> BoxedStrategy<Value> {
    let params = proptest::collection::vec(
        (
            "[a-z_]{1,6}",
            prop_oneof![
                path_like().prop_map(Value::String),
                name().prop_map(|n| {
                    Value::Mapping(
                        [
                            (string("type"), string("resolve")),
                            (string("resource"), string(&n)),
                            (string("field"), string("id")),
                        ]
                        .into_iter()
                        .collect(),
                    )
                }),
                any_value(),
            ],
        ),
        0..3,
    )
    .prop_map(|pairs| Value::Mapping(pairs.into_iter().map(|(k, v)| (string(&k), v)).collect()));
    let full = (
        mapping_of(ENDPOINT_SCALARS, 3),
        proptest::option::of(params),
        proptest::option::of(paginator()),
        proptest::option::of(auth()),
        proptest::option::of(mapping_of(
            &["retry_on_status_codes", "max_retries", "backoff_factor"],
            3,
        )),
        proptest::option::of(mapping_of(
            &["cursor_path", "initial_value", "lag", "last_value_func"],
            3,
        )),
        proptest::option::of(any_value()),
    )
        .prop_map(
            |(mut map, params, paginator, auth, retry, incremental, actions)| {
                let mut put = |k: &str, v: Option<Value>| {
                    if let Some(v) = v {
                        map.insert(string(k), v);
                    }
                };
                put("params", params);
                put("paginator", paginator);
                put("auth", auth);
                put("error_handler", retry.map(Value::Mapping));
                put("incremental", incremental.map(Value::Mapping));
                put("response_actions", actions);
                Value::Mapping(map)
            },
        );
    prop_oneof![
        3 => full,
        1 => path_like().prop_map(Value::String),
        1 => any_value(),
    ]
    .boxed()
}

fn resource() -> BoxedStrategy<Value> {
    let full = (
        proptest::option::of(name()),
        proptest::option::of(endpoint()),
        mapping_of(RESOURCE_KEYS, 2),
        proptest::option::of(proptest::collection::vec("[a-z]{1,4}", 0..3)),
    )
        .prop_map(|(name, endpoint, mut map, include)| {
            if let Some(name) = name {
                map.insert(string("name"), string(&name));
            }
            if let Some(endpoint) = endpoint {
                map.insert(string("endpoint"), endpoint);
            }
            if let Some(include) = include {
                map.insert(
                    string("include_from_parent"),
                    Value::Sequence(include.iter().map(|s| string(s)).collect()),
                );
            }
            Value::Mapping(map)
        });
    prop_oneof![4 => full, 1 => name().prop_map(Value::String), 1 => any_value()].boxed()
}

/// A whole config (as YAML text) and schema files for some resources.
pub fn spec_document() -> impl Strategy<Value = (String, Vec<(String, String)>)> {
    let client = (
        proptest::option::weighted(
            0.9,
            prop_oneof![
                4 => Just(string("https://api.example.com/v1/")),
                1 => any_value(),
            ],
        ),
        proptest::option::of(auth()),
        proptest::option::of(paginator()),
        proptest::option::of(any_value()),
    )
        .prop_map(|(base_url, auth, paginator, headers)| {
            let mut map = Mapping::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    map.insert(string(k), v);
                }
            };
            put("base_url", base_url);
            put("auth", auth);
            put("paginator", paginator);
            put("headers", headers);
            Value::Mapping(map)
        });
    let defaults = proptest::option::of(
        (
            proptest::option::of(endpoint()),
            mapping_of(RESOURCE_KEYS, 2),
        )
            .prop_map(|(endpoint, mut map)| {
                if let Some(endpoint) = endpoint {
                    map.insert(string("endpoint"), endpoint);
                }
                Value::Mapping(map)
            }),
    );
    let resources = prop_oneof![
        8 => proptest::collection::vec(resource(), 0..5).prop_map(Value::Sequence),
        1 => any_value(),
    ];
    let schema = prop_oneof![
        4 => Just(r#"{"type": "object", "properties": {"id": {"type": "string"}}}"#.to_string()),
        1 => Just(r##"{"type": "object", "properties": {"x": {"$ref": "#/definitions/nope"}}}"##.to_string()),
        1 => Just(r#"{"type": 12}"#.to_string()),
        1 => Just("[1, 2]".to_string()),
        1 => Just("{".to_string()),
        1 => json_text(),
    ];
    let schemas = proptest::collection::vec((proptest::sample::select(NAMES), schema), 0..3);
    (client, defaults, resources, any::<u8>(), schemas).prop_map(
        |(client, defaults, resources, roll, schemas)| {
            let mut root = Mapping::new();
            if roll % 16 != 0 {
                root.insert(string("client"), client);
            }
            if let Some(defaults) = defaults {
                root.insert(string("resource_defaults"), defaults);
            }
            if roll % 16 != 1 {
                root.insert(string("resources"), resources);
            }
            if roll % 16 == 2 {
                root.insert(string("resource"), Value::Null);
            }
            let text = serde_yaml::to_string(&Value::Mapping(root)).unwrap_or_default();
            let mut seen = Vec::new();
            let schemas = schemas
                .into_iter()
                .filter(|(n, _)| {
                    let fresh = !seen.contains(n);
                    seen.push(*n);
                    fresh
                })
                .map(|(n, s)| (n.to_string(), s))
                .collect();
            (text, schemas)
        },
    )
}

/// The repository's specs (read once).
fn real_specs() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut specs: Vec<String> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path().join("source.yaml")).ok())
                .collect()
        })
        .unwrap_or_default();
    specs.sort();
    specs
}

/// One edit of a text.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Indent(usize, usize),
}

fn apply(text: &str, edit: &Edit) -> String {
    let at = |n: usize| {
        let mut i = if text.is_empty() {
            0
        } else {
            n % (text.len() + 1)
        };
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let mut lines: Vec<&str> = text.lines().collect();
    match edit {
        Edit::Delete(start, len) => {
            let a = at(*start);
            let b = at(a + len % 12);
            format!("{}{}", &text[..a], &text[b.max(a)..])
        }
        Edit::Insert(pos, s) => {
            let a = at(*pos);
            format!("{}{s}{}", &text[..a], &text[a..])
        }
        Edit::DuplicateLine(i) if !lines.is_empty() => {
            let i = i % lines.len();
            lines.insert(i, lines[i]);
            lines.join("\n")
        }
        Edit::SwapLines(i, j) if !lines.is_empty() => {
            let (i, j) = (i % lines.len(), j % lines.len());
            lines.swap(i, j);
            lines.join("\n")
        }
        Edit::Indent(i, by) if !lines.is_empty() => {
            let i = i % lines.len();
            let indented = format!("{}{}", " ".repeat(by % 5), lines[i].trim_start());
            lines[i] = &indented;
            lines.join("\n")
        }
        _ => text.to_string(),
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    let inserted = proptest::sample::select(
        &[
            ":", "-", " ", "\n", "{", "}", "[", "]", "#", "'", "\"", "&a", "*a", "!", "|", ">",
            "\t", "{{", "?", ",", "x", "é", "- ", ": ", "null", "~",
        ][..],
    );
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Delete(a, b)),
        (any::<usize>(), inserted).prop_map(|(a, s)| Edit::Insert(a, s.to_string())),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Indent(a, b)),
    ]
}

/// One of the repository's specs with one to three random edits.
pub fn edited_real_spec() -> impl Strategy<Value = String> {
    let specs = real_specs();
    let count = specs.len().max(1);
    (0..count, proptest::collection::vec(edit(), 1..4)).prop_map(move |(i, edits)| {
        let mut text = specs.get(i).cloned().unwrap_or_default();
        for e in &edits {
            text = apply(&text, e);
        }
        text
    })
}

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
