//! dlt's `lag` (an attribution window): a resumed run starts `lag` before the checkpoint, so
//! records that changed behind it are fetched again. As dlt's `apply_lag`: numbers step back
//! by `lag` (an integer cursor stays an integer, truncated as Python's `int()` does), a
//! string that reads as a datetime by seconds and one that reads as a date by days, written
//! back in the format it came in; the result never crosses the initial value.

use std::cmp::Ordering;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Number, Value};

use super::{LastValueFunc, newer};

/// dlt's detected string formats, in its order of trial: (format, whether it is a date).
/// `%f` is Python's six-digit microseconds.
const FORMATS: &[(Shape, &str, bool)] = &[
    (Shape::Utc, "%Y-%m-%dT%H:%M:%SZ", false),
    (Shape::UtcFraction, "%Y-%m-%dT%H:%M:%S.%fZ", false),
    (
        Shape::Offset {
            colon: true,
            fraction: false,
        },
        "%Y-%m-%dT%H:%M:%S%:z",
        false,
    ),
    (
        Shape::Offset {
            colon: false,
            fraction: false,
        },
        "%Y-%m-%dT%H:%M:%S%z",
        false,
    ),
    (
        Shape::Offset {
            colon: true,
            fraction: true,
        },
        "%Y-%m-%dT%H:%M:%S.%f%:z",
        false,
    ),
    (
        Shape::Offset {
            colon: false,
            fraction: true,
        },
        "%Y-%m-%dT%H:%M:%S.%f%z",
        false,
    ),
    (
        Shape::Pattern("dddd-dd-ddTdd:dd:dd"),
        "%Y-%m-%dT%H:%M:%S",
        false,
    ),
    (Shape::Pattern("dddd-dd-ddTdd:dd"), "%Y-%m-%dT%H:%M", false),
    (Shape::Pattern("dddd-dd-ddTdd"), "%Y-%m-%dT%H", false),
    (Shape::Pattern("dddd-dd-dd"), "%Y-%m-%d", true),
    (Shape::Pattern("dddd-dd"), "%Y-%m", false),
    (Shape::Pattern("dddd"), "%Y", false),
    (Shape::Pattern("dddd-Wdd"), "%G-W%V", false),
    (Shape::Pattern("dddd-Wdd-d"), "%G-W%V-%u", false),
    (Shape::Pattern("dddd-ddd"), "%Y-%j", false),
    (Shape::Pattern("dddddddd"), "%Y%m%d", true),
    (Shape::Pattern("dddddd"), "%Y%m", false),
];

/// How a format is recognised: dlt's regular expressions, written out.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// `d` is a digit, anything else itself.
    Pattern(&'static str),
    /// Seconds then `Z`.
    Utc,
    /// Seconds, a fraction of one or more digits, then `Z`.
    UtcFraction,
    /// Seconds, an optional fraction, then `+hh:mm` / `+hhmm` (or `-`).
    Offset { colon: bool, fraction: bool },
}

fn matches_pattern(text: &str, pattern: &str) -> bool {
    text.len() == pattern.len()
        && text.bytes().zip(pattern.bytes()).all(|(t, p)| {
            if p == b'd' {
                t.is_ascii_digit()
            } else {
                t == p
            }
        })
}

/// Splits `.digits` off the front of `rest`: the digits and what follows.
fn fraction(rest: &str) -> Option<(&str, &str)> {
    let rest = rest.strip_prefix('.')?;
    let end = rest.bytes().take_while(u8::is_ascii_digit).count();
    (end > 0).then(|| rest.split_at(end))
}

