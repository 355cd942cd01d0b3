//! The async driver: runs the sans-IO paginator over reqwest, decoding each page's records
//! straight from its bytes into the generated type, as a `Stream` of pages or of records.

mod page;
mod pipeline;
mod send;
mod stop;

use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::Arc;

use futures::{Stream, TryStreamExt, stream};
use serde::de::DeserializeOwned;

use crate::client::ClientCore;
use crate::descriptor::ResourceDescriptor;
use crate::error::Error;
use crate::incremental::{Incremental, Mark, Tracker};
use crate::paginate::wire_form;
use crate::resume::ResumePoint;
use crate::secret::redact_text;

pub use page::Page;
pub(crate) use stop::Stop;

/// A request for one resource: arguments, extra parameters and limits, then `pages()` or
/// `stream()`. Generated methods return it with the path arguments already bound.
pub struct ResourceRequest<T> {
    pub(crate) core: ClientCore,
    descriptor: Cow<'static, ResourceDescriptor>,
    path_args: Vec<(String, serde_json::Value)>,
    extra_params: Vec<(String, String)>,
    max_pages: Option<usize>,
    max_records: Option<usize>,
    incremental: Option<Incremental>,
    concurrency: usize,
    /// Whether requests may go out before their page is asked for (see [`Self::on_demand`]).
    lookahead: bool,
    /// Where a failed run stopped, to start from there (see [`Self::resume`]).
    resume: Option<ResumePoint>,
    /// How records are decoded: the record type's shape, strictness and the run's report.
    decoding: crate::lenient::Decoding,
    /// Processing steps given as closures, after the spec's.
    steps: Vec<crate::steps::UserStep>,
    record: PhantomData<fn() -> T>,
}

// Written out: a derive would require `T: Clone`, which records need not be.
impl<T> Clone for ResourceRequest<T> {
    fn clone(&self) -> Self {
        ResourceRequest {
            core: self.core.clone(),
            descriptor: self.descriptor.clone(),
            path_args: self.path_args.clone(),
            extra_params: self.extra_params.clone(),
            max_pages: self.max_pages,
            max_records: self.max_records,
            incremental: self.incremental.clone(),
            concurrency: self.concurrency,
            lookahead: self.lookahead,
            resume: self.resume.clone(),
            decoding: self.decoding.clone(),
            steps: self.steps.clone(),
            record: PhantomData,
        }
    }
}

/// An argument as its placeholder renders it, for Debug output.
fn wire_form_cow(value: &serde_json::Value) -> Cow<'_, str> {
    match value {
        serde_json::Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(wire_form(other)),
    }
}

