//! List partitions (Airbyte's `ListPartitionRouter`) and date windows (its
//! `DatetimeBasedCursor` with a `step`): a resource walked once per value of a list or per
//! window, the value or the bounds in the query; every record carries its partition; a
//! failure in the middle of a partition's pages resumes at that page with nothing lost and
//! nothing repeated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use restgen_runtime::{ChildRecord, Error, FanOut, ResourceRequest};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// `/absences?year=Y&p=N`: three pages of two records per year; the request in `failing`
/// answers 500 while it is set.
#[derive(Clone)]
struct Api {
    base: String,
    failing: Arc<Mutex<Option<String>>>,
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.to_string())
        };
        let p: usize = query("p").and_then(|v| v.parse().ok()).unwrap_or(1);
        // a year, or a window's start and end
        let year = query("year")
            .or_else(|| Some(format!("{}..{}", query("from")?, query("to")?)))
            .unwrap_or_default();
        let key = request.url.query().unwrap_or_default();
        let shown = key.split("&p=").next().unwrap_or_default().to_string();
        let shown = format!("{shown}&p={p}");
        if self.failing.lock().unwrap().as_deref() == Some(shown.as_str()) {
            return ResponseTemplate::new(500);
        }
        let items: Vec<Value> = [2 * p - 1, 2 * p]
            .iter()
            .map(|n| json!({"id": format!("{year}-{n}")}))
            .collect();
        let own = request.url.query().unwrap_or_default();
        let own = own.split("&p=").next().unwrap_or_default();
        let next =
            (p < 3).then(|| format!("{}{}?{own}&p={}", self.base, request.url.path(), p + 1));
        ResponseTemplate::new(200).set_body_json(json!({"items": items, "next": next}))
    }
}

async fn setup() -> (MockServer, Arc<Mutex<Option<String>>>, FanOut<Value>) {
    let server = MockServer::start().await;
    let failing = Arc::new(Mutex::new(None));
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(Api {
            base: server.uri(),
            failing: failing.clone(),
        })
        .mount(&server)
        .await;
    let fan_out = years(&server);
    (server, failing, fan_out)
}

/// `absences` once per year of 2023..=2025, `year` in the query.
fn years(server: &MockServer) -> FanOut<Value> {
    let core = common::builder(&[])
        .retry_policy(common::no_wait(1))
        .max_retry_delay(Duration::from_millis(10))
        .build(&common::spec(&server.uri(), None, vec![]))
        .unwrap();
    let absences = restgen_runtime::descriptor::ResourceDescriptor {
        params: Cow::Owned(vec![common::param("year", "{year}")]),
        ..common::json_link("absences", "/absences")
    };
    FanOut::over_values(
        [json!(2023), json!(2024), json!(2025)],
        Cow::Borrowed("years"),
        Cow::Borrowed("year"),
        ResourceRequest::<Value>::new(core, Cow::Owned(absences)),
    )
}

async fn run(
    stream: impl futures::Stream<Item = Result<ChildRecord<Value>, Error>> + Unpin,
) -> (Vec<String>, Option<Error>) {
    let mut stream = stream;
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(item) => {
                // every record carries its partition
                let id = item.record["id"].as_str().unwrap().to_string();
                let partition = match item.parent.get("_years_year") {
                    Some(year) => year.to_string(),
                    None => format!(
                        "{}..{}",
                        item.parent["_days_start_time"].as_str().unwrap(),
                        item.parent["_days_end_time"].as_str().unwrap()
                    ),
                };
                assert!(id.starts_with(&partition), "{id} under {partition}");
                ids.push(id);
            }
            Err(e) => return (ids, Some(e)),
        }
    }
    (ids, None)
}

