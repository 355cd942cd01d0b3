//! Resolves `client.api_budget` (Airbyte's `HTTPAPIBudget`) into the runtime's
//! `BudgetSpec`: every rate of every policy, the rate-limit statuses and header names.
//! Policies' `matchers` (per-endpoint budgets) are accepted and applied to every request,
//! which only ever sends less than the API allows.

use std::borrow::Cow;
use std::time::Duration;

use restgen_runtime::budget::{BudgetSpec, Rate};
use serde_yaml::Value;

use super::issue::Issue;
use crate::spec::diagnostic::one_of;

const KEYS: &[&str] = &[
    "type",
    "policies",
    "ratelimit_reset_header",
    "ratelimit_remaining_header",
    "status_codes_for_ratelimit_hit",
];
const POLICIES: &[&str] = &[
    "FixedWindowCallRatePolicy",
    "MovingWindowCallRatePolicy",
    "UnlimitedCallRatePolicy",
];

/// The budget `value` declares.
pub fn resolve(value: &Value) -> Result<BudgetSpec, Issue> {
    let Value::Mapping(map) = value else {
        return Err(Issue::new("`api_budget` must be a mapping").label("expected a mapping"));
    };
    for (key, _) in map {
        let key = key.as_str().unwrap_or_default();
        if !KEYS.contains(&key) {
            return Err(Issue::new(format!("unknown key `{key}` in `api_budget`"))
                .at_key(key)
                .key()
                .label(format!("expected {}", one_of(KEYS))));
        }
    }
    let text = |key: &str| -> Result<Option<Cow<'static, str>>, Issue> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(Cow::Owned(s.clone()))),
            Some(_) => Err(Issue::new(format!("`{key}` must be a header name"))
                .at_key(key)
                .label("expected a string")),
        }
    };
    let mut rates = Vec::new();
    let policies = match map.get("policies") {
        Some(Value::Sequence(items)) => items.as_slice(),
        _ => {
            return Err(
                Issue::new("`api_budget` needs a list of `policies`").label("no `policies` list")
            );
        }
    };
    for (index, policy) in policies.iter().enumerate() {
        rates.extend(policy_rates(policy).map_err(|e| e.under_index(index).under("policies"))?);
    }
    let mut limit_statuses = Vec::new();
    match map.get("status_codes_for_ratelimit_hit") {
        None | Some(Value::Null) => {}
        Some(Value::Sequence(codes)) => {
            for code in codes {
                match code.as_u64().and_then(|c| u16::try_from(c).ok()) {
                    Some(code @ 400..=599) => limit_statuses.push(code),
                    _ => {
                        return Err(Issue::new(
                            "a rate-limit status is an error status, 400 to 599",
                        )
                        .at_key("status_codes_for_ratelimit_hit")
                        .label("expected status codes"));
                    }
                }
            }
        }
        Some(_) => {
            return Err(
                Issue::new("`status_codes_for_ratelimit_hit` must be a list")
                    .at_key("status_codes_for_ratelimit_hit")
                    .label("expected a list of status codes"),
            );
        }
    }
    Ok(BudgetSpec {
        rates: Cow::Owned(rates),
        limit_statuses: Cow::Owned(limit_statuses),
        remaining_header: text("ratelimit_remaining_header")?,
        reset_header: text("ratelimit_reset_header")?,
    })
}

/// The rates of one policy.
fn policy_rates(policy: &Value) -> Result<Vec<Rate>, Issue> {
    let kind = policy
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match kind {
        "UnlimitedCallRatePolicy" => Ok(Vec::new()),
        "FixedWindowCallRatePolicy" => {
            let limit = count(policy, "call_limit")?;
            let period = duration(policy, "period")?;
            Ok(vec![Rate::fixed(limit, period)])
        }
        "MovingWindowCallRatePolicy" => {
            let Some(Value::Sequence(items)) = policy.get("rates") else {
                return Err(Issue::new("a moving window needs `rates`")
                    .label("expected `rates: [{limit, interval}]`"));
            };
            items
                .iter()
                .enumerate()
                .map(|(i, rate)| {
                    let limit =
                        count(rate, "limit").map_err(|e| e.under_index(i).under("rates"))?;
                    let period =
                        duration(rate, "interval").map_err(|e| e.under_index(i).under("rates"))?;
                    Ok(Rate::moving(limit, period))
                })
                .collect()
        }
        other => Err(Issue::new(format!("unknown policy `{other}`"))
            .at_key("type")
            .label(format!("expected {}", one_of(POLICIES)))),
    }
}

