//! The generation half of `cargo xtask bench`: synthetic specs of 100 and 1000 resources
//! (copies of one realistic resource), timed through `restgen::generate` in this process, which
//! is built in the profile `cargo xtask generate` runs in; then the `cargo build` time of every
//! checked-in generated crate and of the synthetic ones, each alone with its dependencies built.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::json;

/// Which generated crates get their compile time measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compile {
    /// None.
    None,
    /// The checked-in crates and the synthetic ones up to 100 resources.
    Usual,
    /// Also the 1000-resource synthetic crate.
    All,
}

/// Rounds of each generation timing; the report takes the median.
const ROUNDS: usize = 3;

/// Measures everything and returns the figures as JSON (the shape `restgen-bench` reads).
pub fn measure(root: &Path, work: &Path, quick: bool, compile: Compile) -> Result<String> {
    let sizes: &[usize] = if quick { &[10, 100] } else { &[100, 1000] };
    let ws = work.join("synth");
    if ws.exists() {
        std::fs::remove_dir_all(&ws).with_context(|| format!("removing {}", ws.display()))?;
    }
    let mut synthetic = Vec::new();
    let mut crates = Vec::new();
    for &n in sizes {
        let name = format!("synth_{n}");
        let spec_dir = ws.join("specs").join(&name);
        write_spec(&spec_dir, n)?;
        let shown = format!("target/bench/synth/specs/{name}");
        let mut rounds = Vec::new();
        let mut cpu = Vec::new();
        let mut files = None;
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let cpu_started = cpu_seconds();
            let generated = restgen::generate(&spec_dir, &shown)
                .map_err(|d| anyhow::anyhow!("generating {shown}: {d}"))?;
            rounds.push(started.elapsed().as_secs_f64());
            cpu.push(cpu_seconds() - cpu_started);
            files = Some(generated.files);
        }
        let files = files.context("no generation round ran")?;
        let lines: usize = files.values().map(|c| c.lines().count()).sum();
        eprintln!("generated {n} resources: {rounds:.2?} s (CPU {cpu:.2?} s), {lines} lines");
        synthetic.push(json!({
            "resources": n,
            "seconds": median(&rounds),
            "cpu_seconds": median(&cpu),
            "rounds": rounds,
            "lines": lines,
        }));
        let crate_dir = ws.join("generated").join(&name);
        for (path, content) in &files {
            let file = crate_dir.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent)?;
            }
            // The crate lives outside the workspace: point it at the real runtime.
            let runtime = root.join("runtime");
            let extract = root.join("extract");
            let content = content
                .replace(
                    "path = \"../../runtime\"",
                    &format!("path = {:?}", runtime.display().to_string()),
                )
                .replace(
                    "path = \"../../extract\"",
                    &format!("path = {:?}", extract.display().to_string()),
                );
            std::fs::write(&file, content)?;
        }
        crates.push((name, n, lines, crate_dir));
    }
    write_workspace(root, &ws)?;
    let mut compiled = Vec::new();
    if !quick && compile != Compile::None {
        for (name, dir) in checked_in(root)? {
            let resources = count_resources(&dir)?;
            let lines = rust_lines(&dir)?;
            let seconds = time_build(root, &name)?;
            eprintln!("compiled {name}: {seconds:.1} s");
            compiled.push(
                json!({"name": name, "resources": resources, "lines": lines, "seconds": seconds}),
            );
        }
    }
    for (name, n, lines, _) in &crates {
        if compile == Compile::None || (*n > 100 && compile != Compile::All) {
            continue;
        }
        let seconds = time_build(&ws, name)?;
        eprintln!("compiled {name}: {seconds:.1} s");
        compiled.push(json!({"name": name, "resources": n, "lines": lines, "seconds": seconds}));
    }
    let profile = if cfg!(debug_assertions) {
        "dev"
    } else {
        "release"
    };
    Ok(serde_json::to_string_pretty(&json!({
        "profile": profile,
        "synthetic": synthetic,
        "compile": compiled,
    }))?)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

