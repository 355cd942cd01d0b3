//! Benchmark (1) of issue 18, the fan-out: 1,000 parents on 10 pages of 100, one child page
//! of 10 records each, every response 50 ms late. restgen's `_all().concurrency(16)` against
//! dlt's `rest_api_source` run sequentially and with `parallelized: true` at its default
//! workers, each in its own process against the same mock (`fanout-serve`).
//!
//! The mock is a few lines of HTTP/1.1 on tokio: each connection reads a request head, waits
//! the latency, and answers with a JSON body and a `Content-Length`, keeping the connection
//! alive (reqwest and requests both reuse connections).

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::measure;
use crate::report::Sample;

/// Parents in all.
pub const PARENTS: u64 = 1_000;
/// Parents per page.
const PARENT_PAGE: u64 = 100;
/// Child records per parent (one page).
const CHILDREN: u64 = 10;

/// The expected record count and id sum of a full run.
pub fn expected() -> (u64, u64) {
    let ids = (1..=PARENTS).flat_map(|p| (0..CHILDREN).map(move |k| p * 100 + k));
    (PARENTS * CHILDREN, ids.sum())
}

/// Options of `fanout-serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Milliseconds added before every response.
    #[arg(long, default_value_t = 50)]
    pub latency_ms: u64,
}

/// Serves the fan-out mock; prints `listening <addr>` once it accepts connections.
pub fn serve(args: &ServeArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let latency = Duration::from_millis(args.latency_ms);
    runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        println!("listening {}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                // a client that hangs up ends its connection, nothing else
                let _ = connection(stream, latency).await;
            });
        }
    })
}

async fn connection(mut stream: TcpStream, latency: Duration) -> Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buffer[..end]).to_string();
        buffer.drain(..end);
        let host = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("host").then(|| v.trim().to_string())
            })
            .unwrap_or_default();
        let target = head.split(' ').nth(1).unwrap_or("/").to_string();
        let (status, body) = match route(&host, &target) {
            Some(body) => ("200 OK", body),
            None => ("404 Not Found", "{}".to_string()),
        };
        tokio::time::sleep(latency).await;
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(response.as_bytes()).await?;
    }
}

/// `/parents?page=N` (1-based, `next` links to the next page) and `/parents/<id>/children`.
fn route(host: &str, target: &str) -> Option<String> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path == "/parents" {
        let page: u64 = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("page="))
            .map_or(Some(1), |v| v.parse().ok())?;
        let first = (page - 1) * PARENT_PAGE + 1;
        let ids: Vec<String> = (first..first + PARENT_PAGE)
            .filter(|id| *id <= PARENTS)
            .map(|id| format!("{{\"id\":{id},\"name\":\"parent {id}\"}}"))
            .collect();
        let next = if page * PARENT_PAGE < PARENTS {
            format!("\"http://{host}/parents?page={}\"", page + 1)
        } else {
            "null".to_string()
        };
        return Some(format!("{{\"data\":[{}],\"next\":{next}}}", ids.join(",")));
    }
    let id: u64 = path
        .strip_prefix("/parents/")?
        .strip_suffix("/children")?
        .parse()
        .ok()?;
    let records: Vec<String> = (0..CHILDREN)
        .map(|k| {
            format!(
                "{{\"id\":{},\"parent\":{id},\"value\":\"x\"}}",
                id * 100 + k
            )
        })
        .collect();
    Some(format!(
        "{{\"data\":[{}],\"next\":null}}",
        records.join(",")
    ))
}

