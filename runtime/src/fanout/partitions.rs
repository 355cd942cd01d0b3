//! List partitions (Airbyte's `ListPartitionRouter`): a resource walked once per value of a
//! list, the value bound into the request like a parent field. The list is a parent whose
//! records are `{"<field>": value}`, so the fan-out's binding, `include_from_parent`,
//! concurrency, per-partition checkpoints and resume all apply unchanged. Date windows are
//! walked the same way, each window a partition.

use std::sync::Arc;

use futures::stream;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::walk::{ParentItem, Parents};
use super::{FanOut, FanOutCursors, ParentBinding, Pending};
use crate::descriptor::{List, Text};
use crate::driver::{ResourceRequest, Stop};
use crate::error::Error;
use crate::expr::Literal;
use crate::incremental::Incremental;
use crate::incremental::windows::{self, DateWindows};
use crate::paginate::Position;
use crate::resume::ResumePoint;
use crate::selector::Selector;

impl<T: DeserializeOwned + Send + 'static> FanOut<T> {
    /// Walks `child` once per value of `values`, in order, binding each to the child's
    /// argument `field` (a placeholder in its path, query, headers or body). `name` names
    /// the partition in messages, resume points and, with `include_from_parent: [field]`,
    /// the `_<name>_<field>` key records carry it under. A failed partition resumes at the
    /// page of that partition that failed; the partitions before it are not walked again.
    pub fn over_values(
        values: impl IntoIterator<Item = serde_json::Value>,
        name: Text,
        field: Text,
        child: ResourceRequest<T>,
    ) -> Self {
        let key = field.to_string();
        let records = values.into_iter().map(move |value| {
            let mut record = serde_json::Map::new();
            record.insert(key.clone(), value);
            record
        });
        Self::over_records(records, name, &[field], child)
    }

    /// [`Self::over_values`] over a spec's `partitions` values: listed, or read from the
    /// client's setting when the walk starts. A setting the client was not given, or that
    /// holds no value, fails the walk's stream at once ([`Error::Invalid`] naming it).
    pub fn over_partitions(
        values: &PartitionValues,
        name: Text,
        field: Text,
        child: ResourceRequest<T>,
    ) -> Self {
        let values = match values {
            PartitionValues::Listed(items) => Ok(items.iter().map(Literal::to_json).collect()),
            PartitionValues::Setting(setting) => {
                from_setting(child.core().setting(setting), setting)
            }
        };
        match values {
            Ok(values) => Self::over_values(values, name, field, child),
            Err(why) => {
                let mut walk = Self::over_records([], name, &[field], child);
                walk.parent = super::Parents::Values(Err(why));
                walk
            }
        }
    }

    /// Walks `child` once per window of `windows` (Airbyte's `DatetimeBasedCursor` slices),
    /// oldest first, binding each window's bounds to the arguments `windows.start_field` and
    /// `windows.end_field` (`start_time`, `end_time`: placeholders where the spec sends them,
    /// in the query, a header or the body). Each window is a resumable unit: a failed window
    /// resumes at its failed page, and the windows before it are not walked again.
    pub fn over_windows(windows: &DateWindows, name: Text, child: ResourceRequest<T>) -> Self {
        let records = windows.windows().into_iter().filter_map(|w| match w {
            serde_json::Value::Object(map) => Some(map),
            _ => None,
        });
        let fields = [
            Text::Owned(windows.start_field.clone()),
            Text::Owned(windows.end_field.clone()),
        ];
        Self::over_records(records, name, &fields, child)
    }

    /// Walks `child` window by window over its spec's date windows (`incremental.window`):
    /// from the run's start value (the spec's `initial_value`, or the checkpoint of the
    /// [`crate::incremental::Incremental`] given to [`Self::incremental`], less the window's
    /// lookback, never before the initial value) to the spec's `end_value`, or now without
    /// one. Each window binds its bounds to the arguments `start_time` and `end_time`, and
    /// every child run filters against, and advances, that one checkpoint. Each window is a
    /// resumable unit: a failed window resumes at its failed page with its bounds, and the
    /// windows after it are cut from its end to now.
    pub fn over_date_windows(name: Text, child: ResourceRequest<T>) -> Self {
        let fields = [Text::Borrowed("start_time"), Text::Borrowed("end_time")];
        let mut fan_out = Self::over_records(Vec::new(), name, &fields, child);
        fan_out.parent = super::Parents::Windows;
        fan_out
    }

    /// A fan-out over fixed parent records, binding each of `fields` to the argument of the
    /// same name.
    fn over_records(
        records: impl IntoIterator<Item = serde_json::Map<String, serde_json::Value>>,
        name: Text,
        fields: &[Text],
        child: ResourceRequest<T>,
    ) -> Self {
        let records = records
            .into_iter()
            .filter_map(|record| serde_json::value::to_raw_value(&record).ok())
            .collect();
        let bindings = fields
            .iter()
            .map(|field| ParentBinding {
                arg: field.clone(),
                field: Selector::fields([field.to_string()]),
                field_name: field.clone(),
            })
            .collect();
        Self::linked(
            super::Parents::Values(Ok(records)),
            child,
            name,
            bindings,
            Vec::new(),
        )
    }

    /// Copies these partition fields onto every record, as `_<name>_<field>`.
    pub fn include_from_parent(mut self, fields: Vec<Text>) -> Self {
        self.include_from_parent = fields;
        self
    }
}

