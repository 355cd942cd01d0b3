//! Date windows end to end, through the generated `timeline` client (`tests/fixtures/timeline`):
//! each window's request carries its bounds in the spec's format, a failure in window 3
//! resumes at window 3, a later run starts at the newest cursor value less the lookback, and
//! cursor values compare as time. The server here is written from the API's side, not from
//! the spec: it keeps its own event log, reads the bounds it is sent with its own parsing, and
//! writes each event's time in whatever form it likes (offsets, epoch seconds).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, TimeZone, Utc};
use common::received;
use futures::TryStreamExt;
use restgen_runtime::incremental::{Checkpoint, Incremental};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// How the server writes an event's time: its log does not care for one format.
#[derive(Clone, Copy)]
enum Written {
    Zulu,
    Offset(i32),
    Epoch,
}

/// An event log served by window: `since`/`until` read as the server reads them (RFC 3339),
/// the events inside (both ends included) two a page, a `next` token for the rest.
struct EventLog {
    events: Vec<(String, DateTime<Utc>, Written)>,
    /// How far before `since` the server starts (a sloppy server sends a little more).
    slack: Duration,
    /// A request whose `since` is this fails once with a 400, on its second page.
    fail_once: Mutex<Option<String>>,
}

impl Respond for EventLog {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let bound = |name: &str| DateTime::parse_from_rfc3339(&q(name).unwrap()).unwrap();
        let (since, until) = (bound("since"), bound("until"));
        let page: usize = q("after").map_or(0, |a| a.parse().unwrap());
        if page > 0 {
            let mut fail = self.fail_once.lock().unwrap();
            if fail.as_deref() == q("since").as_deref() {
                *fail = None;
                return ResponseTemplate::new(400).set_body_string("try again later");
            }
        }
        let inside: Vec<Value> = self
            .events
            .iter()
            .filter(|(_, at, _)| *at >= since - self.slack && *at <= until)
            .map(|(id, at, written)| {
                let time = match written {
                    Written::Zulu => json!(at.to_rfc3339_opts(SecondsFormat::Secs, true)),
                    Written::Offset(hours) => json!(
                        at.with_timezone(&FixedOffset::east_opt(hours * 3600).unwrap())
                            .to_rfc3339_opts(SecondsFormat::Secs, false)
                    ),
                    Written::Epoch => json!(at.timestamp()),
                };
                json!({"id": id, "updated_at": time})
            })
            .collect();
        let rest: Vec<Value> = inside.iter().skip(page * 2).cloned().collect();
        let next = (rest.len() > 2).then(|| (page + 1).to_string());
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": rest.iter().take(2).collect::<Vec<_>>(), "next": next}))
    }
}

fn text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A server answering `GET /events` with `respond`, and a client of it.
async fn serve(respond: impl Respond + 'static) -> (MockServer, timeline::Client) {
    serve_at("GET", "/events", respond).await
}

async fn serve_at(
    verb: &str,
    at: &str,
    respond: impl Respond + 'static,
) -> (MockServer, timeline::Client) {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(respond)
        .mount(&server)
        .await;
    let client = timeline::Client::builder()
        .base_url(server.uri())
        .build()
        .unwrap();
    (server, client)
}

