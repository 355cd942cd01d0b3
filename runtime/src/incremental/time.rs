//! Cursor values compared as time: when an `incremental` block declares `datetime_format` or
//! `cursor_datetime_formats` (restgen's extension, Airbyte's `DatetimeBasedCursor` keys), the
//! filter and the checkpoint read each cursor value as an instant (any declared format, epoch
//! numbers for `%s`/`%ms`, a value without a zone as UTC) and compare instants, so
//! `2024-01-02T00:00:00+01:00` is before `2024-01-01T23:30:00Z`. Without them, values compare
//! as dlt compares them ([`super::newer`]).

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::windows::{IsoDuration, format, read_instant};
use super::{IncrementalConfig, LagError, LastValueFunc, newer};
use crate::descriptor::{List, Text};

/// How one run orders cursor values: the direction the cursor grows, and the formats that
/// make the values instants (none: dlt's comparison).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Order {
    pub(crate) func: LastValueFunc,
    formats: List<Text>,
}

impl Order {
    /// The order of `config`'s cursor.
    pub(crate) fn of(config: &IncrementalConfig) -> Order {
        let mut formats: Vec<Text> = config.cursor_datetime_formats.to_vec();
        if let Some(f) = &config.datetime_format
            && !formats.contains(f)
        {
            formats.push(f.clone());
        }
        Order {
            func: config.last_value_func,
            formats: formats.into(),
        }
    }

    /// Whether values are compared as instants.
    pub(crate) fn as_time(&self) -> bool {
        !self.formats.is_empty()
    }

    /// Reads a value as an instant in one of the formats (then as RFC 3339, the form a
    /// spec's `initial_value` is most often written in).
    pub(crate) fn instant(&self, value: &Value) -> Option<DateTime<Utc>> {
        let formats: Vec<&str> = self.formats.iter().map(AsRef::as_ref).collect();
        read_instant(value, &formats)
    }

    /// How `a` compares with `b` in the direction the cursor grows: as instants when formats
    /// are declared and both read as one, else as dlt compares them.
    pub(crate) fn cmp(&self, a: &Value, b: &Value) -> Option<Ordering> {
        if self.as_time()
            && let (Some(x), Some(y)) = (self.instant(a), self.instant(b))
        {
            return Some(match self.func {
                LastValueFunc::Max => x.cmp(&y),
                LastValueFunc::Min => y.cmp(&x),
            });
        }
        newer(a, b, self.func)
    }
}

