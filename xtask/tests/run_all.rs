//! `cargo xtask run <spec> <resource> --all` walks what a generated client's `<resource>_all()`
//! walks, from the spec alone: a resource's list partitions (values from a setting in the
//! environment) and its date windows (bounds from settings), each record carrying the value
//! or window it was fetched for. The xtask program runs as a user runs it; the server reads
//! the values it is sent itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn query(request: &Request, key: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find_map(|(k, v)| (k == key).then(|| v.into_owned()))
}

/// `cargo xtask run <spec> <resource> --all` against a server answering `GET <at>` with
/// `respond`, settings from `env`: the records it printed (one JSON value a line) and the
/// requests the server received.
fn run_all(
    spec: &Path,
    resource: &str,
    (at, respond): (&str, impl Respond + 'static),
    env: &[(&str, &str)],
) -> (Vec<Value>, Vec<Request>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(respond)
            .mount(&server)
            .await;
        server
    });
    let base = format!("{}/", server.uri());
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("run")
        .arg(spec)
        .args([resource, "--all", "--base-url", &base])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "xtask run {resource} --all: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let received = runtime.block_on(server.received_requests()).unwrap();
    (records, received)
}

/// Two absences per year asked for (`?year=`), ids naming the year.
struct Absences;

impl Respond for Absences {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Some(year) = query(request, "year") else {
            return ResponseTemplate::new(400).set_body_string("which year?");
        };
        ResponseTemplate::new(200)
            .set_body_json(json!([{"id": format!("{year}-a")}, {"id": format!("{year}-b")}]))
    }
}

#[test]
fn all_walks_the_list_partitions_a_setting_gives() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("leave");
    std::fs::create_dir(&spec).unwrap();
    std::fs::write(
        spec.join("source.yaml"),
        "client:\n  base_url: https://api.leave.example/\nresources:\n  - name: absences\n    \
         endpoint:\n      path: absences\n      paginator: single_page\n      params: {year: \
         \"{year}\"}\n      partitions: {field: year, values: {config: years}}\n",
    )
    .unwrap();
    let (records, _) = run_all(
        &spec,
        "absences",
        ("/absences", Absences),
        &[("SOURCES__LEAVE__YEARS", "[2023, 2024]")],
    );
    let seen: Vec<(String, Value)> = records
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["_partition_year"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("2023-a".to_string(), json!(2023)),
            ("2023-b".to_string(), json!(2023)),
            ("2024-a".to_string(), json!(2024)),
            ("2024-b".to_string(), json!(2024)),
        ]
    );
}

/// One audit a day through January 2024, `from` to `to` (dates, both included).
struct Audits;

impl Respond for Audits {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let day = |key: &str| {
            january_day(&query(request, key).unwrap_or_default()).filter(|d| (1..=31).contains(d))
        };
        let (Some(from), Some(to)) = (day("from"), day("to")) else {
            return ResponseTemplate::new(400).set_body_string("from and to are January dates");
        };
        let data: Vec<Value> = (from..=to)
            .map(|d| json!({"id": d, "at": format!("2024-01-{d:02}")}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "data": data }))
    }
}

/// The day of a `2024-01-DD` date.
fn january_day(text: &str) -> Option<u32> {
    text.strip_prefix("2024-01-")?.parse().ok()
}

#[test]
fn all_walks_the_date_windows_between_the_bounds_settings_give() {
    let timeline = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/timeline");
    let (records, received) = run_all(
        &timeline,
        "audits",
        ("/audits", Audits),
        &[
            ("SOURCES__TIMELINE__START_DATE", "2024-01-01"),
            ("SOURCES__TIMELINE__END_DATE", "2024-01-21"),
        ],
    );
    // a week a window up to the end date, which is open (dlt's `range_end`): every day
    // before it once, in order, each record with its window
    let days: Vec<u64> = records.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert_eq!(days, (1..=20).collect::<Vec<u64>>());
    assert_eq!(records[0]["_window_start_time"], "2024-01-01");
    assert_eq!(records[19]["_window_start_time"], "2024-01-15");
    let windows: Vec<(String, String)> = received
        .iter()
        .map(|r| (query(r, "from").unwrap(), query(r, "to").unwrap()))
        .collect();
    assert_eq!(
        windows,
        [
            ("2024-01-01".to_string(), "2024-01-07".to_string()),
            ("2024-01-08".to_string(), "2024-01-14".to_string()),
            // the last window ends at the end value, as Airbyte cuts it; the record of that
            // day is left out by the open end above
            ("2024-01-15".to_string(), "2024-01-21".to_string()),
        ]
    );
}
