//! Every resource of every spec under each injected fault (the `async_faults` and
//! `blocking_faults` tests of each spec, generated in `main.rs`): every record arrives exactly
//! once, or a typed error names the resource, page and URL that failed, after exactly the
//! records before it and with nothing requested after it. Nothing is dropped silently.
//!
//! What the client does is dlt's behaviour (its retrying session retries 429 and 5xx per
//! policy, and `ConnectionError`, `Timeout` and `ChunkedEncodingError`; a body that does not
//! parse is a `JSONDecodeError`, raised outside the retry), plus restgen's loop guard:
//!
//! | fault | client |
//! |---|---|
//! | 429 with `Retry-After` | waits (capped by `max_retry_delay`) and retries the page |
//! | a burst of 503 | retries (every 5xx is transient), unless the endpoint's policy fails 503 (`fail_on_status_codes`): then `Error::Status` |
//! | a reset connection | retries the page (a connection error) |
//! | a body cut short by a closed connection | retries the page (chunked-encoding error) |
//! | a complete response with its JSON cut short | `Error::NotJson`, not retried |
//! | a slow answer, beyond the client's timeout | retries the page (a timeout) |
//! | a repeated cursor | `Error::Pagination` (`Repeated`) from the loop guard |
//!
//! Retries that never succeed end in `Error::RetriesExhausted` or `Error::Timeout`.
//! Waits are capped at a few milliseconds and the slow answer meets a short client timeout,
//! so no test sleeps for long.

use std::time::Duration;

use restgen_mock::{Fault, FaultKind, MockApi, RecordedRequest, RetryAfter};
use restgen_runtime::descriptor::{PaginatorConfig, RetryPolicy};
use restgen_runtime::futures::{StreamExt, TryStreamExt};
use restgen_runtime::paginate::PaginationError;
use restgen_runtime::serde::Serialize;
use restgen_runtime::serde::de::DeserializeOwned;
use restgen_runtime::{Error, Location};
use serde_json::Value;

use crate::harness::*;

/// The cap on every wait between attempts: retries stay fast whatever the spec's backoff.
pub const RETRY_CAP: Duration = Duration::from_millis(5);
/// The client's timeout where an answer is slow: far above a loopback round trip.
pub const SHORT_TIMEOUT: Duration = Duration::from_millis(300);
/// How long a slow answer takes: far beyond the short timeout, so the client gives up first.
const STALL: Duration = Duration::from_secs(60);

/// Each fault every resource meets, one run each, with how many requests in a row it strikes.
pub fn faults() -> Vec<(FaultKind, usize)> {
    vec![
        (
            FaultKind::TooManyRequests {
                retry_after: RetryAfter::Seconds(2),
            },
            1,
        ),
        (
            FaultKind::ServerError {
                status: 503,
                retry_after: None,
            },
            2,
        ),
        (FaultKind::ResetConnection, 1),
        (FaultKind::TruncatedBody, 1),
        (FaultKind::CutJson, 1),
        (FaultKind::Slow { delay: STALL }, 1),
        (FaultKind::RepeatedCursor, 1),
    ]
}

/// The client's timeout where nothing is slow: dlt's default.
pub const PATIENT_TIMEOUT: Duration = Duration::from_secs(60);

/// The client's timeout under a fault.
pub fn timeout_for(kind: &FaultKind) -> Duration {
    match kind {
        FaultKind::Slow { .. } => SHORT_TIMEOUT,
        _ => PATIENT_TIMEOUT,
    }
}

/// The pages before the first error, and the error.
pub type Outcome = (Vec<Vec<Value>>, Option<Error>);

pub async fn async_outcome<T>(request: restgen_runtime::ResourceRequest<T>) -> Outcome
where
    T: Serialize + DeserializeOwned + Send + 'static,
{
    let mut pages = Vec::new();
    let mut stream = request.pages();
    while let Some(page) = stream.next().await {
        match page {
            Ok(page) => pages.push(to_json(&page.records)),
            Err(e) => return (pages, Some(e)),
        }
    }
    (pages, None)
}

pub fn blocking_outcome<T>(request: restgen_runtime::blocking::BlockingRequest<T>) -> Outcome
where
    T: Serialize + DeserializeOwned + Send + 'static,
{
    let mut pages = Vec::new();
    for page in request.pages() {
        match page {
            Ok(page) => pages.push(to_json(&page.records)),
            Err(e) => return (pages, Some(e)),
        }
    }
    (pages, None)
}

impl Case {
    /// Forgets earlier runs and sets `kind` on this resource's second request (its first,
    /// when it is served in one response), `times` requests in a row; returns that request's
    /// number.
    pub fn arm(&self, kind: &FaultKind, times: usize) -> usize {
        let name = &self.resource.name;
        let at = match self.mock.page_size(name).unwrap() {
            Some(_) => 2,
            None => 1,
        };
        self.mock.clear_requests();
        self.mock
            .set_faults(vec![Fault::new(name, at, kind.clone()).times(times)]);
        at
    }

