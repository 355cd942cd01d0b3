//! One extract run: the records are pulled on a tokio runtime and written on the calling
//! thread, a bounded channel between them (fetching goes on while a page is written, and
//! memory stays flat). The state is persisted only over records the output has taken.

use std::path::Path;

use futures::StreamExt;
use restgen_writers::Writer;

use crate::job::{Batch, Failure, Job, Plan};
use crate::options::Options;
use crate::progress::{Counters, Progress, Summary};
use crate::state::State;

/// Batches in the channel between fetching and writing.
const CHANNEL: usize = 2;

/// Why a run did not end well.
#[derive(Debug)]
pub enum RunError {
    /// The command line asks for something the resource cannot do (exit code 2).
    Usage(String),
    /// The run failed (exit code 1): the runtime's error, located, and what became of the
    /// state.
    Failed(String),
    /// Ctrl-C stopped it; the records so far were written and the state covers them.
    Interrupted(Summary),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Usage(message) | RunError::Failed(message) => f.write_str(message),
            RunError::Interrupted(summary) => write!(f, "interrupted: {summary}"),
        }
    }
}

// One message per page goes through the channel: boxing the batch would buy an allocation.
#[allow(clippy::large_enum_variant)]
enum Message {
    Item(Result<Batch, Box<Failure>>),
    Interrupted,
}

/// Runs `job` as `options` say; `counters` must be the ones whose hook the job's client
/// carries (for pages and retries). The summary of a run that ended.
pub fn run(job: Job, options: &Options, counters: &Counters) -> Result<Summary, RunError> {
    if options.all && !job.is_fan_out() {
        return Err(RunError::Usage(format!(
            "--all: resource `{}` has no parent, list partitions or date windows to run it \
             for; --all is for a child, partitioned or windowed resource",
            job.name()
        )));
    }
    let fresh = State {
        resource: job.name().to_string(),
        args: if options.all {
            Vec::new()
        } else {
            options.args.clone()
        },
        all: options.all,
        ..State::default()
    };
    let start = match &options.state {
        Some(path) => match State::load(path).map_err(RunError::Failed)? {
            Some(saved) => {
                saved
                    .check(&fresh.resource, &fresh.args, fresh.all)
                    .map_err(|e| RunError::Failed(format!("state {}: {e}", path.display())))?;
                saved
            }
            None => fresh,
        },
        None => fresh,
    };
    let out_name = options
        .out
        .as_ref()
        .map_or_else(|| "-".to_string(), |p| p.display().to_string());
    let mut writer = Writer::create(options.format, options.out.as_deref(), job.shape())
        .map_err(|e| RunError::Failed(format!("output: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| RunError::Failed(format!("could not start the runtime: {e}")))?;
    let mut progress = Progress::start(job.name(), out_name);
    let plan = Plan {
        max_records: options.max_records,
        concurrency: options.concurrency,
        state: start.clone(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(CHANNEL);
    runtime.spawn(async move {
        let mut batches = job.start(plan);
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        loop {
            let message = tokio::select! {
                item = batches.next() => match item {
                    Some(item) => Message::Item(item),
                    None => break,
                },
                _ = &mut ctrl_c => Message::Interrupted,
            };
            let last = !matches!(message, Message::Item(Ok(_)));
            if tx.send(message).await.is_err() || last {
                break;
            }
        }
    });
    // With stdout, each page's records are out when the page is done: the state follows them
    // page by page. A file appears only when the run ends (with whatever ended it), and the
    // state with it: a state ahead of an output that never appeared would lose records.
    let per_page = options.out.is_none();
    let save = |state: &State| match &options.state {
        Some(path) => state.save(path),
        None => Ok(()),
    };
    let mut last = start;
    let ended = loop {
        match rx.blocking_recv() {
            None => break Ok(()),
            Some(Message::Item(Ok(batch))) => {
                if !batch.records.is_empty() {
                    batch
                        .records
                        .write_to(&mut writer)
                        .map_err(|e| RunError::Failed(format!("output: {e}")))?;
                }
                progress.add(batch.records.len(), batch.pages, counters);
                last = batch.state;
                if per_page && options.state.is_some() {
                    writer
                        .flush()
                        .map_err(|e| RunError::Failed(format!("output: {e}")))?;
                    save(&last).map_err(RunError::Failed)?;
                }
            }
            Some(Message::Item(Err(failure))) => break Err(Some(failure)),
            Some(Message::Interrupted) => break Err(None),
        }
    };
    runtime.shutdown_background();
    // what was written lands, whatever ended the run, and the state covers exactly that
    let written = writer.finish().map_err(|e| format!("output: {e}"));
    let summary = progress.finish(counters);
    match ended {
        Ok(()) => {
            written.map_err(RunError::Failed)?;
            last.resume = None;
            save(&last).map_err(RunError::Failed)?;
            Ok(summary)
        }
        Err(None) => {
            written.map_err(RunError::Failed)?;
            save(&last).map_err(RunError::Failed)?;
            Err(RunError::Interrupted(summary))
        }
        Err(Some(failure)) => {
            let mut message = format!("{}: {}", summary.resource, failure.error);
            if let Err(e) = written {
                message.push_str(&format!("\n{e}"));
            } else if let Some(path) = &options.state {
                if let Some(state) = failure.state {
                    last = state;
                }
                message.push_str(&state_note(path, &last, &summary));
                if let Err(e) = save(&last) {
                    message.push_str(&format!("\n{e}"));
                }
            }
            Err(RunError::Failed(message))
        }
    }
}

/// What the state holds after a failed run.
fn state_note(path: &Path, state: &State, summary: &Summary) -> String {
    match &state.resume {
        Some(point) => format!(
            "\nthe {} records written are in {}; state {} goes on at page {} of `{}`",
            summary.records,
            summary.out,
            path.display(),
            point.page,
            point.resource
        ),
        None => format!(
            "\nthe {} records written are in {}; state {} covers them",
            summary.records,
            summary.out,
            path.display()
        ),
    }
}
