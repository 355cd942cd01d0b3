//! Airbyte's date macros in templates (`airbyte_cdk`'s `interpolation/macros.py`): `now_utc()`,
//! `today_utc()`, `day_delta()`, `duration()`, `format_datetime()`, `str_to_datetime()`,
//! `timestamp()`, `max()`, `min()`, and `.strftime()`, `.isoformat()`, `.date()`,
//! `.timestamp()` on their values, with datetime ± duration. The clock is a value of the run
//! ([`super::Var::Now`]), so a test fixes it and a request's values are computed once.

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

use super::{Func, Value};
use crate::incremental::windows::{self, IsoDuration};

/// `day_delta`'s default format: Python's `%Y-%m-%dT%H:%M:%S.%f%z`, `+0000` for UTC.
pub const DAY_DELTA_FORMAT: &str = "%Y-%m-%dT%H:%M:%S.%f%z";

/// Whether `func` is one of the date functions this module evaluates.
pub(super) fn owns(func: Func) -> bool {
    matches!(
        func,
        Func::Today
            | Func::DayDelta
            | Func::Duration
            | Func::FormatDatetime
            | Func::StrToDatetime
            | Func::Timestamp
            | Func::Max
            | Func::Min
            | Func::Strftime
            | Func::Isoformat
    )
}

/// `func` over its evaluated operands; `None` where Airbyte raises (a date that does not
/// parse, a format of the wrong type), which a request value reports as an error.
pub(super) fn call<'a>(func: Func, args: Vec<Value<'a>>) -> Value<'a> {
    let mut args = args.into_iter().map(Value::resolve);
    let first = args.next().unwrap_or(Value::None);
    let second = args.next();
    let third = args.next();
    match func {
        // `today_utc()` is `now.date()`, and so is `.date()` on a datetime
        Func::Today => match first {
            Value::DateTime(at) => Value::Date(at.date_naive()),
            date @ Value::Date(_) => date,
            _ => Value::None,
        },
        // operands `[now, days, format?]`
        Func::DayDelta => {
            let (Value::DateTime(now), Some(days)) = (first, second.and_then(whole)) else {
                return Value::None;
            };
            let format = match third {
                Some(Value::Str(f)) => f.into_owned(),
                None | Some(Value::None) => DAY_DELTA_FORMAT.to_string(),
                Some(_) => return Value::None,
            };
            Duration::try_days(days)
                .and_then(|d| now.checked_add_signed(d))
                .map_or(Value::None, |at| text(windows::format(at, &format)))
        }
        Func::Duration => match first {
            Value::Str(s) => IsoDuration::parse(&s).map_or(Value::None, Value::Duration),
            _ => Value::None,
        },
        // operands `[value, format, input_format?]`
        Func::FormatDatetime => {
            let Some(Value::Str(format)) = second else {
                return Value::None;
            };
            let input = match third {
                Some(Value::Str(f)) => Some(f),
                _ => None,
            };
            let at = match first {
                Value::DateTime(at) => Some(at),
                Value::Date(d) => d.and_hms_opt(0, 0, 0).map(|n| n.and_utc()),
                Value::Int(i) => match input.as_deref() {
                    Some(f) => windows::parse(&i.to_string(), f),
                    None => epoch(i as f64),
                },
                Value::Str(s) => match input.as_deref() {
                    Some(f) => windows::parse(&s, f),
                    None => parse(&s),
                },
                _ => None,
            };
            at.map_or(Value::None, |at| text(windows::format(at, &format)))
        }
        Func::StrToDatetime => match first {
            Value::Str(s) => parse(&s).map_or(Value::None, Value::DateTime),
            _ => Value::None,
        },
        // `timestamp(x)`: a number truncated to an integer, a string parsed to epoch seconds
        // (a float, as Python's `datetime.timestamp()`); `.timestamp()` on a datetime too
        Func::Timestamp => match first {
            Value::Int(i) => Value::Int(i),
            Value::Float(f) if f.is_finite() => Value::Int(f.trunc() as i64),
            Value::Str(s) => parse(&s).map_or(Value::None, seconds),
            Value::DateTime(at) => seconds(at),
            _ => Value::None,
        },
        Func::Max | Func::Min => extreme(func, first, second, third, args),
        Func::Strftime => match (first, second) {
            (Value::DateTime(at), Some(Value::Str(f))) => text(windows::format(at, &f)),
            (Value::Date(d), Some(Value::Str(f))) => {
                // a date has no time and no zone: `%z` is empty, as Python writes it
                let f = f.replace("%z", "").replace("%Z", "");
                d.and_hms_opt(0, 0, 0)
                    .map_or(Value::None, |n| text(windows::format(n.and_utc(), &f)))
            }
            _ => Value::None,
        },
        Func::Isoformat => match first {
            Value::DateTime(at) => text(python_datetime(at, 'T')),
            Value::Date(d) => text(d.format("%Y-%m-%d").to_string()),
            _ => Value::None,
        },
        _ => Value::None,
    }
}

fn text(s: String) -> Value<'static> {
    Value::Str(Cow::Owned(s))
}

fn whole(v: Value<'_>) -> Option<i64> {
    match v.number()? {
        Value::Int(i) => Some(i),
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 => Some(f as i64),
        _ => None,
    }
}

fn seconds(at: DateTime<Utc>) -> Value<'static> {
    Value::Float(at.timestamp_micros() as f64 / 1e6)
}

fn epoch(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    DateTime::from_timestamp_micros((seconds * 1e6).round() as i64)
}

