//! What a run reports while it goes and when it ends: a progress line on stderr when it is a
//! terminal (records, pages, records/s, retries), one summary line otherwise. Pages and
//! retries are counted by a [`Hook`] on the client, which sees every attempt.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use restgen_runtime::futures::future::BoxFuture;
use restgen_runtime::hooks::{Hook, HookRequest, HookResponse, Verdict};

/// Counts of a run's requests, shared with the hook that counts them. Clones share counts.
#[derive(Debug, Clone, Default)]
pub struct Counters(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    /// Successful (2xx) page responses: every page of a resource and of a fan-out's parents
    /// and children.
    pages: AtomicU64,
    /// Requests sent again after a retried status or a transport error.
    retries: AtomicU64,
}

impl Counters {
    /// The hook to give the client builder (`.hook(counters.hook())`).
    pub fn hook(&self) -> impl Hook {
        Counting(self.clone())
    }

    /// Successful page responses so far.
    pub fn pages(&self) -> u64 {
        self.0.pages.load(Ordering::Relaxed)
    }

    /// Retried requests so far.
    pub fn retries(&self) -> u64 {
        self.0.retries.load(Ordering::Relaxed)
    }
}

/// The hook behind [`Counters::hook`].
struct Counting(Counters);

impl Hook for Counting {
    fn before_request<'a>(
        &'a self,
        request: &'a mut HookRequest,
    ) -> BoxFuture<'a, Result<(), restgen_runtime::hooks::HookError>> {
        if request.attempt > 1 {
            self.0.0.retries.fetch_add(1, Ordering::Relaxed);
        }
        Box::pin(async { Ok(()) })
    }

    fn after_response<'a>(&'a self, response: &'a HookResponse) -> BoxFuture<'a, Verdict> {
        if (200..300).contains(&response.status) {
            self.0.0.pages.fetch_add(1, Ordering::Relaxed);
        }
        Box::pin(async { Verdict::Accept })
    }
}

/// Where a run stands, for the progress line and the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The resource.
    pub resource: String,
    /// Records written.
    pub records: u64,
    /// Pages received (a fan-out's parents' and children's).
    pub pages: u64,
    /// Requests retried.
    pub retries: u64,
    /// Time since the run started.
    pub elapsed: Duration,
    /// The output (`-` for stdout).
    pub out: String,
}

impl Summary {
    /// Records per second.
    pub fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.records as f64 / secs
        } else {
            0.0
        }
    }

    fn counts(&self) -> String {
        format!(
            "{} records, {} pages, {:.0} records/s, {} retries",
            self.records,
            self.pages,
            self.rate(),
            self.retries
        )
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} in {:.1} s -> {}",
            self.resource,
            self.counts(),
            self.elapsed.as_secs_f64(),
            self.out
        )
    }
}

/// The progress display: a live line on a terminal, nothing until the summary elsewhere.
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    /// Pages delivered by the runtime (one resource's; a fan-out's are the hook's count).
    delivered: u64,
    pub(crate) summary: Summary,
}

impl Progress {
    pub(crate) fn start(resource: &str, out: String) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            delivered: 0,
            summary: Summary {
                resource: resource.to_string(),
                records: 0,
                pages: 0,
                retries: 0,
                elapsed: Duration::ZERO,
                out,
            },
        }
    }

    /// Counts a batch written: `records` more, `pages` delivered with them (or, when the
    /// hook counted more, its count).
    pub(crate) fn add(&mut self, records: usize, pages: u64, counters: &Counters) {
        self.delivered += pages;
        let s = &mut self.summary;
        s.records += records as u64;
        // the hook also counts pages fetched ahead, or a fan-out's parents and children
        s.pages = self.delivered.max(counters.pages());
        s.retries = counters.retries();
        s.elapsed = self.started.elapsed();
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{}: {}", s.resource, s.counts()));
        }
    }

    /// Ends the display; the summary, with the final counts.
    pub(crate) fn finish(mut self, counters: &Counters) -> Summary {
        self.add(0, 0, counters);
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.summary
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_has_every_count_and_the_output() {
        let summary = Summary {
            resource: "users".into(),
            records: 3000,
            pages: 30,
            retries: 2,
            elapsed: Duration::from_secs(2),
            out: "users.parquet".into(),
        };
        assert_eq!(
            summary.to_string(),
            "users: 3000 records, 30 pages, 1500 records/s, 2 retries in 2.0 s -> users.parquet"
        );
    }
}
