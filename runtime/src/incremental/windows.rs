//! Date windows as Airbyte's `DatetimeBasedCursor` slices a range: from a start to an end in
//! `step`s (ISO 8601 durations), each window ending one `cursor_granularity` before the next
//! begins, bounds written in the cursor's `datetime_format` (strftime, plus Airbyte's `%s`,
//! `%ms`, `%s_as_float` and `%_ms`). A resumed sync starts at the newest cursor value seen,
//! `lookback_window` before it, never before the start. The windows are walked as list
//! partitions ([`crate::FanOut::over_windows`]), so each window is a resumable unit.

use chrono::{DateTime, Duration, Months, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

use super::IncrementalConfig;
use crate::descriptor::Text;

/// An ISO 8601 duration: calendar months (years are twelve) and an exact part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoDuration {
    /// Months, added on the calendar (the 31st plus a month is the end of the next month).
    pub months: u32,
    /// Weeks, days, hours, minutes and seconds.
    pub exact: Duration,
}

impl IsoDuration {
    /// No time at all.
    pub const ZERO: IsoDuration = IsoDuration {
        months: 0,
        exact: Duration::zero(),
    };

    /// Parses `P[nY][nM][nW][nD][T[nH][nM][n[.f]S]]` (`P1D`, `PT1S`, `P1M`, `PT0.001S`);
    /// `None` for anything else, or a duration of nothing.
    pub fn parse(text: &str) -> Option<IsoDuration> {
        let rest = text.trim().strip_prefix('P')?;
        let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
        let mut months: u32 = 0;
        let mut micros: i64 = 0;
        let mut any = false;
        for (part, in_time) in [(date, false), (time, true)] {
            let mut number = String::new();
            for ch in part.chars() {
                if ch.is_ascii_digit() || ch == '.' {
                    number.push(ch);
                    continue;
                }
                any = true;
                let n: f64 = number.parse().ok()?;
                number.clear();
                let unit_micros: f64 = match (ch, in_time) {
                    ('Y', false) => {
                        months = months.checked_add(12 * whole(n)?)?;
                        continue;
                    }
                    ('M', false) => {
                        months = months.checked_add(whole(n)?)?;
                        continue;
                    }
                    ('W', false) => 604_800e6,
                    ('D', false) => 86_400e6,
                    ('H', true) => 3_600e6,
                    ('M', true) => 60e6,
                    ('S', true) => 1e6,
                    _ => return None,
                };
                #[allow(clippy::cast_possible_truncation)]
                let add = (n * unit_micros).round() as i64;
                micros = micros.checked_add(add)?;
            }
            if !number.is_empty() {
                return None;
            }
        }
        any.then(|| IsoDuration {
            months,
            exact: Duration::microseconds(micros),
        })
    }

    /// `at` plus the duration (months on the calendar first); `None` past chrono's range.
    pub(crate) fn add(self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        at.checked_add_months(Months::new(self.months))?
            .checked_add_signed(self.exact)
    }

    /// `at` minus the duration; `None` past chrono's range.
    pub(crate) fn sub(self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        at.checked_sub_months(Months::new(self.months))?
            .checked_sub_signed(self.exact)
    }
}

fn whole(n: f64) -> Option<u32> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n)).then_some(n as u32)
}

/// Writes `at` as Airbyte's `DatetimeParser.format` does: `%s` epoch seconds, `%ms` epoch
/// milliseconds, `%s_as_float` seconds as Python's `str(float)`, `%_ms` three-digit
/// milliseconds, `%f` six-digit microseconds, otherwise strftime.
pub fn format(at: DateTime<Utc>, fmt: &str) -> String {
    match fmt {
        "%s" => at.timestamp().to_string(),
        "%ms" => at.timestamp_millis().to_string(),
        "%s_as_float" => {
            #[allow(clippy::cast_precision_loss)]
            let seconds = at.timestamp_micros() as f64 / 1e6;
            let text = seconds.to_string();
            // Python's str(float) always shows a fraction
            if text.contains('.') || text.contains('e') {
                text
            } else {
                format!("{text}.0")
            }
        }
        _ => {
            let millis = format!("{:03}", at.timestamp_subsec_millis());
            let fmt = fmt.replace("%_ms", &millis).replace("%f", "%6f");
            at.format(&fmt).to_string()
        }
    }
}

