//! Sending one request with a retry policy: retried statuses, connection errors and timeouts
//! wait (Retry-After, retry-after-ms, a rate-limit header, or exponential backoff with full
//! jitter) and try again. Retries are per request, so earlier pages are never fetched again.
//! The body is read in chunks up to a cap, as a small compressed body can expand to gigabytes.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tracing::Instrument;

use crate::descriptor::RetryPolicy;
use crate::hooks::{HookResponse, HookSite, Verdict};
use crate::rules::Ruling;
use crate::transport::{Transport, TransportError};

/// The default cap on a decoded response body: 64 MiB. Real list pages are well under 1 MiB
/// (a hundred records of a few KiB); 64 times that leaves room for bulky endpoints while a
/// gzip or brotli bomb, multiplied by `.concurrency(n)` and the page being decoded, stays
/// within a few hundred MiB.
pub const DEFAULT_MAX_BODY_SIZE: u64 = 64 * 1024 * 1024;

/// The byte order mark some servers put before a UTF-8 body; Python's JSON decoding of a
/// response accepts it, so it is stripped where the body is received.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How an exponential backoff wait is chosen within `[0, backoff]`.
#[derive(Clone, Default)]
pub enum Jitter {
    /// Full jitter (the default): each wait is uniform in `[0, backoff]`, so clients that
    /// failed together do not retry together.
    #[default]
    Full,
    /// Exactly the backoff: dlt's waits (1, 2, 4, 8 s).
    None,
    /// Each wait is the backoff times the fraction this returns (clamped to `[0, 1]`): a fixed
    /// or seeded source for reproducible runs and tests.
    Fraction(Arc<dyn Fn() -> f64 + Send + Sync>),
}

impl std::fmt::Debug for Jitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Jitter::Full => "Full",
            Jitter::None => "None",
            Jitter::Fraction(_) => "Fraction(..)",
        })
    }
}

impl Jitter {
    /// The wait for a backoff of `secs` seconds.
    pub fn apply(&self, secs: f64) -> f64 {
        let fraction = match self {
            Jitter::Full => fastrand::f64(),
            Jitter::None => 1.0,
            Jitter::Fraction(source) => source(),
        };
        // max/min rather than clamp: clamp panics on NaN
        let fraction = if fraction.is_nan() {
            1.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        secs * fraction
    }
}

/// What governs the attempts of one request: the retry policy, how backoff is jittered, the
/// cap on a decoded body, and the client that sends it.
#[derive(Clone)]
pub struct Retry<'a> {
    /// The retry policy.
    pub policy: Cow<'a, RetryPolicy>,
    /// How backoff waits are jittered.
    pub jitter: &'a Jitter,
    /// The largest decoded body accepted, in bytes.
    pub max_body_size: u64,
    /// The client's rate budget: each attempt takes a slot, and each response may pause it.
    pub budget: &'a crate::budget::Budget,
    /// The client requests go through.
    pub(crate) transport: &'a Transport,
    /// The hooks around a page request; none for token and login requests.
    pub(crate) hooks: Option<HookSite<'a>>,
}

impl std::fmt::Debug for Retry<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retry")
            .field("policy", &self.policy)
            .field("jitter", &self.jitter)
            .field("max_body_size", &self.max_body_size)
            .finish_non_exhaustive()
    }
}

/// A response read to the end.
#[derive(Debug, Clone)]
pub struct Received {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: http::HeaderMap,
    /// The whole body, a leading UTF-8 byte order mark removed.
    pub body: Bytes,
}

/// Why a request failed after its retries.
#[derive(Debug)]
pub enum SendFailure {
    /// A retried status persisted; the last response is kept.
    Exhausted {
        /// Attempts made.
        attempts: u32,
        /// The last response.
        last: Received,
    },
    /// Every attempt timed out.
    Timeout {
        /// Attempts made.
        attempts: u32,
        /// The HTTP client's error of the last attempt, its URL removed.
        source: Option<reqwest::Error>,
    },
    /// Connection failures persisted, or the request could not be built (not retried).
    Transport {
        /// Attempts made.
        attempts: u32,
        /// The last error, without URL.
        message: String,
        /// The HTTP client's error itself, its URL removed.
        source: Option<reqwest::Error>,
    },
    /// The decoded body grew past the cap; not retried, as the server would send it again.
    TooLarge {
        /// The status of the response.
        status: u16,
        /// The cap, in bytes.
        limit: u64,
    },
    /// A hook refused the request or the response, or a middleware failed it; not retried.
    Refused {
        /// Why, in the hook's or middleware's words.
        message: String,
    },
}

enum Outcome {
    Done(Received),
    /// The response (or the error, kept as the source of the final one), whether it timed
    /// out, and a response rule's backoff.
    Retry(
        Option<Received>,
        Option<reqwest::Error>,
        bool,
        Option<crate::rules::Backoff>,
    ),
    Fail(SendFailure),
}

/// Why a body could not be read.
enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

