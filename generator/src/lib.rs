//! restgen: turns a dlt `rest_api_source` config plus one JSON Schema per resource into a
//! typed Rust client crate.
//!
//! The pipeline is `spec::load` (located errors) -> `ir::resolve` (defaults merged,
//! paginators, auth and templates compiled into the runtime's own descriptor types) ->
//! `emit` (typify for models, `quote` for the client, `prettyplease` to format). Each stage
//! goes as far as it can, so one run reports every error it can find.

pub mod emit;
pub mod ir;
pub mod schema;
pub mod spec;

use std::path::Path;
use std::sync::Arc;

pub use spec::{Diagnostic, Diagnostics, Severity, SpecFiles};

use spec::span::{SpanIndex, YamlPath};

/// Folders holding specs, relative to the workspace root: the APIs, the test fixtures whose
/// generated crates the tests compile against (e.g. tricky schemas), and the benchmark's
/// loopback API (`cargo xtask bench` drives its generated client). `cargo xtask generate`,
/// its `--check` and the generated-code snapshot test all read this one list.
pub const SPEC_FOLDERS: &[&str] = &["specs", "tests/fixtures", "bench/specs"];

/// A generated crate: its files, and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Generated {
    /// File contents by path relative to the crate folder.
    pub files: emit::CrateFiles,
    /// Warnings (generation succeeded).
    pub warnings: Vec<Diagnostic>,
}

/// Runs the whole pipeline for the spec folder `dir`, shown in headers and diagnostics as
/// `shown_dir` (e.g. `specs/esign`). On failure the diagnostics hold every error found
/// and the warnings.
pub fn generate(dir: &Path, shown_dir: &str) -> Result<Generated, Diagnostics> {
    generate_files(&SpecFiles::read(dir, shown_dir))
}

/// Runs the whole pipeline on a spec's files held in memory.
pub fn generate_files(files: &SpecFiles) -> Result<Generated, Diagnostics> {
    let config_file = format!("{}/source.yaml", files.shown_dir);
    let fail = |mut diagnostics: Diagnostics| {
        diagnostics.sort(&config_file);
        Err(diagnostics)
    };
    if let Some((problem, help)) = crate_name_problem(&files.api) {
        return fail(Diagnostics::from(
            Diagnostic::unlocated(&files.shown_dir, problem).help(help),
        ));
    }
    let (loaded, mut diagnostics) = spec::load(files);
    let Some(loaded) = loaded else {
        return fail(diagnostics);
    };
    let api = match ir::resolve(&loaded) {
        Ok(api) => api,
        Err(found) => {
            diagnostics.0.extend(found.0);
            return fail(diagnostics);
        }
    };
    diagnostics.0.extend(api.warnings.iter().cloned());
    if diagnostics.has_errors() {
        return fail(diagnostics);
    }
    match emit::emit_crate(&api, &files.shown_dir) {
        Ok(crate_files) => {
            diagnostics.sort(&config_file);
            Ok(Generated {
                files: crate_files,
                warnings: diagnostics.0,
            })
        }
        Err(message) => {
            diagnostics.0.push(emit_diagnostic(&loaded, message));
            fail(diagnostics)
        }
    }
}

/// Why `api` cannot name a crate, if it cannot (`emit::unusable_crate_name` decides), and a
/// help line.
fn crate_name_problem(api: &str) -> Option<(String, String)> {
    let folder = "the spec's folder name is the crate's name";
    let why = emit::unusable_crate_name(api)?;
    let help = match why {
        ir::rust_names::CrateNameProblem::Spelling => {
            format!("{folder}: e.g. `specs/shared_inbox`")
        }
        _ => format!("{folder}: rename the folder, e.g. `specs/{api}_api`"),
    };
    Some((format!("`{api}` cannot name a crate: {why}"), help))
}

/// An emit error as a diagnostic: a schema error is shown in that resource's schema file,
/// at its pointer when the file has that node.
fn emit_diagnostic(loaded: &spec::LoadedSpec, error: emit::EmitError) -> Diagnostic {
    let emit::EmitError::Schema(schema::SchemaError::Resource {
        resource,
        place,
        message,
    }) = &error
    else {
        return Diagnostic::unlocated(&loaded.config_file, error.to_string());
    };
    let Some(schema) = loaded.schemas.get(resource) else {
        return Diagnostic::unlocated(&loaded.config_file, error.to_string());
    };
    let pointer = match place {
        schema::Place::At(pointer) => Some(pointer.clone()),
        // a pointer into a definition the pre-pass split out is not a pointer into the file
        schema::Place::Whole | schema::Place::InDefinition { .. } => None,
    };
    // typify's wording names its own types and serde's enum, which mean nothing here
    let mut what = message.replace(
        "data did not match any variant of untagged enum Schema",
        "expected a subschema here: an object such as `{\"type\": \"string\"}`, or `true`",
    );
    if let Some(start) = what.find("schema of `")
        && let Some(end) = what[start..].find("` is not a JSON Schema: ")
    {
        let cut = start + end + "` is not a JSON Schema: ".len();
        what = format!(
            "{}not a valid JSON Schema: {}",
            &what[..start],
            &what[cut..]
        );
    }
    let spans = SpanIndex::parse(&schema.text);
    let path = pointer.as_deref().map(|p| pointer_path(&spans, p));
    let span = path
        .as_ref()
        .filter(|_| spans.error.is_none())
        .and_then(|p| spans.key_or_value(p));
    match (span, pointer) {
        // the snippet shows the place
        (Some(span), Some(pointer)) => {
            Diagnostic::unlocated(&schema.file, format!("resource `{resource}`: {what}"))
                .in_source(Arc::clone(&schema.text))
                .at(span, format!("at {pointer}"))
        }
        _ => Diagnostic::unlocated(
            &schema.file,
            format!("resource `{resource}`{place}: {what}"),
        ),
    }
}

/// A JSON pointer as a path in the schema file's span index; a number is an index only
/// where the file has no key of that name.
fn pointer_path(spans: &SpanIndex, pointer: &str) -> YamlPath {
    let mut path = YamlPath::root();
    for token in pointer.split('/').filter(|t| !t.is_empty()) {
        let key = token.replace("~1", "/").replace("~0", "~");
        let as_key = path.key(&key);
        path = match key.parse::<usize>() {
            Ok(i) if spans.get(&as_key).is_none() => path.index(i),
            _ => as_key,
        };
    }
    path
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    /// A schema error reaches the caller as data (resource, place, message), not as a
    /// sentence to parse back.
    #[test]
    fn schema_errors_are_typed() {
        let files = SpecFiles::in_memory(
            "widgets",
            "client:\n  base_url: https://example.com/\nresources:\n  - name: widgets\n",
            &[(
                "widgets",
                r#"{"type": "object", "properties": {"a": {"items": {"$ref": "other.json#/x"}}}}"#,
            )],
        );
        let (loaded, _) = spec::load(&files);
        let api = ir::resolve(&loaded.unwrap()).unwrap();
        match emit::emit_crate(&api, "specs/widgets") {
            Err(emit::EmitError::Schema(schema::SchemaError::Resource {
                resource,
                place: schema::Place::At(pointer),
                message,
            })) => {
                assert_eq!(resource, "widgets");
                assert_eq!(pointer, "/properties/a/items");
                assert!(message.starts_with("`$ref: other.json#/x` is not supported"));
            }
            other => panic!("{other:?}"),
        }
    }
}
