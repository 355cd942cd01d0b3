//! Any text as a JSONPath: it compiles or fails with a position inside it; a compiled one
//! selects from a document without panicking, and its display compiles back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use restgen::ir::jsonpath;
use serde_json::value::RawValue;

const DOCUMENT: &str = r#"{"data": [{"id": 1, "a b": {"id": 2}}, 3], "meta": {"next": "x"}}"#;

fuzz_target!(|text: &str| {
    match jsonpath::compile(text) {
        Ok(selector) => {
            if let Ok(raw) = RawValue::from_string(DOCUMENT.to_string()) {
                let _ = selector.find(&raw);
                let _ = restgen_runtime::selector::select_records(&selector, &raw);
            }
            let shown = selector.to_string();
            assert_eq!(
                jsonpath::compile(&shown).ok(),
                Some(selector),
                "{text} -> {shown}"
            );
        }
        Err(e) => assert!(e.at <= text.chars().count(), "{e:?}"),
    }
});