/// Reads a body chunk by chunk (decoded, as reqwest decompresses), failing as soon as it
/// passes `limit` bytes, so a bomb never takes more than the cap in memory.
async fn read_capped(mut response: reqwest::Response, limit: u64) -> Result<Bytes, BodyError> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge);
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let mut body = body.freeze();
    if body.starts_with(UTF8_BOM) {
        body = body.slice(UTF8_BOM.len()..);
    }
    Ok(body)
}

/// Sends the request `make` builds, retrying under `retry`. A non-retried response, success
/// or not, is returned as it is; so is one the response `rules` settle (an ignore or fail
/// action), whatever its status; one they ask to retry is retried, whatever its status. A request that cannot be built (a URL that is not HTTP) and a body over the cap
/// fail at once.
pub async fn send(
    make: &(dyn Fn() -> reqwest::Request + Sync),
    retry: &Retry<'_>,
    rules: &(dyn Fn(&Received) -> Option<crate::rules::Ruling> + Sync),
    resource: &str,
    page: usize,
) -> Result<Received, SendFailure> {
    let policy = &*retry.policy;
    let attempts = policy.max_attempts.max(1);
    let mut last_response = None;
    let mut last_error: Option<reqwest::Error> = None;
    let mut timed_out = false;
    for attempt in 1..=attempts {
        let span = tracing::debug_span!(
            "request",
            resource,
            page,
            attempt,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty
        );
        retry.budget.acquire().await;
        let started = tokio::time::Instant::now();
        let outcome = async {
            let mut request = make();
            if let Some(hooks) = &retry.hooks
                && let Err(refused) = hooks.before(&mut request, resource, page, attempt).await
            {
                return Outcome::Fail(SendFailure::Refused {
                    message: format!("a hook refused the request: {refused}"),
                });
            }
            match retry.transport.execute(request).await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    retry
                        .budget
                        .observe(status, &headers, policy.max_delay);
                    match read_capped(response, retry.max_body_size).await {
                        Ok(body) => {
                            let received = Received {
                                status,
                                headers,
                                body,
                            };
                            let (received, verdict) = match &retry.hooks {
                                Some(hooks) => judge(hooks, received, resource, page, attempt).await,
                                None => (received, Verdict::Accept),
                            };
                            match verdict {
                                Verdict::Fail(refused) => Outcome::Fail(SendFailure::Refused {
                                    message: format!("a hook refused the response: {refused}"),
                                }),
                                Verdict::Retry(reason) => {
                                    tracing::debug!(resource, page, attempt, %reason, "a hook asks for a retry");
                                    Outcome::Retry(Some(received), None, false, None)
                                }
                                Verdict::Accept => match rules(&received) {
                                    Some(Ruling::Settled) => Outcome::Done(received),
                                    Some(Ruling::Retry(backoff)) => {
                                        tracing::debug!(resource, page, attempt, status, "a response rule asks for a retry");
                                        Outcome::Retry(Some(received), None, false, backoff)
                                    }
                                    Some(Ruling::RateLimited(backoff)) => {
                                        tracing::debug!(resource, page, attempt, status, "a response rule says the client is rate limited");
                                        retry.budget.observe_rate_limited(
                                            status,
                                            &received.headers,
                                            policy.max_delay,
                                        );
                                        Outcome::Retry(Some(received), None, false, backoff)
                                    }
                                    None if policy.retries_status(status) => {
                                        Outcome::Retry(Some(received), None, false, None)
                                    }
                                    None => Outcome::Done(received),
                                },
                            }
                        }
                        Err(BodyError::TooLarge) => Outcome::Fail(SendFailure::TooLarge {
                            status,
                            limit: retry.max_body_size,
                        }),
                        Err(BodyError::Read(e)) => {
                            let timeout = e.is_timeout();
                            Outcome::Retry(None, Some(e), timeout, None)
                        }
                    }
                }
                // Building the request failed (a scheme reqwest does not speak): the same
                // request would fail the same way, so it is not retried.
                Err(TransportError::Reqwest(e)) if e.is_builder() => {
                    Outcome::Fail(SendFailure::Transport {
                        attempts: attempt,
                        message: describe(&e),
                        source: Some(e.without_url()),
                    })
                }
                Err(TransportError::Reqwest(e)) => {
                    let timeout = e.is_timeout();
                    Outcome::Retry(None, Some(e), timeout, None)
                }
                Err(TransportError::Middleware(message)) => Outcome::Fail(SendFailure::Refused {
                    message: format!("a middleware failed the request: {message}"),
                }),
                Err(TransportError::Redirected) => Outcome::Fail(SendFailure::Refused {
                    message: "the HTTP client followed a redirect itself; the runtime follows \
                              them, so that credentials stay on the API's origin"
                        .into(),
                }),
            }
        }
        .instrument(span.clone())
        .await;
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        let wait = match outcome {
            Outcome::Done(received) => {
                span.record("status", received.status);
                return Ok(received);
            }
            Outcome::Fail(failure) => return Err(failure),
            Outcome::Retry(response, error, timeout, backoff) => {
                timed_out = timeout;
                let wait = match (&response, backoff) {
                    (Some(r), Some(backoff)) => {
                        backoff.wait(attempt, &r.headers, policy, retry.jitter)
                    }
                    _ => response
                        .as_ref()
                        .and_then(|r| header_wait(&r.headers, policy))
                        .unwrap_or_else(|| retry.jitter.apply(policy.backoff_secs(attempt))),
                };
                if let Some(response) = response {
                    span.record("status", response.status);
                    last_response = Some(response);
                }
                if let Some(error) = error {
                    last_response = None;
                    last_error = Some(error);
                }
                wait
            }
        };
        if attempt < attempts {
            tracing::debug!(resource, page, attempt, wait_secs = wait, "retrying");
            tokio::time::sleep(sleep_duration(wait)).await;
        }
    }
    Err(match last_response {
        Some(last) => SendFailure::Exhausted { attempts, last },
        None if timed_out => SendFailure::Timeout {
            attempts,
            source: last_error.map(reqwest::Error::without_url),
        },
        None => SendFailure::Transport {
            attempts,
            message: last_error.as_ref().map(describe).unwrap_or_default(),
            source: last_error.map(reqwest::Error::without_url),
        },
    })
}

