//! The scratch workspace of the generated crates (`target/catalog/ws/`) and its one build.
//!
//! Each crate is written only where a file changed, so a second run recompiles only what the
//! generator changed. The workspace has a build profile of its own, tuned for compile speed
//! (no debug info, no incremental cache: each crate is built once per change), its own target
//! folder under it, and a copy of the repository's `Cargo.lock`, so the crates build against
//! the very dependency versions the repository's own generated crates use.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use restgen::emit::CrateFiles;

/// The scratch workspace.
pub struct Workspace {
    /// The repository root (for `runtime/` and `Cargo.lock`).
    root: PathBuf,
    /// The workspace folder.
    dir: PathBuf,
}

/// A compile error of one crate.
#[derive(Debug, Clone)]
pub struct CompileError {
    /// The error's message with codes and names generalised, for grouping.
    pub cause: String,
    /// The error as rustc renders it.
    pub rendered: String,
}

/// What the build did.
#[derive(Debug, Default)]
pub struct Built {
    /// Whether cargo reported success.
    pub ok: bool,
    /// Crates whose library was built, by API name.
    pub compiled: BTreeSet<String>,
    /// The errors, by API name.
    pub errors: BTreeMap<String, Vec<CompileError>>,
    /// The end of cargo's own output, for failures that name no crate.
    pub tail: String,
    /// How long the build took.
    pub elapsed: Duration,
}

/// A build running in the background.
pub struct Build {
    child: Child,
    reader: std::thread::JoinHandle<Built>,
    stderr: std::thread::JoinHandle<String>,
}

/// The header of every file the catalog writes into the workspace.
const HEADER: &str =
    "# Written by `cargo xtask catalog`: a scratch workspace, rewritten on every run.";

impl Workspace {
    /// The workspace at `dir`, for the repository at `root`.
    pub fn new(root: &Path, dir: &Path) -> Workspace {
        Workspace {
            root: root.to_path_buf(),
            dir: dir.to_path_buf(),
        }
    }

    /// Writes every crate (its runtime dependency pointed at the repository's `runtime/`)
    /// and the workspace manifest listing exactly these crates.
    pub fn write(&self, crates: &BTreeMap<String, CrateFiles>) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("creating {}", self.dir.display()))?;
        let runtime = toml_string(&self.root.join("runtime").display().to_string());
        let extract = toml_string(&self.root.join("extract").display().to_string());
        for (api, files) in crates {
            let crate_dir = self.dir.join(api);
            let mut wanted = BTreeSet::new();
            for (path, content) in files {
                let content = if path == "Cargo.toml" {
                    // generated/<api>/ reaches the runtime as ../../runtime (and the extract
                    // command as ../../extract); this crate is elsewhere
                    content
                        .replace("path = \"../../runtime\"", &format!("path = {runtime}"))
                        .replace("path = \"../../extract\"", &format!("path = {extract}"))
                } else {
                    content.clone()
                };
                write_if_changed(&crate_dir.join(path), &content)?;
                wanted.insert(crate_dir.join(path));
            }
            remove_others(&crate_dir, &wanted)?;
        }
        let members: Vec<String> = crates
            .keys()
            .map(|api| format!("    {},", toml_string(api)))
            .collect();
        let manifest = format!(
            "{HEADER}\n\
             [workspace]\n\
             resolver = \"3\"\n\
             members = [\n{}\n]\n\
             \n\
             [workspace.lints.rust]\n\
             missing_docs = \"warn\"\n\
             unsafe_code = \"forbid\"\n\
             \n\
             # compile speed: every crate is built once per change and never debugged\n\
             [profile.dev]\n\
             debug = false\n\
             incremental = false\n\
             \n\
             [profile.dev.package.\"*\"]\n\
             debug = false\n",
            members.join("\n")
        );
        write_if_changed(&self.dir.join("Cargo.toml"), &manifest)?;
        let lock = self.dir.join("Cargo.lock");
        if !lock.exists() {
            std::fs::copy(self.root.join("Cargo.lock"), &lock)
                .with_context(|| format!("copying Cargo.lock to {}", lock.display()))?;
        }
        Ok(())
    }

    /// Starts `cargo build` of every crate's library, going on
    /// past a crate that fails so that every failure is seen.
    pub fn spawn_build(&self) -> Result<Build> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut child = Command::new(cargo)
            .current_dir(&self.dir)
            .args(["build", "--workspace", "--lib", "--keep-going"])
            .args(["--message-format", "json-render-diagnostics"])
            .arg("--target-dir")
            .arg(self.dir.join("target"))
            .env_remove("CARGO_TARGET_DIR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting cargo build")?;
        let stdout = child.stdout.take().context("cargo's output")?;
        let mut stderr = child.stderr.take().context("cargo's errors")?;
        let dir = self.dir.clone();
        let started = Instant::now();
        // the build's time is taken when its output ends, not when the paging lets us wait
        let reader = std::thread::spawn(move || {
            let mut built = read_messages(stdout, &dir);
            built.elapsed = started.elapsed();
            built
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Ok(Build {
            child,
            reader,
            stderr,
        })
    }
}

