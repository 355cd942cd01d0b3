//! Incremental filtering and checkpoints, after dlt's verified behaviour (§5 and case 27).

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::*;
use serde_json::Value;
use std::cmp::Ordering;

fn config(initial: Option<&str>, end: Option<&str>) -> IncrementalConfig {
    IncrementalConfig {
        cursor_path: Selector::fields(["updated_at"]),
        cursor_field: Cow::Borrowed("updated_at"),
        initial_value: initial.map(|v| Cow::Owned(format!("\"{v}\""))),
        end_value: end.map(|v| Cow::Owned(format!("\"{v}\""))),
        start_param: Some(Cow::Borrowed("since")),
        end_param: Some(Cow::Borrowed("until")),
        last_value_func: LastValueFunc::Max,
        start_open: false,
        end_closed: false,
        row_order: None,
        on_cursor_value_missing: OnCursorMissing::Raise,
        primary_key: Cow::Owned(vec![Cow::Borrowed("id")]),
        lag: None,
        datetime_format: None,
        cursor_datetime_formats: Cow::Borrowed(&[]),
        window: None,
        initial_value_config: None,
        end_value_config: None,
    }
}

fn records(items: &[(u32, &str)]) -> Vec<Box<RawValue>> {
    items
        .iter()
        .map(|(id, at)| {
            RawValue::from_string(format!(r#"{{"id":{id},"updated_at":"{at}"}}"#)).unwrap()
        })
        .collect()
}

fn ids(kept: &[&RawValue]) -> Vec<u32> {
    kept.iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(r.get()).unwrap()["id"]
                .as_u64()
                .unwrap() as u32
        })
        .collect()
}

fn run(handle: &Incremental, cfg: &IncrementalConfig, page: &[(u32, &str)]) -> Vec<u32> {
    let raw = records(page);
    let refs: Vec<&RawValue> = raw.iter().map(|r| r.as_ref()).collect();
    ids(&handle.begin(cfg).unwrap().filter(&refs).unwrap())
}

#[test]
fn closed_start_drops_older_records() {
    // dlt: initial 2024-01-02 keeps 01-05, 01-02 and 12-31 of these five
    let cfg = config(Some("2024-01-02"), None);
    let handle = Incremental::new();
    let kept = run(
        &handle,
        &cfg,
        &[
            (1, "2024-01-01"),
            (2, "2024-01-05"),
            (3, "2023-12-01"),
            (4, "2024-01-02"),
            (5, "2024-12-31"),
        ],
    );
    assert_eq!(kept, [2, 4, 5]);
    let checkpoint = handle.checkpoint().unwrap();
    assert_eq!(checkpoint.last_value, "2024-12-31");
    assert_eq!(checkpoint.boundary, ["5"]);
}

#[test]
fn second_run_resumes_without_duplicates_or_gaps() {
    let cfg = config(Some("2024-01-01"), None);
    let first = Incremental::new();
    run(
        &first,
        &cfg,
        &[(1, "2024-01-01"), (2, "2024-02-01"), (3, "2024-02-01")],
    );
    let saved = first.checkpoint().unwrap();
    assert_eq!(saved.boundary, ["2", "3"]);
    // the API returns the boundary records again, one new record at the boundary, and a newer one
    let second = Incremental::resume(saved);
    let kept = run(
        &second,
        &cfg,
        &[
            (2, "2024-02-01"),
            (3, "2024-02-01"),
            (4, "2024-02-01"),
            (5, "2024-03-01"),
            (1, "2024-01-01"),
        ],
    );
    assert_eq!(kept, [4, 5]);
    assert_eq!(second.checkpoint().unwrap().last_value, "2024-03-01");
}

#[test]
fn nothing_new_keeps_the_checkpoint() {
    let cfg = config(Some("2024-01-01"), None);
    let first = Incremental::new();
    run(&first, &cfg, &[(1, "2024-05-01")]);
    let saved = first.checkpoint().unwrap();
    let second = Incremental::resume(saved.clone());
    assert!(run(&second, &cfg, &[(1, "2024-05-01")]).is_empty());
    assert_eq!(second.checkpoint().unwrap(), saved);
}

#[test]
fn open_end_and_no_state_for_a_window() {
    let cfg = config(Some("2024-01-02"), Some("2024-12-31"));
    let handle = Incremental::new();
    let kept = run(
        &handle,
        &cfg,
        &[(1, "2024-01-02"), (2, "2024-06-01"), (3, "2024-12-31")],
    );
    assert_eq!(kept, [1, 2]);
    assert_eq!(
        handle.checkpoint(),
        None,
        "a backfill window writes no state"
    );
}

