//! Injected faults: what can go wrong with one answer, which requests it strikes, and the
//! `KIND[@RESOURCE][:REQUEST][*TIMES]` form `cargo xtask mock --faults` takes.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How a 429 or 5xx says how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `retry-after-ms: <ms>`, with `Retry-After` rounded up to whole seconds beside it.
    Millis(u64),
}

/// A failure injected into one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// `429 Too Many Requests`, asking for a wait.
    TooManyRequests {
        /// The wait it asks for.
        retry_after: RetryAfter,
    },
    /// A 5xx status.
    ServerError {
        /// The status.
        status: u16,
        /// The wait it asks for, if any.
        retry_after: Option<RetryAfter>,
    },
    /// The connection is reset (a TCP RST) once the request is read, before any answer.
    ResetConnection,
    /// The page's headers announce its whole body, and the connection closes halfway through
    /// it: the client sees a body that ends early.
    TruncatedBody,
    /// A complete response (its `Content-Length` is right) whose JSON is cut in half.
    CutJson,
    /// The page is held back this long before its status line.
    Slow {
        /// How long.
        delay: Duration,
    },
    /// The page offers again the cursor or link its request came with (for a last-record
    /// cursor: it repeats the previous page), so the next request would repeat this one. Only
    /// cursor and link paginators have a position to repeat, and only from their second page.
    RepeatedCursor,
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wait = |f: &mut fmt::Formatter<'_>, r: &RetryAfter| match r {
            RetryAfter::Seconds(s) => write!(f, "={s}s"),
            RetryAfter::Millis(ms) => write!(f, "={ms}ms"),
        };
        match self {
            FaultKind::TooManyRequests { retry_after } => {
                write!(f, "429")?;
                wait(f, retry_after)
            }
            FaultKind::ServerError {
                status,
                retry_after,
            } => {
                write!(f, "{status}")?;
                retry_after.as_ref().map_or(Ok(()), |r| wait(f, r))
            }
            FaultKind::ResetConnection => write!(f, "reset"),
            FaultKind::TruncatedBody => write!(f, "truncate"),
            FaultKind::CutJson => write!(f, "cut-json"),
            FaultKind::Slow { delay } => write!(f, "slow={}ms", delay.as_millis()),
            FaultKind::RepeatedCursor => write!(f, "repeat-cursor"),
        }
    }
}

/// Where a fault strikes: `times` requests in a row routed to `resource`, from its
/// `request`-th (counting from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The resource.
    pub resource: String,
    /// The first request it strikes, from 1.
    pub request: usize,
    /// How many requests in a row it strikes.
    pub times: usize,
    /// What happens.
    pub kind: FaultKind,
}

impl Fault {
    /// `kind` on the `request`-th request to `resource`, once.
    pub fn new(resource: &str, request: usize, kind: FaultKind) -> Fault {
        Fault {
            resource: resource.to_string(),
            request,
            times: 1,
            kind,
        }
    }

    /// Strikes `n` requests in a row instead of one.
    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }

    /// Whether it strikes the `count`-th request to `resource`.
    pub fn fires(&self, resource: &str, count: usize) -> bool {
        self.resource == resource
            && (self.request..self.request.saturating_add(self.times)).contains(&count)
    }
}

/// A fault as written on a command line, `KIND[@RESOURCE][:REQUEST][*TIMES]`: every resource
/// when no resource is named, from its second request (so a first page has arrived), once.
///
/// KIND is `429[=WAIT]` (default 1 s), a 5xx status `5NN[=WAIT]` (or `5xx` for 503), `reset`,
/// `truncate`, `cut-json`, `slow[=WAIT]` (default 2 s) or `repeat-cursor`; WAIT is `<n>ms` or
/// `<n>s`. Example: `503*2@labels:3` answers the third and fourth `labels` requests with 503.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// The resource, or every resource.
    pub resource: Option<String>,
    /// The first request it strikes, from 1.
    pub request: usize,
    /// How many requests in a row.
    pub times: usize,
    /// What happens.
    pub kind: FaultKind,
}

impl FaultRule {
    /// The faults this rule sets for a spec with these resources.
    pub fn faults<'a>(&'a self, resources: impl IntoIterator<Item = &'a str>) -> Vec<Fault> {
        resources
            .into_iter()
            .filter(|name| self.resource.as_deref().is_none_or(|r| r == *name))
            .map(|name| Fault::new(name, self.request, self.kind.clone()).times(self.times))
            .collect()
    }
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(resource) = &self.resource {
            write!(f, "@{resource}")?;
        }
        write!(f, ":{}", self.request)?;
        if self.times != 1 {
            write!(f, "*{}", self.times)?;
        }
        Ok(())
    }
}

impl FromStr for FaultRule {
    type Err = String;

