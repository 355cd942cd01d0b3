//! The fan-out walk: up to `n` child walks in flight at once, one per parent record, polled
//! together in the consumer's task (nothing is spawned, so dropping the stream cancels every
//! walk and its requests), with records handed over in parent order or as they come.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::{ChildRecord, FanOutCursors, ParentBinding, Pending, bind, not_found};
use crate::descriptor::Text;
use crate::driver::{Marked, ResourceRequest, Stop, deliver};
use crate::error::Error;
use crate::incremental::{Mark, Tracker};
use crate::resume::ParentPoint;

/// Records a walk in flight takes from its child stream ahead of the consumer. With the
/// child's own page in hand and its next request on the wire, a walk holds at most two child
/// pages and this many records.
pub(crate) const WALK_BUFFER: usize = 1;

/// How many finished walks an unordered fan-out keeps per walk in flight while an earlier
/// parent's walk is still running (each holds only its parent's fields and mark, kept so the
/// parent checkpoint advances in parent order).
const UNORDERED_BACKLOG: usize = 4;

type Boxed<I> = Pin<Box<dyn Stream<Item = Result<I, Error>> + Send>>;

/// The records a fan-out walks the children of.
pub(super) type Parents = Boxed<ParentItem>;

/// A parent record, with what handing over all its children advances, and where it is.
pub(super) struct ParentItem {
    pub(super) record: Box<RawValue>,
    /// Its incremental mark, folded in once its children are all handed over.
    pub(super) mark: Option<(Tracker, Mark)>,
    /// The request of its page; `None` for a nested fan-out's parent, which has no point
    /// to resume at.
    pub(super) stop: Option<std::sync::Arc<Stop>>,
    /// Its index on the page.
    pub(super) index: usize,
}

/// The parent record whose children a walk fetches.
struct Current {
    fields: serde_json::Map<String, serde_json::Value>,
    /// Its incremental mark, folded in once its children are all handed over.
    mark: Option<(Tracker, Mark)>,
    stop: Option<std::sync::Arc<Stop>>,
    index: usize,
}

/// One parent's child walk.
struct Walk<T> {
    /// `None` once the child stream ended or failed.
    children: Option<Boxed<Marked<T>>>,
    buffer: VecDeque<Marked<T>>,
    failed: Option<Error>,
    current: Current,
}

impl<T> Walk<T> {
    /// Every record handed over or buffered, nothing more to fetch.
    fn ended(&self) -> bool {
        self.children.is_none()
    }

    /// Holds nothing but its parent's mark (or its failure).
    fn drained(&self) -> bool {
        self.ended() && self.buffer.is_empty()
    }

    /// Pulls records into the buffer while there is room; true when something changed.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> bool {
        let mut changed = false;
        while self.buffer.len() < WALK_BUFFER {
            let Some(children) = self.children.as_mut() else {
                break;
            };
            match children.as_mut().poll_next(cx) {
                Poll::Pending => break,
                Poll::Ready(Some(Ok(record))) => self.buffer.push_back(record),
                Poll::Ready(None) => self.children = None,
                Poll::Ready(Some(Err(mut e))) => {
                    match &self.current.stop {
                        Some(stop) => {
                            if let Some(point) = e.resume_point_mut()
                                && point.parent.is_none()
                            {
                                point.parent = Some(Box::new(ParentPoint {
                                    point: stop.point(),
                                    record: self.current.index,
                                    fields: self.current.fields.clone(),
                                }));
                            }
                        }
                        None => e = e.without_resume(),
                    }
                    self.children = None;
                    self.failed = Some(e);
                }
            }
            changed = true;
        }
        changed
    }

    fn hand_over(&mut self) -> Option<ChildRecord<T>> {
        let marked = self.buffer.pop_front()?;
        deliver(marked.mark);
        Some(ChildRecord {
            parent: self.current.fields.clone(),
            record: marked.record,
        })
    }
}

/// A fan-out in progress.
pub(super) struct Walker<T> {
    /// `None` once the parents ended, failed, or the walk is stopping.
    pub(super) parents: Option<Parents>,
    /// A parent-side failure, handed over once every walk before it is.
    pub(super) parent_failure: Option<Error>,
    /// Walks in parent order.
    walks: VecDeque<Walk<T>>,
    pub(super) pending: Option<Pending>,
    pub(super) child: ResourceRequest<T>,
    pub(super) parent_name: Text,
    pub(super) bindings: Vec<ParentBinding>,
    pub(super) include_from_parent: Vec<Text>,
    pub(super) concurrency: usize,
    pub(super) ordered: bool,
    /// Per-parent incremental state, when the fan-out has it.
    cursors: Option<FanOutCursors>,
    finished: bool,
    /// Where an unordered fan-out looks for a record first, so no walk starves.
    turn: usize,
}

