//! `cargo xtask run <spec> <resource> [--base-url URL] [--max-records N]`: runs a spec with no
//! code generation. The spec is resolved into the runtime's descriptors, exactly what a
//! generated client emits, and its records are printed as JSON lines. Secrets come from the
//! environment (`SOURCES__<SPEC>__<NAME>`).

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use futures::StreamExt;
use restgen_runtime::{ClientBuilder, ResourceRequest};

/// Options of one run.
#[derive(clap::Args)]
pub struct RunOptions {
    /// The spec (folder name under specs/ or tests/fixtures/).
    pub spec: String,
    /// The resource name.
    pub resource: String,
    /// Base URL override, e.g. a local mock.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Stop after this many records.
    #[arg(long)]
    pub max_records: Option<usize>,
    /// An argument of a child resource, `name=value` (repeatable).
    #[arg(long = "arg")]
    pub args: Vec<String>,
}

/// Runs the task from the workspace `root`.
pub fn run(root: &Path, options: RunOptions) -> Result<ExitCode> {
    let (shown, dir) = crate::generate::find_spec(root, &options.spec)?;
    let loaded = match restgen::spec::load_spec(&dir, &shown) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let api = match restgen::ir::resolve(&loaded) {
        Ok(api) => api,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let Some(resource) = api.resources.iter().find(|r| r.name == options.resource) else {
        let names: Vec<&str> = api.resources.iter().map(|r| r.name.as_str()).collect();
        bail!(
            "no resource `{}` in {shown}; it has: {}",
            options.resource,
            names.join(", ")
        );
    };
    let mut builder = ClientBuilder::default().from_env(&api.client);
    if let Some(url) = &options.base_url {
        builder = builder.base_url(url);
    }
    let core = builder.build(&api.client)?;
    let mut request: ResourceRequest<serde_json::Value> =
        ResourceRequest::new(core, Cow::Owned(resource.descriptor.clone()));
    for arg in &options.args {
        let (name, value) = arg
            .split_once('=')
            .with_context(|| format!("argument `{arg}` is not name=value"))?;
        request = request.arg(name, value);
    }
    for arg in &resource.args {
        if !options
            .args
            .iter()
            .any(|a| a.split_once('=').is_some_and(|(n, _)| n == arg.name))
        {
            bail!(
                "resource `{}` needs `--arg {}=<value>`",
                resource.name,
                arg.name
            );
        }
    }
    if let Some(max) = options.max_records {
        request = request.max_records(max);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async {
        let mut records = request.stream();
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        while let Some(record) = records.next().await {
            let record = record?;
            writeln!(out, "{record}")?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
