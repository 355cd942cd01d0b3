//! Input generators for the property tests. This module: near-valid specs built from the
//! dialect's own keys and values, with wrong types, misspellings and broken placeholders
//! mixed in. `valid`: specs valid but for edge values. `edits`: random edits of the
//! repository's specs. `text`: token soups and JSON for the compilers.

mod edits;
mod text;
mod valid;

use proptest::prelude::*;
use serde_yaml::{Mapping, Value};

pub use edits::edited_real_spec;
pub use text::{json_text, jsonpath_soup, template_soup};
use text::{jsonpath_like, template_like};
pub use valid::valid_spec;

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
        "retry_on_status_codes" | "ignore_status_codes" | "fail_on_status_codes" => {
            proptest::collection::vec(
                prop_oneof![
                    (0i64..70000).prop_map(|n| Value::Number(n.into())),
                    Just(string("500"))
                ],
                0..3,
            )
            .prop_map(Value::Sequence)
            .boxed()
        }
        "token" | "api_key" | "username" | "password" | "client_id" | "client_secret"
        | "access_token_url" | "token_url" | "refresh_token" => prop_oneof![
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
        "grant_type" => {
            proptest::sample::select(&["refresh_token", "client_credentials", "password"][..])
                .prop_map(string)
                .boxed()
        }
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
    "oauth2",
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
    "token_url",
    "refresh_token",
    "grant_type",
    "scopes",
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
                // dlt's incremental parameter form
                mapping_of(&["cursor_path", "initial_value", "end_value", "lag"], 3).prop_map(
                    |mut m| {
                        m.insert(string("type"), string("incremental"));
                        Value::Mapping(m)
                    }
                ),
                any_value(),
            ],
        ),
        0..3,
    )
    .prop_map(|pairs| Value::Mapping(pairs.into_iter().map(|(k, v)| (string(&k), v)).collect()));
    // a JSON body whose keys and values may hold placeholders
    let json = proptest::collection::vec(
        (
            prop_oneof!["[a-z_]{1,6}", path_like()],
            prop_oneof![path_like().prop_map(Value::String), any_value()],
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
            &[
                "retry_on_status_codes",
                "max_retries",
                "backoff_factor",
                "ignore_status_codes",
                "fail_on_status_codes",
            ],
            3,
        )),
        proptest::option::of(mapping_of(
            &["cursor_path", "initial_value", "lag", "last_value_func"],
            3,
        )),
        proptest::option::of(any_value()),
        proptest::option::of(json),
    )
        .prop_map(
            |(mut map, params, paginator, auth, retry, incremental, actions, json)| {
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
                put("json", json);
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
