//! `cargo xtask run <spec> <resource> [--token-url URL] [extract flags]`: runs a spec with no
//! code generation. The spec is resolved into the runtime's descriptors, exactly what a
//! generated client emits, and its records go through the extract command every generated
//! crate's example runs (`restgen_extract`: `--base-url`, `--arg`, `--all`, `--state`,
//! `--format`, `--out`, ...). Secrets come from the environment (`SOURCES__<SPEC>__<NAME>`).

use std::borrow::Cow;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use restgen::ir::{ApiIr, ResourceIr};
use restgen_extract::{Counters, Job};
use restgen_runtime::{ClientBuilder, ClientCore, FanOut, ResourceRequest};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// Options of one run: the spec, then the extract command's flags, then this task's own.
#[derive(clap::Args)]
pub struct RunOptions {
    /// The spec (folder name under specs/ or tests/fixtures/).
    pub spec: String,
    /// The extract command's flags, as every generated crate's example takes them.
    #[command(flatten)]
    pub extract: restgen_extract::Options,
    /// OAuth2 token URL override, e.g. a local mock's (`cargo xtask mock` prints it).
    #[arg(long)]
    pub token_url: Option<String>,
}

/// How to run one resource: everything `cargo xtask run` takes besides the spec, so that
/// `cargo xtask catalog` runs resources through the very same code.
// No Debug: the values are secrets.
#[derive(Default, Clone)]
pub struct Settings {
    /// Base URL override, e.g. a local mock.
    pub base_url: Option<String>,
    /// Secrets and settings by spec name.
    pub values: Vec<(String, String)>,
    /// Whether values not given are read from `SOURCES__<SPEC>__<NAME>`.
    pub from_env: bool,
    /// The arguments of a child resource, by name.
    pub args: Vec<(String, String)>,
    /// Stop after this many records.
    pub max_records: Option<usize>,
    /// A cap on every wait between retries.
    pub max_retry_delay: Option<std::time::Duration>,
    /// OAuth2 token URL override, e.g. a local mock's.
    pub token_url: Option<String>,
    /// Whether endpoints whose path is an absolute URL go to the base URL's origin too.
    pub absolute_paths_to_base_url: bool,
    /// Counts pages and retries through a hook on the client, for the extract progress.
    pub counters: Option<Counters>,
}

/// The runtime's client for the resolved spec `api`, built from the spec's client section as
/// a generated client builds it; one serves every resource of the spec.
pub fn client(api: &ApiIr, settings: &Settings) -> Result<ClientCore> {
    Ok(builder(api, settings).build(&api.client)?)
}

/// The runtime builder `settings` make, before `build`.
pub fn builder(api: &ApiIr, settings: &Settings) -> ClientBuilder {
    let mut builder = ClientBuilder::default();
    for (name, value) in &settings.values {
        builder = builder.value(name, value.clone());
    }
    if settings.from_env {
        builder = builder.from_env(&api.client);
    }
    if let Some(url) = &settings.base_url {
        builder = builder.base_url(url);
    }
    if let Some(delay) = settings.max_retry_delay {
        builder = builder.max_retry_delay(delay);
    }
    if let Some(url) = &settings.token_url {
        builder = builder.token_url(url);
    }
    if settings.absolute_paths_to_base_url {
        builder = builder.absolute_paths_to_base_url(true);
    }
    if let Some(counters) = &settings.counters {
        builder = builder.hook(counters.hook());
    }
    builder
}

/// The request for `resource` on `core`: the resource's own descriptor, as a generated client
/// hands it over, with the arguments and limits of `settings`.
pub fn request(
    core: ClientCore,
    resource: &ResourceIr,
    settings: &Settings,
) -> Result<ResourceRequest<serde_json::Value>> {
    let mut request: ResourceRequest<serde_json::Value> =
        ResourceRequest::new(core, Cow::Owned(resource.descriptor.clone()));
    for arg in &resource.args {
        if !settings.args.iter().any(|(name, _)| *name == arg.name) {
            bail!(
                "resource `{}` needs `--arg {}=<value>`",
                resource.name,
                arg.name
            );
        }
    }
    for (name, value) in &settings.args {
        request = request.arg(name, value);
    }
    if let Some(max) = settings.max_records {
        request = request.max_records(max);
    }
    Ok(request)
}

/// The walk a generated client's `<resource>_all` runs: over the values of `resource`'s list
/// partitions, over its date windows, or over every record of its parent (and its parent's,
/// up the chain), wired as the spec's `FanOutDescriptor` says.
pub fn fan_out<T: DeserializeOwned + Send + 'static>(
    api: &ApiIr,
    core: &ClientCore,
    resource: &ResourceIr,
) -> Result<FanOut<T>> {
    let request = || ResourceRequest::new(core.clone(), Cow::Owned(resource.descriptor.clone()));
    if let Some(partitions) = &resource.partitions {
        return Ok(FanOut::over_partitions(
            &partitions.values,
            Cow::Borrowed(restgen_runtime::PARTITION_WALK),
            Cow::Owned(partitions.field.clone()),
            request(),
        ));
    }
    let windowed = resource.descriptor.incremental.as_ref();
    if windowed.is_some_and(|i| i.window.is_some()) {
        return Ok(FanOut::over_date_windows(
            Cow::Borrowed(restgen_runtime::WINDOW_WALK),
            request(),
        ));
    }
    let Some(wiring) = &resource.fan_out else {
        bail!(
            "resource `{}` has no parent whose records supply its arguments, no list \
             partitions and no date windows",
            resource.name
        );
    };
    let Some(parent) = api.resources.iter().find(|r| r.name == wiring.parent) else {
        bail!("no resource `{}`", wiring.parent);
    };
    let child = request();
    Ok(match parent.fan_out {
        Some(_) => {
            FanOut::wired_nested(fan_out::<Box<RawValue>>(api, core, parent)?, child, wiring)
        }
        None => {
            let parent = ResourceRequest::new(core.clone(), Cow::Owned(parent.descriptor.clone()));
            FanOut::wired(parent, child, wiring)
        }
    })
}

/// Runs the task from the workspace `root`.
pub fn run(root: &Path, options: RunOptions) -> Result<ExitCode> {
    if let Err(e) = options.extract.check() {
        let _ = e.print();
        return Ok(ExitCode::from(2));
    }
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
    let extract = &options.extract;
    let Some(resource) = api.resources.iter().find(|r| r.name == extract.resource) else {
        let names: Vec<&str> = api.resources.iter().map(|r| r.name.as_str()).collect();
        bail!(
            "no resource `{}` in {shown}; it has: {}",
            extract.resource,
            names.join(", ")
        );
    };
    let counters = Counters::default();
    let settings = Settings {
        base_url: extract.base_url.clone(),
        token_url: options.token_url.clone(),
        from_env: true,
        args: extract.args.clone(),
        counters: Some(counters.clone()),
        ..Settings::default()
    };
    let core = client(&api, &settings)?;
    let job = if extract.all {
        Job::fan_out(fan_out::<serde_json::Value>(&api, &core, resource)?)
    } else {
        Job::resource(request(core, resource, &settings)?)
    };
    Ok(restgen_extract::report(restgen_extract::run(
        job, extract, &counters,
    )))
}