impl<T: DeserializeOwned + Send + 'static> Walker<T> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        parents: Parents,
        pending: Option<Pending>,
        child: ResourceRequest<T>,
        parent_name: Text,
        bindings: Vec<ParentBinding>,
        include_from_parent: Vec<Text>,
        concurrency: usize,
        ordered: bool,
        cursors: Option<FanOutCursors>,
    ) -> Self {
        let concurrency = concurrency.max(1);
        Walker {
            parents: Some(parents),
            parent_failure: None,
            walks: VecDeque::new(),
            pending,
            child,
            parent_name,
            bindings,
            include_from_parent,
            concurrency,
            // one walk at a time is in order whatever was asked
            ordered: ordered || concurrency == 1,
            cursors,
            finished: false,
            turn: 0,
        }
    }

    /// Whether another parent's walk may start.
    fn room(&self) -> bool {
        if self.ordered {
            return self.walks.len() < self.concurrency;
        }
        let running = self.walks.iter().filter(|w| !w.drained()).count();
        running < self.concurrency && self.walks.len() < self.concurrency * UNORDERED_BACKLOG
    }

    /// The parent side failed or ended short: launch nothing more, hand over what is in
    /// flight, then this error.
    fn fail_parents(&mut self, e: Error) {
        self.parents = None;
        self.parent_failure = Some(e);
    }

    /// Starts walks for the next parents while there is room; true when something changed.
    fn poll_launch(&mut self, cx: &mut Context<'_>) -> bool {
        let mut changed = false;
        while self.room() {
            let Some(parents) = self.parents.as_mut() else {
                break;
            };
            let marked = match parents.as_mut().poll_next(cx) {
                Poll::Pending => break,
                Poll::Ready(None) => {
                    self.parents = None;
                    if let Some(p) = self.pending.take() {
                        self.fail_parents(not_found(&p));
                    }
                    return true;
                }
                Poll::Ready(Some(Err(mut e))) => {
                    // before the parent whose child failed: resuming again starts there again
                    if let Some(pending) = self.pending.take()
                        && let Some(point) = e.resume_point_mut()
                    {
                        *point = pending.whole;
                    }
                    self.fail_parents(e);
                    return true;
                }
                Poll::Ready(Some(Ok(marked))) => marked,
            };
            changed = true;
            let (mut request, fields) = match bind(
                &self.child,
                &self.parent_name,
                &self.bindings,
                &self.include_from_parent,
                &marked.record,
            ) {
                Ok(bound) => bound,
                Err(e) => {
                    self.fail_parents(e);
                    return true;
                }
            };
            if let Some(cursors) = &self.cursors {
                request = request.incremental(
                    &cursors.for_parent(|| parent_key(&self.parent_name, &self.bindings, &fields)),
                );
            }
            if let Some(pending) = &self.pending {
                if marked.stop.as_ref().map(|s| s.page) != Some(pending.page) {
                    if let Some(p) = self.pending.take() {
                        self.fail_parents(not_found(&p));
                    }
                    return true;
                }
                if fields != pending.fields {
                    // its children were handed over before the failure
                    continue;
                }
                if let Some(pending) = self.pending.take() {
                    request = request.resume(pending.child);
                }
            }
            self.walks.push_back(Walk {
                children: Some(Box::pin(request.marked())),
                buffer: VecDeque::new(),
                failed: None,
                current: Current {
                    fields,
                    mark: marked.mark,
                    stop: marked.stop,
                    index: marked.index,
                },
            });
        }
        changed
    }

    /// Polls every walk with room in its buffer. A failed walk stops the fan-out: nothing new
    /// starts, and the walks after it (ordered) or all others (unordered) are cancelled.
    fn poll_walks(&mut self, cx: &mut Context<'_>) -> bool {
        let mut changed = false;
        let mut failed_at = None;
        for (k, walk) in self.walks.iter_mut().enumerate() {
            changed |= walk.poll_fill(cx);
            if walk.failed.is_some() {
                failed_at = Some(k);
                break;
            }
        }
        if let Some(k) = failed_at {
            self.parents = None;
            self.walks.truncate(k + 1);
            if !self.ordered {
                // later parents may have been handed over in part: no point resumes exactly
                let failed = self.walks.pop_back().and_then(|w| w.failed);
                self.walks.clear();
                self.parent_failure = failed.map(Error::without_resume);
            }
        }
        changed
    }

    /// Folds in the marks of leading walks whose records were all handed over.
    fn retire(&mut self) {
        while let Some(front) = self.walks.front() {
            if !front.drained() || front.failed.is_some() {
                break;
            }
            if let Some(mut walk) = self.walks.pop_front() {
                deliver(walk.current.mark.take());
            }
        }
    }

    /// The next record to hand over, if one is buffered.
    fn take(&mut self) -> Option<Result<ChildRecord<T>, Error>> {
        if self.ordered {
            let front = self.walks.front_mut()?;
            if let Some(record) = front.hand_over() {
                return Some(Ok(record));
            }
            if front.drained() {
                return front.failed.take().map(Err);
            }
            return None;
        }
        let n = self.walks.len();
        for step in 0..n {
            let k = (self.turn + step) % n;
            if let Some(record) = self.walks.get_mut(k).and_then(Walk::hand_over) {
                self.turn = k + 1;
                return Some(Ok(record));
            }
        }
        None
    }
}

// Nothing in a walker is pinned in place (its streams are boxed, records are only moved).
impl<T> Unpin for Walker<T> {}

impl<T: DeserializeOwned + Send + 'static> Stream for Walker<T> {
    type Item = Result<ChildRecord<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.finished {
            return Poll::Ready(None);
        }
        loop {
            this.retire();
            if let Some(item) = this.take() {
                // nothing is polled after an error
                this.finished = item.is_err();
                this.retire();
                return Poll::Ready(Some(item));
            }
            if this.walks.is_empty() && this.parents.is_none() {
                this.finished = true;
                return Poll::Ready(this.parent_failure.take().map(Err));
            }
            let launched = this.poll_launch(cx);
            let polled = this.poll_walks(cx);
            if !launched && !polled {
                return Poll::Pending;
            }
        }
    }
}

/// A parent's key among per-parent checkpoints: its bound fields, as JSON text.
fn parent_key(
    parent_name: &str,
    bindings: &[ParentBinding],
    fields: &serde_json::Map<String, serde_json::Value>,
) -> String {
    let bound: serde_json::Map<String, serde_json::Value> = bindings
        .iter()
        .filter_map(|b| {
            let key = format!("_{parent_name}_{}", b.field_name);
            let value = fields.get(&key)?.clone();
            Some((key, value))
        })
        .collect();
    serde_json::Value::Object(bound).to_string()
}
