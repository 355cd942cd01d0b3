//! What an extract run pulls: one resource's request or a fan-out (over its parent, its list
//! partitions or its date windows), with the record type erased, so the run itself is
//! written once. Each yields batches of records (a resource: one batch per page, its typed
//! records as decoded; a fan-out: JSON values with the parent fields added), each with the
//! state that covers it.

use futures::StreamExt;
use futures::stream::{self, BoxStream};
use restgen_runtime::lenient::{Kind, Node, RecordShape};
use restgen_runtime::{Error, FanOut, Incremental, ParentCursors, ResourceRequest};
use restgen_writers::{WriteError, Writer};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::state::State;

/// Records a fan-out hands to the output at once, at most (those that are ready).
const FAN_OUT_BATCH: usize = 1024;

/// The shape of a record without a schema: any JSON value.
static UNTYPED: RecordShape = RecordShape {
    nodes: std::borrow::Cow::Borrowed(&[Node {
        kind: Kind::Any,
        nullable: true,
    }]),
    raw_field: None,
};

/// One resource to extract: build it with [`Job::resource`] or [`Job::fan_out`].
pub struct Job {
    name: String,
    shape: &'static RecordShape,
    fan_out: bool,
    start: Box<dyn FnOnce(Plan) -> Batches + Send>,
}

/// How a run starts: its limits and the state it goes on from.
pub(crate) struct Plan {
    pub(crate) max_records: Option<usize>,
    pub(crate) concurrency: Option<usize>,
    pub(crate) state: State,
}

/// Records for the output, with the state to persist once they are written.
pub(crate) struct Batch {
    pub(crate) records: Box<dyn Records>,
    /// Pages delivered with them (0 for a fan-out, whose pages are counted by the hook).
    pub(crate) pages: u64,
    pub(crate) state: State,
}

/// A batch's records, of whatever type the resource decodes them into: the writer takes them
/// as they serialize, with no JSON value made of each.
pub(crate) trait Records: Send {
    /// How many.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Writes them to `writer`.
    fn write_to(&self, writer: &mut Writer) -> Result<(), WriteError>;
}

impl<T: Serialize + Send> Records for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn write_to(&self, writer: &mut Writer) -> Result<(), WriteError> {
        writer.write_records(self)
    }
}

/// A run's error, with the state to persist: where to resume, and the checkpoint reached;
/// `None` keeps the last state written.
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) state: Option<State>,
}

pub(crate) type Batches = BoxStream<'static, Result<Batch, Box<Failure>>>;

impl Job {
    /// A run of one resource: `client.users()`, or a child with its arguments bound.
    pub fn resource<T>(request: ResourceRequest<T>) -> Job
    where
        T: Serialize + DeserializeOwned + Send + 'static,
    {
        Job {
            name: request.descriptor().name.to_string(),
            shape: request.shape().unwrap_or(&UNTYPED),
            fan_out: false,
            start: Box::new(move |plan| resource_batches(request, plan)),
        }
    }

    /// A run of a child resource for every record of its parent (`client.followers_all()`),
    /// or of a resource for every value of its list partitions or every date window
    /// (`client.events_all()`). Each record carries the parent fields it was fetched for
    /// (`_<parent>_<field>`, `_window_start_time`).
    pub fn fan_out<T>(fan_out: FanOut<T>) -> Job
    where
        T: Serialize + DeserializeOwned + Send + 'static,
    {
        let child = fan_out.child();
        Job {
            name: child.descriptor().name.to_string(),
            shape: child.shape().unwrap_or(&UNTYPED),
            fan_out: true,
            start: Box::new(move |plan| fan_out_batches(fan_out, plan)),
        }
    }

    /// The resource's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The shape of its records, for the output's columns.
    pub fn shape(&self) -> &'static RecordShape {
        self.shape
    }

    /// Whether it is a fan-out.
    pub fn is_fan_out(&self) -> bool {
        self.fan_out
    }

    pub(crate) fn start(self, plan: Plan) -> Batches {
        (self.start)(plan)
    }
}

