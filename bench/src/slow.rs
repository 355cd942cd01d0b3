//! `restgen-bench slow`: benchmarks (2) and (3) of issue #18, where the network, not the CPU,
//! decides the wall time. A mock of its own (in this process, on a thread of its own) adds
//! 50 ms to every response:
//!
//! - (2) 100k records by offset, page size 100, **no total**: restgen `.concurrency(8)`
//!   (speculative paging) against dlt's RESTClient;
//! - (3) a fan-out, 1,000 parents on 10 pages, one child page each, against a mock that allows
//!   100 requests per second (fixed one-second windows) and answers 429 above it: restgen with
//!   a budget of 100/s against dlt's `rest_api_source` with `parallelized: true`. Requests
//!   per second, 429s (and when) and wall time are reported.
//!
//! Every run checks its record count and id sum. Prints the report section as Markdown.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use restgen_runtime::descriptor::{
    AuthChoice, Method, OffsetConfig, PageNumberConfig, PaginatorConfig, ResourceDescriptor, Target,
};
use restgen_runtime::selector::Selector;
use restgen_runtime::{
    ClientBuilder, ClientCore, ClientSpec, FanOut, ParentBinding, ResourceRequest,
};
use serde_json::{Value, json};

/// Options of `restgen-bench slow`.
#[derive(Debug, clap::Args)]
pub struct SlowArgs {
    /// dlt's Python (the pinned venv); without it only restgen runs.
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// The dlt contender's script.
    #[arg(long, default_value = "bench/python/dlt_slow.py")]
    pub script: PathBuf,
    /// Records of benchmark (2).
    #[arg(long, default_value_t = 100_000)]
    pub records: u64,
    /// Parents of benchmark (3).
    #[arg(long, default_value_t = 1_000)]
    pub parents: u64,
}

/// Milliseconds added to every response.
const LATENCY: Duration = Duration::from_millis(50);
/// Page size of (2) and parents per page of (3).
const PAGE: u64 = 100;
/// Requests per second the rate-limited mock allows.
const ALLOWED: u64 = 100;

/// What the mock saw: request arrival times (from the first request) and 429s.
#[derive(Default)]
struct Seen {
    first: Option<Instant>,
    arrivals: Vec<f64>,
    limited: Vec<f64>,
    window: (u64, u64),
}

struct Mock {
    records: u64,
    parents: u64,
    /// Whether (3)'s limit applies.
    limited: bool,
    started: Instant,
    seen: Mutex<Seen>,
}

impl Mock {
    /// Answers one request: the body, or `None` for a 429.
    fn answer(&self, path: &str, query: &BTreeMap<String, String>) -> Option<(u16, Value)> {
        let now = Instant::now();
        {
            let mut seen = self.seen.lock().ok()?;
            let first = *seen.first.get_or_insert(now);
            let at = (now - first).as_secs_f64();
            seen.arrivals.push(at);
            if self.limited {
                // fixed one-second windows from the mock's start
                let window = (now - self.started).as_secs();
                if seen.window.0 != window {
                    seen.window = (window, 0);
                }
                seen.window.1 += 1;
                if seen.window.1 > ALLOWED {
                    seen.limited.push(at);
                    return Some((429, json!({"error": "rate limited"})));
                }
            }
        }
        let number = |key: &str| query.get(key).and_then(|v| v.parse::<u64>().ok());
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let body = match segments.as_slice() {
            ["open"] => {
                let offset = number("offset")?;
                let limit = number("limit")?;
                let ids = offset..(offset.saturating_add(limit)).min(self.records);
                json!({"data": ids.map(|id| json!({"id": id, "name": format!("record {id}")})).collect::<Vec<_>>()})
            }
            ["parents"] => {
                let page = number("page")?;
                let first = (page.saturating_sub(1)) * PAGE;
                let ids = first..(first + PAGE).min(self.parents);
                json!({"data": ids.map(|id| json!({"id": id})).collect::<Vec<_>>()})
            }
            ["parents", id, "children"] => {
                let id: u64 = id.parse().ok()?;
                json!({"data": [{"id": id, "parent": id}]})
            }
            _ => return None,
        };
        Some((200, body))
    }
}

