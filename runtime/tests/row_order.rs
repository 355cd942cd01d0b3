//! `row_order`: an incremental run over a feed ordered by its cursor ends at the first page
//! whose records leave the window, without requesting the pages after it, and still delivers
//! that page's records inside the window.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::*;
use restgen_runtime::descriptor::{PageNumberConfig, PaginatorConfig, ResourceDescriptor, Target};
use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing, RowOrder};
use restgen_runtime::selector::Selector;
use restgen_runtime::serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Ten pages of three records, then an empty one; record `n` has cursor `n`, ascending or
/// descending.
async fn feed(descending: bool) -> MockServer {
    let server = MockServer::start().await;
    for page in 1..=10u64 {
        let records: Vec<Value> = (0..3)
            .map(|i| {
                let n = (page - 1) * 3 + i;
                let n = if descending { 29 - n } else { n };
                json!({"id": n, "seq": n})
            })
            .collect();
        Mock::given(method("GET"))
            .and(path("/events"))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": records })))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/events"))
        .and(query_param("page", "11"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [] })))
        .mount(&server)
        .await;
    server
}

fn events(order: RowOrder, initial: u64, end: Option<u64>) -> ResourceDescriptor {
    ResourceDescriptor {
        paginator: PaginatorConfig::PageNumber(PageNumberConfig {
            base_page: 1,
            page: 1,
            page_target: Target::Query("page".into()),
            total_path: None,
            maximum_page: None,
            stop_after_empty_page: true,
            has_more_path: None,
            page_size: None,
            stop_on_short_page: false,
        }),
        data_selector: Some(Selector::fields(["data"])),
        incremental: Some(IncrementalConfig {
            cursor_path: Selector::fields(["seq"]),
            cursor_field: Cow::Borrowed("seq"),
            initial_value: Some(Cow::Owned(initial.to_string())),
            end_value: end.map(|e| Cow::Owned(e.to_string())),
            start_param: None,
            end_param: None,
            last_value_func: LastValueFunc::Max,
            start_open: false,
            end_closed: false,
            on_cursor_value_missing: OnCursorMissing::Raise,
            primary_key: Cow::Owned(vec![Cow::Borrowed("id")]),
            row_order: Some(order),
            lag: None,
            datetime_format: None,
            cursor_datetime_formats: Cow::Borrowed(&[]),
            window: None,
            initial_value_config: None,
            end_value_config: None,
        }),
        ..resource("events", "/events")
    }
}

fn pages_requested(requests: &[wiremock::Request]) -> Vec<String> {
    requests
        .iter()
        .filter_map(|r| r.url.query_pairs().find(|(k, _)| k == "page"))
        .map(|(_, v)| v.into_owned())
        .collect()
}

#[tokio::test]
async fn an_ascending_feed_ends_at_the_end_value() {
    let server = feed(false).await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    // window [4, 11): records 4..=10, on pages 2 to 4; page 4 holds 11, past the end
    let got: Vec<Value> = records(request(&core, events(RowOrder::Asc, 4, Some(11))))
        .await
        .unwrap();
    let ids: Vec<u64> = got.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (4..11).collect::<Vec<_>>());
    assert_eq!(
        pages_requested(&received(&server).await),
        ["1", "2", "3", "4"]
    );
}

#[tokio::test]
async fn a_descending_feed_ends_below_the_start_value() {
    let server = feed(true).await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    // from 24 down: 29..=24 on pages 1 and 2, page 3 starts at 23
    let got: Vec<Value> = records(request(&core, events(RowOrder::Desc, 24, None)))
        .await
        .unwrap();
    let ids: Vec<u64> = got.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (24..30).rev().collect::<Vec<_>>());
    assert_eq!(pages_requested(&received(&server).await), ["1", "2", "3"]);
}

#[tokio::test]
async fn without_an_end_value_an_ascending_feed_pages_to_the_end() {
    let server = feed(false).await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    let got: Vec<Value> = records(request(&core, events(RowOrder::Asc, 25, None)))
        .await
        .unwrap();
    assert_eq!(got.len(), 5);
    // dlt leaves the window only past an end value: every page is read
    assert_eq!(pages_requested(&received(&server).await).len(), 11);
}
