//! `restgen-bench`, the release-mode benchmark `cargo xtask bench` builds and launches:
//!
//! - `serve`: the loopback mock over pre-rendered records (its own process);
//! - `client`: one run of one Rust contender, printing a JSON sample (its own process, so its
//!   peak RSS is its own);
//! - `suite`: starts the mock, runs every scenario with the contenders alternating (the
//!   generated client, the hand-written reference, dlt's RESTClient, the bytes-only limit),
//!   and writes the report with its chart;
//! - `decode`: the CPU side of one page, step by step, without I/O;
//! - `slow`: benchmarks (2) and (3) of issue #18, against a mock that adds 50 ms per response;
//! - `parquet`: issue 20's 100k records to a Parquet file, the generated crate's extract
//!   command against dlt's pipeline (`parquet-extract` times one run of the command).

mod chart;
mod contenders;
mod corpus;
mod decode;
mod fanout;
mod measure;
mod mock;
mod parquet;
mod report;
mod slow;
mod suite;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "restgen-bench",
    about = "restgen's benchmark (run it with `cargo xtask bench`)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the loopback mock; prints `listening <addr>` once it accepts connections.
    Serve {
        /// Records rendered (the largest scenario's N).
        #[arg(long)]
        records: usize,
    },
    /// Run one contender once and print its sample as one JSON line.
    Client {
        /// The contender.
        #[arg(long, value_enum)]
        contender: contenders::Contender,
        #[command(flatten)]
        job: contenders::Job,
    },
    /// Run the whole comparison and write the report.
    Suite(suite::SuiteArgs),
    /// Write the report again from the raw samples of a run (after editing bench/notes.md).
    Report {
        /// The raw samples (`benchmarks.json` next to the report).
        #[arg(long)]
        from: std::path::PathBuf,
        /// The Markdown report to write; the chart goes next to it.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Benchmark (1) of issue 18: the fan-out against dlt, sequential and parallelized.
    Fanout(fanout::SuiteArgs),
    /// The fan-out benchmark's mock; prints `listening <addr>`.
    FanoutServe(fanout::ServeArgs),
    /// One restgen run of the fan-out benchmark, printing its sample as one JSON line.
    FanoutClient(fanout::ClientArgs),
    /// Paging without a total and a rate-limited fan-out, 50 ms per response, against dlt.
    Slow(slow::SlowArgs),
    /// Issue 20: 100k records to a Parquet file, restgen against dlt's pipeline.
    Parquet(parquet::SuiteArgs),
    /// One restgen run of the Parquet benchmark: runs the extract command, prints its sample
    /// as one JSON line.
    ParquetExtract(parquet::ExtractArgs),
    /// Time the CPU side of one page, step by step, with no I/O.
    Decode {
        /// Records per page.
        #[arg(long, default_value_t = 1000)]
        page_size: usize,
        /// Seconds per step.
        #[arg(long, default_value_t = 1.0)]
        seconds: f64,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve { records } => serve(records),
        Command::Client { contender, job } => client(contender, &job),
        Command::Suite(args) => suite::run(&args),
        Command::Slow(args) => slow::run(&args),
        Command::Decode { page_size, seconds } => decode::run(page_size, seconds),
        Command::Report { from, out } => report::rewrite(&from, &out),
        Command::Fanout(args) => fanout::suite(&args),
        Command::FanoutServe(args) => fanout::serve(&args),
        Command::FanoutClient(args) => fanout::client(&args),
        Command::Parquet(args) => parquet::suite(&args),
        Command::ParquetExtract(args) => parquet::extract(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(records: usize) -> Result<()> {
    let corpus = corpus::Corpus::render(records)?;
    eprintln!(
        "mock: {} records of {} bytes on average",
        corpus.len(),
        corpus.mean_record_bytes()
    );
    // One thread: the mock keeps one core to itself and leaves the other to the client.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("listening {}", listener.local_addr()?);
        mock::serve(listener, Arc::new(mock::MockState::new(corpus))).await
    })
}

fn client(contender: contenders::Contender, job: &contenders::Job) -> Result<()> {
    // The multi-threaded runtime `#[tokio::main]` gives by default, for every Rust contender.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cpu_started = measure::cpu_seconds();
    let started = Instant::now();
    let tally = runtime.block_on(contenders::run(contender, job))?;
    let sample = report::Sample {
        records: tally.records,
        id_sum: tally.id_sum,
        bytes: tally.bytes,
        elapsed_s: started.elapsed().as_secs_f64(),
        cpu_s: measure::cpu_seconds() - cpu_started,
        peak_rss_kib: measure::peak_rss_kib(),
    };
    println!("{}", serde_json::to_string(&sample)?);
    Ok(())
}