    /// Whether the client retries `kind` on this resource.
    fn retries(&self, kind: &FaultKind) -> bool {
        let policy = self
            .resource
            .descriptor
            .retry
            .as_ref()
            .unwrap_or(&RetryPolicy::DLT_DEFAULT);
        match kind {
            FaultKind::TooManyRequests { .. } => policy.retries_status(429),
            FaultKind::ServerError { status, .. } => policy.retries_status(*status),
            FaultKind::ResetConnection | FaultKind::TruncatedBody | FaultKind::Slow { .. } => true,
            FaultKind::CutJson | FaultKind::RepeatedCursor => false,
        }
    }

    /// Whether the server hands out a cursor or link this resource could be given again.
    fn has_cursor(&self) -> bool {
        matches!(
            self.resource.descriptor.paginator,
            PaginatorConfig::Cursor(_)
                | PaginatorConfig::JsonLink { .. }
                | PaginatorConfig::HeaderLink { .. }
                | PaginatorConfig::HeaderCursor { .. }
        )
    }

    /// Checks one run under `kind`, set on request `at`.
    pub fn check_fault(&self, kind: &FaultKind, at: usize, outcome: &Outcome, secrets: &[&str]) {
        let (pages, error) = outcome;
        let log = self.mock.requests();
        let context = format!("{} under `{kind}`", self.context());
        let struck: Vec<usize> = (0..log.len()).filter(|&i| log[i].fault.is_some()).collect();
        if *kind == FaultKind::RepeatedCursor && !(self.has_cursor() && at > 1) {
            // no position to repeat: the fault says so and changes nothing
            assert!(error.is_none(), "{context}: {error:?}");
            assert!(struck.is_empty(), "{context}");
            assert!(
                log[at - 1]
                    .note
                    .as_deref()
                    .is_some_and(|n| n.contains("not applied")),
                "{context}: {:?}",
                log[at - 1].note
            );
            self.check_records(pages, None);
            return;
        }
        let Some(&first) = struck.first() else {
            panic!("{context}: the fault never struck: {:#?}", summary(&log));
        };
        if self.retries(kind) {
            if let Some(error) = error {
                panic!("{context}: {error}; {:#?}", summary(&log));
            }
            self.check_records(pages, None);
            let last = struck[struck.len() - 1];
            assert_eq!(
                log.get(last + 1).map(|r| &r.url),
                Some(&log[last].url),
                "{context}: the retry repeats the request"
            );
            return;
        }
        let Some(error) = error else {
            panic!("{context}: no error; {:#?}", summary(&log));
        };
        // the records served before the failure arrived, once each; nothing after
        let before: usize = log[..first]
            .iter()
            .filter_map(|r| r.served.as_ref())
            .map(|s| s.count)
            .sum();
        if *kind == FaultKind::RepeatedCursor {
            // A repeated cursor fails the request it would lead to, which is never sent: the
            // page that offered it is delivered first, as dlt delivers it (for a last-record
            // cursor the mock serves an earlier page again, so those records come twice and
            // the error says why).
            let Some((offered, earlier)) = pages.split_last() else {
                panic!("{context}: the page that offered the cursor was not delivered");
            };
            self.check_records(earlier, Some(before));
            let served = log[first].served.as_ref().map_or(0, |s| s.count);
            assert_eq!(offered.len(), served, "{context}: the page that repeats");
        } else {
            self.check_records(pages, Some(before));
        }
        assert_eq!(
            log.len(),
            first + 1,
            "{context}: a request after the failure"
        );
        let what = match (kind, error) {
            (
                FaultKind::TooManyRequests { .. },
                Error::Status {
                    status: 429, at, ..
                },
            )
            | (FaultKind::CutJson, Error::NotJson { at, .. })
            | (
                FaultKind::RepeatedCursor,
                Error::Pagination {
                    at,
                    source: PaginationError::Repeated { .. },
                },
            ) => at,
            (
                FaultKind::ServerError { status, .. },
                Error::Status {
                    status: got, at, ..
                },
            ) if got == status => at,
            (_, other) => panic!("{context}: unexpected {other:?}"),
        };
        self.check_location(what, pages.len() + 1, &log[first], &context);
        let shown = error.to_string();
        for secret in secrets {
            assert!(!shown.contains(secret), "{context}: a secret in `{shown}`");
        }
    }

