//! The budget on tokio's paused clock: what it lets through per window, and the pauses the
//! API's answers impose on every caller.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use super::*;

const SECOND: Duration = Duration::from_secs(1);

/// When each of `calls` concurrent callers got its slot, from the start.
async fn slots(budget: Arc<Budget>, calls: usize) -> Vec<Duration> {
    let start = Instant::now();
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let budget = budget.clone();
            tokio::spawn(async move {
                budget.acquire().await;
                Instant::now() - start
            })
        })
        .collect();
    let mut times = Vec::new();
    for task in tasks {
        times.push(task.await.unwrap());
    }
    times.sort();
    times
}

/// The most calls in any span of `period`.
fn busiest(times: &[Duration], period: Duration) -> usize {
    times
        .iter()
        .map(|t| {
            times
                .iter()
                .filter(|u| **u >= *t && **u < *t + period)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test(start_paused = true)]
async fn a_moving_window_never_lets_more_than_the_limit_through_in_any_period() {
    let budget = Arc::new(Budget::new(&[Rate::moving(100, SECOND)]));
    let times = slots(budget, 250).await;
    assert_eq!(busiest(&times, SECOND), 100);
    // 100 at once, 100 a second later, 50 a second after that: not slower than allowed
    assert_eq!(times[99], Duration::ZERO);
    assert_eq!(times[100], SECOND);
    assert_eq!(times[249], 2 * SECOND);
}

#[tokio::test(start_paused = true)]
async fn a_fixed_window_lets_the_limit_through_per_window() {
    let budget = Arc::new(Budget::new(&[Rate::fixed(10, SECOND)]));
    let times = slots(budget, 25).await;
    let per_window: Vec<usize> = (0..3)
        .map(|w| times.iter().filter(|t| t.as_secs() == w).count())
        .collect();
    assert_eq!(per_window, [10, 10, 5]);
}

#[tokio::test(start_paused = true)]
async fn every_rate_holds_at_once() {
    let budget = Arc::new(Budget::new(&[
        Rate::moving(10, SECOND),
        Rate::moving(15, 10 * SECOND),
    ]));
    let times = slots(budget, 20).await;
    assert_eq!(busiest(&times, SECOND), 10);
    assert_eq!(busiest(&times, 10 * SECOND), 15);
}

fn headers(pairs: &[(&'static str, &'static str)]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, http::HeaderValue::from_static(value));
    }
    map
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_every_caller_not_only_its_own_request() {
    let budget = Arc::new(Budget::new(&[Rate::moving(100, SECOND)]));
    budget.acquire().await;
    budget.observe(429, &headers(&[("retry-after", "3")]), 60 * SECOND);
    // other callers, which did not see the 429, wait too
    let times = slots(budget.clone(), 5).await;
    assert!(times.iter().all(|t| *t == 3 * SECOND), "{times:?}");
    assert_eq!(budget.limited(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_429_without_a_wait_pauses_for_the_shortest_period() {
    let budget = Arc::new(Budget::new(&[
        Rate::moving(1000, 60 * SECOND),
        Rate::moving(100, SECOND),
    ]));
    budget.observe(429, &http::HeaderMap::new(), 60 * SECOND);
    assert_eq!(slots(budget, 1).await, [SECOND]);
}

#[tokio::test(start_paused = true)]
async fn no_calls_remaining_waits_for_the_reset_and_the_pause_is_capped() {
    let budget = Arc::new(Budget::default());
    let ok = headers(&[("x-ratelimit-remaining", "3"), ("x-ratelimit-reset", "5")]);
    budget.observe(200, &ok, 60 * SECOND);
    assert_eq!(slots(budget.clone(), 1).await, [Duration::ZERO]);

    let spent = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "5")]);
    budget.observe(200, &spent, 60 * SECOND);
    assert_eq!(slots(budget.clone(), 2).await, [5 * SECOND, 5 * SECOND]);

    // a reset a day away waits only as long as the retry policy allows
    let far = headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "86400")]);
    budget.observe(200, &far, 60 * SECOND);
    assert_eq!(slots(budget, 1).await, [60 * SECOND]);
}

#[tokio::test(start_paused = true)]
async fn hostile_rate_limit_headers_are_ignored() {
    let budget = Arc::new(Budget::default());
    for value in ["-5", "NaN", "inf", "soon", "1e400"] {
        let h = http::HeaderMap::from_iter([
            (
                http::HeaderName::from_static("x-ratelimit-remaining"),
                http::HeaderValue::from_static("0"),
            ),
            (
                http::HeaderName::from_static("x-ratelimit-reset"),
                http::HeaderValue::from_str(value).unwrap(),
            ),
        ]);
        budget.observe(200, &h, 60 * SECOND);
    }
    assert_eq!(slots(budget, 1).await, [Duration::ZERO]);
}
