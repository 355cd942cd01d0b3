//! `cargo xtask check-schemas DIR... [--responses DIR...]`: generates and compiles the models
//! of every schema in the folders, decodes every recorded body that belongs to one of them
//! (see [`matching`] for the rule) with the generated types, leniently as a client would, and
//! prints a table per resource: records decoded, coerced, kept raw, failed. Fails when a schema
//! does not generate or compile, a body is not JSON, or a record does not decode.
//!
//! Everything is written into a scratch workspace under `target/check-schemas/`.

mod harness;
pub mod matching;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};

use harness::Checker;
use matching::Resource;

/// Options of `cargo xtask check-schemas`.
#[derive(clap::Args, Debug)]
pub struct CheckSchemasOptions {
    /// Schema folders, one `<resource>.json` per resource. A folder named `schemas` takes its
    /// API name from its parent (`corpus/airbyte/signnow/schemas` is `signnow`).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Folders of recorded bodies, searched for `.json` files below them. Each goes with the
    /// schema folder of the same API name, or with the only schema folder there is.
    #[arg(long, num_args = 1..)]
    responses: Vec<PathBuf>,
    /// The scratch workspace (default `target/check-schemas/ws`); the build's target folder
    /// is always `target/check-schemas/target`, shared by every run.
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

/// One schema folder.
struct Api {
    name: String,
    dir: PathBuf,
    resources: Vec<Resource>,
}

/// What was found for one resource.
#[derive(Default)]
struct Row {
    bodies: usize,
    decoded: u64,
    coerced: u64,
    kept_raw: u64,
    failed: u64,
    /// Per field pattern: coerced, kept raw.
    fields: BTreeMap<String, (u64, u64)>,
    /// Why it does not generate or compile, or a body it could not read.
    problems: Vec<String>,
}

fn api_name(dir: &Path) -> String {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    if name(dir) == "schemas"
        && let Some(parent) = dir.parent()
    {
        return name(parent);
    }
    name(dir)
}

/// A crate name for `text`: lowercase letters, digits and `_`, prefixed so it never names a
/// crate the generated code uses.
fn crate_name(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("cs_{clean}")
}

/// Runs the check (see the module doc).
pub fn run(root: &Path, options: CheckSchemasOptions) -> Result<ExitCode> {
    let mut apis = Vec::new();
    for dir in &options.dirs {
        apis.push(Api {
            name: api_name(dir),
            resources: matching::resources(dir)?,
            dir: dir.clone(),
        });
    }
    let mut rows: BTreeMap<(String, String), Row> = BTreeMap::new();
    for api in &apis {
        for r in &api.resources {
            rows.insert((api.name.clone(), r.name.clone()), Row::default());
        }
    }
    // Generate: a folder as one crate; one that does not, a crate per schema.
    let mut checkers: Vec<(String, Checker)> = Vec::new();
    for api in &apis {
        let all: Vec<&Resource> = api.resources.iter().collect();
        match harness::generate(&crate_name(&api.name), &api.dir, &all) {
            Ok(checker) => checkers.push((api.name.clone(), checker)),
            Err(_) => {
                for r in &api.resources {
                    let name = crate_name(&format!("{}_{}", api.name, r.name));
                    match harness::generate(&name, &api.dir, &[r]) {
                        Ok(checker) => checkers.push((api.name.clone(), checker)),
                        Err(e) => row(&mut rows, &api.name, &r.name)
                            .problems
                            .push(format!("does not generate: {e}")),
                    }
                }
            }
        }
    }
    let scratch = root.join("target").join("check-schemas");
    let ws = options
        .work_dir
        .clone()
        .unwrap_or_else(|| scratch.join("ws"));
    let target = scratch.join("target");
    let crates: Vec<Checker> = checkers.iter().map(|(_, c)| c.clone()).collect();
    let broken = if crates.is_empty() {
        BTreeMap::new()
    } else {
        harness::write(root, &ws, &crates)?;
        eprintln!("building {} crate(s) in {} ...", crates.len(), ws.display());
        harness::build(&ws, &target)?
    };

    // Match the bodies.
    let mut unmatched = Vec::new();
    let mut jobs: BTreeMap<String, Vec<(String, PathBuf)>> = BTreeMap::new();
    // a shell glob (`responses/*`) also names the README beside the folders
    for dir in options.responses.iter().filter(|d| d.is_dir()) {
        let owner = apis
            .iter()
            .find(|a| Some(a.name.as_str()) == dir.file_name().and_then(|n| n.to_str()))
            .or(if apis.len() == 1 { apis.first() } else { None });
        let Some(api) = owner else {
            bail!(
                "no schema folder goes with the responses in {}",
                dir.display()
            );
        };
        for file in json_files(dir)? {
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            match matching::match_body(&stem, &api.resources) {
                Some(r) => jobs
                    .entry(api.name.clone())
                    .or_default()
                    .push((r.name.clone(), file)),
                None => unmatched.push(file),
            }
        }
    }

    // Decode them.
    for (api, checker) in &checkers {
        if let Some(error) = broken.get(&checker.name) {
            for r in &checker.resources {
                row(&mut rows, api, r)
                    .problems
                    .push(format!("does not compile:\n{error}"));
            }
            continue;
        }
        let mine: Vec<(String, PathBuf)> = jobs
            .get(api)
            .into_iter()
            .flatten()
            .filter(|(r, _)| checker.resources.contains(r))
            .cloned()
            .collect();
        if mine.is_empty() {
            continue;
        }
        for line in harness::run(&target, &checker.name, &mine)? {
            let resource = line["resource"].as_str().unwrap_or_default();
            let row = row(&mut rows, api, resource);
            row.bodies += 1;
            if let Some(error) = line["error"].as_str() {
                row.problems.push(format!(
                    "{}: {error}",
                    line["file"].as_str().unwrap_or_default()
                ));
                continue;
            }
            let n = |key: &str| line[key].as_u64().unwrap_or_default();
            row.decoded += n("decoded");
            row.coerced += n("coerced");
            row.kept_raw += n("kept_raw");
            row.failed += n("failed");
            for (field, counts) in line["fields"].as_object().into_iter().flatten() {
                let entry = row.fields.entry(field.clone()).or_default();
                entry.0 += counts[0].as_u64().unwrap_or_default();
                entry.1 += counts[1].as_u64().unwrap_or_default();
            }
            for failure in line["failures"].as_array().into_iter().flatten() {
                row.problems.push(format!(
                    "{}: {}",
                    line["file"].as_str().unwrap_or_default(),
                    failure.as_str().unwrap_or_default()
                ));
            }
        }
    }
    let ok = print(&rows, &unmatched);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn row<'a>(
    rows: &'a mut BTreeMap<(String, String), Row>,
    api: &str,
    resource: &str,
) -> &'a mut Row {
    rows.entry((api.to_string(), resource.to_string()))
        .or_default()
}

