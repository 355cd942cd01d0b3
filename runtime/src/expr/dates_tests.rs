//! Airbyte's date macros against its documented semantics, with the run's time fixed.

use std::borrow::Cow;

use chrono::{DateTime, TimeZone, Utc};

use super::super::{Expr, Func, Literal, Scope, Var};

/// 2024-02-28T23:30:15.123456Z: a day before a leap day, with a fraction.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 2, 28, 23, 30, 15).unwrap() + chrono::Duration::microseconds(123_456)
}

fn s(text: &str) -> Expr {
    Expr::Lit(Literal::Str(Cow::Owned(text.to_string())))
}
fn i(n: i64) -> Expr {
    Expr::Lit(Literal::Int(n))
}
fn call(func: Func, ops: Vec<Expr>) -> Expr {
    Expr::Call(func, Cow::Owned(ops))
}
fn clock() -> Expr {
    Expr::Var(Var::Now)
}

/// The expression's value as JSON, evaluated with the run's time at [`now`].
fn eval(e: Expr) -> serde_json::Value {
    let headers = http::HeaderMap::new();
    let scope = Scope::without_page(&headers);
    e.with_now(now()).eval(&scope).to_json().unwrap()
}

#[test]
fn now_utc_renders_as_python_writes_an_aware_datetime() {
    assert_eq!(eval(clock()), "2024-02-28 23:30:15.123456+00:00");
    assert_eq!(
        eval(call(Func::Isoformat, vec![clock()])),
        "2024-02-28T23:30:15.123456+00:00"
    );
    assert_eq!(
        eval(call(Func::Strftime, vec![clock(), s("%Y-%m-%dT%H:%M:%SZ")])),
        "2024-02-28T23:30:15Z"
    );
    // no fraction when there is none, as Python's str()
    assert_eq!(
        eval(call(Func::StrToDatetime, vec![s("2022-01-14")])),
        "2022-01-14 00:00:00+00:00"
    );
}

#[test]
fn day_delta_adds_days_and_defaults_to_airbytes_format() {
    // `%Y-%m-%dT%H:%M:%S.%f%z`: six-digit microseconds, `+0000` for UTC
    assert_eq!(
        eval(call(Func::DayDelta, vec![clock(), i(1)])),
        "2024-02-29T23:30:15.123456+0000"
    );
    assert_eq!(
        eval(call(Func::DayDelta, vec![clock(), i(-30), s("%Y-%m-%d")])),
        "2024-01-29"
    );
}

#[test]
fn today_utc_is_a_date_and_formats_without_a_zone() {
    let today = || call(Func::Today, vec![clock()]);
    assert_eq!(eval(today()), "2024-02-28");
    assert_eq!(eval(call(Func::Isoformat, vec![today()])), "2024-02-28");
    assert_eq!(
        eval(call(Func::Strftime, vec![today(), s("%Y%m%d%z")])),
        "20240228"
    );
}

#[test]
fn durations_shift_datetimes_on_the_calendar() {
    let minus = call(
        Func::Sub,
        vec![clock(), call(Func::Duration, vec![s("P1D")])],
    );
    assert_eq!(
        eval(call(Func::Strftime, vec![minus, s("%Y-%m-%d")])),
        "2024-02-27"
    );
    let month = call(
        Func::Add,
        vec![clock(), call(Func::Duration, vec![s("P1M")])],
    );
    assert_eq!(
        eval(call(Func::Strftime, vec![month, s("%Y-%m-%d")])),
        "2024-03-28"
    );
    assert_eq!(
        eval(call(Func::Duration, vec![s("P1DT2H")])),
        "1 day, 2:00:00"
    );
    // a date plus a duration stays a date; a string plus a duration is nothing
    let date = call(
        Func::Add,
        vec![
            call(Func::Today, vec![clock()]),
            call(Func::Duration, vec![s("P1D")]),
        ],
    );
    assert_eq!(eval(date), "2024-02-29");
    let nonsense = call(
        Func::Add,
        vec![s("x"), call(Func::Duration, vec![s("P1D")])],
    );
    assert_eq!(eval(nonsense), serde_json::Value::Null);
}

