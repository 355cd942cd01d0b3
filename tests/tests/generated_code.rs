//! The generated code of every spec (`specs/` and the fixtures in `tests/fixtures/`), file by
//! file, as insta snapshots in `tests/tests/snapshots/generated/`: a change to the generator
//! or a spec shows up in review as a snapshot diff, accepted with `cargo insta review`. The
//! code is generated in memory, exactly as `cargo xtask generate` would write it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Where the specs are, as `cargo xtask generate` shows them.
const SPEC_FOLDERS: &[&str] = &["specs", "tests/fixtures"];

#[test]
fn generated_code_matches_its_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut checked = 0;
    let mut changed = Vec::new();
    for folder in SPEC_FOLDERS {
        let mut apis: Vec<String> = std::fs::read_dir(root.join(folder))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|api| root.join(folder).join(api).join("source.yaml").is_file())
            .collect();
        apis.sort();
        for api in apis {
            let shown = format!("{folder}/{api}");
            let generated = restgen::generate(&root.join(&shown), &shown)
                .unwrap_or_else(|e| panic!("{shown}: {e}"));
            for (path, code) in &generated.files {
                let name = format!("{api}__{}", path.replace('/', "__"));
                // every file is compared, so one run writes every pending snapshot
                let compared = catch_unwind(AssertUnwindSafe(|| {
                    insta::with_settings!({
                        snapshot_path => "snapshots/generated",
                        prepend_module_to_snapshot => false,
                        omit_expression => true,
                        description => format!("generated/{api}/{path}"),
                    }, {
                        insta::assert_snapshot!(name.clone(), code);
                    });
                }));
                if compared.is_err() {
                    changed.push(format!("generated/{api}/{path}"));
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "only {checked} generated files");
    assert!(
        changed.is_empty(),
        "generated code differs from its snapshots (review with `cargo insta review`):\n  {}",
        changed.join("\n  ")
    );
}
