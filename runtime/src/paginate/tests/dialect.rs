//! The seed dialect's extensions (`docs/dialect.md`): template cursors and stop conditions,
//! last-record cursors, page sizes, offset paging without a total, and the loop guard.

use serde_json::json;

use super::*;
use crate::descriptor::PageSize;
use crate::expr::{CmpOp, Expr, Literal, Var};

fn cfg(c: CursorConfig) -> PaginatorConfig {
    PaginatorConfig::Cursor(c)
}

fn response() -> Expr {
    Expr::Var(Var::Response)
}

/// `target.get(key)` or `target.get(key, default)`.
fn get(target: Expr, key: &str, default: Option<Expr>) -> Expr {
    let mut operands = vec![target, Expr::Lit(Literal::Str(Cow::Owned(key.to_string())))];
    operands.extend(default);
    Expr::Get(Cow::Owned(operands))
}

fn empty() -> Option<Expr> {
    Some(Expr::Lit(Literal::EmptyObject))
}

/// `not response.get("has_more", {})`
fn not_has_more() -> Expr {
    Expr::Not(Cow::Owned(vec![get(response(), "has_more", empty())]))
}

/// `response.get("paging", {}).get("next", {})`
fn paging_next() -> Expr {
    get(get(response(), "paging", empty()), "next", empty())
}

fn template(expr: Expr, param: &str) -> CursorConfig {
    let mut c = cursor("unused", param);
    c.source = CursorSource::Template(expr);
    c
}

fn page_size(name: &str, value: u64) -> Option<PageSize> {
    Some(PageSize {
        target: query(name),
        value,
    })
}

// ---- cursor_value and stop_condition ----------------------------------------------------------

