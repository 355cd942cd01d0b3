//! Generation is a function of the spec alone: generating twice gives the same bytes (a
//! HashMap's iteration order differs between two maps of one process, so this would show
//! a dependence on it), and reordering a spec's resources changes only the order of what
//! is generated. Every spec of the repository is checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every spec folder: `(shown folder, path)`.
fn specs() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut specs = Vec::new();
    for folder in restgen::SPEC_FOLDERS {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.join("source.yaml").is_file() {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                specs.push((format!("{folder}/{name}"), path));
            }
        }
    }
    specs.sort();
    assert!(specs.len() >= 5, "the repository's specs are found");
    specs
}

fn generate(dir: &Path, shown: &str) -> BTreeMap<String, String> {
    restgen::generate(dir, shown)
        .unwrap_or_else(|e| panic!("{shown}:\n{e}"))
        .files
}

#[test]
fn generating_twice_gives_the_same_bytes() {
    for (shown, dir) in specs() {
        let first = generate(&dir, &shown);
        let second = generate(&dir, &shown);
        assert_eq!(first, second, "{shown}");
    }
}

/// The spec at `dir` with its resources in reverse order, written into `into`.
fn reversed(dir: &Path, into: &Path) {
    let text = std::fs::read_to_string(dir.join("source.yaml")).unwrap();
    let mut config: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let resources = config
        .get_mut("resources")
        .and_then(|r| r.as_sequence_mut())
        .unwrap();
    resources.reverse();
    std::fs::create_dir_all(into.join("schemas")).unwrap();
    std::fs::write(
        into.join("source.yaml"),
        serde_yaml::to_string(&config).unwrap(),
    )
    .unwrap();
    for entry in std::fs::read_dir(dir.join("schemas")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, into.join("schemas").join(path.file_name().unwrap())).unwrap();
    }
}

/// A file's lines, sorted, each as its sorted words: equal for two files when one is a
/// reordering of the other's lines (items, match arms) and of the lists within lines
/// (`resources: a, b`), which is all a reordered spec may change.
fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|line| {
            let mut words: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '\\' | '"'))
                .filter(|w| !w.is_empty())
                .collect();
            words.sort_unstable();
            words.join(" ")
        })
        .collect();
    lines.sort_unstable();
    lines
}

/// The lines of `a` that `b` does not have (and the other way), for the failure message.
fn difference(a: &[String], b: &[String]) -> String {
    let only = |x: &[String], y: &[String]| -> Vec<String> {
        x.iter().filter(|l| !y.contains(l)).cloned().collect()
    };
    format!(
        "only before: {:#?}\nonly after: {:#?}",
        only(a, b),
        only(b, a)
    )
}

#[test]
fn reordering_resources_only_reorders_the_output() {
    for (shown, dir) in specs() {
        let tmp = tempfile::tempdir().unwrap();
        // the folder's name is the API's
        let flipped = tmp.path().join(dir.file_name().unwrap());
        reversed(&dir, &flipped);
        let original = generate(&dir, &shown);
        let reordered = generate(&flipped, &shown);
        assert_eq!(
            original.keys().collect::<Vec<_>>(),
            reordered.keys().collect::<Vec<_>>(),
            "{shown}: the same files"
        );
        let mut moved = false;
        for (file, text) in &original {
            let other = &reordered[file];
            moved |= text != other;
            let (before, after) = (sorted_lines(text), sorted_lines(other));
            assert!(
                before == after,
                "{shown}/{file}: more than the order changed\n{}",
                difference(&before, &after)
            );
        }
        assert!(moved, "{shown}: the output follows the spec's order");
    }
}