fn requests(received: &[Request]) -> Vec<String> {
    received
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn a_list_partition_walks_once_per_value_with_the_value_in_the_query() {
    let (server, _, fan_out) = setup().await;
    let (ids, error) = run(fan_out.stream()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids.len(), 18);
    assert_eq!(ids[0], "2023-1");
    assert_eq!(ids[17], "2025-6");
    let seen = requests(&server.received_requests().await.unwrap());
    assert_eq!(seen[0], "year=2023");
    assert_eq!(seen[3], "year=2024");
    assert_eq!(seen.len(), 9);
}

#[tokio::test]
async fn a_failed_partition_resumes_at_its_failed_page() {
    let (server, failing, fan_out) = setup().await;
    *failing.lock().unwrap() = Some("year=2024&p=2".into());
    let (first, error) = run(fan_out.stream()).await;
    let error = error.expect("the 2024 page 2 fails");
    assert_eq!(
        first,
        [
            "2023-1", "2023-2", "2023-3", "2023-4", "2023-5", "2023-6", "2024-1", "2024-2"
        ]
    );
    let point = error.resume_point().expect("a resume point").clone();
    // the point survives a round trip through JSON, as a caller persists it
    let point = serde_json::from_str(&serde_json::to_string(&point).unwrap()).unwrap();
    *failing.lock().unwrap() = None;
    let before = server.received_requests().await.unwrap().len();
    let (second, error) = run(years(&server).resume(point).stream()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        second[0], "2024-3",
        "resumed at the failed page, nothing repeated"
    );
    let all: Vec<String> = first.into_iter().chain(second).collect();
    assert_eq!(all.len(), 18, "nothing lost: {all:?}");
    let resumed = requests(&server.received_requests().await.unwrap()[before..]);
    assert_eq!(resumed[0], "year=2024&p=2", "2023 is not walked again");
}

/// `events` once per day of 2024-01-01 to 2024-01-03 noon, the window's bounds in the query.
fn days(server: &MockServer) -> FanOut<Value> {
    use chrono::{Duration as Span, TimeZone, Utc};
    use restgen_runtime::incremental::windows::{DateWindows, IsoDuration};
    let core = common::builder(&[])
        .retry_policy(common::no_wait(1))
        .build(&common::spec(&server.uri(), None, vec![]))
        .unwrap();
    let events = restgen_runtime::descriptor::ResourceDescriptor {
        params: Cow::Owned(vec![
            common::param("from", "{start_time}"),
            common::param("to", "{end_time}"),
        ]),
        ..common::json_link("events", "/events")
    };
    let windows = DateWindows::new(
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2024, 1, 3, 12, 0, 0).unwrap(),
        "%Y-%m-%dT%H:%M:%SZ",
    )
    .step(IsoDuration::parse("P1D").unwrap(), Span::seconds(1));
    FanOut::over_windows(
        &windows,
        Cow::Borrowed("days"),
        ResourceRequest::<Value>::new(core, Cow::Owned(events)),
    )
}

#[tokio::test]
async fn date_windows_are_walked_in_order_and_a_failed_window_resumes_at_its_page() {
    let (server, failing, _) = setup().await;
    let window = "from=2024-01-02T00%3A00%3A00Z&to=2024-01-02T23%3A59%3A59Z";
    *failing.lock().unwrap() = Some(format!("{window}&p=3"));
    let (first, error) = run(days(&server).stream()).await;
    assert_eq!(
        first.len(),
        6 + 4,
        "day 1 whole, day 2 up to its page 3: {first:?}"
    );
    let sent = requests(&server.received_requests().await.unwrap());
    assert_eq!(
        sent[..4],
        [
            "from=2024-01-01T00%3A00%3A00Z&to=2024-01-01T23%3A59%3A59Z".to_string(),
            "from=2024-01-01T00%3A00%3A00Z&to=2024-01-01T23%3A59%3A59Z&p=2".to_string(),
            "from=2024-01-01T00%3A00%3A00Z&to=2024-01-01T23%3A59%3A59Z&p=3".to_string(),
            window.to_string(),
        ]
    );
    let point = error
        .expect("day 2 page 3 fails")
        .resume_point()
        .unwrap()
        .clone();
    *failing.lock().unwrap() = None;
    let before = server.received_requests().await.unwrap().len();
    let (second, error) = run(days(&server).resume(point).stream()).await;
    assert!(error.is_none(), "{error:?}");
    let resumed = requests(&server.received_requests().await.unwrap()[before..]);
    assert_eq!(
        resumed[0],
        format!("{window}&p=3"),
        "resumed inside the window"
    );
    assert_eq!(
        resumed.last().unwrap(),
        "from=2024-01-03T00%3A00%3A00Z&to=2024-01-03T12%3A00%3A00Z&p=3",
        "the last window ends at the range's end"
    );
    let all: Vec<String> = first.into_iter().chain(second).collect();
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        (all.len(), unique.len()),
        (18, 18),
        "nothing lost or repeated: {all:?}"
    );
}
