//! Pages at the edges, failing where dlt fails: a page whose next request cannot or must not
//! be sent (a cursor that repeats, an empty next link) is still delivered and the next request
//! fails; a success without a body fails, unless a response action ignores it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::StreamExt;
use restgen_runtime::descriptor::{
    CursorConfig, CursorSource, PaginatorConfig, ResourceDescriptor, Target,
};
use restgen_runtime::paginate::PaginationError;
use restgen_runtime::selector::Selector;
use restgen_runtime::{Error, serde_json};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The records a request streams before it fails, and the failure.
async fn until_failure(descriptor: ResourceDescriptor, server: &MockServer) -> (Vec<Value>, Error) {
    until_failure_with(descriptor, server, 1).await
}

/// [`until_failure`] with `.concurrency(n)`: pipelined requests and, for `n > 1`, pages
/// decoded ahead on the blocking pool.
async fn until_failure_with(
    descriptor: ResourceDescriptor,
    server: &MockServer,
    concurrency: usize,
) -> (Vec<Value>, Error) {
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    let mut stream = request(&core, descriptor).concurrency(concurrency).stream();
    let mut records = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(record) => records.push(record),
            Err(e) => return (records, e),
        }
    }
    panic!("the request ended without an error after {records:?}");
}

#[tokio::test]
async fn a_repeating_cursor_delivers_its_page_then_fails() {
    repeating_cursor(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeating_cursor_delivers_its_page_then_fails_with_pages_decoded_ahead() {
    repeating_cursor(4).await;
}

async fn repeating_cursor(concurrency: usize) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events"))
        .and(query_param("after", "c1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": 2}], "next": "c1"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/events"))
        .and(query_param_is_missing("after"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": 1}], "next": "c1"})),
        )
        .mount(&server)
        .await;
    let descriptor = ResourceDescriptor {
        paginator: PaginatorConfig::Cursor(CursorConfig {
            source: CursorSource::Path(Selector::fields(["next"])),
            target: Target::Query("after".into()),
            stop_condition: None,
            stop_after_empty_page: false,
            has_more_path: None,
            page_size: None,
        }),
        ..json_link("events", "events")
    };
    let (records, error) = until_failure_with(descriptor, &server, concurrency).await;
    assert_eq!(records, [json!({"id": 1}), json!({"id": 2})]);
    assert_eq!(received(&server).await.len(), 2, "the repeat is never sent");
    match error {
        Error::Pagination { at, source } => {
            assert!(
                matches!(source, PaginationError::Repeated { .. }),
                "{source:?}"
            );
            assert_eq!(at.page, 3);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_empty_next_link_delivers_its_page_then_fails() {
    empty_next_link(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_next_link_delivers_its_page_then_fails_with_pages_decoded_ahead() {
    empty_next_link(4).await;
}

async fn empty_next_link(concurrency: usize) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": 1}], "next": ""})),
        )
        .mount(&server)
        .await;
    let (records, error) =
        until_failure_with(json_link("items", "items"), &server, concurrency).await;
    assert_eq!(records, [json!({"id": 1})]);
    assert_eq!(
        received(&server).await.len(),
        1,
        "nothing is sent to the empty link"
    );
    assert!(
        matches!(
            error,
            Error::Pagination {
                source: PaginationError::BadLink { .. },
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_next_link_that_is_not_a_string_fails_the_page_itself() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": 1}], "next": 5})),
        )
        .mount(&server)
        .await;
    let (records, error) = until_failure(json_link("items", "items"), &server).await;
    assert!(records.is_empty(), "dlt fails before it yields this page");
    assert!(
        matches!(
            error,
            Error::Pagination {
                source: PaginationError::NotALink { .. },
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_empty_body_fails_unless_a_response_action_ignores_it() {
    use restgen_runtime::descriptor::ResponseAction;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/empty"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/none"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    for path in ["empty", "none"] {
        let error = records(request(&core, resource(path, path)))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::NotJson { message, .. } if message.contains("empty")),
            "{path}: {error:?}"
        );
    }
    let ignored = ResourceDescriptor {
        response_actions: vec![ResponseAction {
            status_code: Some(204),
            ..ResponseAction::DEFAULT
        }]
        .into(),
        ..resource("none", "none")
    };
    assert!(records(request(&core, ignored)).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_body_that_is_not_json_keeps_the_parser_error_as_source() {
    use std::error::Error as _;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/html"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>oops</html>"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/latin1"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'[', 0xff, b']']))
        .mount(&server)
        .await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    let error = records(request(&core, resource("html", "html")))
        .await
        .unwrap_err();
    let source = error.source().expect("the parser's error");
    assert!(
        source.downcast_ref::<serde_json::Error>().is_some(),
        "{source:?}"
    );
    let error = records(request(&core, resource("latin1", "latin1")))
        .await
        .unwrap_err();
    let source = error.source().expect("the UTF-8 error");
    assert!(
        source.downcast_ref::<std::str::Utf8Error>().is_some(),
        "{source:?}"
    );
    // an empty body has no underlying error
    let error = Error::NotJson {
        at: restgen_runtime::Location::new("r", 1, "u"),
        message: "the body is empty".into(),
        source: None,
    };
    assert!(error.source().is_none());
}
