//! Response rules (`response_actions`): which response an entry matches and what it asks
//! for. dlt's one declarative action is `ignore`; restgen adds `retry`, `rate_limited` and
//! `fail` (Airbyte's `HttpResponseFilter` actions), matched by status, body text or a
//! predicate over the body, with constant, exponential or header-driven backoff. The first
//! entry that matches decides, as dlt's first ignore and Airbyte's first filter do.

use serde_json::value::RawValue;

use crate::descriptor::{ResponseAction, RetryPolicy, Text};
use crate::expr::{Expr, Scope};
use crate::retry::Jitter;

/// What a response rule does with a matching response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    /// The response yields no records and ends its request sequence (dlt's `ignore`); it is
    /// never retried.
    Ignore,
    /// The request is sent again after the rule's backoff, within the retry policy's
    /// attempts, whatever the status (a 200 whose body says it failed, dlt issue #1786).
    Retry,
    /// As `Retry`: the API says it is rate limited, so `Retry-After` is honoured first.
    RateLimited,
    /// The run fails at once with the rule's message; never retried.
    Fail,
}

/// How long a rule waits before the next attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Backoff {
    /// Always this many seconds (Airbyte's `ConstantBackoffStrategy`).
    Constant {
        /// Seconds.
        secs: f64,
    },
    /// `factor * 2^(n-1)` seconds before retry `n`, jittered as the client's backoff is
    /// (Airbyte's `ExponentialBackoffStrategy`).
    Exponential {
        /// Seconds.
        factor: f64,
    },
    /// The seconds a response header gives (Airbyte's `WaitTimeFromHeader`); the retry
    /// policy's backoff when the header is missing or not a number.
    Header {
        /// The header's name.
        name: Text,
    },
}

impl Backoff {
    /// The wait before retry number `retry` (1-based) after `headers`, in seconds, capped at
    /// the policy's longest wait.
    pub fn wait(
        &self,
        retry: u32,
        headers: &http::HeaderMap,
        policy: &RetryPolicy,
        jitter: &Jitter,
    ) -> f64 {
        let secs = match self {
            Backoff::Constant { secs } => *secs,
            Backoff::Exponential { factor } => jitter.apply(
                RetryPolicy {
                    backoff_factor: *factor,
                    ..policy.clone()
                }
                .backoff_secs(retry),
            ),
            Backoff::Header { name } => headers
                .get(name.as_ref())
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s > 0.0)
                .unwrap_or_else(|| jitter.apply(policy.backoff_secs(retry))),
        };
        if secs.is_nan() {
            return 0.0;
        }
        // max/min rather than clamp: clamp panics on a NaN bound
        secs.min(policy.max_delay.as_secs_f64()).max(0.0)
    }
}

/// What the rules say of one response, for the retry loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Ruling {
    /// Returned as it is, not retried: the page reader ignores or fails it.
    Settled,
    /// Sent again, after this backoff (the policy's when `None`).
    Retry(Option<Backoff>),
    /// As `Retry`, and the client's budget pauses every request as for a rate-limit status.
    RateLimited(Option<Backoff>),
}

impl ResponseAction {
    /// Whether the entry matches a response: every condition set holds (dlt's matching for
    /// `status_code` and `content`; the predicate reads `response` and `headers`).
    pub fn matches_response(&self, status: u16, headers: &http::HeaderMap, body: &[u8]) -> bool {
        let status_ok = self.status_code.is_none_or(|code| code == status);
        let content_ok = self
            .content
            .as_deref()
            .is_none_or(|needle| String::from_utf8_lossy(body).contains(needle));
        status_ok
            && content_ok
            && self.predicate.as_ref().is_none_or(|predicate| {
                let text = std::str::from_utf8(body).unwrap_or_default();
                let response = serde_json::from_str::<&RawValue>(text).ok();
                let scope = Scope {
                    response,
                    headers,
                    last_record: None,
                    last_page_size: 0,
                    record: None,
                };
                predicate.eval(&scope).truthy()
            })
    }

    /// [`Self::matches_response`] for a response without headers.
    pub fn matches(&self, status: u16, body: &[u8]) -> bool {
        self.matches_response(status, &http::HeaderMap::new(), body)
    }
}

/// The actions with the settings (`config['name']`) and the time (`now_utc()`) their
/// predicates read bound, as a request starts; `None` when no predicate reads either.
pub fn for_run(
    actions: &[ResponseAction],
    run: &crate::expr::RunValues<'_>,
) -> Option<Vec<ResponseAction>> {
    let reads = actions
        .iter()
        .any(|a| a.predicate.as_ref().is_some_and(Expr::reads_run));
    reads.then(|| {
        actions
            .iter()
            .map(|a| ResponseAction {
                predicate: a.predicate.as_ref().map(|p| p.for_run(run)),
                ..a.clone()
            })
            .collect()
    })
}