#[test]
fn dialect_cursor_value_absolute_url_is_followed_as_link() {
    // Graph-API style: the template yields the next URL; the original query is dropped
    let next = "https://graph.example.com/v2/me/feed?after=QVFI&limit=25";
    let run = drive_posts(
        &cfg(template(paging_next(), "after")),
        &[("fields", "id"), ("limit", "25")],
        &[
            reply(json!({ "data": items(25), "paging": { "next": next } })),
            reply(json!({ "data": items(3), "paging": { "previous": "https://x" } })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts("fields=id&limit=25").as_str(), next]);
    assert_eq!(run.records(), 28);
}

#[test]
fn dialect_cursor_value_token_goes_to_the_target() {
    let expr = get(get(response(), "meta", empty()), "next_token", None);
    let run = drive_posts(
        &cfg(template(expr, "page_token")),
        &[("q", "1")],
        &[
            reply(json!({ "data": items(1), "meta": { "next_token": "abc" } })),
            reply(json!({ "data": items(1), "meta": { "next_token": 7 } })),
            // a relative URL is not absolute: it is a cursor value like any other
            reply(json!({ "data": items(1), "meta": { "next_token": "/v1/posts?p=3" } })),
            reply(json!({ "data": items(1), "meta": {} })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [
            posts("q=1"),
            posts("q=1&page_token=abc"),
            posts("q=1&page_token=7"),
            posts("q=1&page_token=%2Fv1%2Fposts%3Fp%3D3"),
        ]
    );
}

#[test]
fn dialect_cursor_value_from_a_header() {
    let expr = get(Expr::Var(Var::Headers), "X-Cursor", None);
    let run = drive_posts(
        &cfg(template(expr, "cursor")),
        &[],
        &[
            reply_with(&[("x-cursor", "h2")], json!({ "data": items(1) })),
            reply(json!({ "data": items(1) })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts(""), posts("cursor=h2")]);
}

#[test]
fn dialect_cursor_value_in_body_keeps_its_type() {
    let mut c = template(get(response(), "next", None), "unused");
    c.target = body_path("after");
    let run = drive(
        &cfg(c),
        &sel("data"),
        request(POSTS, &[]),
        &[
            reply(json!({ "data": items(1), "next": 42 })),
            reply(json!({ "data": items(1), "next": "s" })),
            reply(json!({ "data": items(1) })),
        ],
    );
    run.ok();
    assert_eq!(
        run.bodies,
        [
            None,
            Some(json!({ "after": 42 })),
            Some(json!({ "after": "s" }))
        ]
    );
}

#[test]
fn dialect_stop_condition_not_has_more() {
    // `not response.get("has_more", {})`: a missing has_more stops (Airbyte), no error (dlt)
    let mut c = cursor("next", "cursor");
    c.stop_condition = Some(not_has_more());
    let run = drive_posts(
        &cfg(c),
        &[],
        &[
            reply(json!({ "data": items(2), "next": "b", "has_more": true })),
            reply(json!({ "data": items(2), "next": "c" })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts(""), posts("cursor=b")]);
    assert_eq!(run.records(), 4);
}

#[test]
fn dialect_stop_condition_is_evaluated_before_the_cursor() {
    let mut c = template(paging_next(), "after");
    c.stop_condition = Some(not_has_more());
    let run = drive_posts(
        &cfg(c),
        &[],
        &[reply(json!({
            "data": items(1),
            "has_more": false,
            "paging": { "next": "https://api.example.com/v1/posts?after=z" },
        }))],
    );
    run.ok();
    assert_eq!(run.urls(), [POSTS]);
}

#[test]
fn dialect_stop_condition_on_page_size() {
    // `last_page_size < 2`
    let mut c = cursor("next", "cursor");
    c.stop_condition = Some(Expr::Cmp(
        CmpOp::Lt,
        Cow::Owned(vec![
            Expr::Var(Var::LastPageSize),
            Expr::Lit(Literal::Int(2)),
        ]),
    ));
    let run = drive_posts(
        &cfg(c),
        &[],
        &[
            reply(json!({ "data": items(2), "next": "b" })),
            reply(json!({ "data": items(1), "next": "c" })),
        ],
    );
    run.ok();
    assert_eq!(run.urls().len(), 2);
}

#[test]
fn dialect_template_link_respects_has_more() {
    // has_more false ends paging even when the template yields a link
    let mut c = template(paging_next(), "after");
    c.has_more_path = Some(sel("has_more"));
    let run = drive_posts(
        &cfg(c),
        &[],
        &[reply(json!({
            "data": items(1),
            "has_more": false,
            "paging": { "next": "https://api.example.com/v1/posts?after=z" },
        }))],
    );
    run.ok();
    assert_eq!(run.urls(), [POSTS]);
    assert!(!run.paginator.has_next());
}

// ---- the last record's id ------------------------------------------------------------------

#[test]
fn dialect_cursor_from_last_record() {
    let mut c = cursor("unused", "before_id");
    c.source = CursorSource::LastRecord(sel("id"));
    c.stop_condition = Some(not_has_more());
    let run = drive_posts(
        &cfg(c),
        &[("limit", "2")],
        &[
            reply(json!({ "data": [{ "id": 10 }, { "id": 9 }], "has_more": true })),
            reply(json!({ "data": [{ "id": 8 }, { "id": 7 }], "has_more": true })),
            // an empty page has no last record: paging ends
            reply(json!({ "data": [], "has_more": true })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [
            posts("limit=2"),
            posts("limit=2&before_id=9"),
            posts("limit=2&before_id=7"),
        ]
    );
    assert_eq!(run.records(), 4);
}

// ---- page sizes ---------------------------------------------------------------------------

#[test]
fn dialect_page_number_with_page_size() {
    let mut c = page_number();
    c.base_page = 1;
    c.page = 1;
    c.total_path = None;
    c.page_size = page_size("per_page", 50);
    let run = drive_posts(
        &PaginatorConfig::PageNumber(c),
        &[("sort", "asc")],
        &[
            reply(json!({ "data": items(50) })),
            reply(json!({ "data": items(10) })),
            reply(json!({ "data": [] })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [
            posts("sort=asc&page=1&per_page=50"),
            posts("sort=asc&page=2&per_page=50"),
            posts("sort=asc&page=3&per_page=50"),
        ]
    );
    assert_eq!(run.records(), 60);
}

#[test]
fn dialect_cursor_with_page_size() {
    let mut c = cursor("next", "after");
    c.page_size = page_size("limit", 25);
    let run = drive_posts(
        &cfg(c),
        &[],
        &[
            reply(json!({ "data": items(25), "next": "A1" })),
            reply(json!({ "data": items(2) })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts("limit=25"), posts("limit=25&after=A1")]);
}

// ---- offset without a total -----------------------------------------------------------------

fn short_offset(total_path: Option<&str>) -> PaginatorConfig {
    let mut c = offset(10);
    c.total_path = total_path.map(sel);
    c.stop_on_short_page = true;
    PaginatorConfig::Offset(c)
}

#[test]
fn dialect_offset_stop_on_short_page_without_total() {
    let run = drive_posts(
        &short_offset(None),
        &[],
        &[
            reply(json!({ "data": items(10) })),
            reply(json!({ "data": items(4) })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [posts("offset=0&limit=10"), posts("offset=10&limit=10")]
    );
    assert_eq!(run.records(), 14);

    // full pages run into the empty page
    let run = drive_posts(
        &short_offset(None),
        &[],
        &[
            reply(json!({ "data": items(10) })),
            reply(json!({ "data": items(10) })),
            reply(json!({ "data": [] })),
        ],
    );
    run.ok();
    assert_eq!(run.urls().len(), 3);
    assert_eq!(run.records(), 20);
}

#[test]
fn dialect_offset_short_page_alone_guarantees_termination() {
    let mut c = offset(10);
    c.total_path = None;
    c.stop_after_empty_page = false;
    c.stop_on_short_page = true;
    assert!(Paginator::new(&PaginatorConfig::Offset(c)).is_ok());
}

#[test]
fn dialect_offset_default_total_missing_falls_back_to_short_page() {
    // the generator keeps dlt's default total path; a response without it is not an error
    let run = drive_posts(
        &short_offset(Some("total")),
        &[],
        &[
            reply(json!({ "data": items(10) })),
            reply(json!({ "data": items(3) })),
        ],
    );
    run.ok();
    assert_eq!(run.urls().len(), 2);
    assert_eq!(run.records(), 13);
}

#[test]
fn dialect_offset_present_total_still_rules() {
    // with a total, dlt's rule applies: a short page does not stop, the total does
    let page = |n| reply(json!({ "data": items(n), "total": 25 }));
    let run = drive_posts(
        &short_offset(Some("total")),
        &[],
        &[page(10), page(5), page(5)],
    );
    run.ok();
    assert_eq!(run.urls().len(), 3);
    assert_eq!(run.records(), 20);
}

// ---- the loop guard --------------------------------------------------------------------------

#[test]
fn dialect_loop_guard_repeated_cursor() {
    let run = drive_posts(
        &cfg(cursor("next", "after")),
        &[],
        &[
            reply(json!({ "data": items(1), "next": "A1" })),
            reply(json!({ "data": items(1), "next": "A1" })),
        ],
    );
    assert_eq!(run.urls(), [posts(""), posts("after=A1")]);
    assert_eq!(
        run.err(),
        &PaginationError::Repeated {
            url: posts("after=A1")
        }
    );
}

#[test]
fn dialect_loop_guard_cursor_cycle() {
    let run = drive_posts(
        &cfg(cursor("next", "after")),
        &[],
        &[
            reply(json!({ "data": items(1), "next": "A" })),
            reply(json!({ "data": items(1), "next": "B" })),
            reply(json!({ "data": items(1), "next": "A" })),
        ],
    );
    assert_eq!(run.urls().len(), 3);
    assert!(matches!(run.err(), PaginationError::Repeated { url } if url == &posts("after=A")));
}

#[test]
fn dialect_loop_guard_link_to_itself() {
    let run = drive_posts(
        &PaginatorConfig::JsonLink {
            next_url_path: sel("next"),
        },
        &[],
        &[reply(json!({ "data": items(1), "next": POSTS }))],
    );
    assert_eq!(run.urls(), [POSTS]);
    assert!(matches!(run.err(), PaginationError::Repeated { .. }));
}

#[test]
fn dialect_loop_guard_last_record_repeats() {
    let mut c = cursor("unused", "before_id");
    c.source = CursorSource::LastRecord(sel("id"));
    let run = drive_posts(
        &cfg(c),
        &[],
        &[
            reply(json!({ "data": [{ "id": 5 }] })),
            reply(json!({ "data": [{ "id": 5 }] })),
        ],
    );
    assert_eq!(run.urls().len(), 2);
    assert!(matches!(run.err(), PaginationError::Repeated { .. }));
}

#[test]
fn dialect_loop_guard_resets_on_init_request() {
    let config = cfg(cursor("next", "after"));
    let first = drive_posts(
        &config,
        &[],
        &[
            reply(json!({ "data": items(1), "next": "A1" })),
            reply(json!({ "data": items(1) })),
        ],
    );
    first.ok();
    // a second run with the same paginator may send the same requests again
    let (mut paginator, _) = (first.paginator, first.state);
    let mut state = request(POSTS, &[]);
    paginator.init_request(&mut state);
    let body = json!({ "data": items(1), "next": "A1" });
    assert_eq!(read_page(&mut paginator, &mut state, &body), Ok(true));
    assert_eq!(state.full_url().as_str(), posts("after=A1"));
}
