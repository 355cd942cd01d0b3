//! restgen: turns a dlt `rest_api_source` config plus one JSON Schema per resource into a
//! typed Rust client crate.
//!
//! The pipeline is `spec::load_spec` (located errors) -> `ir::resolve` (defaults merged,
//! paginators, auth and templates compiled into the runtime's own descriptor types) ->
//! `emit` (typify for models, `quote` for the client, `prettyplease` to format).

pub mod emit;
pub mod ir;
pub mod schema;
pub mod spec;

use std::path::Path;

pub use spec::{Diagnostic, Diagnostics, Severity};

/// A generated crate: its files, and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Generated {
    /// File contents by path relative to the crate folder.
    pub files: emit::CrateFiles,
    /// Warnings (generation succeeded).
    pub warnings: Vec<Diagnostic>,
}

/// Runs the whole pipeline for the spec folder `dir`, shown in headers and diagnostics as
/// `shown_dir` (e.g. `specs/esign`).
pub fn generate(dir: &Path, shown_dir: &str) -> Result<Generated, Diagnostics> {
    let loaded = spec::load_spec(dir, shown_dir)?;
    let api = ir::resolve(&loaded)?;
    let files = emit::emit_crate(&api, shown_dir)
        .map_err(|e| Diagnostics::from(Diagnostic::unlocated(&loaded.config_file, e)))?;
    Ok(Generated {
        files,
        warnings: api.warnings,
    })
}
