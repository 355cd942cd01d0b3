//! One rate budget per client, shared by every request it makes: parents, children, pages
//! fetched ahead, retries and token calls all take a slot from it before they go out, so
//! `.concurrency(n)` and fan-outs never send faster than the API allows.
//!
//! The rates follow Airbyte's `api_budget` call-rate policies: a *fixed* window allows
//! `limit` calls per `period` counted from the window's start (Airbyte's
//! `FixedWindowCallRatePolicy`), a *moving* window allows `limit` calls in any span of
//! `period` (`MovingWindowCallRatePolicy`). Several rates may hold at once (100 per second and
//! 5,000 per hour); a call waits until all allow it.
//!
//! The API's own word overrides the counters, for the whole client rather than one request:
//! a 429 (or another rate-limit status) pauses every request until its `Retry-After` (or the
//! reset header's time, else one period of the shortest rate), and a response whose
//! `X-RateLimit-Remaining` (or `RateLimit-Remaining`) is 0 pauses every request until its
//! `X-RateLimit-Reset`. Pauses are capped at the retry policy's maximum delay.
//!
//! Written here rather than taken from `governor`: governor times its waits with its own
//! clock and `futures-timer`, so tokio's paused clock (which the tests run on) cannot drive
//! it, and it has no way to pause a limiter until a time an API names; the whole limiter is
//! a deque of send times per rate behind one mutex.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::descriptor::{List, Text};

/// A budget a spec declares (`client.api_budget`, after Airbyte's `HTTPAPIBudget`), as
/// generated code emits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetSpec {
    /// Every rate of every policy.
    pub rates: List<Rate>,
    /// Statuses that mean "over the limit" (`status_codes_for_ratelimit_hit`; 429 always).
    pub limit_statuses: List<u16>,
    /// The header with the calls remaining (`ratelimit_remaining_header`), read before the
    /// usual names.
    pub remaining_header: Option<Text>,
    /// The header with the reset time (`ratelimit_reset_header`), read before the usual names.
    pub reset_header: Option<Text>,
}

/// How a rate counts its calls (Airbyte's two call-rate policies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// `limit` calls per `period`, counted from the start of each window: a burst of `limit`
    /// may go out at a window's start.
    Fixed,
    /// `limit` calls in any span of `period`.
    Moving,
}

/// One rate: at most `limit` calls per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Calls allowed per period (at least 1).
    pub limit: u32,
    /// The period.
    pub period: Duration,
    /// How the period is counted.
    pub window: Window,
}

impl Rate {
    /// `limit` calls in any span of `period`.
    pub const fn moving(limit: u32, period: Duration) -> Self {
        Rate {
            limit,
            period,
            window: Window::Moving,
        }
    }

    /// `limit` calls per fixed window of `period`.
    pub const fn fixed(limit: u32, period: Duration) -> Self {
        Rate {
            limit,
            period,
            window: Window::Fixed,
        }
    }
}

/// The budget's counters for one rate.
#[derive(Debug)]
struct Counter {
    rate: Rate,
    /// Moving: the send times within the last period (at most `limit`). Fixed: the send
    /// times of the current window, its start first.
    sent: VecDeque<Instant>,
    /// Fixed: when the current window started.
    window_start: Option<Instant>,
}

impl Counter {
    /// When this rate allows the next call; `now` or earlier when it allows one at once.
    fn allows_at(&mut self, now: Instant) -> Instant {
        let limit = self.rate.limit.max(1) as usize;
        let period = self.rate.period;
        match self.rate.window {
            Window::Moving => {
                while self.sent.front().is_some_and(|t| *t + period <= now) {
                    self.sent.pop_front();
                }
                if self.sent.len() < limit {
                    now
                } else {
                    self.sent
                        .get(self.sent.len() - limit)
                        .map_or(now, |t| *t + period)
                }
            }
            Window::Fixed => {
                if let Some(start) = self.window_start
                    && start + period <= now
                {
                    self.window_start = None;
                    self.sent.clear();
                }
                match self.window_start {
                    Some(start) if self.sent.len() >= limit => start + period,
                    _ => now,
                }
            }
        }
    }

