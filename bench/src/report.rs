//! The report: medians of the samples, ratios between the contenders, the targets
//! checked against them, tables and the chart, written as Markdown with an SVG next to it.
//! The raw samples are written next to it too (`.json`), so a figure can be traced to its runs.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::chart::{self, Panel, human};
use crate::contenders::Contender;
use crate::mock::Style;
use crate::suite::{Entrant, Group, Kind, Scenario};

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
        "Records per second, one connection to a loopback mock, zero latency",
        "records/s",
        &panels,
    )
}

/// The targets, each with the figure that decides it.
fn targets(run: &Run) -> Vec<(String, String, bool)> {
    let mut rows = Vec::new();
    let throughput = run.scenarios(Group::Throughput);
    let at_1000: Vec<&Scenario> = throughput
        .iter()
        .copied()
        .filter(|s| s.page_size == 1000)
        .collect();
    let min_of = |f: &dyn Fn(&Scenario) -> Option<f64>| {
        at_1000
            .iter()
            .filter_map(|s| f(s).map(|r| (r, *s)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    // restgen at its defaults (concurrency 1) or with `.concurrency(4)`, against `other`.
    let vs = |other: Kind, concurrency: usize| {
        move |s: &Scenario| ratio(run.find(s, RESTGEN, concurrency), run.find(s, other, 1))
    };
    // the same on CPU time per record, which waiting for a busy core does not inflate
    let cpu_vs = |other: Kind| {
        move |s: &Scenario| {
            Some(
                run.find(s, other, 1)?.cpu_per_million()
                    / run.find(s, RESTGEN, 1)?.cpu_per_million(),
            )
        }
    };
    let lowest = |f: &dyn Fn(&Scenario) -> Option<f64>| {
        min_of(f).map_or("–".to_string(), |(r, s)| {
            format!("{r:.2}× ({} {})", n_label(s.records), s.style.as_str())
        })
    };
    for (other, name, goal) in [
        (HANDWRITTEN, "the hand-written client", 1.5),
        (Kind::Dlt, "dlt RESTClient", 15.0),
    ] {
        let Some((worst, _)) = min_of(&vs(other, 1)) else {
            continue;
        };
        let best = min_of(&vs(other, 4)).map_or(0.0, |(r, _)| r);
        rows.push((
            format!("page size 1000, zero latency: ≥ {goal}× {name}"),
            format!(
                "lowest over styles and N: {} by default, {} with `.concurrency(4)`; \
                 on CPU per record {}",
                lowest(&vs(other, 1)),
                lowest(&vs(other, 4)),
                lowest(&cpu_vs(other))
            ),
            worst.max(best) >= goal,
        ));
    }
    if let Some((lowest_share, _)) = min_of(&vs(BYTES, 1)) {
        let highest = at_1000
            .iter()
            .filter_map(|s| vs(BYTES, 1)(s))
            .fold(0.0, f64::max);
        rows.push((
            "page size 1000: fraction of the bytes-only limit (reported, no target)".into(),
            format!(
                "{:.0}% to {:.0}% by default",
                lowest_share * 100.0,
                highest * 100.0
            ),
            true,
        ));
    }
    for s in run.scenarios(Group::Latency) {
        if s.style == Style::Cursor {
            let (Some(restgen), Some(bytes)) = (run.find(s, RESTGEN, 1), run.find(s, BYTES, 1))
            else {
                continue;
            };
            let period = |o: &Outcome| o.elapsed() * 1000.0 / s.pages() as f64;
            let handwritten = run.find(s, HANDWRITTEN, 1).map_or(String::new(), |h| {
                format!(", hand-written {:.1} ms", period(h))
            });
            rows.push((
                format!(
                    "{} ms latency, cursor: one request per latency period, decoding hidden",
                    s.latency_ms
                ),
                format!(
                    "{:.1} ms per page; the wire (bytes only) {:.1} ms{handwritten}",
                    period(restgen),
                    period(bytes)
                ),
                // decoding hidden: as fast as fetching the bytes, within 5%
                restgen.elapsed() <= bytes.elapsed() * 1.05,
            ));
        } else {
            let r = ratio(run.find(s, RESTGEN, 8), run.find(s, Kind::Dlt, 1));
            if let Some(r) = r {
                rows.push((
                    format!(
                        "{} ms latency, {}, `.concurrency(8)`: ≥ 6× dlt",
                        s.latency_ms,
                        s.style.as_str()
                    ),
                    format!("{r:.1}×"),
                    r >= 6.0,
                ));
            }
        }
    }
    let largest = throughput.iter().map(|s| s.records).max().unwrap_or(0);
    let smallest = throughput.iter().map(|s| s.records).min().unwrap_or(0);
    let rss: Vec<(f64, &Scenario)> = throughput
        .iter()
        .filter(|s| s.records == largest)
        .filter_map(|s| run.find(s, RESTGEN, 1).map(|o| (o.rss_mib(), *s)))
        .collect();
    if let Some((peak, s)) = rss.iter().copied().max_by(|a, b| a.0.total_cmp(&b.0)) {
        rows.push((
            format!("peak RSS ≤ 16 MB at {} records", n_label(largest)),
            format!(
                "at most {peak:.1} MiB ({} page size {})",
                s.style.as_str(),
                s.page_size
            ),
            peak <= 16.0,
        ));
    }
    if largest > smallest {
        let growth = throughput
            .iter()
            .filter(|s| s.records == largest)
            .filter_map(|big| {
                let small = throughput.iter().find(|s| {
                    s.records == smallest && s.page_size == big.page_size && s.style == big.style
                })?;
                Some(run.find(big, RESTGEN, 1)?.rss_mib() / run.find(small, RESTGEN, 1)?.rss_mib())
            })
            .fold(0.0, f64::max);
        rows.push((
            format!(
                "peak RSS flat in N ({} vs {})",
                n_label(largest),
                n_label(smallest)
            ),
            format!("grows by at most {:.0}%", (growth - 1.0) * 100.0),
            growth <= 1.10,
        ));
    }
    if let Some(generation) = &run.generation {
        let at = |n: usize| generation.synthetic.iter().find(|g| g.resources == n);
        if let Some(big) = at(1000) {
            rows.push((
                "generating 1000 resources: under 3 s".into(),
                format!(
                    "{:.2} s wall, {:.2} s CPU ({} profile)",
                    big.seconds, big.cpu_seconds, generation.profile
                ),
                big.seconds < 3.0,
            ));
            if let Some(small) = at(100) {
                let (wall, cpu) = (
                    big.seconds / small.seconds,
                    big.cpu_seconds / small.cpu_seconds,
                );
                rows.push((
                    "generation linear: 1000 resources ≤ 12× 100".into(),
                    format!(
                        "{wall:.1}× wall ({:.2} s for 100), {cpu:.1}× CPU",
                        small.seconds
                    ),
                    wall <= 12.0,
                ));
            }
        }
    }
    rows
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

/// Columns of a scenario row before the entrants' (`N`, `page`, ...).
type Lead<'a> = (&'a [&'a str], &'a dyn Fn(&Scenario) -> Vec<String>);

/// A table with a row per scenario: its `lead` columns, one `cell` per entrant, then `tail`.
fn table(
    md: &mut String,
    run: &Run,
    scenarios: &[&Scenario],
    lead: Lead<'_>,
    cell: &dyn Fn(&Outcome) -> String,
    tail: Lead<'_>,
) {
    let entrants = run.entrants(scenarios);
    let mut header = String::from("|");
    for name in lead.0 {
        let _ = write!(header, " {name} |");
    }
    for e in &entrants {
        let _ = write!(header, " {} |", e.label());
    }
    for name in tail.0 {
        let _ = write!(header, " {name} |");
    }
    let columns = lead.0.len() + entrants.len() + tail.0.len();
    let _ = writeln!(md, "{header}\n|{}", "---|".repeat(columns));
    for s in scenarios {
        let mut row: Vec<String> = lead.1(s);
        row.extend(
            entrants
                .iter()
                .map(|e| run.find(s, e.kind, e.concurrency).map_or("–".into(), cell)),
        );
        row.extend(tail.1(s));
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    let _ = writeln!(md);
}

/// `N | page | style` of a scenario.
fn sizes(s: &Scenario) -> Vec<String> {
    vec![
        n_label(s.records),
        s.page_size.to_string(),
        s.style.as_str().to_string(),
    ]
}

const SIZES: &[&str] = &["N", "page", "style"];

fn no_tail(_: &Scenario) -> Vec<String> {
    Vec::new()
}

fn throughput_section(run: &Run, md: &mut String, svg_name: &str) {
    let scenarios = run.scenarios(Group::Throughput);
    if scenarios.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Throughput, zero latency\n");
    let _ = writeln!(md, "![records per second]({svg_name})\n");
    let _ = writeln!(
        md,
        "Records per second (median). `×4` is the generated client with `.concurrency(4)`: \
         two pages decoding at once, and for offset and page_number up to four requests in \
         flight. Ratios compare the generated client at its default settings (one page \
         decoding, the next request in flight).\n"
    );
    let ratios = |s: &Scenario| {
        let restgen = run.find(s, RESTGEN, 1);
        let spread = run
            .outcomes
            .iter()
            .filter(|o| same(&o.scenario, s))
            .map(Outcome::spread)
            .fold(0.0, f64::max);
        vec![
            show_ratio(ratio(restgen, run.find(s, HANDWRITTEN, 1))),
            show_ratio(ratio(restgen, run.find(s, Kind::Dlt, 1))),
            ratio(restgen, run.find(s, BYTES, 1))
                .map_or("–".into(), |r| format!("{:.0}%", r * 100.0)),
            format!("{:.0}%", spread * 100.0),
        ]
    };
    table(
        md,
        run,
        &scenarios,
        (SIZES, &sizes),
        &|o| human(o.rate()),
        (
            &["vs hand-written", "vs dlt", "of bytes-only", "spread"],
            &ratios,
        ),
    );
    let _ = writeln!(
        md,
        "CPU seconds per million records (user + system, all threads of the client process):\n"
    );
    table(
        md,
        run,
        &scenarios,
        (SIZES, &sizes),
        &|o| format!("{:.2}", o.cpu_per_million()),
        (&[], &no_tail),
    );
}

fn rss_section(run: &Run, md: &mut String) {
    let scenarios = run.scenarios(Group::Throughput);
    if scenarios.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Peak RSS (MiB)\n");
    table(
        md,
        run,
        &scenarios,
        (SIZES, &sizes),
        &|o| format!("{:.1}", o.rss_mib()),
        (&[], &no_tail),
    );
}

fn latency_section(run: &Run, md: &mut String) {
    let scenarios = run.scenarios(Group::Latency);
    let Some(first) = scenarios.first() else {
        return;
    };
    let _ = writeln!(
        md,
        "## {} ms latency per response\n\nN = {}, page size {}: {} pages; one request per latency \
         period takes {:.2} s. Wall seconds (median):\n",
        first.latency_ms,
        n_label(first.records),
        first.page_size,
        first.pages(),
        first.pages() as f64 * first.latency_ms as f64 / 1000.0
    );
    let best = |s: &Scenario| {
        let best = run
            .outcomes
            .iter()
            .filter(|o| same(&o.scenario, s) && o.entrant.kind == RESTGEN)
            .min_by(|a, b| a.elapsed().total_cmp(&b.elapsed()));
        let conns = best
            .and_then(|o| o.connections.iter().max().copied())
            .unwrap_or(0);
        vec![
            show_ratio(ratio(best, run.find(s, Kind::Dlt, 1))),
            conns.to_string(),
        ]
    };
    table(
        md,
        run,
        &scenarios,
        (&["style"], &|s| vec![s.style.as_str().to_string()]),
        &|o| format!("{:.2}", o.elapsed()),
        (&["best restgen vs dlt", "connections (restgen)"], &best),
    );
}

fn encoding_section(run: &Run, md: &mut String) {
    let scenarios = run.scenarios(Group::Encoding);
    if scenarios.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "## Compressed bodies\n\nThe mock serves each page gzip- or brotli-compressed (compressed \
         once, then cached); reqwest decompresses. On loopback, bandwidth is free, so this shows \
         the cost of decompression, not the saving on a real link. Records per second (median):\n"
    );
    let lead = |s: &Scenario| {
        let mut row = vec![s.encoding.clone()];
        row.extend(sizes(s));
        row
    };
    table(
        md,
        run,
        &scenarios,
        (&["encoding", "N", "page", "style"], &lead),
        &|o| human(o.rate()),
        (&[], &no_tail),
    );
    let conns: Vec<String> = run
        .outcomes
        .iter()
        .filter(|o| o.entrant.kind == RESTGEN && o.entrant.concurrency == 1)
        .map(|o| o.connections.iter().max().copied().unwrap_or(0).to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let _ = writeln!(
        md,
        "Connection reuse: a sequential run of the generated client opened {} connection(s) \
         per run in every scenario (counted by the mock).\n",
        conns.join(" or ")
    );
}

fn generation_section(run: &Run, md: &mut String) {
    let Some(generation) = &run.generation else {
        return;
    };
    let _ = writeln!(
        md,
        "## Generation\n\n`restgen::generate` (what `cargo xtask generate` runs, {} profile) on \
         synthetic specs whose resources are copies of one template (cursor paging, an \
         11-property schema with a nested object, an enum, timestamps and a typed map). \
         Wall seconds count the time other processes held the cores; CPU seconds are what \
         generation itself spent:\n",
        generation.profile
    );
    let _ = writeln!(
        md,
        "| resources | seconds (median) | CPU seconds (median) | rounds | lines generated |\n|---|---|---|---|---|"
    );
    for g in &generation.synthetic {
        let rounds: Vec<String> = g.rounds.iter().map(|r| format!("{r:.2}")).collect();
        let _ = writeln!(
            md,
            "| {} | {:.2} | {:.2} | {} | {} |",
            g.resources,
            g.seconds,
            g.cpu_seconds,
            rounds.join(", "),
            g.lines
        );
    }
    let _ = writeln!(
        md,
        "\nCompile time of each generated crate (`cargo build`, dev profile, the crate alone, its \
         dependencies already built):\n"
    );
    let _ = writeln!(
        md,
        "| crate | resources | lines | seconds |\n|---|---|---|---|"
    );
    for c in &generation.compile {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.1} |",
            c.name, c.resources, c.lines, c.seconds
        );
    }
    let _ = writeln!(md);
}

/// The hand-written part of the report: how to read it and why the figures are what they are.
const NOTES: &str = include_str!("../notes.md");
