//! Property tests of the generator: whatever a spec holds, loading, resolving and
//! generating never panic, and every error about the config names its line and column. The
//! template and JSONPath compilers get arbitrary strings. Inputs are near-valid specs built
//! from the dialect's own keys and values (random bytes mostly stop at the YAML parser) and
//! random edits of the repository's real specs.
//!
//! Case counts are modest so CI stays fast; `PROPTEST_CASES=100000` runs a long campaign,
//! and `PROPERTY_TRACE=1` prints each spec's outcome (to see where generated inputs stop).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod strategies;

use proptest::prelude::*;
use proptest::test_runner::Config;
use restgen::SpecFiles;
use restgen::ir::{jsonpath, template};
use restgen_runtime::expr::Scope;
use serde_json::value::RawValue;

use strategies::{
    edited_real_spec, json_text, jsonpath_soup, spec_document, template_soup, valid_spec,
};

/// `cases` unless `PROPTEST_CASES` says otherwise; no regression files: a failure found is
/// turned into a named test in `regressions.rs`.
fn config(cases: u32) -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..Config::default()
    }
}

const CONFIG_FILE: &str = "specs/p/source.yaml";

/// Generates `text` as the config of spec `p` (with a schema for some resources) and checks
/// what every spec must satisfy: no panic (the caller's), errors about the config located,
/// and a second run giving the same files.
fn check_spec(text: &str, schemas: &[(&str, &str)]) -> Result<(), TestCaseError> {
    let files = SpecFiles::in_memory("p", text, schemas);
    match restgen::generate_files(&files) {
        Ok(generated) => {
            if std::env::var_os("PROPERTY_TRACE").is_some() {
                eprintln!("OUTCOME ok");
            }
            prop_assert!(!generated.files.is_empty());
            let again = restgen::generate_files(&files)
                .map_err(|e| TestCaseError::fail(format!("second run failed:\n{e}")))?;
            prop_assert_eq!(
                &generated.files,
                &again.files,
                "generation is deterministic"
            );
        }
        Err(diagnostics) => {
            if std::env::var_os("PROPERTY_TRACE").is_some() {
                let first = diagnostics
                    .0
                    .iter()
                    .find(|d| d.severity == restgen::Severity::Error);
                eprintln!("OUTCOME err {}", first.map_or("", |d| d.message.as_str()));
            }
            prop_assert!(diagnostics.has_errors());
            for d in &diagnostics.0 {
                if d.file == CONFIG_FILE {
                    prop_assert!(
                        d.line > 0 && d.column > 0,
                        "unlocated error about the config:\n{d}\n--- spec:\n{text}"
                    );
                }
                // rendering never fails, and names the file
                prop_assert!(d.to_string().contains(&d.file));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(48))]

    /// Near-valid specs: the dialect's keys with right, wrong and misspelled values.
    #[test]
    fn near_valid_specs_never_panic_and_errors_are_located(
        (text, schemas) in spec_document()
    ) {
        let schemas: Vec<(&str, &str)> =
            schemas.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
        check_spec(&text, &schemas)?;
    }

    /// Specs valid but for edge values: odd names that must become Rust identifiers,
    /// extreme numbers, schemas with odd property names. Most of them reach code emission.
    #[test]
    fn valid_specs_with_edge_values_generate_or_fail_cleanly((text, schemas) in valid_spec()) {
        let schemas: Vec<(&str, &str)> =
            schemas.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
        check_spec(&text, &schemas)?;
    }

    /// The repository's own specs with random edits: characters deleted or inserted, lines
    /// duplicated, swapped or re-indented.
    #[test]
    fn edited_real_specs_never_panic_and_errors_are_located(text in edited_real_spec()) {
        check_spec(&text, &[])?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Any text at all: the loader stops cleanly, with a located error.
    #[test]
    fn any_text_is_refused_or_loaded_cleanly(text in any::<String>()) {
        let parsed = restgen::spec::parse_config(CONFIG_FILE, &text);
        if let Err(diagnostics) = parsed {
            for d in &diagnostics.0 {
                prop_assert!(d.line > 0, "unlocated: {d}");
            }
        }
    }

    /// Templates: arbitrary strings and token soup compile or fail with a position inside
    /// the template; a compiled one evaluates on any page without panicking.
    #[test]
    fn templates_compile_or_fail_cleanly(
        text in prop_oneof![any::<String>(), template_soup()],
        body in json_text(),
        record in json_text(),
        size in 0usize..5,
    ) {
        let body = RawValue::from_string(body).ok();
        let record = RawValue::from_string(record).ok();
        // the paging templates' reading and the processing steps' (over `record`)
        for compiled in [template::compile(&text), template::compile_record(&text)] {
            match compiled {
                Ok(expr) => {
                    let headers = http::HeaderMap::new();
                    let scope = Scope {
                        response: body.as_deref(),
                        headers: &headers,
                        last_record: record.as_deref(),
                        last_page_size: size,
                        record: record.as_deref(),
                    };
                    let value = expr.eval(&scope);
                    let _ = value.truthy();
                    let _ = value.into_json();
                }
                Err(e) => {
                    prop_assert!(e.at <= text.chars().count(), "{e:?}");
                    prop_assert!(!e.to_string().is_empty());
                }
            }
        }
    }

    /// JSONPaths: arbitrary strings and token soup compile or fail with a position inside
    /// the path; a compiled one selects from any document without panicking, and its
    /// display compiles back to the same selector.
    #[test]
    fn jsonpaths_compile_or_fail_cleanly(
        text in prop_oneof![any::<String>(), jsonpath_soup()],
        document in json_text(),
    ) {
        match jsonpath::compile(&text) {
            Ok(selector) => {
                if let Ok(raw) = RawValue::from_string(document) {
                    let _ = selector.find(&raw);
                    let _ = restgen_runtime::selector::select_records(&selector, &raw);
                }
                let shown = selector.to_string();
                let again = jsonpath::compile(&shown);
                prop_assert_eq!(again.as_ref().ok(), Some(&selector), "{} -> {}", text, shown);
            }
            Err(e) => {
                prop_assert!(e.at <= text.chars().count(), "{e:?}");
            }
        }
    }
}