/// The `.json` files below `dir`, sorted.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Prints the table and what is below it; whether everything generated, compiled and decoded.
fn print(rows: &BTreeMap<(String, String), Row>, unmatched: &[PathBuf]) -> bool {
    println!(
        "| api | resource | bodies | decoded | coerced | kept raw | failed |\n|---|---|---:|---:|---:|---:|---:|"
    );
    let mut ok = true;
    let mut total = Row::default();
    for ((api, resource), row) in rows {
        let status = if row.problems.iter().any(|p| p.starts_with("does not")) {
            " (does not compile)"
        } else {
            ""
        };
        println!(
            "| {api} | {resource}{status} | {} | {} | {} | {} | {} |",
            row.bodies, row.decoded, row.coerced, row.kept_raw, row.failed
        );
        total.bodies += row.bodies;
        total.decoded += row.decoded;
        total.coerced += row.coerced;
        total.kept_raw += row.kept_raw;
        total.failed += row.failed;
        ok &= row.problems.is_empty() && row.failed == 0;
    }
    println!(
        "| **all** | {} schemas | {} | {} | {} | {} | {} |",
        rows.len(),
        total.bodies,
        total.decoded,
        total.coerced,
        total.kept_raw,
        total.failed
    );
    for ((api, resource), row) in rows {
        let fields: Vec<String> = row
            .fields
            .iter()
            .map(|(field, (coerced, kept))| {
                let field = if field.is_empty() {
                    "(the record)"
                } else {
                    field
                };
                match (coerced, kept) {
                    (0, k) => format!("`{field}` kept raw {k}"),
                    (c, 0) => format!("`{field}` coerced {c}"),
                    (c, k) => format!("`{field}` coerced {c}, kept raw {k}"),
                }
            })
            .collect();
        if !fields.is_empty() {
            println!("- {api}/{resource}: {}", fields.join("; "));
        }
        for problem in &row.problems {
            println!("- {api}/{resource}: {problem}");
        }
    }
    if !unmatched.is_empty() {
        println!("\nBodies no schema matches ({}):", unmatched.len());
        for file in unmatched {
            println!("- {}", file.display());
        }
    }
    ok
}
