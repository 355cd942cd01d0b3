//! Helpers shared by the runtime's integration tests: hand-built specs and descriptors, a
//! mock-server toolkit, and a driver that runs retries on tokio's paused clock.
//!
//! # Paused time and real sockets
//!
//! tokio's paused clock auto-advances to the next timer whenever the runtime has nothing to
//! do, and a runtime waiting for a socket has nothing to do. With wiremock answering on its
//! own thread, that makes reqwest's 60 s timeout fire at random (measured: about one run in
//! five saw a spurious jump of two minutes). [`run_paused`] therefore switches auto-advance
//! off (a running `spawn_blocking` task inhibits it) and moves the clock by hand: it watches
//! the runtime's `retrying` trace event, which is emitted right before the retry sleep is
//! created, checks that no new attempt starts 1 ms before the announced wait is over, then
//! lets it run out. So every wait is measured on the virtual clock and no test sleeps for
//! real beyond a few milliseconds of polling.

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use restgen_runtime::descriptor::{
    AuthChoice, AuthConfig, Method, PaginatorConfig, Param, ResourceDescriptor, RetryPolicy,
    ValueRef,
};
use restgen_runtime::retry::Jitter;
use restgen_runtime::selector::Selector;
use restgen_runtime::{ClientBuilder, ClientCore, ClientSpec, Error, Page, ResourceRequest};
use restgen_runtime::{ValueSpec, serde_json};
use tracing::instrument::WithSubscriber;
use wiremock::{MockServer, Request};

// ---------------------------------------------------------------------------------------------
// Specs and descriptors

/// `ValueRef::Secret(name)`.
pub fn secret(name: &str) -> ValueRef {
    ValueRef::Secret(Cow::Owned(name.to_string()))
}

/// `ValueRef::Literal(value)`.
pub fn literal(value: &str) -> ValueRef {
    ValueRef::Literal(Cow::Owned(value.to_string()))
}

/// A secret value the spec names; `required` when the client's own auth uses it.
pub fn secret_value(name: &str, required: bool) -> ValueSpec {
    ValueSpec {
        name: Cow::Owned(name.to_string()),
        secret: true,
        required,
    }
}

/// A client spec for source `test` at `base_url`.
pub fn spec(base_url: &str, auth: Option<AuthConfig>, values: Vec<ValueSpec>) -> ClientSpec {
    ClientSpec {
        source: Cow::Borrowed("test"),
        base_url: Cow::Owned(base_url.to_string()),
        auth,
        values: Cow::Owned(values),
        headers: Cow::Borrowed(&[]),
        budget: None,
    }
}

/// A `name=value` pair.
pub fn param(name: &str, value: &str) -> Param {
    Param {
        name: Cow::Owned(name.to_string()),
        value: Cow::Owned(value.to_string()),
    }
}

/// A single-page `GET` resource with the client's auth and default retries.
pub fn resource(name: &str, path: &str) -> ResourceDescriptor {
    ResourceDescriptor {
        name: Cow::Owned(name.to_string()),
        method: Method::Get,
        path: Cow::Owned(path.to_string()),
        params: Cow::Borrowed(&[]),
        headers: Cow::Borrowed(&[]),
        json_body: None,
        paginator: PaginatorConfig::SinglePage,
        data_selector: None,
        auth: AuthChoice::Client,
        retry: None,
        response_actions: Cow::Borrowed(&[]),
        processing_steps: Cow::Borrowed(&[]),
        incremental: None,
        computed: Cow::Borrowed(&[]),
    }
}

/// A `json_link` resource: records under `items`, the next URL under `next`.
pub fn json_link(name: &str, path: &str) -> ResourceDescriptor {
    ResourceDescriptor {
        paginator: PaginatorConfig::JsonLink {
            next_url_path: Selector::fields(["next"]),
        },
        data_selector: Some(Selector::fields(["items"])),
        ..resource(name, path)
    }
}

/// A retry policy without waits, for tests that only count attempts.
pub fn no_wait(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        backoff_factor: 0.0,
        ..RetryPolicy::DLT_DEFAULT
    }
}

