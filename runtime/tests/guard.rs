//! Every paginator against a server that always says "more" with a fresh next page (a new
//! link, cursor, page number or offset each time, a huge total, `has_more: true`): nothing
//! in the responses ends the run, so the bound is the caller's `max_pages`, and the driver
//! stops at exactly that page. (A server that repeats itself is stopped by the loop guard,
//! and a range paginator by its maximum or total: see `properties.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use restgen_runtime::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PaginatorConfig, Target,
};
use restgen_runtime::selector::Selector;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::{client, pages, received, request, resource, spec};

/// A page numbered after the request (`page`, `offset` or `cursor` query, else 0) that
/// points at the next one (on server `base`) every way a paginator can read.
fn always_more(base: &str, req: &Request) -> ResponseTemplate {
    let n: u64 = req
        .url
        .query_pairs()
        .find(|(k, _)| k == "page" || k == "offset" || k == "cursor")
        .and_then(|(_, v)| v.trim_start_matches('c').parse().ok())
        .unwrap_or(0);
    let next = format!("{base}/items?page={}", n + 1);
    ResponseTemplate::new(200)
        .insert_header("link", format!("<{next}>; rel=\"next\"").as_str())
        .insert_header("x-cursor", format!("c{}", n + 1).as_str())
        .set_body_json(serde_json::json!({
            "items": [{"id": n}, {"id": n + 1}],
            "next": next,
            "cursor": format!("c{}", n + 1),
            "total": 1_000_000_000u64,
            "has_more": true,
        }))
}

fn query(name: &str) -> Target {
    Target::Query(Cow::Owned(name.to_string()))
}

fn paginators() -> Vec<(&'static str, PaginatorConfig)> {
    let cursor = |source| {
        PaginatorConfig::Cursor(CursorConfig {
            source,
            target: query("cursor"),
            stop_condition: None,
            stop_after_empty_page: true,
            has_more_path: Some(Selector::fields(["has_more"])),
            page_size: None,
        })
    };
    vec![
        ("auto", PaginatorConfig::Auto),
        (
            "json_link",
            PaginatorConfig::JsonLink {
                next_url_path: Selector::fields(["next"]),
            },
        ),
        (
            "header_link",
            PaginatorConfig::HeaderLink {
                links_next_key: Cow::Borrowed("next"),
            },
        ),
        (
            "header_cursor",
            PaginatorConfig::HeaderCursor {
                cursor_key: Cow::Borrowed("x-cursor"),
                cursor_param: Cow::Borrowed("cursor"),
            },
        ),
        (
            "cursor",
            cursor(CursorSource::Path(Selector::fields(["cursor"]))),
        ),
        (
            "offset",
            PaginatorConfig::Offset(OffsetConfig {
                limit: 2,
                offset: 0,
                offset_target: query("offset"),
                limit_target: query("limit"),
                total_path: Some(Selector::fields(["total"])),
                maximum_offset: None,
                stop_after_empty_page: true,
                has_more_path: Some(Selector::fields(["has_more"])),
                stop_on_short_page: false,
            }),
        ),
        (
            "page_number",
            PaginatorConfig::PageNumber(PageNumberConfig {
                base_page: 0,
                page: 0,
                page_target: query("page"),
                total_path: Some(Selector::fields(["total"])),
                maximum_page: None,
                stop_after_empty_page: true,
                has_more_path: Some(Selector::fields(["has_more"])),
                page_size: None,
                stop_on_short_page: false,
            }),
        ),
    ]
}

#[tokio::test]
async fn every_paginator_stops_at_max_pages_when_the_server_always_says_more() {
    for max_pages in [1, 2, 7] {
        for (kind, paginator) in paginators() {
            let server = MockServer::start().await;
            let base = server.uri();
            Mock::given(wiremock::matchers::path("/items"))
                .respond_with(move |req: &Request| always_more(&base, req))
                .mount(&server)
                .await;
            let core = client(&spec(&format!("{}/", server.uri()), None, vec![]), &[]);
            let descriptor = restgen_runtime::descriptor::ResourceDescriptor {
                paginator,
                data_selector: Some(Selector::fields(["items"])),
                ..resource("items", "items")
            };
            let got = pages(request(&core, descriptor).max_pages(max_pages))
                .await
                .unwrap_or_else(|e| panic!("{kind}: {e}"));
            let sent = received(&server).await.len();
            assert_eq!(got.len(), max_pages, "{kind}: pages");
            assert_eq!(sent, got.len(), "{kind}: no request after the last page");
        }
    }
}
