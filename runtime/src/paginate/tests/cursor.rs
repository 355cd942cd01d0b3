//! Cases 15 and 19: the `cursor` paginator (dlt's `JSONResponseCursorPaginator`).

use serde_json::json;

use super::*;

fn cfg(c: CursorConfig) -> PaginatorConfig {
    PaginatorConfig::Cursor(c)
}

// ---- case 15 -----------------------------------------------------------------------------

#[test]
fn case_15_cursor_after_paging_cursors() {
    // V: cursor_param after, cursor_path paging.cursors.after; stops when paging is {}
    let run = drive_posts(
        &cfg(cursor("paging.cursors.after", "after")),
        &[],
        &[
            reply(json!({ "data": items(2), "paging": { "cursors": { "after": "A1" } } })),
            reply(json!({ "data": items(1), "paging": {} })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts(""), posts("after=A1")]);
    assert_eq!(run.records(), 3);
}

#[test]
fn case_15_cursor_keeps_params_and_replaces_itself() {
    let run = drive_posts(
        &cfg(cursor("next", "cursor")),
        &[("q", "1"), ("limit", "2")],
        &[
            reply(json!({ "data": items(2), "next": "c2" })),
            reply(json!({ "data": items(2), "next": "c3" })),
            reply(json!({ "data": items(1), "next": null })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [
            posts("q=1&limit=2"),
            posts("q=1&limit=2&cursor=c2"),
            posts("q=1&limit=2&cursor=c3"),
        ]
    );
    assert_eq!(run.records(), 5);
}

#[test]
fn case_15_falsy_cursor_stops() {
    // T: {"next_cursor": ""} stops; V: a cursor of 0 stops; so do false, null, {} and missing
    for next in [
        json!(""),
        json!(0),
        json!(0.0),
        json!(false),
        json!(null),
        json!({}),
        json!([]),
    ] {
        let run = drive_posts(
            &cfg(cursor("next_cursor", "cursor")),
            &[],
            &[reply(json!({ "data": items(2), "next_cursor": next }))],
        );
        run.ok();
        assert_eq!(run.urls(), [POSTS], "{next}");
        assert_eq!(run.records(), 2);
    }
    let run = drive_posts(
        &cfg(cursor("next_cursor", "cursor")),
        &[],
        &[reply(json!({ "data": items(2) }))],
    );
    run.ok();
    assert_eq!(run.urls(), [POSTS]);
}

#[test]
fn case_15_numeric_cursor_renders_like_requests() {
    // requests renders 5 as `page_token=5`
    let run = drive_posts(
        &cfg(cursor("next", "page_token")),
        &[],
        &[
            reply(json!({ "data": items(1), "next": 5 })),
            reply(json!({ "data": items(1), "next": true })),
            reply(json!({ "data": items(1) })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [posts(""), posts("page_token=5"), posts("page_token=True")]
    );
}

#[test]
fn case_15_empty_middle_page_does_not_stop_by_default() {
    // V: 3 requests
    let run = drive_posts(
        &cfg(cursor("next", "cursor")),
        &[],
        &[
            reply(json!({ "data": items(2), "next": "b" })),
            reply(json!({ "data": [], "next": "c" })),
            reply(json!({ "data": items(1) })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [posts(""), posts("cursor=b"), posts("cursor=c")]
    );
    assert_eq!(run.pages, [2, 0, 1]);
}

#[test]
fn case_15_stop_after_empty_page() {
    // T: stop_after_empty_page=True with [] stops, even with a cursor and a missing has_more
    let mut c = cursor("next", "cursor");
    c.stop_after_empty_page = true;
    c.has_more_path = Some(sel("has_more"));
    let run = drive_posts(
        &cfg(c),
        &[],
        &[
            reply(json!({ "data": items(1), "next": "b", "has_more": true })),
            reply(json!({ "data": [], "next": "c" })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts(""), posts("cursor=b")]);
}

#[test]
fn case_15_has_more_false_stops() {
    // T: has_more False / "false" stops although a cursor is present
    for has_more in [json!(false), json!("false")] {
        let mut c = cursor("next", "cursor");
        c.has_more_path = Some(sel("has_more"));
        let run = drive_posts(
            &cfg(c),
            &[],
            &[reply(
                json!({ "data": items(1), "next": "b", "has_more": has_more }),
            )],
        );
        run.ok();
        assert_eq!(run.urls(), [POSTS], "{has_more}");
    }
}

#[test]
fn case_15_has_more_true_does_not_revive_a_missing_cursor() {
    // 1.29.1+: AND semantics
    let mut c = cursor("next", "cursor");
    c.has_more_path = Some(sel("has_more"));
    let run = drive_posts(
        &cfg(c),
        &[],
        &[reply(json!({ "data": items(1), "has_more": true }))],
    );
    run.ok();
    assert_eq!(run.urls(), [POSTS]);
}

#[test]
fn case_15_has_more_missing_errors() {
    // T: ValueError("Has more value not found")
    let mut c = cursor("next", "cursor");
    c.has_more_path = Some(sel("has_more"));
    let run = drive_posts(
        &cfg(c),
        &[],
        &[reply(json!({ "data": items(1), "next": "b" }))],
    );
    assert!(matches!(run.err(), PaginationError::HasMoreMissing { .. }));
    assert!(run.err().to_string().contains("has-more value not found"));
}

#[test]
fn case_15_cursor_body_path() {
    // T: cursor_body_path "cursor.next" writes json["cursor"]["next"]
    let mut c = cursor("next", "unused");
    c.target = body_path("cursor.next");
    let run = drive(
        &cfg(c),
        &sel("data"),
        request(POSTS, &[]),
        &[
            reply(json!({ "data": items(1), "next": "n2" })),
            reply(json!({ "data": items(1) })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [POSTS, POSTS]);
    assert_eq!(
        run.bodies,
        [None, Some(json!({ "cursor": { "next": "n2" } }))]
    );
}

#[test]
fn case_15_body_cursor_post_bodies() {
    // V: POST bodies {"q":"x"} then {"q":"x","page":{"token":"t2"}}
    let mut c = cursor("next_token", "unused");
    c.target = body_path("page.token");
    let mut start = request(POSTS, &[]);
    start.json = Some(json!({ "q": "x" }));
    let run = drive(
        &cfg(c),
        &sel("data"),
        start,
        &[
            reply(json!({ "data": items(1), "next_token": "t2" })),
            reply(json!({ "data": items(1), "next_token": null })),
        ],
    );
    run.ok();
    assert_eq!(
        run.bodies,
        [
            Some(json!({ "q": "x" })),
            Some(json!({ "q": "x", "page": { "token": "t2" } })),
        ]
    );
}

#[test]
fn case_15_body_cursor_keeps_its_json_type() {
    // dlt writes the raw value into the body: a numeric cursor stays a number
    let mut c = cursor("next", "unused");
    c.target = body_path("after");
    let mut start = request(POSTS, &[]);
    start.json = Some(json!({}));
    let run = drive(
        &cfg(c),
        &sel("data"),
        start,
        &[
            reply(json!({ "data": items(1), "next": 42 })),
            reply(json!({ "data": items(1) })),
        ],
    );
    run.ok();
    assert_eq!(run.bodies[1], Some(json!({ "after": 42 })));
}

// ---- case 19 -----------------------------------------------------------------------------

#[test]
fn case_19_null_data_on_the_last_page() {
    // T:test_client.test_paginator_with_null_data_in_final_page
    let run = drive(
        &cfg(cursor("next_token", "next_token")),
        &sel("users"),
        request("https://api.example.com/users", &[]),
        &[
            reply(json!({ "users": items(10), "next_token": "t1" })),
            reply(json!({ "users": items(4), "next_token": "t2" })),
            reply(json!({ "users": null, "next_token": null })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [
            "https://api.example.com/users",
            "https://api.example.com/users?next_token=t1",
            "https://api.example.com/users?next_token=t2",
        ]
    );
    assert_eq!(run.pages, [10, 4, 0]);
}
