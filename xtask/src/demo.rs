//! `cargo xtask demo [--records N] [--seed S]`: runs the `restgen-demo` binary, which starts
//! the mock of each of the five specs and pages every resource through its generated client.
//! It runs through cargo rather than as part of xtask, so that xtask itself never depends on
//! the generated crates: it must build, to regenerate them, even when they do not.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result};

/// Options of `cargo xtask demo`, passed on to the demo.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// Records per resource (per parent, for a child).
    #[arg(long, default_value_t = 25)]
    pub records: usize,
    /// The seed of the records.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

/// Runs the task from the workspace `root`.
pub fn run(root: &Path, args: DemoArgs) -> Result<ExitCode> {
    // the cargo that runs xtask, so the same toolchain builds the demo
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet", "--package", "restgen-demo", "--"])
        .args(["--records", &args.records.to_string()])
        .args(["--seed", &args.seed.to_string()])
        .status()
        .context("running cargo")?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
