//! Broken specs: each gets a located, reviewed message (insta snapshots) and writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

const SCHEMA: &str = r#"{"type": "object", "properties": {"id": {"type": "string"}}}"#;

/// Writes a spec named `name` with `source` (and a schema per `schemas` entry) into a temp
/// folder, generates it, and returns the diagnostics as text.
fn diagnose(name: &str, source: &str, schemas: &[(&str, &str)]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    std::fs::create_dir_all(dir.join("schemas")).unwrap();
    std::fs::write(dir.join("source.yaml"), source).unwrap();
    for (resource, schema) in schemas {
        std::fs::write(dir.join("schemas").join(format!("{resource}.json")), schema).unwrap();
    }
    match restgen::generate(&dir, &format!("specs/{name}")) {
        Ok(_) => panic!("spec `{name}` should not generate"),
        Err(diagnostics) => {
            assert!(diagnostics.has_errors());
            diagnostics.to_string()
        }
    }
}

fn spec_with(endpoint: &str) -> String {
    format!(
        "client:\n  base_url: https://api.example.com\nresources:\n  - name: items\n    endpoint:\n{endpoint}"
    )
}

macro_rules! broken {
    ($test:ident, $source:expr) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(diagnose(stringify!($test), &$source, &[("items", SCHEMA)]));
        }
    };
}

broken!(
    unknown_endpoint_key,
    spec_with("      pathh: /items\n      data_selector: data\n")
);
broken!(
    wrong_type,
    spec_with(
        "      path: /items\n      data_selector: data\n      paginator:\n        type: offset\n        limit: ten\n"
    )
);
broken!(
    unknown_paginator_type,
    spec_with(
        "      path: /items\n      data_selector: data\n      paginator:\n        type: cursr\n"
    )
);
broken!(
    unknown_paginator_shorthand,
    spec_with("      path: /items\n      data_selector: data\n      paginator: page_numbr\n")
);
broken!(
    unknown_auth_type,
    "client:\n  base_url: https://api.example.com\n  auth:\n    type: oauth\n    token: {secret: t}\nresources:\n  - items\n"
);
broken!(
    missing_base_url,
    "client:\n  auth:\n    token: {secret: t}\nresources:\n  - items\n"
);
broken!(
    bad_jsonpath,
    spec_with("      path: /items\n      data_selector: 'data[?(@.id > 1)]'\n")
);
broken!(
    bad_template,
    spec_with(
        "      path: /items\n      data_selector: data\n      paginator:\n        type: cursor\n        cursor_value: '{{ response.next | first }}'\n"
    )
);
broken!(
    unknown_parent,
    spec_with("      path: /items/{resources.itemz.id}/parts\n      data_selector: data\n")
);
broken!(
    duplicate_resource,
    "client:\n  base_url: https://api.example.com\nresources:\n  - name: items\n    endpoint: {path: /a, data_selector: data}\n  - name: items\n    endpoint: {path: /b, data_selector: data}\n"
);
broken!(
    conflicting_offset_params,
    spec_with(
        "      path: /items\n      data_selector: data\n      paginator:\n        type: offset\n        limit: 10\n        offset_param: o\n        offset_body_path: page.offset\n"
    )
);
broken!(
    termination_guard,
    spec_with(
        "      path: /items\n      data_selector: data\n      paginator:\n        type: offset\n        limit: 10\n        total_path: null\n        stop_after_empty_page: false\n"
    )
);
broken!(
    yaml_syntax_error,
    "client:\n  base_url: \"https://api.example.com\n  auth: {token: x\nresources: []\n"
);
broken!(empty_file, "# nothing here yet\n");
broken!(
    response_action_status_as_string,
    spec_with(
        "      path: /items\n      data_selector: data\n      response_actions:\n        - status_code: '404'\n          action: ignore\n"
    )
);
broken!(
    method_not_allowed,
    spec_with("      path: /items\n      method: PUT\n      data_selector: data\n")
);

#[test]
fn schema_that_is_not_json() {
    insta::assert_snapshot!(diagnose(
        "schema_that_is_not_json",
        &spec_with("      path: /items\n      data_selector: data\n"),
        &[("items", "{\"type\": \"object\",\n  \"properties\": {,}\n}")],
    ));
}

#[test]
fn parent_cycle() {
    insta::assert_snapshot!(diagnose(
        "parent_cycle",
        "client:\n  base_url: https://api.example.com\nresources:\n  - name: a\n    endpoint: {path: '/a/{resources.b.id}', data_selector: data}\n  - name: b\n    endpoint: {path: '/b/{resources.a.id}', data_selector: data}\n",
        &[],
    ));
}

#[test]
fn every_error_is_reported_in_one_run() {
    let text = diagnose(
        "several",
        "client:\n  base_url: https://api.example.com\nresources:\n  - name: a\n    endpoint: {path: /a, data_selector: 'a[?x]'}\n  - name: b\n    endpoint: {path: /b, data_selector: data, paginator: nope}\n",
        &[],
    );
    assert!(text.contains("resource `a`"), "{text}");
    assert!(text.contains("resource `b`"), "{text}");
}

#[test]
fn failed_generation_writes_nothing() {
    // xtask writes only after every spec generated; the library itself never writes.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("x");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("source.yaml"), "client: {}\n").unwrap();
    assert!(restgen::generate(&dir, "specs/x").is_err());
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(entries.len(), 1, "only the spec itself is there");
    assert!(Path::new(&dir.join("source.yaml")).exists());
}

#[test]
fn a_spec_folder_named_after_a_keyword() {
    let source = spec_with("      path: /items\n");
    let message = diagnose("box", &source, &[("items", SCHEMA)]);
    assert!(message.contains("`box` is a Rust keyword"), "{message}");
    assert!(message.contains("`box_api`"), "{message}");
}
