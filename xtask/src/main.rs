//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `generate [API...] [--check]`: regenerate `generated/<api>/` from `specs/<api>/`
//!   atomically, or (with `--check`) list the stale files and fail.
//! - `run <spec> <resource>`: page through a resource straight from its spec, no codegen.
//! - `dlt-env`: set up the pinned dlt (the differential oracle) and print its interpreter.
//! - `bench [--quick]`: generation and compile times, then the release-mode comparison with
//!   a hand-written client and dlt; writes `docs/benchmarks.md` and its chart.

mod bench;
mod benchgen;
mod generate;
mod pyenv;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "restgen project tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate the client crates under generated/ from specs/.
    Generate {
        /// Only these APIs (folder names under specs/); all when none are given.
        apis: Vec<String>,
        /// Write nothing; fail and list the files that are stale.
        #[arg(long)]
        check: bool,
    },
    /// Page through a resource straight from its spec (no code generation); prints JSON lines.
    Run(run::RunOptions),
    /// Create (once) the venv with the pinned dlt under target/ and print its Python.
    DltEnv,
    /// Benchmark generation and the generated client against a hand-written one and dlt.
    Bench(bench::BenchOptions),
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let result = match cli.task {
        Task::Generate { apis, check } => generate::run(&root, &apis, check),
        Task::Run(options) => run::run(&root, options),
        Task::Bench(options) => bench::run(&root, options),
        Task::DltEnv => pyenv::dlt_python(&root).map(|python| {
            println!("{}", python.display());
            ExitCode::SUCCESS
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
