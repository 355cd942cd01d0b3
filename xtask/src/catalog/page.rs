//! Pages every resource of every generated API through its spec-driven mock, with the request
//! `cargo xtask run` builds (`crate::run::request`): the spec's own descriptor executed by the
//! runtime. A resource pages when its run ends without an error and delivers exactly the
//! records the mock holds for it, over several pages where it has a paginator.

use std::time::Duration;

use anyhow::{Context, Result};
use futures::StreamExt;
use restgen::ir::{ApiIr, ResourceIr};
use restgen_mock::{MockApi, MockOptions};
use restgen_runtime::descriptor::PaginatorConfig;
use restgen_runtime::{ClientCore, Error};

use super::{RESOURCE_TIMEOUT, cause_of};
use crate::run::{Settings, request};

/// One resource's run.
#[derive(Debug, Clone)]
pub struct ResourceRun {
    /// The resource.
    pub resource: String,
    /// Records delivered.
    pub records: usize,
    /// Requests the mock received.
    pub requests: usize,
    /// How long it took.
    pub elapsed: Duration,
    /// Why it did not page, if it did not.
    pub error: Option<RunError>,
}

/// Why a resource did not page.
#[derive(Debug, Clone)]
pub struct RunError {
    /// For grouping.
    pub cause: String,
    /// In full.
    pub detail: String,
}

/// The most records a resource is given, whatever its page size: enough for three pages of
/// the page sizes the catalog uses (up to 1,000), few enough to stay fast.
const MAX_RECORDS: usize = 2_001;

/// Pages every resource of `apis` (each with its connector's index); returns the runs by index.
pub fn run_all(apis: &[(usize, ApiIr)]) -> Result<Vec<(usize, Vec<ResourceRun>)>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async {
        let mut out = Vec::new();
        for (index, api) in apis {
            out.push((*index, run_api(api).await));
        }
        Ok(out)
    })
}

/// Every resource of one API, against one mock.
async fn run_api(api: &ApiIr) -> Vec<ResourceRun> {
    let options = MockOptions::new().stand_ins(api);
    let mock = match MockApi::start(api, options).await {
        Ok(mock) => mock,
        Err(e) => {
            let error = RunError {
                cause: format!("the mock does not start: {}", cause_of(&e.to_string())),
                detail: format!("the mock does not start: {e}"),
            };
            return api
                .resources
                .iter()
                .map(|r| ResourceRun {
                    resource: r.name.clone(),
                    records: 0,
                    requests: 0,
                    elapsed: Duration::ZERO,
                    error: Some(error.clone()),
                })
                .collect();
        }
    };
    // one client for the API, as a program would have: its resources share it
    let settings = Settings {
        base_url: Some(mock.base_url().to_string()),
        values: mock
            .client_values()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        from_env: false,
        max_retry_delay: Some(Duration::from_millis(20)),
        token_url: mock.token_url(),
        // a path on another host reaches the mock too: nothing leaves this machine
        absolute_paths_to_base_url: true,
        ..Settings::default()
    };
    let core = stand_ins(api, &settings);
    let mut runs = Vec::new();
    for resource in &api.resources {
        mock.clear_requests();
        let started = std::time::Instant::now();
        let mut run = ResourceRun {
            resource: resource.name.clone(),
            records: 0,
            requests: 0,
            elapsed: Duration::ZERO,
            error: None,
        };
        let ran = match &core {
            Ok(core) => run_resource(core, &settings, resource, &mock, &mut run).await,
            Err(e) => Err(RunError {
                cause: format!("the client: {}", cause_of(&e.to_string())),
                detail: format!("the client: {e}"),
            }),
        };
        if let Err(error) = ran {
            run.error = Some(error);
        }
        run.requests = mock.requests().len();
        run.elapsed = started.elapsed();
        runs.push(run);
    }
    runs
}

/// The API's client with stand-ins for the Rust code its spec names (`type: custom`), which a
/// catalog has no code for: an auth that adds nothing (the mock checks none for it) and a
/// paginator that reads one page (the mock serves such a resource on one).
fn stand_ins(api: &ApiIr, settings: &Settings) -> anyhow::Result<ClientCore> {
    let mut builder = crate::run::builder(api, settings);
    for custom in &api.custom_auths {
        builder = builder.custom_auth(&custom.name, NoAuth);
    }
    for custom in &api.custom_paginators {
        builder = builder.custom_paginator(&custom.name, OnePage);
    }
    Ok(builder.build(&api.client)?)
}

/// A custom auth's stand-in: adds nothing.
struct NoAuth;

impl restgen_runtime::custom::Auth for NoAuth {
    fn authenticate<'a>(
        &'a self,
        _: &'a mut restgen_runtime::custom::AuthRequest,
    ) -> futures::future::BoxFuture<'a, Result<(), restgen_runtime::hooks::HookError>> {
        Box::pin(async { Ok(()) })
    }
}

/// A custom paginator's stand-in: one page.
#[derive(Clone)]
struct OnePage;