fn resource_batches<T>(request: ResourceRequest<T>, plan: Plan) -> Batches
where
    T: Serialize + DeserializeOwned + Send + 'static,
{
    let incremental = request.descriptor().incremental.is_some();
    let handle = match plan.state.checkpoint.clone() {
        Some(checkpoint) => Incremental::resume(checkpoint),
        None => Incremental::new(),
    };
    let mut request = request;
    if incremental {
        request = request.incremental(&handle);
    }
    if let Some(point) = plan.state.resume.clone() {
        request = request.resume(point);
    }
    if let Some(n) = plan.max_records {
        request = request.max_records(n);
    }
    if let Some(n) = plan.concurrency {
        request = request.concurrency(n);
    }
    let base = State {
        resume: None,
        ..plan.state
    };
    let checkpoint = move || incremental.then(|| handle.checkpoint()).flatten();
    request
        .pages()
        .map(move |page| match page {
            Ok(page) => {
                let resume = page.resume_after;
                Ok(Batch {
                    records: Box::new(page.records),
                    pages: 1,
                    state: State {
                        checkpoint: checkpoint().or_else(|| base.checkpoint.clone()),
                        // the page's own: taken after its records advanced the checkpoint
                        resume,
                        ..base.clone()
                    },
                })
            }
            // without a point (the run could not start) the last state written stays
            Err(error) => Err(Box::new(Failure {
                state: error.resume_point().map(|point| State {
                    checkpoint: point
                        .checkpoint()
                        .or_else(&checkpoint)
                        .or_else(|| base.checkpoint.clone()),
                    resume: Some(point.clone()),
                    ..base.clone()
                }),
                error,
            })),
        })
        .boxed()
}

fn fan_out_batches<T>(fan_out: FanOut<T>, plan: Plan) -> Batches
where
    T: Serialize + DeserializeOwned + Send + 'static,
{
    let incremental = fan_out.child().descriptor().incremental.is_some();
    let cursors = Cursors::of(&fan_out, &plan.state);
    let mut fan_out = fan_out;
    if incremental {
        fan_out = match &cursors {
            Cursors::PerParent(cursors) => fan_out.incremental(cursors),
            Cursors::Shared(handle) => fan_out.incremental(handle),
        };
    }
    if let Some(point) = plan.state.resume.clone() {
        fan_out = fan_out.resume(point);
    }
    if let Some(n) = plan.concurrency {
        fan_out = fan_out.concurrency(n);
    }
    let records = fan_out.stream();
    let records = match plan.max_records {
        Some(n) => records.take(n).boxed(),
        None => records.boxed(),
    };
    let base = State {
        resume: None,
        ..plan.state
    };
    // the state with the checkpoints the records written so far reached
    let advanced = move |base: &State| {
        if !incremental {
            return base.clone();
        }
        match &cursors {
            Cursors::PerParent(cursors) => State {
                parents: Some(cursors.checkpoints()),
                ..base.clone()
            },
            Cursors::Shared(handle) => State {
                checkpoint: handle.checkpoint().or_else(|| base.checkpoint.clone()),
                ..base.clone()
            },
        }
    };
    records
        .ready_chunks(FAN_OUT_BATCH)
        .flat_map(move |chunk| {
            // the records before an error are written, then the error ends the run
            let mut records = Vec::with_capacity(chunk.len());
            let mut failed = None;
            for item in chunk {
                match item.map_err(Box::<Failure>::from).and_then(child_value) {
                    Ok(value) => records.push(value),
                    Err(failure) => {
                        failed = Some(failure);
                        break;
                    }
                }
            }
            let state = advanced(&base);
            let mut out = vec![Ok(Batch {
                records: Box::new(records),
                pages: 0,
                state: state.clone(),
            })];
            if let Some(mut failure) = failed {
                // a fan-out's point names the parent and the child page to go on from
                failure.state = failure.error.resume_point().map(|point| State {
                    resume: Some(point.clone()),
                    ..state
                });
                out.push(Err(failure));
            }
            stream::iter(out)
        })
        .boxed()
}

/// A fan-out's checkpoints: one per parent (parents, list partitions), kept in the state's
/// `parents`, or one for the whole walk (date windows), kept in its `checkpoint`.
enum Cursors {
    PerParent(ParentCursors),
    Shared(Incremental),
}

impl Cursors {
    /// The checkpoints `fan_out` takes, from where `state` left them.
    fn of<T: DeserializeOwned + Send + 'static>(fan_out: &FanOut<T>, state: &State) -> Cursors {
        if fan_out.shares_one_checkpoint() {
            Cursors::Shared(
                state
                    .checkpoint
                    .clone()
                    .map_or_else(Incremental::new, Incremental::resume),
            )
        } else {
            Cursors::PerParent(
                state
                    .parents
                    .clone()
                    .map_or_else(ParentCursors::new, ParentCursors::resume),
            )
        }
    }
}

impl From<Error> for Box<Failure> {
    fn from(error: Error) -> Self {
        Box::new(Failure { error, state: None })
    }
}

/// A child record as a JSON object, with its parent fields.
fn child_value<T: Serialize>(item: restgen_runtime::ChildRecord<T>) -> Result<Value, Box<Failure>> {
    let mut value = serde_json::to_value(&item.record).map_err(encode_failure)?;
    if let Value::Object(fields) = &mut value {
        for (name, parent) in item.parent {
            fields.entry(name).or_insert(parent);
        }
    }
    Ok(value)
}

fn encode_failure(e: serde_json::Error) -> Box<Failure> {
    Box::<Failure>::from(Error::Invalid(format!(
        "a record could not be written as JSON: {e}"
    )))
}
