//! The spec: the dialect as serde types, loading a spec folder, and located diagnostics.
//!
//! Loading keeps going after an error: every file is read, the config is parsed part by
//! part (see [`parse`]), and the resources that parsed are handed on, so one run reports
//! the spec's errors together.

pub mod diagnostic;
pub mod explain;
pub mod fill_in;
pub mod limits;
pub mod lint;
pub mod model;
pub mod parse;
pub mod span;
pub mod yaml_path;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use model::SourceConfig;
pub use span::{SpanIndex, YamlPath};

/// A spec folder, loaded: the config and one JSON Schema per resource.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The API name: the folder's name.
    pub api: String,
    /// The config file path as shown in diagnostics.
    pub config_file: String,
    /// The config file's text, for locating semantic errors.
    pub config_text: String,
    /// The config. When loading found errors it holds only the resources that parsed.
    pub config: SourceConfig,
    /// Schemas by resource name (file stem), in name order.
    pub schemas: BTreeMap<String, LoadedSchema>,
    /// Where every node of the config is.
    pub spans: SpanIndex,
    /// The config's text, shared by its diagnostics.
    pub source: Arc<str>,
    /// For each resource of `config`, its index in the file's `resources` list.
    pub resource_index: Vec<usize>,
    /// Resources that did not parse (their errors are reported); others may name them.
    pub broken_resources: Vec<String>,
    /// Resources whose schema file exists but did not load (its error is reported).
    pub broken_schemas: Vec<String>,
}

/// One schema file.
#[derive(Debug, Clone)]
pub struct LoadedSchema {
    /// The path as shown in diagnostics.
    pub file: String,
    /// The parsed schema.
    pub schema: serde_json::Value,
    /// The file's text, for locating errors in it.
    pub text: Arc<str>,
}

/// The files of a spec, read into memory.
#[derive(Debug, Clone)]
pub struct SpecFiles {
    /// The API name.
    pub api: String,
    /// The folder as shown in diagnostics (`specs/esign`).
    pub shown_dir: String,
    /// The config's text, or why it could not be read.
    pub config: Result<String, String>,
    /// Schema files: stem, then the text or why it could not be read, in name order.
    pub schemas: Vec<(String, Result<String, String>)>,
    /// Files in `schemas/` that are not `.json`, ignored with a warning.
    pub ignored: Vec<String>,
}

impl SpecFiles {
    /// A spec given as text (tests and fuzzing): a config and `(resource, schema)` pairs.
    pub fn in_memory(api: &str, config: &str, schemas: &[(&str, &str)]) -> SpecFiles {
        SpecFiles {
            api: api.to_string(),
            shown_dir: format!("specs/{api}"),
            config: Ok(config.to_string()),
            schemas: schemas
                .iter()
                .map(|(stem, text)| (stem.to_string(), Ok(text.to_string())))
                .collect(),
            ignored: Vec::new(),
        }
    }

    /// Reads `dir/source.yaml` and `dir/schemas/*`; diagnostics name files under
    /// `shown_dir` (e.g. `specs/esign`), so messages do not depend on where the checkout is.
    pub fn read(dir: &Path, shown_dir: &str) -> SpecFiles {
        let api = dir
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
            .unwrap_or_default();
        let config = std::fs::read_to_string(dir.join("source.yaml"))
            .map_err(|e| format!("cannot read: {e}"));
        let mut schemas = Vec::new();
        let mut ignored = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir.join("schemas")) {
            let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_string();
                if path.extension().is_none_or(|e| e != "json") {
                    if !name.starts_with('.') {
                        ignored.push(name);
                    }
                    continue;
                }
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_string();
                schemas.push((
                    stem,
                    std::fs::read_to_string(&path).map_err(|e| format!("cannot read: {e}")),
                ));
            }
        }
        SpecFiles {
            api,
            shown_dir: shown_dir.to_string(),
            config,
            schemas,
            ignored,
        }
    }
}

/// Loads `dir/source.yaml` and `dir/schemas/*.json`; any error fails the load, with every
/// error found.
pub fn load_spec(dir: &Path, shown_dir: &str) -> Result<LoadedSpec, Diagnostics> {
    let (spec, diagnostics) = load(&SpecFiles::read(dir, shown_dir));
    match spec {
        Some(spec) if !diagnostics.has_errors() => Ok(spec),
        _ => Err(diagnostics),
    }
}

