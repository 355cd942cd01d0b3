//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `generate [API...] [--check]`: regenerate `generated/<api>/` from `specs/<api>/`
//!   atomically, or (with `--check`) list the stale files and fail.
//! - `run <spec> <resource>`: page through a resource straight from its spec, no codegen.
//! - `import <file> [--name API] [--out DIR]`: a dlt config (Python, JSON or a document with
//!   a python block) becomes a spec folder.
//! - `dlt-env`: set up the pinned dlt (the differential oracle) and print its interpreter.
//! - `bench [--quick]`: generation and compile times, then the release-mode comparison with
//!   a hand-written client and dlt; writes `docs/benchmarks.md` and its chart.
//! - `conformance [SCENARIO...]`: run dlt and restgen against the same local scenarios and
//!   compare their requests and records.
//! - `mock <api>`: serve the spec-driven mock of an API on 127.0.0.1 by hand.
//! - `demo`: page every resource of the five specs through the generated clients, against
//!   the mock, with no credentials.
//! - `catalog DIR`: import, generate, compile and page every config of a folder of documents.
//! - `check-schemas DIR... [--responses DIR...]`: generate and compile the models of every
//!   schema of the folders and decode every recorded body against them; a table per resource.

mod bench;
mod benchgen;
mod catalog;
mod check_schemas;
mod conformance;
mod demo;
mod generate;
mod import;
mod mock;
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
    /// Extract a resource straight from its spec (no code generation), with the flags of every
    /// generated crate's `<crate>_extract` example (JSON lines, CSV or Parquet; --state, --all).
    Run(run::RunOptions),
    /// Import a dlt config (.py, .json, or a .md/.txt document) as a spec folder.
    Import(import::ImportOptions),
    /// Create (once) the venv with the pinned dlt under target/ and print its Python.
    DltEnv,
    /// Benchmark generation and the generated client against a hand-written one and dlt.
    Bench(bench::BenchOptions),
    /// Run dlt and restgen against the same local scenarios; compare requests and records.
    Conformance(conformance::ConformanceOptions),
    /// Serve the mock of an API on 127.0.0.1 (records, paging, auth, faults) until Ctrl-C.
    Mock(mock::MockArgs),
    /// Page every resource of the five specs through the generated clients against the mock.
    Demo(demo::DemoArgs),
    /// Import, generate, compile and page every config of a folder of documents.
    Catalog(catalog::CatalogOptions),
    /// Compile the models of every schema in folders and decode recorded bodies against them.
    CheckSchemas(check_schemas::CheckSchemasOptions),
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
        Task::Import(options) => import::run(&root, options),
        Task::Conformance(options) => conformance::run(&root, options),
        Task::Mock(args) => mock::run(&root, args),
        Task::Demo(args) => demo::run(&root, args),
        Task::Catalog(options) => catalog::run(&root, options),
        Task::CheckSchemas(options) => check_schemas::run(&root, options),
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
