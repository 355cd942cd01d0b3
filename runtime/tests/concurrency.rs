//! `.concurrency(n)`: offset pages fetched several at a time still arrive in order and exactly
//! once, through responses that complete out of order, an error mid-way, a 429 during
//! prefetch, a total that shrinks, `max_pages`, and the blocking client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::*;
use futures::StreamExt;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use restgen_runtime::descriptor::{OffsetConfig, PaginatorConfig, ResourceDescriptor, Target};
use restgen_runtime::selector::Selector;
use restgen_runtime::{ClientCore, Error, serde_json};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// Records per page.
const LIMIT: u64 = 5;

/// How the test server answers the request for one offset (`attempt` counts from 1).
#[derive(Clone)]
struct Answer {
    status: u16,
    /// The total the body reports.
    total: u64,
    headers: Vec<(&'static str, &'static str)>,
    delay: Duration,
    /// Wait until this offset has been requested before answering (10 s at most).
    after: Option<u64>,
}

type Script = dyn Fn(u64, usize) -> Answer + Send + Sync;

/// A loopback API paging records `{"id": n}` by offset, answering as `script` says, and
/// recording the offsets requested in arrival order.
struct Api {
    base: String,
    log: Arc<Mutex<Vec<u64>>>,
    gate_timed_out: Arc<Mutex<bool>>,
}

