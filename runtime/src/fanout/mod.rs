//! Parent-child fan-out: walks a parent resource and runs the child once per parent record,
//! binding the child's arguments from the parent's fields and copying `include_from_parent`
//! fields (as `_<parent>_<field>`), with a fresh paginator for each parent, as dlt does;
//! up to `n` parents' children at once with `.concurrency(n)` (see the `walk` module).

mod partitions;
mod per_parent;
mod walk;
mod wiring;

pub use partitions::{PARTITION_WALK, PartitionValues, WINDOW_WALK, from_setting};

pub use per_parent::{FanOutCursors, ParentCheckpoints, ParentCursors};
pub use wiring::FanOutDescriptor;

use futures::{Stream, StreamExt, TryStreamExt, stream};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::blocking::{BlockingIter, BlockingRuntime};
use crate::descriptor::Text;
use crate::driver::ResourceRequest;
use crate::error::Error;
use crate::incremental::exact_value;
use crate::resume::ResumePoint;
use crate::selector::{Selector, object_fields};

/// A child record with the parent fields it was fetched for.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildRecord<T> {
    /// `_<parent>_<field>` for every linked and `include_from_parent` field.
    pub parent: serde_json::Map<String, serde_json::Value>,
    /// The child record.
    pub record: T,
}

/// One argument of the child bound from a parent field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentBinding {
    /// The child's argument (placeholder) name.
    pub arg: Text,
    /// The parent field (a JSONPath into the parent record).
    pub field: Selector,
    /// The field as written in the spec, for messages and the `_<parent>_<field>` key.
    pub field_name: Text,
}

/// A fan-out request: the parent's request, the child's, and how they are linked.
#[derive(Debug, Clone)]
pub struct FanOut<T> {
    parent: Parents,
    child: ResourceRequest<T>,
    parent_name: Text,
    bindings: Vec<ParentBinding>,
    include_from_parent: Vec<Text>,
    resume: Option<ResumePoint>,
    concurrency: usize,
    ordered: bool,
    cursors: Option<FanOutCursors>,
}

/// What a fan-out walks: a resource, or the records of another fan-out (grandchildren).
#[derive(Debug, Clone)]
enum Parents {
    Resource(Box<ResourceRequest<Box<RawValue>>>),
    FanOut(Box<FanOut<Box<RawValue>>>),
    /// A list partition's values, each a parent record `{"<field>": value}`; why there are
    /// none when they come from a setting the client does not have as a list.
    Values(Result<Vec<Box<RawValue>>, String>),
    /// The child's date windows, cut when the walk starts (from the run's start value to
    /// its end value or now), each a parent record `{"start_time": .., "end_time": ..}`.
    Windows,
}

/// The concurrency a spec's `parallelized: true` gives a fan-out: dlt's default number of
/// extract workers for parallelized resources (`extract.workers`, 5).
pub const PARALLELIZED_CONCURRENCY: usize = 5;

