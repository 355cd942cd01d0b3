//! Transport hardening on tokio's paused clock: listed statuses add to the transient ones and
//! a policy can fail a status at once, backoff with full jitter, a cap on a decoded body (a
//! gzip bomb), next links that are not HTTP, and a UTF-8 byte order mark.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;

use common::*;
use restgen_runtime::descriptor::{ResourceDescriptor, RetryPolicy};
use restgen_runtime::paginate::PaginationError;
use restgen_runtime::retry::Jitter;
use restgen_runtime::{ClientCore, Error, serde_json};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ok_records() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!([{"id": 1}, {"id": 2}]))
}

/// Answers `first` to the first `n` requests to `at`, then `then`.
async fn mount_sequence(
    server: &MockServer,
    at: &str,
    first: ResponseTemplate,
    n: u64,
    then: ResponseTemplate,
) {
    Mock::given(path(at))
        .respond_with(first)
        .up_to_n_times(n)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(path(at))
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

/// `/things` answers `status` `n` times, then two records.
async fn fail_then_ok(server: &MockServer, status: u16, n: u64) {
    mount_sequence(
        server,
        "/things",
        ResponseTemplate::new(status),
        n,
        ok_records(),
    )
    .await;
}

/// An endpoint policy as `error_handler: {retry_on_status_codes: [429], max_retries: 3}`
/// generates it.
fn only_429() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        retry_statuses: Cow::Borrowed(&[408, 429]),
        ..RetryPolicy::DLT_DEFAULT
    }
}

fn with_policy(policy: RetryPolicy) -> ResourceDescriptor {
    ResourceDescriptor {
        retry: Some(policy),
        ..resource("things", "/things")
    }
}

/// A client of `server` with builder settings `set`.
fn core_with(
    server: &MockServer,
    set: impl FnOnce(restgen_runtime::ClientBuilder) -> restgen_runtime::ClientBuilder,
) -> ClientCore {
    set(builder(&[]))
        .build(&spec(&server.uri(), None, vec![]))
        .unwrap()
}

async fn start() -> (MockServer, ClientCore) {
    let server = MockServer::start().await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    (server, core)
}

#[tokio::test(start_paused = true)]
async fn an_error_handler_listing_only_429_still_retries_503() {
    let (server, core) = start().await;
    fail_then_ok(&server, 503, 2).await;

    let (result, trace) = run_paused(records(request(&core, with_policy(only_429())))).await;

    assert_eq!(result.unwrap().len(), 2, "no record lost to a 503");
    assert_eq!(received(&server).await.len(), 3);
    assert_eq!(trace.waits, [1.0, 2.0]);
}