    fn from_str(text: &str) -> Result<FaultRule, String> {
        let text = text.trim();
        let (rest, times) = match text.rsplit_once('*') {
            Some((rest, n)) => (rest, count(n, "times")?),
            None => (text, 1),
        };
        let (rest, request) = match rest.rsplit_once(':') {
            Some((rest, n)) => (rest, count(n, "request")?),
            None => (rest, 2),
        };
        let (kind, resource) = match rest.split_once('@') {
            Some((kind, resource)) if !resource.is_empty() => (kind, Some(resource.to_string())),
            Some(_) => return Err(format!("`{text}`: a resource name follows `@`")),
            None => (rest, None),
        };
        Ok(FaultRule {
            resource,
            request,
            times,
            kind: kind.parse()?,
        })
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(text: &str) -> Result<FaultKind, String> {
        let (name, arg) = match text.split_once('=') {
            Some((name, arg)) => (name, Some(duration(arg)?)),
            None => (text, None),
        };
        let retry_after = |d: Duration| RetryAfter::Millis(d.as_millis() as u64);
        let no_arg = |kind: FaultKind| match arg {
            None => Ok(kind),
            Some(_) => Err(format!("`{name}` takes no `=` value")),
        };
        match name {
            "429" => Ok(FaultKind::TooManyRequests {
                retry_after: arg.map_or(RetryAfter::Seconds(1), retry_after),
            }),
            "5xx" => Ok(FaultKind::ServerError {
                status: 503,
                retry_after: arg.map(retry_after),
            }),
            "reset" => no_arg(FaultKind::ResetConnection),
            "truncate" => no_arg(FaultKind::TruncatedBody),
            "cut-json" => no_arg(FaultKind::CutJson),
            "repeat-cursor" => no_arg(FaultKind::RepeatedCursor),
            "slow" => Ok(FaultKind::Slow {
                delay: arg.unwrap_or(Duration::from_secs(2)),
            }),
            status => match status.parse::<u16>() {
                Ok(status) if (500..600).contains(&status) => Ok(FaultKind::ServerError {
                    status,
                    retry_after: arg.map(retry_after),
                }),
                _ => Err(format!(
                    "unknown fault `{text}`; one of 429[=WAIT], 5xx or 5NN[=WAIT], reset, \
                     truncate, cut-json, slow[=WAIT], repeat-cursor"
                )),
            },
        }
    }
}

/// A count of at least 1.
fn count(text: &str, what: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{what} `{text}` is not a number from 1")),
    }
}

/// `250ms` or `2s`.
fn duration(text: &str) -> Result<Duration, String> {
    let parsed = if let Some(ms) = text.strip_suffix("ms") {
        ms.parse().ok().map(Duration::from_millis)
    } else if let Some(s) = text.strip_suffix('s') {
        s.parse().ok().map(Duration::from_secs)
    } else {
        None
    };
    parsed.ok_or_else(|| format!("wait `{text}` is not `<n>ms` or `<n>s`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_with_their_defaults_and_print_back() {
        let rule: FaultRule = "reset".parse().unwrap();
        assert_eq!(
            rule,
            FaultRule {
                resource: None,
                request: 2,
                times: 1,
                kind: FaultKind::ResetConnection
            }
        );
        let rule: FaultRule = "503=250ms@labels:3*2".parse().unwrap();
        assert_eq!(rule.resource.as_deref(), Some("labels"));
        assert_eq!((rule.request, rule.times), (3, 2));
        assert_eq!(
            rule.kind,
            FaultKind::ServerError {
                status: 503,
                retry_after: Some(RetryAfter::Millis(250))
            }
        );
        for text in [
            "429=1000ms:2",
            "5xx@a:1",
            "truncate@contacts:4*3",
            "cut-json:2",
            "slow=2000ms:2",
            "repeat-cursor@x:2",
        ] {
            let rule: FaultRule = text.parse().unwrap();
            let back: FaultRule = rule.to_string().parse().unwrap();
            assert_eq!(back, rule, "{text}");
        }
        assert_eq!(
            "slow".parse::<FaultKind>(),
            Ok(FaultKind::Slow {
                delay: Duration::from_secs(2)
            })
        );
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        for (text, expected) in [
            ("teapot", "unknown fault"),
            ("418", "unknown fault"),
            ("reset=2s", "takes no"),
            ("slow=soon", "is not `<n>ms`"),
            ("reset:0", "request `0`"),
            ("reset*x", "times `x`"),
            ("reset@:2", "resource name"),
        ] {
            let err = text.parse::<FaultRule>().unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn a_rule_without_resource_strikes_every_resource() {
        let rule: FaultRule = "reset:3".parse().unwrap();
        let faults = rule.faults(["a", "b"]);
        assert_eq!(faults.len(), 2);
        assert!(faults[1].fires("b", 3) && !faults[1].fires("b", 2) && !faults[1].fires("a", 3));
        let rule: FaultRule = "reset@b*2".parse().unwrap();
        let faults = rule.faults(["a", "b"]);
        assert_eq!(
            faults,
            [Fault::new("b", 2, FaultKind::ResetConnection).times(2)]
        );
        assert!(faults[0].fires("b", 3) && !faults[0].fires("b", 4));
    }
}