impl<T: DeserializeOwned + Send + 'static> FanOut<T> {
    /// Links `child` to the records of `parent` (named `parent_name`).
    pub fn new(
        parent: ResourceRequest<Box<RawValue>>,
        child: ResourceRequest<T>,
        parent_name: Text,
        bindings: Vec<ParentBinding>,
        include_from_parent: Vec<Text>,
    ) -> Self {
        Self::linked(
            Parents::Resource(Box::new(parent)),
            child,
            parent_name,
            bindings,
            include_from_parent,
        )
    }

    /// Links `child` to the records of another fan-out: grandchildren (parents -> children
    /// -> details). Each record of `parent` is the child record with its `_<parent>_<field>`
    /// fields, so bindings and `include_from_parent` may name those too, as in dlt. The
    /// walk of `parent` keeps its own concurrency. A nested fan-out cannot be resumed: its
    /// errors carry no resume point.
    pub fn nested(
        parent: FanOut<Box<RawValue>>,
        child: ResourceRequest<T>,
        parent_name: Text,
        bindings: Vec<ParentBinding>,
        include_from_parent: Vec<Text>,
    ) -> Self {
        Self::linked(
            Parents::FanOut(Box::new(parent)),
            child,
            parent_name,
            bindings,
            include_from_parent,
        )
    }

    /// A fan-out of `child` over `parent`, with the defaults both constructors share.
    fn linked(
        parent: Parents,
        child: ResourceRequest<T>,
        parent_name: Text,
        bindings: Vec<ParentBinding>,
        include_from_parent: Vec<Text>,
    ) -> Self {
        FanOut {
            parent,
            child,
            parent_name,
            bindings,
            include_from_parent,
            resume: None,
            concurrency: 1,
            ordered: true,
            cursors: None,
        }
    }

    /// Walks up to `n` parents' children at once (default 1; a spec's `parallelized: true`
    /// makes it [`PARALLELIZED_CONCURRENCY`]). Records still come in parent order, each
    /// exactly once (see [`Self::unordered`] to take them as they come). Each walk in
    /// flight holds at most two pages of its child (the one being handed over and the next
    /// one's response) and one record taken ahead, so memory grows with `n`, not with the
    /// number of parents. The parent pages one page ahead: the next parent page is asked
    /// for while the children of the current one are walked.
    ///
    /// An error stops the fan-out: no new walk starts, the walks of later parents are
    /// cancelled (their requests aborted), the records of earlier parents are handed over
    /// first, and then the error, whose resume point is the earliest parent not fully handed
    /// over, as without concurrency. `n` counts against an API's rate limit `n` times.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Makes the child incremental. With a [`ParentCursors`], per parent: each parent's
    /// child run filters against that parent's own checkpoint and advances it as its records
    /// are handed over; read `cursors.checkpoints()` after the run and persist them, start
    /// the next run with `ParentCursors::resume(saved)`. With an
    /// [`crate::incremental::Incremental`], one checkpoint for every child run: a date-window
    /// walk starts its windows there (less the spec's lookback) and advances it as records
    /// are handed over. The child resource needs an `incremental` block.
    pub fn incremental(mut self, cursors: impl Into<FanOutCursors>) -> Self {
        self.cursors = Some(cursors.into());
        self
    }

    /// Whether the walk is incremental with one [`crate::incremental::Incremental`] shared by
    /// every child run (a date-window walk: `.incremental(&run)`), not with per-parent
    /// checkpoints (`.incremental(&cursors)`, a [`ParentCursors`]: parents and partitions).
    pub fn shares_one_checkpoint(&self) -> bool {
        matches!(self.parent, Parents::Windows)
    }

    /// Hands records over as they arrive from any walk in flight, not in parent order.
    /// The records of each parent stay in their order. A parent incremental checkpoint still
    /// advances in parent order. An error cancels every walk at once and carries no resume
    /// point (later parents may have been handed over in part); a fan-out that must resume
    /// stays ordered.
    pub fn unordered(mut self) -> Self {
        self.ordered = false;
        self
    }

    /// Limits the parent side (e.g. `|p| p.max_records(10)`), such as its pages or records;
    /// for a nested fan-out, the resource at the top of the chain.
    pub fn parents(
        mut self,
        f: impl FnOnce(ResourceRequest<Box<RawValue>>) -> ResourceRequest<Box<RawValue>>,
    ) -> Self {
        self.parent = match self.parent {
            Parents::Resource(r) => Parents::Resource(Box::new(f(*r))),
            Parents::FanOut(inner) => Parents::FanOut(Box::new(inner.parents(f))),
            // a list has no request to limit
            Parents::Values(values) => Parents::Values(values),
            Parents::Windows => Parents::Windows,
        };
        self
    }

    /// Continues a fan-out that failed, from `error.resume_point()`. When a parent page
    /// failed, the parent resumes at it. When a child failed, the parent page holding its
    /// parent record is fetched again, the parents before that record on it (whose children
    /// were all handed over) are skipped, and that parent's child resumes at the page that
    /// failed; later parents follow as usual. Nothing handed over before is handed over again.
    pub fn resume(mut self, point: ResumePoint) -> Self {
        self.resume = Some(point);
        self
    }

    /// Decodes the children strictly (see [`ResourceRequest::strict`]).
    pub fn strict(mut self) -> Self {
        self.child = self.child.strict();
        self
    }

    /// Keeps only the child records `keep` returns true for (see
    /// [`ResourceRequest::filter`]); it sees the child record as JSON, without the parent
    /// fields.
    pub fn filter(
        mut self,
        keep: impl Fn(&serde_json::Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.child = self.child.filter(keep);
        self
    }

    /// Replaces each child record with what `map` makes of it (see
    /// [`ResourceRequest::map`]).
    pub fn map(
        mut self,
        map: impl Fn(serde_json::Value) -> serde_json::Value + Send + Sync + 'static,
    ) -> Self {
        self.child = self.child.map(map);
        self
    }

    /// The child's request, as it is run once per parent record (before its arguments are
    /// bound): its descriptor and record shape.
    pub fn child(&self) -> &ResourceRequest<T> {
        &self.child
    }

    /// The decoding report of every child run of this fan-out (see
    /// [`ResourceRequest::decode_report`]).
    pub fn decode_report(&self) -> crate::lenient::DecodeReport {
        self.child.decode_report()
    }

    /// Every child record of every parent record, parents in order (unless
    /// [`Self::unordered`]). The stream ends at its
    /// first error, whose resume point says which parent (its page, index and fields) and
    /// which page of its child.
    ///
    /// An incremental checkpoint of the child advances as each child record is handed over;
    /// one of the parent advances over a parent once all of its children have been.
    pub fn stream(
        self,
    ) -> impl Stream<Item = Result<ChildRecord<T>, Error>> + Send + Unpin + 'static {
        let FanOut {
            parent,
            child,
            parent_name,
            bindings,
            include_from_parent,
            resume,
            concurrency,
            ordered,
            cursors,
        } = self;
        let (parents, pending) = match parent {
            Parents::Resource(parent) => resource_parents(*parent, resume, concurrency),
            Parents::Windows => {
                partitions::window_parents(&child, cursors.as_ref(), resume, &parent_name)
            }
            Parents::Values(values) => (
                partitions::parents(values, &parent_name),
                partitions::pending(resume),
            ),
            Parents::FanOut(inner) => (nested_parents(*inner, resume, &parent_name), None),
        };
        Box::pin(walk::Walker::new(
            parents,
            pending,
            child,
            parent_name,
            bindings,
            include_from_parent,
            concurrency,
            ordered,
            cursors,
        ))
    }
}

