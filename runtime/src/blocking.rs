//! The blocking driver: the async driver run on a private single-threaded tokio runtime, so
//! both drivers share the paginator core, the retry loop and the decoding path.

use std::sync::Arc;

use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;

use crate::driver::{Page, ResourceRequest};
use crate::error::Error;

/// A runtime for blocking calls, shared by every request of one blocking client.
#[derive(Debug, Clone)]
pub struct BlockingRuntime(Arc<OwnedRuntime>);

/// The runtime itself; `None` only while it is being dropped.
#[derive(Debug)]
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        // Dropping a runtime inside async code panics (it would block); a blocking client that
        // ends up dropped there is shut down in the background instead.
        if let Some(runtime) = self.0.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            runtime.shutdown_background();
        }
    }
}

impl BlockingRuntime {
    /// A new single-threaded runtime with I/O and timers.
    pub fn new() -> Result<Self, Error> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| BlockingRuntime(Arc::new(OwnedRuntime(Some(rt)))))
            .map_err(|e| Error::Invalid(format!("could not start the blocking runtime: {e}")))
    }

    /// Wraps an async request so it can be iterated without async code.
    pub fn request<T: DeserializeOwned + Send + 'static>(
        &self,
        request: ResourceRequest<T>,
    ) -> BlockingRequest<T> {
        BlockingRequest {
            runtime: self.clone(),
            request,
        }
    }
}

/// A resource request for blocking code: the same setters, then `iter()` or `pages()`.
#[derive(Debug, Clone)]
pub struct BlockingRequest<T> {
    runtime: BlockingRuntime,
    request: ResourceRequest<T>,
}

impl<T: DeserializeOwned + Send + 'static> BlockingRequest<T> {
    /// Binds the path or parameter placeholder `{name}`.
    pub fn arg(mut self, name: &str, value: impl ToString) -> Self {
        self.request = self.request.arg(name, value);
        self
    }

    /// Binds the placeholder `{name}` to a JSON value (a JSON-body value that is `{name}`
    /// alone keeps its type).
    pub fn arg_value(mut self, name: &str, value: serde_json::Value) -> Self {
        self.request = self.request.arg_value(name, value);
        self
    }

    /// Adds (or replaces) a query parameter.
    pub fn param(mut self, name: &str, value: impl ToString) -> Self {
        self.request = self.request.param(name, value);
        self
    }

    /// Adds (or replaces) a query parameter from a JSON value in dlt's wire form (a list
    /// repeats the key; `null` withdraws an earlier `param` of the name).
    pub fn param_value(mut self, name: &str, value: serde_json::Value) -> Self {
        self.request = self.request.param_value(name, value);
        self
    }

    /// Stops after `n` pages.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.request = self.request.max_pages(n);
        self
    }

    /// Stops after `n` records.
    pub fn max_records(mut self, n: usize) -> Self {
        self.request = self.request.max_records(n);
        self
    }

    /// Fetches up to `n` pages at once where the paginator allows it; see
    /// [`ResourceRequest::concurrency`].
    pub fn concurrency(mut self, n: usize) -> Self {
        self.request = self.request.concurrency(n);
        self
    }

    /// Runs an incremental resource from (and records its progress in) `handle`; see
    /// [`ResourceRequest::incremental`].
    pub fn incremental(mut self, handle: &crate::incremental::Incremental) -> Self {
        self.request = self.request.incremental(handle);
        self
    }

    /// Starts an incremental resource at `value` instead of the spec's `initial_value`.
    pub fn incremental_start(mut self, value: impl Into<serde_json::Value>) -> Self {
        self.request = self.request.incremental_start(value);
        self
    }

    /// Continues a run that failed from where it stopped; see [`ResourceRequest::resume`].
    pub fn resume(mut self, point: crate::resume::ResumePoint) -> Self {
        self.request = self.request.resume(point);
        self
    }

    /// Decodes strictly; see [`ResourceRequest::strict`].
    pub fn strict(mut self) -> Self {
        self.request = self.request.strict();
        self
    }

    /// Keeps only the records `keep` returns true for; see [`ResourceRequest::filter`].
    pub fn filter(
        mut self,
        keep: impl Fn(&serde_json::Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.request = self.request.filter(keep);
        self
    }

    /// Replaces each record with what `map` makes of it; see [`ResourceRequest::map`].
    pub fn map(
        mut self,
        map: impl Fn(serde_json::Value) -> serde_json::Value + Send + Sync + 'static,
    ) -> Self {
        self.request = self.request.map(map);
        self
    }

    /// The decoding report of this request's runs; see [`ResourceRequest::decode_report`].
    pub fn decode_report(&self) -> crate::lenient::DecodeReport {
        self.request.decode_report()
    }

    /// The records of every page, in order.
    pub fn iter(self) -> BlockingIter<Result<T, Error>> {
        BlockingIter::new(self.runtime, self.request.stream())
    }

    /// The pages, in order.
    pub fn pages(self) -> BlockingIter<Result<Page<T>, Error>> {
        BlockingIter::new(self.runtime, self.request.pages())
    }
}

/// An `Iterator` over an async stream, driven by a blocking runtime.
pub struct BlockingIter<I> {
    runtime: BlockingRuntime,
    stream: std::pin::Pin<Box<dyn Stream<Item = I> + Send>>,
    failed: bool,
}

impl<I> std::fmt::Debug for BlockingIter<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingIter").finish_non_exhaustive()
    }
}

impl<I> BlockingIter<I> {
    pub(crate) fn new(
        runtime: BlockingRuntime,
        stream: impl Stream<Item = I> + Send + 'static,
    ) -> Self {
        BlockingIter {
            runtime,
            stream: Box::pin(stream),
            failed: false,
        }
    }
}

impl<T> Iterator for BlockingIter<Result<T, Error>> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if tokio::runtime::Handle::try_current().is_ok() {
            // block_on would panic inside an async runtime: say so instead.
            self.failed = true;
            return Some(Err(Error::Invalid(
                "a blocking client was used inside an async runtime; use the async client there"
                    .into(),
            )));
        }
        match &self.runtime.0.0 {
            Some(runtime) => runtime.block_on(self.stream.next()),
            None => None,
        }
    }
}