/// The first entry of `actions` that matches the response.
pub fn first_match<'a>(
    actions: &'a [ResponseAction],
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Option<&'a ResponseAction> {
    actions
        .iter()
        .find(|a| a.matches_response(status, headers, body))
}

/// What the retry loop does with a response the rules match; `None` when none matches.
pub fn ruling(
    actions: &[ResponseAction],
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Option<Ruling> {
    let action = first_match(actions, status, headers, body)?;
    Some(match action.action {
        RuleAction::Ignore | RuleAction::Fail => Ruling::Settled,
        RuleAction::Retry => Ruling::Retry(action.backoff.clone()),
        RuleAction::RateLimited => Ruling::RateLimited(action.backoff.clone()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::expr::{CmpOp, Expr, Literal, Var};

    fn failure_status() -> Expr {
        // response.status == "failure"
        Expr::Cmp(
            CmpOp::Eq,
            Cow::Owned(vec![
                Expr::Get(Cow::Owned(vec![
                    Expr::Var(Var::Response),
                    Expr::Lit(Literal::Str("status".into())),
                ])),
                Expr::Lit(Literal::Str("failure".into())),
            ]),
        )
    }

    #[test]
    fn a_predicate_matches_a_200_whose_body_says_it_failed() {
        let retry = ResponseAction {
            predicate: Some(failure_status()),
            action: RuleAction::Retry,
            ..ResponseAction::DEFAULT
        };
        let headers = http::HeaderMap::new();
        let actions = [retry];
        assert_eq!(
            ruling(&actions, 200, &headers, br#"{"status": "failure"}"#),
            Some(Ruling::Retry(None))
        );
        assert_eq!(
            ruling(&actions, 200, &headers, br#"{"status": "ok"}"#),
            None
        );
        // a body that is not JSON has no fields: the predicate is false
        assert_eq!(ruling(&actions, 200, &headers, b"failure"), None);
    }

    #[test]
    fn the_first_matching_entry_decides() {
        let fail = ResponseAction {
            status_code: Some(500),
            content: Some("quota".into()),
            action: RuleAction::Fail,
            ..ResponseAction::DEFAULT
        };
        let retry = ResponseAction {
            status_code: Some(500),
            action: RuleAction::Retry,
            backoff: Some(Backoff::Constant { secs: 2.0 }),
            ..ResponseAction::DEFAULT
        };
        let actions = [fail, retry];
        let headers = http::HeaderMap::new();
        assert_eq!(
            ruling(&actions, 500, &headers, b"quota exceeded"),
            Some(Ruling::Settled)
        );
        assert_eq!(
            ruling(&actions, 500, &headers, b"oops"),
            Some(Ruling::Retry(Some(Backoff::Constant { secs: 2.0 })))
        );
    }

    #[test]
    fn backoffs_wait_as_written_and_within_the_policy() {
        let policy = RetryPolicy::DLT_DEFAULT;
        let none = Jitter::None;
        let mut headers = http::HeaderMap::new();
        assert_eq!(
            Backoff::Constant { secs: 3.0 }.wait(4, &headers, &policy, &none),
            3.0
        );
        let exp = Backoff::Exponential { factor: 2.0 };
        assert_eq!(exp.wait(1, &headers, &policy, &none), 2.0);
        assert_eq!(exp.wait(3, &headers, &policy, &none), 8.0);
        let header = Backoff::Header {
            name: "X-Wait".into(),
        };
        // missing: the policy's backoff
        assert_eq!(header.wait(2, &headers, &policy, &none), 2.0);
        headers.insert("x-wait", http::HeaderValue::from_static("7"));
        assert_eq!(header.wait(2, &headers, &policy, &none), 7.0);
        headers.insert("x-wait", http::HeaderValue::from_static("99999"));
        assert_eq!(header.wait(2, &headers, &policy, &none), 300.0);
        headers.insert("x-wait", http::HeaderValue::from_static("soon"));
        assert_eq!(header.wait(1, &headers, &policy, &none), 1.0);
        // a hostile constant cannot make a negative or unbounded wait
        assert_eq!(
            Backoff::Constant { secs: -5.0 }.wait(1, &headers, &policy, &none),
            0.0
        );
        assert_eq!(
            Backoff::Constant { secs: f64::NAN }.wait(1, &headers, &policy, &none),
            0.0
        );
    }
}
