//! `cargo xtask catalog DIR`: the whole pipeline over a folder of dlt configs, one document
//! per connector. Every document is imported (in process, as `cargo xtask import` does), its
//! spec written under `target/catalog/specs/` and its crate generated into a scratch
//! workspace, `target/catalog/ws/`, never into `specs/` or `generated/`. One `cargo build`
//! compiles every crate; while it runs, every resource is paged through the spec-driven mock
//! by the code behind `cargo xtask run` (spec -> IR -> runtime), in this process rather than
//! one `cargo xtask run` process per resource, which would cost a process start and a spec
//! load per resource for the same code path. One line per connector and a summary table go
//! to stdout, the full report to `target/catalog/report.md`; the exit code is non-zero when
//! a document whose Python is valid fails any step.

mod page;
mod report;
mod workspace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use restgen::Diagnostic;
use restgen::emit::CrateFiles;
use restgen::ir::ApiIr;
use restgen_import::{Note, Source};

pub use page::ResourceRun;

/// Where everything the run writes goes, relative to the workspace root.
const OUT: &str = "target/catalog";

/// Options of `cargo xtask catalog`.
#[derive(clap::Args)]
pub struct CatalogOptions {
    /// The folder of documents (`*.md`, each with a ```python block holding a config).
    pub dir: PathBuf,
    /// Only documents whose file name contains one of these (all when none are given).
    #[arg(long = "only")]
    pub only: Vec<String>,
    /// Skip the cargo build of the generated crates.
    #[arg(long)]
    pub no_compile: bool,
}

/// Which step a connector failed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// The document could not be imported.
    Import,
    /// The import succeeded, but restgen refuses the spec.
    Check,
    /// restgen accepted the spec but could not emit the crate.
    Generate,
    /// The crate did not compile.
    Compile,
    /// A resource did not page through the mock.
    Page,
}

impl Step {
    /// The step's name in lines and tables.
    pub fn name(self) -> &'static str {
        match self {
            Step::Import => "import",
            Step::Check => "check",
            Step::Generate => "generate",
            Step::Compile => "compile",
            Step::Page => "page",
        }
    }
}

/// One failure: the step, a cause to group by, and the full message.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The step.
    pub step: Step,
    /// What it failed on, with names and numbers generalised, for grouping.
    pub cause: String,
    /// The full message (for a resource, prefixed with its name).
    pub detail: String,
}

/// What happened to one document.
#[derive(Debug)]
pub struct Connector {
    /// The document, as shown.
    pub file: String,
    /// The API (crate) name.
    pub api: String,
    /// The input is not a config that runs (not valid Python, no code block): its rejection
    /// is the expected outcome.
    pub invalid: Option<String>,
    /// Whether the import's first diagnostic names a line and column of the document (read
    /// from the diagnostic itself, not from its rendered text).
    pub located: bool,
    /// The import's notes.
    pub notes: Vec<Note>,
    /// Whether the import produced a spec.
    pub imported: bool,
    /// Whether restgen generated its crate.
    pub generated: bool,
    /// Whether the crate compiled (`None`: not built).
    pub compiled: Option<bool>,
    /// Each resource's run through the mock.
    pub runs: Vec<ResourceRun>,
    /// Every failure, in step order.
    pub failures: Vec<Failure>,
}

impl Connector {
    /// Whether every resource paged.
    pub fn paged(&self) -> bool {
        self.generated && !self.runs.is_empty() && self.runs.iter().all(|r| r.error.is_none())
    }

    /// Whether this is a valid config that failed a step.
    pub fn failed(&self) -> bool {
        self.invalid.is_none() && !self.failures.is_empty()
    }
}

