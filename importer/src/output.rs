//! The spec folder an import produces: `source.yaml` with a header listing the notes, a
//! schema stub per resource, restgen's verdict on the result, and the all-or-nothing write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use restgen::{Diagnostic, Diagnostics, Severity, SpecFiles};

use crate::source::{Loc, Note, Source};
use crate::tree::{Node, Value};
use crate::{Imported, yaml};

/// Header comment lines are wrapped at this width.
const WIDTH: usize = 98;

/// Assembles the spec for `config` and checks it with restgen.
pub fn build(
    source: &Source,
    config: Node,
    how: &str,
    api: String,
    shown_out: String,
    notes: Vec<Note>,
) -> Result<Imported, Diagnostics> {
    let notes = group(notes);
    let fill_ins = config.fill_ins().len();
    let mut stubs = Vec::new();
    let mut notes = notes;
    for (name, at) in resource_names(&config) {
        if is_file_name(&name) {
            stubs.push((name.clone(), stub(&name)));
        } else {
            notes.push(source.note(
                at,
                "resource.name",
                format!("the resource name `{name}` cannot be a file name; no schema stub was written for it"),
            ));
        }
    }
    notes.sort_by_key(|n| n.at);
    let emitted = yaml::emit(&config, &header(source, how, &api, &notes, fill_ins));
    let file = format!("{shown_out}/source.yaml");
    let reread: Result<serde_json::Value, _> = serde_yaml::from_str(&emitted.text);
    if reread.as_ref().ok() != Some(&config.to_json()) {
        return Err(Diagnostic::unlocated(
            &file,
            "internal error: the YAML written does not read back as the config; please report \
             this input"
                .into(),
        )
        .into());
    }
    let check = check(&api, &file, &shown_out, &emitted, &stubs, source);
    Ok(Imported {
        api,
        shown_out,
        source_yaml: emitted.text,
        stubs,
        notes,
        fill_ins,
        check,
    })
}

/// Merges notes with the same message into one, at the first place, naming the others.
fn group(notes: Vec<Note>) -> Vec<Note> {
    let mut by_message: BTreeMap<String, Vec<Note>> = BTreeMap::new();
    for note in notes {
        by_message
            .entry(note.message.clone())
            .or_default()
            .push(note);
    }
    let mut out: Vec<Note> = by_message
        .into_values()
        .filter_map(|mut same| {
            same.sort_by_key(|n| n.at);
            let mut first = same.first()?.clone();
            let lines: Vec<String> = same[1..].iter().map(|n| n.at.line.to_string()).collect();
            match lines.len() {
                0 => {}
                1 => first.message = format!("{} (the same at line {})", first.message, lines[0]),
                _ => {
                    first.message =
                        format!("{} (the same at lines {})", first.message, lines.join(", "))
                }
            }
            Some(first)
        })
        .collect();
    out.sort_by_key(|n| n.at);
    out
}

fn header(source: &Source, how: &str, api: &str, notes: &[Note], fill_ins: usize) -> Vec<String> {
    let mut lines = wrap(
        &format!(
            "{api}: imported by `cargo xtask import` from {}, {how}.",
            source.file
        ),
        "",
    );
    lines.push("schemas/*.json are stubs: replace each with the JSON Schema of one record.".into());
    if fill_ins > 0 {
        lines.push(format!(
            "{fill_ins} value(s) marked `fill_in` were built in code: replace them before `cargo xtask generate`."
        ));
    }
    if !notes.is_empty() {
        lines.push("Notes on the input:".into());
        for note in notes {
            lines.extend(wrap(
                &format!("- line {}: {}", note.at.line, note.message),
                "  ",
            ));
        }
    }
    lines
}

/// Word-wraps `text`, continuing lines with `indent`.
fn wrap(text: &str, indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > WIDTH {
            lines.push(std::mem::take(&mut line));
            line.push_str(indent);
        } else if !line.is_empty() && !line.ends_with(' ') {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        lines.push(line);
    }
    lines
}

/// The name of every resource that has one, with its location.
fn resource_names(config: &Node) -> Vec<(String, Loc)> {
    let resources = config.get("resources").map(Node::items).unwrap_or_default();
    resources
        .iter()
        .filter_map(|r| match &r.value {
            Value::Str(name) => Some((name.clone(), r.at)),
            Value::Dict(_) => r
                .get("name")
                .and_then(|n| Some((n.as_str()?.to_string(), n.at))),
            _ => None,
        })
        .collect()
}