/// A list partition's values, as a spec's `partitions: {values: ..}` gives them.
#[derive(Debug, Clone, PartialEq)]
pub enum PartitionValues {
    /// Listed in the spec (strings, numbers, booleans), in order.
    Listed(List<Literal>),
    /// The client's setting of that name (`values: {config: years}`), read when the walk
    /// starts: a JSON list (`[2023, 2024]`, as dlt writes a list setting in an environment
    /// variable) or comma-separated text (`2023,2024`, each item a string, trimmed).
    Setting(Text),
}

/// The values of the setting `name` (see [`PartitionValues::Setting`]); why there are none.
pub fn from_setting(text: Option<String>, name: &str) -> Result<Vec<serde_json::Value>, String> {
    let Some(text) = text else {
        return Err(format!(
            "the partitions come from the setting `{name}`, which the client was not given"
        ));
    };
    let values: Vec<serde_json::Value> = match serde_json::from_str(&text) {
        Ok(serde_json::Value::Array(items)) => {
            if items
                .iter()
                .any(|v| v.is_object() || v.is_array() || v.is_null())
            {
                return Err(format!(
                    "the setting `{name}` is a list holding something other than strings, \
                     numbers and booleans"
                ));
            }
            items
        }
        _ => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| serde_json::Value::String(item.to_string()))
            .collect(),
    };
    if values.is_empty() {
        return Err(format!(
            "the setting `{name}` holds no partition value: give a list (`[2023, 2024]`) or \
             comma-separated values (`2023,2024`)"
        ));
    }
    Ok(values)
}

/// The name a walk over a spec's list partitions goes by (the generated `<resource>_all()`
/// and `cargo xtask run --all` give it): each record carries its value as
/// `_partition_<field>`.
pub const PARTITION_WALK: &str = "partition";

/// The name a walk over a spec's date windows goes by: each record carries its window's
/// bounds as `_window_start_time` and `_window_end_time`.
pub const WINDOW_WALK: &str = "window";

/// The list as a parent stream: every value on one "page" (page 1 of the partition list),
/// so a resume point names the value by its fields and index there. Values that could not
/// be had make a stream of that one error.
pub(super) fn parents(values: Result<Vec<Box<RawValue>>, String>, name: &str) -> Parents {
    match values {
        Ok(values) => lazy_parents(values.into_iter(), name),
        Err(why) => {
            let error = Error::Invalid(format!("partitions of `{name}`: {why}"));
            Box::pin(stream::iter([Err(error)]))
        }
    }
}

/// Where a resumed walk picks up: the parent (a partition, a window, a parent record) whose
/// child failed. A point without one (a parent page failed) has nothing pending.
pub(super) fn pending(resume: Option<ResumePoint>) -> Option<Pending> {
    let point = resume?;
    let at = point.parent.as_ref()?;
    let mut child = point.clone();
    child.parent = None;
    Some(Pending {
        page: at.point.page,
        fields: at.fields.clone(),
        child,
        whole: point.clone(),
    })
}

