//! The scratch crates of `check-schemas`: one per schema folder (or, when a folder does not
//! generate as a whole, one per schema), each the generated client of an ad-hoc spec with one
//! single-page resource per schema, plus a binary that decodes the bodies it is given with
//! `ResourceRequest::check_body` and prints one JSON line per body.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use restgen::emit::names::{CLIENT_METHODS, snake};

use super::matching::Resource;

/// A crate to build: its name, the resources it holds, and its files.
#[derive(Clone)]
pub struct Checker {
    /// The crate (and API) name.
    pub name: String,
    /// The resources it can decode.
    pub resources: Vec<String>,
    /// Its files, by path in the crate.
    pub files: BTreeMap<String, String>,
}

/// The spec of `resources`: one single-page resource per schema, at `/<name>`.
fn spec_text(resources: &[&Resource]) -> String {
    let mut text = String::from("client:\n  base_url: \"http://127.0.0.1:9/\"\nresources:\n");
    for r in resources {
        let name = serde_json::to_string(&r.name).unwrap_or_default();
        let path = serde_json::to_string(&format!("/{}", r.name)).unwrap_or_default();
        text.push_str(&format!(
            "  - name: {name}\n    endpoint:\n      path: {path}\n      paginator: single_page\n"
        ));
        if let Some(fields) = &r.selector {
            let selector = if fields.is_empty() {
                "$".to_string()
            } else {
                let steps: Vec<String> = fields
                    .iter()
                    .map(|f| format!("['{}']", f.replace('\\', "\\\\").replace('\'', "\\'")))
                    .collect();
                format!("${}", steps.concat())
            };
            let selector = serde_json::to_string(&selector).unwrap_or_default();
            text.push_str(&format!("      data_selector: {selector}\n"));
        }
    }
    text
}

/// Generates the crate `name` for `resources` of `dir`, or says why it does not generate.
pub fn generate(name: &str, dir: &Path, resources: &[&Resource]) -> Result<Checker, String> {
    let mut schemas = Vec::new();
    for r in resources {
        let file = dir.join(format!("{}.json", r.name));
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        schemas.push((r.name.clone(), text));
    }
    let pairs: Vec<(&str, &str)> = schemas
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let config = spec_text(resources);
    let files = restgen::spec::SpecFiles::in_memory(name, &config, &pairs);
    let shown = dir.display().to_string();
    let (loaded, found) = restgen::spec::load(&files);
    let loaded = match loaded {
        Some(loaded) if !found.has_errors() => loaded,
        _ => return Err(found.to_string()),
    };
    let api = restgen::ir::resolve(&loaded).map_err(|d| d.to_string())?;
    let mut files = restgen::emit::emit_crate(&api, &shown).map_err(|e| e.to_string())?;
    let ident = restgen::emit::crate_ident(name);
    let arms: Vec<String> = resources
        .iter()
        .map(|r| {
            let method = snake(&r.name, CLIENT_METHODS);
            let key = serde_json::to_string(&r.name).unwrap_or_default();
            format!("            {key} => client.{method}().check_body(&body),\n")
        })
        .collect();
    files.insert(
        format!("src/bin/check_{ident}.rs"),
        CHECKER_MAIN
            .replace("CRATE", &ident)
            .replace("            ARMS\n", &arms.concat()),
    );
    Ok(Checker {
        name: name.to_string(),
        resources: resources.iter().map(|r| r.name.clone()).collect(),
        files: files.into_iter().collect(),
    })
}

/// The checker binary: reads `resource<TAB>file` lines, prints one JSON line per body.
const CHECKER_MAIN: &str = r#"//! Decodes recorded bodies against this crate's record types (written by `cargo xtask check-schemas`).
use restgen_runtime::serde_json::{self, json};

