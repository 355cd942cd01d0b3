//! Templates a request sends (`{expr: ..}`, docs/dialect.md "Expressions"): Airbyte's date
//! macros computed once per request run from the client's clock, sent in the query, a
//! header and the JSON body, and what the generated crate holds for them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use common::{json, received, resolve_yaml};
use futures::TryStreamExt;
use restgen_runtime::chrono::{DateTime, Utc};
use restgen_runtime::{ClientBuilder, ResourceRequest};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer};

const SPEC: &str = r#"
client:
  base_url: https://example.com/
resources:
  - name: events
    endpoint:
      path: events
      method: POST
      data_selector: data
      paginator: {type: offset, limit: 1, offset_param: offset, limit_param: limit, total_path: total}
      params:
        since: {expr: "day_delta(-30, format='%Y-%m-%d')"}
        until: {expr: "now_utc().strftime('%Y-%m-%dT%H:%M:%SZ')"}
      headers:
        X-Day: {expr: "today_utc()"}
      json:
        after: {expr: "timestamp(config['start_date'])"}
        label: {expr: "'from ' + format_datetime(config['start_date'], '%d.%m.%Y')"}
"#;

/// A clock that starts at 2024-03-01T12:00:00Z and moves a day on every read.
fn moving_clock() -> (
    Arc<AtomicI64>,
    impl Fn() -> DateTime<Utc> + Send + Sync + 'static,
) {
    let reads = Arc::new(AtomicI64::new(0));
    let counter = reads.clone();
    let clock = move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        DateTime::from_timestamp(1_709_294_400 + n * 86_400, 0).unwrap()
    };
    (reads, clock)
}

#[tokio::test]
async fn now_derived_values_are_sent_once_per_run_from_the_clients_clock() {
    let server = MockServer::start().await;
    for offset in ["0", "1"] {
        Mock::given(method("POST"))
            .and(path("/events"))
            .and(query_param("since", "2024-01-31"))
            .and(query_param("until", "2024-03-01T12:00:00Z"))
            .and(query_param("offset", offset))
            .and(header("X-Day", "2024-03-01"))
            .and(body_json(
                json!({"after": 1_704_067_200.0, "label": "from 01.01.2024"}),
            ))
            .respond_with(json(json!({"data": [{"id": offset}], "total": 2})))
            .mount(&server)
            .await;
    }
    let api = resolve_yaml(SPEC);
    let (reads, clock) = moving_clock();
    let core = ClientBuilder::default()
        .base_url(server.uri())
        .value("start_date", "2024-01-01")
        .clock(clock)
        .build(&api.client)
        .unwrap();
    let descriptor = Cow::Owned(api.resources[0].descriptor.clone());
    let records: Vec<Value> = ResourceRequest::new(core, descriptor)
        .stream()
        .try_collect()
        .await
        .unwrap();
    // both pages matched the values of the run's one reading of the clock
    assert_eq!(records, [json!({"id": "0"}), json!({"id": "1"})]);
    assert_eq!(reads.load(Ordering::SeqCst), 1);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_template_without_a_value_fails_the_run_before_a_request() {
    let server = MockServer::start().await;
    let api = resolve_yaml(SPEC);
    let (_, clock) = moving_clock();
    for start in [None, Some("not a date")] {
        let mut builder = ClientBuilder::default()
            .base_url(server.uri())
            .clock(clock_copy(&clock));
        if let Some(start) = start {
            builder = builder.value("start_date", start);
        }
        let core = builder.build(&api.client).unwrap();
        let descriptor = Cow::Owned(api.resources[0].descriptor.clone());
        let error = ResourceRequest::<Value>::new(core, descriptor)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`timestamp(config['start_date'])` of resource `events` gives no value"),
            "{error}"
        );
    }
    assert!(received(&server).await.is_empty());
}

/// A fixed clock at the moving clock's first reading.
fn clock_copy(
    clock: &impl Fn() -> DateTime<Utc>,
) -> impl Fn() -> DateTime<Utc> + Send + Sync + 'static {
    let at = clock();
    move || at
}

#[test]
fn the_generated_crate_holds_the_templates_compiled_not_their_values() {
    let files = restgen::generate_files(&restgen::SpecFiles {
        api: "calendar".into(),
        shown_dir: "specs/calendar".into(),
        config: Ok(SPEC.into()),
        schemas: Vec::new(),
        ignored: Vec::new(),
    })
    .unwrap();
    let descriptors = &files.files["src/descriptors.rs"];
    for expected in [
        r#"value: Cow::Borrowed("{expr.0}")"#,
        "expr::Func::DayDelta",
        "expr::Expr::Var(expr::Var::Now)",
        r#"text: Cow::Borrowed("today_utc()")"#,
    ] {
        assert!(
            descriptors.contains(expected),
            "`{expected}` missing:\n{descriptors}"
        );
    }
    // the date of generation is nowhere: the crate is the same whenever it is generated
    let year = Utc::now().format("%Y-%m-%d").to_string();
    assert!(!descriptors.contains(&year), "{descriptors}");
    // the setting the body reads is the builder's, optional
    assert!(files.files["src/client.rs"].contains("pub fn start_date("));
}
