//! The spec: the dialect as serde types, loading a spec folder, and located diagnostics.

pub mod diagnostic;
pub mod model;

use std::collections::BTreeMap;
use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use model::SourceConfig;

/// A spec folder, loaded: the config and one JSON Schema per resource.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The API name: the folder's name.
    pub api: String,
    /// The config file path as shown in diagnostics.
    pub config_file: String,
    /// The config file's text, for locating semantic errors.
    pub config_text: String,
    /// The config.
    pub config: SourceConfig,
    /// Schemas by resource name (file stem), in name order.
    pub schemas: BTreeMap<String, LoadedSchema>,
}

/// One schema file.
#[derive(Debug, Clone)]
pub struct LoadedSchema {
    /// The path as shown in diagnostics.
    pub file: String,
    /// The parsed schema.
    pub schema: serde_json::Value,
}

/// Loads `dir/source.yaml` and `dir/schemas/*.json`, collecting every error. Diagnostics
/// name files under `shown_dir` (e.g. `specs/esign`), so messages do not depend on where the
/// checkout is.
pub fn load_spec(dir: &Path, shown_dir: &str) -> Result<LoadedSpec, Diagnostics> {
    let api = dir
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .unwrap_or_default();
    let config_path = dir.join("source.yaml");
    let config_file = format!("{shown_dir}/source.yaml");
    let mut errors = Vec::new();
    let mut config_text = String::new();
    let config = match std::fs::read_to_string(&config_path) {
        Err(e) => {
            errors.push(Diagnostic::unlocated(
                &config_file,
                format!("cannot read: {e}"),
            ));
            None
        }
        Ok(text) => match parse_config(&config_file, &text) {
            Ok(config) => {
                config_text = text;
                Some(config)
            }
            Err(d) => {
                errors.push(d);
                None
            }
        },
    };
    let mut schemas = BTreeMap::new();
    let schema_dir = dir.join("schemas");
    if let Ok(entries) = std::fs::read_dir(&schema_dir) {
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let file = format!(
                "{shown_dir}/schemas/{}",
                path.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
            );
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            match std::fs::read_to_string(&path) {
                Err(e) => errors.push(Diagnostic::unlocated(&file, format!("cannot read: {e}"))),
                Ok(text) => match serde_json::from_str(&text) {
                    Ok(schema) => {
                        schemas.insert(stem, LoadedSchema { file, schema });
                    }
                    Err(e) => errors.push(Diagnostic::error(
                        &file,
                        &text,
                        e.line(),
                        e.column(),
                        format!(
                            "schema is not valid JSON: {}",
                            strip_location(&e.to_string())
                        ),
                    )),
                },
            }
        }
    }
    match config {
        Some(config) if errors.is_empty() => Ok(LoadedSpec {
            api,
            config_file,
            config_text,
            config,
            schemas,
        }),
        _ => Err(Diagnostics(errors)),
    }
}

/// Parses a config from YAML text; an error is located and carries a did-you-mean.
pub fn parse_config(file: &str, text: &str) -> Result<SourceConfig, Diagnostic> {
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Diagnostic::error(
            file,
            text,
            1,
            1,
            "the spec is empty: expected a mapping with `client` and `resources`".into(),
        ));
    }
    serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        let message = strip_location(&e.to_string());
        let (line, column) = refine_location(text, line, column, &message);
        Diagnostic::error(
            file,
            text,
            line,
            column,
            diagnostic::with_suggestion(&message),
        )
    })
}

/// serde reports errors inside internally tagged maps at the map's start; when the message
/// quotes the offending value, point at that value instead (first occurrence after the start).
fn refine_location(text: &str, line: usize, column: usize, message: &str) -> (usize, usize) {
    let Some(quoted) = message
        .split_once("invalid type: string \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| value)
    else {
        return (line, column);
    };
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    match text.get(start..).and_then(|rest| rest.find(quoted)) {
        Some(offset) => locate_offset(text, start + offset),
        None => (line, column),
    }
}

fn locate_offset(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(at, |nl| at - nl - 1) + 1;
    (line, column)
}

/// The 1-based line and column of the first occurrence of `needle` in `text` at or after
/// byte `from`.
pub fn locate_after(text: &str, needle: &str, from: usize) -> Option<(usize, usize)> {
    let at = from + text.get(from..)?.find(needle)?;
    Some(locate_offset(text, at))
}

/// The 1-based line and column of the first occurrence of `needle` in `text`, for errors
/// found after parsing (serde_yaml keeps no spans for values).
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