/// This process's user + system CPU time in seconds (`/proc/self/stat`, fields 14 and 15 in
/// ticks of 1/100 s; 0 where there is no `/proc`). Wall time on a busy machine counts the
/// time others' processes held the cores.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// A spec of `n` resources, each with its own path and schema (distinct titles, so every
/// resource gets its own types, as in a real API).
fn write_spec(dir: &Path, n: usize) -> Result<()> {
    let schemas = dir.join("schemas");
    std::fs::create_dir_all(&schemas)?;
    let mut yaml = String::from(
        "client:\n  base_url: https://api.example.com/v1/\n  auth:\n    type: bearer\n    token: {secret: api_token}\n\
         resource_defaults:\n  primary_key: id\n  endpoint:\n    data_selector: data\n    paginator:\n      type: cursor\n      cursor_path: meta.next_cursor\n      cursor_param: cursor\n\
         resources:\n",
    );
    for i in 0..n {
        yaml.push_str(&format!(
            "  - name: resource_{i:04}\n    endpoint:\n      path: /resource_{i:04}\n      params:\n        limit: 100\n"
        ));
        let schema = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": format!("Record{i:04}"),
            "type": "object",
            "required": ["id", "name", "status", "created_at"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "email": {"type": ["string", "null"]},
                "status": {"type": "string", "enum": ["active", "inactive", "pending"]},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": ["string", "null"], "format": "date-time"},
                "amount": {"type": "number"},
                "active": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "address": {
                    "type": "object",
                    "properties": {
                        "street": {"type": "string"},
                        "city": {"type": "string"},
                        "country": {"type": "string"}
                    }
                },
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        });
        std::fs::write(
            schemas.join(format!("resource_{i:04}.json")),
            serde_json::to_string_pretty(&schema)?,
        )?;
    }
    std::fs::write(dir.join("source.yaml"), yaml)?;
    Ok(())
}

/// A workspace of its own for the synthetic crates, with the root's lock file, lints and dev
/// profile, building into the root's target folder so their dependencies are shared.
fn write_workspace(root: &Path, ws: &Path) -> Result<()> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let section = |name: &str| -> String {
        let start = manifest
            .find(&format!("[{name}]"))
            .unwrap_or(manifest.len());
        let rest = &manifest[start..];
        let end = rest[1..].find("\n[").map_or(rest.len(), |e| e + 2);
        rest[..end].to_string()
    };
    let text = format!(
        "# Synthetic crates of `cargo xtask bench` (generated; not part of the repository).\n\
         [workspace]\nresolver = \"3\"\nmembers = [\"generated/*\"]\n\n{}\n{}\n{}\n{}\n",
        section("workspace.lints.rust"),
        section("workspace.lints.clippy"),
        section("profile.dev"),
        section("profile.dev.package.\"*\""),
    );
    std::fs::write(ws.join("Cargo.toml"), text)?;
    std::fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock"))?;
    Ok(())
}

/// The checked-in generated crates: `generated/<name>`.
fn checked_in(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root.join("generated"))? {
        let path = entry?.path();
        if path.join("Cargo.toml").is_file()
            && let Some(name) = path.file_name().and_then(|n| n.to_str())
        {
            out.push((name.to_string(), path.clone()));
        }
    }
    out.sort();
    Ok(out)
}

/// Resources of a generated crate: its descriptors (`pub static NAME: ...ResourceDescriptor`).
fn count_resources(dir: &Path) -> Result<usize> {
    let text = std::fs::read_to_string(dir.join("src").join("descriptors.rs"))?;
    Ok(text.matches("descriptor::ResourceDescriptor =").count())
}

fn rust_lines(dir: &Path) -> Result<usize> {
    let mut lines = 0;
    for entry in std::fs::read_dir(dir.join("src"))? {
        lines += std::fs::read_to_string(entry?.path())?.lines().count();
    }
    Ok(lines)
}

/// `cargo build -p <name>` from `ws`: once to have every dependency built, then again after
/// removing the crate's own artifacts, timed.
fn time_build(ws: &Path, name: &str) -> Result<f64> {
    let target = ws_target(ws)?;
    let env_target = target.display().to_string();
    let run = |args: &[&str]| -> Result<()> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(ws)
            .env("CARGO_TARGET_DIR", &env_target)
            .args(args)
            .status()?;
        if !status.success() {
            bail!(
                "cargo {} failed in {}: {status}",
                args.join(" "),
                ws.display()
            );
        }
        Ok(())
    };
    run(&["build", "-q", "-p", name])?;
    run(&["clean", "-q", "-p", name])?;
    let started = Instant::now();
    run(&["build", "-q", "-p", name])?;
    Ok(started.elapsed().as_secs_f64())
}

/// The root's target folder, wherever `ws` is.
fn ws_target(ws: &Path) -> Result<PathBuf> {
    let mut dir = ws;
    loop {
        if dir.file_name().is_some_and(|n| n == "target") {
            return Ok(dir.to_path_buf());
        }
        if dir.join("target").is_dir()
            && dir.join("Cargo.lock").is_file()
            && dir.join("xtask").is_dir()
        {
            return Ok(dir.join("target"));
        }
        dir = dir
            .parent()
            .context("no target folder above the workspace")?;
    }
}