/// The start of a windowed run resumed from the checkpoint `last`: `lookback` before it
/// (Airbyte's `lookback_window`), never before `initial`, written in the bounds' format.
pub(crate) fn look_back(
    config: &IncrementalConfig,
    lookback: IsoDuration,
    initial: Option<&Value>,
    last: &Value,
) -> Result<Value, LagError> {
    let order = Order::of(config);
    let at = order.instant(last).ok_or_else(|| {
        LagError(format!(
            "the checkpoint {last} is not a datetime in {}",
            order.formats.join(", ")
        ))
    })?;
    let back = lookback.sub(at).unwrap_or(DateTime::<Utc>::MIN_UTC);
    let floor = initial.and_then(|v| order.instant(v));
    let start = floor.map_or(back, |f| f.max(back));
    let fmt = config
        .datetime_format
        .as_deref()
        .or_else(|| config.cursor_datetime_formats.first().map(AsRef::as_ref))
        .unwrap_or("%Y-%m-%dT%H:%M:%S%.fZ");
    Ok(Value::String(format(start, fmt)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::borrow::Cow;

    use serde_json::json;
    use serde_json::value::RawValue;

    use super::super::windows::WindowConfig;
    use super::super::{Checkpoint, Incremental, OnCursorMissing};
    use super::*;
    use crate::selector::Selector;

    fn config(formats: &'static [Cow<'static, str>]) -> IncrementalConfig {
        IncrementalConfig {
            cursor_path: Selector::fields(["at"]),
            cursor_field: Cow::Borrowed("at"),
            initial_value: Some(Cow::Borrowed("\"2024-01-01T00:00:00Z\"")),
            datetime_format: Some(Cow::Borrowed("%Y-%m-%dT%H:%M:%SZ")),
            cursor_datetime_formats: Cow::Borrowed(formats),
            ..IncrementalConfig::DEFAULT
        }
    }

    fn page(values: &[Value]) -> Vec<Box<RawValue>> {
        values
            .iter()
            .enumerate()
            .map(|(i, at)| serde_json::value::to_raw_value(&json!({"id": i, "at": at})).unwrap())
            .collect()
    }

    fn kept(handle: &Incremental, cfg: &IncrementalConfig, values: &[Value]) -> Vec<Value> {
        let raw = page(values);
        let refs: Vec<&RawValue> = raw.iter().map(AsRef::as_ref).collect();
        let filter = handle.begin(cfg).unwrap();
        filter
            .filter(&refs)
            .unwrap()
            .iter()
            .map(|r| serde_json::from_str::<Value>(r.get()).unwrap()["at"].clone())
            .collect()
    }

    #[test]
    fn offsets_and_epochs_compare_as_instants() {
        const FORMATS: &[Cow<'static, str>] =
            &[Cow::Borrowed("%Y-%m-%dT%H:%M:%S%z"), Cow::Borrowed("%s")];
        let order = Order::of(&config(FORMATS));
        // an hour ahead of UTC: 23:00 the day before, earlier than 23:30Z
        let ahead = json!("2024-01-02T00:00:00+01:00");
        let zulu = json!("2024-01-01T23:30:00Z");
        assert_eq!(order.cmp(&ahead, &zulu), Some(Ordering::Less));
        // as dlt compares them: as text, the other way round
        assert_eq!(
            newer(&ahead, &zulu, LastValueFunc::Max),
            Some(Ordering::Greater)
        );
        // an epoch number against a string
        assert_eq!(
            order.cmp(&json!(1_704_153_600), &zulu),
            Some(Ordering::Greater)
        );
        // no zone is UTC
        let naive = Order::of(&IncrementalConfig {
            datetime_format: Some(Cow::Borrowed("%Y-%m-%d %H:%M")),
            ..config(&[])
        });
        assert_eq!(
            naive.cmp(&json!("2024-01-01 23:30"), &zulu),
            Some(Ordering::Equal)
        );
    }

    #[test]
    fn the_filter_and_the_checkpoint_use_instants() {
        const FORMATS: &[Cow<'static, str>] = &[Cow::Borrowed("%s")];
        let cfg = config(FORMATS);
        let handle = Incremental::resume(Checkpoint {
            last_value: json!("2024-01-01T23:30:00Z"),
            boundary: Vec::new(),
        });
        let values = [
            json!("2024-01-02T00:00:00+01:00"), // before the checkpoint as time
            json!(1_704_153_600),               // 2024-01-02T00:00Z
            json!("2024-01-02T06:00:00+09:00"), // 2024-01-01T21:00Z: before
            json!("2024-01-02T03:00:00Z"),
        ];
        assert_eq!(
            kept(&handle, &cfg, &values),
            [json!(1_704_153_600), json!("2024-01-02T03:00:00Z")]
        );
        assert_eq!(
            handle.checkpoint().unwrap().last_value,
            json!("2024-01-02T03:00:00Z")
        );
        // a value that is no datetime fails the page, naming it; or is kept when told
        let raw = page(&[json!("soon")]);
        let refs: Vec<&RawValue> = raw.iter().map(AsRef::as_ref).collect();
        let missing = handle.begin(&cfg).unwrap().filter(&refs).unwrap_err();
        assert!(
            missing.message().contains("\"soon\""),
            "{}",
            missing.message()
        );
        let include = IncrementalConfig {
            on_cursor_value_missing: OnCursorMissing::Include,
            ..cfg.clone()
        };
        assert_eq!(kept(&handle, &include, &[json!("soon")]), [json!("soon")]);
        assert_eq!(
            handle.checkpoint().unwrap().last_value,
            json!("2024-01-02T03:00:00Z")
        );
    }

    #[test]
    fn a_windowed_run_looks_back_from_its_checkpoint_never_before_the_start() {
        let cfg = IncrementalConfig {
            window: Some(WindowConfig {
                lookback: Some(Cow::Borrowed("PT1H")),
                ..WindowConfig::DEFAULT
            }),
            ..config(&[])
        };
        let resumed = |at: &str| {
            let handle = Incremental::resume(Checkpoint {
                last_value: json!(at),
                boundary: vec!["1".into()],
            });
            let filter = handle.begin(&cfg).unwrap();
            filter.start_value().cloned()
        };
        assert_eq!(
            resumed("2024-03-01T10:30:00+02:00"),
            Some(json!("2024-03-01T07:30:00Z"))
        );
        assert_eq!(
            resumed("2024-01-01T00:20:00Z"),
            Some(json!("2024-01-01T00:00:00Z"))
        );
        // a chosen start is not looked back from
        let chosen = Incremental::starting_at("2024-02-01T00:00:00Z")
            .begin(&cfg)
            .unwrap();
        assert_eq!(chosen.start_value(), Some(&json!("2024-02-01T00:00:00Z")));
        // a checkpoint that is no datetime cannot be
        let odd = Incremental::resume(Checkpoint {
            last_value: json!("yesterday"),
            boundary: Vec::new(),
        });
        assert!(odd.begin(&cfg).is_err());
    }
}