/// Builds a client for `spec` with the given secret values.
pub fn client(spec: &ClientSpec, values: &[(&str, &str)]) -> ClientCore {
    builder(values).build(spec).expect("the client builds")
}

/// A builder with the given secret values. Backoff is not jittered, so tests see the exact
/// upper bounds of the schedule (1, 2, 4 s); `retry.rs` tests the jitter itself.
pub fn builder(values: &[(&str, &str)]) -> ClientBuilder {
    values.iter().fold(
        ClientBuilder::default().jitter(Jitter::None),
        |b, (name, value)| b.value(name, *value),
    )
}

/// A request for `descriptor` decoding records as JSON values.
pub fn request(
    core: &ClientCore,
    descriptor: ResourceDescriptor,
) -> ResourceRequest<serde_json::Value> {
    ResourceRequest::new(core.clone(), Cow::Owned(descriptor))
}

/// Every page of a request, or the first error.
pub async fn pages<T>(request: ResourceRequest<T>) -> Result<Vec<Page<T>>, Error>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    let mut out = Vec::new();
    let mut stream = request.pages();
    while let Some(page) = stream.next().await {
        out.push(page?);
    }
    Ok(out)
}

/// Every record of a request, or the first error.
pub async fn records<T>(request: ResourceRequest<T>) -> Result<Vec<T>, Error>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    Ok(pages(request)
        .await?
        .into_iter()
        .flat_map(|p| p.records)
        .collect())
}

// ---------------------------------------------------------------------------------------------
// What the mock server saw

/// Every request the server received, in order.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("the mock server records requests")
}

/// The raw bytes of every value of header `name` on a request.
pub fn header_values<'a>(request: &'a Request, name: &str) -> Vec<&'a [u8]> {
    request
        .headers
        .get_all(name)
        .iter()
        .map(|v| v.as_bytes())
        .collect()
}

/// Asserts that a request carried header `name` exactly once, with exactly `value`.
#[track_caller]
pub fn assert_header(request: &Request, name: &str, value: &str) {
    assert_eq!(
        header_values(request, name),
        vec![value.as_bytes()],
        "header `{name}` of {}",
        request.url
    );
}

/// A wiremock matcher: header `name` is present once with exactly these bytes.
pub fn exact_header(
    name: &'static str,
    value: &'static str,
) -> impl Fn(&Request) -> bool + Send + Sync {
    move |request: &Request| header_values(request, name) == vec![value.as_bytes()]
}

/// The request paths, in order.
pub fn paths(requests: &[Request]) -> Vec<String> {
    requests.iter().map(|r| r.url.path().to_string()).collect()
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("a local address").port()
}

// ---------------------------------------------------------------------------------------------
// Paused time

/// One `request` span of the runtime: an HTTP attempt.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attempt {
    /// The span's fields, rendered.
    pub fields: BTreeMap<String, String>,
}

impl Attempt {
    /// A field's value, rendered; empty when it was never recorded.
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// What a run traced: its attempts and the waits it announced, in order.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Every `request` span.
    pub attempts: Vec<Attempt>,
    /// The `wait_secs` of every `retrying` event.
    pub waits: Vec<f64>,
    /// Every event's rendered fields, for scanning.
    pub events: Vec<BTreeMap<String, String>>,
    /// Virtual time the run took.
    pub elapsed: Duration,
}

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

#[derive(Default)]
struct Log {
    spans: Vec<(&'static str, BTreeMap<String, String>)>,
    waits: Vec<f64>,
    events: Vec<BTreeMap<String, String>>,
}

/// A minimal `tracing` subscriber that keeps every span's and event's fields.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Log>>);

impl Recorder {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn attempts(&self) -> usize {
        self.log()
            .spans
            .iter()
            .filter(|(name, _)| *name == "request")
            .count()
    }

