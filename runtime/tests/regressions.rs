//! Inputs the property tests found that broke the runtime, each kept as a named test with
//! the property that found it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;
use std::time::Duration;

use restgen_runtime::descriptor::{OffsetConfig, PageNumberConfig, PaginatorConfig, Target};
use restgen_runtime::paginate::{PageView, PaginationError, Paginator, RequestState};
use restgen_runtime::retry::sleep_duration;

fn first_request() -> RequestState {
    RequestState::new(
        url::Url::parse("https://api.example.com/items").unwrap(),
        Vec::new(),
        None,
    )
}

/// `paginators_never_panic`: an offset (or limit) beyond `i64::MAX` overflowed the range
/// counter, which panics in a debug build and wraps around in a release build. The counter
/// now saturates; the request repeats, and the loop guard ends the run.
#[test]
fn an_offset_at_the_top_of_its_range_does_not_overflow() {
    let config = PaginatorConfig::Offset(OffsetConfig {
        limit: i64::MAX as u64,
        offset: u64::MAX,
        offset_target: Target::Query(Cow::Borrowed("offset")),
        limit_target: Target::Query(Cow::Borrowed("limit")),
        total_path: None,
        maximum_offset: None,
        stop_after_empty_page: false,
        has_more_path: None,
        stop_on_short_page: true,
    });
    let mut paginator = Paginator::new(&config).unwrap();
    let mut request = first_request();
    paginator.init_request(&mut request);
    let headers = http::HeaderMap::new();
    let body = serde_json::value::RawValue::from_string("[1]".into()).unwrap();
    let records = [&*body];
    let page = PageView {
        headers: &headers,
        body: Some(&body),
        records: &records,
    };
    // stop_on_short_page with one record and a huge limit: the page is short
    assert_eq!(paginator.on_page(&page, &mut request), Ok(false));
    let page_number = PaginatorConfig::PageNumber(PageNumberConfig {
        base_page: i64::MAX,
        page: i64::MAX,
        page_target: Target::Query(Cow::Borrowed("page")),
        total_path: None,
        maximum_page: None,
        stop_after_empty_page: true,
        has_more_path: None,
        page_size: None,
        stop_on_short_page: false,
    });
    let mut paginator = Paginator::new(&page_number).unwrap();
    let mut request = first_request();
    paginator.init_request(&mut request);
    assert!(matches!(
        paginator.on_page(&page, &mut request),
        Err(PaginationError::Repeated { .. })
    ));
}

/// Found reading `retry.rs` while writing `retry_waits_are_always_sleepable` (not by a
/// failing case): a wait above `Duration::MAX` (an unbounded `max_delay` with a large
/// backoff, or `Retry-After: 1e400`) made `Duration::from_secs_f64` panic before the sleep.
#[test]
fn any_wait_is_a_duration() {
    assert_eq!(sleep_duration(f64::INFINITY), Duration::MAX);
    assert_eq!(sleep_duration(f64::NAN), Duration::ZERO);
    assert_eq!(sleep_duration(-3.0), Duration::ZERO);
    assert_eq!(sleep_duration(1.5), Duration::from_millis(1500));
}
