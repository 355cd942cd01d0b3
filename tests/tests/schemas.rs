//! The tricky schemas of `tests/fixtures/tricky`: for each case, the resources it needs are
//! generated as a spec of their own and the models (`src/types.rs`) are snapshotted. The
//! whole fixture must also generate with every type name once. That the generated code
//! compiles and deserializes realistic JSON is checked on the `tricky` crate generated from
//! the same fixture (`schemas/deserialize.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "schemas/deserialize.rs"]
mod deserialize;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tricky")
}

/// The fixture's `source.yaml` up to `resources:` (client and defaults).
fn head() -> String {
    let source = std::fs::read_to_string(fixture().join("source.yaml")).unwrap();
    let (head, _) = source.split_once("\nresources:").unwrap();
    head.to_string()
}

/// Generates `src/types.rs` for a spec with only `resources` of the fixture.
fn types_of(resources: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tricky");
    std::fs::create_dir_all(dir.join("schemas")).unwrap();
    let mut source = head();
    source.push_str("\nresources:\n");
    for resource in resources {
        source.push_str(&format!(
            "  - name: {resource}\n    endpoint:\n      path: /{resource}\n"
        ));
        let file = format!("{resource}.json");
        std::fs::copy(
            fixture().join("schemas").join(&file),
            dir.join("schemas").join(&file),
        )
        .unwrap();
    }
    std::fs::write(dir.join("source.yaml"), source).unwrap();
    match restgen::generate(&dir, "tests/fixtures/tricky") {
        Ok(generated) => generated.files["src/types.rs"].clone(),
        Err(diagnostics) => panic!("{resources:?} do not generate:\n{diagnostics}"),
    }
}

macro_rules! case {
    ($test:ident, $($resource:literal),+) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(types_of(&[$($resource),+]));
        }
    };
}

// Nullable in both styles; required-but-nullable fields are `Option`s that may be absent.
case!(nullable, "invoices");
// Open string enums (also nullable, untyped, in arrays); integer enums become integers.
case!(enums, "tasks");
case!(nested_objects_and_arrays, "orders");
// `additionalProperties` true, false and a schema: unknown fields land in `extra`.
case!(additional_properties, "events");
// allOf merged; oneOf with a tag; oneOf and anyOf of primitives and objects; catch-alls.
case!(composition, "payments");
// Through `#` and through local definitions.
case!(recursion, "comments", "folders");
case!(reserved_and_odd_names, "documents");
// `Contact.book` vs the record `ContactBook`, `Contact.book.owner` vs
// `ContactBook.owner`, `tags` items vs `tags_item`, two records titled `Contact`.
case!(
    colliding_names,
    "contacts",
    "contact_books",
    "archived_contacts"
);
case!(formats, "sessions");

/// The names of the items a types.rs declares at its top level, re-exports of the runtime's
/// types (`pub use ::restgen_runtime::types::Timestamp as Timestamp2;`) included.
fn declared(types: &str) -> Vec<String> {
    types
        .lines()
        .filter_map(|line| {
            if let Some(path) = line.strip_prefix("pub use ") {
                let path = path.trim_end_matches(';');
                let name = path.rsplit([' ', ':']).next().unwrap_or(path);
                return Some(name.to_string());
            }
            let rest = line
                .strip_prefix("pub struct ")
                .or_else(|| line.strip_prefix("pub enum "))
                .or_else(|| line.strip_prefix("pub type "))?;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            Some(name)
        })
        .collect()
}

#[test]
fn the_whole_fixture_generates_with_every_name_once() {
    let generated = restgen::generate(&fixture(), "tests/fixtures/tricky")
        .unwrap_or_else(|d| panic!("the fixture does not generate:\n{d}"));
    let types = &generated.files["src/types.rs"];
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for name in declared(types) {
        *count.entry(name).or_default() += 1;
    }
    let twice: Vec<&String> = count
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(k, _)| k)
        .collect();
    assert!(twice.is_empty(), "declared more than once: {twice:?}");
    for record in [
        "Invoice",
        "Task",
        "Order",
        "Event",
        "Payment",
        "Comment",
        "Folder",
        "Document",
        "Contact",
        "ContactBook",
        "ArchivedContacts",
        "Session",
        "Timestamp",
        "Date",
    ] {
        assert!(count.contains_key(record), "no type `{record}`");
    }
}

#[test]
fn a_reference_outside_the_schema_is_a_located_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tricky");
    std::fs::create_dir_all(dir.join("schemas")).unwrap();
    std::fs::write(
        dir.join("source.yaml"),
        format!(
            "{}\nresources:\n  - name: notes\n    endpoint:\n      path: /notes\n",
            head()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("schemas/notes.json"),
        r#"{"type": "object", "properties": {"author": {"$ref": "users.json#/definitions/user"}}}"#,
    )
    .unwrap();
    let diagnostics = restgen::generate(&dir, "tests/fixtures/tricky").unwrap_err();
    insta::assert_snapshot!(diagnostics.to_string());
}

#[test]
fn typify_conversion_errors_are_the_runtimes_not_a_copy() {
    let generated = restgen::generate(&fixture(), "tests/fixtures/tricky")
        .unwrap_or_else(|d| panic!("the fixture does not generate:\n{d}"));
    let types = &generated.files["src/types.rs"];
    assert!(types.contains("pub use ::restgen_runtime::types::ConversionError;"));
    assert!(
        !types.contains("pub struct ConversionError"),
        "a copy is emitted"
    );
    assert!(
        types.contains("self::error::ConversionError"),
        "typify still names it"
    );
}
