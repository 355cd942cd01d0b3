//! The comparison: starts the mock, runs every scenario with its contenders alternating (each
//! round starts with a different one, so drift in machine load spreads over all of them), checks
//! that every run received every record exactly once, and hands the samples to the report.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::contenders::Contender;
use crate::mock::Style;
use crate::report::{self, Generation, Outcome, Sample};

/// Options of `restgen-bench suite`.
#[derive(Debug, Clone, clap::Args)]
pub struct SuiteArgs {
    /// The Python of the pinned dlt venv (`cargo xtask bench` passes it).
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// The dlt contender script.
    #[arg(long, default_value = "bench/python/dlt_client.py")]
    pub dlt_script: PathBuf,
    /// Where the Markdown report goes; the chart is written next to it (`.svg`).
    #[arg(long)]
    pub out: PathBuf,
    /// Generation timings measured by `cargo xtask bench` (JSON), added to the report.
    #[arg(long)]
    pub generation: Option<PathBuf>,
    /// Small N and one round: a smoke run of every code path in well under a minute.
    #[arg(long)]
    pub quick: bool,
    /// Rounds per scenario (default: 3 at 100k records, 2 at 1M; 1 in quick mode).
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Leave dlt out (no Python needed).
    #[arg(long)]
    pub no_dlt: bool,
}

/// Which part of the report a scenario belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Zero latency, identity encoding: decoding speed against the wire.
    Throughput,
    /// Added latency per response: overlap and concurrency.
    Latency,
    /// gzip and brotli bodies.
    Encoding,
}

/// One setting of the mock and the pages asked for.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Scenario {
    /// Report section.
    pub group: Group,
    /// Records in the data set (N).
    pub records: usize,
    /// Records per page.
    pub page_size: usize,
    /// Pagination style.
    pub style: Style,
    /// Delay the mock adds to each response.
    pub latency_ms: u64,
    /// `identity`, `gzip` or `br`.
    pub encoding: String,
}

impl Scenario {
    /// Pages one sequential run requests.
    pub fn pages(&self) -> usize {
        self.records.div_ceil(self.page_size).max(1)
    }
}

/// Who runs in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A Rust contender of this binary.
    Rust(Contender),
    /// dlt's RESTClient in the pinned venv.
    Dlt,
}

/// A contender with its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entrant {
    /// Who.
    pub kind: Kind,
    /// `.concurrency(n)` of the generated client; 1 for everyone else.
    pub concurrency: usize,
}

impl Entrant {
    const RESTGEN: Entrant = Entrant::rust(Contender::Restgen);
    const HANDWRITTEN: Entrant = Entrant::rust(Contender::Handwritten);
    const BYTES: Entrant = Entrant::rust(Contender::BytesOnly);
    const DLT: Entrant = Entrant {
        kind: Kind::Dlt,
        concurrency: 1,
    };

    const fn rust(contender: Contender) -> Entrant {
        Entrant {
            kind: Kind::Rust(contender),
            concurrency: 1,
        }
    }

    /// The label in tables and charts.
    pub fn label(&self) -> String {
        let name = match self.kind {
            Kind::Rust(Contender::Restgen) => "restgen",
            Kind::Rust(Contender::Handwritten) => "hand-written",
            Kind::Rust(Contender::BytesOnly) => "bytes only",
            Kind::Dlt => "dlt",
        };
        if self.concurrency > 1 {
            format!("{name} ×{}", self.concurrency)
        } else {
            name.to_string()
        }
    }
}

/// Every scenario of a run, with its entrants and rounds.
fn plan(args: &SuiteArgs) -> Vec<(Scenario, Vec<Entrant>, usize)> {
    let dlt = !args.no_dlt;
    let rounds = |records: usize| {
        args.rounds.unwrap_or(if args.quick {
            1
        } else if records >= 1_000_000 {
            2
        } else {
            3
        })
    };
    let styles = [Style::Cursor, Style::Offset, Style::PageNumber];
    let (sizes, latency_n, latency_ms): (&[usize], usize, u64) = if args.quick {
        (&[20_000], 5_000, 20)
    } else {
        (&[100_000, 1_000_000], 100_000, 50)
    };
    // The generated client, sequential and (for range paginators) with `.concurrency(n)`,
    // the hand-written reference, the bytes-only limit and dlt.
    let entrants = |style: Style, concurrency: usize, latency: bool| {
        let mut entrants = vec![Entrant::RESTGEN, Entrant::HANDWRITTEN, Entrant::BYTES];
        // With latency, `.concurrency(n)` matters where it fetches pages at once; at zero
        // latency it also decodes two pages at once, for every style.
        if style != Style::Cursor || !latency {
            entrants.push(Entrant {
                concurrency,
                ..Entrant::RESTGEN
            });
        }
        if dlt {
            entrants.push(Entrant::DLT);
        }
        entrants
    };
    let scenario = |group, records, page_size, style, latency_ms| Scenario {
        group,
        records,
        page_size,
        style,
        latency_ms,
        encoding: "identity".into(),
    };
    let mut plan = Vec::new();
    for &records in sizes {
        for page_size in [100, 1000] {
            for style in styles {
                plan.push((
                    scenario(Group::Throughput, records, page_size, style, 0),
                    entrants(style, 4, false),
                    rounds(records),
                ));
            }
        }
    }
    for style in styles {
        plan.push((
            scenario(Group::Latency, latency_n, 1000, style, latency_ms),
            entrants(style, 8, true),
            args.rounds.unwrap_or(if args.quick { 1 } else { 2 }),
        ));
    }
    for encoding in ["identity", "gzip", "br"] {
        let scenario = Scenario {
            encoding: encoding.into(),
            ..scenario(Group::Encoding, sizes[0], 1000, Style::Cursor, 0)
        };
        let entrants = vec![Entrant::RESTGEN, Entrant::HANDWRITTEN, Entrant::BYTES];
        plan.push((scenario, entrants, rounds(sizes[0])));
    }
    plan
}

