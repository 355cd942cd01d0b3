//! `cargo xtask import <file> [--name API] [--out DIR]`: a dlt config as users write it (a
//! `.py` file, a `.json` config, or a `.md`/`.txt` document with a ```` ```python ```` block)
//! becomes a spec folder, `specs/<name>/` by default. Nothing is written when the input has
//! an error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

/// Options of `cargo xtask import`.
#[derive(clap::Args)]
pub struct ImportOptions {
    /// The dlt config: a .py file, a .json config, or a .md/.txt document with a python block.
    file: PathBuf,
    /// The API name, i.e. the spec folder's name (default: the rest_api_source call's `name=`,
    /// else the file name).
    #[arg(long)]
    name: Option<String>,
    /// The folder to write the spec into (default: specs/<name>/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Which config to import when the file holds several (1-based).
    #[arg(long = "config")]
    pick: Option<usize>,
    /// Replace the source.yaml of an existing spec folder (its schemas are kept).
    #[arg(long)]
    force: bool,
}

/// Runs the task from the workspace `root`.
pub fn run(root: &Path, options: ImportOptions) -> Result<ExitCode> {
    let shown = options.file.display().to_string();
    let import_options = restgen_import::Options {
        name: options.name,
        pick: options.pick,
        shown_out: options.out.as_ref().map(|o| o.display().to_string()),
    };
    // specs/<name> is under the workspace; --out is where the user stands.
    let base = match options.out {
        Some(_) => std::env::current_dir()?,
        None => root.to_path_buf(),
    };
    let (imported, written) = match restgen_import::import_into(
        &options.file,
        &shown,
        &import_options,
        &base,
        options.force,
    ) {
        Ok(done) => done,
        Err(failure) => {
            eprintln!("{failure}");
            eprintln!("import failed: nothing was written");
            return Ok(ExitCode::FAILURE);
        }
    };
    for note in &imported.notes {
        eprintln!("{note}");
    }
    for file in &written {
        println!("wrote {}/{}", imported.shown_out, file.display());
    }
    if imported.fill_ins > 0 {
        eprintln!(
            "{} value(s) marked `fill_in` in {}/source.yaml were built in code; replace them",
            imported.fill_ins, imported.shown_out
        );
    }
    if imported.check.is_empty() {
        println!(
            "{}: the spec is valid; run `cargo xtask generate {}`",
            imported.shown_out, imported.api
        );
    } else {
        eprintln!(
            "{}: the spec does not generate yet; edit it where restgen says:",
            imported.shown_out
        );
        for d in &imported.check {
            eprintln!("{d}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
