//! The single pass against the general path: for every page and paginator, the same records
//! and the same paging decision, or the scan declines.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;

use super::*;
use crate::descriptor::{CursorConfig, OffsetConfig, PageNumberConfig, Target};
use crate::paginate::{PageView, PaginationError, Paginator, RequestState};
use crate::selector::select_records;

fn sel(path: &str) -> Selector {
    Selector::fields(path.split('.'))
}

fn cursor(source: CursorSource, stop: Option<Expr>) -> PaginatorConfig {
    PaginatorConfig::Cursor(CursorConfig {
        source,
        target: Target::Query("cursor".into()),
        stop_condition: stop,
        stop_after_empty_page: false,
        has_more_path: None,
        page_size: None,
    })
}

fn offset() -> PaginatorConfig {
    PaginatorConfig::Offset(OffsetConfig {
        limit: 2,
        offset: 0,
        offset_target: Target::Query("offset".into()),
        limit_target: Target::Query("limit".into()),
        total_path: Some(sel("total")),
        maximum_offset: None,
        stop_after_empty_page: true,
        has_more_path: None,
        stop_on_short_page: false,
    })
}

fn page_number() -> PaginatorConfig {
    PaginatorConfig::PageNumber(PageNumberConfig {
        base_page: 1,
        page: 1,
        page_target: Target::Query("page".into()),
        total_path: Some(sel("meta.pages")),
        maximum_page: None,
        stop_after_empty_page: false,
        has_more_path: Some(sel("more")),
        page_size: None,
        stop_on_short_page: false,
    })
}

/// `response.get(name, default)`.
fn get(target: Expr, name: &str, default: Option<Expr>) -> Expr {
    let mut ops = vec![target, Expr::Lit(Literal::Str(Cow::Owned(name.into())))];
    ops.extend(default);
    Expr::Get(Cow::Owned(ops))
}

fn response() -> Expr {
    Expr::Var(Var::Response)
}

/// What a page gives: its records' text, and the paginator's decision and next URL.
type Outcome = (Vec<String>, Result<(bool, String), PaginationError>);

fn step(config: &PaginatorConfig, body: Option<&RawValue>, records: &[&RawValue]) -> Outcome {
    let mut paginator = Paginator::new(config).unwrap();
    let mut state = RequestState::new(url::Url::parse("http://x/items").unwrap(), vec![], None);
    paginator.init_request(&mut state);
    let headers = http::HeaderMap::new();
    let view = PageView {
        headers: &headers,
        body,
        records,
    };
    let decision = paginator
        .on_page(&view, &mut state)
        .map(|next| (next, state.full_url().to_string()));
    let texts = records.iter().map(|r| r.get().to_string()).collect();
    (texts, decision)
}

/// Checks the scan against the general path; returns whether the scan took the page.
#[track_caller]
fn same(selector: &str, config: &PaginatorConfig, text: &str) -> bool {
    let selector = sel(selector);
    let plan = ScanPlan::new(&selector, config).expect("a plan");
    let Some(scanned) = plan.scan(text) else {
        return false;
    };
    let root: &RawValue = serde_json::from_str(text).expect("the scan took invalid JSON");
    let general = select_records(&selector, root).unwrap().items;
    let expected = step(config, Some(root), &general);
    let got = step(config, Some(&scanned.root), &scanned.records);
    assert_eq!(got, expected, "{text}");
    true
}

#[test]
fn cursor_pages_give_the_same_records_and_next_request() {
    let config = cursor(CursorSource::Path(sel("next_cursor")), None);
    for text in [
        r#"{"data":[{"id":1},{"id":2}],"next_cursor":"c2"}"#,
        r#"{"next_cursor":"c\"2","data":[{"id":1}]}"#,
        r#"{"data":[],"next_cursor":null}"#,
        r#"{"data":null,"next_cursor":"x"}"#,
        r#"{"other":[1,2],"next_cursor":""}"#,
        r#" { "data" : [ {"id" : 1} , 2 , "three" , [4] , null ] , "next_cursor" : 5 } "#,
        // the last occurrence of a key counts, as for a selector (and Python)
        r#"{"data":[{"id":1}],"data":[{"id":9}],"next_cursor":"a","next_cursor":"b"}"#,
        r#"{"d\u0061ta":[{"id":1}],"next_cursor":{"deep":[1]}}"#,
    ] {
        assert!(same("data", &config, text), "declined {text}");
    }
}

