//! The extract command of every restgen-generated crate, written once: a generated crate's
//! `<crate>_extract` example lists its resources and how to build its client, and hands them
//! to [`main`]; `cargo xtask run` flattens the same [`Options`] into its own flags and calls
//! [`run`].
//!
//! ```text
//! <crate>_extract <resource> [--base-url URL] [--arg NAME=VALUE]... [--all] [--concurrency N]
//!     [--max-records N] [--state FILE] [--format jsonl|csv|parquet] [--out PATH]
//! ```
//!
//! Records go through `restgen-writers`; settings and secrets come from the environment
//! (`SOURCES__<API>__<NAME>`). Generated crates depend on this crate only as a
//! dev-dependency, so a service that depends on a generated client never compiles it.

mod job;
mod options;
mod progress;
mod run;
mod state;

use std::process::ExitCode;

pub use job::Job;
pub use options::Options;
pub use progress::{Counters, Summary};
pub use restgen_writers::Format;
pub use run::{RunError, run};
pub use state::State;

/// Every program that links this crate (a generated crate's `<crate>_extract`, `cargo xtask
/// run`) allocates with jemalloc: a run allocates every field of every record as it decodes a
/// page and frees them once the page is written, on another thread, which is glibc malloc's
/// worst case (its per-thread caches hold 7 blocks a size; the rest goes through the shared
/// bins). Measured on the Parquet benchmark: about a sixth less CPU and wall time, peak RSS
/// 33 → 41 MiB (docs/benchmarks.md); mimalloc measured slower, at 120 MiB.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// What a generated example needs to build its client: the `--base-url` override and the
/// hook that counts pages and retries for the progress line.
pub struct Setup {
    base_url: Option<String>,
    counters: Counters,
}

impl Setup {
    /// The `--base-url` override, if given.
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The hook to give the client builder (`.hook(setup.hook())`).
    pub fn hook(&self) -> impl restgen_runtime::hooks::Hook {
        self.counters.hook()
    }
}

/// The error for a resource name no arm matched.
pub fn unknown_resource(name: &str, resources: &[&str]) -> String {
    format!(
        "unknown resource `{name}`; the resources are: {}",
        resources.join(", ")
    )
}

/// Runs the command line of `program`: parses `std::env::args`, builds the client with
/// `build`, picks the resource's [`Job`] with `job` and runs it. Exit code 2 on a bad
/// command line (clap's message says what was expected), 1 on a failed run (the runtime's
/// error, located, with secrets redacted), 130 when interrupted.
pub fn main<C>(
    program: &'static str,
    resources: &[&str],
    build: impl FnOnce(&Setup) -> Result<C, restgen_runtime::Error>,
    job: impl FnOnce(&C, &Options) -> Result<Job, String>,
) -> ExitCode {
    let list = format!("Resources: {}", resources.join(", "));
    let options = match Options::parse_from(program, &list, std::env::args_os().skip(1)) {
        Ok(options) => options,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let setup = Setup {
        base_url: options.base_url.clone(),
        counters: Counters::default(),
    };
    let client = match build(&setup) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let job = match job(&client, &options) {
        Ok(job) => job,
        Err(e) => {
            eprintln!("error: {e}\n\nFor more information, try '--help'.");
            return ExitCode::from(2);
        }
    };
    report(run(job, &options, &setup.counters))
}

/// Prints how a run ended; its exit code.
pub fn report(result: Result<Summary, RunError>) -> ExitCode {
    match result {
        Ok(summary) => {
            eprintln!("{summary}");
            ExitCode::SUCCESS
        }
        Err(RunError::Usage(message)) => {
            eprintln!("error: {message}\n\nFor more information, try '--help'.");
            ExitCode::from(2)
        }
        Err(RunError::Failed(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
        Err(RunError::Interrupted(summary)) => {
            eprintln!("interrupted: {summary}");
            ExitCode::from(130)
        }
    }
}
