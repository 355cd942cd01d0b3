//! Retries on tokio's paused clock: `Retry-After` in both forms, `retry-after-ms`, a policy's
//! rate-limit header, 503 bursts, giving up, no retry on other 4xx, per-endpoint policies,
//! per-page retries, connection errors and read timeouts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;
use std::time::Duration;

use common::*;
use restgen_runtime::descriptor::RetryPolicy;
use restgen_runtime::{ClientCore, Error, serde_json};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ok_records() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!([{"id": 1}, {"id": 2}]))
}

/// Mounts `first` for the first `n` requests to `at`, then `then`.
async fn mount_sequence(
    server: &MockServer,
    at: &str,
    first: ResponseTemplate,
    n: u64,
    then: ResponseTemplate,
) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(first)
        .up_to_n_times(n)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

async fn start() -> (MockServer, ClientCore) {
    let server = MockServer::start().await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    (server, core)
}

#[tokio::test(start_paused = true)]
async fn case_21_retry_after_seconds_is_honoured() {
    let (server, core) = start().await;
    let throttled = ResponseTemplate::new(429).insert_header("Retry-After", "3");
    mount_sequence(&server, "/things", throttled, 2, ok_records()).await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert_eq!(result.unwrap(), vec![json!({"id": 1}), json!({"id": 2})]);
    assert_eq!(received(&server).await.len(), 3);
    assert_eq!(trace.waits, [3.0, 3.0]);
    assert_secs(trace.elapsed, 6.0);
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_is_honoured() {
    let (server, core) = start().await;
    let at = std::time::SystemTime::now() + Duration::from_secs(10);
    let throttled =
        ResponseTemplate::new(429).insert_header("Retry-After", httpdate::fmt_http_date(at));
    mount_sequence(&server, "/things", throttled, 1, ok_records()).await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert_eq!(result.unwrap().len(), 2);
    assert_eq!(received(&server).await.len(), 2);
    // An HTTP date has whole seconds, and the wall clock moved on a little since.
    assert_eq!(trace.waits.len(), 1);
    assert!(
        (8.0..=10.0).contains(&trace.waits[0]),
        "waited {:?} for a date 10 s ahead",
        trace.waits
    );
    assert_secs(trace.elapsed, trace.waits[0]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_in_the_past_falls_back_to_backoff() {
    let (server, core) = start().await;
    let at = std::time::SystemTime::now() - Duration::from_secs(60);
    let throttled =
        ResponseTemplate::new(429).insert_header("Retry-After", httpdate::fmt_http_date(at));
    mount_sequence(&server, "/things", throttled, 2, ok_records()).await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert!(result.is_ok());
    assert_eq!(trace.waits, [1.0, 2.0]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_ms_is_honoured_and_wins_over_retry_after() {
    let (server, core) = start().await;
    let throttled = ResponseTemplate::new(429)
        .insert_header("retry-after-ms", "1500")
        .insert_header("Retry-After", "9");
    mount_sequence(&server, "/things", throttled, 1, ok_records()).await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert!(result.is_ok());
    assert_eq!(trace.waits, [1.5]);
    assert_secs(trace.elapsed, 1.5);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped_by_the_policy() {
    let (server, core) = start().await;
    let throttled = ResponseTemplate::new(503).insert_header("Retry-After", "86400");
    mount_sequence(&server, "/things", throttled, 1, ok_records()).await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert!(result.is_ok());
    assert_eq!(trace.waits, [300.0]);
}

#[tokio::test(start_paused = true)]
async fn a_policy_wait_header_sets_the_wait() {
    let (server, core) = start().await;
    let policy = RetryPolicy {
        wait_header: Some(Cow::Borrowed("X-RateLimit-Reset-After")),
        ..RetryPolicy::DLT_DEFAULT
    };
    let throttled = ResponseTemplate::new(429).insert_header("x-ratelimit-reset-after", "7");
    mount_sequence(&server, "/things", throttled, 1, ok_records()).await;
    let descriptor = restgen_runtime::descriptor::ResourceDescriptor {
        retry: Some(policy),
        ..resource("things", "/things")
    };

    let (result, trace) = run_paused(records(request(&core, descriptor))).await;

    assert!(result.is_ok());
    assert_eq!(trace.waits, [7.0]);
    assert_secs(trace.elapsed, 7.0);
}

#[tokio::test(start_paused = true)]
async fn case_21_a_503_burst_is_retried_with_dlt_backoff() {
    let (server, core) = start().await;
    mount_sequence(
        &server,
        "/things",
        ResponseTemplate::new(503).set_body_string("busy"),
        3,
        ok_records(),
    )
    .await;

    let (result, trace) = run_paused(pages(request(&core, resource("things", "/things")))).await;

    let pages = result.unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].number, 1);
    assert_eq!(pages[0].status, 200);
    assert_eq!(pages[0].records, vec![json!({"id": 1}), json!({"id": 2})]);
    assert_eq!(received(&server).await.len(), 4, "three 503s and one 200");
    assert_eq!(trace.waits, [1.0, 2.0, 4.0]);
    assert_secs(trace.elapsed, 7.0);
    // One span per attempt, with resource, page, attempt and status.
    let seen: Vec<(&str, &str, &str, &str)> = trace
        .attempts
        .iter()
        .map(|a| {
            (
                a.get("resource"),
                a.get("page"),
                a.get("attempt"),
                a.get("status"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("things", "1", "1", "503"),
            ("things", "1", "2", "503"),
            ("things", "1", "3", "503"),
            ("things", "1", "4", "200"),
        ]
    );
    assert!(
        trace
            .attempts
            .iter()
            .all(|a| !a.get("latency_ms").is_empty())
    );
}

#[tokio::test(start_paused = true)]
async fn case_21_gives_up_after_max_attempts() {
    let (server, core) = start().await;
    Mock::given(path("/things"))
        .respond_with(ResponseTemplate::new(503).set_body_string("still busy"))
        .mount(&server)
        .await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    match result.unwrap_err() {
        Error::RetriesExhausted {
            at, attempts, last, ..
        } => {
            assert_eq!(attempts, 5);
            assert_eq!(at.resource, "things");
            assert_eq!(at.page, 1);
            assert!(last.contains("503"), "{last}");
            assert!(last.contains("still busy"), "{last}");
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    assert_eq!(received(&server).await.len(), 5);
    assert_eq!(trace.waits, [1.0, 2.0, 4.0, 8.0]);
    assert_secs(trace.elapsed, 15.0);
}

#[tokio::test(start_paused = true)]
async fn case_21_a_404_is_not_retried() {
    let (server, core) = start().await;
    Mock::given(path("/things"))
        .respond_with(ResponseTemplate::new(404).set_body_string("no such thing"))
        .mount(&server)
        .await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    let err = result.unwrap_err();
    assert_eq!(err.status(), Some(404));
    match &err {
        Error::Status {
            at, body_snippet, ..
        } => {
            assert_eq!(at.resource, "things");
            assert_eq!(at.page, 1);
            assert_eq!(at.url, format!("{}/things", server.uri()));
            assert_eq!(body_snippet, "no such thing");
        }
        other => panic!("expected Status, got {other:?}"),
    }
    assert_eq!(received(&server).await.len(), 1);
    assert!(trace.waits.is_empty());
    assert_eq!(trace.elapsed, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn case_21_other_4xx_fail_at_once() {
    for status in [400, 401, 403, 409, 422] {
        let (server, core) = start().await;
        Mock::given(path("/things"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let (result, _) = run_paused(records(request(&core, resource("things", "/things")))).await;
        assert_eq!(result.unwrap_err().status(), Some(status));
        assert_eq!(received(&server).await.len(), 1, "status {status}");
    }
}

fn only_429() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        retry_statuses: Cow::Borrowed(&[429]),
        ..RetryPolicy::DLT_DEFAULT
    }
}

// A policy that lists only 429 still retries every 5xx (see `transport.rs`); failing a 5xx
// at once takes `fail_statuses` (`error_handler.fail_on_status_codes`).
#[tokio::test(start_paused = true)]
async fn an_endpoint_policy_that_fails_500_does_not_retry_it() {
    let (server, core) = start().await;
    Mock::given(path("/things"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let descriptor = restgen_runtime::descriptor::ResourceDescriptor {
        retry: Some(RetryPolicy {
            fail_statuses: Cow::Borrowed(&[500]),
            ..only_429()
        }),
        ..resource("things", "/things")
    };

    let (result, trace) = run_paused(records(request(&core, descriptor))).await;

    assert_eq!(result.unwrap_err().status(), Some(500));
    assert_eq!(received(&server).await.len(), 1);
    assert!(trace.waits.is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_endpoint_policy_retries_429_up_to_its_limit() {
    let (server, core) = start().await;
    Mock::given(path("/things"))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    let descriptor = restgen_runtime::descriptor::ResourceDescriptor {
        retry: Some(only_429()),
        ..resource("things", "/things")
    };

    let (result, trace) = run_paused(records(request(&core, descriptor))).await;

    assert!(matches!(
        result.unwrap_err(),
        Error::RetriesExhausted { attempts: 4, .. }
    ));
    assert_eq!(received(&server).await.len(), 4);
    assert_eq!(trace.waits, [1.0, 2.0, 4.0]);
}

#[tokio::test(start_paused = true)]
async fn a_client_policy_applies_to_endpoints_without_one() {
    let server = MockServer::start().await;
    let core = builder(&[])
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            backoff_factor: 0.5,
            ..RetryPolicy::DLT_DEFAULT
        })
        .build(&spec(&server.uri(), None, vec![]))
        .unwrap();
    Mock::given(path("/things"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert!(matches!(
        result.unwrap_err(),
        Error::RetriesExhausted { attempts: 2, .. }
    ));
    assert_eq!(trace.waits, [0.5]);
}

#[tokio::test(start_paused = true)]
async fn a_failing_page_2_is_retried_without_fetching_page_1_again() {
    let (server, core) = start().await;
    Mock::given(path("/p1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"items": [{"id": 1}], "next": format!("{}/p2", server.uri())}),
            ),
        )
        .mount(&server)
        .await;
    mount_sequence(
        &server,
        "/p2",
        ResponseTemplate::new(503),
        2,
        ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": 2}], "next": null})),
    )
    .await;

    let (result, trace) = run_paused(pages(request(&core, json_link("things", "/p1")))).await;

    let pages = result.unwrap();
    let numbers: Vec<usize> = pages.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [1, 2]);
    let ids: Vec<_> = pages.iter().flat_map(|p| p.records.clone()).collect();
    assert_eq!(ids, vec![json!({"id": 1}), json!({"id": 2})]);
    assert_eq!(
        paths(&received(&server).await),
        ["/p1", "/p2", "/p2", "/p2"]
    );
    assert_eq!(trace.waits, [1.0, 2.0]);
    let pages_of_attempts: Vec<&str> = trace.attempts.iter().map(|a| a.get("page")).collect();
    assert_eq!(pages_of_attempts, ["1", "2", "2", "2"]);
}

#[tokio::test(start_paused = true)]
async fn a_page_2_that_keeps_failing_reports_page_2() {
    let (server, core) = start().await;
    Mock::given(path("/p1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"items": [{"id": 1}], "next": format!("{}/p2", server.uri())}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/p2"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let descriptor = restgen_runtime::descriptor::ResourceDescriptor {
        retry: Some(no_wait(3)),
        ..json_link("things", "/p1")
    };

    let mut stream = request(&core, descriptor).pages();
    let (result, _) = run_paused(async move {
        use futures::StreamExt;
        let first = stream.next().await;
        let second = stream.next().await;
        let third = stream.next().await;
        (first, second, third)
    })
    .await;

    let (first, second, third) = result;
    assert_eq!(first.unwrap().unwrap().records, vec![json!({"id": 1})]);
    match second.unwrap().unwrap_err() {
        Error::RetriesExhausted { at, attempts, .. } => {
            assert_eq!((at.page, attempts), (2, 3));
            assert_eq!(at.url, format!("{}/p2", server.uri()));
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    assert!(third.is_none(), "the stream ends after an error");
    assert_eq!(
        paths(&received(&server).await),
        ["/p1", "/p2", "/p2", "/p2"]
    );
}

#[tokio::test(start_paused = true)]
async fn connection_refused_is_retried_then_exhausted() {
    let port = closed_port();
    let core = client(
        &spec(&format!("http://127.0.0.1:{port}"), None, vec![]),
        &[],
    );

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    match result.unwrap_err() {
        Error::RetriesExhausted {
            attempts, last, at, ..
        } => {
            assert_eq!(attempts, 5);
            assert_eq!(at.page, 1);
            assert!(last.contains("connection failed"), "{last}");
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    assert_eq!(trace.attempts.len(), 5);
    assert_eq!(trace.waits, [1.0, 2.0, 4.0, 8.0]);
    assert_secs(trace.elapsed, 15.0);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_is_retried() {
    // A hand-rolled server: it closes the first connection without answering, then serves.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for (n, conn) in listener.incoming().enumerate() {
            let Ok(mut conn) = conn else { return };
            if n == 0 {
                drop(conn);
                continue;
            }
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => request.extend_from_slice(&buf[..k]),
                }
            }
            let body = r#"[{"id":1},{"id":2}]"#;
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let core = client(
        &spec(&format!("http://127.0.0.1:{port}"), None, vec![]),
        &[],
    );

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;

    assert_eq!(result.unwrap(), vec![json!({"id": 1}), json!({"id": 2})]);
    assert_eq!(trace.attempts.len(), 2);
    assert_eq!(trace.waits, [1.0]);
}

#[tokio::test]
async fn a_read_timeout_is_retried_then_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ok_records().set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let core = builder(&[])
        .timeout(Duration::from_millis(200))
        .retry_policy(no_wait(2))
        .build(&spec(&server.uri(), None, vec![]))
        .unwrap();

    let started = std::time::Instant::now();
    let result = records(request(&core, resource("slow", "/slow"))).await;
    let took = started.elapsed();

    match result.unwrap_err() {
        Error::Timeout { at, attempts, .. } => {
            assert_eq!(attempts, 2);
            assert_eq!(at.resource, "slow");
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert_eq!(received(&server).await.len(), 2);
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(4),
        "two 200 ms timeouts took {took:?}"
    );
}

#[tokio::test]
async fn a_timeout_then_success_recovers() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ok_records().set_delay(Duration::from_secs(5)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/slow"))
        .respond_with(ok_records())
        .with_priority(2)
        .mount(&server)
        .await;
    let core = builder(&[])
        .timeout(Duration::from_millis(200))
        .retry_policy(no_wait(2))
        .build(&spec(&server.uri(), None, vec![]))
        .unwrap();

    let result = records(request(&core, resource("slow", "/slow"))).await;

    assert_eq!(result.unwrap().len(), 2);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn max_retry_delay_caps_retry_after_and_an_endpoint_backoff() {
    let server = MockServer::start().await;
    let core = builder(&[])
        .max_retry_delay(Duration::from_millis(250))
        .build(&spec(&server.uri(), None, vec![]))
        .unwrap();
    let throttled = ResponseTemplate::new(429).insert_header("Retry-After", "30");
    mount_sequence(&server, "/things", throttled, 1, ok_records()).await;
    // an endpoint policy waiting 2, 4 s between attempts
    let slow_backoff = RetryPolicy {
        backoff_factor: 2.0,
        ..RetryPolicy::DLT_DEFAULT
    };
    mount_sequence(
        &server,
        "/others",
        ResponseTemplate::new(503),
        2,
        ok_records(),
    )
    .await;
    let others = restgen_runtime::descriptor::ResourceDescriptor {
        retry: Some(slow_backoff),
        ..resource("others", "/others")
    };

    let (result, trace) = run_paused(records(request(&core, resource("things", "/things")))).await;
    assert_eq!(result.unwrap().len(), 2);
    assert_eq!(trace.waits, [0.25]);

    let (result, trace) = run_paused(records(request(&core, others))).await;
    assert_eq!(result.unwrap().len(), 2);
    assert_eq!(trace.waits, [0.25, 0.25]);
}
