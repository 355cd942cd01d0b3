//! Resume after a failure: a run that fails after its retries says where it stopped, and a
//! new request continues from there without fetching the earlier pages again. Each test
//! fails page 3 of 4 with a persistent 500, resumes from the error's point on a healed
//! server, and checks that the union of the two runs is every record exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use restgen_runtime::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PaginatorConfig,
    ResourceDescriptor, Target,
};
use restgen_runtime::selector::Selector;
use restgen_runtime::{ClientCore, Error, ResourceRequest, ResumePoint};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PAGES: usize = 4;
const PER_PAGE: usize = 3;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Cursor,
    Link,
    Offset,
    PageNumber,
}

/// An API of `PAGES` pages that answers `fail` with a 500 while `failing` is set.
#[derive(Clone)]
struct Api {
    kind: Kind,
    fail: usize,
    failing: Arc<AtomicUsize>,
    base: String,
}

fn query(request: &Request, key: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let number = |key: &str| query(request, key).and_then(|v| v.parse::<usize>().ok());
        let page = match self.kind {
            Kind::Cursor => query(request, "cursor")
                .and_then(|c| c.strip_prefix('c')?.parse().ok())
                .unwrap_or(1),
            Kind::Link => number("p").unwrap_or(1),
            Kind::Offset => number("offset").unwrap_or(0) / PER_PAGE + 1,
            Kind::PageNumber => number("page").unwrap_or(1),
        };
        if query(request, "api_key").as_deref() != Some("k-secret-1") {
            return ResponseTemplate::new(401);
        }
        if page == self.fail && self.failing.load(Ordering::SeqCst) == 1 {
            return ResponseTemplate::new(500).set_body_string("down");
        }
        let items: Vec<Value> = (1..=PER_PAGE)
            .map(|i| json!({"id": (page - 1) * PER_PAGE + i, "ts": (page - 1) * PER_PAGE + i}))
            .collect();
        let more = page < PAGES;
        // the link echoes the key, as some APIs do
        let next = more.then(|| format!("{}/items?p={}&api_key=k-secret-1", self.base, page + 1));
        let cursor = more.then(|| format!("c{}", page + 1));
        ResponseTemplate::new(200).set_body_json(json!({
            "items": items, "next": next, "next_cursor": cursor, "total": PAGES * PER_PAGE,
            "pages": PAGES,
        }))
    }
}

fn descriptor(kind: Kind) -> ResourceDescriptor {
    let paginator = match kind {
        Kind::Cursor => PaginatorConfig::Cursor(CursorConfig {
            source: CursorSource::Path(Selector::fields(["next_cursor"])),
            target: Target::Query(Cow::Borrowed("cursor")),
            stop_condition: None,
            stop_after_empty_page: false,
            has_more_path: None,
            page_size: None,
        }),
        Kind::Link => PaginatorConfig::JsonLink {
            next_url_path: Selector::fields(["next"]),
        },
        Kind::Offset => PaginatorConfig::Offset(OffsetConfig {
            limit: PER_PAGE as u64,
            offset: 0,
            offset_target: Target::Query(Cow::Borrowed("offset")),
            limit_target: Target::Query(Cow::Borrowed("limit")),
            total_path: Some(Selector::fields(["total"])),
            maximum_offset: None,
            stop_after_empty_page: false,
            has_more_path: None,
            stop_on_short_page: false,
        }),
        Kind::PageNumber => PaginatorConfig::PageNumber(PageNumberConfig {
            base_page: 1,
            page: 1,
            page_target: Target::Query(Cow::Borrowed("page")),
            total_path: Some(Selector::fields(["pages"])),
            maximum_page: None,
            stop_after_empty_page: false,
            has_more_path: None,
            page_size: None,
            stop_on_short_page: false,
        }),
    };
    ResourceDescriptor {
        paginator,
        data_selector: Some(Selector::fields(["items"])),
        // the key travels as a parameter the spec fills from a secret
        params: Cow::Owned(vec![common::param("api_key", "{secrets.api_key}")]),
        ..common::resource("items", "/items")
    }
}