/// `(since, until)` of every request, in order.
async fn windows_asked(server: &MockServer) -> Vec<(String, String, Option<String>)> {
    received(server)
        .await
        .iter()
        .map(|r| {
            let q = |name: &str| {
                r.url
                    .query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            (q("since").unwrap(), q("until").unwrap(), q("after"))
        })
        .collect()
}

#[tokio::test]
async fn each_window_sends_its_bounds_and_a_failed_window_resumes_where_it_failed() {
    // a day-aligned start three days back: four windows, the last ending now; three events
    // in each of the first three, two a page
    let day = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let start = day - Duration::days(3);
    let events = (0..9)
        .map(|i| {
            let at = start + Duration::hours(8 * i);
            let written = [Written::Zulu, Written::Offset(2), Written::Epoch][i as usize % 3];
            (format!("e{i}"), at, written)
        })
        .collect();
    let (server, client) = serve(EventLog {
        events,
        slack: Duration::zero(),
        // the third window's second page fails once
        fail_once: Mutex::new(Some(text(day - Duration::days(1)))),
    })
    .await;
    let run = Incremental::starting_at(text(start));
    let mut walk = client.events_all().incremental(&run).stream();
    let mut ids = Vec::new();
    let error = loop {
        match walk.try_next().await {
            Ok(Some(item)) => ids.push(item.record.id.clone().unwrap()),
            Ok(None) => panic!("the walk ended without the failure"),
            Err(e) => break e,
        }
    };
    assert_eq!(ids, ["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"]);
    let point = error.resume_point().cloned().expect("a resume point");
    let asked = windows_asked(&server).await;
    let at = |days: i64| text(start + Duration::days(days));
    let until = |days: i64| text(start + Duration::days(days) - Duration::seconds(1));
    let page2 = Some("1".to_string());
    assert_eq!(
        asked,
        [
            (at(0), until(1), None),
            (at(0), until(1), page2.clone()),
            (at(1), until(2), None),
            (at(1), until(2), page2.clone()),
            (at(2), until(3), None),
            (at(2), until(3), page2.clone()),
        ]
    );
    let rest: Vec<_> = client
        .events_all()
        .incremental(&run)
        .resume(point)
        .stream()
        .try_collect()
        .await
        .unwrap();
    ids.extend(rest.iter().map(|i| i.record.id.clone().unwrap()));
    assert_eq!(ids, ["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"]);
    let again = windows_asked(&server).await;
    // window 3 again from its failed page, nothing before it; then the last window, to now
    assert_eq!(again[6], (at(2), until(3), page2));
    assert_eq!(again[7].0, text(day));
    assert!(again[7].1 >= text(day) && again[7].1 <= text(Utc::now()));
    assert_eq!(again.len(), 8, "{again:?}");
    // the checkpoint is the newest event (written as epoch seconds), compared as time
    assert_eq!(
        run.checkpoint().unwrap().last_value,
        json!((start + Duration::hours(64)).timestamp())
    );
}

#[tokio::test]
async fn cursor_values_compare_as_time_and_a_later_run_looks_back() {
    let now = Utc::now();
    let checkpoint = now - Duration::hours(30);
    // the run starts at the checkpoint less the lookback (an hour)
    let start = checkpoint - Duration::hours(1);
    let events = vec![
        // before the start as time, after it as text (its offset reads later)
        (
            "early".into(),
            start - Duration::minutes(30),
            Written::Offset(5),
        ),
        // inside, as epoch seconds
        (
            "epoch".into(),
            start + Duration::minutes(10),
            Written::Epoch,
        ),
        // the newest as time, though its text reads earlier than `offset`'s
        ("newest".into(), now - Duration::hours(2), Written::Zulu),
        (
            "offset".into(),
            now - Duration::hours(3),
            Written::Offset(9),
        ),
    ];
    let (server, client) = serve(EventLog {
        events,
        slack: Duration::hours(2),
        fail_once: Mutex::new(None),
    })
    .await;
    let run = Incremental::resume(Checkpoint {
        last_value: json!(text(checkpoint)),
        boundary: Vec::new(),
    });
    let got: Vec<String> = client
        .events_all()
        .incremental(&run)
        .stream()
        .map_ok(|i| i.record.id.clone().unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, ["epoch", "newest", "offset"]);
    let asked = windows_asked(&server).await;
    assert_eq!(
        asked[0].0,
        text(start),
        "the first window starts an hour back"
    );
    // the checkpoint is the newest as time
    let saved = run.checkpoint().unwrap();
    assert_eq!(
        saved.last_value,
        json!(text(now - Duration::hours(2))),
        "{saved:?}"
    );
    // a second run starts from it, an hour back
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&server)
        .await;
    let next = Incremental::resume(saved);
    let none: Vec<_> = client
        .events_all()
        .incremental(&next)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
    let asked = windows_asked(&server).await;
    assert_eq!(asked[0].0, text(now - Duration::hours(3)));
}

#[tokio::test]
async fn a_week_a_window_in_epoch_seconds_up_to_the_end_value() {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    let (_server, client) = serve_at("POST", "/readings/search", move |request: &Request| {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        seen.lock().unwrap().push(body["range"].clone());
        ResponseTemplate::new(200).set_body_json(json!({"data": []}))
    })
    .await;
    let got: Vec<_> = client.readings_all().stream().try_collect().await.unwrap();
    assert!(got.is_empty());
    let epoch = |y, m, d| {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
            .unwrap()
            .timestamp()
            .to_string()
    };
    let ranges = bodies.lock().unwrap().clone();
    // 2024-01-01 to 2024-03-01 in weeks: nine windows, each ending where the next starts
    assert_eq!(ranges.len(), 9, "{ranges:?}");
    assert_eq!(
        ranges[0],
        json!({"from": epoch(2024, 1, 1), "to": epoch(2024, 1, 8)})
    );
    assert_eq!(
        ranges[8],
        json!({"from": epoch(2024, 2, 26), "to": epoch(2024, 3, 1)})
    );
}

#[tokio::test]
async fn a_client_with_a_fixed_clock_cuts_its_windows_up_to_that_clock() {
    // no end value: the windows run to "now", which is the client's clock, not the system's
    // (a replay of early January 2024 asks for four days, not every day since)
    let (server, _) = serve(EventLog {
        events: Vec::new(),
        slack: Duration::zero(),
        fail_once: Mutex::new(None),
    })
    .await;
    let noon = Utc.with_ymd_and_hms(2024, 1, 4, 12, 0, 0).unwrap();
    let client = timeline::Client::builder()
        .base_url(server.uri())
        .clock(move || noon)
        .build()
        .unwrap();
    let records: Vec<_> = client.events_all().stream().try_collect().await.unwrap();
    assert!(records.is_empty());
    let asked = windows_asked(&server).await;
    let starts: Vec<&str> = asked.iter().map(|(since, _, _)| since.as_str()).collect();
    assert_eq!(
        starts,
        [
            "2024-01-01T00:00:00Z",
            "2024-01-02T00:00:00Z",
            "2024-01-03T00:00:00Z",
            "2024-01-04T00:00:00Z"
        ],
        "{} windows asked",
        asked.len()
    );
    assert!(asked[3].1.as_str() <= "2024-01-04T12:00:00Z", "{asked:?}");
}
