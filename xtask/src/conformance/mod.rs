//! `cargo xtask conformance [SCENARIO...]`: the differential check against dlt. Every scenario
//! under `xtask/conformance/` is served by a recording server and run twice, by dlt's
//! `rest_api_source` (the pinned venv) and by restgen's runtime; the request sequences, the
//! records and the failures are compared, and each scenario gets a verdict. A scenario may
//! assert a deliberate deviation (a row of docs/deviations.md): it passes only when the two
//! sides differ exactly as described.

mod compare;
mod dlt;
mod ours;
mod report;
mod scenario;
mod server;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use compare::{Outcome, Verdict, judge};
use scenario::Scenario;
use server::Servers;

/// The scenario folder, relative to the workspace root.
const SCENARIOS: &str = "xtask/conformance";

/// The deviations doc, relative to the workspace root.
const DEVIATIONS: &str = "docs/deviations.md";

/// Options of the check.
#[derive(clap::Args)]
pub struct ConformanceOptions {
    /// Only these scenarios (file stems under xtask/conformance/); all when none are given.
    pub scenarios: Vec<String>,
    /// Show every scenario's requests and records, not only those of failures.
    #[arg(long, short)]
    pub verbose: bool,
    /// Print the dlt driver's log and Python tracebacks.
    #[arg(long)]
    pub trace: bool,
}

/// One judged scenario.
pub struct Judged {
    /// The scenario.
    pub scenario: Scenario,
    /// dlt's outcome.
    pub dlt: Outcome,
    /// restgen's outcome.
    pub ours: Outcome,
    /// The verdict.
    pub verdict: Verdict,
}

/// Runs the check from the workspace `root`.
pub fn run(root: &Path, options: ConformanceOptions) -> Result<ExitCode> {
    let started = Instant::now();
    let scenarios = select(
        scenario::load_all(&root.join(SCENARIOS))?,
        &options.scenarios,
    )?;
    let documented = documented_deviations(&root.join(DEVIATIONS))?;
    let python = crate::pyenv::dlt_python(root)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let judged = runtime.block_on(check(root, &python, scenarios, &documented, &options))?;
    let failed = report::print(&judged, options.verbose);
    eprintln!(
        "conformance: {} scenarios in {:.1} s",
        judged.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The scenarios named, or all; an unknown name is an error listing the known ones.
fn select(all: Vec<Scenario>, names: &[String]) -> Result<Vec<Scenario>> {
    if names.is_empty() {
        return Ok(all);
    }
    for name in names {
        if !all.iter().any(|s| &s.name == name) {
            let known: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
            bail!("no scenario `{name}`; there are: {}", known.join(", "));
        }
    }
    Ok(all
        .into_iter()
        .filter(|s| names.contains(&s.name))
        .collect())
}

/// The row numbers of the deviations table.
fn documented_deviations(path: &Path) -> Result<BTreeSet<u32>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|line| {
            line.strip_prefix('|')?
                .split('|')
                .next()?
                .trim()
                .parse()
                .ok()
        })
        .collect())
}

/// Starts the servers, runs dlt (one Python process, in the background) and restgen
/// (in-process, meanwhile) against them, and judges each scenario.
async fn check(
    root: &Path,
    python: &Path,
    scenarios: Vec<Scenario>,
    documented: &BTreeSet<u32>,
    options: &ConformanceOptions,
) -> Result<Vec<Judged>> {
    let mut servers = Vec::with_capacity(scenarios.len());
    for scenario in &scenarios {
        servers.push((
            Servers::start(scenario).await?,
            Servers::start(scenario).await?,
        ));
    }
    let jobs = scenarios
        .iter()
        .zip(&servers)
        .map(|(scenario, (theirs, _))| {
            Ok(dlt::Job {
                name: scenario.name.clone(),
                config: serde_json::to_value(scenario.dlt_config_for(&theirs.main, &theirs.other))
                    .with_context(|| format!("scenario {}: the config as JSON", scenario.name))?,
                resources: scenario.resource_names(),
                runs: scenario.runs,
                settings: scenario.settings.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let (python, root_dir, trace) = (python.to_path_buf(), root.to_path_buf(), options.trace);
    let dlt_side =
        tokio::task::spawn_blocking(move || dlt::run_all(&python, &root_dir, &jobs, trace));
    let mut our_results = Vec::with_capacity(scenarios.len());
    for (scenario, (_, mine)) in scenarios.iter().zip(&servers) {
        let config = scenario.config_for(&mine.main, &mine.other);
        our_results.push(ours::run(scenario, &config).await);
    }
    let mut dlt_results = dlt_side.await.context("the dlt side")??;
    let mut judged = Vec::with_capacity(scenarios.len());
    for ((scenario, (theirs, mine)), results) in scenarios.into_iter().zip(servers).zip(our_results)
    {
        let dlt = Outcome {
            requests: theirs.log(),
            results: dlt_results.remove(&scenario.name).unwrap_or_default(),
        }
        .normalized(&theirs.main, &theirs.other);
        let ours = Outcome {
            requests: mine.log(),
            results,
        }
        .normalized(&mine.main, &mine.other);
        let verdict = judge(&scenario, &dlt, &ours, documented);
        judged.push(Judged {
            scenario,
            dlt,
            ours,
            verdict,
        });
    }
    Ok(judged)
}