async fn serve(listener: tokio::net::TcpListener, mock: Arc<Mock>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let _ = stream.set_nodelay(true);
        let mock = mock.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let mock = mock.clone();
                async move {
                    let query: BTreeMap<String, String> = request
                        .uri()
                        .query()
                        .map(|q| {
                            url::form_urlencoded::parse(q.as_bytes())
                                .into_owned()
                                .collect()
                        })
                        .unwrap_or_default();
                    let answer = mock.answer(request.uri().path(), &query);
                    tokio::time::sleep(LATENCY).await;
                    let (status, body) = answer.unwrap_or((404, json!({})));
                    let mut response =
                        hyper::Response::new(Full::new(Bytes::from(body.to_string())));
                    *response.status_mut() = http::StatusCode::from_u16(status)
                        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
                    response.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("application/json"),
                    );
                    if status == 429 {
                        response
                            .headers_mut()
                            .insert("retry-after", http::HeaderValue::from_static("1"));
                    }
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// A mock on its own thread and runtime; returns its base URL and state.
fn start_mock(records: u64, parents: u64, limited: bool) -> Result<(String, Arc<Mock>)> {
    let mock = Arc::new(Mock {
        records,
        parents,
        limited,
        started: Instant::now(),
        seen: Mutex::new(Seen::default()),
    });
    let (tx, rx) = std::sync::mpsc::channel();
    let served = mock.clone();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                let _ = tx.send(Err(anyhow::anyhow!(e)));
                return;
            }
        };
        runtime.block_on(async move {
            match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                Ok(listener) => {
                    let address = listener.local_addr().map_err(anyhow::Error::from);
                    let _ = tx.send(address.map(|a| format!("http://{a}/")));
                    serve(listener, served).await;
                }
                Err(e) => {
                    let _ = tx.send(Err(e.into()));
                }
            }
        });
    });
    let base = rx.recv().context("the mock thread ended")??;
    Ok((base, mock))
}

/// A run's outcome.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct Outcome {
    records: u64,
    id_sum: u64,
    elapsed_s: f64,
}

fn resource(name: &str, path: &str, paginator: PaginatorConfig) -> ResourceDescriptor {
    ResourceDescriptor {
        name: name.to_string().into(),
        method: Method::Get,
        path: path.to_string().into(),
        params: Default::default(),
        headers: Default::default(),
        json_body: None,
        paginator,
        data_selector: Some(Selector::fields(["data"])),
        auth: AuthChoice::Client,
        retry: None,
        response_actions: Default::default(),
        processing_steps: Default::default(),
        incremental: None,
        ..ResourceDescriptor::DEFAULT
    }
}

fn core(base: &str, builder: ClientBuilder) -> Result<ClientCore> {
    let spec = ClientSpec {
        source: "bench".into(),
        base_url: base.to_string().into(),
        auth: None,
        values: Default::default(),
        headers: Default::default(),
        budget: None,
    };
    Ok(builder.build(&spec)?)
}

/// (2): offset without a total, `.concurrency(8)`.
async fn restgen_open(base: &str) -> Result<Outcome> {
    let open = resource(
        "open",
        "open",
        PaginatorConfig::Offset(OffsetConfig {
            limit: PAGE,
            offset: 0,
            offset_target: Target::Query("offset".into()),
            limit_target: Target::Query("limit".into()),
            total_path: None,
            maximum_offset: None,
            stop_after_empty_page: true,
            has_more_path: None,
            stop_on_short_page: true,
        }),
    );
    let started = Instant::now();
    let request: ResourceRequest<Value> = ResourceRequest::new(
        core(base, ClientBuilder::default())?,
        std::borrow::Cow::Owned(open),
    )
    .concurrency(8);
    let mut outcome = Outcome::default();
    let mut records = request.stream();
    while let Some(record) = records.try_next().await? {
        outcome.records += 1;
        outcome.id_sum += record["id"].as_u64().unwrap_or(0);
    }
    outcome.elapsed_s = started.elapsed().as_secs_f64();
    Ok(outcome)
}

/// (3): parents, then each parent's child, through the runtime's fan-out with 16 child walks
/// in flight (`_all().concurrency(16)`), all under one client budget of 100 requests per
/// second.
async fn restgen_fanout(base: &str) -> Result<Outcome> {
    let core = core(
        base,
        ClientBuilder::default().rate_limit(ALLOWED as u32, Duration::from_secs(1)),
    )?;
    let parents = resource(
        "parents",
        "parents",
        PaginatorConfig::PageNumber(PageNumberConfig {
            base_page: 1,
            page: 1,
            page_target: Target::Query("page".into()),
            total_path: None,
            maximum_page: None,
            stop_after_empty_page: true,
            has_more_path: None,
            page_size: None,
            stop_on_short_page: false,
        }),
    );
    let children = resource(
        "children",
        "parents/{id}/children",
        PaginatorConfig::SinglePage,
    );
    let started = Instant::now();
    // What a generated `parents_children_all().concurrency(16)` returns.
    let fan_out = FanOut::new(
        ResourceRequest::new(core.clone(), std::borrow::Cow::Owned(parents)),
        ResourceRequest::<Value>::new(core, std::borrow::Cow::Owned(children)),
        std::borrow::Cow::Borrowed("parents"),
        vec![ParentBinding {
            arg: std::borrow::Cow::Borrowed("id"),
            field: Selector::fields(["id"]),
            field_name: std::borrow::Cow::Borrowed("id"),
        }],
        vec![],
    )
    .concurrency(16);
    let mut outcome = Outcome::default();
    let mut stream = fan_out.stream();
    while let Some(item) = stream.next().await {
        let item = item?;
        outcome.records += 1;
        outcome.id_sum += item.record["id"].as_u64().unwrap_or(0);
    }
    drop(stream);
    outcome.elapsed_s = started.elapsed().as_secs_f64();
    Ok(outcome)
}

