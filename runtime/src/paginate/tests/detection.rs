//! Cases 17 and 18: auto-detection of the paginator and the records, and single-entity paths.

use serde_json::json;

use super::super::{detect_paginator, single_entity_path};
use super::*;
use crate::selector::detect_data_selector;

fn json_link(path: &str) -> PaginatorConfig {
    PaginatorConfig::JsonLink {
        next_url_path: sel(path),
    }
}

/// What dlt's detector builds for `PageNumberPaginator(total_path=path)`.
fn pages(path: &str) -> PaginatorConfig {
    let mut c = page_number();
    c.total_path = Some(sel(path));
    PaginatorConfig::PageNumber(c)
}

/// What dlt's detector builds for `JSONResponseCursorPaginator(cursor_path=path)`.
fn cursor_at(path: &str) -> PaginatorConfig {
    PaginatorConfig::Cursor(cursor(path, "cursor"))
}

fn detect(link: Option<&str>, body: &Value) -> (PaginatorConfig, Selector) {
    let mut headers = http::HeaderMap::new();
    if let Some(link) = link {
        headers.insert(http::header::LINK, link.parse().unwrap());
    }
    let text = body.to_string();
    let root: &RawValue = serde_json::from_str(&text).unwrap();
    let records = select_records(&Selector::ROOT, root).unwrap().items;
    let view = PageView {
        headers: &headers,
        body: Some(root),
        records: &records,
    };
    (detect_paginator(&view).unwrap(), detect_data_selector(root))
}

// ---- case 17 -----------------------------------------------------------------------------

#[test]
fn case_17_detection_table() {
    // T:test_detector.TEST_RESPONSES, in order; dlt expects SinglePage for offset payloads
    let two = || json!([{ "id": 1 }, { "id": 2 }]);
    let table: Vec<(Value, Option<&str>, PaginatorConfig, &str)> = vec![
        (
            json!({ "data": two(), "pagination": { "offset": 0, "limit": 2, "total": 100 } }),
            None,
            PaginatorConfig::SinglePage,
            "data",
        ),
        (
            json!({ "items": two(), "page_info": { "current_page": 1, "items_per_page": 2, "total_pages": 50 } }),
            None,
            pages("page_info.total_pages"),
            "items",
        ),
        (
            json!({ "products": two(), "next_cursor": "eyJpZCI6MTAyfQ==" }),
            None,
            cursor_at("next_cursor"),
            "products",
        ),
        (
            json!({ "results": two(), "cursors": { "next": "NjM=", "previous": "MTk=" } }),
            None,
            cursor_at("cursors.next"),
            "results",
        ),
        (
            json!({ "entries": two(), "next_id": 33, "limit": 2 }),
            None,
            cursor_at("next_id"),
            "entries",
        ),
        (
            json!({ "comments": two(), "page_number": 3, "total_pages": 15 }),
            None,
            pages("total_pages"),
            "comments",
        ),
        (
            json!({
                "count": 1023,
                "next": "https://api.example.org/accounts/?page=5",
                "previous": "https://api.example.org/accounts/?page=3",
                "results": two(),
            }),
            None,
            json_link("next"),
            "results",
        ),
        (
            json!({
                "_embedded": { "items": two() },
                "_links": {
                    "first": { "href": "http://api.example.com/items?page=0&size=2" },
                    "self": { "href": "http://api.example.com/items?page=1&size=2" },
                    "next": { "href": "http://api.example.com/items?page=2&size=2" },
                    "last": { "href": "http://api.example.com/items?page=50&size=2" },
                },
                "page": { "size": 2, "totalElements": 100, "totalPages": 50, "number": 1 },
            }),
            None,
            json_link("_links.next.href"),
            "_embedded.items",
        ),
        (
            json!({
                "items": two(),
                "meta": { "currentPage": 1, "pageSize": 2, "totalPages": 50, "totalItems": 100 },
                "links": {
                    "firstPage": "/items?page=1&limit=2",
                    "previousPage": "/items?page=0&limit=2",
                    "nextPage": "/items?page=2&limit=2",
                    "lastPage": "/items?page=50&limit=2",
                },
            }),
            None,
            json_link("links.nextPage"),
            "items",
        ),
        (
            json!({ "data": two(), "pagination": { "currentPage": 1, "pageSize": 2, "totalPages": 5, "totalItems": 10 } }),
            None,
            pages("pagination.totalPages"),
            "data",
        ),
        (
            json!({ "items": two(), "pagination": { "page": 1, "perPage": 2, "total": 10, "totalPages": 5 } }),
            None,
            pages("pagination.totalPages"),
            "items",
        ),
        (
            json!({
                "data": two(),
                "meta": { "currentPage": 1, "itemsPerPage": 2, "totalItems": 10, "totalPages": 5 },
                "links": {
                    "first": "/api/items?page=1",
                    "previous": null,
                    "next": "/api/items?page=2",
                    "last": "/api/items?page=5",
                },
            }),
            None,
            json_link("links.next"),
            "data",
        ),
        (
            json!({ "page": 2, "per_page": 10, "total": 100, "pages": 10, "data": two() }),
            None,
            pages("pages"),
            "data",
        ),
        (
            json!({ "currentPage": 1, "pageSize": 10, "totalPages": 5, "totalRecords": 50, "items": two() }),
            None,
            pages("totalPages"),
            "items",
        ),
        (
            json!({ "articles": two(), "paging": { "current": 3, "size": 2, "total": 60 } }),
            None,
            PaginatorConfig::SinglePage,
            "articles",
        ),
        (
            json!({ "feed": two(), "offset": 40, "limit": 2, "total_count": 200 }),
            None,
            PaginatorConfig::SinglePage,
            "feed",
        ),
        (
            json!({ "query_results": two(), "page_details": { "number": 1, "size": 2, "total_elements": 50, "total_pages": 25 } }),
            None,
            pages("page_details.total_pages"),
            "query_results",
        ),
        (
            json!({ "posts": two(), "pagination_details": { "current_page": 4, "posts_per_page": 2, "total_posts": 100, "total_pages": 50 } }),
            None,
            pages("pagination_details.total_pages"),
            "posts",
        ),
        (
            json!({ "catalog": two(), "page_metadata": { "index": 1, "size": 2, "total_items": 20, "total_pages": 10 } }),
            None,
            pages("page_metadata.total_pages"),
            "catalog",
        ),
        (two(), None, PaginatorConfig::SinglePage, ""),
        (
            two(),
            Some("<https://api.example.com/items?page=2>; rel=\"next\""),
            PaginatorConfig::HeaderLink {
                links_next_key: "next".into(),
            },
            "",
        ),
        (
            json!({ "id": 101, "product_name": "Product A" }),
            None,
            PaginatorConfig::SinglePage,
            "",
        ),
    ];
    for (i, (body, link, paginator, records)) in table.into_iter().enumerate() {
        let (found, selector) = detect(link, &body);
        assert_eq!(found, paginator, "row {i}: {body}");
        assert_eq!(selector, sel(records), "row {i}: {body}");
    }
}

