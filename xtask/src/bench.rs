//! `cargo xtask bench [--quick]`: times generation on synthetic specs (here, in the profile
//! `cargo xtask generate` runs in) and the compile time of each generated crate, then builds
//! the release-mode `restgen-bench` and runs its suite against the loopback mock, with dlt from
//! the pinned venv. Writes `docs/benchmarks.md` and its chart (a quick run writes under
//! `target/bench/` instead, leaving the checked-in report alone).
//!
//! Slow and noisy by nature: never part of CI or of the tests.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::benchgen::Compile;
use crate::pyenv;

/// Options of `cargo xtask bench`.
#[derive(clap::Args)]
pub struct BenchOptions {
    /// A smoke run: small N, one round, small synthetic specs; writes under target/bench/.
    #[arg(long)]
    pub quick: bool,
    /// Rounds per scenario (default: 3 at 100k records, 2 at 1M).
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Leave dlt out (no Python or network needed).
    #[arg(long)]
    pub no_dlt: bool,
    /// Skip the generation and compile-time measurements.
    #[arg(long)]
    pub no_generation: bool,
    /// Also compile the 1000-resource synthetic crate (minutes).
    #[arg(long)]
    pub compile_large: bool,
    /// Skip the compile-time measurements (generation is still timed).
    #[arg(long, conflicts_with = "compile_large")]
    pub no_compile: bool,
    /// Only the generation and compile-time measurements; print them and stop.
    #[arg(long, conflicts_with = "no_generation")]
    pub generation_only: bool,
    /// Only benchmark (1) of issue 18, the fan-out against dlt (sequential and parallelized)
    /// with 50 ms per response; prints its table (copy it into docs/benchmarks.md).
    #[arg(long)]
    pub fanout: bool,
    /// Only the Parquet benchmark of issue 20: 100k records to a Parquet file, the generated
    /// `loopback_extract --format parquet` against dlt's pipeline (filesystem destination,
    /// parquet); prints its tables, with the targets checked, for docs/benchmarks.md.
    #[arg(long, conflicts_with_all = ["generation_only", "quick", "fanout", "slow"])]
    pub parquet: bool,
    /// Where the report goes (default: docs/benchmarks.md, or target/bench/ with --quick).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only the slow-API benchmarks (issue #18: paging without a total, a rate-limited
    /// fan-out; 50 ms per response): prints their table for docs/benchmarks.md.
    #[arg(long, conflicts_with_all = ["generation_only", "quick"])]
    pub slow: bool,
}

/// Runs the task from the workspace `root`.
pub fn run(root: &Path, options: BenchOptions) -> Result<ExitCode> {
    if options.fanout {
        return run_fanout(root, &options);
    }
    if options.slow {
        return slow(root, &options);
    }
    if options.parquet {
        // restgen's contender is the generated crate's extract command, as a user builds it
        eprintln!("building loopback_extract (release)...");
        cargo(
            root,
            &[
                "build",
                "--release",
                "-p",
                "loopback",
                "--example",
                "loopback_extract",
            ],
        )?;
        return side_by_side(root, &options, "parquet");
    }
    let work = root.join("target").join("bench");
    std::fs::create_dir_all(&work)?;
    let generation = if options.no_generation {
        None
    } else {
        let compile = if options.no_compile {
            Compile::None
        } else if options.compile_large {
            Compile::All
        } else {
            Compile::Usual
        };
        let figures = crate::benchgen::measure(root, &work, options.quick, compile)?;
        let path = work.join("generation.json");
        std::fs::write(&path, &figures)?;
        if options.generation_only {
            println!("{figures}");
            return Ok(ExitCode::SUCCESS);
        }
        Some(path)
    };
    eprintln!("building restgen-bench (release)...");
    cargo(root, &["build", "--release", "-p", "restgen-bench"])?;
    let python = if options.no_dlt {
        None
    } else {
        Some(pyenv::dlt_python(root)?)
    };
    let out = options.out.clone().unwrap_or_else(|| {
        if options.quick {
            work.join("quick").join("benchmarks.md")
        } else {
            root.join("docs").join("benchmarks.md")
        }
    });
    let exe = root
        .join("target")
        .join("release")
        .join(format!("restgen-bench{}", std::env::consts::EXE_SUFFIX));
    let mut suite = Command::new(exe);
    suite.current_dir(root).arg("suite").arg("--out").arg(&out);
    if options.quick {
        suite.arg("--quick");
    }
    if let Some(rounds) = options.rounds {
        suite.args(["--rounds", &rounds.to_string()]);
    }
    match &python {
        Some(python) => suite.arg("--python").arg(python),
        None => suite.arg("--no-dlt"),
    };
    if let Some(generation) = &generation {
        suite.arg("--generation").arg(generation);
    }
    let started = Instant::now();
    let status = suite.status().context("starting restgen-bench")?;
    eprintln!("suite took {:.0} s", started.elapsed().as_secs_f64());
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `--slow`: benchmarks (2) and (3) of issue #18, restgen and dlt side by side.
fn slow(root: &Path, options: &BenchOptions) -> Result<ExitCode> {
    eprintln!("building restgen-bench (release)...");
    cargo(root, &["build", "--release", "-p", "restgen-bench"])?;
    let exe = root
        .join("target")
        .join("release")
        .join(format!("restgen-bench{}", std::env::consts::EXE_SUFFIX));
    let mut run = Command::new(exe);
    run.current_dir(root).arg("slow");
    if !options.no_dlt {
        run.arg("--python").arg(pyenv::dlt_python(root)?);
    }
    let status = run.status().context("starting restgen-bench slow")?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Runs cargo with `args` in `root`, failing on a non-zero exit.
fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(args)
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed: {status}", args.join(" "));
    }
    Ok(())
}

/// `--fanout`: builds restgen-bench and runs its `fanout` suite, dlt from the pinned venv.
fn run_fanout(root: &Path, options: &BenchOptions) -> Result<ExitCode> {
    side_by_side(root, options, "fanout")
}

/// Builds restgen-bench and runs its suite `command` (`fanout`, `parquet`), dlt from the
/// pinned venv.
fn side_by_side(root: &Path, options: &BenchOptions, command: &str) -> Result<ExitCode> {
    eprintln!("building restgen-bench (release)...");
    cargo(root, &["build", "--release", "-p", "restgen-bench"])?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let exe = target
        .join("release")
        .join(format!("restgen-bench{}", std::env::consts::EXE_SUFFIX));
    let mut suite = Command::new(exe);
    suite.current_dir(root).arg(command);
    if !options.no_dlt {
        suite.arg("--python").arg(pyenv::dlt_python(root)?);
    }
    if let Some(rounds) = options.rounds.filter(|_| command == "parquet") {
        suite.arg("--rounds").arg(rounds.to_string());
    }
    let status = suite.status().context("starting restgen-bench")?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