    /// What was recorded so far.
    pub fn trace(&self) -> Trace {
        let log = self.log();
        Trace {
            attempts: log
                .spans
                .iter()
                .filter(|(name, _)| *name == "request")
                .map(|(_, fields)| Attempt {
                    fields: fields.clone(),
                })
                .collect(),
            waits: log.waits.clone(),
            events: log.events.clone(),
            elapsed: Duration::ZERO,
        }
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Fields::default();
        span.record(&mut fields);
        let mut log = self.log();
        log.spans.push((span.metadata().name(), fields.0));
        tracing::span::Id::from_u64(log.spans.len() as u64)
    }
    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        let mut log = self.log();
        if let Some((_, span)) = log.spans.get_mut(id.into_u64() as usize - 1) {
            span.extend(fields.0);
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut log = self.log();
        if fields.0.get("message").map(String::as_str) == Some("retrying") {
            let wait = fields
                .0
                .get("wait_secs")
                .and_then(|w| w.parse().ok())
                .expect("a retrying event has wait_secs");
            log.waits.push(wait);
        }
        log.events.push(fields.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Sleeps for real without blocking the runtime (the paused clock does not move).
pub async fn real_sleep(ms: u64) {
    tokio::task::spawn_blocking(move || std::thread::sleep(Duration::from_millis(ms)))
        .await
        .expect("the sleeping thread ends");
}

/// Keeps tokio's paused clock from auto-advancing while it lives.
struct HoldClock(Option<std::sync::mpsc::Sender<()>>);

impl HoldClock {
    fn new() -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        // A running blocking task inhibits auto-advance of a paused current-thread runtime.
        drop(tokio::task::spawn_blocking(move || {
            let _ = rx.recv();
        }));
        HoldClock(Some(tx))
    }
}

impl Drop for HoldClock {
    fn drop(&mut self) {
        self.0.take();
    }
}

/// How long [`run_paused`] lets a run go without progress before it fails the test.
const STALL_LIMIT: Duration = Duration::from_secs(20);

/// Runs `future` on tokio's paused clock (the test must be
/// `#[tokio::test(start_paused = true)]`), advancing the clock only through the waits the
/// runtime announces. Fails the test if an attempt starts before its wait is over, or if the
/// run stalls. Returns the output and the trace, with the virtual time the run took.
pub async fn run_paused<F>(future: F) -> (F::Output, Trace)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let recorder = Recorder::default();
    let hold = HoldClock::new();
    let started = tokio::time::Instant::now();
    let task = tokio::spawn(future.with_subscriber(tracing::Dispatch::new(recorder.clone())));
    let mut handled = 0;
    let mut last_progress = std::time::Instant::now();
    while !task.is_finished() {
        let next_wait = recorder.log().waits.get(handled).copied();
        let Some(wait) = next_wait else {
            assert!(
                last_progress.elapsed() < STALL_LIMIT,
                "the run stalled; trace so far: {:?}",
                recorder.trace()
            );
            real_sleep(1).await;
            continue;
        };
        handled += 1;
        let before = recorder.attempts();
        let wait = Duration::from_secs_f64(wait);
        let early = wait.saturating_sub(Duration::from_millis(1));
        if !early.is_zero() {
            tokio::time::advance(early).await;
            real_sleep(20).await;
            assert_eq!(
                recorder.attempts(),
                before,
                "an attempt started before the announced wait of {wait:?} was over"
            );
        }
        tokio::time::advance(wait - early).await;
        // Timer deadlines are rounded up to the millisecond: nudge until the attempt starts.
        for _ in 0..3 {
            real_sleep(5).await;
            if recorder.attempts() > before || task.is_finished() {
                break;
            }
            tokio::time::advance(Duration::from_millis(1)).await;
        }
        last_progress = std::time::Instant::now();
    }
    let output = task.await.expect("the run does not panic");
    let elapsed = started.elapsed();
    drop(hold);
    let mut trace = recorder.trace();
    trace.elapsed = elapsed;
    (output, trace)
}

/// Asserts that two durations in seconds are equal within a few milliseconds.
#[track_caller]
pub fn assert_secs(actual: Duration, expected: f64) {
    let diff = (actual.as_secs_f64() - expected).abs();
    assert!(
        diff < 0.005,
        "expected {expected} s of virtual time, got {actual:?}"
    );
}