#[test]
fn placeholders_and_params_render_like_python() {
    let cfg = config(Some("2024-01-02"), None);
    let filter = Incremental::new().begin(&cfg).unwrap();
    let shown = crate::placeholders::fill_placeholders(
        "since={incremental.start_value}&lv={incremental.last_value}\
         &iv={incremental.initial_value}&ev={incremental.end_value}",
        &filter.placeholders(),
        false,
    )
    .unwrap();
    assert_eq!(
        shown,
        "since=2024-01-02&lv=2024-01-02&iv=2024-01-02&ev=None"
    );
    assert_eq!(
        filter.query(),
        [("since".to_string(), "2024-01-02".to_string())]
    );
    let none = Incremental::new().begin(&config(None, None)).unwrap();
    assert!(
        none.query().is_empty(),
        "a None start value sends no parameter"
    );
}

#[test]
fn missing_cursor_policies() {
    let mut cfg = config(None, None);
    let raw = [RawValue::from_string(r#"{"id":1}"#.to_string()).unwrap()];
    let refs: Vec<&RawValue> = raw.iter().map(|r| r.as_ref()).collect();
    let err = Incremental::new()
        .begin(&cfg)
        .unwrap()
        .filter(&refs)
        .unwrap_err();
    assert_eq!(err.record, 0);
    cfg.on_cursor_value_missing = OnCursorMissing::Include;
    assert_eq!(
        Incremental::new()
            .begin(&cfg)
            .unwrap()
            .filter(&refs)
            .unwrap()
            .len(),
        1
    );
    cfg.on_cursor_value_missing = OnCursorMissing::Exclude;
    assert!(
        Incremental::new()
            .begin(&cfg)
            .unwrap()
            .filter(&refs)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn epoch_strings_compare_as_numbers_and_min_reverses() {
    let mut cfg = config(Some("900"), None);
    let handle = Incremental::new();
    assert_eq!(run(&handle, &cfg, &[(1, "1000"), (2, "899")]), [1]);
    cfg.last_value_func = LastValueFunc::Min;
    let handle = Incremental::new();
    assert_eq!(run(&handle, &cfg, &[(1, "1000"), (2, "899")]), [2]);
}

#[test]
fn numbers_compare_exactly() {
    use serde_json::json;
    let cmp = |a: Value, b: Value| newer(&a, &b, LastValueFunc::Max);
    assert_eq!(
        cmp(json!(9007199254740993u64), json!(9007199254740992u64)),
        Some(Ordering::Greater)
    );
    assert_eq!(
        cmp(json!(9007199254740993u64), json!(9007199254740992.0)),
        Some(Ordering::Greater)
    );
    assert_eq!(cmp(json!(2), json!(2.0)), Some(Ordering::Equal));
    assert_eq!(cmp(json!(-3), json!(-2.5)), Some(Ordering::Less));
    assert_eq!(cmp(json!(0), json!(-0.0)), Some(Ordering::Equal));
    assert_eq!(cmp(json!(1e300), json!(u64::MAX)), Some(Ordering::Greater));
    assert_eq!(
        cmp(json!("123456789012345678901234567890"), json!(u64::MAX)),
        Some(Ordering::Greater),
        "an integer beyond 64 bits, kept as its digits, against a number"
    );
    assert_eq!(
        cmp(json!("9007199254740993"), json!("9007199254740992")),
        Some(Ordering::Greater)
    );
    assert_eq!(cmp(json!("0.10"), json!("0.1")), Some(Ordering::Equal));
    assert_eq!(
        cmp(json!("2024-01-02"), json!("2024-01-10")),
        Some(Ordering::Less)
    );
    assert_eq!(cmp(json!("abc"), json!(1)), None);
    assert_eq!(
        newer(&json!(5), &json!(6), LastValueFunc::Min),
        Some(Ordering::Greater)
    );
}

#[test]
fn exact_values_keep_the_digits_of_integers_beyond_64_bits() {
    use serde_json::json;
    let raw = |t: &str| RawValue::from_string(t.to_string()).unwrap();
    assert_eq!(
        exact_value(&raw("12345678901234567890")),
        json!(12345678901234567890u64)
    );
    assert_eq!(
        exact_value(&raw("123456789012345678901234567890")),
        json!("123456789012345678901234567890")
    );
    assert_eq!(exact_value(&raw("1.5e3")), json!(1500.0));
    assert_eq!(exact_value(&raw("null")), Value::Null);
}

/// Whether a page leaves the window, under `order`.
fn leaves(order: Option<RowOrder>, cfg: IncrementalConfig, page: &[(u32, &str)]) -> bool {
    let cfg = IncrementalConfig {
        row_order: order,
        ..cfg
    };
    let raw = records(page);
    let refs: Vec<&RawValue> = raw.iter().map(|r| r.as_ref()).collect();
    Incremental::new()
        .begin(&cfg)
        .unwrap()
        .select(&refs)
        .unwrap()
        .2
}

#[test]
fn ascending_rows_leave_the_window_at_the_end_value_not_before() {
    let cfg = || config(Some("2024-01-02"), Some("2024-01-05"));
    let inside = [(1, "2024-01-02"), (2, "2024-01-04")];
    assert!(!leaves(Some(RowOrder::Asc), cfg(), &inside));
    // the end is open (dlt's default): a record at it is past it
    let at_end = [(3, "2024-01-04"), (4, "2024-01-05")];
    assert!(leaves(Some(RowOrder::Asc), cfg(), &at_end));
    // records before the start do not end an ascending feed
    assert!(!leaves(Some(RowOrder::Asc), cfg(), &[(0, "2023-12-31")]));
    // without row_order nothing ends early
    assert!(!leaves(None, cfg(), &at_end));
    // ascending without an end value never ends early (dlt: end_out_of_range needs one)
    let open_ended = config(Some("2024-01-02"), None);
    assert!(!leaves(
        Some(RowOrder::Asc),
        open_ended,
        &[(9, "2030-01-01")]
    ));
}

#[test]
fn descending_rows_leave_the_window_below_the_start_value() {
    let cfg = || config(Some("2024-01-02"), None);
    assert!(!leaves(
        Some(RowOrder::Desc),
        cfg(),
        &[(5, "2024-01-09"), (4, "2024-01-02")]
    ));
    assert!(leaves(
        Some(RowOrder::Desc),
        cfg(),
        &[(4, "2024-01-02"), (3, "2024-01-01")]
    ));
    // an open start: a record at it is out of range too
    let open = IncrementalConfig {
        start_open: true,
        ..cfg()
    };
    assert!(leaves(Some(RowOrder::Desc), open, &[(4, "2024-01-02")]));
    // records past the end do not end a descending feed
    let window = config(Some("2024-01-02"), Some("2024-01-05"));
    assert!(!leaves(Some(RowOrder::Desc), window, &[(9, "2024-02-01")]));
}

/// dlt's lag: a resumed run starts `lag` before its checkpoint and delivers the records behind
/// it again (no boundary de-duplication), the checkpoint never moves back, a chosen start and
/// an end value turn it off.
#[test]
fn lag_starts_a_resumed_run_behind_its_checkpoint() {
    let mut cfg = config(Some("2024-01-01T00:00:00Z"), None);
    cfg.lag = Some(Cow::Borrowed("3600"));
    let page = records(&[
        (1, "2024-01-02T09:30:00Z"),
        (2, "2024-01-02T10:00:00Z"),
        (3, "2024-01-02T08:00:00Z"),
    ]);
    let refs: Vec<&RawValue> = page.iter().map(|r| &**r).collect();
    let handle = Incremental::resume(Checkpoint {
        last_value: Value::String("2024-01-02T10:00:00Z".into()),
        boundary: vec!["2".into()],
    });
    let filter = handle.begin(&cfg).unwrap();
    assert_eq!(
        filter.query(),
        vec![("since".to_string(), "2024-01-02T09:00:00Z".to_string())]
    );
    // record 2 is at the boundary, yet delivered again: with a lag dlt does not de-duplicate
    assert_eq!(ids(&filter.filter(&refs).unwrap()), vec![1, 2]);
    // the checkpoint stays at the newest value, never the lagged start
    let checkpoint = handle.checkpoint().unwrap();
    assert_eq!(
        checkpoint.last_value,
        Value::String("2024-01-02T10:00:00Z".into())
    );

    // a chosen start is not a checkpoint: no lag
    let chosen = Incremental::starting_at("2024-01-02T10:00:00Z")
        .begin(&cfg)
        .unwrap();
    assert_eq!(chosen.query()[0].1, "2024-01-02T10:00:00Z");
    // an end value turns the lag off, as in dlt
    let mut window = cfg.clone();
    window.end_value = Some(Cow::Borrowed("\"2025-01-01\""));
    let resumed = Incremental::resume(checkpoint).begin(&window).unwrap();
    assert_eq!(resumed.query()[0].1, "2024-01-02T10:00:00Z");
    // a checkpoint that is no date is refused, not silently unlagged
    let odd = Incremental::resume(Checkpoint {
        last_value: Value::String("yesterday".into()),
        boundary: Vec::new(),
    });
    assert!(odd.begin(&cfg).is_err());
}
