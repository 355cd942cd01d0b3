//! Property tests of the runtime's sans-IO parts, which meet whatever a server sends: every
//! paginator over any sequence of headers and bodies never panics; every paginator has a
//! bound, so a server that always says "more" is stopped (at the termination guard's
//! maximum or total, or by the loop guard when it repeats itself); templates, selectors,
//! `Link` headers and retry waits take any input.
//!
//! Case counts are modest so CI stays fast; `PROPTEST_CASES=100000` runs a long campaign.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod strategies;

use std::borrow::Cow;

use proptest::prelude::*;
use proptest::test_runner::Config;
use restgen_runtime::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PaginatorConfig, RetryPolicy,
    Target,
};
use restgen_runtime::expr::{Expr, Scope, Var};
use restgen_runtime::paginate::{PageView, PaginationError, Paginator, RequestState, find_link};
use restgen_runtime::selector::{Selector, detect_data_selector, select_records};
use serde_json::value::RawValue;

use strategies::{Reply, expr, json_text, paginator_config, reply, selector, target};

/// `cases` unless `PROPTEST_CASES` says otherwise; no regression files: a failure found is
/// turned into a named test (`tests/regressions.rs`).
fn config(cases: u32) -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..Config::default()
    }
}

const URL: &str = "https://api.example.com/v1/items";

/// How a driven sequence ended.
#[derive(Debug, PartialEq)]
enum End {
    /// The paginator said there is no next page, after this many pages.
    Done(usize),
    /// It failed on this page.
    Failed(usize, PaginationError),
    /// It still wanted more after every scripted reply.
    Wanting,
}

/// Drives `paginator` over `replies` the way the drivers do: records are selected with
/// `data` (or detected), each page is shown to the paginator, the next request is built.
fn drive(config: &PaginatorConfig, data: Option<&Selector>, replies: &[Reply]) -> Option<End> {
    let mut paginator = Paginator::new(config).ok()?;
    let mut request = RequestState::new(url::Url::parse(URL).unwrap(), Vec::new(), None);
    paginator.init_request(&mut request);
    let _ = request.full_url();
    for (n, reply) in replies.iter().enumerate() {
        let body = reply
            .body
            .as_ref()
            .and_then(|b| RawValue::from_string(b.clone()).ok());
        let records = match &body {
            Some(raw) => {
                let selector = data.cloned().unwrap_or_else(|| detect_data_selector(raw));
                select_records(&selector, raw).unwrap().items
            }
            None => Vec::new(),
        };
        let page = PageView {
            headers: &reply.headers,
            body: body.as_deref(),
            records: &records,
        };
        match paginator.on_page(&page, &mut request) {
            Ok(true) => {
                let _ = request.full_url();
            }
            Ok(false) => return Some(End::Done(n + 1)),
            Err(e) => {
                let _ = e.to_string();
                return Some(End::Failed(n + 1, e));
            }
        }
    }
    Some(End::Wanting)
}