impl<T> std::fmt::Debug for ResourceRequest<T> {
    // Parameter values may be secrets (`.param("api_key", ..)`, a spec's `token=...`): show
    // them as a URL would be shown, with sensitive keys and secret values redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secrets = self.core.secrets();
        let shown = |pairs: &mut dyn Iterator<Item = (&str, &str)>| -> Vec<(String, String)> {
            pairs
                .map(|(k, v)| {
                    let v = if crate::secret::is_sensitive_key(k) {
                        crate::secret::REDACTED.to_string()
                    } else {
                        redact_text(v, secrets)
                    };
                    (k.to_string(), v)
                })
                .collect()
        };
        let d = &self.descriptor;
        let rendered_args: Vec<(&str, Cow<'_, str>)> = self
            .path_args
            .iter()
            .map(|(k, v)| (k.as_str(), wire_form_cow(v)))
            .collect();
        f.debug_struct("ResourceRequest")
            .field("core", &self.core)
            .field("resource", &d.name)
            .field("method", &d.method)
            .field("path", &d.path)
            .field(
                "params",
                &shown(&mut d.params.iter().map(|p| (&*p.name, &*p.value))),
            )
            .field(
                "path_args",
                &shown(
                    &mut rendered_args
                        .iter()
                        .map(|(k, v): &(&str, Cow<'_, str>)| (*k, &**v)),
                ),
            )
            .field(
                "extra_params",
                &shown(&mut self.extra_params.iter().map(|(k, v)| (&**k, &**v))),
            )
            .field("max_pages", &self.max_pages)
            .field("max_records", &self.max_records)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> ResourceRequest<T> {
    /// The client this request runs on.
    pub(crate) fn core(&self) -> &ClientCore {
        &self.core
    }

    /// A request for the resource `descriptor` describes.
    pub fn new(core: ClientCore, descriptor: Cow<'static, ResourceDescriptor>) -> Self {
        ResourceRequest {
            descriptor,
            path_args: Vec::new(),
            extra_params: Vec::new(),
            max_pages: None,
            max_records: None,
            incremental: None,
            concurrency: 1,
            lookahead: true,
            resume: None,
            decoding: crate::lenient::Decoding {
                strict: core.inner.strict,
                ..Default::default()
            },
            steps: Vec::new(),
            core,
            record: PhantomData,
        }
    }

    /// Decodes records with the help of `shape`, the record type's shape (generated code
    /// gives it): values of another type than the schema's are coerced exactly where they can
    /// be, and kept raw on the record where they cannot (see [`crate::lenient`]).
    pub fn record_shape(mut self, shape: &'static crate::lenient::RecordShape) -> Self {
        self.decoding.shape = Some(shape);
        self
    }

    /// The description of the resource this request pages through.
    pub fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    /// The record type's shape given with [`Self::record_shape`] (generated requests carry
    /// theirs), if any: what an extract run derives its output columns from.
    pub fn shape(&self) -> Option<&'static crate::lenient::RecordShape> {
        self.decoding.shape
    }

    /// Decodes strictly: the first record with a value not of the schema's type, or missing
    /// a required field, fails the page with [`Error::Decode`] naming the resource, the page
    /// and the URL, instead of being coerced or kept raw.
    pub fn strict(mut self) -> Self {
        self.decoding.strict = true;
        self
    }

    /// The decoding report of this request's runs (and of its clones', such as a fan-out's
    /// children): how many records decoded, and per field how many values were coerced or
    /// kept raw. Take it before running the request; read it during or after the run.
    pub fn decode_report(&self) -> crate::lenient::DecodeReport {
        self.decoding.report.clone()
    }

    /// Binds the path or parameter placeholder `{name}`.
    pub fn arg(self, name: &str, value: impl ToString) -> Self {
        self.arg_value(name, serde_json::Value::String(value.to_string()))
    }

    /// Binds the placeholder `{name}` to a JSON value: paths, parameters and headers get its
    /// Python `str()` form, and a JSON-body value that is `{name}` alone gets the value itself.
    pub fn arg_value(mut self, name: &str, value: serde_json::Value) -> Self {
        self.path_args.push((name.to_string(), value));
        self
    }

    /// Adds (or replaces) a query parameter.
    pub fn param(mut self, name: &str, value: impl ToString) -> Self {
        self.extra_params.retain(|(k, _)| k != name);
        self.extra_params
            .push((name.to_string(), value.to_string()));
        self
    }

    /// Adds (or replaces) a query parameter from a JSON value in dlt's wire form (`True`); a
    /// list repeats the key once per item, and `null` withdraws an earlier `param` of the name
    /// (a value the spec declares stays).
    pub fn param_value(mut self, name: &str, value: serde_json::Value) -> Self {
        self.extra_params.retain(|(k, _)| k != name);
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::Array(items) => self
                .extra_params
                .extend(items.iter().map(|item| (name.to_string(), wire_form(item)))),
            other => self
                .extra_params
                .push((name.to_string(), wire_form(&other))),
        }
        self
    }

    /// Keeps only the records for which `keep` returns true, as a `filter` processing step
    /// written after the spec's: it sees each record as JSON, before the incremental
    /// filter, so a record it drops never moves the checkpoint (as in dlt).
    pub fn filter(
        mut self,
        keep: impl Fn(&serde_json::Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.steps
            .push(crate::steps::UserStep::Filter(Arc::new(keep)));
        self
    }

    /// Replaces each record with what `map` makes of it, as a `map` processing step written
    /// after the spec's: it sees each record as JSON, before the incremental filter and the
    /// decoding into `T`, so what it returns is what is decoded.
    pub fn map(
        mut self,
        map: impl Fn(serde_json::Value) -> serde_json::Value + Send + Sync + 'static,
    ) -> Self {
        self.steps.push(crate::steps::UserStep::Map(Arc::new(map)));
        self
    }

    /// Stops after `n` pages.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = Some(n);
        self
    }

    /// Runs an incremental resource from the handle's checkpoint (or the spec's
    /// `initial_value`) and records its progress there; read `handle.checkpoint()` after the
    /// run and persist it. Without a handle, every run starts from `initial_value`.
    pub fn incremental(mut self, handle: &Incremental) -> Self {
        self.incremental = Some(handle.clone());
        self
    }

    /// Starts an incremental resource at `value` instead of the spec's `initial_value`.
    pub fn incremental_start(self, value: impl Into<serde_json::Value>) -> Self {
        self.incremental(&Incremental::starting_at(value))
    }

    /// Stops after `n` records.
    pub fn max_records(mut self, n: usize) -> Self {
        self.max_records = Some(n);
        self
    }

    /// Works on up to `n` pages at once (default 1). Offset and page_number paginators fetch
    /// up to `n` pages at once after the first page: up to the total when a response gives
    /// one, and speculatively (every page guessed full) when none does, until the first short
    /// or empty page, whose in-flight successors are cancelled and never delivered. Other
    /// paginators still send one request at a time. With `n > 1`, a page is also decoded while the previous one still
    /// decodes (on tokio's blocking pool; not for incremental resources). Records still arrive
    /// in order and exactly once. Opt-in, because `n` concurrent requests count `n` times
    /// against an API's rate limit (see the client's `rate_limit`), and pages in flight take
    /// memory. Requests past an early end (a short page, `has_more: false`, a
    /// total that shrank) may have been sent; their responses are dropped.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Continues a run that failed, from the request that failed (`error.resume_point()`),
    /// without fetching the pages before it again: its offset, page number, cursor or link is
    /// sent again, with the path, parameters and credentials of this request (secrets come
    /// from this client; a resume point holds none). An incremental resource goes on from the
    /// checkpoint the failed run reached, filtering as it did; give `.incremental(&handle)`
    /// too to read the checkpoint afterwards. Records before the failed page are not
    /// delivered again, and pages are numbered on from it.
    ///
    /// The request must be for the same resource, with the same arguments and parameters as
    /// the failed one; a point of another resource fails the run at once.
    pub fn resume(mut self, point: ResumePoint) -> Self {
        self.resume = Some(point);
        self
    }

    /// Sends each page's request only when the page is asked for, with nothing ahead. A
    /// fan-out's parent pages this way, so its requests interleave with the children's as
    /// dlt's do: a parent page, its children, the next parent page.
    pub(crate) fn on_demand(mut self) -> Self {
        self.lookahead = false;
        self
    }

    /// Decodes the records of a recorded response body as a run of this request would (the
    /// data selector, detected when the spec has none; the record shape; strictness), each
    /// on its own: a record that fails is reported and the others still decode. For checking
    /// schemas against recorded bodies (`cargo xtask check-schemas`); no request is sent.
    pub fn check_body(&self, body: &str) -> Result<crate::lenient::BodyCheck, Error> {
        let root: &serde_json::value::RawValue =
            serde_json::from_str(body.trim_start_matches('\u{feff}'))
                .map_err(|e| Error::Invalid(format!("the body is not JSON: {e}")))?;
        let selector = self
            .descriptor
            .data_selector
            .clone()
            .unwrap_or_else(|| crate::selector::detect_data_selector(root));
        let records = crate::selector::select_records(&selector, root)
            .map_err(|e| Error::Invalid(format!("the body's records: {e}")))?;
        Ok(crate::lenient::check_records::<T>(
            &records.items,
            self.decoding.shape,
            self.decoding.strict,
        ))
    }

    /// The pages, in order, each with its records and response metadata.
    ///
    /// The next page's request is sent as soon as the current page's paging values are read,
    /// before its records are decoded, so the two overlap.
    ///
    /// An incremental checkpoint advances over a page's records as the page is handed over.
    pub fn pages(self) -> impl Stream<Item = Result<Page<T>, Error>> + Send + Unpin + 'static {
        pipeline::pages(self).map_ok(|delivered| {
            delivered.marks.deliver(delivered.page.records.len());
            let mut page = delivered.page;
            // made now, so its checkpoint covers this page's records
            page.resume_after = delivered.next.map(|next| next.point());
            page
        })
    }

    /// The records of every page, in order.
    ///
    /// An incremental checkpoint advances over each record as it is handed over, so a
    /// consumer that stops early leaves it at the last record it took.
    pub fn stream(self) -> impl Stream<Item = Result<T, Error>> + Send + Unpin + 'static {
        self.marked().map_ok(|marked| {
            deliver(marked.mark);
            marked.record
        })
    }