/// Loads a spec as far as it goes: the spec (possibly without the resources that did not
/// parse) when the rest can still be checked, and every diagnostic found.
pub fn load(files: &SpecFiles) -> (Option<LoadedSpec>, Diagnostics) {
    let config_file = format!("{}/source.yaml", files.shown_dir);
    let mut diagnostics = Vec::new();
    let mut schemas = BTreeMap::new();
    let mut broken_schemas = Vec::new();
    for (stem, text) in &files.schemas {
        let file = format!("{}/schemas/{stem}.json", files.shown_dir);
        let loaded = match text {
            Err(e) => Err(Diagnostic::unlocated(&file, e.clone())),
            Ok(text) => load_schema(&file, text).map_err(|d| *d),
        };
        match loaded {
            Ok(schema) => {
                schemas.insert(stem.clone(), schema);
            }
            Err(d) => {
                diagnostics.push(d);
                broken_schemas.push(stem.clone());
            }
        }
    }
    for name in &files.ignored {
        diagnostics.push(
            Diagnostic::warning(
                &format!("{}/schemas/{name}", files.shown_dir),
                "not a `.json` file: ignored",
            )
            .note("a resource's schema is `schemas/<resource>.json`"),
        );
    }
    let text = match &files.config {
        Ok(text) => text,
        Err(e) => {
            diagnostics.insert(0, Diagnostic::unlocated(&config_file, e.clone()));
            return (None, Diagnostics(diagnostics));
        }
    };
    let parsed = parse::parse(&config_file, text);
    let mut all = parsed.errors;
    all.extend(lint::lint(
        &files.api,
        &config_file,
        &parsed.source,
        &parsed.spans,
        &parsed.document,
    ));
    all.extend(diagnostics);
    let spec = parsed.config.map(|config| LoadedSpec {
        api: files.api.clone(),
        config_file,
        config_text: text.clone(),
        config,
        schemas,
        spans: parsed.spans,
        source: parsed.source,
        resource_index: parsed.resource_index,
        broken_resources: parsed.broken_resources,
        broken_schemas,
    });
    (spec, Diagnostics(all))
}

/// Parses one schema file: JSON, and a schema (an object or a boolean).
fn load_schema(file: &str, text: &str) -> Result<LoadedSchema, Box<Diagnostic>> {
    let source: Arc<str> = Arc::from(text);
    let located = |line: usize, column: usize, message: String, label: &str| {
        let at = span::offset_of(text, line, column.max(1));
        Diagnostic::unlocated(file, message)
            .in_source(source.clone())
            .at(at..at, label)
    };
    if text.trim().is_empty() {
        return Err(Box::new(
            Diagnostic::unlocated(file, "the schema file is empty".into())
                .note("a resource's schema is a JSON Schema object, e.g. `{\"type\": \"object\"}`"),
        ));
    }
    let schema: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let message = strip_location(&e.to_string());
        // serde_json stops at 128 levels, before it builds anything deeper: say so in the
        // schema's words rather than as a syntax error
        if message == "recursion limit exceeded" {
            return Box::new(
                located(
                    e.line(),
                    e.column(),
                    "the schema nests more than 128 levels deep".into(),
                    "level 129 opens here",
                )
                .note("expected a record's schema: objects and arrays a few levels deep"),
            );
        }
        Box::new(located(
            e.line(),
            e.column(),
            format!("the schema is not valid JSON: {message}"),
            &message,
        ))
    })?;
    if !(schema.is_object() || schema.is_boolean()) {
        let at = text.len() - text.trim_start().len();
        let kind = match schema {
            serde_json::Value::Array(_) => "a list",
            serde_json::Value::String(_) => "a string",
            serde_json::Value::Number(_) => "a number",
            _ => "null",
        };
        return Err(Box::new(
            Diagnostic::unlocated(file, format!("a JSON Schema is an object, not {kind}"))
        .in_source(source.clone())
        .at(at..at + 1, "expected `{`")
        .note("a resource's schema describes one record, e.g. `{\"type\": \"object\", \"properties\": {..}}`")));
    }
    Ok(LoadedSchema {
        file: file.to_string(),
        schema,
        text: source,
    })
}

/// Parses a config from YAML text; every error, located and explained.
pub fn parse_config(file: &str, text: &str) -> Result<SourceConfig, Diagnostics> {
    let parsed = parse::parse(file, text);
    match parsed.config {
        Some(config) if parsed.errors.is_empty() => Ok(config),
        _ if parsed.errors.is_empty() => {
            Err(Diagnostic::unlocated(file, "the spec could not be read".into()).into())
        }
        _ => Err(Diagnostics(parsed.errors)),
    }
}

/// The 1-based line and column of the first occurrence of `needle` in `text` at or after
/// byte `from`.
pub fn locate_after(text: &str, needle: &str, from: usize) -> Option<(usize, usize)> {
    let at = from + text.get(from..)?.find(needle)?;
    Some(span::line_column(text, at))
}

/// The 1-based line and column of the first occurrence of `needle` in `text`, or (0, 0).
/// A text search: prefer the span index, which knows where each node is.
pub fn locate(text: &str, needle: &str) -> (usize, usize) {
    locate_after(text, needle, 0).unwrap_or((0, 0))
}

/// serde messages carry " at line L column C"; the diagnostic shows the location itself.
fn strip_location(message: &str) -> String {
    let Some(pos) = message.find(" at line ") else {
        return message.to_string();
    };
    let rest = &message[pos + " at line ".len()..];
    let after_numbers = rest
        .split_once(" column ")
        .map(|(_, tail)| tail.trim_start_matches(|c: char| c.is_ascii_digit()))
        .unwrap_or("");
    format!("{}{}", &message[..pos], after_numbers)
}