proptest! {
    #![proptest_config(config(256))]

    /// Any paginator, any pages: status-2xx responses with any headers and any body (JSON
    /// or not), in any order.
    #[test]
    fn paginators_never_panic(
        config in paginator_config(),
        data in proptest::option::of(selector()),
        replies in proptest::collection::vec(reply(), 1..8),
    ) {
        let _ = drive(&config, data.as_ref(), &replies);
    }

    /// Templates: any expression over any page evaluates without panicking.
    #[test]
    fn expressions_evaluate_on_any_page(
        e in expr(),
        body in json_text(),
        record in json_text(),
        size in 0usize..1000,
        headers in strategies::headers(),
    ) {
        let body = RawValue::from_string(body).ok();
        let record = RawValue::from_string(record).ok();
        let scope = Scope {
            response: body.as_deref(),
            headers: &headers,
            last_record: record.as_deref(),
            last_page_size: size,
            record: record.as_deref(),
        };
        let value = e.eval(&scope);
        let _ = value.truthy();
        let _ = value.into_json();
    }

    /// Selectors: any path over any document.
    #[test]
    fn selectors_take_any_document(s in selector(), document in json_text()) {
        if let Ok(raw) = RawValue::from_string(document) {
            let found = s.find(&raw).unwrap();
            let first = s.first(&raw).unwrap();
            prop_assert_eq!(first.map(RawValue::get), found.first().map(|r| r.get()));
            let _ = select_records(&s, &raw);
            let _ = detect_data_selector(&raw);
            let _ = s.first_value(Some(&raw));
        }
        let _ = s.to_string();
    }

    /// `Link` headers: any text, any `rel`.
    #[test]
    fn link_headers_take_any_text(header in "[ -~]{0,60}", rel in "[a-z]{0,6}") {
        if let Some(url) = find_link(&header, &rel) {
            prop_assert!(header.contains(&url));
        }
    }

    /// Next requests: any target and value, any link followed.
    #[test]
    fn next_requests_take_any_edit(
        t in target(),
        value in json_text(),
        link in "[ -~]{0,40}",
    ) {
        let mut request = RequestState::new(url::Url::parse(URL).unwrap(), Vec::new(), None);
        if let Ok(value) = serde_json::from_str(&value) {
            request.set(&t, value);
        }
        let _ = request.follow_link(&link);
        let _ = request.full_url();
    }

    /// Retry waits: any wait headers and policy give a wait a timer accepts.
    #[test]
    fn retry_waits_are_always_sleepable(
        headers in strategies::wait_headers(),
        factor in prop_oneof![any::<f64>(), Just(f64::INFINITY), Just(f64::NAN), 0.0f64..10.0],
        max_delay in prop_oneof![
            Just(std::time::Duration::MAX),
            Just(std::time::Duration::ZERO),
            (0u64..1_000_000).prop_map(std::time::Duration::from_secs),
            any::<(u64, u32)>().prop_map(|(s, n)| std::time::Duration::new(s, n % 1_000_000_000)),
        ],
        retry in any::<u32>(),
    ) {
        let policy = RetryPolicy {
            backoff_factor: factor,
            max_delay,
            wait_header: Some(Cow::Borrowed("x-wait")),
            ..RetryPolicy::DLT_DEFAULT
        };
        let backoff = policy.backoff_secs(retry);
        prop_assert!(backoff >= 0.0 || backoff.is_nan());
        let _ = restgen_runtime::retry::sleep_duration(backoff);
        if let Some(wait) = restgen_runtime::retry::header_wait(&headers, &policy) {
            let _ = restgen_runtime::retry::sleep_duration(wait);
        }
    }
}

/// A page of `limit` records claiming there is more: a huge total and `has_more`.
fn full_page(limit: usize) -> Reply {
    let items: Vec<serde_json::Value> = (0..limit).map(|i| serde_json::json!({"id": i})).collect();
    Reply::json(serde_json::json!({
        "items": items, "total": 1_000_000_000, "has_more": true, "next": "https://api.example.com/v1/items?page=next",
        "cursor": "c", "last": limit,
    }))
}

