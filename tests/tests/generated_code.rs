//! The generated code of every spec (`restgen::SPEC_FOLDERS`: `specs/`, `tests/fixtures/`, `bench/specs/`), file by
//! file, as insta snapshots in `tests/tests/snapshots/generated/`: a change to the generator
//! or a spec shows up in review as a snapshot diff, accepted with `cargo insta review`. The
//! code is generated in memory, exactly as `cargo xtask generate` would write it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Where the specs are: the very list `cargo xtask generate` reads.
use restgen::SPEC_FOLDERS;

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

/// Lines only in `old` and lines only in `new`, by a longest common subsequence.
fn changed_lines(old: &str, new: &str) -> (usize, usize) {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let common = lcs[0][0];
    (a.len() - common, b.len() - common)
}

/// A reviewer reads a spec change as the diff of `generated/`: one value changed in the
/// spec's `resource_defaults` (shared by all eight esign resources) shows up in at most three
/// lines of the whole generated crate, because a value several resources share is written
/// once, as a const, and every other field is left to the runtime type's `DEFAULT`. (A
/// paginator value also appears in each method's doc comment, which describes its paging, and a
/// declared parameter's value in its setter's.)
#[test]
fn one_value_in_resource_defaults_changes_at_most_three_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = restgen::SpecFiles::read(&root.join("specs/esign"), "specs/esign");
    let config = files.config.clone().unwrap();
    let before = restgen::generate_files(&files).unwrap().files;
    let edits = [
        (
            "a retry code",
            "[429, 500, 502, 503, 504]",
            "[429, 500, 502, 503, 509]",
        ),
        ("max_retries", "max_retries: 3", "max_retries: 5"),
        (
            "the backoff factor",
            "backoff_factor: 2",
            "backoff_factor: 3",
        ),
    ];
    for (what, from, to) in edits {
        assert_eq!(
            config.matches(from).count(),
            1,
            "{what}: `{from}` once in the spec"
        );
        let mut edited = files.clone();
        edited.config = Ok(config.replace(from, to));
        let after = restgen::generate_files(&edited).unwrap().files;
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>()
        );
        let (mut removed, mut added) = (0, 0);
        for (path, old) in &before {
            let (r, a) = changed_lines(old, &after[path]);
            (removed, added) = (removed + r, added + a);
        }
        assert!(
            (1..=3).contains(&removed) && (1..=3).contains(&added),
            "changing {what} in resource_defaults changed {removed} lines and added {added}"
        );
    }
}

/// The Rust files of one checked-in generated crate, with their line counts.
fn rust_lines(dir: &Path) -> Vec<(String, usize)> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let lines = std::fs::read_to_string(&path).unwrap().lines().count();
                files.push((path.display().to_string(), lines));
            }
        }
    }
    files.sort();
    files
}

/// Issue #17's budget: the esign crate (eight resources) is at most 1,000 lines of Rust,
/// src and example. Behaviour the generated crates share belongs in the runtime; this keeps
/// it from growing back into every crate unnoticed.
#[test]
fn the_esign_crate_stays_within_its_line_budget() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/esign");
    let files = rust_lines(&dir);
    let total: usize = files.iter().map(|(_, n)| n).sum();
    assert!(files.len() >= 7, "esign's files: {files:?}");
    assert!(
        total <= 1_000,
        "generated/esign is {total} lines of Rust, over its budget of 1,000: {files:?}"
    );
}