#[test]
fn nested_paths_and_range_paginators() {
    let pages = page_number();
    for text in [
        r#"{"results":{"items":[{"id":1}],"n":1},"meta":{"pages":3},"more":true}"#,
        r#"{"results":{"other":1},"meta":{"pages":3},"more":"yes"}"#,
        r#"{"results":[1,2],"meta":{"pages":1},"more":false}"#,
        r#"{"results":{"items":null},"meta":{"pages":"2"},"more":true}"#,
    ] {
        assert!(same("results.items", &pages, text), "declined {text}");
    }
    // errors the paginator raises are raised the same way
    assert!(same(
        "results.items",
        &pages,
        r#"{"results":{"items":[]},"meta":{}}"#
    ));
    assert!(same("data", &offset(), r#"{"data":[1,2],"total":"x"}"#));
    assert!(same(
        "data",
        &offset(),
        r#"{"total":5,"data":[{"a":1},{"b":2}]}"#
    ));
}

#[test]
fn templates_read_named_fields() {
    // cursor_value: response.get("paging", {}).get("next", {}); stop: not response.get("paging", {}).get("next", {})
    let paging = || get(response(), "paging", Some(Expr::Lit(Literal::EmptyObject)));
    let next = || get(paging(), "next", Some(Expr::Lit(Literal::EmptyObject)));
    let config = cursor(
        CursorSource::Template(next()),
        Some(Expr::Not(Cow::Owned(vec![next()]))),
    );
    for text in [
        r#"{"data":[{"id":1}],"paging":{"next":"http://x/items?after=1"}}"#,
        r#"{"data":[{"id":1}],"paging":{}}"#,
        r#"{"data":[{"id":1}]}"#,
    ] {
        assert!(same("data", &config, text), "declined {text}");
    }
}

#[test]
fn pages_of_another_shape_are_left_to_the_general_path() {
    let config = cursor(CursorSource::Path(sel("next")), None);
    let plan = ScanPlan::new(&sel("data"), &config).unwrap();
    for text in [
        r#"[{"id":1}]"#,
        r#"{"data":{"id":1},"next":null}"#,
        r#"{"data":"one","next":null}"#,
        r#"{"data":[1,],"next":null}"#,
        r#"{"data":[1]} x"#,
        "",
    ] {
        assert!(plan.scan(text).is_none(), "took {text}");
    }
}

#[test]
fn paginators_that_may_read_more_get_no_plan() {
    let data = sel("data");
    assert!(ScanPlan::new(&data, &PaginatorConfig::Auto).is_none());
    // the records' own field
    let reads_data = cursor(CursorSource::Path(sel("data.next")), None);
    assert!(ScanPlan::new(&data, &reads_data).is_none());
    // the whole response
    let whole = cursor(
        CursorSource::Path(sel("next")),
        Some(Expr::Not(Cow::Owned(vec![response()]))),
    );
    assert!(ScanPlan::new(&data, &whole).is_none());
    // a root selector, a wildcard
    let root = cursor(CursorSource::Path(Selector::ROOT), None);
    assert!(ScanPlan::new(&data, &root).is_none());
    let wildcard = Selector {
        steps: Cow::Owned(vec![Step::Field("data".into()), Step::Wildcard]),
    };
    assert!(ScanPlan::new(&wildcard, &offset()).is_none());
    assert!(ScanPlan::new(&Selector::ROOT, &offset()).is_none());
    // headers and last-record cursors read nothing of the body
    let last = cursor(CursorSource::LastRecord(sel("id")), None);
    assert!(ScanPlan::new(&data, &last).is_some());
    assert!(ScanPlan::new(&data, &PaginatorConfig::SinglePage).is_some());
}