/// Reads `text` in `fmt` as Airbyte's `DatetimeParser.parse`: epoch formats as numbers, a
/// value without a zone as UTC.
pub fn parse(text: &str, fmt: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    match fmt {
        "%s" | "%s_as_float" => {
            let seconds: f64 = text.parse().ok()?;
            #[allow(clippy::cast_possible_truncation)]
            DateTime::from_timestamp_micros((seconds * 1e6).round() as i64)
        }
        "%ms" => DateTime::from_timestamp_millis(text.parse().ok()?),
        _ => {
            let fmt = fmt.replace("%f", "%.f").replace(".%.f", "%.f");
            if let Ok(aware) = DateTime::parse_from_str(text, &fmt) {
                return Some(aware.with_timezone(&Utc));
            }
            if let Ok(naive) = NaiveDateTime::parse_from_str(text, &fmt) {
                return Some(naive.and_utc());
            }
            NaiveDate::parse_from_str(text, &fmt)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc())
        }
    }
}

/// Reads a cursor value (a string in one of `formats`, or an epoch number for `%s`/`%ms`).
pub fn parse_value(value: &Value, formats: &[&str]) -> Option<DateTime<Utc>> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    formats.iter().find_map(|f| parse(&text, f))
}

/// Reads a spec's start or end value, or a cursor value, as an instant: one of `formats`,
/// else RFC 3339 or an ISO date or naive datetime (the forms an `initial_value` is most
/// often written in, as Airbyte's `MinMaxDatetime` reads a start without a format).
pub fn read_instant(value: &Value, formats: &[&str]) -> Option<DateTime<Utc>> {
    parse_value(value, formats).or_else(|| {
        let text = value.as_str()?.trim();
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| parse(text, "%Y-%m-%dT%H:%M:%S%.f"))
            .or_else(|| parse(text, "%Y-%m-%d"))
    })
}

/// Whether `fmt` is a format bounds can be written in: strftime (Python's `%f` six-digit
/// microseconds, Airbyte's `%_ms` milliseconds), or `%s`, `%ms`, `%s_as_float`.
pub fn is_format(fmt: &str) -> bool {
    if matches!(fmt, "%s" | "%ms" | "%s_as_float") {
        return true;
    }
    let plain = fmt.replace("%_ms", "000").replace("%f", "%6f");
    fmt.contains('%')
        && !chrono::format::StrftimeItems::new(&plain)
            .any(|item| matches!(item, chrono::format::Item::Error))
}

/// A date range cut into windows, as Airbyte's `DatetimeBasedCursor` slices it.
#[derive(Debug, Clone, PartialEq)]
pub struct DateWindows {
    /// The range's start.
    pub start: DateTime<Utc>,
    /// The range's end (inclusive, as Airbyte's).
    pub end: DateTime<Utc>,
    /// The window length; one window for the whole range without it.
    pub step: Option<IsoDuration>,
    /// The smallest unit of the cursor: a window ends this much before the next starts.
    pub granularity: Duration,
    /// How the bounds are written.
    pub format: String,
    /// The argument the window's start is bound to (Airbyte's `partition_field_start`).
    pub start_field: String,
    /// The argument the window's end is bound to (`partition_field_end`).
    pub end_field: String,
}