/// The mock process, killed when dropped.
struct Mock {
    child: Child,
    addr: String,
}

impl Drop for Mock {
    fn drop(&mut self) {
        // Only the mock this suite started, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Mock {
    fn start(records: usize) -> Result<Mock> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .args(["serve", "--records", &records.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .context("starting the mock")?;
        let stdout = child.stdout.take().context("the mock's stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening ")
            .context("the mock did not say where it listens")?
            .to_string();
        Ok(Mock { child, addr })
    }

    /// Connections the mock has accepted so far (this query's own included).
    fn connections(&self) -> Result<u64> {
        let mut stream = TcpStream::connect(&self.addr)?;
        write!(
            stream,
            "GET /stats HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
        let stats: serde_json::Value = serde_json::from_str(body)?;
        stats["connections"].as_u64().context("no connection count")
    }
}

/// Runs everything and writes the report.
pub fn run(args: &SuiteArgs) -> Result<()> {
    let plan = plan(args);
    let largest = plan.iter().map(|(s, _, _)| s.records).max().unwrap_or(0);
    eprintln!("rendering {largest} records for the mock...");
    let mock = Mock::start(largest)?;
    let load_before = load_average();
    let mut outcomes = Vec::new();
    for (scenario, entrants, rounds) in &plan {
        let mut outcome: Vec<Outcome> = entrants
            .iter()
            .map(|e| Outcome {
                scenario: scenario.clone(),
                entrant: *e,
                samples: Vec::new(),
                connections: Vec::new(),
            })
            .collect();
        if scenario.encoding != "identity" {
            // The mock compresses each page on its first request and caches it: one untimed
            // pass, so no contender pays for the compression.
            run_one(args, &mock, scenario, Entrant::BYTES)?;
        }
        for round in 0..*rounds {
            for i in 0..entrants.len() {
                let at = (i + round) % entrants.len();
                let entrant = entrants[at];
                let before = mock.connections()?;
                let sample = run_one(args, &mock, scenario, entrant)?;
                let opened = mock.connections()?.saturating_sub(before + 1);
                check(scenario, entrant, &sample)?;
                eprintln!(
                    "{:?} n={} ps={} {} {}ms {}: {:<14} {:>10.0} rec/s  {:>6.1} MB  {} conn",
                    scenario.group,
                    scenario.records,
                    scenario.page_size,
                    scenario.style.as_str(),
                    scenario.latency_ms,
                    scenario.encoding,
                    entrant.label(),
                    sample.records as f64 / sample.elapsed_s,
                    sample.peak_rss_kib as f64 / 1024.0,
                    opened
                );
                outcome[at].samples.push(sample);
                outcome[at].connections.push(opened);
            }
        }
        outcomes.extend(outcome);
    }
    let load_after = load_average();
    let generation: Option<Generation> = match &args.generation {
        Some(path) => Some(serde_json::from_str(
            &std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
        )?),
        None => None,
    };
    let run = report::Run {
        quick: args.quick,
        load_before,
        load_after,
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        outcomes,
        generation,
    };
    report::write(&run, &args.out)
}

fn run_one(args: &SuiteArgs, mock: &Mock, scenario: &Scenario, entrant: Entrant) -> Result<Sample> {
    let base = format!(
        "http://{}/{}/{}/{}/",
        mock.addr, scenario.records, scenario.latency_ms, scenario.encoding
    );
    let size = scenario.page_size.to_string();
    let mut command = match entrant.kind {
        Kind::Rust(contender) => {
            let mut command = Command::new(std::env::current_exe()?);
            let name = match contender {
                Contender::Restgen => "restgen",
                Contender::Handwritten => "handwritten",
                Contender::BytesOnly => "bytes-only",
            };
            command.args(["client", "--contender", name]);
            command.args(["--concurrency", &entrant.concurrency.to_string()]);
            command
        }
        Kind::Dlt => {
            let python = args
                .python
                .as_ref()
                .context("dlt runs need --python (or pass --no-dlt)")?;
            let mut command = Command::new(python);
            command.arg(&args.dlt_script);
            command
        }
    };
    command.args([
        "--base",
        &base,
        "--style",
        scenario.style.as_str().replace('_', "-").as_str(),
    ]);
    command.args(["--page-size", &size]);
    let output = command.stderr(Stdio::inherit()).output()?;
    if !output.status.success() {
        bail!(
            "{} failed ({}) in {scenario:?}",
            entrant.label(),
            output.status
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or("");
    serde_json::from_str(line).with_context(|| format!("{}'s output `{line}`", entrant.label()))
}

/// Every record exactly once: the count, and the sum of the ids.
fn check(scenario: &Scenario, entrant: Entrant, sample: &Sample) -> Result<()> {
    let n = scenario.records as u64;
    let expected_sum = n * n.saturating_sub(1) / 2;
    let sum_checked = entrant.kind != Kind::Rust(Contender::BytesOnly);
    if sample.records != n || (sum_checked && sample.id_sum != expected_sum) {
        bail!(
            "{} received {} records (id sum {}) in {scenario:?}; expected {n} (id sum {expected_sum})",
            entrant.label(),
            sample.records,
            sample.id_sum
        );
    }
    Ok(())
}

/// The 1-minute load average, to say how busy the machine was.
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}
