//! Unit tests of the paginator core, named after the conformance cases of
//! `dlt-rest-api.md` §8.2 (`case_NN_...`) and the seed dialect's extensions (`dialect_...`).
//!
//! Each test drives the core the way a driver does: a [`RequestState`] from a base URL and
//! params, `init_request`, then per scripted response the records are selected with
//! [`select_records`], a [`PageView`] is built and `on_page` called. The URL (and JSON body) of
//! every request that would be sent is recorded, so tests assert the exact wire sequence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cursor;
mod detection;
mod dialect;
mod links;
mod predict;
mod range;

use std::borrow::Cow;

use serde_json::Value;
use serde_json::value::RawValue;

use super::{PageView, PaginationError, Paginator, RequestState};
use crate::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PaginatorConfig, Target,
};
use crate::selector::{Selector, select_records};

/// The base URL most tests page through.
const POSTS: &str = "https://api.example.com/v1/posts";

/// One scripted response: headers and an optional JSON body.
struct Reply {
    headers: Vec<(&'static str, String)>,
    body: Option<String>,
}

/// A response with a JSON body and no headers.
fn reply(body: Value) -> Reply {
    Reply {
        headers: Vec::new(),
        body: Some(body.to_string()),
    }
}

/// A response with headers and a JSON body.
fn reply_with(headers: &[(&'static str, &str)], body: Value) -> Reply {
    Reply {
        headers: headers.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        body: Some(body.to_string()),
    }
}

/// `n` records `{"id": 1} .. {"id": n}`.
fn items(n: usize) -> Value {
    Value::Array((1..=n).map(|i| serde_json::json!({ "id": i })).collect())
}

/// What a scripted run produced.
#[derive(Debug)]
struct Run {
    /// The full URL of every request sent, in order.
    urls: Vec<String>,
    /// The JSON body of every request sent.
    bodies: Vec<Option<Value>>,
    /// Records yielded, per page (a page whose `on_page` failed yields nothing, as in dlt,
    /// where `update_state` raises before the page is yielded).
    pages: Vec<usize>,
    /// The error that ended the run, if any.
    error: Option<PaginationError>,
    /// The paginator after the run, for state assertions.
    paginator: Paginator,
    /// The request state after the run.
    state: RequestState,
}

impl Run {
    fn records(&self) -> usize {
        self.pages.iter().sum()
    }

    fn urls(&self) -> Vec<&str> {
        self.urls.iter().map(String::as_str).collect()
    }

    /// The run's error; fails the test when it ended cleanly.
    fn err(&self) -> &PaginationError {
        self.error
            .as_ref()
            .unwrap_or_else(|| panic!("expected an error, run ended cleanly: {self:?}"))
    }

    /// Fails the test when the run ended with an error.
    fn ok(&self) -> &Self {
        assert!(self.error.is_none(), "unexpected error: {:?}", self.error);
        self
    }
}

/// A request for `url` with query `params`.
fn request(url: &str, params: &[(&str, &str)]) -> RequestState {
    RequestState::new(
        url::Url::parse(url).unwrap(),
        params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        None,
    )
}

/// Drives `config` over `replies`, selecting records with `selector`. Fails the test if the
/// paginator asks for more requests than are scripted.
fn drive(
    config: &PaginatorConfig,
    selector: &Selector,
    mut state: RequestState,
    replies: &[Reply],
) -> Run {
    let mut paginator = Paginator::new(config).expect("valid paginator");
    paginator.init_request(&mut state);
    let (mut urls, mut bodies, mut pages) = (Vec::new(), Vec::new(), Vec::new());
    let mut error = None;
    let mut replies = replies.iter();
    loop {
        urls.push(state.full_url().to_string());
        bodies.push(state.json.clone());
        let Some(reply) = replies.next() else {
            panic!("the paginator asked for an unscripted request: {urls:?}");
        };
        let mut headers = http::HeaderMap::new();
        for (name, value) in &reply.headers {
            headers.append(*name, http::HeaderValue::from_str(value).unwrap());
        }
        let body: Option<&RawValue> = reply
            .body
            .as_deref()
            .map(|text| serde_json::from_str(text).unwrap());
        let records = body
            .map(|root| select_records(selector, root).unwrap().items)
            .unwrap_or_default();
        let view = PageView {
            headers: &headers,
            body,
            records: &records,
        };
        match paginator.on_page(&view, &mut state) {
            Ok(has_next) => {
                assert_eq!(has_next, paginator.has_next());
                pages.push(records.len());
                if !has_next {
                    break;
                }
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    Run {
        urls,
        bodies,
        pages,
        error,
        paginator,
        state,
    }
}

/// Reads one page (records at `data`) into `paginator`, as a driver does.
fn read_page(
    paginator: &mut Paginator,
    state: &mut RequestState,
    body: &Value,
) -> Result<bool, PaginationError> {
    let text = body.to_string();
    let root: &RawValue = serde_json::from_str(&text).unwrap();
    let records = select_records(&sel("data"), root).unwrap().items;
    let headers = http::HeaderMap::new();
    let view = PageView {
        headers: &headers,
        body: Some(root),
        records: &records,
    };
    paginator.on_page(&view, state)
}

/// [`drive`] from [`POSTS`] with the given params, records at `data`.
fn drive_posts(config: &PaginatorConfig, params: &[(&str, &str)], replies: &[Reply]) -> Run {
    drive(config, &sel("data"), request(POSTS, params), replies)
}

/// A selector of dot-separated plain field names; `""` is the root.
fn sel(path: &str) -> Selector {
    if path.is_empty() {
        return Selector::ROOT;
    }
    Selector::fields(path.split('.'))
}

/// A query parameter target.
fn query(name: &str) -> Target {
    Target::Query(Cow::Owned(name.to_string()))
}

/// A JSON body target at a dot path.
fn body_path(path: &str) -> Target {
    Target::Body(Cow::Owned(
        path.split('.').map(|s| Cow::Owned(s.to_string())).collect(),
    ))
}

/// dlt's `OffsetPaginator(limit)` defaults: offset 0, `offset`/`limit` params, total at `total`,
/// stop after an empty page.
fn offset(limit: u64) -> OffsetConfig {
    OffsetConfig {
        limit,
        offset: 0,
        offset_target: query("offset"),
        limit_target: query("limit"),
        total_path: Some(sel("total")),
        maximum_offset: None,
        stop_after_empty_page: true,
        has_more_path: None,
        stop_on_short_page: false,
    }
}

/// dlt's `PageNumberPaginator()` defaults: base page 0, `page` param, total pages at `total`,
/// stop after an empty page.
fn page_number() -> PageNumberConfig {
    PageNumberConfig {
        base_page: 0,
        page: 0,
        page_target: query("page"),
        total_path: Some(sel("total")),
        maximum_page: None,
        stop_after_empty_page: true,
        has_more_path: None,
        page_size: None,
        stop_on_short_page: false,
    }
}

/// dlt's `JSONResponseCursorPaginator(cursor_path, cursor_param)`: no empty-page stop.
fn cursor(path: &str, param: &str) -> CursorConfig {
    CursorConfig {
        source: CursorSource::Path(sel(path)),
        target: query(param),
        stop_condition: None,
        stop_after_empty_page: false,
        has_more_path: None,
        page_size: None,
    }
}

/// `POSTS` with a query string.
fn posts(query: &str) -> String {
    if query.is_empty() {
        POSTS.to_string()
    } else {
        format!("{POSTS}?{query}")
    }
}

#[test]
fn harness_counts_records_and_stops_on_single_page() {
    let run = drive_posts(
        &PaginatorConfig::SinglePage,
        &[("a", "1")],
        &[reply(serde_json::json!({ "data": items(3) }))],
    );
    run.ok();
    assert_eq!(run.urls(), [posts("a=1")]);
    assert_eq!(run.records(), 3);
}
