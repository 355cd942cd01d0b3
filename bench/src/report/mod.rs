//! The report: medians of the samples, ratios between the contenders, the targets
//! checked against them, tables and the chart, written as Markdown with an SVG next to it.
//! The raw samples are written next to it too (`.json`), so a figure can be traced to its runs.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};

mod sections;
mod targets;

use crate::chart::{self, Panel};
use crate::contenders::Contender;
use crate::suite::{Entrant, Group, Kind, Scenario};
use sections::{
    encoding_section, generation_section, latency_section, rss_section, throughput_section,
};
use targets::targets;

/// What one contender process reports.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    /// Records received.
    pub records: u64,
    /// Sum of their ids.
    pub id_sum: u64,
    /// Body bytes seen (bytes-only contender).
    pub bytes: u64,
    /// Wall time of the run, client construction included, process start-up not.
    pub elapsed_s: f64,
    /// CPU time (user + system) over the run.
    pub cpu_s: f64,
    /// Peak resident set size of the whole process.
    pub peak_rss_kib: u64,
}

/// One entrant's runs of one scenario.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The scenario.
    pub scenario: Scenario,
    /// The entrant.
    pub entrant: Entrant,
    /// One per round.
    pub samples: Vec<Sample>,
    /// Connections the mock accepted during each run.
    pub connections: Vec<u64>,
}

impl Outcome {
    /// Median wall time.
    pub fn elapsed(&self) -> f64 {
        median(self.samples.iter().map(|s| s.elapsed_s).collect())
    }

    /// Records per second at the median wall time.
    pub fn rate(&self) -> f64 {
        self.scenario.records as f64 / self.elapsed()
    }

    /// The largest peak RSS over the rounds, in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.samples
            .iter()
            .map(|s| s.peak_rss_kib)
            .max()
            .unwrap_or(0) as f64
            / 1024.0
    }

    /// Median CPU seconds per million records.
    pub fn cpu_per_million(&self) -> f64 {
        median(self.samples.iter().map(|s| s.cpu_s).collect()) * 1e6 / self.scenario.records as f64
    }

    /// The spread of the rounds: (max - min) / median of the wall times.
    pub fn spread(&self) -> f64 {
        let times: Vec<f64> = self.samples.iter().map(|s| s.elapsed_s).collect();
        let lo = times.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = times.iter().copied().fold(0.0, f64::max);
        if times.len() < 2 {
            0.0
        } else {
            (hi - lo) / self.elapsed()
        }
    }
}

/// Generation timings, measured by `cargo xtask bench` in the profile `cargo xtask generate`
/// runs in.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Generation {
    /// `cargo xtask generate`'s own profile (`dev` unless built otherwise).
    pub profile: String,
    /// Synthetic specs: resources, seconds to generate (median), lines written.
    pub synthetic: Vec<GenerationRun>,
    /// `cargo build` time of each generated crate, its dependencies already built.
    pub compile: Vec<CrateCompile>,
}

/// Generating one synthetic spec.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct GenerationRun {
    /// Resources in the spec.
    pub resources: usize,
    /// Median seconds of `restgen::generate` over the rounds.
    pub seconds: f64,
    /// Median CPU seconds of the same (what it costs on an idle core).
    #[serde(default)]
    pub cpu_seconds: f64,
    /// Every round's seconds.
    pub rounds: Vec<f64>,
    /// Lines of generated Rust.
    pub lines: usize,
}

/// Compiling one generated crate.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CrateCompile {
    /// The crate.
    pub name: String,
    /// Its resources.
    pub resources: usize,
    /// Lines of generated Rust.
    pub lines: usize,
    /// Seconds of `cargo build` (dev profile) for this crate alone.
    pub seconds: f64,
}

/// Everything the report is made from.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Run {
    /// A quick smoke run (small N)?
    pub quick: bool,
    /// 1-minute load average when the runs started and ended.
    pub load_before: f64,
    /// See `load_before`.
    pub load_after: f64,
    /// Cores of the machine.
    pub cores: usize,
    /// Every entrant of every scenario.
    pub outcomes: Vec<Outcome>,
    /// Generation figures, when measured.
    pub generation: Option<Generation>,
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

const RESTGEN: Kind = Kind::Rust(Contender::Restgen);
const HANDWRITTEN: Kind = Kind::Rust(Contender::Handwritten);
const BYTES: Kind = Kind::Rust(Contender::BytesOnly);

impl Run {
    fn scenarios(&self, group: Group) -> Vec<&Scenario> {
        let mut seen: Vec<&Scenario> = Vec::new();
        for o in self.outcomes.iter().filter(|o| o.scenario.group == group) {
            if !seen.iter().any(|s| same(s, &o.scenario)) {
                seen.push(&o.scenario);
            }
        }
        seen
    }