/// The windows a walk over `child`'s date windows goes through, as a parent stream, and
/// where a resumed walk picks up. Cut lazily: a long range in short steps is never held whole.
/// A walk that cannot be planned (no start value, a bad end value) fails at its start.
pub(super) fn window_parents<T: DeserializeOwned + Send + 'static>(
    child: &ResourceRequest<T>,
    cursors: Option<&FanOutCursors>,
    resume: Option<ResumePoint>,
    name: &str,
) -> (Parents, Option<Pending>) {
    let invalid = |e: String| {
        crate::error::Error::Invalid(format!(
            "date windows of resource `{}`: {e}",
            child.descriptor().name
        ))
    };
    let pending = pending(resume);
    let planned = match child.descriptor().incremental.as_ref() {
        None => Err(invalid("the resource is not incremental".into())),
        Some(config) => {
            crate::incremental::settings::bind(config, &child.core, &child.descriptor().name)
                .and_then(|config| {
                    plan(&config, cursors, pending.as_ref(), child.core.now()).map_err(invalid)
                })
        }
    };
    let records: Box<dyn Iterator<Item = serde_json::Map<String, serde_json::Value>> + Send> =
        match planned {
            Ok(records) => records,
            Err(e) => return (Box::pin(stream::iter([Err(e)])), None),
        };
    let records = records.filter_map(|record| serde_json::value::to_raw_value(&record).ok());
    (lazy_parents(records, name), pending)
}

/// The windows of one walk: from the run's start value, or, resuming, the failed window with
/// the bounds it had and then windows cut from its end to now.
fn plan(
    config: &crate::incremental::IncrementalConfig,
    cursors: Option<&FanOutCursors>,
    pending: Option<&Pending>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Box<dyn Iterator<Item = serde_json::Map<String, serde_json::Value>> + Send>, String> {
    if let Some(pending) = pending {
        let bound = |field: &str| {
            pending
                .fields
                .iter()
                .find(|(k, _)| k.ends_with(&format!("_{field}")))
                .map(|(_, v)| v.clone())
                .ok_or_else(|| format!("the resume point names no window `{field}`"))
        };
        let (start, end) = (bound("start_time")?, bound("end_time")?);
        let mut failed = serde_json::Map::new();
        failed.insert("start_time".into(), start);
        failed.insert("end_time".into(), end.clone());
        let rest = windows::plan(config, Some(&end), now)?;
        let granularity = config
            .window
            .as_ref()
            .and_then(|w| w.granularity.as_deref())
            .and_then(windows::IsoDuration::parse)
            .unwrap_or(windows::IsoDuration::ZERO);
        // the next window starts one granule after the failed one ended
        let rest = match granularity.add(rest.start) {
            Some(next) if next > rest.start => windows::DateWindows {
                start: next,
                ..rest
            },
            _ => return Ok(Box::new(std::iter::once(failed))),
        };
        return Ok(Box::new(std::iter::once(failed).chain(rest.iter())));
    }
    let handle = match cursors {
        Some(FanOutCursors::Shared(handle)) => handle.clone(),
        _ => Incremental::new(),
    };
    let filter = handle.begin(config).map_err(|e| e.0)?;
    let range = windows::plan(config, filter.start_value(), now)?;
    Ok(Box::new(range.iter()))
}

/// Records that are made as the walk reaches them, all on one "page" as a list's are.
fn lazy_parents(
    records: impl Iterator<Item = Box<RawValue>> + Send + 'static,
    name: &str,
) -> Parents {
    let stop = Arc::new(Stop {
        resource: name.to_string(),
        page: 1,
        url: String::new(),
        position: Position::Start,
        secrets: Vec::new(),
        handle: None,
    });
    let items = records.enumerate().map(move |(index, record)| {
        Ok(ParentItem {
            record,
            mark: None,
            stop: Some(stop.clone()),
            index,
        })
    });
    Box::pin(stream::iter(items))
}
