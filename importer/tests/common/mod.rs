//! Helpers shared by the importer's tests: fixture paths and imports into a scratch folder.

#![allow(dead_code, clippy::panic)]

use std::path::{Path, PathBuf};

use restgen_import::{Failure, Imported, Options};

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Imports `fixtures/<rel>` (shown as `<rel>`) into `<scratch>/specs/<api>`, as the xtask
/// does; returns the import, or the failure after checking that nothing was written.
pub fn import(rel: &str, options: &Options, scratch: &Path) -> Result<Imported, Failure> {
    let result = restgen_import::import_into(&fixtures().join(rel), rel, options, scratch, false);
    match result {
        Ok((imported, written)) => {
            assert!(written.iter().any(|f| f.ends_with("source.yaml")));
            Ok(imported)
        }
        Err(failure) => {
            let left: Vec<_> = std::fs::read_dir(scratch)
                .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            assert!(left.is_empty(), "a failed import wrote {left:?}");
            Err(failure)
        }
    }
}

/// The import's notes, one per line.
pub fn notes(imported: &Imported) -> String {
    imported
        .notes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
