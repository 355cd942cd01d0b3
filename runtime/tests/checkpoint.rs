//! The incremental checkpoint covers only records handed to the consumer: not the rest of a
//! page cut by `max_records`, not records a consumer never took, not a page that failed to
//! decode; and cursors compare exactly, beyond 2^53 too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::borrow::Cow;

use futures::{StreamExt, TryStreamExt};
use restgen_runtime::descriptor::ResourceDescriptor;
use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing};
use restgen_runtime::selector::Selector;
use restgen_runtime::{ClientCore, Incremental, ResourceRequest};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn config(func: LastValueFunc, initial: Option<&str>) -> IncrementalConfig {
    IncrementalConfig {
        cursor_path: Selector::fields(["ts"]),
        cursor_field: Cow::Borrowed("ts"),
        initial_value: initial.map(|v| Cow::Owned(v.to_string())),
        end_value: None,
        start_param: None,
        end_param: None,
        last_value_func: func,
        start_open: false,
        end_closed: false,
        on_cursor_value_missing: OnCursorMissing::Raise,
        primary_key: Cow::Owned(vec![Cow::Borrowed("id")]),
        row_order: None,
        lag: None,
        datetime_format: None,
        cursor_datetime_formats: Cow::Borrowed(&[]),
        window: None,
        initial_value_config: None,
        end_value_config: None,
    }
}

fn events(func: LastValueFunc) -> ResourceDescriptor {
    ResourceDescriptor {
        incremental: Some(config(func, None)),
        data_selector: Some(Selector::fields(["items"])),
        ..common::resource("events", "/events")
    }
}

fn paged_events() -> ResourceDescriptor {
    ResourceDescriptor {
        incremental: Some(config(LastValueFunc::Max, None)),
        ..common::json_link("events", "/events")
    }
}

fn record(n: u64) -> Value {
    json!({"id": n, "ts": n})
}

/// Serves `ids` on one page, whatever the query (the client filters).
async fn one_page(ids: impl IntoIterator<Item = u64>) -> MockServer {
    let server = MockServer::start().await;
    let items: Vec<Value> = ids.into_iter().map(record).collect();
    Mock::given(method("GET"))
        .and(path("/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "items": items })))
        .mount(&server)
        .await;
    server
}

fn core(server: &MockServer) -> ClientCore {
    common::client(&common::spec(&server.uri(), None, vec![]), &[])
}

fn ids(records: &[Value]) -> Vec<u64> {
    records.iter().map(|r| r["id"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn max_records_five_of_ten_then_the_second_run_gets_six_to_ten() {
    let server = one_page(1..=10).await;
    let handle = Incremental::new();
    let first = common::request(&core(&server), events(LastValueFunc::Max))
        .incremental(&handle)
        .max_records(5);
    assert_eq!(ids(&common::records(first).await.unwrap()), [1, 2, 3, 4, 5]);
    let saved = handle.checkpoint().unwrap();
    assert_eq!(saved.last_value, json!(5));
    assert_eq!(saved.boundary, ["5"]);
    let second = Incremental::resume(saved);
    let run = common::request(&core(&server), events(LastValueFunc::Max)).incremental(&second);
    assert_eq!(ids(&common::records(run).await.unwrap()), [6, 7, 8, 9, 10]);
    assert_eq!(second.checkpoint().unwrap().last_value, json!(10));
}

#[tokio::test]
async fn a_consumer_that_takes_five_records_and_drops_the_stream() {
    let server = one_page(1..=10).await;
    let handle = Incremental::new();
    let taken: Vec<Value> = common::request(&core(&server), events(LastValueFunc::Max))
        .incremental(&handle)
        .stream()
        .take(5)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&taken), [1, 2, 3, 4, 5]);
    assert_eq!(handle.checkpoint().unwrap().last_value, json!(5));
    let second = Incremental::resume(handle.checkpoint().unwrap());
    let run = common::request(&core(&server), events(LastValueFunc::Max)).incremental(&second);
    assert_eq!(ids(&common::records(run).await.unwrap()), [6, 7, 8, 9, 10]);
}

#[tokio::test]
async fn each_record_advances_the_checkpoint_as_it_is_handed_over() {
    let server = one_page(1..=3).await;
    let handle = Incremental::new();
    let mut stream = common::request(&core(&server), events(LastValueFunc::Max))
        .incremental(&handle)
        .stream();
    assert_eq!(handle.checkpoint(), None, "nothing handed over yet");
    stream.next().await.unwrap().unwrap();
    assert_eq!(handle.checkpoint().unwrap().last_value, json!(1));
    stream.next().await.unwrap().unwrap();
    assert_eq!(handle.checkpoint().unwrap().last_value, json!(2));
}

#[tokio::test]
async fn a_pages_consumer_that_stops_after_the_first_page() {
    let server = MockServer::start().await;
    let next = format!("{}/events?page=2", server.uri());
    Mock::given(method("GET"))
        .and(path("/events"))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": [record(1), record(2)], "next": next})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/events"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [record(3), record(4)]})),
        )
        .mount(&server)
        .await;
    let handle = Incremental::new();
    let mut pages = ResourceRequest::<Value>::new(core(&server), Cow::Owned(paged_events()))
        .incremental(&handle)
        .pages();
    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(ids(&first.records), [1, 2]);
    assert_eq!(handle.checkpoint().unwrap().last_value, json!(2));
    drop(pages);
    assert_eq!(handle.checkpoint().unwrap().last_value, json!(2));
}

