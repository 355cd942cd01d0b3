//! Any text as a spec's `source.yaml` (with a schema for `items`): the whole pipeline runs
//! without panicking, and every error about the config is located.
#![no_main]

use libfuzzer_sys::fuzz_target;
use restgen::SpecFiles;

const SCHEMA: &str = r#"{"type": "object", "properties": {"id": {"type": "string"}}}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files = SpecFiles::in_memory("p", text, &[("items", SCHEMA)]);
    if let Err(diagnostics) = restgen::generate_files(&files) {
        for d in &diagnostics.0 {
            if d.file == "specs/p/source.yaml" {
                assert!(d.line > 0, "an unlocated error about the config:\n{d}");
            }
            let _ = d.to_string();
        }
    }
});