fn count(map: &Value, key: &str) -> Result<u32, Issue> {
    map.get(key)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            Issue::new(format!("`{key}` must be a positive whole number of calls"))
                .at_key(key)
                .label("expected a count")
        })
}

/// An ISO 8601 duration as Airbyte writes them (`PT1S`, `PT0.5S`, `PT1M`, `PT1H`, `P1D`),
/// or a number of seconds.
fn duration(map: &Value, key: &str) -> Result<Duration, Issue> {
    let bad = || {
        Issue::new(format!(
            "`{key}` must be a duration such as `PT1S`, `PT1M` or `P1D`"
        ))
        .at_key(key)
        .label("expected an ISO 8601 duration")
    };
    let secs = match map.get(key) {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(text)) => iso_seconds(text),
        _ => None,
    }
    .ok_or_else(bad)?;
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(bad)
}

fn iso_seconds(text: &str) -> Option<f64> {
    let rest = text.trim().strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((days, time)) => (days, time),
        None => (rest, ""),
    };
    let mut secs = 0.0;
    let mut read = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
            } else {
                let (_, scale) = units.iter().find(|(u, _)| *u == c)?;
                secs += number.parse::<f64>().ok()? * scale;
                number.clear();
            }
        }
        number.is_empty().then_some(())
    };
    read(days, &[('W', 604_800.0), ('D', 86_400.0)])?;
    read(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    Some(secs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn airbyte_policies_become_rates() {
        let spec = resolve(&yaml(
            "type: HTTPAPIBudget
policies:
  - type: MovingWindowCallRatePolicy
    rates: [{limit: 100, interval: PT1S}, {limit: 5000, interval: PT1H}]
    matchers: [{url_path_pattern: /items}]
  - type: FixedWindowCallRatePolicy
    period: P1D
    call_limit: 10000
    matchers: []
  - type: UnlimitedCallRatePolicy
    matchers: []
ratelimit_remaining_header: X-Calls-Left
status_codes_for_ratelimit_hit: [429, 420]",
        ))
        .unwrap();
        assert_eq!(
            spec.rates.as_ref(),
            [
                Rate::moving(100, Duration::from_secs(1)),
                Rate::moving(5000, Duration::from_secs(3600)),
                Rate::fixed(10_000, Duration::from_secs(86_400)),
            ]
        );
        assert_eq!(spec.limit_statuses.as_ref(), [429, 420]);
        assert_eq!(spec.remaining_header.as_deref(), Some("X-Calls-Left"));
        assert_eq!(spec.reset_header, None);
    }

    #[test]
    fn bad_budgets_are_located_errors() {
        for text in [
            "policies: [{type: MovingWindowCallRatePolicy, rates: [{limit: 0, interval: PT1S}]}]",
            "policies: [{type: FixedWindowCallRatePolicy, period: soon, call_limit: 5}]",
            "policies: [{type: FixedWindowCallRatePolicy, period: PT0S, call_limit: 5}]",
            "policies: [{type: TokenBucket}]",
            "policies: []\nweights: 3",
            "status_codes_for_ratelimit_hit: [200]\npolicies: []",
        ] {
            assert!(resolve(&yaml(text)).is_err(), "{text}");
        }
        assert_eq!(iso_seconds("PT0.5S"), Some(0.5));
        assert_eq!(iso_seconds("PT1M30S"), Some(90.0));
        assert_eq!(iso_seconds("P1DT1H"), Some(90_000.0));
    }
}