impl Api {
    async fn start(script: impl Fn(u64, usize) -> Answer + Send + Sync + 'static) -> Api {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let gate_timed_out = Arc::new(Mutex::new(false));
        let arrived = Arc::new(Notify::new());
        let script: Arc<Script> = Arc::new(script);
        let (log2, timed_out2) = (log.clone(), gate_timed_out.clone());
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (log, timed_out, arrived, script) = (
                    log2.clone(),
                    timed_out2.clone(),
                    arrived.clone(),
                    script.clone(),
                );
                tokio::spawn(async move {
                    let service = service_fn(move |request: hyper::Request<_>| {
                        let (log, timed_out, arrived, script) = (
                            log.clone(),
                            timed_out.clone(),
                            arrived.clone(),
                            script.clone(),
                        );
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
                            let offset: u64 = query["offset"].parse().unwrap();
                            let attempt = {
                                let mut log = log.lock().unwrap();
                                log.push(offset);
                                log.iter().filter(|o| **o == offset).count()
                            };
                            arrived.notify_waiters();
                            let answer = script(offset, attempt);
                            if let Some(wanted) = answer.after {
                                let seen = || log.lock().unwrap().contains(&wanted);
                                let waited = tokio::time::timeout(Duration::from_secs(10), async {
                                    while !seen() {
                                        let notified = arrived.notified();
                                        if seen() {
                                            break;
                                        }
                                        notified.await;
                                    }
                                })
                                .await;
                                if waited.is_err() {
                                    *timed_out.lock().unwrap() = true;
                                }
                            }
                            tokio::time::sleep(answer.delay).await;
                            let ids: Vec<Value> = (offset..offset + LIMIT)
                                .map(|id| json!({ "id": id }))
                                .collect();
                            let body = json!({"items": ids, "total": answer.total}).to_string();
                            let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
                            *response.status_mut() =
                                http::StatusCode::from_u16(answer.status).unwrap();
                            for (name, value) in answer.headers {
                                response
                                    .headers_mut()
                                    .insert(name, http::HeaderValue::from_static(value));
                            }
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Api {
            base,
            log,
            gate_timed_out,
        }
    }

    fn offsets(&self) -> Vec<u64> {
        let mut offsets = self.log.lock().unwrap().clone();
        offsets.sort();
        offsets
    }

    fn core(&self) -> ClientCore {
        builder(&[])
            .retry_policy(no_wait(3))
            .build(&spec(&self.base, None, vec![]))
            .unwrap()
    }
}

fn ok(total: u64) -> Answer {
    Answer {
        status: 200,
        total,
        headers: Vec::new(),
        delay: Duration::ZERO,
        after: None,
    }
}

/// An offset resource: `LIMIT` per page, total at `total`, records at `items`.
fn things() -> ResourceDescriptor {
    ResourceDescriptor {
        paginator: PaginatorConfig::Offset(OffsetConfig {
            limit: LIMIT,
            offset: 0,
            offset_target: Target::Query("offset".into()),
            limit_target: Target::Query("limit".into()),
            total_path: Some(Selector::fields(["total"])),
            maximum_offset: None,
            stop_after_empty_page: true,
            has_more_path: None,
            stop_on_short_page: false,
        }),
        data_selector: Some(Selector::fields(["items"])),
        ..resource("things", "/things")
    }
}

fn ids(records: &[Value]) -> Vec<u64> {
    records.iter().map(|r| r["id"].as_u64().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_fetched_at_once_arrive_in_order_and_exactly_once() {
    // 8 pages; later pages answer sooner, and page 2 only once page 4 has been asked for,
    // which a client fetching one page at a time never does.
    let api = Api::start(|offset, _| Answer {
        delay: Duration::from_millis(40 - offset),
        after: (offset == LIMIT).then_some(3 * LIMIT),
        ..ok(40)
    })
    .await;

    let got = records(request(&api.core(), things()).concurrency(4))
        .await
        .unwrap();

    assert_eq!(ids(&got), (0..40).collect::<Vec<_>>());
    assert_eq!(api.offsets(), (0..8).map(|p| p * LIMIT).collect::<Vec<_>>());
    assert!(
        !*api.gate_timed_out.lock().unwrap(),
        "page 4 was not requested while page 2 was in flight"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_mid_way_ends_the_run_after_the_pages_before_it() {
    let api = Api::start(|offset, _| Answer {
        status: if offset == 3 * LIMIT { 404 } else { 200 },
        ..ok(40)
    })
    .await;

    let mut pages = request(&api.core(), things()).concurrency(3).pages();
    let mut got = Vec::new();
    let error = loop {
        match pages.next().await {
            Some(Ok(page)) => got.extend(page.records),
            Some(Err(e)) => break e,
            None => panic!("the run ended without the error"),
        }
    };

    assert_eq!(ids(&got), (0..15).collect::<Vec<_>>());
    match error {
        Error::Status {
            status: 404, at, ..
        } => assert_eq!(at.page, 4),
        other => panic!("expected the 404 of page 4, got {other:?}"),
    }
    assert!(pages.next().await.is_none(), "nothing follows the error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_during_prefetch_is_retried_and_its_records_come_once_in_place() {
    let api = Api::start(|offset, attempt| {
        if offset == 2 * LIMIT && attempt == 1 {
            Answer {
                status: 429,
                headers: vec![("retry-after-ms", "50")],
                ..ok(40)
            }
        } else {
            ok(40)
        }
    })
    .await;

    let got = records(request(&api.core(), things()).concurrency(4))
        .await
        .unwrap();

    assert_eq!(ids(&got), (0..40).collect::<Vec<_>>());
    let mut expected: Vec<u64> = (0..8).map(|p| p * LIMIT).collect();
    expected.push(2 * LIMIT);
    expected.sort();
    assert_eq!(
        api.offsets(),
        expected,
        "page 3 twice, every other page once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefetched_pages_past_a_shrunk_total_are_dropped() {
    // The first page says 40 records, every later one says 12: the sequential run reads
    // pages 1 to 3 (offset 10 < 12) and stops; prefetched pages past them are not yielded.
    let api = Api::start(|offset, _| ok(if offset == 0 { 40 } else { 12 })).await;
    let sequential = records(request(&api.core(), things())).await.unwrap();
    let concurrent = records(request(&api.core(), things()).concurrency(4))
        .await
        .unwrap();

    assert_eq!(ids(&sequential), (0..15).collect::<Vec<_>>());
    assert_eq!(ids(&concurrent), ids(&sequential));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_pages_bounds_what_is_fetched() {
    let api = Api::start(|_, _| ok(100)).await;

    let got = records(request(&api.core(), things()).concurrency(8).max_pages(3))
        .await
        .unwrap();

    assert_eq!(ids(&got), (0..15).collect::<Vec<_>>());
    assert_eq!(api.offsets(), [0, 5, 10]);
}

#[test]
fn the_blocking_client_fetches_at_once_too() {
    let host = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let api = host.block_on(Api::start(|offset, _| Answer {
        delay: Duration::from_millis(20 - offset / 2),
        ..ok(20)
    }));
    let runtime = restgen_runtime::blocking::BlockingRuntime::new().unwrap();

    let got: Result<Vec<Value>, Error> = runtime
        .request(request(&api.core(), things()))
        .concurrency(3)
        .iter()
        .collect();

    assert_eq!(ids(&got.unwrap()), (0..20).collect::<Vec<_>>());
    assert_eq!(api.offsets(), [0, 5, 10, 15]);
}
