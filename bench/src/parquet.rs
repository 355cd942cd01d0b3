//! The Parquet benchmark of issue 20: 100k records from the loopback mock's offset resource
//! (pages of 1000) to a Parquet file, restgen's extract command against dlt's pipeline into
//! the `filesystem` destination with `loader_file_format="parquet"`, each in a process of its
//! own against the same mock, rounds alternating: wall time, records/s, CPU, peak RSS and
//! file size side by side, and the targets checked.
//!
//! restgen's contender is the generated crate's own command, as a user runs it:
//! `loopback_extract offset_items --format parquet --out F --base-url U` (the `loopback`
//! crate's example, built in release), timed from outside by `parquet-extract`, which runs it
//! as its only child so that `getrusage` gives that program's CPU time and peak RSS.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::measure;
use crate::report::Sample;

/// The targets of issue 20.
const TARGET_RATIO: f64 = 30.0;
const TARGET_RSS_BYTES: u64 = 64_000_000;

/// Options of `parquet-extract`.
#[derive(clap::Args)]
pub struct ExtractArgs {
    /// The extract command (`target/release/examples/loopback_extract`).
    #[arg(long)]
    pub extract: PathBuf,
    /// The scenario's base URL (`http://127.0.0.1:<port>/<records>/0/identity/`).
    #[arg(long)]
    pub base: String,
    /// The Parquet file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// One restgen run: the extract command writes every page of `offset_items` into a Parquet
/// file; prints its sample (wall time from start to exit, the program's CPU time and peak
/// RSS), with the records and id sum read back from the file after the clock stops.
pub fn extract(args: &ExtractArgs) -> Result<()> {
    let started = Instant::now();
    let output = Command::new(&args.extract)
        .args([
            "offset_items",
            "--format",
            "parquet",
            "--base-url",
            &args.base,
        ])
        .arg("--out")
        .arg(&args.out)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", args.extract.display()))?;
    let elapsed_s = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!(
            "{} failed ({}): {}",
            args.extract.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (cpu_s, peak_rss_kib) = measure::children_usage()?;
    let (records, id_sum) = read_ids(&args.out)?;
    let sample = Sample {
        records,
        id_sum,
        bytes: std::fs::metadata(&args.out)?.len(),
        elapsed_s,
        cpu_s,
        peak_rss_kib,
    };
    println!("{}", serde_json::to_string(&sample)?);
    Ok(())
}

/// The rows of a Parquet file and the sum of their `id` column.
fn read_ids(path: &Path) -> Result<(u64, u64)> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use parquet::arrow::ProjectionMask;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path)?)?;
    let id = builder
        .schema()
        .index_of("id")
        .context("the file has no id column")?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), [id]);
    let (mut records, mut id_sum) = (0u64, 0u64);
    for batch in builder.with_projection(mask).build()? {
        let batch = batch?;
        let ids = batch.column(0).as_primitive::<Int64Type>();
        records += ids.len() as u64;
        id_sum += ids.iter().flatten().map(|id| id as u64).sum::<u64>();
    }
    Ok((records, id_sum))
}

/// Options of `parquet`.
#[derive(clap::Args)]
pub struct SuiteArgs {
    /// The venv's Python, for the dlt runs (leave out to skip dlt).
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// The dlt script.
    #[arg(long, default_value = "bench/python/dlt_parquet.py")]
    pub script: PathBuf,
    /// The extract command (default: `examples/loopback_extract` beside this program, as
    /// `cargo build --release -p loopback --example loopback_extract` leaves it).
    #[arg(long)]
    pub extract: Option<PathBuf>,
    /// Records in the run.
    #[arg(long, default_value_t = 100_000)]
    pub records: usize,
    /// Rounds per contender (alternating); the median is reported.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Where the files go (removed after each run).
    #[arg(long, default_value = "target/bench/parquet")]
    pub work: PathBuf,
}

/// One contender's rounds.
struct Row {
    label: &'static str,
    samples: Vec<Sample>,
}

/// Runs restgen and dlt against one mock, alternating, and prints the tables.
pub fn suite(args: &SuiteArgs) -> Result<()> {
    std::fs::create_dir_all(&args.work)?;
    let exe = std::env::current_exe()?;
    let extract = match &args.extract {
        Some(path) => path.clone(),
        None => exe
            .parent()
            .context("restgen-bench has no directory")?
            .join("examples")
            .join(format!("loopback_extract{}", std::env::consts::EXE_SUFFIX)),
    };
    if !extract.is_file() {
        bail!(
            "{} is not built: cargo build --release -p loopback --example loopback_extract",
            extract.display()
        );
    }
    let load_before = load_average();
    let (mut mock, addr) = crate::fanout::start_mock(
        Command::new(&exe)
            .args(["serve", "--records", &args.records.to_string()])
            .stderr(Stdio::null()),
    )?;
    let base = format!("http://{addr}/{}/0/identity/", args.records);
    let result = rounds(args, &exe, &extract, &base, mock.id());
    let _ = mock.kill();
    let _ = mock.wait();
    let (rows, mock_cpu) = result?;
    print_report(args, &rows, &mock_cpu, &load_before, &load_average());
    Ok(())
}

