//! `restgen-bench decode`: the CPU side alone, no I/O. One page of the corpus is run through
//! each step of the runtime's page path and through the hand-written reference, to see where
//! a page's time goes (records per second of each step, in this process).

use std::time::{Duration, Instant};

use anyhow::Result;
use restgen_runtime::descriptor::{CursorConfig, CursorSource, PaginatorConfig, Target};
use restgen_runtime::paginate::{PageView, Paginator, RequestState};
use restgen_runtime::selector::{Selector, decode_records, select_records};
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

    let mut steps: Vec<(&str, f64)> = Vec::new();
    // Rates are per second of this thread's CPU time, not wall time: on a shared machine
    // the thread is descheduled at random, and CPU time leaves that out.
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result<usize>| -> Result<()> {
        let started = Instant::now();
        let cpu_started = thread_cpu_ns();
        let mut records = 0usize;
        while started.elapsed() < budget {
            records += f()?;
        }
        let cpu = (thread_cpu_ns() - cpu_started) as f64 / 1e9;
        steps.push((name, records as f64 / cpu));
        Ok(())
    };
    step("utf-8 check", &mut || {
        Ok(std::str::from_utf8(&body).map(|_| page_size)?)
    })?;
    step("validate (RawValue of the page)", &mut || {
        let text = std::str::from_utf8(&body)?;
        let _: &RawValue = serde_json::from_str(text)?;
        Ok(page_size)
    })?;
    step("select records (raw)", &mut || {
        let text = std::str::from_utf8(&body)?;
        let root: &RawValue = serde_json::from_str(text)?;
        Ok(select_records(&selector, root).items.len())
    })?;
    // What the driver does with a page: validate, select, step the paginator, then decode.
    let read_page = |decode: bool| -> Result<usize> {
        let text = std::str::from_utf8(&body)?;
        let root: &RawValue = serde_json::from_str(text)?;
        let raw = select_records(&selector, root);
        let mut paginator = Paginator::new(&cursor)?;
        let mut state = RequestState::new(url.clone(), Vec::new(), None);
        let view = PageView {
            headers: &headers,
            body: Some(root),
            records: &raw.items,
        };
        paginator.on_page(&view, &mut state)?;
        if decode {
            let records: Vec<loopback::types::CursorItem> =
                decode_records(text, &raw).map_err(|f| anyhow::anyhow!("{f:?}"))?;
            return Ok(records.len());
        }
        Ok(raw.items.len())
    };
    step("select + paginator", &mut || read_page(false))?;
    step("runtime page path (generated type)", &mut || {
        read_page(true)
    })?;
    step("generated type, plain serde_json envelope", &mut || {
        #[derive(serde::Deserialize)]
        struct Envelope {
            data: Vec<loopback::types::CursorItem>,
        }
        let page: Envelope = serde_json::from_slice(&body)?;
        Ok(page.data.len())
    })?;
    step("hand-written type, plain serde_json envelope", &mut || {
        let page: crate::contenders::reference::CursorPage = serde_json::from_slice(&body)?;
        Ok(page.data.len())
    })?;
    println!(
        "page of {page_size} records, {} bytes (records per CPU second)",
        body.len()
    );
    for (name, rate) in steps {
        println!("{name:<46} {:>12.0} records/s", rate);
    }
    Ok(())
}

/// CPU time of this thread in nanoseconds (`/proc/thread-self/schedstat`; 0 elsewhere).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
