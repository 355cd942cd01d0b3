//! Cases 1–11: the range paginators, `offset` and `page_number`.

use serde_json::json;

use super::*;

fn offset_cfg(c: OffsetConfig) -> PaginatorConfig {
    PaginatorConfig::Offset(c)
}

fn page_cfg(c: PageNumberConfig) -> PaginatorConfig {
    PaginatorConfig::PageNumber(c)
}

// ---- case 1: offset with a total -------------------------------------------------------

#[test]
fn case_01_offset_total_20_update_state() {
    // T:TestOffsetPaginator.test_update_state
    let run = drive_posts(
        &offset_cfg(offset(10)),
        &[],
        &[
            reply(json!({ "data": items(10), "total": 20 })),
            reply(json!({ "data": null, "total": 20 })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [posts("offset=0&limit=10"), posts("offset=10&limit=10")]
    );
    // the empty second page stops without moving the offset
    assert_eq!(run.paginator.current, 10);
    assert!(!run.paginator.has_next());
    assert_eq!(run.records(), 10);
}

#[test]
fn case_01_offset_total_20_two_full_pages() {
    let run = drive_posts(
        &offset_cfg(offset(10)),
        &[],
        &[
            reply(json!({ "data": items(10), "total": 20 })),
            reply(json!({ "data": items(10), "total": 20 })),
        ],
    );
    run.ok();
    assert_eq!(run.urls().len(), 2);
    assert_eq!(run.records(), 20);
}

// ---- case 2: the first request carries offset and limit --------------------------------

#[test]
fn case_02_offset_init_request_123_42() {
    // T:test_init_request
    let mut c = offset(42);
    c.offset = 123;
    let run = drive(
        &offset_cfg(c),
        &sel("data"),
        request("http://example.com/api/resource", &[]),
        &[
            reply(json!({ "data": items(42), "total": 200 })),
            reply(json!({ "data": items(35), "total": 200 })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [
            "http://example.com/api/resource?offset=123&limit=42",
            "http://example.com/api/resource?offset=165&limit=42",
        ]
    );
}

// ---- case 3: the total as a string, invalid, missing -----------------------------------

#[test]
fn case_03_offset_string_total_works() {
    // T:test_update_state_with_string_total
    let run = drive_posts(
        &offset_cfg(offset(10)),
        &[],
        &[
            reply(json!({ "data": items(10), "total": "20" })),
            reply(json!({ "data": items(10), "total": "20" })),
        ],
    );
    run.ok();
    assert_eq!(run.urls().len(), 2);
    assert_eq!(run.paginator.current, 20);
}

#[test]
fn case_03_offset_float_and_bool_totals_are_python_ints() {
    // int(20.0) == 20, int(True) == 1
    let run = drive_posts(
        &offset_cfg(offset(10)),
        &[],
        &[
            reply(json!({ "data": items(10), "total": 20.0 })),
            reply(json!({ "data": items(10), "total": 20.0 })),
        ],
    );
    run.ok();
    assert_eq!(run.urls().len(), 2);
    let run = drive_posts(
        &offset_cfg(offset(10)),
        &[],
        &[reply(json!({ "data": items(1), "total": true }))],
    );
    run.ok();
    assert_eq!(run.urls().len(), 1);
}

#[test]
fn case_03_offset_invalid_total_errors() {
    // T:test_update_state_with_invalid_total
    for total in [
        json!("invalid"),
        json!("3.5"),
        json!([20]),
        json!({ "n": 20 }),
    ] {
        let run = drive_posts(
            &offset_cfg(offset(10)),
            &[],
            &[reply(json!({ "data": items(10), "total": total }))],
        );
        assert!(
            matches!(run.err(), PaginationError::TotalNotInteger { .. }),
            "{total}: {:?}",
            run.error
        );
        assert_eq!(run.urls().len(), 1);
        assert_eq!(run.records(), 0);
    }
}

#[test]
fn case_03_offset_missing_total_errors_after_one_request() {
    // T:test_update_state_without_total; V: {"type":"offset","limit":10} without a total
    for body in [
        json!({ "data": items(10) }),
        json!({ "data": items(10), "total": null }),
    ] {
        let run = drive_posts(&offset_cfg(offset(10)), &[], &[reply(body)]);
        assert_eq!(run.urls(), [posts("offset=0&limit=10")]);
        assert_eq!(
            run.err(),
            &PaginationError::TotalMissing {
                what: "items",
                path: "$['total']".into()
            }
        );
        assert!(run.err().to_string().contains("total `items` not found"));
        assert_eq!(run.records(), 0);
    }
}

// ---- case 4: no total, stop only on an empty page --------------------------------------

#[test]
fn case_04_offset_without_total_stops_only_on_empty_page() {
    let mut c = offset(10);
    c.total_path = None;
    let run = drive_posts(
        &offset_cfg(c),
        &[],
        &[
            reply(json!({ "data": items(10) })),
            reply(json!({ "data": items(5) })),
            reply(json!({ "data": [] })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [
            posts("offset=0&limit=10"),
            posts("offset=10&limit=10"),
            posts("offset=20&limit=10"),
        ]
    );
    assert_eq!(run.records(), 15);
}

// ---- case 5: total 25, three requests ----------------------------------------------------

#[test]
fn case_05_offset_total_25_three_requests() {
    let page = |n| reply(json!({ "data": items(n), "total": 25 }));
    let run = drive_posts(
        &offset_cfg(offset(10)),
        &[("sort", "asc")],
        &[page(10), page(10), page(5)],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [
            posts("sort=asc&offset=0&limit=10"),
            posts("sort=asc&offset=10&limit=10"),
            posts("sort=asc&offset=20&limit=10"),
        ]
    );
    assert_eq!(run.records(), 25);
}

#[test]
fn case_05_offset_overwrites_a_static_limit_in_place() {
    // dlt writes `params["limit"]`, keeping the key where the spec put it
    let run = drive_posts(
        &offset_cfg(offset(10)),
        &[("limit", "5"), ("sort", "asc")],
        &[reply(json!({ "data": items(3), "total": 3 }))],
    );
    assert_eq!(run.urls(), [posts("limit=10&sort=asc&offset=0")]);
}

#[test]
fn case_05_offset_in_json_body() {
    let mut c = offset(10);
    c.offset_target = body_path("page.offset");
    c.limit_target = body_path("page.limit");
    let mut state = request(POSTS, &[]);
    state.json = Some(json!({ "q": "x" }));
    let page = |n| reply(json!({ "data": items(n), "total": 15 }));
    let run = drive(&offset_cfg(c), &sel("data"), state, &[page(10), page(5)]);
    run.ok();
    assert_eq!(run.urls(), [POSTS, POSTS]);
    assert_eq!(
        run.bodies,
        [
            Some(json!({ "q": "x", "page": { "offset": 0, "limit": 10 } })),
            Some(json!({ "q": "x", "page": { "offset": 10, "limit": 10 } })),
        ]
    );
}

// ---- case 6: maximum_offset is exclusive -----------------------------------------------

#[test]
fn case_06_maximum_offset_is_exclusive() {
    // T:test_maximum_offset
    let mut c = offset(50);
    c.total_path = None;
    c.maximum_offset = Some(100);
    let page = || reply(json!({ "data": items(50) }));
    let run = drive_posts(&offset_cfg(c), &[], &[page(), page()]);
    run.ok();
    assert_eq!(
        run.urls(),
        [posts("offset=0&limit=50"), posts("offset=50&limit=50")]
    );
    assert_eq!(run.paginator.current, 100);
    assert_eq!(run.records(), 100);
}

// ---- case 7: the termination guard -------------------------------------------------------

#[test]
fn case_07_termination_guard() {
    // T:test_guarantee_termination
    let mut c = offset(10);
    c.total_path = None;
    c.stop_after_empty_page = false;
    let err = Paginator::new(&offset_cfg(c.clone())).unwrap_err();
    assert!(matches!(err, PaginationError::InvalidConfig(_)));
    assert!(
        err.to_string().contains(
            "`total_path`, `maximum_offset`, `has_more_path`, or `stop_after_empty_page`"
        ),
        "{err}"
    );
    // any one of them is enough
    for fix in 0..3 {
        let mut ok = c.clone();
        match fix {
            0 => ok.total_path = Some(sel("total")),
            1 => ok.maximum_offset = Some(100),
            _ => ok.has_more_path = Some(sel("has_more")),
        }
        assert!(Paginator::new(&offset_cfg(ok)).is_ok());
    }

    let mut p = page_number();
    p.total_path = None;
    p.stop_after_empty_page = false;
    let err = Paginator::new(&page_cfg(p)).unwrap_err();
    assert!(err.to_string().contains("`maximum_page`"), "{err}");
}

// ---- case 8: page_number with a total number of pages ----------------------------------

#[test]
fn case_08_page_number_total_pages_base_1() {
    // T:TestPageNumberPaginator.test_update_state
    let mut c = page_number();
    c.base_page = 1;
    c.page = 1;
    c.total_path = Some(sel("total_pages"));
    let page = || reply(json!({ "data": items(2), "total_pages": 3 }));
    let run = drive_posts(&page_cfg(c), &[], &[page(), page(), page()]);
    run.ok();
    assert_eq!(
        run.urls(),
        [posts("page=1"), posts("page=2"), posts("page=3")]
    );
    assert_eq!(run.records(), 6);
}

#[test]
fn case_08_page_number_default_total_2() {
    let page = || reply(json!({ "data": items(1), "total": 2 }));
    let run = drive_posts(&page_cfg(page_number()), &[], &[page(), page()]);
    run.ok();
    assert_eq!(run.urls(), [posts("page=0"), posts("page=1")]);

    let mut c = page_number();
    c.base_page = 1;
    c.page = 1;
    let run = drive_posts(&page_cfg(c), &[], &[page(), page()]);
    run.ok();
    assert_eq!(run.urls(), [posts("page=1"), posts("page=2")]);
}

#[test]
fn case_08_page_number_start_page_is_relative_to_base() {
    // base 1, page 3, total_pages 4: pages 3 and 4
    let mut c = page_number();
    c.base_page = 1;
    c.page = 3;
    c.total_path = Some(sel("total_pages"));
    let page = || reply(json!({ "data": items(1), "total_pages": 4 }));
    let run = drive_posts(&page_cfg(c), &[], &[page(), page()]);
    run.ok();
    assert_eq!(run.urls(), [posts("page=3"), posts("page=4")]);
}

#[test]
fn case_08_page_number_missing_total_names_pages() {
    let run = drive_posts(
        &page_cfg(page_number()),
        &[],
        &[reply(json!({ "data": items(1) }))],
    );
    assert!(matches!(
        run.err(),
        PaginationError::TotalMissing { what: "pages", .. }
    ));
}

// ---- case 9: maximum_page is exclusive ---------------------------------------------------

#[test]
fn case_09_maximum_page_is_exclusive() {
    // T:test_maximum_page: base 1, page 1, maximum 3 stops after page 2
    let mut c = page_number();
    c.base_page = 1;
    c.page = 1;
    c.total_path = None;
    c.maximum_page = Some(3);
    let page = || reply(json!({ "data": items(5) }));
    let run = drive_posts(&page_cfg(c), &[], &[page(), page()]);
    run.ok();
    assert_eq!(run.urls(), [posts("page=1"), posts("page=2")]);

    // V: base 0, maximum 2
    let mut c = page_number();
    c.total_path = None;
    c.maximum_page = Some(2);
    let run = drive_posts(&page_cfg(c), &[], &[page(), page()]);
    run.ok();
    assert_eq!(run.urls(), [posts("page=0"), posts("page=1")]);
}

// ---- case 10: an empty page stops without incrementing ---------------------------------

#[test]
fn case_10_empty_page_stops_without_incrementing() {
    // T:TestPageNumberPaginator.test_stop_after_empty_page
    let mut c = page_number();
    c.base_page = 1;
    c.page = 1;
    c.total_path = None;
    let run = drive_posts(&page_cfg(c.clone()), &[], &[reply(json!({ "data": [] }))]);
    run.ok();
    assert_eq!(run.urls(), [posts("page=1")]);
    assert_eq!(run.paginator.current, 1);
    assert!(!run.paginator.has_next());

    // a missing total is not even read on an empty page
    let run = drive_posts(
        &page_cfg(page_number()),
        &[],
        &[reply(json!({ "data": [] }))],
    );
    run.ok();
    assert_eq!(run.paginator.current, 0);
}

#[test]
fn case_10_init_request_resets() {
    // T:test_init_request: init_request resets to page 1 and has_next
    let mut c = page_number();
    c.base_page = 1;
    c.page = 1;
    c.total_path = None;
    let run = drive_posts(
        &page_cfg(c),
        &[],
        &[
            reply(json!({ "data": items(2) })),
            reply(json!({ "data": [] })),
        ],
    );
    run.ok();
    assert_eq!(run.paginator.current, 2);
    let (mut paginator, mut state) = (run.paginator, run.state);
    paginator.init_request(&mut state);
    assert_eq!(paginator.current, 1);
    assert!(paginator.has_next());
    assert_eq!(state.full_url().as_str(), posts("page=1"));
}

// ---- case 11: has_more ---------------------------------------------------------------------

fn offset_has_more() -> PaginatorConfig {
    let mut c = offset(2);
    c.total_path = None;
    c.has_more_path = Some(sel("has_more"));
    offset_cfg(c)
}

#[test]
fn case_11_has_more_false_stops() {
    // T:test_update_state_with_has_more
    for has_more in [json!(false), json!("false"), json!("no"), json!("0")] {
        let run = drive_posts(
            &offset_has_more(),
            &[],
            &[reply(json!({ "data": items(2), "has_more": has_more }))],
        );
        run.ok();
        assert_eq!(run.urls(), [posts("offset=0&limit=2")], "{has_more}");
    }
}

#[test]
fn case_11_has_more_string_true_continues() {
    // T:test_update_state_with_string_has_more
    let run = drive_posts(
        &offset_has_more(),
        &[],
        &[
            reply(json!({ "data": items(2), "has_more": "true" })),
            reply(json!({ "data": items(2), "has_more": "Y" })),
            reply(json!({ "data": items(1), "has_more": false })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [
            posts("offset=0&limit=2"),
            posts("offset=2&limit=2"),
            posts("offset=4&limit=2"),
        ]
    );
}

#[test]
fn case_11_has_more_invalid_errors() {
    // T:test_update_state_with_invalid_has_more; dlt's str2bool knows no "on"/"off", and a
    // number is not a bool
    for has_more in [json!("invalid"), json!("on"), json!(" true"), json!(1)] {
        let run = drive_posts(
            &offset_has_more(),
            &[],
            &[reply(json!({ "data": items(2), "has_more": has_more }))],
        );
        assert!(
            matches!(run.err(), PaginationError::HasMoreNotBool { .. }),
            "{has_more}: {:?}",
            run.error
        );
    }
}

#[test]
fn case_11_has_more_missing_errors() {
    // T:test_update_state_without_has_more
    for body in [
        json!({ "data": items(2) }),
        json!({ "data": items(2), "has_more": null }),
    ] {
        let run = drive_posts(&offset_has_more(), &[], &[reply(body)]);
        assert_eq!(
            run.err(),
            &PaginationError::HasMoreMissing {
                path: "$['has_more']".into()
            }
        );
    }
}

#[test]
fn case_11_has_more_true_does_not_override_total() {
    // V (1.29.1+): total 2, limit 2, has_more true stops after one request
    let mut c = offset(2);
    c.has_more_path = Some(sel("has_more"));
    let run = drive_posts(
        &offset_cfg(c),
        &[],
        &[reply(
            json!({ "data": items(2), "total": 2, "has_more": true }),
        )],
    );
    run.ok();
    assert_eq!(run.urls(), [posts("offset=0&limit=2")]);
}

#[test]
fn case_11_has_more_on_page_number() {
    let mut c = page_number();
    c.total_path = None;
    c.maximum_page = Some(10);
    c.has_more_path = Some(sel("meta.more"));
    let run = drive_posts(
        &page_cfg(c),
        &[],
        &[
            reply(json!({ "data": items(1), "meta": { "more": true } })),
            reply(json!({ "data": items(1), "meta": { "more": false } })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts("page=0"), posts("page=1")]);
}