fn dlt(args: &SlowArgs, python: &PathBuf, base: &str, scenario: &str) -> Result<Outcome> {
    let output = std::process::Command::new(python)
        .arg(&args.script)
        .args(["--base", base, "--scenario", scenario])
        .output()
        .context("running dlt")?;
    if !output.status.success() {
        bail!("dlt failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let line = String::from_utf8_lossy(&output.stdout);
    let last = line.lines().last().unwrap_or_default();
    serde_json::from_str(last).with_context(|| format!("dlt's output: {last}"))
}

/// What the mock saw of one run.
struct Traffic {
    requests: usize,
    rate: f64,
    limited: usize,
    limited_after_1s: usize,
}

fn traffic(mock: &Mock, elapsed_s: f64) -> Traffic {
    let seen = mock
        .seen
        .lock()
        .map(|s| (s.arrivals.len(), s.limited.clone()));
    let (requests, limited) = seen.unwrap_or_default();
    Traffic {
        requests,
        rate: requests as f64 / elapsed_s.max(f64::EPSILON),
        limited: limited.len(),
        limited_after_1s: limited.iter().filter(|t| **t >= 1.0).count(),
    }
}

fn check(name: &str, got: &Outcome, records: u64, id_sum: u64) -> Result<()> {
    if got.records != records || got.id_sum != id_sum {
        bail!(
            "{name}: {} records (id sum {}), expected {records} (id sum {id_sum})",
            got.records,
            got.id_sum
        );
    }
    Ok(())
}

/// Runs both benchmarks and prints the report section.
pub fn run(args: &SlowArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let n = args.records;
    let sum = n * n.saturating_sub(1) / 2;
    let p = args.parents;
    let parent_sum = p * p.saturating_sub(1) / 2;

    let (base, mock) = start_mock(n, p, false)?;
    let ours2 = runtime.block_on(restgen_open(&base))?;
    check("restgen (2)", &ours2, n, sum)?;
    let ours2_traffic = traffic(&mock, ours2.elapsed_s);
    eprintln!("(2) restgen: {:.2} s", ours2.elapsed_s);
    let dlt2 = match &args.python {
        Some(python) => {
            let (base, mock) = start_mock(n, p, false)?;
            let got = dlt(args, python, &base, "open")?;
            check("dlt (2)", &got, n, sum)?;
            eprintln!("(2) dlt: {:.2} s", got.elapsed_s);
            let seen = traffic(&mock, got.elapsed_s);
            Some((got, seen))
        }
        None => None,
    };

    let (base, mock) = start_mock(n, p, true)?;
    let ours3 = runtime.block_on(restgen_fanout(&base))?;
    check("restgen (3)", &ours3, p, parent_sum)?;
    let ours3_traffic = traffic(&mock, ours3.elapsed_s);
    eprintln!("(3) restgen: {:.2} s", ours3.elapsed_s);
    let dlt3 = match &args.python {
        Some(python) => {
            let (base, mock) = start_mock(n, p, true)?;
            let got = dlt(args, python, &base, "fanout")?;
            check("dlt (3)", &got, p, parent_sum)?;
            eprintln!("(3) dlt: {:.2} s", got.elapsed_s);
            let seen = traffic(&mock, got.elapsed_s);
            Some((got, seen))
        }
        None => None,
    };

    println!(
        "| benchmark | contender | wall time | requests | requests/s | 429s (after 1 s) | records, id sum |"
    );
    println!("|---|---|---:|---:|---:|---:|---|");
    let row2 = |who: &str, o: &Outcome, t: &Traffic| {
        println!(
            "| (2) offset without a total, {n} records, page 100 | {who} | {:.2} s | {} | {:.0} | – | {}, {} ✓ |",
            o.elapsed_s, t.requests, t.rate, o.records, o.id_sum
        )
    };
    row2("restgen `.concurrency(8)`", &ours2, &ours2_traffic);
    if let Some((d, t)) = &dlt2 {
        row2("dlt RESTClient", d, t);
    }
    let row3 = |who: &str, o: &Outcome, t: &Traffic| {
        println!(
            "| (3) fan-out, {p} parents, limit 100/s | {who} | {:.2} s | {} | {:.1} | {} ({}) | {}, {} ✓ |",
            o.elapsed_s, t.requests, t.rate, t.limited, t.limited_after_1s, o.records, o.id_sum
        )
    };
    row3(
        "restgen, budget 100/s, 16 children in flight",
        &ours3,
        &ours3_traffic,
    );
    if let Some((d, t)) = &dlt3 {
        row3("dlt `parallelized: true`", d, t);
    }
    println!();
    if let Some((d, _)) = &dlt2 {
        println!("(2) restgen vs dlt: {:.1}×", d.elapsed_s / ours2.elapsed_s);
    }
    println!(
        "(3) restgen sustained {:.0}% of the allowed rate",
        ours3_traffic.rate / ALLOWED as f64 * 100.0
    );
    if let Some((d, _)) = &dlt3 {
        println!("(3) restgen vs dlt: {:.1}×", d.elapsed_s / ours3.elapsed_s);
    }
    Ok(())
}