/// Runs the task from the workspace `root`.
pub fn run(root: &Path, options: CatalogOptions) -> Result<ExitCode> {
    let started = Instant::now();
    let out = root.join(OUT);
    let documents = documents(&options.dir, &options.only)?;
    if documents.is_empty() {
        bail!("no documents (*.md) in {}", options.dir.display());
    }
    eprintln!(
        "catalog: {} documents in {}",
        documents.len(),
        options.dir.display()
    );
    let specs_dir = out.join("specs");
    std::fs::create_dir_all(&specs_dir)
        .with_context(|| format!("creating {}", specs_dir.display()))?;

    // import and generate: in memory, then written, each crate only where it changed
    let mut connectors = Vec::new();
    let mut crates: BTreeMap<String, CrateFiles> = BTreeMap::new();
    let mut apis: Vec<(usize, ApiIr)> = Vec::new();
    for path in &documents {
        let (connector, generated) = import_and_generate(path, &out)?;
        if let Some((api, files)) = generated {
            crates.insert(connector.api.clone(), files);
            apis.push((connectors.len(), api));
        }
        connectors.push(connector);
    }
    let import_time = started.elapsed();
    eprintln!(
        "catalog: imported and generated in {:.1} s; {} crates",
        import_time.as_secs_f64(),
        crates.len()
    );
    let ws = workspace::Workspace::new(root, &out.join("ws"));
    ws.write(&crates)?;

    // the build runs in the background while the mock pages every resource
    let build = if options.no_compile {
        None
    } else {
        Some(ws.spawn_build()?)
    };
    let paging_started = Instant::now();
    let runs = page::run_all(&apis)?;
    let paging_time = paging_started.elapsed();
    for (index, resource_runs) in runs {
        let connector = &mut connectors[index];
        for run in &resource_runs {
            if let Some(error) = &run.error {
                connector.failures.push(Failure {
                    step: Step::Page,
                    cause: error.cause.clone(),
                    detail: format!("resource `{}`: {}", run.resource, error.detail),
                });
            }
        }
        connector.runs = resource_runs;
    }
    eprintln!(
        "catalog: paged every resource in {:.1} s",
        paging_time.as_secs_f64()
    );
    let compile_time = match build {
        Some(build) => {
            let built = build.wait()?;
            for connector in connectors.iter_mut().filter(|c| c.generated) {
                let errors = built.errors.get(&connector.api);
                let ok = built.ok && errors.is_none()
                    || errors.is_none() && built.compiled.contains(&connector.api);
                connector.compiled = Some(ok);
                if !ok {
                    let (cause, detail) = match errors.and_then(|e| e.first()) {
                        Some(first) => (first.cause.clone(), first.rendered.clone()),
                        None => (
                            "not built (the build stopped first)".to_string(),
                            built.tail.clone(),
                        ),
                    };
                    connector.failures.push(Failure {
                        step: Step::Compile,
                        cause,
                        detail,
                    });
                }
            }
            Some(built.elapsed)
        }
        None => None,
    };
    for connector in &mut connectors {
        connector.failures.sort_by_key(|f| f.step);
    }
    let timing = report::Timing {
        total: started.elapsed(),
        import: import_time,
        paging: paging_time,
        compile: compile_time,
    };
    let summary = report::print(&connectors, &timing);
    let report_path = out.join("report.md");
    std::fs::write(
        &report_path,
        report::markdown(&connectors, &timing, &summary),
    )
    .with_context(|| format!("writing {}", report_path.display()))?;
    println!("full report: {OUT}/report.md");
    Ok(if connectors.iter().any(Connector::failed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The documents of `dir`, sorted, keeping those matching `only` when given.
fn documents(dir: &Path, only: &[String]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !path.is_file() || !name.ends_with(".md") {
            continue;
        }
        if only.is_empty() || only.iter().any(|o| name.contains(o.as_str())) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Imports one document into `out/specs/<api>/` and generates its crate in memory.
fn import_and_generate(
    path: &Path,
    out: &Path,
) -> Result<(Connector, Option<(ApiIr, CrateFiles)>)> {
    let file = path.display().to_string();
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("api")
        .to_string();
    // the file name, not the config's `name=`, so that every crate's name is unique
    let api = restgen_import::api_name(&stem);
    let shown_out = format!("{OUT}/specs/{api}");
    let mut connector = Connector {
        file: file.clone(),
        api: api.clone(),
        invalid: None,
        located: false,
        notes: Vec::new(),
        imported: false,
        generated: false,
        compiled: None,
        runs: Vec::new(),
        failures: Vec::new(),
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {file}"))?;
    let options = restgen_import::Options {
        name: Some(api.clone()),
        pick: None,
        shown_out: Some(shown_out.clone()),
    };
    let spec_dir = out.join("specs").join(&api);
    let imported = match restgen_import::import(&Source::new(&file, text), &options) {
        Ok(imported) => imported,
        Err(diagnostics) => {
            let first = diagnostics.0.first();
            let cause = first.map_or_else(|| "no diagnostic".to_string(), |d| cause_of(&d.message));
            connector.located = first.is_some_and(|d| d.line > 0);
            if let Some(reason) = first.and_then(|d| restgen_import::rejects_input(&d.message)) {
                connector.invalid = Some(reason.to_string());
            }
            connector.failures.push(Failure {
                step: Step::Import,
                cause,
                detail: diagnostics.to_string(),
            });
            // nothing is written for a broken input: clear what an earlier run left
            if spec_dir.exists() {
                std::fs::remove_dir_all(&spec_dir)
                    .with_context(|| format!("clearing {}", spec_dir.display()))?;
            }
            return Ok((connector, None));
        }
    };
    connector.imported = true;
    connector.notes = imported.notes.clone();
    if spec_dir.exists() {
        std::fs::remove_dir_all(&spec_dir)
            .with_context(|| format!("clearing {}", spec_dir.display()))?;
    }
    restgen_import::write(&imported, &spec_dir, false)
        .map_err(|e| anyhow::anyhow!("writing {shown_out}: {e}"))?;
    if let Some(first) = imported.check.first() {
        connector.failures.push(Failure {
            step: Step::Check,
            cause: cause_of(&first.message),
            detail: diagnostics_text(&imported.check),
        });
        return Ok((connector, None));
    }
    let generated = std::panic::catch_unwind(|| generate(&spec_dir, &shown_out));
    match generated {
        Ok(Ok((api_ir, files))) => {
            connector.generated = true;
            Ok((connector, Some((api_ir, files))))
        }
        Ok(Err(diagnostics)) => {
            connector.failures.push(Failure {
                step: Step::Generate,
                cause: diagnostics
                    .first()
                    .map_or_else(|| "no diagnostic".into(), |d| cause_of(&d.message)),
                detail: diagnostics_text(&diagnostics),
            });
            Ok((connector, None))
        }
        Err(_) => {
            connector.failures.push(Failure {
                step: Step::Generate,
                cause: "the generator panicked".into(),
                detail: "the generator panicked (its message is above, on stderr)".into(),
            });
            Ok((connector, None))
        }
    }
}

/// `restgen::generate`, keeping the resolved API for the mock.
fn generate(dir: &Path, shown: &str) -> Result<(ApiIr, CrateFiles), Vec<Diagnostic>> {
    let loaded = restgen::spec::load_spec(dir, shown).map_err(|d| d.0)?;
    let api = restgen::ir::resolve(&loaded).map_err(|d| d.0)?;
    let files = restgen::emit::emit_crate(&api, shown)
        .map_err(|e| vec![Diagnostic::unlocated(&loaded.config_file, e.to_string())])?;
    Ok((api, files))
}

fn diagnostics_text(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A message as a cause to group by: its first line, without the resource it names, with
/// long quoted parts and numbers generalised.
pub fn cause_of(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    let line = line
        .strip_prefix("resource `")
        .and_then(|rest| rest.split_once("`: ").map(|(_, tail)| tail))
        .unwrap_or(line);
    let line = line.split(" (from ").next().unwrap_or(line);
    let line = line.split(", expected one of").next().unwrap_or(line);
    let mut out = String::new();
    let mut parts = line.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push('`');
        if i % 2 == 0 && part.chars().count() > 32 {
            out.push('…');
        } else {
            out.push_str(part);
        }
    }
    let mut generalised = String::new();
    let mut in_digits = false;
    for c in out.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                generalised.push('N');
            }
            in_digits = true;
        } else {
            in_digits = false;
            generalised.push(c);
        }
    }
    generalised.trim().to_string()
}

/// How long to wait for one resource's run before calling it hung.
pub const RESOURCE_TIMEOUT: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_generalise_names_and_numbers() {
        assert_eq!(
            cause_of(
                "resource `users`: paginator: unknown field `start_from_page`, expected one of `a`"
            ),
            "paginator: unknown field `start_from_page`"
        );
        assert_eq!(
            cause_of("resources[12].endpoint: unknown field `body` (from x.md:3)"),
            "resources[N].endpoint: unknown field `body`"
        );
        assert_eq!(
            cause_of("template `response.get('data')|length == 0 and more text` is odd"),
            "template `…` is odd"
        );
    }
}