fn is_file_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0'])
}

/// A schema stub: an object with any fields, saying that it is a stub.
fn stub(resource: &str) -> String {
    let schema = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$comment": format!(
            "STUB written by `cargo xtask import`: replace it with the JSON Schema of one `{resource}` record."
        ),
        "description": format!(
            "A `{resource}` record. This schema is a stub: no field is described yet, so every field is kept untyped."
        ),
        "type": "object",
        "additionalProperties": true
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    )
}

/// restgen's verdict: the spec loads and resolves, or the diagnostics that say why not,
/// each also naming the input line the offending YAML came from.
fn check(
    api: &str,
    file: &str,
    shown_out: &str,
    emitted: &yaml::Emitted,
    stubs: &[(String, String)],
    source: &Source,
) -> Vec<Diagnostic> {
    let files = SpecFiles {
        api: api.to_string(),
        shown_dir: shown_out.to_string(),
        config: Ok(emitted.text.clone()),
        schemas: stubs
            .iter()
            .map(|(name, text)| (name.clone(), Ok(text.clone())))
            .collect(),
        ignored: Vec::new(),
    };
    // every error restgen finds, as `cargo xtask generate` would report them; its warnings
    // (restgen extensions, literal secrets) do not stop the spec from generating
    let (loaded, mut found) = restgen::spec::load(&files);
    if let Some(loaded) = loaded
        && let Err(more) = restgen::ir::resolve(&loaded)
    {
        found.0.extend(more.0);
    }
    found.sort(file);
    let mut diagnostics: Vec<Diagnostic> = found
        .0
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    for d in &mut diagnostics {
        let origin = d
            .line
            .checked_sub(1)
            .and_then(|i| emitted.origins.get(i).copied().flatten());
        if let Some(at) = origin.filter(|at| at.line > 0) {
            d.message = format!("{} (from {}:{})", d.message, source.file, at.line);
        }
    }
    diagnostics
}

/// Writes the spec into `dir`: all files or none. A folder that already holds a
/// `source.yaml` is only touched with `force`, and then keeps its schemas (stubs are written
/// only where no schema is). Returns the files written.
pub fn write(imported: &Imported, dir: &Path, force: bool) -> Result<Vec<PathBuf>, String> {
    if dir.join("source.yaml").exists() && !force {
        return Err(format!(
            "{} already holds a spec; pass --force to replace its source.yaml (its schemas are kept)",
            imported.shown_out
        ));
    }
    let mut files: Vec<(PathBuf, &str)> =
        vec![(PathBuf::from("source.yaml"), &imported.source_yaml)];
    for (name, text) in &imported.stubs {
        let rel = PathBuf::from("schemas").join(format!("{name}.json"));
        if !dir.join(&rel).exists() {
            files.push((rel, text));
        }
    }
    let written = files.iter().map(|(rel, _)| rel.clone()).collect();
    if dir.exists() {
        // Each file lands whole (written aside, then renamed); all were computed before.
        let staged = stage(dir, &files, ".import-new")?;
        for (tmp, rel) in staged.iter().zip(files.iter().map(|(rel, _)| rel)) {
            std::fs::rename(tmp, dir.join(rel))
                .map_err(|e| format!("cannot move {} into place: {e}", rel.display()))?;
        }
        return Ok(written);
    }
    // A new folder is built aside and renamed into place in one step.
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("spec");
    let staging = dir.with_file_name(format!(".{name}.import"));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .map_err(|e| format!("cannot clear {}: {e}", staging.display()))?;
    }
    let result = stage(&staging, &files, "").and_then(|_| {
        std::fs::rename(&staging, dir)
            .map_err(|e| format!("cannot move the new spec into {}: {e}", dir.display()))
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result.map(|()| written)
}

/// Writes each file under `dir` with `suffix` added to its name; returns the paths written.
fn stage(dir: &Path, files: &[(PathBuf, &str)], suffix: &str) -> Result<Vec<PathBuf>, String> {
    let mut paths = Vec::new();
    for (rel, text) in files {
        let mut path = dir.join(rel).into_os_string();
        path.push(suffix);
        let path = PathBuf::from(path);
        let result = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = result {
            for p in &paths {
                let _ = std::fs::remove_file(p);
            }
            return Err(format!("cannot write {}: {e}", path.display()));
        }
        paths.push(path);
    }
    Ok(paths)
}
