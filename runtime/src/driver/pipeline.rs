//! The page pipeline. Responses are read strictly in order, each stepping the paginator, but
//! requests go out ahead of them: the next page's request is sent as soon as the paginator
//! has read the current page (for cursors and links: the cursor is read before any record is
//! decoded), so it is on the wire while the current page is decoded. With
//! `.concurrency(n)`, a range paginator keeps up to `n` requests in flight: up to its total,
//! or speculatively without one, when the first short or empty page ends the run and drops
//! (cancels) the requests past it. A prefetched response is used only if its request is exactly the one the
//! paginator asks for when its turn comes; otherwise the guesses are dropped and paging goes
//! on from the paginator's own request, so records arrive in order and exactly once.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures::{Stream, stream};
use serde::de::DeserializeOwned;
use tracing::Instrument;
use tracing::instrument::WithSubscriber;

use crate::error::Error;

use super::ResourceRequest;
use super::page::{self, Delivered, Prepared, Walk};
use super::send::{Outgoing, Sent, Shared, send};
use crate::scan::ScanPlan;

type SendFuture = Pin<Box<dyn Future<Output = Result<Sent, Error>> + Send>>;

/// A request on its way. Spawned on the tokio runtime when there is one, so it progresses
/// while this task decodes; otherwise polled in place when its turn comes.
enum Flight {
    Spawned(tokio::task::JoinHandle<Result<Sent, Error>>),
    Inline(SendFuture),
}

struct InFlight {
    request: Outgoing,
    flight: Flight,
}

impl Drop for InFlight {
    // A request nobody will read (the run ended, failed or was dropped) is cancelled.
    fn drop(&mut self) {
        if let Flight::Spawned(handle) = &self.flight {
            handle.abort();
        }
    }
}

impl InFlight {
    fn launch(shared: &Arc<Shared>, request: Outgoing, plan: Option<Arc<ScanPlan>>) -> InFlight {
        let future = {
            let shared = shared.clone();
            let request = request.clone();
            async move { send(&shared, request, plan.as_deref()).await }
        };
        // A spawned task does not inherit the caller's tracing context: carry the subscriber
        // and the current span along, so its request spans and retry events land where the
        // caller's would.
        let dispatch = tracing::dispatcher::get_default(|d| d.clone());
        let future = future.in_current_span().with_subscriber(dispatch);
        let flight = match tokio::runtime::Handle::try_current() {
            Ok(runtime) => Flight::Spawned(runtime.spawn(future)),
            Err(_) => Flight::Inline(Box::pin(future)),
        };
        InFlight { request, flight }
    }

    async fn land(&mut self) -> Result<Sent, Error> {
        match &mut self.flight {
            Flight::Spawned(handle) => match handle.await {
                Ok(result) => result,
                Err(e) => Err(Error::Invalid(format!("the request task ended: {e}"))),
            },
            Flight::Inline(future) => future.as_mut().await,
        }
    }
}

/// A run in progress.
struct Pipeline {
    shared: Arc<Shared>,
    walk: Walk,
    in_flight: VecDeque<InFlight>,
    /// Requests put in flight as soon as a page is read (`.concurrency(n)`; 0 on demand).
    window: usize,
    done: bool,
}

impl Pipeline {
    /// The next page, read but not decoded; `None` when the run is over.
    async fn next_prepared(&mut self) -> Option<Result<Prepared, Error>> {
        if self.done {
            return None;
        }
        // The page before found the next request unusable: it was delivered, this is not sent.
        if let Some(e) = self.walk.take_next_failure() {
            self.stop();
            return Some(Err(e));
        }
        if self.in_flight.is_empty() {
            let request = self.walk.next_request();
            let plan = self.walk.scan_plan();
            self.in_flight
                .push_back(InFlight::launch(&self.shared, request, plan));
        }
        let mut flight = self.in_flight.pop_front()?;
        // A request that failed after its retries: the run resumes at it.
        let sent = flight.land().await.map_err(|e| {
            let stop = self.walk.next_stop(&self.shared);
            e.with_resume(|| stop.point())
        });
        drop(flight);
        match sent.and_then(|sent| self.walk.on_response(&self.shared, sent)) {
            Err(e) => {
                self.stop();
                Some(Err(e))
            }
            // a response action ignored the response: the run ends without it
            Ok(None) => {
                self.stop();
                None
            }
            Ok(Some(prepared)) => {
                if prepared.has_next && self.walk.next_fails() {
                    // nothing goes out: the next call reports the failure
                    self.in_flight.clear();
                } else if prepared.has_next {
                    self.refill();
                } else {
                    self.stop();
                }
                Some(Ok(prepared))
            }
        }
    }

    /// Whether the response to the next request has arrived.
    fn next_landed(&self) -> bool {
        self.in_flight
            .front()
            .is_some_and(|flight| matches!(&flight.flight, Flight::Spawned(h) if h.is_finished()))
    }

    fn stop(&mut self) {
        self.done = true;
        self.in_flight.clear();
    }

    /// Puts the paginator's next request in flight, and predicted ones after it up to the
    /// window. Guesses the paginator did not confirm are dropped first.
    fn refill(&mut self) {
        let next = self.walk.next_request();
        if self
            .in_flight
            .front()
            .is_some_and(|flight| flight.request != next)
        {
            self.in_flight.clear();
        }
        let limit = self.window.min(self.walk.pages_needed());
        let plan = self.walk.scan_plan();
        while self.in_flight.len() < limit {
            let ahead = self.in_flight.len();
            let request = if ahead == 0 {
                Some(next.clone())
            } else {
                self.walk.predicted(ahead)
            };
            let Some(request) = request else { break };
            self.in_flight
                .push_back(InFlight::launch(&self.shared, request, plan.clone()));
        }
    }
}