struct Setup {
    /// Kept alive for the test: a dropped server goes back to wiremock's pool, to another test.
    server: MockServer,
    failing: Arc<AtomicUsize>,
    core: ClientCore,
}

async fn setup(kind: Kind) -> Setup {
    let server = MockServer::start().await;
    let failing = Arc::new(AtomicUsize::new(1));
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(Api {
            kind,
            fail: 3,
            failing: failing.clone(),
            base: server.uri(),
        })
        .mount(&server)
        .await;
    let spec = common::spec(
        &server.uri(),
        None,
        vec![common::secret_value("api_key", true)],
    );
    let core = common::builder(&[("api_key", "k-secret-1")])
        .retry_policy(common::no_wait(2))
        .max_retry_delay(Duration::from_millis(10))
        .build(&spec)
        .unwrap();
    Setup {
        server,
        failing,
        core,
    }
}

fn ids(records: &[Value]) -> Vec<u64> {
    records.iter().map(|r| r["id"].as_u64().unwrap()).collect()
}

/// Runs `stream` to its end or first error: the records it gave and the error.
async fn run(
    mut stream: impl futures::Stream<Item = Result<Value, Error>> + Unpin,
) -> (Vec<Value>, Option<Error>) {
    let mut records = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(record) => records.push(record),
            Err(e) => return (records, Some(e)),
        }
    }
    (records, None)
}

/// The resume point of a failed run, through its JSON form, checked for the secret.
fn persisted(error: &Error) -> ResumePoint {
    let point = error.resume_point().expect("a resume point");
    let json = serde_json::to_string(point).unwrap();
    assert!(
        !json.contains("k-secret-1"),
        "the key is not stored: {json}"
    );
    serde_json::from_str(&json).unwrap()
}

async fn fail_then_resume(kind: Kind) {
    let Setup {
        server,
        failing,
        core,
    } = setup(kind).await;
    let request = || ResourceRequest::<Value>::new(core.clone(), Cow::Owned(descriptor(kind)));
    let (first, error) = run(request().stream()).await;
    let error = error.expect("page 3 fails");
    assert!(
        matches!(error, Error::RetriesExhausted { .. }),
        "{kind:?}: {error}"
    );
    assert_eq!(ids(&first), [1, 2, 3, 4, 5, 6], "{kind:?}");
    let point = persisted(&error);
    assert_eq!(point.page, 3, "{kind:?}");
    assert!(!point.url.contains("k-secret-1"), "{}", point.url);
    let before = common::received(&server).await.len();

    failing.store(0, Ordering::SeqCst);
    let (second, error) = run(request().resume(point).stream()).await;
    assert!(error.is_none(), "{kind:?}: {error:?}");
    let mut all = ids(&first);
    all.extend(ids(&second));
    assert_eq!(
        all,
        (1..=12).collect::<Vec<u64>>(),
        "{kind:?}: exactly once"
    );
    let resumed = &common::received(&server).await[before..];
    assert_eq!(resumed.len(), 2, "{kind:?}: pages 3 and 4 only");
    for request in resumed {
        assert_eq!(
            query(request, "api_key").as_deref(),
            Some("k-secret-1"),
            "{kind:?}: the key is sent again, once: {}",
            request.url
        );
        assert_eq!(
            request
                .url
                .query_pairs()
                .filter(|(k, _)| k == "api_key")
                .count(),
            1,
            "{}",
            request.url
        );
    }
}

#[tokio::test]
async fn a_cursor_run_resumes_at_the_failed_page() {
    fail_then_resume(Kind::Cursor).await;
}

#[tokio::test]
async fn a_link_run_resumes_at_the_failed_page() {
    fail_then_resume(Kind::Link).await;
}

#[tokio::test]
async fn an_offset_run_resumes_at_the_failed_page() {
    fail_then_resume(Kind::Offset).await;
}