impl DateWindows {
    /// The range from `start` to `end`, one window, bounds in `format`, bound to the
    /// arguments `start_time` and `end_time` (Airbyte's defaults).
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>, format: &str) -> Self {
        DateWindows {
            start,
            end,
            step: None,
            granularity: Duration::zero(),
            format: format.to_string(),
            start_field: "start_time".into(),
            end_field: "end_time".into(),
        }
    }

    /// Cuts the range into windows of `step`, each ending `granularity` before the next.
    pub fn step(mut self, step: IsoDuration, granularity: Duration) -> Self {
        self.step = Some(step);
        self.granularity = granularity;
        self
    }

    /// Starts at the newest cursor value a previous sync saw, `lookback` before it, but not
    /// before the range's start (Airbyte's earliest possible value).
    pub fn resume_from(mut self, cursor: DateTime<Utc>, lookback: Option<IsoDuration>) -> Self {
        let from = lookback.and_then(|l| l.sub(cursor)).unwrap_or(cursor);
        self.start = self.start.max(from);
        self
    }

    /// The windows in order, each `{start_field: .., end_field: ..}` with the bounds written
    /// in the format. A step that does not move ends the walk rather than loop.
    pub fn windows(&self) -> Vec<Value> {
        self.iter().map(Value::Object).collect()
    }

    /// The windows one at a time, as [`Self::windows`] lists them: a long range in short
    /// steps is cut as it is walked, never held whole.
    pub fn iter(&self) -> impl Iterator<Item = serde_json::Map<String, Value>> + Send + 'static {
        let range = self.clone();
        let mut start = Some(self.start);
        std::iter::from_fn(move || {
            let at = start.filter(|s| *s <= range.end)?;
            let end = match range.step {
                None => {
                    start = None;
                    range.end
                }
                Some(step) => {
                    // a step that does not move ends the walk
                    let next = step.add(at).filter(|n| *n > at)?;
                    start = Some(next);
                    next.checked_sub_signed(range.granularity)
                        .unwrap_or(next)
                        .min(range.end)
                }
            };
            let mut window = serde_json::Map::new();
            window.insert(range.start_field.clone(), format(at, &range.format).into());
            window.insert(range.end_field.clone(), format(end, &range.format).into());
            Some(window)
        })
    }
}

/// An incremental resource's date windows, as a spec writes them (`incremental.window`):
/// ISO 8601 durations, checked when the spec is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowConfig {
    /// The length of a window (`P1D`); one window for the whole range without it.
    pub step: Option<Text>,
    /// The cursor's smallest unit (`PT1S`): a window ends this much before the next begins.
    pub granularity: Option<Text>,
    /// How far before the checkpoint a resumed run starts (Airbyte's `lookback_window`).
    pub lookback: Option<Text>,
}

impl WindowConfig {
    /// One window from the start to the end, no lookback.
    pub const DEFAULT: WindowConfig = WindowConfig {
        step: None,
        granularity: None,
        lookback: None,
    };
}