/// A page being decoded: on tokio's blocking pool, so two pages decode at once and the
/// reading task goes on; or already done, in place.
// A page (with its decode summary) is larger than a join handle; at most two of these live
// per run, so boxing would buy nothing but an allocation per page.
#[allow(clippy::large_enum_variant)]
enum Decoding<T> {
    Spawned(tokio::task::JoinHandle<Result<Delivered<T>, Error>>),
    Ready(Result<Delivered<T>, Error>),
}

impl<T> Decoding<T> {
    fn is_ready(&self) -> bool {
        match self {
            Decoding::Spawned(handle) => handle.is_finished(),
            Decoding::Ready(_) => true,
        }
    }

    async fn get(self) -> Result<Delivered<T>, Error> {
        match self {
            Decoding::Spawned(handle) => match handle.await {
                Ok(page) => page,
                Err(e) => Err(Error::Invalid(format!("the decoding task ended: {e}"))),
            },
            Decoding::Ready(page) => page,
        }
    }
}

/// A run in progress, as the stream holds it.
struct Running<T> {
    pipeline: Pipeline,
    /// Pages read and being decoded, in order.
    decoding: VecDeque<Decoding<T>>,
    /// How many pages may be read ahead of the one delivered: 2 decodes a page while the
    /// previous one still decodes; 1 reads a page only when it is asked for.
    depth: usize,
}

impl<T: DeserializeOwned + Send + 'static> Running<T> {
    /// The next page in order; `None` when the run is over.
    async fn next_page(&mut self) -> Option<Result<Delivered<T>, Error>> {
        loop {
            if self.decoding.front().is_some_and(Decoding::is_ready) {
                return Some(self.decoding.pop_front()?.get().await);
            }
            // Read the next page when there is room for it and either nothing else to wait
            // for or its response is already here.
            let room = self.decoding.len() < self.depth && !self.pipeline.done;
            if room && (self.decoding.is_empty() || self.pipeline.next_landed()) {
                let decoding = match self.pipeline.next_prepared().await {
                    Some(Ok(prepared)) => {
                        let waiting = !self.pipeline.in_flight.is_empty();
                        decode(prepared, self.depth > 1, waiting).await
                    }
                    Some(Err(e)) => Decoding::Ready(Err(e)),
                    None => continue,
                };
                self.decoding.push_back(decoding);
                continue;
            }
            return Some(self.decoding.pop_front()?.get().await);
        }
    }
}

/// Starts decoding a page: on the blocking pool when `ahead` (pages are read ahead) and there
/// is a tokio runtime, else in place. `waiting`: requests were just launched.
async fn decode<T: DeserializeOwned + Send + 'static>(
    prepared: Prepared,
    ahead: bool,
    waiting: bool,
) -> Decoding<T> {
    if ahead && let Ok(runtime) = tokio::runtime::Handle::try_current() {
        return Decoding::Spawned(runtime.spawn_blocking(move || delivered(prepared)));
    }
    if waiting {
        // On a single-threaded runtime, let the requests just launched reach the socket
        // before this task spends the next while decoding.
        tokio::task::yield_now().await;
    }
    Decoding::Ready(delivered(prepared))
}

/// A page decoded, with its records' incremental marks.
fn delivered<T: DeserializeOwned>(mut prepared: Prepared) -> Result<Delivered<T>, Error> {
    let marks = prepared.take_marks();
    let stop = prepared.stop.clone();
    let next = prepared.next.clone();
    // a page that does not decode is fetched again on resume
    let page = prepared
        .decode::<T>()
        .map_err(|e| e.with_resume(|| stop.point()))?;
    Ok(Delivered {
        page,
        marks,
        stop,
        next,
    })
}

enum Run<T> {
    Start(Box<ResourceRequest<T>>),
    Running(Box<Running<T>>),
    Done,
}

/// The pages of `request`, in order, each with the marks that advance the incremental
/// checkpoint as its records are handed over.
pub(crate) fn pages<T: DeserializeOwned + Send + 'static>(
    request: ResourceRequest<T>,
) -> impl Stream<Item = Result<Delivered<T>, Error>> + Send + Unpin + 'static {
    // Requests in flight beyond the one being read: none for a run on demand.
    let window = if request.lookahead {
        request.concurrency.max(1)
    } else {
        0
    };
    // With `.concurrency(n)`, a page is also read and decoded while the previous one still
    // decodes (on the blocking pool), for any paginator. Not by default: on a busy machine it
    // measured slower and took 4 MB more memory (two pages decoding, allocator pools per
    // thread). Not for incremental runs either: they read every record (no scan plan), and
    // one page at a time keeps their requests as dlt sends them.
    let depth =
        if request.lookahead && request.concurrency > 1 && request.descriptor.incremental.is_none()
        {
            2
        } else {
            1
        };
    Box::pin(stream::unfold(
        Run::Start(Box::new(request)),
        move |run| async move {
            let mut running = match run {
                Run::Done => return None,
                Run::Running(running) => running,
                Run::Start(request) => match page::start(*request) {
                    Ok((shared, walk)) => Box::new(Running {
                        pipeline: Pipeline {
                            shared,
                            walk,
                            in_flight: VecDeque::new(),
                            window,
                            done: false,
                        },
                        decoding: VecDeque::new(),
                        depth,
                    }),
                    Err(e) => return Some((Err(e), Run::Done)),
                },
            };
            match running.next_page().await? {
                Ok(page) => Some((Ok(page), Run::Running(running))),
                Err(e) => Some((Err(e), Run::Done)),
            }
        },
    ))
}