impl Build {
    /// Waits for the build and collects what it did.
    pub fn wait(mut self) -> Result<Built> {
        let status = self.child.wait().context("waiting for cargo build")?;
        let mut built = self
            .reader
            .join()
            .map_err(|_| anyhow::anyhow!("the reader of cargo's messages panicked"))?;
        let stderr = self.stderr.join().unwrap_or_default();
        built.ok = status.success();
        let lines: Vec<&str> = stderr.lines().collect();
        built.tail = lines[lines.len().saturating_sub(20)..].join("\n");
        Ok(built)
    }
}

/// Reads cargo's JSON messages: which crates were built and every error, by crate.
fn read_messages(stdout: impl Read, dir: &Path) -> Built {
    let mut built = Built::default();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let api = message
            .get("manifest_path")
            .and_then(|m| m.as_str())
            .and_then(|m| api_of(Path::new(m), dir));
        match message.get("reason").and_then(|r| r.as_str()) {
            Some("compiler-artifact") => {
                let is_lib = message
                    .pointer("/target/kind")
                    .and_then(|k| k.as_array())
                    .is_some_and(|kinds| kinds.iter().any(|k| k == "lib"));
                if let (Some(api), true) = (api, is_lib) {
                    built.compiled.insert(api);
                }
            }
            Some("compiler-message") => {
                let level = message.pointer("/message/level").and_then(|l| l.as_str());
                if level != Some("error") {
                    continue;
                }
                let rendered = message
                    .pointer("/message/rendered")
                    .and_then(|r| r.as_str())
                    .unwrap_or_default()
                    .to_string();
                let text = message
                    .pointer("/message/message")
                    .and_then(|m| m.as_str())
                    .unwrap_or_default();
                let cause = match message
                    .pointer("/message/code/code")
                    .and_then(|c| c.as_str())
                {
                    Some(code) => format!("{code}: {}", super::cause_of(text)),
                    None => super::cause_of(text),
                };
                let key = api.unwrap_or_else(|| "(a dependency)".to_string());
                built
                    .errors
                    .entry(key)
                    .or_default()
                    .push(CompileError { cause, rendered });
            }
            _ => {}
        }
    }
    built
}

/// The API whose crate the manifest at `manifest` is, when it is one of the workspace's.
fn api_of(manifest: &Path, dir: &Path) -> Option<String> {
    let crate_dir = manifest.parent()?;
    (crate_dir.parent()? == dir)
        .then(|| crate_dir.file_name()?.to_str().map(str::to_string))
        .flatten()
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Writes `content` unless the file already holds it, so cargo sees no change.
fn write_if_changed(path: &Path, content: &str) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, content).with_context(|| format!("writing {}", path.display()))
}

/// Removes the files under `dir` that are not `wanted` (files a previous run generated).
fn remove_others(dir: &Path, wanted: &BTreeSet<PathBuf>) -> Result<()> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if !wanted.contains(&path) {
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
    }
    Ok(())
}