/// A nested fan-out's records as parents. It cannot be resumed: its errors carry no point.
fn nested_parents(
    inner: FanOut<Box<RawValue>>,
    resume: Option<ResumePoint>,
    parent_name: &str,
) -> walk::Parents {
    let parents = inner.stream().map(|item| match item {
        Ok(item) => Ok(walk::ParentItem {
            record: merged(item),
            mark: None,
            stop: None,
            index: 0,
        }),
        // a point inside the chain would not resume this fan-out
        Err(e) => Err(e.without_resume()),
    });
    let refused = resume.map(|_| {
        Error::Invalid(format!(
            "cannot resume the fan-out over `{parent_name}`: a nested fan-out \
             starts again from the top"
        ))
    });
    match refused {
        Some(e) => Box::pin(stream::iter([Err(e)])),
        None => Box::pin(parents),
    }
}

/// A parent resource's records as parents, resumed at the page a point names: its own
/// failed page, or the page holding the parent whose child failed (found again by its fields).
fn resource_parents(
    parent: ResourceRequest<Box<RawValue>>,
    resume: Option<ResumePoint>,
    concurrency: usize,
) -> (walk::Parents, Option<Pending>) {
    let pending = partitions::pending(resume.clone());
    let parent = match resume {
        None => parent,
        Some(point) => match &point.parent {
            // a parent page failed
            None => parent.resume(point),
            // the page of the parent whose child failed
            Some(at) => parent.resume(at.point.clone()),
        },
    };
    // One walk at a time pages the parent on demand, so requests keep dlt's order; with
    // more, the next parent page is on the wire while this one's children are walked.
    let parent = if concurrency > 1 {
        parent
    } else {
        parent.on_demand()
    };
    let parents = parent.marked().map_ok(|m| walk::ParentItem {
        record: m.record,
        mark: m.mark,
        stop: Some(m.stop),
        index: m.index,
    });
    (Box::pin(parents), pending)
}

/// A grandchild's parent record: the child record with its parents' fields in front (so
/// they are found first, as dlt's assignment overrides a field of the same name). Built as
/// text, so the record's own numbers keep their digits.
fn merged(item: ChildRecord<Box<RawValue>>) -> Box<RawValue> {
    let text = item.record.get().trim();
    let Some(inner) = text.strip_prefix('{') else {
        // not an object: binding from it fails with the parent's fields listed
        return item.record;
    };
    if item.parent.is_empty() {
        return item.record;
    }
    let fields = serde_json::Value::Object(item.parent).to_string();
    let fields = fields.trim_end_matches('}');
    let rest = inner.trim_start();
    let joined = if rest.starts_with('}') {
        format!("{fields}{rest}")
    } else {
        format!("{fields},{rest}")
    };
    RawValue::from_string(joined).unwrap_or(item.record)
}

/// A resumed fan-out's way back to the parent whose child failed.
struct Pending {
    /// The parent page that holds it.
    page: usize,
    /// Its fields, by which it is found on that page.
    fields: serde_json::Map<String, serde_json::Value>,
    /// Where its child resumes.
    child: ResumePoint,
    /// The point resumed from, for an error before that parent is reached again.
    whole: ResumePoint,
}

/// The parent a resume point names is no longer on its page.
fn not_found(pending: &Pending) -> Error {
    Error::Invalid(format!(
        "cannot resume: the parent record {} is no longer on page {} of `{}`",
        serde_json::Value::Object(pending.fields.clone()),
        pending.page,
        pending
            .whole
            .parent
            .as_ref()
            .map_or("", |p| p.point.resource.as_str()),
    ))
}

