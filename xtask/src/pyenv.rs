//! The pinned dlt the differential check and the benchmarks compare against: a Python venv
//! under `target/dlt-venv/`, created on first use from `xtask/python/requirements.txt`.
//!
//! Only `python3` with `venv` and `pip` must exist on the machine; everything else comes from
//! PyPI at the pinned versions. A stamp file holding the requirements' text marks a finished
//! install, so a half-finished one (interrupted pip) is redone rather than trusted.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The dlt version every comparison is made against.
pub const DLT_VERSION: &str = "1.31.0";

/// The pinned requirements, relative to the workspace root.
const REQUIREMENTS: &str = "xtask/python/requirements.txt";

/// Returns the venv's Python interpreter, creating the venv and installing the pinned dlt
/// first when it is missing or was installed from other requirements.
pub fn dlt_python(root: &Path) -> Result<PathBuf> {
    let venv = root.join("target").join("dlt-venv");
    let python = venv_python(&venv);
    let requirements_path = root.join(REQUIREMENTS);
    let requirements = std::fs::read_to_string(&requirements_path)
        .with_context(|| format!("reading {}", requirements_path.display()))?;
    let stamp = venv.join("restgen-installed.txt");
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&requirements) {
        return Ok(python);
    }
    eprintln!(
        "setting up dlt {DLT_VERSION} in {} (once; about a minute)",
        venv.display()
    );
    if venv.exists() {
        std::fs::remove_dir_all(&venv)
            .with_context(|| format!("removing the stale venv {}", venv.display()))?;
    }
    let system_python = if cfg!(windows) { "python" } else { "python3" };
    run(Command::new(system_python).args(["-m", "venv"]).arg(&venv))
        .context("creating the venv (is python3 with the venv module installed?)")?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--requirement",
        ])
        .arg(&requirements_path))
    .context("installing the pinned dlt from PyPI")?;
    std::fs::write(&stamp, requirements).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(python)
}

/// The interpreter inside a venv, per platform layout.
fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// Runs a set-up command, failing with its exit status.
fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("starting {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(())
}