impl restgen_runtime::custom::Paginator for OnePage {
    fn next_request(
        &mut self,
        _: &restgen_runtime::paginate::PageView<'_>,
        _: &mut restgen_runtime::paginate::RequestState,
    ) -> Result<bool, restgen_runtime::paginate::PaginationError> {
        Ok(false)
    }
}

async fn run_resource(
    core: &ClientCore,
    settings: &Settings,
    resource: &ResourceIr,
    mock: &MockApi,
    run: &mut ResourceRun,
) -> Result<(), RunError> {
    let name = &resource.name;
    if let Some(why) = mock.unsupported(name) {
        // several reasons are joined by `; `: the first names the cause
        let first = why.split("; ").next().unwrap_or(&why);
        return Err(RunError {
            cause: format!("the mock cannot serve it: {}", cause_of(first)),
            detail: format!("the mock cannot serve it: {why}"),
        });
    }
    let fail = |what: &str, e: &dyn std::fmt::Display| RunError {
        cause: format!("{what}: {}", cause_of(&e.to_string())),
        detail: format!("{what}: {e}"),
    };
    let size = mock.page_size(name).map_err(|e| fail("the mock", &e))?;
    // three pages where there are pages (full, full, one record): the paginator must go on
    // past the first page, carry its position to the third, and stop
    let count = size.map_or(5, |s| (2 * s + 1).min(MAX_RECORDS));
    mock.set_records(name, count)
        .map_err(|e| fail("the mock", &e))?;
    // resources that read the same endpoint: this one answers while it is run
    mock.prefer(name).map_err(|e| fail("the mock", &e))?;
    let args = arguments(resource, mock);
    let arg_refs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let served = mock
        .records(name, &arg_refs)
        .map_err(|e| fail("the mock", &e))?;
    // the records the mock serves, through the resource's processing steps (a filter
    // delivers fewer)
    let expected =
        restgen_runtime::steps::process_json(&resource.descriptor.processing_steps, &served)
            .map_err(|e| fail("the processing steps", &e.message))?
            .len();
    let settings = Settings {
        args,
        ..settings.clone()
    };
    let request =
        request(core.clone(), resource, &settings).map_err(|e| fail("the request", &e))?;
    let mut records = request.stream();
    let streamed = tokio::time::timeout(RESOURCE_TIMEOUT, async {
        while let Some(record) = records.next().await {
            record?;
            run.records += 1;
        }
        Ok::<_, Error>(())
    })
    .await;
    match streamed {
        Err(_) => {
            return Err(RunError {
                cause: "hung: no end after a minute".into(),
                detail: format!("no end after {} s", RESOURCE_TIMEOUT.as_secs()),
            });
        }
        Ok(Err(e)) => return Err(runtime_error(&e)),
        Ok(Ok(())) => {}
    }
    if run.records != expected {
        return Err(RunError {
            cause: "records delivered differ from the mock's".into(),
            detail: format!(
                "{} records delivered, the mock holds {expected}",
                run.records
            ),
        });
    }
    // the mock serves a custom paginator's resource on one page (it cannot know the
    // protocol), which the catalog's stand-in reads
    let paged = !matches!(
        resource.descriptor.paginator,
        PaginatorConfig::SinglePage | PaginatorConfig::Auto | PaginatorConfig::Custom { .. }
    );
    // every request, whichever resource of the same path the mock routed it to
    let requests = mock.requests().len();
    let wanted = size.map_or(1, |s| count.div_ceil(s.max(1)).min(3));
    if paged && requests < wanted {
        return Err(RunError {
            cause: format!("fewer than {wanted} pages"),
            detail: format!("{requests} request(s) for {expected} records"),
        });
    }
    Ok(())
}

/// The arguments a resource is called with: for a parent-bound one, the field of a real
/// parent record, as the fan-out would bind it; otherwise a made-up value.
fn arguments(resource: &ResourceIr, mock: &MockApi) -> Vec<(String, String)> {
    mock.parent_values(resource)
        .into_iter()
        .map(|(name, value)| {
            let value = value.unwrap_or_else(|| format!("{name}-1"));
            (name, value)
        })
        .collect()
}

/// A runtime error, its cause by kind, without the URL and page it names.
fn runtime_error(e: &Error) -> RunError {
    let cause = match e {
        Error::Status {
            status,
            body_snippet,
            ..
        } => format!("HTTP {status}: {}", cause_of(body_snippet)),
        Error::RetriesExhausted { last, .. } => format!("retries exhausted: {}", cause_of(last)),
        Error::Timeout { .. } => "timed out".into(),
        Error::NotJson { message, .. } => format!("not JSON: {}", cause_of(message)),
        Error::Decode { message, .. } => format!("does not decode: {}", cause_of(message)),
        Error::Pagination { source, .. } => {
            format!("pagination: {}", cause_of(&source.to_string()))
        }
        Error::Auth { message, .. } => format!("auth: {}", cause_of(message)),
        other => cause_of(&other.to_string()),
    };
    RunError {
        cause,
        detail: e.to_string(),
    }
}
