//! Each fault as the wire shows it (raw TCP), and as the runtime meets it: retried where dlt
//! retries (a reset, a body cut short, a timeout), a typed error where it does not (JSON cut
//! short, a repeated cursor).

use std::borrow::Cow;
use std::time::Duration;

use restgen_runtime::descriptor::{DEFAULT_RETRY_STATUSES, RetryPolicy};
use restgen_runtime::paginate::PaginationError;
use restgen_runtime::{ClientBuilder, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{options, page_with, synthetic};
use crate::{Fault, FaultKind, MockApi, RetryAfter};

/// Three attempts with no wait between them, and a short timeout for the slow faults.
fn quick_client() -> ClientBuilder {
    ClientBuilder::default()
        .value("k", "query-key")
        .value("c", "cookie-key")
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            retry_statuses: Cow::Borrowed(DEFAULT_RETRY_STATUSES),
            fail_statuses: Cow::Borrowed(&[]),
            backoff_factor: 0.0,
            max_delay: Duration::ZERO,
            wait_header: None,
        })
}

/// Sends one GET over a fresh connection and reads until the server closes it.
async fn raw_get(mock: &MockApi, path_and_query: &str) -> (Vec<u8>, Option<std::io::ErrorKind>) {
    let mut stream = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    let request = format!(
        "GET {path_and_query} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        mock.addr()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let error = stream
        .read_to_end(&mut response)
        .await
        .err()
        .map(|e| e.kind());
    (response, error)
}

/// The head and body of a raw response, and its `content-length`.
fn split(response: &[u8]) -> (String, Vec<u8>, usize) {
    let at = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&response[..at]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("a content-length");
    (head, response[at + 4..].to_vec(), length)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_is_on_the_wire_as_described() {
    let api = synthetic();
    let faults = [
        FaultKind::TooManyRequests {
            retry_after: RetryAfter::Millis(1500),
        },
        FaultKind::ResetConnection,
        FaultKind::TruncatedBody,
        FaultKind::CutJson,
    ];
    let mut options = options();
    for (i, kind) in faults.iter().enumerate() {
        options = options.fault(Fault::new("totals", i + 1, kind.clone()));
    }
    let mock = MockApi::start(&api, options).await.unwrap();
    let page = "/api/totals?offset=0&limit=7&key=query-key";

    let (throttled, _) = raw_get(&mock, page).await;
    let (head, _, _) = split(&throttled);
    assert!(head.starts_with("http/1.1 429"), "{head}");
    assert!(head.contains("retry-after: 2\r\n"), "{head}");
    assert!(head.contains("retry-after-ms: 1500"), "{head}");

    let (reset, error) = raw_get(&mock, page).await;
    assert!(reset.is_empty(), "no byte of an answer before the reset");
    assert_eq!(error, Some(std::io::ErrorKind::ConnectionReset));

    let (truncated, _) = raw_get(&mock, page).await;
    let (head, body, announced) = split(&truncated);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        body.len() < announced && !body.is_empty(),
        "{} of {announced} bytes",
        body.len()
    );

    let (cut, _) = raw_get(&mock, page).await;
    let (head, body, announced) = split(&cut);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(body.len(), announced, "the framing is right");
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());

    let (whole, _) = raw_get(&mock, page).await;
    let (_, body, announced) = split(&whole);
    assert_eq!(body.len(), announced);
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());

    let log = mock.requests();
    let met: Vec<Option<FaultKind>> = log.iter().map(|r| r.fault.clone()).collect();
    let mut expected: Vec<Option<FaultKind>> = faults.into_iter().map(Some).collect();
    expected.push(None);
    assert_eq!(met, expected);
    assert_eq!(log[1].status, 0, "a reset answers no status");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_faults_are_retried_and_nothing_is_lost() {
    let api = synthetic();
    let faults = [
        FaultKind::ResetConnection,
        FaultKind::TruncatedBody,
        // far beyond the client's 300 ms timeout: the client gives up on it, not the mock
        FaultKind::Slow {
            delay: Duration::from_secs(60),
        },
    ];
    for kind in faults {
        let options = options().fault(Fault::new("links", 2, kind.clone()));
        let mock = MockApi::start(&api, options).await.unwrap();
        mock.set_records("links", 26).unwrap();
        let pages = page_with(&api, &mock, "links", &[], quick_client())
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let records: Vec<_> = pages.into_iter().flatten().collect();
        assert_eq!(records, mock.records("links", &[]).unwrap(), "{kind}");
        let log = mock.requests();
        assert_eq!(log[1].fault, Some(kind.clone()));
        assert_eq!(
            log[2].url, log[1].url,
            "{kind}: the retry repeats the request"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_page_within_the_timeout_just_arrives() {
    let api = synthetic();
    let kind = FaultKind::Slow {
        delay: Duration::from_millis(20),
    };
    let options = options().fault(Fault::new("links", 2, kind.clone()));
    let mock = MockApi::start(&api, options).await.unwrap();
    let builder = quick_client().timeout(Duration::from_secs(60));
    let pages = page_with(&api, &mock, "links", &[], builder).await.unwrap();
    assert_eq!(pages.concat(), mock.records("links", &[]).unwrap());
    assert_eq!(mock.requests().len(), pages.len(), "no retry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_cut_short_is_a_typed_error_naming_the_page() {
    let api = synthetic();
    let options = options().fault(Fault::new("totals", 2, FaultKind::CutJson));
    let mock = MockApi::start(&api, options).await.unwrap();
    let err = page_with(&api, &mock, "totals", &[], quick_client())
        .await
        .unwrap_err();
    match &err {
        Error::NotJson { at, .. } => {
            assert_eq!((at.resource.as_str(), at.page), ("totals", 2), "{err}");
            assert!(at.url.contains("offset=7"), "{err}");
            assert!(!at.url.contains("query-key"), "the key is redacted: {err}");
        }
        other => panic!("expected NotJson, got {other:?}"),
    }
    assert_eq!(
        mock.requests().len(),
        2,
        "a complete response is not retried"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_cursor_stops_on_the_loop_guard() {
    let api = synthetic();
    // every resource whose server hands out a position: tokens and links, in the body, in a
    // header, in a POST body
    for name in [
        "links",
        "header_links",
        "header_cursors",
        "searches",
        "done_flags",
    ] {
        let options = options().fault(Fault::new(name, 2, FaultKind::RepeatedCursor));
        let mock = MockApi::start(&api, options).await.unwrap();
        mock.set_records(name, 26).unwrap();
        let err = page_with(&api, &mock, name, &[], quick_client())
            .await
            .unwrap_err();
        match &err {
            Error::Pagination {
                at,
                source: PaginationError::Repeated { .. },
            } => assert_eq!(
                (at.resource.as_str(), at.page),
                (name, 3),
                "{err}: page 2 is delivered, the page it points to again is refused"
            ),
            other => panic!("{name}: expected the loop guard, got {other:?}"),
        }
        let log = mock.requests();
        assert_eq!(log.len(), 2, "{name}: no request after the repeated cursor");
        assert_eq!(log[1].fault, Some(FaultKind::RepeatedCursor), "{name}");
    }
    // offsets and page numbers carry no cursor: the fault does not apply, and says so
    for name in ["totals", "pages"] {
        let options = options().fault(Fault::new(name, 2, FaultKind::RepeatedCursor));
        let mock = MockApi::start(&api, options).await.unwrap();
        let pages = page_with(&api, &mock, name, &[], quick_client())
            .await
            .unwrap();
        assert_eq!(pages.concat(), mock.records(name, &[]).unwrap(), "{name}");
        let log = mock.requests();
        assert_eq!(log[1].fault, None, "{name}");
        assert!(
            log[1]
                .note
                .as_deref()
                .is_some_and(|n| n.contains("not applied")),
            "{name}: {:?}",
            log[1].note
        );
    }
}