#[tokio::test]
async fn a_page_number_run_resumes_at_the_failed_page() {
    fail_then_resume(Kind::PageNumber).await;
}

#[test]
fn a_blocking_run_resumes_at_the_failed_page() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Setup {
        server,
        failing,
        core,
    } = rt.block_on(setup(Kind::Link));
    let blocking = restgen_runtime::blocking::BlockingRuntime::new().unwrap();
    let request = || {
        blocking.request(ResourceRequest::<Value>::new(
            core.clone(),
            Cow::Owned(descriptor(Kind::Link)),
        ))
    };
    let mut first = Vec::new();
    let mut error = None;
    for item in request().iter() {
        match item {
            Ok(record) => first.push(record),
            Err(e) => error = Some(e),
        }
    }
    let point = persisted(&error.expect("page 3 fails"));
    failing.store(0, Ordering::SeqCst);
    let second: Vec<Value> = request()
        .resume(point)
        .iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut all = ids(&first);
    all.extend(ids(&second));
    assert_eq!(all, (1..=12).collect::<Vec<u64>>());
    assert_eq!(rt.block_on(common::received(&server)).len(), 2 + 2 + 2);
}

#[tokio::test]
async fn an_incremental_run_resumes_with_the_checkpoint_it_reached() {
    use restgen_runtime::Incremental;
    use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing};
    let Setup {
        server: _server,
        failing,
        core,
    } = setup(Kind::Offset).await;
    let descriptor = ResourceDescriptor {
        incremental: Some(IncrementalConfig {
            cursor_path: Selector::fields(["ts"]),
            cursor_field: Cow::Borrowed("ts"),
            initial_value: Some(Cow::Borrowed("2")),
            end_value: None,
            start_param: Some(Cow::Borrowed("since")),
            end_param: None,
            last_value_func: LastValueFunc::Max,
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
        }),
        ..descriptor(Kind::Offset)
    };
    let request = || ResourceRequest::<Value>::new(core.clone(), Cow::Owned(descriptor.clone()));
    let (first, error) = run(request().stream()).await;
    assert_eq!(ids(&first), [2, 3, 4, 5, 6]);
    let point = persisted(&error.unwrap());
    assert_eq!(point.checkpoint().unwrap().last_value, json!(6));
    failing.store(0, Ordering::SeqCst);
    let handle = Incremental::new();
    let (second, error) = run(request().incremental(&handle).resume(point).stream()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids(&second), [7, 8, 9, 10, 11, 12]);
    assert_eq!(handle.checkpoint().unwrap().last_value, json!(12));
}

#[tokio::test]
async fn a_point_of_another_resource_is_refused() {
    let Setup {
        server: _server,
        core,
        ..
    } = setup(Kind::Offset).await;
    let point = ResumePoint {
        resource: "other".into(),
        page: 2,
        url: String::new(),
        position: restgen_runtime::resume::Position::Start,
        incremental: None,
        parent: None,
    };
    let (records, error) = run(ResourceRequest::<Value>::new(
        core,
        Cow::Owned(descriptor(Kind::Offset)),
    )
    .resume(point)
    .stream())
    .await;
    assert!(records.is_empty());
    assert!(error.unwrap().to_string().contains("resource `other`"));
}

#[tokio::test]
async fn max_pages_counts_the_resumed_runs_own_pages() {
    let Setup {
        server: _server,
        failing,
        core,
    } = setup(Kind::PageNumber).await;
    let request =
        || ResourceRequest::<Value>::new(core.clone(), Cow::Owned(descriptor(Kind::PageNumber)));
    let (_, error) = run(request().stream()).await;
    let point = persisted(&error.unwrap());
    failing.store(0, Ordering::SeqCst);
    let pages = common::pages(request().resume(point).max_pages(1))
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(
        pages[0].number, 3,
        "pages are numbered on from the failed one"
    );
    assert_eq!(ids(&pages[0].records), [7, 8, 9]);
}