    fn record(&mut self, now: Instant) {
        if self.rate.window == Window::Fixed && self.window_start.is_none() {
            self.window_start = Some(now);
        }
        self.sent.push_back(now);
    }
}

#[derive(Debug, Default)]
struct State {
    counters: Vec<Counter>,
    /// No call goes out before this (a 429, or no calls remaining until a reset).
    paused_until: Option<Instant>,
    /// Responses with a rate-limit status seen, for reports.
    limited: u64,
}

/// The rate budget of one client. Every client has one: without rates it only carries the
/// pauses the API asks for.
#[derive(Debug)]
pub struct Budget {
    state: Mutex<State>,
    /// Statuses that mean "over the limit" (default: 429).
    limit_statuses: Vec<u16>,
    /// Headers read for the calls remaining, in order.
    remaining_headers: Vec<String>,
    /// Headers read for the reset time, in order.
    reset_headers: Vec<String>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(&[])
    }
}

impl Budget {
    /// A budget allowing every one of `rates` at once.
    pub fn new(rates: &[Rate]) -> Self {
        Budget {
            state: Mutex::new(State {
                counters: rates
                    .iter()
                    .map(|rate| Counter {
                        rate: *rate,
                        sent: VecDeque::new(),
                        window_start: None,
                    })
                    .collect(),
                ..State::default()
            }),
            limit_statuses: vec![429],
            remaining_headers: vec!["x-ratelimit-remaining".into(), "ratelimit-remaining".into()],
            reset_headers: vec!["x-ratelimit-reset".into(), "ratelimit-reset".into()],
        }
    }

    /// A budget with the rates of `spec` and of the builder (`extra`), reading the spec's
    /// headers and statuses.
    pub fn from_spec(spec: Option<&BudgetSpec>, extra: &[Rate]) -> Self {
        let mut rates: Vec<Rate> = spec.map(|s| s.rates.to_vec()).unwrap_or_default();
        rates.extend_from_slice(extra);
        let mut budget = Budget::new(&rates);
        if let Some(spec) = spec {
            budget = budget.with_limit_statuses(&spec.limit_statuses);
            if let Some(name) = &spec.remaining_header {
                budget
                    .remaining_headers
                    .insert(0, name.to_ascii_lowercase());
            }
            if let Some(name) = &spec.reset_header {
                budget.reset_headers.insert(0, name.to_ascii_lowercase());
            }
        }
        budget
    }

    /// Also takes `statuses` as "over the limit" (Airbyte's `status_codes_for_ratelimit_hit`).
    pub fn with_limit_statuses(mut self, statuses: &[u16]) -> Self {
        for status in statuses {
            if !self.limit_statuses.contains(status) {
                self.limit_statuses.push(*status);
            }
        }
        self
    }

    /// The rates, as configured.
    pub fn rates(&self) -> Vec<Rate> {
        self.lock().counters.iter().map(|c| c.rate).collect()
    }

