//! Hostile JSON from a server, through the driver: pages nested far deeper than any API nests
//! (searched by a `..` selector, a paginator path or auto-detection) fail as a typed error
//! naming resource, page and URL, on a thread with an ordinary stack; and a key a page repeats
//! is read as Python reads it, the last value winning, for records and paging values alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::*;
use restgen_runtime::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PaginatorConfig, ResourceDescriptor, Target,
};
use restgen_runtime::paginate::PaginationError;
use restgen_runtime::selector::{MAX_DEPTH, Selector, Step};
use restgen_runtime::{Error, serde_json};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// How deep the hostile pages nest: far past any limit, and past what recursion survives.
const DEEP: usize = 100_000;

/// `{"a":{"a":...inner...}}`, `levels` objects deep around `inner`.
fn nested(levels: usize, inner: &str) -> String {
    let mut body = "{\"a\":".repeat(levels);
    body.push_str(inner);
    body.push_str(&"}".repeat(levels));
    body
}

/// Runs `test` on a fresh thread with a 2 MiB stack (Rust's default for spawned threads,
/// whatever `RUST_MIN_STACK` says), on a single-threaded runtime: a walk that recursed once
/// per level of the page would overflow it and abort the whole test binary.
fn on_ordinary_stack<F, Fut>(test: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(test());
        })
        .unwrap()
        .join()
        .unwrap();
}

/// A server answering `GET /deep` with `body`.
async fn serving(body: String) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/deep"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

fn descendant(name: &str) -> Selector {
    Selector {
        steps: Cow::Owned(vec![Step::Descendant(Cow::Owned(name.to_string()))]),
    }
}

async fn run(server: &MockServer, descriptor: ResourceDescriptor) -> Result<Vec<Value>, Error> {
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    records(request(&core, descriptor)).await
}