    fn find(&self, scenario: &Scenario, kind: Kind, concurrency: usize) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| {
            same(&o.scenario, scenario)
                && o.entrant.kind == kind
                && o.entrant.concurrency == concurrency
        })
    }

    fn entrants(&self, scenarios: &[&Scenario]) -> Vec<Entrant> {
        let mut seen: Vec<Entrant> = Vec::new();
        for o in &self.outcomes {
            if scenarios.iter().any(|s| same(s, &o.scenario)) && !seen.contains(&o.entrant) {
                seen.push(o.entrant);
            }
        }
        seen.sort_by_key(order);
        seen
    }
}

fn same(a: &Scenario, b: &Scenario) -> bool {
    a.group == b.group
        && a.records == b.records
        && a.page_size == b.page_size
        && a.style == b.style
        && a.latency_ms == b.latency_ms
        && a.encoding == b.encoding
}

fn order(e: &Entrant) -> (u8, usize) {
    let rank = match e.kind {
        Kind::Rust(Contender::Restgen) => 0,
        Kind::Rust(Contender::Handwritten) => 2,
        Kind::Dlt => 3,
        Kind::Rust(Contender::BytesOnly) => 4,
    };
    (if e.concurrency > 1 { 1 } else { rank }, e.concurrency)
}

fn ratio(a: Option<&Outcome>, b: Option<&Outcome>) -> Option<f64> {
    Some(a?.rate() / b?.rate())
}

fn show_ratio(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{r:.2}×"))
}

fn n_label(n: usize) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1000 && n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

/// Writes `out` (Markdown), the chart and the raw samples next to it.
pub fn write(run: &Run, out: &Path) -> Result<()> {
    let svg_path = out.with_extension("svg");
    let json_path = out.with_extension("json");
    let svg_name = svg_path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("benchmarks.svg")
        .to_string();
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&svg_path, chart_svg(run))
        .with_context(|| format!("writing {}", svg_path.display()))?;
    std::fs::write(&json_path, serde_json::to_string_pretty(run)?)?;
    std::fs::write(out, markdown(run, &svg_name))
        .with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "wrote {}, {} and {}",
        out.display(),
        svg_path.display(),
        json_path.display()
    );
    Ok(())
}

/// Writes the report again from the raw samples `from` (a `.json` [`write`] wrote).
pub fn rewrite(from: &Path, out: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(from).with_context(|| format!("reading {}", from.display()))?;
    let run: Run = serde_json::from_str(&text)?;
    write(&run, out)
}

fn chart_svg(run: &Run) -> String {
    let throughput = run.scenarios(Group::Throughput);
    let largest = throughput.iter().map(|s| s.records).max().unwrap_or(0);
    let mut panels = Vec::new();
    for page_size in [1000, 100] {
        let scenarios: Vec<&Scenario> = throughput
            .iter()
            .copied()
            .filter(|s| s.records == largest && s.page_size == page_size)
            .collect();
        if scenarios.is_empty() {
            continue;
        }
        let entrants = run.entrants(&scenarios);
        let groups = scenarios
            .iter()
            .map(|s| {
                let bars = entrants
                    .iter()
                    .filter_map(|e| {
                        run.find(s, e.kind, e.concurrency)
                            .map(|o| (e.label(), o.rate()))
                    })
                    .collect();
                (s.style.as_str().to_string(), bars)
            })
            .collect();
        panels.push(Panel {
            title: format!("N = {}, page size {page_size}", n_label(largest)),
            groups,
        });
    }
    chart::render(
        "Records per second from a loopback mock, zero latency",
        "records/s",
        &panels,
    )
}

fn markdown(run: &Run, svg_name: &str) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Written by `cargo xtask bench{}`; do not edit by hand (the notes at the end come from \
         `bench/notes.md`). Raw samples: `{}`.\n",
        if run.quick { " --quick" } else { "" },
        svg_name.replace(".svg", ".json")
    );
    let _ = writeln!(
        md,
        "Machine: {} cores, shared; 1-minute load average {:.2} at the start and {:.2} at the end \
         of the runs. Contenders alternate within each scenario and every figure is the median of \
         its rounds; the spread column gives (slowest − fastest) / median. Each contender runs in \
         a process of its own (peak RSS is the whole process's `VmHWM`); the mock runs in another, \
         on one thread.\n",
        run.cores, run.load_before, run.load_after
    );
    let _ = writeln!(md, "## Targets (issue #9)\n");
    let _ = writeln!(md, "| target | measured | met |\n|---|---|---|");
    for (target, figure, met) in targets(run) {
        let _ = writeln!(
            md,
            "| {target} | {figure} | {} |",
            if met { "yes" } else { "**no**" }
        );
    }
    let _ = writeln!(md);
    throughput_section(run, &mut md, svg_name);
    rss_section(run, &mut md);
    latency_section(run, &mut md);
    encoding_section(run, &mut md);
    generation_section(run, &mut md);
    md.push_str(NOTES);
    md
}

/// The hand-written part of the report: how to read it and why the figures are what they are.
const NOTES: &str = include_str!("../../notes.md");
