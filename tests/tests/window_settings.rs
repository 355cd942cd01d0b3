//! Incremental bounds read from settings, through the generated `timeline` client's `audits`
//! (`initial_value: {config: start_date}`, `end_value: {config: end_date}`, weekly windows in
//! `%Y-%m-%d`): the builder's setters give the range the windows walk; a setting not given, or
//! given in another format, fails the walk before any request, naming the setting and the
//! resource. The server answers from its own audit log, reading the dates it is sent itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::NaiveDate;
use common::received;
use futures::TryStreamExt;
use restgen_runtime::Error;
use restgen_runtime::incremental::settings::SettingProblem;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// One audit a day through January 2024; a request gets the days from `from` to `to`, both
/// included, as the API documents its range.
struct AuditLog;

impl Respond for AuditLog {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let day = |name: &str| {
            let text = request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        };
        let (Ok(from), Ok(to)) = (day("from"), day("to")) else {
            return ResponseTemplate::new(400).set_body_string("from and to are dates");
        };
        let data: Vec<Value> = (1..=31)
            .filter_map(|d| NaiveDate::from_ymd_opt(2024, 1, d))
            .filter(|d| *d >= from && *d <= to)
            .map(|d| json!({"id": d.to_string(), "at": d.format("%Y-%m-%d").to_string()}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"data": data}))
    }
}

async fn serve() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/audits"))
        .respond_with(AuditLog)
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer, start: Option<&str>, end: &str) -> timeline::Client {
    let builder = timeline::Client::builder()
        .base_url(server.uri())
        .end_date(end);
    match start {
        Some(start) => builder.start_date(start),
        None => builder,
    }
    .build()
    .unwrap()
}

/// How `audits_all()` fails.
async fn walk_error(client: &timeline::Client) -> Error {
    client
        .audits_all()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn the_windows_walk_from_the_start_date_setting_to_the_end_date_setting() {
    let server = serve().await;
    let client = client(&server, Some("2024-01-03"), "2024-01-20");
    let items: Vec<_> = client.audits_all().stream().try_collect().await.unwrap();
    let asked: Vec<(String, String)> = received(&server)
        .await
        .iter()
        .map(|r| {
            let q = common::query(r);
            let value = |name: &str| q.iter().find(|(k, _)| k == name).unwrap().1.clone();
            (value("from"), value("to"))
        })
        .collect();
    assert_eq!(
        asked,
        [
            ("2024-01-03".into(), "2024-01-09".into()),
            ("2024-01-10".into(), "2024-01-16".into()),
            ("2024-01-17".into(), "2024-01-20".into()),
        ]
    );
    // the end value is open, as dlt's: the audit of the 20th is not delivered
    let days: Vec<&str> = items
        .iter()
        .map(|i| i.record.at.as_deref().unwrap())
        .collect();
    assert_eq!(days.first(), Some(&"2024-01-03"));
    assert_eq!(days.last(), Some(&"2024-01-19"));
    assert_eq!(days.len(), 17);
}

#[tokio::test]
async fn a_start_date_not_given_fails_the_walk_naming_it_before_any_request() {
    let server = serve().await;
    let client = client(&server, None, "2024-01-20");
    let error = walk_error(&client).await;
    match &error {
        Error::IncrementalSetting {
            resource,
            key,
            setting,
            problem,
        } => {
            assert_eq!((resource.as_str(), *key), ("audits", "initial_value"));
            assert_eq!(setting, "start_date");
            assert_eq!(problem, &SettingProblem::Missing);
        }
        other => panic!("expected the missing setting, got {other:?}"),
    }
    assert!(error.to_string().contains("`start_date`"), "{error}");
    assert!(received(&server).await.is_empty());
    // the one-window method fails the same way: it filters against the same bounds
    let one = client
        .audits("2024-01-01", "2024-01-07")
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(one, Error::IncrementalSetting { .. }), "{one:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_setting_in_another_format_is_a_typed_error() {
    let server = serve().await;
    let client = client(&server, Some("2024-01-03"), "20/01/2024");
    let error = walk_error(&client).await;
    let Error::IncrementalSetting {
        key,
        setting,
        problem,
        ..
    } = &error
    else {
        panic!("expected an unreadable setting, got {error:?}");
    };
    assert_eq!((*key, setting.as_str()), ("end_value", "end_date"));
    assert!(
        matches!(problem, SettingProblem::NotADatetime { value, .. } if value == "20/01/2024"),
        "{problem:?}"
    );
    assert!(received(&server).await.is_empty());
}