    /// How many responses so far said the client was over the limit.
    pub fn limited(&self) -> u64 {
        self.lock().limited
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // a panic while holding the lock leaves counters that are still usable
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until every rate allows one more call and the API's pause is over, and counts
    /// the call.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.lock();
                let now = Instant::now();
                let mut at = state.paused_until.filter(|t| *t > now).unwrap_or(now);
                for counter in &mut state.counters {
                    at = at.max(counter.allows_at(now));
                }
                if at <= now {
                    state.paused_until = None;
                    for counter in &mut state.counters {
                        counter.record(now);
                    }
                    None
                } else {
                    Some(at)
                }
            };
            match wait {
                None => return,
                Some(at) => tokio::time::sleep_until(at).await,
            }
        }
    }

    /// Reads what a response says about the limit: a rate-limit status or no calls remaining
    /// pauses every request of the client, for at most `max_pause`.
    pub fn observe(&self, status: u16, headers: &http::HeaderMap, max_pause: Duration) {
        self.note(
            self.limit_statuses.contains(&status),
            status,
            headers,
            max_pause,
        );
    }

    /// A response a `rate_limited` rule matched: the API says the client is over its limit
    /// whatever the status (a 403 with "secondary rate limit", a 200 whose body says so), so
    /// every request pauses as for a limit status. A limit status was counted by `observe`.
    pub fn observe_rate_limited(
        &self,
        status: u16,
        headers: &http::HeaderMap,
        max_pause: Duration,
    ) {
        if !self.limit_statuses.contains(&status) {
            self.note(true, status, headers, max_pause);
        }
    }

    /// What a response says of the limit, `limited` when it says the client is over it.
    fn note(&self, limited: bool, status: u16, headers: &http::HeaderMap, max_pause: Duration) {
        let pause = if limited {
            retry_after(headers)
                .or_else(|| reset_in(headers, &self.reset_headers))
                .or_else(|| self.shortest_period())
        } else if remaining(headers, &self.remaining_headers) == Some(0) {
            reset_in(headers, &self.reset_headers)
        } else {
            None
        };
        let mut state = self.lock();
        if limited {
            state.limited += 1;
        }
        if let Some(pause) = pause.map(|p| p.min(max_pause)).filter(|p| !p.is_zero()) {
            let until = Instant::now() + pause;
            if state.paused_until.is_none_or(|t| t < until) {
                tracing::debug!(
                    pause_ms = pause.as_millis() as u64,
                    status,
                    "rate limit: every request waits"
                );
                state.paused_until = Some(until);
            }
        }
    }

    fn shortest_period(&self) -> Option<Duration> {
        self.lock().counters.iter().map(|c| c.rate.period).min()
    }
}

fn header<'a, S: AsRef<str>>(headers: &'a http::HeaderMap, names: &[S]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|name| headers.get(name.as_ref())?.to_str().ok())
        .map(str::trim)
}

/// The values of a header that lists one per window (`1, 1000`: per second, per month).
fn numbers(text: &str) -> Vec<f64> {
    text.split(',')
        .filter_map(|v| v.split(';').next()?.trim().parse::<f64>().ok())
        .collect()
}

/// `Retry-After` (seconds or an HTTP date) or `retry-after-ms`.
fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    if let Some(ms) = header(headers, &["retry-after-ms"]).and_then(|v| v.parse::<f64>().ok()) {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    let value = header(headers, &["retry-after"])?;
    match value.parse::<f64>() {
        Ok(secs) => Duration::try_from_secs_f64(secs).ok(),
        Err(_) => httpdate::parse_http_date(value).ok().map(|at| {
            at.duration_since(std::time::SystemTime::now())
                .unwrap_or_default()
        }),
    }
}

/// Calls remaining in the API's window (the fewest, when it lists several windows).
fn remaining(headers: &http::HeaderMap, names: &[String]) -> Option<u64> {
    numbers(header(headers, names)?)
        .into_iter()
        .filter(|n| n.is_finite())
        .map(|n| n.max(0.0) as u64)
        .min()
}

/// When the API's window resets: seconds from now, or (GitHub's, Airbyte's reading) a Unix
/// time in seconds when the value is that large. With several windows listed, the latest.
fn reset_in(headers: &http::HeaderMap, names: &[String]) -> Option<Duration> {
    let value = numbers(header(headers, names)?)
        .into_iter()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .reduce(f64::max)?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    // a billion seconds is 31 years: a larger value is a point in time
    if value >= 1e9 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs_f64();
        return Duration::try_from_secs_f64((value - now).max(0.0)).ok();
    }
    Duration::try_from_secs_f64(value).ok()
}

#[cfg(test)]
#[path = "budget/tests.rs"]
mod tests;