#[test]
fn case_17_detection_edge_cases() {
    // a `next*` object without an href/url scalar is searched like any object, then the
    // search goes on
    let (p, _) = detect(None, &json!({ "next": { "page": { "url": "/x?p=2" } } }));
    assert_eq!(p, PaginatorConfig::SinglePage);
    let body = json!({ "next": { "page": 2 }, "meta": { "next_token": "t" } });
    assert_eq!(detect(None, &body).0, cursor_at("meta.next_token"));
    let body = json!({ "next": { "href": null, "url": "/x?p=2" } });
    assert_eq!(detect(None, &body).0, json_link("next.url"));
    // Python's bool is an int: a boolean `next*` is a (strange) cursor
    let (p, _) = detect(None, &json!({ "next_page": true }));
    assert_eq!(p, cursor_at("next_page"));
    // `next: null` is skipped, the search goes on
    let (p, _) = detect(
        None,
        &json!({ "next": null, "paging": { "nextToken": "t" } }),
    );
    assert_eq!(p, cursor_at("paging.nextToken"));
    // the first total-pages key decides: a non-integer value means no page-number paginator
    let (p, _) = detect(
        None,
        &json!({ "pages": "many", "meta": { "total_pages": 3 } }),
    );
    assert_eq!(p, PaginatorConfig::SinglePage);
    // a string total that `int()` accepts
    let (p, _) = detect(None, &json!({ "totalPages": "7" }));
    assert_eq!(p, pages("totalPages"));
    // a list is not a scalar: skipped
    let (p, _) = detect(None, &json!({ "pages": [1, 2], "total_pages": 2 }));
    assert_eq!(p, pages("total_pages"));
}