    /// The records of every page, in order, each with the mark that advances the incremental
    /// checkpoint once the record is handed over (see [`deliver`]) and the page it is on.
    pub(crate) fn marked(
        self,
    ) -> impl Stream<Item = Result<Marked<T>, Error>> + Send + Unpin + 'static {
        pipeline::pages(self)
            .map_ok(|delivered| {
                let stop = delivered.stop;
                let marks = delivered
                    .marks
                    .into_iter()
                    .chain(std::iter::repeat_with(|| None));
                // `stream::iter` pulls a record only when the consumer asks for it
                let records = delivered.page.records.into_iter().zip(marks).enumerate();
                stream::iter(records.map(move |(index, (record, mark))| {
                    Ok(Marked {
                        record,
                        mark,
                        stop: stop.clone(),
                        index,
                    })
                }))
            })
            .try_flatten()
    }
}

/// A record with what handing it over advances, and where it is.
pub(crate) struct Marked<T> {
    pub(crate) record: T,
    /// Its incremental mark, for [`deliver`].
    pub(crate) mark: Option<(Tracker, Mark)>,
    /// The request of its page.
    pub(crate) stop: Arc<Stop>,
    /// Its index on the page.
    pub(crate) index: usize,
}

/// Folds a record's mark into its run's checkpoint: the record is being handed over.
pub(crate) fn deliver(mark: Option<(Tracker, Mark)>) {
    if let Some((tracker, mark)) = mark {
        tracker.deliver(Some(&mark));
    }
}