/// A record type that rejects a non-numeric id, whatever lenient decoding generated types do.
#[derive(Debug, serde::Deserialize)]
struct Strict {
    id: u64,
}

#[tokio::test]
async fn a_page_that_fails_to_decode_does_not_advance_the_checkpoint() {
    let server = MockServer::start().await;
    let next = format!("{}/events?page=2", server.uri());
    let bad: Vec<Value> = (6..=10)
        .map(|n| {
            if n == 8 {
                json!({"id": "x", "ts": 8})
            } else {
                record(n)
            }
        })
        .collect();
    Mock::given(method("GET"))
        .and(path("/events"))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"items": (1..=5).map(record).collect::<Vec<_>>(), "next": next}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/events"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "items": bad })))
        .mount(&server)
        .await;
    let handle = Incremental::new();
    let mut stream = ResourceRequest::<Strict>::new(core(&server), Cow::Owned(paged_events()))
        .incremental(&handle)
        .stream();
    let mut got = Vec::new();
    let err = loop {
        match stream.next().await.unwrap() {
            Ok(record) => got.push(record.id),
            Err(e) => break e,
        }
    };
    assert_eq!(got, [1, 2, 3, 4, 5]);
    assert!(err.to_string().contains("does not decode"), "{err}");
    assert_eq!(handle.checkpoint().unwrap().last_value, json!(5));
    let point = err
        .resume_point()
        .expect("a decode failure says where to resume");
    assert_eq!(
        point.page, 2,
        "the page that did not decode is fetched again"
    );
    assert_eq!(point.checkpoint().unwrap().last_value, json!(5));
}

#[test]
fn the_blocking_iterator_advances_per_record_too() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(one_page(1..=10));
    let blocking = restgen_runtime::blocking::BlockingRuntime::new().unwrap();
    let handle = Incremental::new();
    let request = || blocking.request(common::request(&core(&server), events(LastValueFunc::Max)));
    let taken: Vec<Value> = request()
        .incremental(&handle)
        .iter()
        .take(4)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids(&taken), [1, 2, 3, 4]);
    assert_eq!(handle.checkpoint().unwrap().last_value, json!(4));
    let next = Incremental::resume(handle.checkpoint().unwrap());
    let limited: Vec<Value> = request()
        .incremental(&next)
        .max_records(2)
        .iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids(&limited), [5, 6]);
    assert_eq!(next.checkpoint().unwrap().last_value, json!(6));
}

#[tokio::test]
async fn a_descending_feed_with_min_keeps_the_lowest_delivered() {
    let server = one_page((1..=10).rev()).await;
    let handle = Incremental::new();
    let first = common::request(&core(&server), events(LastValueFunc::Min))
        .incremental(&handle)
        .max_records(5);
    assert_eq!(
        ids(&common::records(first).await.unwrap()),
        [10, 9, 8, 7, 6]
    );
    assert_eq!(handle.checkpoint().unwrap().last_value, json!(6));
    let second = Incremental::resume(handle.checkpoint().unwrap());
    let run = common::request(&core(&server), events(LastValueFunc::Min)).incremental(&second);
    assert_eq!(ids(&common::records(run).await.unwrap()), [5, 4, 3, 2, 1]);
}

#[tokio::test]
async fn a_descending_feed_with_max_takes_the_first_record_as_newest() {
    // dlt's `max` over a newest-first feed: the checkpoint is the highest value delivered,
    // which is the first record's; stopping early still leaves it there.
    let server = one_page((1..=10).rev()).await;
    let handle = Incremental::new();
    let first = common::request(&core(&server), events(LastValueFunc::Max))
        .incremental(&handle)
        .max_records(3);
    assert_eq!(ids(&common::records(first).await.unwrap()), [10, 9, 8]);
    assert_eq!(handle.checkpoint().unwrap().last_value, json!(10));
}

#[tokio::test]
async fn cursors_beyond_two_to_the_53_compare_exactly() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [
            {"id": 1, "ts": 9007199254740992u64},
            {"id": 2, "ts": 9007199254740993u64},
            {"id": 3, "ts": 12345678901234567890u64},
            {"id": 4, "ts": 12345678901234567889u64},
        ]})))
        .mount(&server)
        .await;
    let handle = Incremental::new();
    let run = common::request(&core(&server), events(LastValueFunc::Max)).incremental(&handle);
    assert_eq!(ids(&common::records(run).await.unwrap()), [1, 2, 3, 4]);
    let saved = handle.checkpoint().unwrap();
    assert_eq!(saved.last_value, json!(12345678901234567890u64));
    assert_eq!(saved.boundary, ["3"]);
    // from 9007199254740993 on: 9007199254740992 is older, not the same value
    let from = Incremental::starting_at(json!(9007199254740993u64));
    let run = common::request(&core(&server), events(LastValueFunc::Max)).incremental(&from);
    assert_eq!(ids(&common::records(run).await.unwrap()), [2, 3, 4]);
}

#[tokio::test]
async fn mixed_integer_and_float_cursors_compare_by_value() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [
            {"id": 1, "ts": 9007199254740992.0},
            {"id": 2, "ts": 9007199254740993u64},
            {"id": 3, "ts": 1.5},
        ]})))
        .mount(&server)
        .await;
    let handle = Incremental::new();
    let run = common::request(&core(&server), events(LastValueFunc::Max)).incremental(&handle);
    assert_eq!(ids(&common::records(run).await.unwrap()), [1, 2, 3]);
    assert_eq!(
        handle.checkpoint().unwrap().last_value,
        json!(9007199254740993u64)
    );
}
