//! The Parquet benchmark of issue 20: 100k records from the loopback mock's offset resource
//! (pages of 1000) to a Parquet file, restgen against dlt's pipeline into the `filesystem`
//! destination with `loader_file_format="parquet"`, each in its own process against the same
//! mock, side by side: wall time, records/s, CPU and peak RSS.
//!
//! restgen's side is what the extract command does with `--format parquet`: the typed
//! client's pages, each record serialized to a JSON value, through `restgen-writers`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use futures::TryStreamExt;
use restgen_writers::{Format, Writer};

use crate::measure;
use crate::report::Sample;

/// Options of `parquet-client`.
#[derive(clap::Args)]
pub struct ClientArgs {
    /// The scenario's base URL (`http://127.0.0.1:<port>/<records>/0/identity/`).
    #[arg(long)]
    pub base: String,
    /// The Parquet file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// One restgen run: every page of `offset_items` into a Parquet file; prints its sample, the
/// records and id sum read back from the file after the clock stops.
pub fn client(args: &ClientArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cpu_started = measure::cpu_seconds();
    let started = Instant::now();
    runtime.block_on(async {
        let client = loopback::Client::builder().base_url(&args.base).build()?;
        let shape = &loopback::descriptors::shapes::OFFSET_ITEMS;
        let mut writer = Writer::create(Format::Parquet, Some(&args.out), shape)?;
        let mut pages = client.offset_items().pages();
        let mut values = Vec::new();
        while let Some(page) = pages.try_next().await? {
            values.clear();
            for record in &page.records {
                values.push(serde_json::to_value(record)?);
            }
            writer.write_page(&values)?;
        }
        writer.finish()?;
        anyhow::Ok(())
    })?;
    let elapsed_s = started.elapsed().as_secs_f64();
    let cpu_s = measure::cpu_seconds() - cpu_started;
    let peak_rss_kib = measure::peak_rss_kib();
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

/// Runs restgen and dlt against one mock, alternating, and prints a Markdown table.
pub fn suite(args: &SuiteArgs) -> Result<()> {
    std::fs::create_dir_all(&args.work)?;
    let exe = std::env::current_exe()?;
    let (mut mock, addr) = crate::fanout::start_mock(
        Command::new(&exe)
            .args(["serve", "--records", &args.records.to_string()])
            .stderr(Stdio::null()),
    )?;
    let base = format!("http://{addr}/{}/0/identity/", args.records);
    let result = rounds(args, &exe, &base);
    let _ = mock.kill();
    let _ = mock.wait();
    let rows = result?;
    let n = args.records as u64;
    println!(
        "Parquet: {} records of about 520 bytes, offset pages of 1000, zero latency; median of {} rounds",
        args.records, args.rounds
    );
    println!("| contender | wall s | records/s | CPU s | peak RSS MiB | file MiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut rates = Vec::new();
    for (label, samples) in &rows {
        let s = median(samples);
        let rate = n as f64 / s.elapsed_s;
        rates.push(rate);
        println!(
            "| {label} | {:.2} | {:.0} | {:.2} | {:.1} | {:.1} |",
            s.elapsed_s,
            rate,
            s.cpu_s,
            s.peak_rss_kib as f64 / 1024.0,
            s.bytes as f64 / (1024.0 * 1024.0)
        );
    }
    if let [restgen, dlt] = rates[..] {
        println!(
            "ratio: {:.1}x dlt's records/s (target 30x); restgen peak RSS {:.1} MiB (target < 64 MB)",
            restgen / dlt,
            median(&rows[0].1).peak_rss_kib as f64 / 1024.0
        );
    }
    Ok(())
}

type Rows = Vec<(&'static str, Vec<Sample>)>;

fn rounds(args: &SuiteArgs, exe: &Path, base: &str) -> Result<Rows> {
    let mut restgen = Vec::new();
    let mut dlt = Vec::new();
    let n = args.records as u64;
    let want = (n, n * n.saturating_sub(1) / 2);
    for round in 0..args.rounds.max(1) {
        let out = args.work.join(format!("restgen-{round}.parquet"));
        let sample = parse(
            Command::new(exe)
                .args(["parquet-client", "--base", base, "--out"])
                .arg(&out)
                .output()?,
        )?;
        let _ = std::fs::remove_file(&out);
        check("restgen", &sample, want)?;
        eprintln!("restgen: {:.2} s", sample.elapsed_s);
        restgen.push(sample);
        if let Some(python) = &args.python {
            let sample = parse(
                Command::new(python)
                    .arg(&args.script)
                    .args(["--base", base, "--out"])
                    .arg(&args.work)
                    .output()?,
            )?;
            check("dlt", &sample, want)?;
            eprintln!("dlt: {:.2} s", sample.elapsed_s);
            dlt.push(sample);
        }
    }
    let mut rows: Rows = vec![("restgen (typed pages → restgen-writers)", restgen)];
    if !dlt.is_empty() {
        rows.push(("dlt pipeline → filesystem, parquet", dlt));
    }
    Ok(rows)
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

fn parse(out: std::process::Output) -> Result<Sample> {
    if !out.status.success() {
        bail!(
            "a contender failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().context("no sample printed")?;
    Ok(serde_json::from_str(line)?)
}
