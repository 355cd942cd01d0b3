//! restgen-import: turns a dlt `rest_api_source` config as users write it (a Python file, a
//! document with a ```` ```python ```` block, or JSON) into a restgen spec folder:
//! `source.yaml` and a schema stub per resource.
//!
//! The Python is parsed with Ruff's parser and evaluated statically ([`eval`]): literals,
//! `dlt.secrets[..]` and `dlt.config[..]`, and dlt's own auth and paginator classes. Code
//! that needs to run is a located error, except where dlt takes an object built in code (an
//! auth object, a callable), which becomes a marked `fill_in` value. Every construct that is
//! not valid dlt gets a [`Note`] ([`rules`]). The result is checked with restgen's own
//! loader before anything is written, and [`write`] writes it all or nothing.

pub mod airbyte;
pub mod classes;
pub mod comments;
pub mod eval;
pub mod find;
pub mod json_input;
pub mod keys;
mod lambdas;
pub mod output;
pub mod python;
pub mod rules;
pub mod slots;
pub mod source;
pub mod tree;
pub mod yaml;

use std::path::Path;

use restgen::{Diagnostic, Diagnostics};

pub use output::write;
pub use source::{Kind, Loc, Note, Source};

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The API name (the spec folder's name); by default the `name=` of the
    /// `rest_api_source` call, else the file name.
    pub name: Option<String>,
    /// Which config, 1-based, when the input holds several.
    pub pick: Option<usize>,
    /// The spec folder as shown in messages; by default `specs/<name>`.
    pub shown_out: Option<String>,
}

/// An imported spec, not yet written.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The API name.
    pub api: String,
    /// The spec folder as shown in messages.
    pub shown_out: String,
    /// The text of `source.yaml`.
    pub source_yaml: String,
    /// Schema stubs: resource name and file text, one per resource.
    pub stubs: Vec<(String, String)>,
    /// Notes on the input, in input order.
    pub notes: Vec<Note>,
    /// How many values are left for the user to fill in.
    pub fill_ins: usize,
    /// What restgen says about the spec: empty when it generates.
    pub check: Vec<Diagnostic>,
}

/// Why an import into a folder failed; nothing was written.
#[derive(Debug)]
pub enum Failure {
    /// The input has errors.
    Input(Diagnostics),
    /// The spec could not be written.
    Write(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Input(diagnostics) => write!(f, "{diagnostics}"),
            Failure::Write(message) => write!(f, "error: {message}"),
        }
    }
}

/// Imports the file at `path` (shown as `shown`) and writes the spec into the folder
/// `base/<shown_out>` (`specs/<name>` unless [`Options::shown_out`] says otherwise), all or
/// nothing. Returns the import and the files written, relative to that folder.
pub fn import_into(
    path: &Path,
    shown: &str,
    options: &Options,
    base: &Path,
    force: bool,
) -> Result<(Imported, Vec<std::path::PathBuf>), Failure> {
    let imported = import_file(path, shown, options).map_err(Failure::Input)?;
    let out = base.join(&imported.shown_out);
    let written = write(&imported, &out, force).map_err(Failure::Write)?;
    Ok((imported, written))
}

/// Imports the file at `path`, shown in messages as `shown`.
pub fn import_file(path: &Path, shown: &str, options: &Options) -> Result<Imported, Diagnostics> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::unlocated(shown, format!("cannot read: {e}")))?;
    import(&Source::new(shown, text), options)
}

/// Imports a source.
pub fn import(source: &Source, options: &Options) -> Result<Imported, Diagnostics> {
    let (config, how, call_name, mut notes) = match source.kind {
        Kind::Json => {
            let found = json_input::config(source)?;
            (found.node, found.how, None, found.notes)
        }
        Kind::Python | Kind::Document => {
            let found = python::config(source, options.pick)?;
            (found.node, found.how, found.name, found.notes)
        }
    };
    let mut config = config;
    notes.extend(airbyte::rewrite(&mut config, source));
    notes.extend(rules::notes(&config, source));
    let api = match options.name.as_deref().or(call_name.as_deref()) {
        Some(name) => api_name(name),
        None => api_name(&file_stem(&source.file)),
    };
    let shown_out = options
        .shown_out
        .clone()
        .unwrap_or_else(|| format!("specs/{api}"));
    output::build(source, config, &how, api, shown_out, notes)
}

/// The start of the error for a code block that does not parse.
pub const NOT_PYTHON: &str = "this is not valid Python";
/// The start of the error for a document without a Python block.
pub const NO_BLOCK: &str = "no ```python code block in this document";
/// The start of the error for code that names what dlt does not have, so it fails when run.
pub const DOES_NOT_RUN: &str = "this code fails when it runs";

/// Why an import error means the input is not a config that runs at all (as opposed to a
/// config restgen cannot read yet), judged from the error's message: `None` for the others.
pub fn rejects_input(message: &str) -> Option<&'static str> {
    [
        (NOT_PYTHON, "not valid Python"),
        (NO_BLOCK, "no Python code block"),
        (DOES_NOT_RUN, "fails when it runs"),
    ]
    .into_iter()
    .find(|(start, _)| message.starts_with(start))
    .map(|(_, reason)| reason)
}

fn file_stem(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("api")
        .to_string()
}

/// A spec folder name from any text: lower-case letters, digits and `_`, starting with a
/// letter (it becomes a crate and module name).
pub fn api_name(text: &str) -> String {
    let mut name = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_').to_string();
    let name = match name.chars().next() {
        None => "api".into(),
        Some(c) if c.is_ascii_digit() => format!("api_{name}"),
        Some(_) => name,
    };
    // `box`, `serde`: a crate cannot have that name
    match restgen::emit::unusable_crate_name(&name) {
        Some(_) => format!("{name}_api"),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names() {
        assert_eq!(api_name("GitHub Source"), "github_source");
        assert_eq!(api_name("000_583dc0e2"), "api_000_583dc0e2");
        assert_eq!(api_name("source-zoho-desk"), "source_zoho_desk");
        assert_eq!(api_name("--"), "api");
        assert_eq!(api_name("box"), "box_api");
        assert_eq!(api_name("Serde"), "serde_api");
    }
}