/// The windows one run of `config` walks: from `start` (the run's start value: the initial
/// value, or the checkpoint less the lookback) to the end value, or `now` without one.
pub fn plan(
    config: &IncrementalConfig,
    start: Option<&Value>,
    now: DateTime<Utc>,
) -> Result<DateWindows, String> {
    let window = config
        .window
        .as_ref()
        .ok_or_else(|| format!("`{}` has no date windows", config.cursor_field))?;
    let order = super::time::Order::of(config);
    let read = |value: &Value, what: &str| {
        order
            .instant(value)
            .ok_or_else(|| format!("the {what} {value} is not a datetime in the cursor's formats"))
    };
    let start = start.ok_or(
        "the windows have no start value: the spec has no `initial_value`; start the walk with \
         `.incremental(&Incremental::starting_at(..))`",
    )?;
    let start = read(start, "start value")?;
    let end = match config.end_value.as_deref() {
        Some(text) => read(
            &serde_json::from_str(text).map_err(|e| format!("the end value: {e}"))?,
            "end value",
        )?,
        None => now,
    };
    let format = config
        .datetime_format
        .as_deref()
        .ok_or("the windows have no `datetime_format` to write their bounds in")?;
    let duration = |text: &Option<Text>, what: &str| {
        text.as_deref()
            .map(|t| {
                IsoDuration::parse(t).ok_or(format!("the {what} `{t}` is no ISO 8601 duration"))
            })
            .transpose()
    };
    let mut windows = DateWindows::new(start, end, format);
    if let Some(step) = duration(&window.step, "step")? {
        let granularity =
            duration(&window.granularity, "granularity")?.unwrap_or(IsoDuration::ZERO);
        windows = windows.step(step, granularity.exact);
    }
    Ok(windows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        parse(text, "%Y-%m-%dT%H:%M:%SZ").unwrap()
    }

    #[test]
    fn durations() {
        let d = |t: &str| IsoDuration::parse(t).unwrap();
        assert_eq!(d("P1D").exact, Duration::days(1));
        assert_eq!(d("PT1S").exact, Duration::seconds(1));
        assert_eq!(d("PT0.001S").exact, Duration::milliseconds(1));
        assert_eq!(d("P1M").months, 1);
        assert_eq!(d("P1Y2M").months, 14);
        assert_eq!(d("P1W").exact, Duration::days(7));
        for bad in ["", "P", "1D", "PT1D", "P1H", "P1.5M"] {
            assert_eq!(IsoDuration::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_as_airbyte_writes_them() {
        let t = at("2024-01-01T00:00:00Z") + Duration::milliseconds(500);
        assert_eq!(format(t, "%s"), "1704067200");
        assert_eq!(format(t, "%ms"), "1704067200500");
        assert_eq!(format(t, "%s_as_float"), "1704067200.5");
        assert_eq!(
            format(at("2024-01-01T00:00:00Z"), "%s_as_float"),
            "1704067200.0"
        );
        assert_eq!(
            format(t, "%Y-%m-%dT%H:%M:%S.%_msZ"),
            "2024-01-01T00:00:00.500Z"
        );
        assert_eq!(
            format(t, "%Y-%m-%dT%H:%M:%S.%f%z"),
            "2024-01-01T00:00:00.500000+0000"
        );
        assert_eq!(parse("1704067200", "%s"), Some(at("2024-01-01T00:00:00Z")));
        assert_eq!(parse("1704067200500", "%ms"), Some(t));
        assert_eq!(
            parse("2024-01-01", "%Y-%m-%d"),
            Some(at("2024-01-01T00:00:00Z"))
        );
        assert_eq!(
            parse("2024-01-01T02:00:00+02:00", "%Y-%m-%dT%H:%M:%S%:z"),
            Some(at("2024-01-01T00:00:00Z"))
        );
        assert_eq!(
            parse_value(&json!(1704067200), &["%Y-%m-%d", "%s"]),
            Some(at("2024-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn a_range_is_cut_into_steps_ending_a_granule_before_the_next() {
        let range = DateWindows::new(
            at("2024-01-01T00:00:00Z"),
            at("2024-01-03T12:00:00Z"),
            "%Y-%m-%dT%H:%M:%SZ",
        )
        .step(IsoDuration::parse("P1D").unwrap(), Duration::seconds(1));
        assert_eq!(
            range.windows(),
            vec![
                json!({"start_time": "2024-01-01T00:00:00Z", "end_time": "2024-01-01T23:59:59Z"}),
                json!({"start_time": "2024-01-02T00:00:00Z", "end_time": "2024-01-02T23:59:59Z"}),
                json!({"start_time": "2024-01-03T00:00:00Z", "end_time": "2024-01-03T12:00:00Z"}),
            ]
        );
        // without a step: the whole range; a start past the end: nothing
        let whole = DateWindows::new(range.start, range.end, "%Y-%m-%d");
        assert_eq!(
            whole.windows(),
            vec![json!({"start_time": "2024-01-01", "end_time": "2024-01-03"})]
        );
        let empty = DateWindows::new(range.end, range.start, "%Y-%m-%d");
        assert!(empty.windows().is_empty());
        // a step that does not move ends the walk instead of looping
        let stuck = whole.step(IsoDuration::parse("PT0S").unwrap(), Duration::zero());
        assert!(stuck.windows().is_empty());
    }

    #[test]
    fn months_step_on_the_calendar_and_a_resume_looks_back() {
        let range = DateWindows::new(
            at("2024-01-31T00:00:00Z"),
            at("2024-03-31T00:00:00Z"),
            "%Y-%m-%d",
        )
        .step(IsoDuration::parse("P1M").unwrap(), Duration::days(1));
        let starts: Vec<Value> = range
            .windows()
            .iter()
            .map(|w| w["start_time"].clone())
            .collect();
        assert_eq!(
            starts,
            [
                json!("2024-01-31"),
                json!("2024-02-29"),
                json!("2024-03-29")
            ]
        );
        let resumed = range
            .clone()
            .resume_from(at("2024-03-10T00:00:00Z"), IsoDuration::parse("P2D"));
        assert_eq!(resumed.windows()[0]["start_time"], json!("2024-03-08"));
        // never before the start
        let early = range.resume_from(at("2023-01-01T00:00:00Z"), None);
        assert_eq!(early.windows()[0]["start_time"], json!("2024-01-31"));
    }
}
