//! Runs a resource through its generated blocking client and checks what came out against
//! what the emulated API holds: every record exactly once, and nothing else.

use std::collections::BTreeMap;
use std::time::Duration;

use restgen_runtime::Error;
use restgen_runtime::fanout::ChildRecord;
use serde_json::Value;

use crate::server::{Emulator, Fault};

/// The cap on every wait between attempts: the tests are about which records arrive, not
/// about how long a client waits (a `Retry-After: 1` is obeyed as 50 ms).
pub const RETRY_CAP: Duration = Duration::from_millis(50);

/// The read timeout of the clients under test.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What one run produced: the key of each record, in order, and the error that ended it.
#[derive(Debug)]
pub struct Run {
    pub keys: Vec<String>,
    pub error: Option<Error>,
}

fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "<missing>".to_string(),
    }
}

/// Drains a resource's records, keyed by their field `key`.
pub fn records<T: restgen_runtime::serde::Serialize>(
    iter: impl Iterator<Item = Result<T, Error>>,
    key: &str,
) -> Run {
    let mut keys = Vec::new();
    for item in iter {
        match item {
            Ok(record) => {
                let value = serde_json::to_value(&record).unwrap();
                keys.push(text(value.get(key)));
            }
            Err(error) => {
                return Run {
                    keys,
                    error: Some(error),
                };
            }
        }
    }
    Run { keys, error: None }
}

/// Drains a fan-out, keying each child record `<parent field>/<child key>`.
pub fn children<T: restgen_runtime::serde::Serialize>(
    iter: impl Iterator<Item = Result<ChildRecord<T>, Error>>,
    parent_field: &str,
    key: &str,
) -> Run {
    let mut keys = Vec::new();
    for item in iter {
        match item {
            Ok(child) => {
                let value = serde_json::to_value(&child.record).unwrap();
                keys.push(format!(
                    "{}/{}",
                    text(child.parent.get(parent_field)),
                    text(value.get(key))
                ));
            }
            Err(error) => {
                return Run {
                    keys,
                    error: Some(error),
                };
            }
        }
    }
    Run { keys, error: None }
}

/// Every key of `want` exactly once in `run`, and nothing else; no error.
pub fn exactly_once(what: &str, run: &Run, want: &[String]) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for k in &run.keys {
        *counts.entry(k.as_str()).or_default() += 1;
    }
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    let missing: Vec<_> = want
        .iter()
        .filter(|k| !counts.contains_key(k.as_str()))
        .collect();
    let unexpected: Vec<_> = counts
        .keys()
        .filter(|k| !want.iter().any(|w| w == *k))
        .collect();
    assert!(
        run.error.is_none() && repeated.is_empty() && missing.is_empty() && unexpected.is_empty(),
        "{what}: {} of {} records; error: {:?}; repeated: {repeated:?}; missing ({}): {:?}; unexpected: {unexpected:?}",
        run.keys.len(),
        want.len(),
        run.error.as_ref().map(ToString::to_string),
        missing.len(),
        missing.iter().take(5).collect::<Vec<_>>(),
    );
    assert_eq!(run.keys.len(), want.len(), "{what}: record count");
}

/// A clean server: every record exactly once; every request was routed, authorized and
/// answered without a server error (a `404` the API means, such as a deleted parent's, is fine).
pub fn clean(emu: &Emulator, resource: &'static str, want: &[String], go: impl Fn() -> Run) {
    let run = go();
    exactly_once(&format!("{resource}, clean server"), &run, want);
    for logged in emu.log() {
        assert!(
            logged.resource.is_some() && !logged.denied && logged.status < 429,
            "{resource}: {:?}?{:?} routed to {:?}, answered {}",
            logged.req.path,
            logged.req.raw_query,
            logged.resource,
            logged.status
        );
    }
}

/// One `429` (`Retry-After: 1`) and one `503` among `resource`'s requests, on pages after the
/// first where there are several: every record still exactly once.
///
/// A first run counts the resource's requests (`n`); the faults are armed relative to it.
/// With three or more requests: the 429 answers the second, the 503 the next page after it.
/// With two: the 429 answers the second and the 503 its retry. With one: both hit it.
pub fn faults(emu: &Emulator, resource: &'static str, want: &[String], go: impl Fn() -> Run) {
    let first = go();
    let n = emu.requests(resource).len();
    assert!(n > 0, "{resource}: no request reached the resource");
    let (rate, unavailable) = match n {
        1 => (1, 2),
        2 => (2, 3),
        _ => (2, 4),
    };
    emu.arm(resource, n + rate, Fault::RateLimited);
    emu.arm(resource, n + unavailable, Fault::Unavailable);
    let run = go();
    exactly_once(&format!("{resource}, one 429 and one 503"), &run, want);
    let faulted: Vec<u16> = emu.requests(resource)[n..]
        .iter()
        .filter(|l| l.fault)
        .map(|l| l.status)
        .collect();
    assert_eq!(
        faulted,
        [429, 503],
        "{resource}: both faults were served (first run: {} records)",
        first.keys.len()
    );
}

/// A run with a wrong credential: it ends at the first request with the API's 401 as a
/// typed error, without retrying it, and the credential it was given is not in the message.
pub fn refused(emu: &Emulator, run: &Run, wrong: &str) {
    assert!(run.keys.is_empty(), "records despite a wrong credential");
    let error = run.error.as_ref().expect("a wrong credential is an error");
    assert_eq!(error.status(), Some(401), "{error}");
    assert!(
        !error.to_string().contains(wrong),
        "the credential leaks: {error}"
    );
    assert!(
        !format!("{error:?}").contains(wrong),
        "the credential leaks: {error:?}"
    );
    let statuses: Vec<u16> = emu.log().iter().map(|l| l.status).collect();
    assert_eq!(statuses, [401], "one request, not retried");
}
