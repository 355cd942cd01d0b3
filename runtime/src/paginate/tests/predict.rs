//! `Paginator::predict`: the requests a range paginator can name (up to its total, or
//! speculatively without one) before
//! the pages in between arrive, checked against the requests the sequential run then sends.

use super::*;

/// Reads one page; it must not fail.
fn step(paginator: &mut Paginator, state: &mut RequestState, body: Value) -> bool {
    read_page(paginator, state, &body).unwrap()
}

fn started(config: &PaginatorConfig) -> (Paginator, RequestState) {
    let mut paginator = Paginator::new(config).unwrap();
    let mut state = request(POSTS, &[("sort", "asc")]);
    paginator.init_request(&mut state);
    (paginator, state)
}

fn url(state: Option<RequestState>) -> Option<String> {
    state.map(|s| s.full_url().to_string())
}

#[test]
fn offset_with_a_total_predicts_every_request_up_to_it() {
    let config = PaginatorConfig::Offset(offset(10));
    let (mut paginator, mut state) = started(&config);
    // nothing is known before the first page
    assert_eq!(paginator.predict(&state, 1), None);
    assert!(step(
        &mut paginator,
        &mut state,
        serde_json::json!({"data": items(10), "total": 35})
    ));
    assert_eq!(paginator.predict(&state, 0), Some(state.clone()));
    let predicted: Vec<Option<String>> =
        (1..4).map(|a| url(paginator.predict(&state, a))).collect();
    assert_eq!(
        predicted,
        [
            Some(posts("sort=asc&offset=20&limit=10")),
            Some(posts("sort=asc&offset=30&limit=10")),
            None,
        ]
    );
    // the sequential run sends exactly the predicted requests, then stops at the total
    let page = serde_json::json!({"data": items(10), "total": 35});
    for _ in 0..2 {
        let ahead = paginator.predict(&state, 1);
        assert!(step(&mut paginator, &mut state, page.clone()));
        assert_eq!(Some(state.clone()), ahead);
    }
    assert_eq!(paginator.predict(&state, 1), None);
    assert!(!step(&mut paginator, &mut state, page));
}

#[test]
fn page_number_counts_pages_from_its_base() {
    let config = PaginatorConfig::PageNumber(PageNumberConfig {
        base_page: 1,
        page: 1,
        ..page_number()
    });
    let (mut paginator, mut state) = started(&config);
    assert!(step(
        &mut paginator,
        &mut state,
        serde_json::json!({"data": items(5), "total": 3})
    ));
    assert_eq!(state.full_url().as_str(), posts("sort=asc&page=2"));
    assert_eq!(
        url(paginator.predict(&state, 1)),
        Some(posts("sort=asc&page=3"))
    );
    assert_eq!(paginator.predict(&state, 2), None);
}

#[test]
fn maximum_bounds_predictions() {
    let config = PaginatorConfig::Offset(OffsetConfig {
        maximum_offset: Some(30),
        ..offset(10)
    });
    let (mut paginator, mut state) = started(&config);
    assert!(step(
        &mut paginator,
        &mut state,
        serde_json::json!({"data": items(10), "total": 100})
    ));
    assert_eq!(
        url(paginator.predict(&state, 1)),
        Some(posts("sort=asc&offset=20&limit=10"))
    );
    assert_eq!(paginator.predict(&state, 2), None);
}

#[test]
fn without_a_total_full_pages_are_guessed_until_a_short_one() {
    let lenient = PaginatorConfig::Offset(OffsetConfig {
        total_path: None,
        stop_on_short_page: true,
        ..offset(10)
    });
    let (mut paginator, mut state) = started(&lenient);
    assert!(step(
        &mut paginator,
        &mut state,
        serde_json::json!({"data": items(10)})
    ));
    assert_eq!(paginator.predict(&state, 0), Some(state.clone()));
    // speculative: the pages after a full page are guessed full too
    assert_eq!(
        url(paginator.predict(&state, 2)),
        Some(posts("sort=asc&offset=30&limit=10"))
    );
    // a short page ends it: nothing is guessed past the end
    assert!(!step(
        &mut paginator,
        &mut state,
        serde_json::json!({"data": items(3)})
    ));
    assert_eq!(paginator.predict(&state, 1), None);
}

#[test]
fn page_number_without_a_total_is_guessed_until_an_empty_page() {
    let config = PaginatorConfig::PageNumber(PageNumberConfig {
        base_page: 1,
        page: 1,
        total_path: None,
        ..page_number()
    });
    let (mut paginator, mut state) = started(&config);
    assert!(step(
        &mut paginator,
        &mut state,
        serde_json::json!({"data": items(5)})
    ));
    assert_eq!(
        url(paginator.predict(&state, 3)),
        Some(posts("sort=asc&page=5"))
    );
    assert!(!step(
        &mut paginator,
        &mut state,
        serde_json::json!({"data": []})
    ));
    assert_eq!(paginator.predict(&state, 1), None);
}

#[test]
fn a_cursor_is_never_predicted() {
    let cursor = PaginatorConfig::Cursor(cursor("next", "cursor"));
    let (mut paginator, mut state) = started(&cursor);
    assert!(step(
        &mut paginator,
        &mut state,
        serde_json::json!({"data": items(2), "next": "c2"})
    ));
    assert_eq!(paginator.predict(&state, 1), None);
}

#[test]
fn nothing_after_the_end() {
    let config = PaginatorConfig::Offset(offset(10));
    let (mut paginator, mut state) = started(&config);
    assert!(!step(
        &mut paginator,
        &mut state,
        serde_json::json!({"data": items(4), "total": 4})
    ));
    assert_eq!(paginator.predict(&state, 0), None);
}