/// The median of each contender's rounds, the ratio and the targets, as Markdown.
fn print_report(args: &SuiteArgs, rows: &[Row], mock_cpu: &[f64], before: &str, after: &str) {
    let n = args.records as f64;
    println!(
        "Parquet (issue #20): {} records of about 520 bytes from the loopback mock's offset \
         resource (pages of 1000, zero latency) into one Parquet file; {} rounds, the \
         contenders alternating, each run a process of its own; the median round by wall \
         time is shown. {} cores; load average before: {before}, after: {after}.\n",
        args.records,
        args.rounds.max(1),
        std::thread::available_parallelism().map_or(0, usize::from),
    );
    println!(
        "| contender | wall s | records/s | CPU s | peak RSS MiB | file MiB | wall s, every round |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    for row in rows {
        let s = median(&row.samples);
        let all: Vec<String> = row
            .samples
            .iter()
            .map(|s| format!("{:.2}", s.elapsed_s))
            .collect();
        println!(
            "| {} | {:.2} | {:.0} | {:.2} | {:.1} | {:.1} | {} |",
            row.label,
            s.elapsed_s,
            n / s.elapsed_s,
            s.cpu_s,
            s.peak_rss_kib as f64 / 1024.0,
            s.bytes as f64 / (1024.0 * 1024.0),
            all.join(", ")
        );
    }
    println!(
        "\nThe mock spent {:.2} CPU s serving each restgen round (median; it serves pages cut \
         from one pre-rendered buffer).\n",
        median_of(mock_cpu)
    );
    let restgen = median(&rows[0].samples);
    let rss_bytes = restgen.peak_rss_kib * 1024;
    println!("| target | measured | met |");
    println!("|---|---|---|");
    if let Some(dlt) = rows.get(1).map(|row| median(&row.samples)) {
        let ratio = dlt.elapsed_s / restgen.elapsed_s;
        let cpu_ratio = dlt.cpu_s / restgen.cpu_s;
        println!(
            "| ≥ {TARGET_RATIO:.0}× dlt's records/s | {ratio:.1}× by wall time ({:.0} against \
             {:.0} records/s); {cpu_ratio:.1}× by CPU time | {} |",
            n / restgen.elapsed_s,
            n / dlt.elapsed_s,
            verdict(ratio >= TARGET_RATIO)
        );
    } else {
        println!("| ≥ {TARGET_RATIO:.0}× dlt's records/s | dlt not run (--no-dlt) | n/a |");
    }
    println!(
        "| restgen peak RSS under 64 MB | {:.1} MiB ({:.1} MB) | {} |",
        restgen.peak_rss_kib as f64 / 1024.0,
        rss_bytes as f64 / 1e6,
        verdict(rss_bytes < TARGET_RSS_BYTES)
    );
}

fn verdict(met: bool) -> &'static str {
    if met { "yes" } else { "**no**" }
}

/// The contenders' rounds, and the mock's CPU time during each restgen round.
fn rounds(
    args: &SuiteArgs,
    exe: &Path,
    extract: &Path,
    base: &str,
    mock: u32,
) -> Result<(Vec<Row>, Vec<f64>)> {
    let mut restgen = Vec::new();
    let mut dlt = Vec::new();
    let mut mock_cpu = Vec::new();
    let n = args.records as u64;
    let want = (n, n * n.saturating_sub(1) / 2);
    for round in 0..args.rounds.max(1) {
        let out = args.work.join(format!("restgen-{round}.parquet"));
        let mock_before = measure::cpu_seconds_of(mock);
        let sample = measure::reported(
            &Command::new(exe)
                .args(["parquet-extract", "--base", base, "--out"])
                .arg(&out)
                .arg("--extract")
                .arg(extract)
                .output()?,
        )?;
        mock_cpu.push(measure::cpu_seconds_of(mock) - mock_before);
        let _ = std::fs::remove_file(&out);
        check("restgen", &sample, want)?;
        eprintln!("round {}: restgen {:.2} s", round + 1, sample.elapsed_s);
        restgen.push(sample);
        if let Some(python) = &args.python {
            let sample = measure::reported(
                &Command::new(python)
                    .arg(&args.script)
                    .args(["--base", base, "--out"])
                    .arg(&args.work)
                    .output()?,
            )?;
            check("dlt", &sample, want)?;
            eprintln!("round {}: dlt {:.2} s", round + 1, sample.elapsed_s);
            dlt.push(sample);
        }
    }
    let mut rows = vec![Row {
        label: "restgen `loopback_extract offset_items --format parquet`",
        samples: restgen,
    }];
    if !dlt.is_empty() {
        rows.push(Row {
            label: "dlt pipeline → filesystem, parquet",
            samples: dlt,
        });
    }
    Ok((rows, mock_cpu))
}

fn check(label: &str, s: &Sample, (records, id_sum): (u64, u64)) -> Result<()> {
    if (s.records, s.id_sum) != (records, id_sum) {
        bail!(
            "{label}: {} records, id sum {} (expected {records}, {id_sum})",
            s.records,
            s.id_sum
        );
    }
    Ok(())
}

/// The sample of median wall time.
fn median(samples: &[Sample]) -> Sample {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.elapsed_s.total_cmp(&b.elapsed_s));
    sorted[sorted.len() / 2]
}

fn median_of(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`), or `n/a`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "n/a".into())
}
