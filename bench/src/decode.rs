//! `restgen-bench decode`: the CPU side alone, no I/O. One page of the corpus is run through
//! each step of the runtime's page path and through the hand-written reference, to see where
//! a page's time goes (records per second of each step, in this process).

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use restgen_runtime::descriptor::{CursorConfig, CursorSource, PaginatorConfig, Target};
use restgen_runtime::paginate::{PageView, Paginator, RequestState};
use restgen_runtime::scan::ScanPlan;
use restgen_runtime::selector::{RawRecords, Selector, decode_records, select_records};
use serde_json::value::RawValue;

use crate::corpus::Corpus;

/// Runs every step on a page of `page_size` records for about `seconds` each.
pub fn run(page_size: usize, seconds: f64) -> Result<()> {
    let corpus = Corpus::render(page_size + 1)?;
    let mut body = br#"{"data":["#.to_vec();
    body.extend_from_slice(&corpus.slice(0, page_size));
    body.extend_from_slice(br#"],"next_cursor":"o1000"}"#);
    let body = bytes::Bytes::from(body);
    let budget = Duration::from_secs_f64(seconds);
    let selector = Selector::fields(["data"]);
    let cursor = PaginatorConfig::Cursor(CursorConfig {
        source: CursorSource::Path(Selector::fields(["next_cursor"])),
        target: Target::Query("cursor".into()),
        stop_condition: None,
        stop_after_empty_page: false,
        has_more_path: None,
        page_size: None,
    });
    let headers = http::HeaderMap::new();
    let url = url::Url::parse("http://127.0.0.1/cursor")?;

    // What the driver does with a page: find the records (the general path: the page as a raw
    // value, then the selector; or the single pass), step the paginator, then decode.
    let plan = ScanPlan::new(&selector, &cursor).context("no scan plan")?;
    let read_page = |scan: bool, decode: Decode| -> Result<usize> {
        let text = std::str::from_utf8(&body)?;
        let scanned;
        let (root, raw) = if scan {
            scanned = plan.scan(text).context("the scan declined")?;
            let raw = RawRecords {
                items: scanned.records.clone(),
            };
            (&*scanned.root, raw)
        } else {
            let root: &RawValue = serde_json::from_str(text)?;
            (root, select_records(&selector, root)?)
        };
        let mut paginator = Paginator::new(&cursor)?;
        let mut state = RequestState::new(url.clone(), Vec::new(), None);
        let view = PageView {
            headers: &headers,
            body: Some(root),
            records: &raw.items,
        };
        paginator.on_page(&view, &mut state)?;
        type Item = loopback::types::CursorItem;
        let decoded = match decode {
            Decode::No => raw.items.len(),
            Decode::Fast => decode_records::<Item>(text, &raw)
                .map_err(|f| anyhow::anyhow!("{f:?}"))?
                .len(),
            // what the runtime did before: path tracking on every record
            Decode::PathTracking => raw
                .items
                .iter()
                .map(|r| {
                    let mut de = serde_json::Deserializer::from_str(r.get());
                    serde_path_to_error::deserialize::<_, Item>(&mut de)
                })
                .collect::<Result<Vec<_>, _>>()?
                .len(),
        };
        Ok(decoded)
    };
    type Step<'a> = (&'static str, Box<dyn FnMut() -> Result<usize> + 'a>);
    let mut steps: Vec<Step<'_>> = Vec::new();
    steps.push((
        "utf-8 check",
        Box::new(|| Ok(std::str::from_utf8(&body).map(|_| page_size)?)),
    ));
    steps.push((
        "validate (RawValue of the page)",
        Box::new(|| {
            let text = std::str::from_utf8(&body)?;
            let _: &RawValue = serde_json::from_str(text)?;
            Ok(page_size)
        }),
    ));
    steps.push((
        "select records (raw)",
        Box::new(|| {
            let text = std::str::from_utf8(&body)?;
            let root: &RawValue = serde_json::from_str(text)?;
            Ok(select_records(&selector, root)?.items.len())
        }),
    ));
    steps.push((
        "select + paginator",
        Box::new(|| read_page(false, Decode::No)),
    ));
    steps.push((
        "one-pass scan + paginator",
        Box::new(|| read_page(true, Decode::No)),
    ));
    steps.push((
        "page path before (general, path tracking)",
        Box::new(|| read_page(false, Decode::PathTracking)),
    ));
    steps.push((
        "general path, decode without path tracking",
        Box::new(|| read_page(false, Decode::Fast)),
    ));
    steps.push((
        "page path now (scan, decode)",
        Box::new(|| read_page(true, Decode::Fast)),
    ));
    steps.push((
        "generated type, plain serde_json envelope",
        Box::new(|| {
            #[derive(serde::Deserialize)]
            struct Envelope {
                data: Vec<loopback::types::CursorItem>,
            }
            let page: Envelope = serde_json::from_slice(&body)?;
            Ok(page.data.len())
        }),
    ));
    steps.push((
        "hand-written type, plain serde_json envelope",
        Box::new(|| {
            let page: crate::contenders::reference::CursorPage = serde_json::from_slice(&body)?;
            Ok(page.data.len())
        }),
    ));
    // Rates are per second of this thread's CPU time, not wall time (on a shared machine the
    // thread is descheduled at random), and the steps take turns over several trials, each
    // reporting its best: interference only ever slows a trial down.
    let trials = 7;
    let slice = budget.div_f64(f64::from(trials));
    let mut best = vec![0.0f64; steps.len()];
    for _ in 0..trials {
        for (i, (_, f)) in steps.iter_mut().enumerate() {
            let started = Instant::now();
            let cpu_started = thread_cpu_ns();
            let mut records = 0usize;
            while started.elapsed() < slice {
                records += f()?;
            }
            let cpu = thread_cpu_ns().saturating_sub(cpu_started).max(1) as f64 / 1e9;
            best[i] = best[i].max(records as f64 / cpu);
        }
    }
    println!(
        "page of {page_size} records, {} bytes (best of {trials} trials, records per CPU second)",
        body.len()
    );
    for ((name, _), rate) in steps.iter().zip(best) {
        println!("{name:<46} {rate:>12.0} records/s");
    }
    Ok(())
}

/// How a page's records are decoded.
#[derive(Clone, Copy)]
enum Decode {
    No,
    Fast,
    PathTracking,
}

/// CPU time of this thread in nanoseconds (`/proc/thread-self/schedstat`; 0 elsewhere).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