fn main() {
    let client = match CRATE::Client::builder().build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut input = String::new();
    if std::io::Read::read_to_string(&mut std::io::stdin(), &mut input).is_err() {
        std::process::exit(2);
    }
    for line in input.lines() {
        let Some((resource, file)) = line.split_once('\t') else { continue };
        let body = std::fs::read_to_string(file).unwrap_or_default();
        let checked = match resource {
            ARMS
            _ => continue,
        };
        let out = match checked {
            Ok(check) => {
                let s = &check.summary;
                let fields: serde_json::Map<String, serde_json::Value> = s
                    .fields
                    .iter()
                    .map(|(k, v)| (k.clone(), json!([v.coerced, v.kept_raw])))
                    .collect();
                let failures: Vec<String> = check
                    .failures
                    .iter()
                    .map(|f| format!("record {} at `{}`: {}", f.record, f.path, f.message))
                    .collect();
                json!({"resource": resource, "file": file, "decoded": s.decoded,
                       "coerced": s.coerced, "kept_raw": s.kept_raw, "failed": s.failed,
                       "fields": fields, "failures": failures})
            }
            Err(e) => json!({"resource": resource, "file": file, "error": e.to_string()}),
        };
        println!("{out}");
    }
}
"#;

/// Writes the crates into the scratch workspace `ws` (their runtime dependency pointed at
/// the repository's `runtime/`), replacing what an earlier run left there.
pub fn write(root: &Path, ws: &Path, checkers: &[Checker]) -> Result<()> {
    if ws.exists() {
        std::fs::remove_dir_all(ws).with_context(|| format!("clearing {}", ws.display()))?;
    }
    std::fs::create_dir_all(ws).with_context(|| format!("creating {}", ws.display()))?;
    let runtime = serde_json::to_string(&root.join("runtime").display().to_string())?;
    let extract = serde_json::to_string(&root.join("extract").display().to_string())?;
    for checker in checkers {
        for (path, content) in &checker.files {
            let content = if path == "Cargo.toml" {
                content
                    .replace("path = \"../../runtime\"", &format!("path = {runtime}"))
                    .replace("path = \"../../extract\"", &format!("path = {extract}"))
            } else {
                content.clone()
            };
            let file = ws.join(&checker.name).join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&file, content)
                .with_context(|| format!("writing {}", file.display()))?;
        }
    }
    let members: Vec<String> = checkers
        .iter()
        .map(|c| serde_json::to_string(&c.name).unwrap_or_default())
        .collect();
    let manifest = format!(
        "# Written by `cargo xtask check-schemas`: a scratch workspace, rewritten on every run.\n\
         [workspace]\nresolver = \"3\"\nmembers = [{}]\n\n\
         [workspace.lints.rust]\nmissing_docs = \"warn\"\nunsafe_code = \"forbid\"\n\n\
         [profile.dev]\ndebug = false\nincremental = false\n",
        members.join(", ")
    );
    std::fs::write(ws.join("Cargo.toml"), manifest)?;
    std::fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock"))?;
    Ok(())
}

/// Builds every checker (going on past one that fails); the crates that did not build, with
/// the end of cargo's output.
pub fn build(ws: &Path, target: &Path) -> Result<BTreeMap<String, String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(ws)
        .args(["build", "--workspace", "--bins", "--keep-going", "--quiet"])
        .args(["--message-format", "short"])
        .arg("--target-dir")
        .arg(target)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .context("running cargo build")?;
    let mut failed = BTreeMap::new();
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr).to_string();
        for line in text.lines() {
            // `error: could not compile `name` (bin ..)`
            if let Some(rest) = line.strip_prefix("error: could not compile `")
                && let Some((name, _)) = rest.split_once('`')
            {
                failed.insert(name.to_string(), tail(&text));
            }
        }
        if failed.is_empty() {
            bail!("cargo build failed:\n{}", tail(&text));
        }
    }
    Ok(failed)
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Runs a built checker on `jobs` (resource, body file); its JSON lines.
pub fn run(
    target: &Path,
    crate_name: &str,
    jobs: &[(String, PathBuf)],
) -> Result<Vec<serde_json::Value>> {
    let ident = restgen::emit::crate_ident(crate_name);
    let binary = target.join("debug").join(format!("check_{ident}"));
    let mut child = Command::new(&binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let input: String = jobs
        .iter()
        .map(|(resource, file)| format!("{resource}\t{}\n", file.display()))
        .collect();
    child
        .stdin
        .take()
        .context("the checker's input")?
        .write_all(input.as_bytes())?;
    let output = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .map(|line| serde_json::from_str(line).context("reading the checker's output"))
        .collect()
}
