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
use restgen_runtime::descriptor::{
    OffsetConfig, PaginatorConfig, ResourceDescriptor, ResponseAction, RuleAction, Target,
};
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
    /// Where the records end: a page past it is short or empty.
    end: u64,
    /// Whether the body reports `total`.
    shows_total: bool,
    /// Never answer (until the client gives up the request).
    hang: bool,
}

type Script = dyn Fn(u64, usize) -> Answer + Send + Sync;

/// A loopback API paging records `{"id": n}` by offset, answering as `script` says, and
/// recording the offsets requested in arrival order.
struct Api {
    base: String,
    log: Arc<Mutex<Vec<u64>>>,
    gate_timed_out: Arc<Mutex<bool>>,
    /// Requests whose handler was dropped unanswered: the client cancelled them.
    cancelled: Arc<Mutex<Vec<u64>>>,
}

/// Notes its offset as cancelled when a hanging handler is dropped.
struct Hung(Arc<Mutex<Vec<u64>>>, u64);

impl Drop for Hung {
    fn drop(&mut self) {
        self.0.lock().unwrap().push(self.1);
    }
}

impl Api {
    async fn start(script: impl Fn(u64, usize) -> Answer + Send + Sync + 'static) -> Api {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let gate_timed_out = Arc::new(Mutex::new(false));
        let cancelled = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let script: Arc<Script> = Arc::new(script);
        let (log2, timed_out2, cancelled2) =
            (log.clone(), gate_timed_out.clone(), cancelled.clone());
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (log, timed_out, arrived, script, cancelled) = (
                    log2.clone(),
                    timed_out2.clone(),
                    arrived.clone(),
                    script.clone(),
                    cancelled2.clone(),
                );
                tokio::spawn(async move {
                    let service = service_fn(move |request: hyper::Request<_>| {
                        let (log, timed_out, arrived, script, cancelled) = (
                            log.clone(),
                            timed_out.clone(),
                            arrived.clone(),
                            script.clone(),
                            cancelled.clone(),
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
                            if answer.hang {
                                let _hung = Hung(cancelled, offset);
                                std::future::pending::<()>().await;
                            }
                            tokio::time::sleep(answer.delay).await;
                            let ids: Vec<Value> = (offset..(offset + LIMIT).min(answer.end))
                                .map(|id| json!({ "id": id }))
                                .collect();
                            let body = if answer.shows_total {
                                json!({"items": ids, "total": answer.total})
                            } else {
                                json!({ "items": ids })
                            }
                            .to_string();
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
            cancelled,
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
        end: u64::MAX,
        shows_total: true,
        hang: false,
    }
}

/// A page of an API that gives no total, whose records end at `end`.
fn open(end: u64) -> Answer {
    Answer {
        end,
        shows_total: false,
        ..ok(0)
    }
}

/// An offset resource without a total: paging ends at a short or empty page.
fn open_things() -> ResourceDescriptor {
    let mut d = things();
    if let PaginatorConfig::Offset(c) = &mut d.paginator {
        c.total_path = None;
        c.stop_on_short_page = true;
    }
    d
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

/// The offsets requested past `end`, and whether each offset up to it was requested once.
fn past_the_end(api: &Api, end: u64) -> Vec<u64> {
    let offsets = api.offsets();
    let within: Vec<u64> = offsets.iter().copied().filter(|o| *o < end).collect();
    assert_eq!(
        within,
        (0..end.div_ceil(LIMIT))
            .map(|p| p * LIMIT)
            .collect::<Vec<_>>(),
        "every page up to the end, once"
    );
    offsets.into_iter().filter(|o| *o >= end).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_total_pages_are_fetched_speculatively_in_order_and_exactly_once() {
    // 37 records, no total: the 8th page is short. Later pages answer sooner, and page 2
    // only once page 4 has been asked for, which only speculative paging does.
    let api = Api::start(|offset, _| Answer {
        delay: Duration::from_millis(40u64.saturating_sub(offset)),
        after: (offset == LIMIT).then_some(3 * LIMIT),
        ..open(37)
    })
    .await;

    let got = records(request(&api.core(), open_things()).concurrency(4))
        .await
        .unwrap();

    assert_eq!(ids(&got), (0..37).collect::<Vec<_>>());
    assert!(
        !*api.gate_timed_out.lock().unwrap(),
        "page 4 was not requested while page 2 was in flight"
    );
    let extra = past_the_end(&api, 37);
    assert!(
        extra.len() <= 3,
        "at most n - 1 guesses past the end: {extra:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_total_an_empty_page_ends_it_and_one_at_a_time_sends_nothing_past_it() {
    let api = Api::start(|_, _| open(20)).await;
    let sequential = records(request(&api.core(), open_things())).await.unwrap();
    assert_eq!(ids(&sequential), (0..20).collect::<Vec<_>>());
    // the page at 20 is empty: the end; nothing past it is sent without concurrency
    assert_eq!(api.offsets(), [0, 5, 10, 15, 20]);

    let concurrent = records(request(&api.core(), open_things()).concurrency(8))
        .await
        .unwrap();
    assert_eq!(ids(&concurrent), ids(&sequential));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_past_the_end_are_cancelled() {
    // 20 records; the requests past the empty page at 20 never answer: the run must end
    // without them and drop their connections.
    // the empty page answers only once a guess past it (25) has reached the server, so the
    // window certainly reached past the end whatever the machine's load
    let api = Api::start(|offset, _| Answer {
        hang: offset > 20,
        after: (offset == 20).then_some(25),
        ..open(20)
    })
    .await;

    let got = tokio::time::timeout(
        Duration::from_secs(20),
        records(request(&api.core(), open_things()).concurrency(4)),
    )
    .await
    .expect("the run waited for a request past the end")
    .unwrap();

    assert_eq!(ids(&got), (0..20).collect::<Vec<_>>());
    let hung: Vec<u64> = api.offsets().into_iter().filter(|o| *o > 20).collect();
    assert!(!hung.is_empty(), "the window reached past the end");
    // the server sees each hanging request's connection close (bounded wait)
    for _ in 0..200 {
        if api.cancelled.lock().unwrap().len() == hung.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut cancelled = api.cancelled.lock().unwrap().clone();
    cancelled.sort();
    assert_eq!(cancelled, hung, "every request past the end was cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_total_an_error_mid_way_resumes_where_it_stopped() {
    let api = Api::start(|offset, _| Answer {
        status: if offset == 3 * LIMIT { 404 } else { 200 },
        ..open(37)
    })
    .await;

    let mut stream = request(&api.core(), open_things()).concurrency(4).stream();
    let mut got = Vec::new();
    let error = loop {
        match stream.next().await {
            Some(Ok(record)) => got.push(record),
            Some(Err(e)) => break e,
            None => panic!("the run ended without the error"),
        }
    };
    assert_eq!(ids(&got), (0..15).collect::<Vec<_>>());
    assert!(stream.next().await.is_none(), "nothing follows the error");
    let point = error.resume_point().expect("a resume point").clone();

    // the API recovers; the run goes on from the failed page, at the same concurrency
    let healed = Api::start(|_, _| open(37)).await;
    let rest = records(
        request(&healed.core(), open_things())
            .concurrency(4)
            .resume(point),
    )
    .await
    .unwrap();
    assert_eq!(ids(&rest), (15..37).collect::<Vec<_>>());
    assert!(
        healed.offsets().iter().all(|o| *o >= 15),
        "nothing before the failed page"
    );
}

/// Waits (boundedly) until the API has seen `n` requests, then a little longer, and returns
/// how many it saw: a check that nothing more goes out, not a timing.
async fn settled_at(api: &Api, n: usize) -> usize {
    for _ in 0..500 {
        if api.log.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    api.log.lock().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_budget_holds_across_concurrent_runs_and_prefetch() {
    // 6 requests per run wanted, two runs at once with pages fetched ahead; the client may
    // send 5 per hour in all
    let api = Api::start(|_, _| open(27)).await;
    let core = builder(&[])
        .retry_policy(no_wait(3))
        .rate_limit(5, Duration::from_secs(3600))
        .build(&spec(&api.base, None, vec![]))
        .unwrap();
    let runs: Vec<_> = (0..2)
        .map(|_| tokio::spawn(records(request(&core, open_things()).concurrency(4))))
        .collect();

    assert_eq!(
        settled_at(&api, 5).await,
        5,
        "the budget is the client's, not a run's"
    );
    for run in runs {
        run.abort();
    }
}

/// The first request of a run is answered `status` with a Retry-After of an hour: a second
/// run of `descriptor`, which never saw it, must not send either.
async fn pauses_the_whole_client(status: u16, descriptor: fn() -> ResourceDescriptor) {
    let api = Api::start(move |offset, attempt| Answer {
        status: if offset == 0 && attempt == 1 {
            status
        } else {
            200
        },
        headers: vec![("retry-after", "3600")],
        ..open(27)
    })
    .await;
    let core = api.core();
    let first = tokio::spawn(records(request(&core, descriptor())));
    assert_eq!(settled_at(&api, 1).await, 1);
    let second = tokio::spawn(records(request(&core, descriptor()).param("other", 1)));
    assert_eq!(
        settled_at(&api, 2).await,
        1,
        "a {status} slows every request of the client"
    );
    assert_eq!(core.budget().limited(), 1);
    first.abort();
    second.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_pauses_the_whole_client() {
    pauses_the_whole_client(429, open_things).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_rule_pauses_the_whole_client_as_a_429_does() {
    // GitHub's secondary rate limit is a 403: a rule `{status_code: 403, action:
    // rate_limited}` says so
    pauses_the_whole_client(403, || ResourceDescriptor {
        response_actions: std::borrow::Cow::Owned(vec![ResponseAction {
            status_code: Some(403),
            action: RuleAction::RateLimited,
            ..ResponseAction::DEFAULT
        }]),
        ..open_things()
    })
    .await;
}
