//! The extract command's `--all` on windowed resources (the generated `timeline_extract`'s
//! `Job::fan_out(client.audits_all())`): every date window is walked, a window that fails
//! resumes at its page with `--state`, and a walk keeps the one checkpoint every window
//! shares in the state's `checkpoint` (not per-parent checkpoints). The server keeps its own
//! log and reads the dates it is sent itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use restgen_extract::{Counters, Format, Job, Options, RunError, State};
use restgen_runtime::Checkpoint;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// One audit a day through January 2024, `from` to `to` both included; the first request
/// for the window starting `fail_from` fails once (a 400, not retried).
struct AuditLog {
    fail_from: Mutex<Option<String>>,
}

fn query(request: &Request, key: &str) -> Option<String> {
    common::query(request)
        .into_iter()
        .find_map(|(k, v)| (k == key).then_some(v))
}

impl Respond for AuditLog {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let day = |key: &str| NaiveDate::parse_from_str(&query(request, key)?, "%Y-%m-%d").ok();
        let (Some(from), Some(to)) = (day("from"), day("to")) else {
            return ResponseTemplate::new(400).set_body_string("from and to are dates");
        };
        let mut fail = self.fail_from.lock().unwrap();
        if fail.as_deref() == query(request, "from").as_deref() {
            *fail = None;
            return ResponseTemplate::new(400).set_body_string("not now");
        }
        let data: Vec<Value> = (1..=31)
            .filter_map(|d| NaiveDate::from_ymd_opt(2024, 1, d))
            .filter(|d| *d >= from && *d <= to)
            .map(|d| json!({"id": d.to_string(), "at": d.to_string()}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "data": data }))
    }
}

/// Events at the given times, served by `since`/`until` (RFC 3339, both included).
struct EventLog(Vec<DateTime<Utc>>);

impl Respond for EventLog {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let at = |key: &str| DateTime::parse_from_rfc3339(&query(request, key).unwrap()).unwrap();
        let (since, until) = (at("since"), at("until"));
        let data: Vec<Value> = self
            .0
            .iter()
            .filter(|t| **t >= since && **t <= until)
            .map(|t| json!({"id": t.timestamp().to_string(), "updated_at": zulu(*t)}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "data": data }))
    }
}

fn zulu(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// One run at a time: a run installs the process's Ctrl-C handling.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `timeline_extract <resource> --all --state <state> --out <out>` against `server`.
fn extract(server: &MockServer, resource: &str, state: &Path, out: &Path) -> Result<u64, RunError> {
    let counters = Counters::default();
    let client = timeline::Client::builder()
        .base_url(server.uri())
        .start_date("2024-01-03")
        .end_date("2024-01-20")
        .hook(counters.hook())
        .build()
        .unwrap();
    let job = match resource {
        "audits" => Job::fan_out(client.audits_all()),
        _ => Job::fan_out(client.events_all()),
    };
    let options = Options {
        resource: resource.into(),
        base_url: None,
        args: Vec::new(),
        all: true,
        concurrency: None,
        max_records: None,
        state: Some(state.to_path_buf()),
        format: Format::Jsonl,
        out: Some(out.to_path_buf()),
    };
    restgen_extract::run(job, &options, &counters).map(|s| s.records)
}

fn lines(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

async fn serve(at: &str, respond: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(respond)
        .mount(&server)
        .await;
    server
}

#[test]
fn all_walks_every_window_and_a_failed_window_resumes_with_the_state() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let log = AuditLog {
        // the second window (the 10th to the 16th) fails once
        fail_from: Mutex::new(Some("2024-01-10".into())),
    };
    let server = runtime.block_on(serve("/audits", log));
    let dir = tempfile::tempdir().unwrap();
    let (state, first, second) = (
        dir.path().join("state.json"),
        dir.path().join("1.jsonl"),
        dir.path().join("2.jsonl"),
    );
    assert!(extract(&server, "audits", &state, &first).is_err());
    let saved = State::load(&state).unwrap().unwrap();
    assert!(saved.all && saved.resume.is_some(), "{saved:?}");
    assert_eq!(extract(&server, "audits", &state, &second).unwrap(), 10);
    let days = |out: &Path| -> Vec<String> {
        lines(out)
            .iter()
            .map(|r| r["at"].as_str().unwrap().to_string())
            .collect()
    };
    let (before, after) = (days(&first), days(&second));
    // the first window before the failure, the failed window and the last after it: every
    // audit from the start date up to the (open) end date, once
    assert_eq!(before.first().map(String::as_str), Some("2024-01-03"));
    assert_eq!(before.len(), 7);
    assert_eq!(after.first().map(String::as_str), Some("2024-01-10"));
    let all: Vec<String> = before.into_iter().chain(after).collect();
    let expected: Vec<String> = (3..20).map(|d| format!("2024-01-{d:02}")).collect();
    assert_eq!(all, expected);
    // the resumed run asked for the failed window again, not the one before it
    let froms: Vec<String> = runtime
        .block_on(server.received_requests())
        .unwrap()
        .iter()
        .filter_map(|r| query(r, "from"))
        .collect();
    assert_eq!(
        froms,
        ["2024-01-03", "2024-01-10", "2024-01-10", "2024-01-17"]
    );
    let done = State::load(&state).unwrap().unwrap();
    assert!(done.resume.is_none(), "{done:?}");
}

#[test]
fn all_keeps_the_one_checkpoint_of_a_window_walk_in_the_state() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // a checkpoint 30 hours back: the walk starts an hour before it (the lookback), in
    // windows of a day up to now
    let start = Utc::now() - Duration::hours(30);
    let start = DateTime::from_timestamp(start.timestamp(), 0).unwrap();
    let events = vec![
        start - Duration::hours(3),
        start - Duration::minutes(30),
        start + Duration::hours(2),
        start + Duration::hours(26),
    ];
    let newest = zulu(events[3]);
    let server = runtime.block_on(serve("/events", EventLog(events.clone())));
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let seeded = State {
        resource: "events".into(),
        all: true,
        checkpoint: Some(Checkpoint {
            last_value: json!(zulu(start)),
            boundary: Vec::new(),
        }),
        ..State::default()
    };
    std::fs::write(&state, serde_json::to_string(&seeded).unwrap()).unwrap();
    let out = dir.path().join("1.jsonl");
    // the event behind the lookback is not asked for; the one inside it is delivered again
    assert_eq!(extract(&server, "events", &state, &out).unwrap(), 3);
    let saved = State::load(&state).unwrap().unwrap();
    assert_eq!(
        saved.checkpoint.as_ref().map(|c| c.last_value.clone()),
        Some(json!(newest)),
        "{saved:?}"
    );
    assert!(saved.parents.is_none(), "{saved:?}");
    // the next run starts an hour before the newest event: only it again
    let again = dir.path().join("2.jsonl");
    assert_eq!(extract(&server, "events", &state, &again).unwrap(), 1);
    assert_eq!(lines(&again)[0]["updated_at"], json!(newest));
}