    /// An error's location names this resource, the page and the URL that failed.
    fn check_location(&self, at: &Location, page: usize, failed: &RecordedRequest, context: &str) {
        assert_eq!(at.resource, self.resource.name, "{context}");
        assert_eq!(at.page, page, "{context}");
        let url = url::Url::parse(&at.url).unwrap();
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            (url.path(), &query),
            (failed.path.as_str(), &failed.query),
            "{context}: the error names the URL"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_transport_faults_end_in_a_typed_error_after_every_attempt() {
    // esign's error_handler: max_retries 3, so 4 attempts
    let kinds = [
        FaultKind::ResetConnection,
        FaultKind::TruncatedBody,
        FaultKind::Slow { delay: STALL },
    ];
    for kind in kinds {
        let mock = MockApi::start(
            api("esign"),
            options(&[("api_key", "esign-key")])
                .records_for("contacts", 26)
                .fault(Fault::new("contacts", 2, kind.clone()).times(10)),
        )
        .await
        .unwrap();
        let client = ::esign::Client::builder()
            .api_key("esign-key")
            .base_url(mock.base_url())
            .max_retry_delay(RETRY_CAP)
            .timeout(SHORT_TIMEOUT)
            .build()
            .unwrap();
        let mut stream = client.contacts().stream();
        let mut received = 0;
        let err = loop {
            match stream.try_next().await {
                Ok(Some(_)) => received += 1,
                Ok(None) => panic!("{kind}: the failure was swallowed"),
                Err(e) => break e,
            }
        };
        assert_eq!(received, 10, "{kind}: page 1 arrived before the failure");
        let (at, attempts) = match (&kind, &err) {
            (FaultKind::Slow { .. }, Error::Timeout { at, attempts, .. }) => (at, attempts),
            (
                FaultKind::ResetConnection,
                Error::RetriesExhausted {
                    at, attempts, last, ..
                },
            )
            | (
                FaultKind::TruncatedBody,
                Error::RetriesExhausted {
                    at, attempts, last, ..
                },
            ) => {
                assert!(!last.is_empty(), "{kind}: {err}");
                (at, attempts)
            }
            (_, other) => panic!("{kind}: unexpected {other:?}"),
        };
        assert_eq!((at.resource.as_str(), at.page), ("contacts", 2), "{err}");
        assert_eq!(*attempts, 4, "{err}");
        assert!(!err.to_string().contains("esign-key"), "{err}");
        let log = mock.requests();
        assert_eq!(
            log.len(),
            1 + 4,
            "{kind}: page 1, then every attempt at page 2"
        );
        assert!(log[1..].iter().all(|r| r.url == log[1].url));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_with_retry_after_is_waited_out_and_nothing_is_lost() {
    let api = api("esign");
    let mock = MockApi::start(
        api,
        options(&[("api_key", "k")])
            .records_for("contacts", 26)
            .fault(Fault::new(
                "contacts",
                2,
                FaultKind::TooManyRequests {
                    retry_after: RetryAfter::Millis(1),
                },
            )),
    )
    .await
    .unwrap();
    let client = ::esign::Client::builder()
        .api_key("k")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let records: Vec<_> = client.contacts().stream().try_collect().await.unwrap();
    let ids: Vec<&str> = records
        .iter()
        .map(|c| c.id.as_deref().unwrap_or_default())
        .collect();
    let expected = mock.records("contacts", &[]).unwrap();
    let expected: Vec<&str> = expected.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected);

    let requests = mock.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 429, 200, 200]);
    assert_eq!(
        requests[1].url, requests[2].url,
        "the retry repeats the request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_burst_is_retried_even_when_unlisted_and_a_failed_status_is_a_typed_error() {
    // esign retries 503 (its error_handler lists it); the 503s say how long to wait
    let mock = MockApi::start(
        api("esign"),
        options(&[("api_key", "k")])
            .records_for("labels", 26)
            .fault(
                Fault::new(
                    "labels",
                    2,
                    FaultKind::ServerError {
                        status: 503,
                        retry_after: Some(RetryAfter::Millis(1)),
                    },
                )
                .times(2),
            ),
    )
    .await
    .unwrap();
    let client = ::esign::Client::builder()
        .api_key("k")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let records: Vec<_> = client.labels().stream().try_collect().await.unwrap();
    assert_eq!(records.len(), 26);
    let statuses: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 503, 503, 200, 200]);

    // shipping's error_handler lists only 429, and a 503 on page 2 is retried all the same, as
    // Airbyte's default mapping does: no record is lost
    let (mock, client) = shipping_with(Fault::new("trackers", 2, server_error(503))).await;
    let records: Vec<_> = client.trackers().stream().try_collect().await.unwrap();
    assert_eq!(records.len(), 26);
    let statuses: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 503, 200, 200]);

    // a status the spec fails at once (shipping's api_keys: 403 without a production key) is a
    // typed error after one request
    let (mock, client) = shipping_with(Fault::new("api_keys", 1, server_error(403))).await;
    let err = client.api_keys().stream().try_next().await.unwrap_err();
    assert_eq!(err.status(), Some(403), "{err}");
    assert_eq!(mock.requests().len(), 1, "not retried");
}

fn server_error(status: u16) -> FaultKind {
    FaultKind::ServerError {
        status,
        retry_after: None,
    }
}

/// The shipping mock with 26 trackers and `fault`, and a client of it with short waits.
async fn shipping_with(fault: Fault) -> (MockApi, ::shipping::Client) {
    let mock = MockApi::start(
        api("shipping"),
        options(&[("username", "u")])
            .records_for("trackers", 26)
            .fault(fault),
    )
    .await
    .unwrap();
    let client = ::shipping::Client::builder()
        .username("u")
        .base_url(mock.base_url())
        .max_retry_delay(RETRY_CAP)
        .build()
        .unwrap();
    (mock, client)
}
