//! The broken-spec corpus. Each folder of `tests/corpus/broken/` is a spec (`source.yaml`
//! and `schemas/`) that fails to generate, or generates with warnings. What a user reads
//! about it is pinned by a reviewed snapshot, `snapshots/diagnostics__<case>.snap`; the
//! first line says whether it generated and how many errors and warnings there were.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/broken")
}

/// Generates the corpus case `case` as if it were `specs/<case>` and returns what the
/// user is shown.
fn diagnose(case: &str) -> String {
    let shown = format!("specs/{case}");
    match restgen::generate(&corpus().join(case), &shown) {
        Ok(generated) => {
            assert!(
                !generated.warnings.is_empty(),
                "corpus case `{case}` generates cleanly: it is not broken"
            );
            format!(
                "generates, {} warning(s)\n\n{}",
                generated.warnings.len(),
                restgen::Diagnostics(generated.warnings)
            )
        }
        Err(diagnostics) => {
            assert!(diagnostics.has_errors(), "{case}: failed without an error");
            let errors = diagnostics.error_count();
            format!(
                "fails, {errors} error(s), {} warning(s)\n\n{diagnostics}",
                diagnostics.0.len() - errors
            )
        }
    }
}

macro_rules! corpus {
    ($($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                insta::assert_snapshot!(diagnose(stringify!($case)));
            }
        )*

        /// Every case that has a test.
        const CASES: &[&str] = &[$(stringify!($case)),*];
    };
}

corpus!(
    auth_field_of_another_type,
    bad_jsonpath,
    bad_jsonpath_in_placeholder,
    bad_jsonpath_unclosed_bracket,
    bad_template,
    bad_template_config,
    bad_template_double_quoted,
    bad_template_not_wrapped,
    bad_template_unknown_name,
    date_function_bad_arguments,
    date_function_unknown,
    partitions_secret_setting,
    request_template_reads_response,
    broken_parent_is_not_unknown,
    caller_param_placeholder,
    client_key_typo,
    conflicting_cursor_sources,
    conflicting_offset_params,
    custom_marker_mistakes,
    data_selector_not_a_path,
    dlt_extensions,
    dotted_path_placeholder,
    duplicate_resource,
    empty_base_url,
    empty_file,
    empty_file_zero_bytes,
    empty_resources,
    endpoint_is_a_list,
    every_error_in_one_run,
    fail_on_status_codes_mistakes,
    form_body_data,
    header_not_text,
    importer_fill_in_left,
    include_from_parent_not_a_list,
    include_from_parent_without_parent,
    incremental_block_and_param,
    incremental_param_unknown_key,
    incremental_param_with_end_value,
    incremental_params_twice,
    infinite_backoff,
    inherited_error,
    json_body_unbound_placeholder,
    limit_param_without_limit,
    literal_credential_header,
    literal_secret,
    method_not_allowed,
    missing_base_url,
    missing_client,
    missing_schema_file,
    misspelled_incremental_placeholder,
    name_without_letters,
    names_that_collide,
    negative_limit,
    oauth2_mistakes,
    offset_shorthand_needs_limit,
    own_parent,
    paginator_without_type,
    parent_cycle,
    parent_cycle_of_three,
    quoted_number,
    resolve_param_not_in_path,
    resource_defaults_with_name,
    resource_without_name,
    resources_not_a_list,
    response_action_status_as_string,
    retry_codes_wrong_type,
    schema_empty_file,
    schema_not_a_json_schema,
    schema_not_an_object,
    schema_reference_to_another_file,
    schema_that_is_not_json,
    secret_names_that_collide,
    secret_reference_typo,
    session_token_mistakes,
    spec_is_a_list,
    termination_guard,
    termination_guard_page_number,
    two_parents,
    unbound_incremental_placeholder,
    unbound_param_placeholder,
    unclosed_placeholder,
    unknown_api_key_location,
    unknown_auth_key,
    unknown_auth_type,
    unknown_endpoint_key,
    unknown_paginator_key,
    unknown_paginator_shorthand,
    unknown_paginator_type,
    unknown_parent,
    unknown_resolve_parent,
    unknown_resource_key,
    unknown_top_level_key,
    value_placeholder_not_a_name,
    window_mistakes,
    wrong_type,
    yaml_bad_indentation,
    yaml_duplicate_key,
    yaml_syntax_error,
    yaml_tab_indentation,
    yaml_unclosed_flow,
    zero_limit,
    yaml_nested_30000_levels_flow,
    yaml_nested_100_levels_block,
    yaml_alias_bomb,
    schema_nested_1000_levels,
);

#[test]
fn hostile_nesting_and_aliases_are_refused_on_an_ordinary_stack() {
    // A thread with Rust's default 2 MiB, whatever RUST_MIN_STACK says: a loader that
    // recursed per level, or expanded the aliases, would abort or exhaust memory here.
    let refused = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            [
                "yaml_nested_30000_levels_flow",
                "yaml_nested_100_levels_block",
                "yaml_alias_bomb",
                "schema_nested_1000_levels",
            ]
            .map(|case| (case, diagnose(case)))
        })
        .unwrap()
        .join()
        .unwrap();
    for (case, text) in refused {
        assert!(text.starts_with("fails, 1 error(s)"), "{case}:\n{text}");
        assert!(
            ["levels deep", "aliases stand for more than"]
                .iter()
                .any(|what| text.contains(what)),
            "{case}:\n{text}"
        );
    }
}

#[test]
fn every_corpus_folder_has_a_test() {
    let mut folders: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    folders.sort();
    let mut cases: Vec<String> = CASES.iter().map(|c| c.to_string()).collect();
    cases.sort();
    assert_eq!(folders, cases, "add each corpus folder to `corpus!`");
    assert!(CASES.len() >= 40, "the corpus has at least 40 cases");
}

#[test]
fn every_error_is_reported_in_one_run() {
    let text = diagnose("every_error_in_one_run");
    for expected in [
        "unknown key `pathh`",
        "resource `b`: `data_selector` is not a valid JSONPath",
        "resource `b`: unknown paginator `nope`",
        "resource `c`: `endpoint.paginator.limit` must be",
        "resource `d`: unknown parent resource `e`",
        "specs/every_error_in_one_run/schemas/d.json",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn every_error_names_file_line_and_column() {
    for case in CASES {
        let text = diagnose(case);
        for block in text.split("\n\n").skip(1) {
            if !(block.starts_with("error") || block.starts_with("warning")) {
                continue;
            }
            let located = block.lines().nth(1).unwrap_or_default();
            assert!(
                located.trim_start().starts_with("--> specs/"),
                "{case}: no file in\n{block}"
            );
        }
    }
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
}

#[test]
fn a_spec_folder_named_after_a_keyword_or_a_used_crate() {
    // a corpus folder cannot be named `box`: its test would be `fn box()`
    let source = "client:\n  base_url: https://x\nresources:\n  - items\n";
    for (api, why) in [
        ("box", "`box` is a Rust keyword"),
        (
            "serde",
            "`serde` is the name of a crate the generated code uses",
        ),
    ] {
        let files = restgen::SpecFiles::in_memory(api, source, &[]);
        let message = restgen::generate_files(&files).unwrap_err().to_string();
        assert!(message.contains(why), "{message}");
        assert!(message.contains(&format!("`specs/{api}_api`")), "{message}");
        assert!(message.contains(&format!("--> specs/{api}")), "{message}");
    }
}
