//! Text for the compilers: JSONPath-ish and template-ish strings (mostly valid), token
//! soups of each language, and JSON documents with the keys paginators look for.

use proptest::prelude::*;

/// JSONPath-ish text: mostly valid, some broken.
pub fn jsonpath_like() -> impl Strategy<Value = String> {
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
pub fn template_like() -> impl Strategy<Value = String> {
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
            // the processing steps' words
            "record",
            "*",
            "/",
            "1.5",
            "startswith",
            "lower",
            "len",
            "float",
            "in",
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
