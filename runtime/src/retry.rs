//! Sending one request with a retry policy: retried statuses, connection errors and timeouts
//! wait (Retry-After, retry-after-ms, a rate-limit header, or exponential backoff) and try
//! again. Retries are per request, so earlier pages are never fetched again.

use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument;

use crate::descriptor::RetryPolicy;

/// A response read to the end.
#[derive(Debug, Clone)]
pub struct Received {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: http::HeaderMap,
    /// The whole body.
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
    },
    /// Connection failures persisted (or the request could not be built).
    Transport {
        /// Attempts made.
        attempts: u32,
        /// The last error, without URL.
        message: String,
    },
}

enum Outcome {
    Done(Received),
    Retry(Option<Received>, Option<String>, bool),
}

/// Sends the request `make` builds, retrying under `policy`. A non-retried response, success
/// or not, is returned as it is; so is one `handled` claims (an ignore action), whatever its
/// status.
pub async fn send(
    make: &(dyn Fn() -> reqwest::RequestBuilder + Sync),
    policy: &RetryPolicy,
    handled: &(dyn Fn(&Received) -> bool + Sync),
    resource: &str,
    page: usize,
) -> Result<Received, SendFailure> {
    let attempts = policy.max_attempts.max(1);
    let mut last_response = None;
    let mut last_error = String::new();
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
        let started = tokio::time::Instant::now();
        let outcome = async {
            match make().send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(body) => {
                            let received = Received {
                                status,
                                headers,
                                body,
                            };
                            if policy.retries_status(status) && !handled(&received) {
                                Outcome::Retry(Some(received), None, false)
                            } else {
                                Outcome::Done(received)
                            }
                        }
                        Err(e) => Outcome::Retry(None, Some(describe(&e)), e.is_timeout()),
                    }
                }
                Err(e) => Outcome::Retry(None, Some(describe(&e)), e.is_timeout()),
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
            Outcome::Retry(response, error, timeout) => {
                timed_out = timeout;
                let wait = response
                    .as_ref()
                    .and_then(|r| header_wait(&r.headers, policy))
                    .unwrap_or_else(|| policy.backoff_secs(attempt));
                if let Some(response) = response {
                    span.record("status", response.status);
                    last_response = Some(response);
                }
                if let Some(error) = error {
                    last_response = None;
                    last_error = error;
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
        None if timed_out => SendFailure::Timeout { attempts },
        None => SendFailure::Transport {
            attempts,
            message: last_error,
        },
    })
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
/// NaN or too large value (a policy's `max_delay_secs` may be infinite); those wait 0 or the
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
    Some(wait.min(policy.max_delay_secs))
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
}