#[test]
fn case_17_data_selector_detection() {
    // the first list in depth-first order when no key is a record key
    let s = detect_data_selector(
        serde_json::from_str::<&RawValue>(r#"{"meta":{"x":[1,2]},"things":[{"id":1}]}"#).unwrap(),
    );
    assert_eq!(s, sel("meta.x"));
    // a record key wins over an earlier list; lists deeper than three keys are not seen
    let s = detect_data_selector(
        serde_json::from_str::<&RawValue>(
            r#"{"tags":[1],"a":{"b":{"c":{"data":[1]}}},"x":{"values":[{"id":1}]}}"#,
        )
        .unwrap(),
    );
    assert_eq!(s, sel("x.values"));
    let s = detect_data_selector(
        serde_json::from_str::<&RawValue>(r#"{"a":{"b":{"c":{"data":[1]}}}}"#).unwrap(),
    );
    assert_eq!(s, Selector::ROOT);
}

#[test]
fn case_17_detected_cursor_drives_with_cursor_param() {
    // V: {"next_page": 2} leads to `?cursor=2`
    let run = drive_posts(
        &PaginatorConfig::Auto,
        &[],
        &[
            reply(json!({ "data": items(2), "next_page": 2 })),
            reply(json!({ "data": items(1), "next_page": null })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts(""), posts("cursor=2")]);
    assert_eq!(run.records(), 3);
}

#[test]
fn case_17_detected_page_number_continues_from_page_1() {
    // the first request carried no page; the detected paginator counts from base 0
    let page = || reply(json!({ "data": items(2), "total_pages": 3 }));
    let run = drive_posts(&PaginatorConfig::Auto, &[], &[page(), page(), page()]);
    run.ok();
    assert_eq!(run.urls(), [posts(""), posts("page=1"), posts("page=2")]);
}

#[test]
fn case_17_detected_links_and_fallback() {
    let run = drive_posts(
        &PaginatorConfig::Auto,
        &[("q", "1")],
        &[
            reply(json!({ "data": items(2), "next": "/v1/posts?page=2" })),
            reply(json!({ "data": items(1), "next": null })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts("q=1"), posts("page=2")]);

    let run = drive(
        &PaginatorConfig::Auto,
        &Selector::ROOT,
        request(POSTS, &[]),
        &[
            reply_with(&[("link", "</v1/posts?page=2>; rel=\"next\"")], items(2)),
            reply(items(1)),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts(""), posts("page=2")]);

    let run = drive_posts(
        &PaginatorConfig::Auto,
        &[],
        &[reply(json!({ "data": items(2), "offset": 0, "total": 9 }))],
    );
    run.ok();
    assert_eq!(run.urls(), [POSTS]);
    assert_eq!(run.paginator.config(), &PaginatorConfig::SinglePage);
}

// ---- case 18 -----------------------------------------------------------------------------

#[test]
fn case_18_single_entity_path() {
    // T:test_single_entity_path_valid / _invalid
    for path in [
        "/users/{user_id}",
        "/api/v1/products/{product_id}/",
        "/api/v1/products/{product_id}//",
        "/api/v1/products/{product_id}?param1=value1",
        "/api/v1/products/{product_id}#section",
        "/api/v1/products/{product_id}.json",
        "/api/v1/products/{product_id}.json/",
        "/api/v1/products/{product_id}_data",
        "/api/v1/products/{product_id}_data?param=true",
        "/users/{user_id}/posts/{post_id}",
        "/users/{user_id}/posts/{post_id}/comments/{comment_id}",
        "{entity}",
        "/{entity}",
        "/{user_123}",
        "/users/{user-id}",
        "/users/{123}",
        "users/{resources.users.id}",
        "/users/{id}/.",
    ] {
        assert!(single_entity_path(path), "{path}");
    }
    for path in [
        "/users/user_id",
        "/api/v1/products/product_id/",
        "/users/{user_id}/details",
        "/",
        "",
        "/{}",
        "/api/v1/products/{product_id}/#section",
        "/users/{user id}",
        "/users/{user_id}/{",
    ] {
        assert!(!single_entity_path(path), "{path}");
    }
}

#[test]
fn case_18_single_page_yields_the_whole_object() {
    // V: single-entity endpoints get SinglePage and `$`: one request, one record
    let run = drive(
        &PaginatorConfig::SinglePage,
        &Selector::ROOT,
        request("https://api.example.com/users/7", &[]),
        &[reply(
            json!({ "id": 7, "name": "x", "next": "/users/8", "total": 99 }),
        )],
    );
    run.ok();
    assert_eq!(run.urls(), ["https://api.example.com/users/7"]);
    assert_eq!(run.records(), 1);
}
