//! Any text as a `{{ ... }}` template: it compiles or fails with a position inside it,
//! and a compiled one evaluates on a few pages without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use restgen::ir::template;
use restgen_runtime::expr::Scope;
use serde_json::value::RawValue;

const PAGES: &[&str] = &[
    r#"{"next": "https://x/2", "has_more": true, "paging": {"next": {"after": "c"}}}"#,
    r#"[1, 2, {"id": null}]"#,
    r#""text""#,
    "null",
];

fuzz_target!(|text: &str| {
    match template::compile(text) {
        Ok(expr) => {
            let headers = http::HeaderMap::new();
            for page in PAGES {
                let Ok(body) = RawValue::from_string(page.to_string()) else {
                    continue;
                };
                let scope = Scope {
                    response: Some(&body),
                    headers: &headers,
                    last_record: Some(&body),
                    last_page_size: 3,
                    record: Some(&body),
                };
                let value = expr.eval(&scope);
                let _ = value.truthy();
                let _ = value.into_json();
            }
        }
        Err(e) => assert!(e.at <= text.chars().count(), "{e:?}"),
    }
});