impl Shape {
    fn matches(self, text: &str) -> bool {
        let seconds = |t: &str| t.len() >= 19 && matches_pattern(&t[..19], "dddd-dd-ddTdd:dd:dd");
        match self {
            Shape::Pattern(p) => matches_pattern(text, p),
            Shape::Utc => text.len() == 20 && seconds(text) && text.ends_with('Z'),
            Shape::UtcFraction => {
                seconds(text) && fraction(&text[19..]).is_some_and(|(_, rest)| rest == "Z")
            }
            Shape::Offset {
                colon,
                fraction: with_fraction,
            } => {
                if !seconds(text) {
                    return false;
                }
                let rest = &text[19..];
                let zone = if with_fraction {
                    match fraction(rest) {
                        Some((_, zone)) => zone,
                        None => return false,
                    }
                } else {
                    rest
                };
                let pattern = if colon { "+dd:dd" } else { "+dddd" };
                let Some(sign) = zone.bytes().next() else {
                    return false;
                };
                (sign == b'+' || sign == b'-')
                    && zone.len() == pattern.len()
                    && matches_pattern(&zone[1..], &pattern[1..])
            }
        }
    }
}

/// A value read in its detected format: naive or with a fixed offset.
#[derive(Debug, Clone, Copy)]
enum Moment {
    Naive(NaiveDateTime),
    Aware(DateTime<FixedOffset>),
}

impl Moment {
    fn naive(self) -> NaiveDateTime {
        match self {
            Moment::Naive(n) => n,
            Moment::Aware(a) => a.naive_local(),
        }
    }

    /// Shifts the instant; with a fixed offset the wall clock shifts the same.
    fn shift(self, by: Duration) -> Option<Moment> {
        Some(match self {
            Moment::Naive(n) => Moment::Naive(n.checked_add_signed(by)?),
            Moment::Aware(a) => Moment::Aware(a.checked_add_signed(by)?),
        })
    }

    fn format(self, format: &str) -> String {
        // Python's `%f` is six digits; chrono's `%6f` is
        let format = format.replace("%f", "%6f");
        match self {
            Moment::Naive(n) => n.format(&format).to_string(),
            Moment::Aware(a) => a.format(&format).to_string(),
        }
    }
}

/// Reads `text` in `format` the way pendulum parses it (a partial date is its first day).
fn parse(text: &str, format: &str) -> Option<Moment> {
    let midnight = |d: NaiveDate| Moment::Naive(d.and_time(NaiveTime::MIN));
    match format {
        "%Y-%m-%d" | "%Y%m%d" => NaiveDate::parse_from_str(text, format).ok().map(midnight),
        "%Y-%m" | "%Y%m" => NaiveDate::parse_from_str(&format!("{text}01"), &format!("{format}%d"))
            .ok()
            .map(midnight),
        "%Y" => NaiveDate::from_ymd_opt(text.parse().ok()?, 1, 1).map(midnight),
        "%Y-%j" | "%G-W%V-%u" => NaiveDate::parse_from_str(text, format).ok().map(midnight),
        // a week is its Monday
        "%G-W%V" => NaiveDate::parse_from_str(&format!("{text}-1"), "%G-W%V-%u")
            .ok()
            .map(midnight),
        "%Y-%m-%dT%H" => NaiveDateTime::parse_from_str(&format!("{text}:00"), "%Y-%m-%dT%H:%M")
            .ok()
            .map(Moment::Naive),
        "%Y-%m-%dT%H:%M" | "%Y-%m-%dT%H:%M:%S" => NaiveDateTime::parse_from_str(text, format)
            .ok()
            .map(Moment::Naive),
        // `Z`, with or without a fraction, is UTC
        "%Y-%m-%dT%H:%M:%SZ" | "%Y-%m-%dT%H:%M:%S.%fZ" => {
            DateTime::parse_from_rfc3339(text).ok().map(Moment::Aware)
        }
        _ => DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
            .ok()
            .map(Moment::Aware),
    }
}

/// Why a lag could not be applied (as dlt, which raises on these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LagError(pub String);

/// dlt's `detect_datetime_format`: the format of a string cursor, with whether it is a date.
fn detect(text: &str) -> Option<(&'static str, bool)> {
    FORMATS
        .iter()
        .find(|(shape, _, _)| shape.matches(text))
        .map(|(_, format, date)| (*format, *date))
}