proptest! {
    #![proptest_config(config(64))]

    /// Offset with the termination guard's `maximum_offset`, and a server that always
    /// says "more" (full pages, a huge total, `has_more`): it stops exactly at the maximum.
    #[test]
    fn offset_stops_at_maximum_offset(
        limit in 1u64..20,
        offset in 0u64..50,
        span in 1u64..200,
        total in any::<bool>(),
        has_more in any::<bool>(),
    ) {
        let maximum = offset + span;
        let config = PaginatorConfig::Offset(OffsetConfig {
            limit,
            offset,
            offset_target: Target::Query(Cow::Borrowed("offset")),
            limit_target: Target::Query(Cow::Borrowed("limit")),
            total_path: total.then(|| Selector::fields(["total"])),
            maximum_offset: Some(maximum),
            stop_after_empty_page: true,
            has_more_path: has_more.then(|| Selector::fields(["has_more"])),
            stop_on_short_page: false,
        });
        let expected = span.div_ceil(limit) as usize;
        let replies = vec![full_page(limit as usize); expected + 2];
        let end = drive(&config, Some(&Selector::fields(["items"])), &replies);
        prop_assert_eq!(end, Some(End::Done(expected)));
    }

    /// Page numbers with `maximum_page`, against a server that always says "more".
    #[test]
    fn page_number_stops_at_maximum_page(
        base in 0i64..3,
        start in 0i64..3,
        span in 1i64..100,
    ) {
        let page = base + start;
        let config = PaginatorConfig::PageNumber(PageNumberConfig {
            base_page: base,
            page,
            page_target: Target::Query(Cow::Borrowed("page")),
            total_path: None,
            maximum_page: Some(page + span),
            stop_after_empty_page: true,
            has_more_path: Some(Selector::fields(["has_more"])),
            page_size: None,
            stop_on_short_page: false,
        });
        let replies = vec![full_page(3); span as usize + 2];
        let end = drive(&config, Some(&Selector::fields(["items"])), &replies);
        prop_assert_eq!(end, Some(End::Done(span as usize)));
    }

    /// Offset with a total: it stops when the offset reaches the total, however many
    /// records each page claims.
    #[test]
    fn offset_stops_at_the_total(limit in 1u64..20, total in 1u64..300) {
        let config = PaginatorConfig::Offset(OffsetConfig {
            limit,
            offset: 0,
            offset_target: Target::Query(Cow::Borrowed("offset")),
            limit_target: Target::Query(Cow::Borrowed("limit")),
            total_path: Some(Selector::fields(["total"])),
            maximum_offset: None,
            stop_after_empty_page: true,
            has_more_path: None,
            stop_on_short_page: false,
        });
        let page = Reply::json(serde_json::json!({"items": [{"id": 1}], "total": total}));
        let expected = total.div_ceil(limit) as usize;
        let replies = vec![page; expected + 2];
        let end = drive(&config, Some(&Selector::fields(["items"])), &replies);
        prop_assert_eq!(end, Some(End::Done(expected)));
    }

    /// Link and cursor paginators against a server that always answers with the same next
    /// link or cursor: the loop guard stops them on the second page.
    #[test]
    fn repeating_servers_are_stopped_by_the_loop_guard(kind in 0usize..6, body_target in any::<bool>()) {
        let target = if body_target {
            Target::Body(Cow::Owned(vec![Cow::Borrowed("page"), Cow::Borrowed("cursor")]))
        } else {
            Target::Query(Cow::Borrowed("cursor"))
        };
        let cursor = |source| PaginatorConfig::Cursor(CursorConfig {
            source,
            target: target.clone(),
            stop_condition: None,
            stop_after_empty_page: false,
            has_more_path: None,
            page_size: None,
        });
        let config = match kind {
            0 => PaginatorConfig::JsonLink { next_url_path: Selector::fields(["next"]) },
            1 => PaginatorConfig::HeaderLink { links_next_key: Cow::Borrowed("next") },
            2 => PaginatorConfig::HeaderCursor {
                cursor_key: Cow::Borrowed("x-cursor"),
                cursor_param: Cow::Borrowed("cursor"),
            },
            3 => cursor(CursorSource::Path(Selector::fields(["cursor"]))),
            4 => cursor(CursorSource::LastRecord(Selector::fields(["id"]))),
            _ => cursor(CursorSource::Template(Expr::Get(Cow::Owned(vec![
                Expr::Var(Var::Response),
                Expr::Lit(restgen_runtime::expr::Literal::Str(Cow::Borrowed("cursor"))),
            ])))),
        };
        let mut page = full_page(2);
        page.headers.insert(
            "link",
            "<https://api.example.com/v1/items?page=next>; rel=\"next\"".parse().unwrap(),
        );
        page.headers.insert("x-cursor", "c".parse().unwrap());
        let end = drive(&config, Some(&Selector::fields(["items"])), &vec![page; 4]);
        let stopped = matches!(end, Some(End::Failed(2, PaginationError::Repeated { .. })));
        prop_assert!(stopped, "{:?}", end);
    }
}