#[test]
fn a_descendant_data_selector_on_a_page_nested_100_000_deep_is_a_located_error() {
    on_ordinary_stack(|| async {
        let server = serving(nested(DEEP, r#"{"items":[{"id":1}]}"#)).await;
        let descriptor = ResourceDescriptor {
            data_selector: Some(descendant("items")),
            ..resource("deep_things", "deep")
        };
        let err = run(&server, descriptor).await.unwrap_err();
        let Error::TooDeep { at, source } = &err else {
            panic!("expected a depth error, got {err:?}");
        };
        assert_eq!(at.resource, "deep_things");
        assert_eq!(at.page, 1);
        assert!(at.url.ends_with("/deep"), "{}", at.url);
        assert_eq!(source.limit, MAX_DEPTH);
        assert!(err.to_string().contains("$..['items']"), "{err}");
    });
}

#[test]
fn a_descendant_cursor_path_on_a_page_nested_100_000_deep_is_a_located_error() {
    on_ordinary_stack(|| async {
        let body = format!(r#"{{"data":[{{"id":1}}],"meta":{}}}"#, nested(DEEP, "1"));
        let server = serving(body).await;
        let descriptor = ResourceDescriptor {
            data_selector: Some(Selector::fields(["data"])),
            paginator: PaginatorConfig::Cursor(CursorConfig {
                source: CursorSource::Path(descendant("next_cursor")),
                target: Target::Query("cursor".into()),
                stop_condition: None,
                stop_after_empty_page: false,
                has_more_path: None,
                page_size: None,
            }),
            ..resource("deep_cursor", "deep")
        };
        let err = run(&server, descriptor).await.unwrap_err();
        let Error::Pagination {
            at,
            source: PaginationError::TooDeep(too_deep),
        } = &err
        else {
            panic!("expected a depth error, got {err:?}");
        };
        assert_eq!((at.resource.as_str(), at.page), ("deep_cursor", 1));
        assert!(at.url.ends_with("/deep"), "{}", at.url);
        assert_eq!(too_deep.limit, MAX_DEPTH);
    });
}

#[test]
fn paginator_detection_on_a_page_nested_100_000_deep_is_a_located_error() {
    on_ordinary_stack(|| async {
        let body = format!(r#"{{"data":[{{"id":1}}],"meta":{}}}"#, nested(DEEP, "1"));
        let server = serving(body).await;
        let descriptor = ResourceDescriptor {
            data_selector: Some(Selector::fields(["data"])),
            paginator: PaginatorConfig::Auto,
            ..resource("detected", "deep")
        };
        let err = run(&server, descriptor).await.unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Pagination { at, source: PaginationError::TooDeep(_) }
                    if at.resource == "detected" && at.page == 1
            ),
            "{err:?}"
        );
    });
}

#[test]
fn a_deep_page_nobody_searches_is_read() {
    // the depth limit is on searching, not on pages: records beside a deep value still come
    on_ordinary_stack(|| async {
        let body = format!(r#"{{"data":[{{"id":1}}],"junk":{}}}"#, nested(DEEP, "1"));
        let server = serving(body).await;
        let descriptor = ResourceDescriptor {
            data_selector: Some(Selector::fields(["data"])),
            ..resource("beside", "deep")
        };
        assert_eq!(run(&server, descriptor).await.unwrap(), [json!({"id": 1})]);
    });
}

#[test]
fn a_descendant_selector_within_the_limit_still_finds_its_field() {
    on_ordinary_stack(|| async {
        let server = serving(nested(MAX_DEPTH - 3, r#"{"items":[{"id":1}]}"#)).await;
        let descriptor = ResourceDescriptor {
            data_selector: Some(descendant("items")),
            ..resource("deep_enough", "deep")
        };
        assert_eq!(run(&server, descriptor).await.unwrap(), [json!({"id": 1})]);
    });
}

// ---------------------------------------------------------------------------------------------
// Repeated keys: Python's `json.loads` keeps the last value of a key, so dlt pages by it

/// The data selector `data` as the driver's single-pass scan reads it, and `data[*]`, which
/// the scan declines, as the general path reads it: both must read a repeated key alike.
fn both_paths() -> [Selector; 2] {
    [
        Selector::fields(["data"]),
        Selector {
            steps: Cow::Owned(vec![Step::Field("data".into()), Step::Wildcard]),
        },
    ]
}

fn cursor_on(path: &str) -> PaginatorConfig {
    PaginatorConfig::Cursor(CursorConfig {
        source: CursorSource::Path(Selector::fields([path])),
        target: Target::Query("cursor".into()),
        stop_condition: None,
        stop_after_empty_page: false,
        has_more_path: None,
        page_size: None,
    })
}

fn offset_by(total: Option<&str>, has_more: Option<&str>) -> PaginatorConfig {
    PaginatorConfig::Offset(OffsetConfig {
        limit: 2,
        offset: 0,
        offset_target: Target::Query("offset".into()),
        limit_target: Target::Query("limit".into()),
        total_path: total.map(|t| Selector::fields([t])),
        maximum_offset: None,
        stop_after_empty_page: false,
        has_more_path: has_more.map(|h| Selector::fields([h])),
        stop_on_short_page: false,
    })
}

/// A server whose `/dup` answers `first` with `param` at `values.0` (or without it), `then`
/// with `param` at `values.1`.
async fn two_pages(
    param: &str,
    values: (Option<&str>, &str),
    first: &str,
    then: &str,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/dup"))
        .and(query_param(param, values.1))
        .respond_with(ResponseTemplate::new(200).set_body_raw(then, "application/json"))
        .mount(&server)
        .await;
    let first_page = Mock::given(method("GET")).and(path("/dup"));
    let first_page = match values.0 {
        Some(value) => first_page.and(query_param(param, value)),
        None => first_page.and(query_param_is_missing(param)),
    };
    first_page
        .respond_with(ResponseTemplate::new(200).set_body_raw(first, "application/json"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_repeated_data_key_gives_the_records_of_its_last_value() {
    let server = two_pages(
        "unused",
        (None, ""),
        r#"{"data":[{"id":"stale"}],"next":null,"data":[{"id":1},{"id":2}]}"#,
        "{}",
    )
    .await;
    for selector in both_paths() {
        let descriptor = ResourceDescriptor {
            data_selector: Some(selector.clone()),
            ..resource("dup", "dup")
        };
        let got = run(&server, descriptor).await.unwrap();
        assert_eq!(got, [json!({"id": 1}), json!({"id": 2})], "{selector}");
    }
}

#[tokio::test]
async fn a_repeated_cursor_key_pages_by_its_last_value() {
    let server = two_pages(
        "cursor",
        (None, "c2"),
        r#"{"next_cursor":"stale","data":[{"id":1}],"next_cursor":"c2"}"#,
        r#"{"data":[{"id":2}],"next_cursor":null}"#,
    )
    .await;
    for selector in both_paths() {
        let descriptor = ResourceDescriptor {
            data_selector: Some(selector.clone()),
            paginator: cursor_on("next_cursor"),
            ..resource("dup", "dup")
        };
        let got = run(&server, descriptor).await.unwrap();
        assert_eq!(got, [json!({"id": 1}), json!({"id": 2})], "{selector}");
    }
}

#[tokio::test]
async fn a_repeated_has_more_key_stops_on_its_last_value() {
    let server = two_pages(
        "offset",
        (Some("0"), "2"),
        r#"{"has_more":true,"data":[{"id":1},{"id":2}],"has_more":false}"#,
        r#"{"data":[{"id":"must not be fetched"}],"has_more":false}"#,
    )
    .await;
    for selector in both_paths() {
        let descriptor = ResourceDescriptor {
            data_selector: Some(selector.clone()),
            paginator: offset_by(None, Some("has_more")),
            ..resource("dup", "dup")
        };
        let got = run(&server, descriptor).await.unwrap();
        assert_eq!(got, [json!({"id": 1}), json!({"id": 2})], "{selector}");
    }
    assert_eq!(received(&server).await.len(), 2, "one request per selector");
}

#[tokio::test]
async fn a_repeated_total_key_counts_by_its_last_value() {
    let server = two_pages(
        "offset",
        (Some("0"), "2"),
        r#"{"total":2,"data":[{"id":1},{"id":2}],"total":4}"#,
        r#"{"data":[{"id":3},{"id":4}],"total":4}"#,
    )
    .await;
    for selector in both_paths() {
        let descriptor = ResourceDescriptor {
            data_selector: Some(selector.clone()),
            paginator: offset_by(Some("total"), None),
            ..resource("dup", "dup")
        };
        let got = run(&server, descriptor).await.unwrap();
        let ids: Vec<_> = got.iter().map(|r| r["id"].clone()).collect();
        assert_eq!(ids, [json!(1), json!(2), json!(3), json!(4)], "{selector}");
    }
}

// ---------------------------------------------------------------------------------------------
// Path arguments from a parent record: a value fills one segment, or nothing is sent

/// A fan-out `tickets` -> `tickets/{ticket_id}/comments` with a bearer token, where the
/// server lists `parents` as tickets and answers every other path with one comment.
async fn fan_out_over(parents: Value) -> (MockServer, Vec<Value>, Option<Error>) {
    use futures::StreamExt;
    use restgen_runtime::{ClientBuilder, FanOut, ParentBinding, ResourceRequest};

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/tickets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(parents))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"comment": 1}])))
        .mount(&server)
        .await;
    let auth = restgen_runtime::descriptor::AuthConfig::Bearer {
        token: secret("token"),
    };
    let spec = spec(&server.uri(), Some(auth), vec![secret_value("token", true)]);
    let core = ClientBuilder::default()
        .value("token", "t0ken")
        .build(&spec)
        .unwrap();
    let root = |d: ResourceDescriptor| ResourceDescriptor {
        data_selector: Some(Selector::ROOT),
        ..d
    };
    let fan_out = FanOut::new(
        ResourceRequest::new(
            core.clone(),
            Cow::Owned(root(resource("tickets", "tickets"))),
        ),
        ResourceRequest::<Value>::new(
            core,
            Cow::Owned(root(resource("comments", "tickets/{ticket_id}/comments"))),
        ),
        Cow::Borrowed("tickets"),
        vec![ParentBinding {
            arg: Cow::Borrowed("ticket_id"),
            field: Selector::fields(["id"]),
            field_name: Cow::Borrowed("id"),
        }],
        vec![],
    );
    let mut stream = fan_out.stream();
    let mut got = Vec::new();
    let mut failure = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(child) => got.push(child.record),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    (server, got, failure)
}

#[tokio::test]
async fn a_parent_id_that_is_a_dot_segment_sends_no_request() {
    for hostile in [
        json!(".."),
        json!("."),
        json!(""),
        json!("%2e%2e"),
        json!("%2E."),
        json!("%252e%252e"),
        json!("../../admin"),
        json!("x/../.."),
        json!("..\\..\\admin"),
    ] {
        let (server, got, failure) =
            fan_out_over(json!([{"id": 1}, {"id": hostile}, {"id": 3}])).await;
        assert_eq!(got, [json!({"comment": 1})], "{hostile}");
        let Some(Error::PathArgument {
            resource,
            argument,
            reason,
        }) = &failure
        else {
            panic!("{hostile}: expected a path argument error, got {failure:?}");
        };
        assert_eq!(
            (resource.as_str(), argument.as_str()),
            ("comments", "ticket_id")
        );
        assert!(!reason.is_empty());
        assert_eq!(
            paths(&received(&server).await),
            ["/tickets", "/tickets/1/comments"],
            "{hostile}: no request leaves for the altered path"
        );
    }
}

#[tokio::test]
async fn slashes_queries_and_fragments_in_a_parent_id_stay_inside_its_segment() {
    let (server, got, failure) =
        fan_out_over(json!([{"id": "a/b?c=1#d"}, {"id": "..x"}, {"id": "x.."}])).await;
    assert!(failure.is_none(), "{failure:?}");
    assert_eq!(got.len(), 3);
    let requests = received(&server).await;
    let sent: Vec<_> = requests
        .iter()
        .map(|r| (r.url.path().to_string(), r.url.query().map(str::to_string)))
        .collect();
    assert_eq!(
        sent,
        [
            ("/tickets".to_string(), None),
            ("/tickets/a%2Fb%3Fc%3D1%23d/comments".to_string(), None),
            ("/tickets/..x/comments".to_string(), None),
            ("/tickets/x../comments".to_string(), None),
        ]
    );
}