#[test]
fn format_datetime_reads_strings_epochs_and_input_formats() {
    let fmt = |ops: Vec<Expr>| eval(call(Func::FormatDatetime, ops));
    // an offset is converted to UTC
    assert_eq!(
        fmt(vec![s("2024-01-02T03:04:05+02:00"), s("%Y-%m-%d %H:%M")]),
        "2024-01-02 01:04"
    );
    // Airbyte's `%s` (intercom's `format_datetime(config['start_date'], '%s')`)
    assert_eq!(fmt(vec![s("2024-01-02"), s("%s")]), "1704153600");
    assert_eq!(fmt(vec![i(1_704_153_600), s("%Y-%m-%d")]), "2024-01-02");
    assert_eq!(
        fmt(vec![s("02/01/2024"), s("%Y-%m-%d"), s("%d/%m/%Y")]),
        "2024-01-02"
    );
    assert_eq!(fmt(vec![clock(), s("%ms")]), "1709163015123");
    // what does not read as a date has no value (Airbyte raises)
    assert_eq!(fmt(vec![s("soon"), s("%Y")]), serde_json::Value::Null);
    assert_eq!(fmt(vec![s("02/01/2024"), s("%Y")]), serde_json::Value::Null);
}

#[test]
fn str_to_datetime_reads_what_ab_datetime_parse_does() {
    let read = |text: &str| eval(call(Func::StrToDatetime, vec![s(text)]));
    assert_eq!(
        read("2022-01-01T13:45:30+02:00"),
        "2022-01-01 11:45:30+00:00"
    );
    assert_eq!(read("2022-01-01 13:45:30"), "2022-01-01 13:45:30+00:00");
    assert_eq!(
        read("2022-01-01T13:45:30.5Z"),
        "2022-01-01 13:45:30.500000+00:00"
    );
    assert_eq!(read("1640995200"), "2022-01-01 00:00:00+00:00");
    for bad in ["", "13:45", "2022-13-01", "16409952000000", "-5"] {
        assert_eq!(read(bad), serde_json::Value::Null, "{bad}");
    }
}

#[test]
fn timestamp_truncates_numbers_and_reads_strings_as_float_seconds() {
    let ts = |e: Expr| eval(call(Func::Timestamp, vec![e]));
    assert_eq!(
        ts(Expr::Lit(Literal::Float(1_658_505_815.223_235))),
        1_658_505_815
    );
    assert_eq!(
        ts(s("2022-01-01T00:00:00Z")),
        serde_json::json!(1_640_995_200.0)
    );
    assert_eq!(ts(clock()), serde_json::json!(1_709_163_015.123_456));
}

#[test]
fn max_and_min_compare_like_python() {
    assert_eq!(eval(call(Func::Max, vec![i(1), i(3), i(2)])), 3);
    assert_eq!(eval(call(Func::Min, vec![s("b"), s("a")])), "a");
    let list = Expr::List(Cow::Owned(vec![i(4), i(9)]));
    assert_eq!(eval(call(Func::Max, vec![list])), 9);
    let latest = call(
        Func::Max,
        vec![
            call(Func::StrToDatetime, vec![s("2023-01-01")]),
            call(Func::StrToDatetime, vec![s("2024-01-01")]),
        ],
    );
    assert_eq!(eval(latest), "2024-01-01 00:00:00+00:00");
    // values that do not compare have no maximum (Python raises)
    assert_eq!(
        eval(call(Func::Max, vec![i(1), s("a")])),
        serde_json::Value::Null
    );
}

#[test]
fn the_runs_time_is_fixed_once_and_the_system_clock_reads_otherwise() {
    let bound = clock().with_now(now());
    assert!(!bound.reads_now());
    assert_eq!(bound, Expr::Lit(Literal::Time(now().timestamp_micros())));
    let headers = http::HeaderMap::new();
    let scope = Scope::without_page(&headers);
    let before = Utc::now();
    let unbound = clock().eval(&scope).to_json().unwrap();
    let read = super::parse(unbound.as_str().unwrap()).unwrap();
    assert!(read >= before - chrono::Duration::seconds(1), "{read}");
}