/// The start of a resumed run: `last` moved back by `lag` (forward for `min`), not crossing
/// `initial`. `initial` also decides the unit when it is a date or datetime string (dlt's
/// `_cursor_date_type`).
pub(crate) fn apply(
    lag: f64,
    initial: Option<&Value>,
    last: &Value,
    func: LastValueFunc,
) -> Result<Value, LagError> {
    let signed = match func {
        LastValueFunc::Max => -lag,
        LastValueFunc::Min => lag,
    };
    let declared_date = initial
        .and_then(Value::as_str)
        .and_then(detect)
        .map(|(_, date)| date);
    let lagged = match last {
        Value::Number(n) => number(n, signed)?,
        Value::String(s) => string(s, signed, declared_date, func)?,
        other => {
            return Err(LagError(format!(
                "lag is not supported for the cursor value {other}: strings must read as a \
                 datetime or a date"
            )));
        }
    };
    Ok(match initial {
        // dlt: `last_value_func((initial, lagged)) == initial` keeps the initial value
        Some(initial) if !initial.is_null() => match newer(&lagged, initial, func) {
            Some(Ordering::Greater) => lagged,
            Some(_) => initial.clone(),
            None => lagged,
        },
        _ => lagged,
    })
}

fn number(n: &Number, signed: f64) -> Result<Value, LagError> {
    let bad = || LagError(format!("lag cannot be applied to {n}"));
    if let Some(i) = n.as_i64() {
        // an integer stays one, truncated toward zero as Python's `int()`
        if signed.fract() == 0.0 && signed.abs() < 9.0e15 {
            #[allow(clippy::cast_possible_truncation)]
            let step = signed as i64;
            return i.checked_add(step).map(Value::from).ok_or_else(bad);
        }
        #[allow(clippy::cast_precision_loss)]
        let value = (i as f64 + signed).trunc();
        #[allow(clippy::cast_possible_truncation)]
        return Ok(Value::from(value as i64));
    }
    let value = n.as_f64().ok_or_else(bad)? + signed;
    Number::from_f64(value).map(Value::Number).ok_or_else(bad)
}

