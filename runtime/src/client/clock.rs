//! The clock a client's templates read (`now_utc()`, `today_utc()`, `day_delta()`): the
//! system's, or one a test or a replay fixes.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{ClientBuilder, ClientCore};

/// A source of the current time, shared by every request of a client.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

impl ClientBuilder {
    /// The clock the spec's date functions read when a request starts (the system clock by
    /// default): `.clock(|| fixed)` makes `now_utc()` a known instant in tests and replays.
    pub fn clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }
}

impl ClientCore {
    /// The time of the client's clock, read once per request run.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.inner.clock {
            Some(clock) => clock(),
            None => Utc::now(),
        }
    }
}