/// Python's `max(a, b, ..)` / `min(..)`, or over one list; `None` when the values do not
/// compare (Python raises).
fn extreme<'a>(
    func: Func,
    first: Value<'a>,
    second: Option<Value<'a>>,
    third: Option<Value<'a>>,
    rest: impl Iterator<Item = Value<'a>>,
) -> Value<'a> {
    let items: Vec<Value<'a>> = match second {
        Some(second) => [first, second]
            .into_iter()
            .chain(third)
            .chain(rest)
            .collect(),
        None => match first.to_json() {
            Some(serde_json::Value::Array(items)) => items
                .into_iter()
                .map(|i| Value::Owned(i).resolve())
                .collect(),
            _ => return Value::None,
        },
    };
    let mut items = items.into_iter();
    let Some(mut best) = items.next() else {
        return Value::None;
    };
    let wanted = if func == Func::Max {
        Ordering::Greater
    } else {
        Ordering::Less
    };
    for item in items {
        // Python keeps the first of equal values
        match super::value::ordering(item.clone(), best.clone()) {
            Some(order) if order == wanted => best = item,
            Some(_) => {}
            None => return Value::None,
        }
    }
    best
}

/// Reads a datetime as Airbyte's `str_to_datetime` does (`ab_datetime_parse`): an epoch
/// number (up to ten digits, a fraction allowed), a date (`2024-01-02`, midnight), an ISO
/// 8601 / RFC 3339 datetime with `T` or a space, a fraction and a zone (`Z`, `+02:00`,
/// `+0200`) or none (UTC). What `dateutil` reads beyond that (month names, `01/02/2024`)
/// is not read: `None`.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        let whole = text.split('.').next().unwrap_or_default();
        if whole.len() > 10 {
            return None;
        }
        return epoch(text.parse().ok()?);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1)) {
        return Some(at.with_timezone(&Utc));
    }
    let t = text.replacen(' ', "T", 1);
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(at) = DateTime::parse_from_str(&t, format) {
            return Some(at.with_timezone(&Utc));
        }
    }
    let naive = t.strip_suffix('Z').unwrap_or(&t);
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(naive, format) {
            return Some(at.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
}

/// A UTC datetime as Python writes it: `str()` with a space, `isoformat()` with `T`; the
/// fraction only when there is one, the zone as `+00:00`.
pub(super) fn python_datetime(at: DateTime<Utc>, sep: char) -> String {
    let fraction = if at.timestamp_subsec_micros() == 0 {
        ""
    } else {
        ".%6f"
    };
    at.format(&format!("%Y-%m-%d{sep}%H:%M:%S{fraction}+00:00"))
        .to_string()
}

/// A duration as Python's `str(timedelta)`: `1 day, 2:03:04`, `-1 day, 23:00:00`; months
/// (isodate's `Duration`) first.
pub(super) fn python_duration(d: IsoDuration) -> String {
    let micros = d.exact.num_microseconds().unwrap_or(0);
    let days = micros.div_euclid(86_400_000_000);
    let rest = micros.rem_euclid(86_400_000_000);
    let (h, m) = (rest / 3_600_000_000, rest / 60_000_000 % 60);
    let (s, f) = (rest / 1_000_000 % 60, rest % 1_000_000);
    let mut out = String::new();
    if d.months > 0 {
        let plural = if d.months == 1 { "" } else { "s" };
        out.push_str(&format!("{} month{plural}, ", d.months));
    }
    if days != 0 {
        let plural = if days.abs() == 1 { "" } else { "s" };
        out.push_str(&format!("{days} day{plural}, "));
    }
    out.push_str(&format!("{h}:{m:02}:{s:02}"));
    if f != 0 {
        out.push_str(&format!(".{f:06}"));
    }
    out
}

/// `a + b` / `a - b` where one side is a date value: datetime ± duration, date ± duration
/// (whole days, as Python's `date + timedelta`), datetime − datetime, duration ± duration.
/// `None` when neither side is one (the caller does numbers and strings).
pub(super) fn arithmetic(func: Func, a: &Value<'_>, b: &Value<'_>) -> Option<Value<'static>> {
    let sub = func == Func::Sub;
    Some(match (a, b) {
        (Value::DateTime(at), Value::Duration(d)) => {
            shift(*at, *d, sub).map_or(Value::None, Value::DateTime)
        }
        (Value::Duration(d), Value::DateTime(at)) if !sub => {
            shift(*at, *d, false).map_or(Value::None, Value::DateTime)
        }
        (Value::Date(day), Value::Duration(d)) => day
            .and_hms_opt(0, 0, 0)
            .and_then(|n| shift(n.and_utc(), *d, sub))
            .map_or(Value::None, |at| Value::Date(at.date_naive())),
        (Value::DateTime(x), Value::DateTime(y)) if sub => Value::Duration(IsoDuration {
            months: 0,
            exact: x.signed_duration_since(*y),
        }),
        (Value::Duration(x), Value::Duration(y)) if x.months == 0 && y.months == 0 => {
            let exact = if sub {
                x.exact.checked_sub(&y.exact)
            } else {
                x.exact.checked_add(&y.exact)
            };
            exact.map_or(Value::None, |exact| {
                Value::Duration(IsoDuration { months: 0, exact })
            })
        }
        (Value::DateTime(_) | Value::Date(_) | Value::Duration(_), _)
        | (_, Value::DateTime(_) | Value::Date(_) | Value::Duration(_)) => Value::None,
        _ => return None,
    })
}

fn shift(at: DateTime<Utc>, d: IsoDuration, sub: bool) -> Option<DateTime<Utc>> {
    if sub { d.sub(at) } else { d.add(at) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "dates_tests.rs"]
mod tests;