/// The child request for one parent record, and the parent fields to attach.
fn bind<T: DeserializeOwned + Send + 'static>(
    child: &ResourceRequest<T>,
    parent_name: &str,
    bindings: &[ParentBinding],
    include_from_parent: &[Text],
    parent: &RawValue,
) -> Result<
    (
        ResourceRequest<T>,
        serde_json::Map<String, serde_json::Value>,
    ),
    Error,
> {
    let available = || {
        object_fields(parent)
            .map(|f| {
                f.iter()
                    .map(|(k, _)| k.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let mut request = child.clone();
    let mut fields = serde_json::Map::new();
    for binding in bindings {
        let found = binding
            .field
            .first(parent)
            .map_err(|too_deep| Error::Invalid(format!("a `{parent_name}` record: {too_deep}")))?;
        let value = found.ok_or_else(|| {
            Error::Invalid(format!(
                "a `{parent_name}` record has no field `{}` to bind `{}`; its fields are: {}",
                binding.field_name,
                binding.arg,
                available()
            ))
        })?;
        // exact: an integer beyond 64 bits keeps its digits (as a string), not an f64's
        let value = exact_value(value);
        // typed: paths and params get Python's str() of it, a JSON body keeps the value
        request = request.arg_value(&binding.arg, value.clone());
        fields.insert(format!("_{parent_name}_{}", binding.field_name), value);
    }
    for name in include_from_parent {
        let value = object_fields(parent)
            .and_then(|f| {
                f.into_iter()
                    .find(|(k, _)| k == name.as_ref())
                    .map(|(_, v)| v)
            })
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "a `{parent_name}` record has no field `{name}` to include; its fields are: {}",
                    available()
                ))
            })?;
        fields.insert(format!("_{parent_name}_{name}"), exact_value(value));
    }
    Ok((request, fields))
}

/// A fan-out for blocking code: `iter()` runs it on the blocking client's runtime.
#[derive(Debug, Clone)]
pub struct BlockingFanOut<T> {
    runtime: BlockingRuntime,
    fan_out: FanOut<T>,
}

impl BlockingRuntime {
    /// Wraps an async fan-out so it can be iterated without async code.
    pub fn fan_out<T: DeserializeOwned + Send + 'static>(
        &self,
        fan_out: FanOut<T>,
    ) -> BlockingFanOut<T> {
        BlockingFanOut {
            runtime: self.clone(),
            fan_out,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> BlockingFanOut<T> {
    /// Limits the parent side, as [`FanOut::parents`].
    pub fn parents(
        mut self,
        f: impl FnOnce(ResourceRequest<Box<RawValue>>) -> ResourceRequest<Box<RawValue>>,
    ) -> Self {
        self.fan_out = self.fan_out.parents(f);
        self
    }

    /// Walks up to `n` parents' children at once; see [`FanOut::concurrency`].
    pub fn concurrency(mut self, n: usize) -> Self {
        self.fan_out = self.fan_out.concurrency(n);
        self
    }

    /// Makes the child incremental; see [`FanOut::incremental`].
    pub fn incremental(mut self, cursors: impl Into<FanOutCursors>) -> Self {
        self.fan_out = self.fan_out.incremental(cursors);
        self
    }

    /// Hands records over as they arrive; see [`FanOut::unordered`].
    pub fn unordered(mut self) -> Self {
        self.fan_out = self.fan_out.unordered();
        self
    }

    /// Continues a fan-out that failed; see [`FanOut::resume`].
    pub fn resume(mut self, point: ResumePoint) -> Self {
        self.fan_out = self.fan_out.resume(point);
        self
    }

    /// Decodes the children strictly (see [`ResourceRequest::strict`]).
    pub fn strict(mut self) -> Self {
        self.fan_out = self.fan_out.strict();
        self
    }

    /// Keeps only the child records `keep` returns true for; see [`FanOut::filter`].
    pub fn filter(
        mut self,
        keep: impl Fn(&serde_json::Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.fan_out = self.fan_out.filter(keep);
        self
    }

    /// Replaces each child record with what `map` makes of it; see [`FanOut::map`].
    pub fn map(
        mut self,
        map: impl Fn(serde_json::Value) -> serde_json::Value + Send + Sync + 'static,
    ) -> Self {
        self.fan_out = self.fan_out.map(map);
        self
    }

    /// The decoding report of every child run (see [`ResourceRequest::decode_report`]).
    pub fn decode_report(&self) -> crate::lenient::DecodeReport {
        self.fan_out.decode_report()
    }

    /// Every child record of every parent record.
    pub fn iter(self) -> BlockingIter<Result<ChildRecord<T>, Error>> {
        BlockingIter::new(self.runtime, self.fan_out.stream())
    }
}