fn string(
    text: &str,
    signed: f64,
    declared_date: Option<bool>,
    func: LastValueFunc,
) -> Result<Value, LagError> {
    let not_a_date = || {
        LagError(format!(
            "lag is not supported for the cursor value `{text}`: it reads as neither a datetime \
             nor a date in a format dlt detects"
        ))
    };
    let (format, is_date) = detect(text).ok_or_else(not_a_date)?;
    let moment = parse(text, format).ok_or_else(not_a_date)?;
    // the initial value's shape decides the unit; without one the value's own
    let in_days = declared_date.unwrap_or(is_date);
    let lagged = if in_days {
        // `timedelta(days=x)` on a date moves whole days, rounding down
        #[allow(clippy::cast_possible_truncation)]
        let days = Duration::days(signed.floor() as i64);
        let day = moment
            .naive()
            .date()
            .checked_add_signed(days)
            .ok_or_else(not_a_date)?;
        if is_date {
            Moment::Naive(day.and_time(NaiveTime::MIN))
        } else {
            // a datetime lagged by days: the whole day stays in range, its start for a lower
            // bound (`max`), its last microsecond for an upper one
            let time = match func {
                LastValueFunc::Max => NaiveTime::MIN,
                LastValueFunc::Min => {
                    NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap_or(NaiveTime::MIN)
                }
            };
            let wall = day.and_time(time);
            match moment {
                Moment::Naive(_) => Moment::Naive(wall),
                // dlt takes the day in UTC (its context timezone) and combines in the value's
                // zone; fixed offsets here, so this is the value's own wall clock in UTC
                Moment::Aware(a) => {
                    let utc_day = a.naive_utc().date().checked_add_signed(days);
                    let utc_day = utc_day.ok_or_else(not_a_date)?;
                    let utc = utc_day.and_time(time);
                    Moment::Aware(DateTime::from_naive_utc_and_offset(utc, *a.offset()))
                }
            }
        }
    } else {
        // `timedelta(seconds=x)`: microseconds, rounded
        #[allow(clippy::cast_possible_truncation)]
        let micros = (signed * 1_000_000.0).round() as i64;
        moment
            .shift(Duration::microseconds(micros))
            .ok_or_else(not_a_date)?
    };
    Ok(Value::String(lagged.format(format)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::Datelike;
    use serde_json::json;

    use super::*;

    fn lag(lag: f64, initial: Value, last: Value, func: LastValueFunc) -> Value {
        let initial = (!initial.is_null()).then_some(initial);
        apply(lag, initial.as_ref(), &last, func).unwrap()
    }

    #[test]
    fn numbers_step_back_and_integers_stay_integers() {
        use LastValueFunc::{Max, Min};
        assert_eq!(lag(3.0, json!(0), json!(10), Max), json!(7));
        assert_eq!(lag(1.5, json!(0), json!(10), Max), json!(8));
        assert_eq!(lag(1.5, json!(0.0), json!(10.0), Max), json!(8.5));
        assert_eq!(lag(3.0, json!(100), json!(10), Min), json!(13));
        // never before the initial value
        assert_eq!(lag(30.0, json!(0), json!(10), Max), json!(0));
        assert_eq!(lag(30.0, Value::Null, json!(10), Max), json!(-20));
    }

    #[test]
    fn datetime_strings_step_back_by_seconds_in_their_own_format() {
        use LastValueFunc::Max;
        let at = |l: f64, v: &str| lag(l, json!("2000-01-01T00:00:00Z"), json!(v), Max);
        assert_eq!(
            at(3600.0, "2024-03-01T00:30:00Z"),
            json!("2024-02-29T23:30:00Z")
        );
        assert_eq!(
            at(0.5, "2024-03-01T00:30:00.25Z"),
            json!("2024-03-01T00:29:59.750000Z")
        );
        assert_eq!(
            at(60.0, "2024-03-01T00:30:00+02:00"),
            json!("2024-03-01T00:29:00+02:00")
        );
        assert_eq!(
            at(60.0, "2024-03-01T00:30:00-0500"),
            json!("2024-03-01T00:29:00-0500")
        );
        assert_eq!(at(86400.0, "2024-03-01T00:30"), json!("2024-02-29T00:30"));
        // partial dates are datetimes to dlt: seconds, written back in their own shape
        assert_eq!(at(86400.0, "2024-03"), json!("2024-02"));
        assert_eq!(at(86400.0, "2024-W10"), json!("2024-W09"));
        assert_eq!(at(86400.0, "2024-061"), json!("2024-060"));
    }

    #[test]
    fn date_strings_step_back_by_days() {
        use LastValueFunc::{Max, Min};
        assert_eq!(
            lag(2.0, json!("2024-01-01"), json!("2024-03-01"), Max),
            json!("2024-02-28")
        );
        assert_eq!(
            lag(1.5, json!("2024-01-01"), json!("2024-03-01"), Max),
            json!("2024-02-28")
        );
        assert_eq!(
            lag(1.0, json!("20240101"), json!("20240301"), Max),
            json!("20240229")
        );
        assert_eq!(
            lag(2.0, json!("2025-01-01"), json!("2024-03-01"), Min),
            json!("2024-03-03")
        );
        // a datetime cursor with a date initial value: lagged by days, to the day's start
        assert_eq!(
            lag(1.0, json!("2024-01-01"), json!("2024-03-01T10:30:00Z"), Max),
            json!("2024-02-29T00:00:00Z")
        );
        assert_eq!(
            lag(9.0, json!("2024-02-25"), json!("2024-03-01"), Max),
            json!("2024-02-25")
        );
    }

    #[test]
    fn values_that_are_not_dates_are_refused() {
        for value in [json!("abc"), json!(true), json!("2024/01/01")] {
            assert!(
                apply(1.0, None, &value, LastValueFunc::Max).is_err(),
                "{value}"
            );
        }
        assert_eq!(parse("2024", "%Y").unwrap().naive().year(), 2024);
    }
}
