//! `cargo xtask mock <api> [--port P] [--records N] [--faults F,...]`: serves the spec-driven
//! mock of one API on 127.0.0.1 until Ctrl-C, printing each resource's route, the
//! credentials a client needs (as the `SOURCES__<API>__<NAME>` variables `from_env` reads)
//! and the commands that page through it; then one line per request it answers.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use restgen::ir::{ApiIr, ResourceIr};
use restgen_mock::{FaultRule, MockApi, MockOptions, RecordedRequest};

use crate::generate::find_spec;

/// How often new requests are printed.
const POLL: Duration = Duration::from_millis(200);

/// Options of `cargo xtask mock`.
#[derive(clap::Args)]
pub struct MockArgs {
    /// The API: a folder under specs/ (or tests/fixtures/).
    pub api: String,
    /// The port on 127.0.0.1; a free one when not given.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Records per resource (per parent, for a child).
    #[arg(long, default_value_t = 25)]
    pub records: usize,
    /// The seed of the records.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Faults, comma-separated: KIND[@RESOURCE][:REQUEST][*TIMES], every resource and its
    /// second request by default. KIND: 429[=WAIT], 5xx or 5NN[=WAIT], reset, truncate,
    /// cut-json, slow[=WAIT], repeat-cursor; WAIT is <n>ms or <n>s.
    #[arg(long, value_delimiter = ',')]
    pub faults: Vec<FaultRule>,
}

/// Runs the task from the workspace `root`.
pub fn run(root: &Path, args: MockArgs) -> Result<ExitCode> {
    let (shown, dir) = find_spec(root, &args.api)?;
    let api = restgen_mock::load_api(&dir)?;
    let names: Vec<&str> = api.resources.iter().map(|r| r.name.as_str()).collect();
    // a stand-in for every secret and setting; the mock fills in a token URL itself
    let mut options = MockOptions::new()
        .seed(args.seed)
        .records(args.records)
        .stand_ins(&api);
    for rule in &args.faults {
        if let Some(resource) = &rule.resource
            && !names.contains(&resource.as_str())
        {
            bail!(
                "fault `{rule}`: no resource `{resource}`; the spec has {}",
                names.join(", ")
            );
        }
        for fault in rule.faults(names.iter().copied()) {
            options = options.fault(fault);
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async {
        let mock = MockApi::start_on(&api, options, args.port)
            .await
            .with_context(|| format!("starting the mock on 127.0.0.1:{}", args.port))?;
        print_banner(&api, &mock, &shown, &args);
        let mut shown = 0;
        loop {
            tokio::time::sleep(POLL).await;
            let log = mock.requests();
            for request in &log[shown.min(log.len())..] {
                println!("{}", request_line(request));
            }
            shown = log.len();
        }
    })
}

/// What a user needs to point a client at the mock.
fn print_banner(api: &ApiIr, mock: &MockApi, shown: &str, args: &MockArgs) {
    let base = mock.base_url();
    println!(
        "mock of `{}` ({shown}) at {base}: {} records per resource, seed {}; Ctrl-C stops it",
        api.api, args.records, args.seed
    );
    println!("\nresources:");
    for route in mock.routes() {
        let mut line = format!(
            "  {:<4} {:<48} {}",
            route.method, route.path, route.resource
        );
        if let Some(resource) = api.resources.iter().find(|r| r.name == route.resource) {
            line.push_str(&example_args(mock, resource));
        }
        if let Some(why) = &route.unsupported {
            line.push_str(&format!("  (answers 501: {why})"));
        }
        println!("{line}");
    }
    println!("\ncredentials, as a client's from_env reads them:");
    for (name, value) in mock.client_values() {
        println!("  export {}={value}", api.client.env_var(name));
    }
    if let Some(resource) = api.resources.first() {
        let args = example_args(mock, resource);
        println!("\ntry:");
        println!(
            "  cargo run -p {} --example {} -- {}{args} --base-url {base}",
            api.api,
            restgen::emit::example::name(api),
            resource.name
        );
        let token = mock
            .token_url()
            .map(|url| format!(" --token-url {url}"))
            .unwrap_or_default();
        // a spec of specs/ or tests/fixtures/ by its name, any other by its folder
        let spec = if shown.starts_with("specs/") || shown.starts_with("tests/fixtures/") {
            api.api.as_str()
        } else {
            shown
        };
        println!(
            "  cargo xtask run {spec} {}{args} --base-url {base}{token}",
            resource.name
        );
    }
    if !args.faults.is_empty() {
        let faults: Vec<String> = args.faults.iter().map(|f| f.to_string()).collect();
        println!("\nfaults: {}", faults.join(", "));
    }
    println!("\nrequests:");
}

/// ` --arg name=value` for each argument of a child, with a value from a real parent record.
fn example_args(mock: &MockApi, resource: &ResourceIr) -> String {
    mock.parent_values(resource)
        .into_iter()
        .map(|(name, value)| {
            let value = value.unwrap_or_else(|| format!("any-{name}"));
            format!(" --arg {name}={value}")
        })
        .collect()
}

/// One request as the log shows it: no query string (it may carry a key), the page served.
fn request_line(request: &RecordedRequest) -> String {
    let status = match request.status {
        0 => "reset".to_string(),
        status => status.to_string(),
    };
    let mut line = format!("  {} {} -> {status}", request.method, request.path);
    if let Some(resource) = &request.resource {
        line.push_str(&format!("  {resource}"));
    }
    if let Some(page) = &request.served {
        line.push_str(&format!(
            " [{}..{} of {}]",
            page.start,
            page.start + page.count,
            page.total
        ));
    }
    if let Some(note) = &request.note {
        line.push_str(&format!("  ({note})"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_line_shows_the_page_but_never_the_query() {
        let request = RecordedRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:1/v3/contacts?key=s3cret&after=t1".into(),
            path: "/v3/contacts".into(),
            query: vec![("key".into(), "s3cret".into())],
            headers: Default::default(),
            body: Default::default(),
            resource: Some("contacts".into()),
            args: Vec::new(),
            status: 200,
            served: Some(restgen_mock::ServedPage {
                start: 10,
                count: 10,
                total: 25,
                more: true,
                next: None,
            }),
            note: None,
            fault: None,
        };
        assert_eq!(
            request_line(&request),
            "  GET /v3/contacts -> 200  contacts [10..20 of 25]"
        );
        let reset = RecordedRequest {
            status: 0,
            served: None,
            note: Some("fault: reset".into()),
            ..request
        };
        assert_eq!(
            request_line(&reset),
            "  GET /v3/contacts -> reset  contacts  (fault: reset)"
        );
    }
}
