//! dlt's side: one Python process (the pinned venv) runs every scenario in turn through
//! `xtask/python/dlt_conformance.py`, so dlt is imported once for the whole check.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::compare::ResourceResult;

/// The driver script, relative to the workspace root.
pub const DRIVER: &str = "xtask/python/dlt_conformance.py";

/// One scenario as the driver takes it.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    /// The scenario name, echoed back.
    pub name: String,
    /// The `rest_api_source` config with dlt's servers filled in.
    pub config: Value,
    /// The resources to iterate, in order.
    pub resources: Vec<String>,
    /// How many runs share the incremental state.
    pub runs: u32,
    /// The settings `{config: name}` values read, which the driver puts in the environment
    /// for `dlt.config[name]` to find.
    pub settings: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct JobResult {
    name: String,
    runs: Vec<Vec<DriverResult>>,
}

#[derive(Debug, Deserialize)]
struct DriverResult {
    resource: String,
    records: Vec<Value>,
    error: Option<String>,
}

/// Runs every job; results by scenario name, one per run and resource in order.
pub fn run_all(
    python: &Path,
    root: &Path,
    jobs: &[Job],
    trace: bool,
) -> Result<BTreeMap<String, Vec<ResourceResult>>> {
    let input = serde_json::to_vec(jobs).context("encoding the jobs")?;
    let mut command = Command::new(python);
    command
        .arg(root.join(DRIVER))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if trace {
        command.env("RESTGEN_CONFORMANCE_TRACE", "1");
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {}", python.display()))?;
    // The driver reads all of its input before it writes anything, so writing first cannot
    // block on a full output pipe.
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&input).context("writing the jobs")?;
    }
    let output = child.wait_with_output().context("running the dlt driver")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if trace && !stderr.trim().is_empty() {
        eprintln!("{stderr}");
    }
    if !output.status.success() {
        bail!("the dlt driver failed ({}):\n{stderr}", output.status);
    }
    let mut results = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let job: JobResult = serde_json::from_str(line)
            .with_context(|| format!("reading the dlt driver's output line `{line}`"))?;
        let flat = job
            .runs
            .into_iter()
            .flatten()
            .map(|r| ResourceResult {
                resource: r.resource,
                records: r.records,
                error: r.error,
            })
            .collect();
        results.insert(job.name, flat);
    }
    Ok(results)
}