/// Options of `fanout-client`.
#[derive(clap::Args)]
pub struct ClientArgs {
    /// The mock's base URL.
    #[arg(long)]
    pub base: String,
    /// Child walks in flight.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

/// One restgen run: the runtime's fan-out (what a generated `_all()` returns), printed as a
/// JSON sample.
pub fn client(args: &ClientArgs) -> Result<()> {
    use std::borrow::Cow;

    use restgen_runtime::descriptor::{AuthChoice, Method, PaginatorConfig, ResourceDescriptor};
    use restgen_runtime::selector::Selector;
    use restgen_runtime::{ClientBuilder, ClientSpec, FanOut, ParentBinding, ResourceRequest};

    #[derive(serde::Deserialize)]
    struct Child {
        id: u64,
    }

    let resource = |name: &'static str, path: &'static str| ResourceDescriptor {
        name: Cow::Borrowed(name),
        method: Method::Get,
        path: Cow::Borrowed(path),
        params: Cow::Borrowed(&[]),
        headers: Cow::Borrowed(&[]),
        json_body: None,
        paginator: PaginatorConfig::JsonLink {
            next_url_path: Selector::fields(["next"]),
        },
        data_selector: Some(Selector::fields(["data"])),
        auth: AuthChoice::Client,
        retry: None,
        response_actions: Cow::Borrowed(&[]),
        processing_steps: Cow::Borrowed(&[]),
        incremental: None,
        ..ResourceDescriptor::DEFAULT
    };
    let spec = ClientSpec {
        source: Cow::Borrowed("fanout"),
        base_url: Cow::Owned(args.base.clone()),
        auth: None,
        values: Cow::Borrowed(&[]),
        headers: Cow::Borrowed(&[]),
        budget: None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cpu_started = measure::cpu_seconds();
    let started = Instant::now();
    let (records, id_sum) = runtime.block_on(async {
        let core = ClientBuilder::default().build(&spec)?;
        let fan_out = FanOut::new(
            ResourceRequest::new(core.clone(), Cow::Owned(resource("parents", "parents"))),
            ResourceRequest::<Child>::new(
                core,
                Cow::Owned(resource("children", "parents/{parent_id}/children")),
            ),
            Cow::Borrowed("parents"),
            vec![ParentBinding {
                arg: Cow::Borrowed("parent_id"),
                field: Selector::fields(["id"]),
                field_name: Cow::Borrowed("id"),
            }],
            vec![],
        )
        .concurrency(args.concurrency);
        let mut stream = fan_out.stream();
        let (mut records, mut id_sum) = (0u64, 0u64);
        while let Some(item) = stream.next().await {
            let item = item?;
            records += 1;
            id_sum += item.record.id;
        }
        anyhow::Ok((records, id_sum))
    })?;
    let sample = Sample {
        records,
        id_sum,
        bytes: 0,
        elapsed_s: started.elapsed().as_secs_f64(),
        cpu_s: measure::cpu_seconds() - cpu_started,
        peak_rss_kib: measure::peak_rss_kib(),
    };
    println!("{}", serde_json::to_string(&sample)?);
    Ok(())
}

/// Options of `fanout`.
#[derive(clap::Args)]
pub struct SuiteArgs {
    /// The venv's Python, for the dlt runs (leave out to skip dlt).
    #[arg(long)]
    pub python: Option<std::path::PathBuf>,
    /// The dlt script.
    #[arg(long, default_value = "bench/python/dlt_fanout.py")]
    pub script: std::path::PathBuf,
    /// Milliseconds added before every response.
    #[arg(long, default_value_t = 50)]
    pub latency_ms: u64,
}

/// Starts a mock process (`serve`, `fanout-serve`) and waits for its `listening <addr>`.
pub fn start_mock(command: &mut Command) -> Result<(std::process::Child, String)> {
    use std::io::BufRead;
    let mut mock = command.stdout(std::process::Stdio::piped()).spawn()?;
    let stdout = mock.stdout.take().context("the mock's stdout")?;
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening ")
        .context("the mock did not start")?
        .to_string();
    Ok((mock, addr))
}

/// Runs the three contenders once each against one mock and prints a Markdown table.
pub fn suite(args: &SuiteArgs) -> Result<()> {
    let exe = std::env::current_exe()?;
    let (mut mock, addr) = start_mock(Command::new(&exe).args([
        "fanout-serve",
        "--latency-ms",
        &args.latency_ms.to_string(),
    ]))?;
    let base = format!("http://{addr}/");
    let result = run_all(args, &exe, &base);
    let _ = mock.kill();
    let _ = mock.wait();
    let rows = result?;
    let (records, id_sum) = expected();
    println!(
        "fan-out: {PARENTS} parents on {} pages, one child page of {CHILDREN} each, {} ms per response; expected {records} records, id sum {id_sum}",
        PARENTS / PARENT_PAGE,
        args.latency_ms
    );
    println!("| contender | wall s | records | id sum | CPU s | peak RSS MiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, s) in &rows {
        println!(
            "| {label} | {:.2} | {} | {} | {:.2} | {:.1} |",
            s.elapsed_s,
            s.records,
            s.id_sum,
            s.cpu_s,
            s.peak_rss_kib as f64 / 1024.0
        );
    }
    let wall = |name: &str| {
        rows.iter()
            .find(|(l, _)| l.starts_with(name))
            .map(|(_, s)| s.elapsed_s)
    };
    if let (Some(r), Some(seq), Some(par)) = (
        wall("restgen"),
        wall("dlt sequential"),
        wall("dlt parallelized"),
    ) {
        println!(
            "ratios: {:.1}x dlt sequential (target 12x), {:.1}x dlt parallelized (target 3x)",
            seq / r,
            par / r
        );
    }
    Ok(())
}

fn run_all(args: &SuiteArgs, exe: &std::path::Path, base: &str) -> Result<Vec<(String, Sample)>> {
    let mut rows = Vec::new();
    let out = Command::new(exe)
        .args(["fanout-client", "--base", base, "--concurrency", "16"])
        .output()?;
    rows.push((
        "restgen `_all().concurrency(16)`".to_string(),
        measure::reported(&out)?,
    ));
    if let Some(python) = &args.python {
        for (label, extra) in [
            (
                "dlt parallelized (default workers)",
                &["--parallelized"][..],
            ),
            ("dlt sequential", &[][..]),
        ] {
            let out = Command::new(python)
                .arg(&args.script)
                .args(["--base", base])
                .args(extra)
                .output()?;
            rows.push((label.to_string(), measure::reported(&out)?));
        }
    }
    let (records, id_sum) = expected();
    for (label, s) in &rows {
        if s.records != records || s.id_sum != id_sum {
            bail!(
                "{label}: {} records, id sum {} (expected {records}, {id_sum})",
                s.records,
                s.id_sum
            );
        }
    }
    Ok(rows)
}