/// Runs the after-response hooks over a response.
async fn judge(
    hooks: &HookSite<'_>,
    received: Received,
    resource: &str,
    page: usize,
    attempt: u32,
) -> (Received, Verdict) {
    let view = HookResponse {
        resource: resource.to_string(),
        page,
        attempt,
        url: hooks.shown.to_string(),
        status: received.status,
        headers: received.headers,
        body: received.body,
    };
    let (view, verdict) = hooks.after(view).await;
    let received = Received {
        status: view.status,
        headers: view.headers,
        body: view.body,
    };
    (received, verdict)
}

fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "body could not be read"
    } else {
        "request failed"
    };
    // reqwest's Display includes the URL, which may carry secrets: keep only the kind and the
    // innermost cause.
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    format!("{kind}: {cause}")
}

/// A wait in seconds as a timer takes it. `Duration::from_secs_f64` panics on a negative,
/// NaN or too large value (a policy without a bound has `max_delay` `Duration::MAX`); those wait 0 or the
/// longest `Duration`.
pub fn sleep_duration(secs: f64) -> Duration {
    if secs.is_nan() || secs <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

/// The wait a response asks for, in seconds: `retry-after-ms`, `Retry-After` (seconds or an
/// HTTP date), then the policy's rate-limit header; clamped to the policy's maximum. A value of
/// zero or less, or one that does not parse, falls back to backoff.
pub fn header_wait(headers: &http::HeaderMap, policy: &RetryPolicy) -> Option<f64> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let wait = text("retry-after-ms")
        .and_then(|v| v.parse::<f64>().ok())
        .map(|ms| ms / 1000.0)
        .filter(|s| *s > 0.0)
        .or_else(|| {
            text("retry-after").and_then(|v| {
                v.parse::<f64>().ok().or_else(|| {
                    httpdate::parse_http_date(v).ok().map(|at| {
                        at.duration_since(std::time::SystemTime::now())
                            .map(|d| d.as_secs_f64())
                            .unwrap_or(0.0)
                    })
                })
            })
        })
        .filter(|s| *s > 0.0)
        .or_else(|| {
            policy
                .wait_header
                .as_deref()
                .and_then(text)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|s| *s > 0.0)
        })?;
    Some(wait.min(policy.max_delay.as_secs_f64()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn default_backoff_is_1_2_4_8() {
        let p = RetryPolicy::DLT_DEFAULT;
        let waits: Vec<f64> = (1..5).map(|n| p.backoff_secs(n)).collect();
        assert_eq!(waits, [1.0, 2.0, 4.0, 8.0]);
    }

    #[test]
    fn retry_after_forms() {
        let p = RetryPolicy::DLT_DEFAULT;
        let mut h = http::HeaderMap::new();
        h.insert("retry-after", http::HeaderValue::from_static("7"));
        assert_eq!(header_wait(&h, &p), Some(7.0));
        h.insert("retry-after", http::HeaderValue::from_static("9999"));
        assert_eq!(header_wait(&h, &p), Some(300.0));
        h.insert("retry-after", http::HeaderValue::from_static("0"));
        assert_eq!(header_wait(&h, &p), None);
        h.insert("retry-after-ms", http::HeaderValue::from_static("1500"));
        assert_eq!(header_wait(&h, &p), Some(1.5));
    }

    #[test]
    fn full_jitter_stays_within_the_backoff() {
        for _ in 0..1000 {
            let wait = Jitter::Full.apply(8.0);
            assert!((0.0..=8.0).contains(&wait), "waited {wait}");
        }
        assert_eq!(Jitter::None.apply(8.0), 8.0);
        let half = Jitter::Fraction(Arc::new(|| 0.5));
        assert_eq!(half.apply(8.0), 4.0);
        // a source out of range or NaN cannot make a wait longer than the backoff or negative
        assert_eq!(Jitter::Fraction(Arc::new(|| 7.0)).apply(2.0), 2.0);
        assert_eq!(Jitter::Fraction(Arc::new(|| -1.0)).apply(2.0), 0.0);
        assert_eq!(Jitter::Fraction(Arc::new(|| f64::NAN)).apply(2.0), 2.0);
    }
}