#[tokio::test(start_paused = true)]
async fn an_error_handler_retries_408_as_airbyte_does() {
    let (server, core) = start().await;
    fail_then_ok(&server, 408, 1).await;

    let (result, _) = run_paused(records(request(&core, with_policy(only_429())))).await;

    assert_eq!(result.unwrap().len(), 2);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_status_the_policy_fails_is_not_retried_even_when_transient() {
    let (server, core) = start().await;
    Mock::given(path("/things"))
        .respond_with(ResponseTemplate::new(503).set_body_string("down for good"))
        .mount(&server)
        .await;
    let policy = RetryPolicy {
        fail_statuses: Cow::Borrowed(&[503]),
        ..only_429()
    };

    let (result, trace) = run_paused(records(request(&core, with_policy(policy)))).await;

    assert_eq!(result.unwrap_err().status(), Some(503));
    assert_eq!(received(&server).await.len(), 1);
    assert!(trace.waits.is_empty());
}

#[tokio::test(start_paused = true)]
async fn backoff_waits_are_drawn_by_the_clients_jitter() {
    let server = MockServer::start().await;
    let core = core_with(&server, |b| b.jitter(Jitter::Fraction(Arc::new(|| 0.25))));
    fail_then_ok(&server, 503, 3).await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert!(result.is_ok());
    assert_eq!(trace.waits, [0.25, 0.5, 1.0]);
}

#[tokio::test(start_paused = true)]
async fn full_jitter_is_the_default_and_stays_within_the_backoff() {
    let server = MockServer::start().await;
    let core = restgen_runtime::ClientBuilder::default()
        .build(&spec(&server.uri(), None, vec![]))
        .unwrap();
    fail_then_ok(&server, 502, 4).await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert!(result.is_ok());
    assert_eq!(trace.waits.len(), 4);
    for (wait, bound) in trace.waits.iter().zip([1.0, 2.0, 4.0, 8.0]) {
        assert!(
            (0.0..=bound).contains(wait),
            "waited {wait} for a backoff of {bound}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_wait_the_server_asks_for_is_not_jittered() {
    let server = MockServer::start().await;
    let core = core_with(&server, |b| b.jitter(Jitter::Fraction(Arc::new(|| 0.0))));
    let throttled = ResponseTemplate::new(429).insert_header("Retry-After", "3");
    mount_sequence(&server, "/things", throttled, 1, ok_records()).await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert!(result.is_ok());
    assert_eq!(trace.waits, [3.0]);
}

/// `n` zero bytes, gzipped: about a thousandth of their size.
fn gzip_zeros(n: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 64 * 1024];
    let mut left = n;
    while left > 0 {
        let take = left.min(block.len());
        encoder.write_all(&block[..take]).unwrap();
        left -= take;
    }
    encoder.finish().unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_gzip_bomb_fails_its_page_at_the_cap_without_a_retry() {
    let server = MockServer::start().await;
    let core = core_with(&server, |b| b.max_body_size(1024 * 1024));
    let bomb = gzip_zeros(32 * 1024 * 1024);
    assert!(bomb.len() < 64 * 1024, "the bomb is small on the wire");
    Mock::given(path("/things"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(bomb, "application/json"),
        )
        .mount(&server)
        .await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    let error = result.unwrap_err();
    // like every error about a page, it says where, and where to resume
    assert!(error.location().is_some(), "{error:?}");
    assert!(error.resume_point().is_some(), "{error:?}");
    match error {
        Error::BodyTooLarge { at, status, limit } => {
            assert_eq!((at.resource.as_str(), at.page), ("things", 1));
            assert_eq!(at.url, format!("{}/things", server.uri()));
            assert_eq!((status, limit), (200, 1024 * 1024));
        }
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
    assert_eq!(received(&server).await.len(), 1, "not retried");
    assert!(trace.waits.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_compressed_body_under_the_cap_is_read() {
    let server = MockServer::start().await;
    let core = core_with(&server, |b| b.max_body_size(1024));
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(br#"[{"id": 1}, {"id": 2}]"#).unwrap();
    Mock::given(path("/things"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(encoder.finish().unwrap(), "application/json"),
        )
        .mount(&server)
        .await;

    let (result, _) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert_eq!(result.unwrap(), vec![json!({"id": 1}), json!({"id": 2})]);
}

#[test]
fn the_default_body_cap_is_64_mib() {
    assert_eq!(
        restgen_runtime::retry::DEFAULT_MAX_BODY_SIZE,
        64 * 1024 * 1024
    );
}

#[tokio::test(start_paused = true)]
async fn a_next_link_that_is_not_http_is_refused_at_once() {
    for link in [
        "file:///etc/passwd",
        "ftp://example.com/items",
        "data:application/json,[]",
    ] {
        let (server, core) = start().await;
        Mock::given(path("/p1"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"items": [{"id": 1}], "next": link})),
            )
            .mount(&server)
            .await;

        let mut stream = request(&core, json_link("things", "/p1")).pages();
        let (result, trace) = run_paused(async move {
            use futures::StreamExt;
            (stream.next().await, stream.next().await)
        })
        .await;

        let (first, second) = result;
        assert_eq!(first.unwrap().unwrap().records, vec![json!({"id": 1})]);
        match second.unwrap().unwrap_err() {
            Error::Pagination {
                at,
                source: PaginationError::BadLink { reason, .. },
            } => {
                assert_eq!(at.page, 2, "{link}");
                assert!(reason.contains("is not http or https"), "{reason}");
            }
            other => panic!("expected a refused link for {link}, got {other:?}"),
        }
        assert_eq!(received(&server).await.len(), 1, "{link}");
        assert!(trace.waits.is_empty(), "no retry for {link}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_utf8_bom_before_a_json_body_is_accepted() {
    let (server, core) = start().await;
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(br#"{"items": [{"id": 1}], "next": null}"#);
    Mock::given(path("/p1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
        .mount(&server)
        .await;
    Mock::given(path("/auto"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;

    let (listed, _) = run_paused(records(request(&core, json_link("things", "/p1")))).await;
    let (detected, _) = run_paused(records(request(&core, resource("auto", "/auto")))).await;

    assert_eq!(listed.unwrap(), vec![json!({"id": 1})]);
    assert_eq!(detected.unwrap(), vec![json!({"id": 1})]);
}
