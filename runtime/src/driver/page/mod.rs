//! One run's sequential state and the two halves of a page: reading a response (status, JSON,
//! records found by the selector, the paginator's step, the incremental filter, the limits),
//! which must happen page after page, and decoding its records into `T`, which need not.
//! The split lets the next request go out before the current page is decoded.

use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::{Error, Location};
use crate::expr::RunValues;
use crate::incremental::{Mark, RunFilter, Tracker};
use crate::lenient::{self, DecodeSummary, Decoding};
use crate::paginate::{PageView, PaginationError, Paginator, RequestState};
use crate::placeholders::{fill_json, fill_path, fill_placeholders};
use crate::rules::RuleAction;
use crate::scan::ScanPlan;
use crate::secret::{Secret, redact_text, redact_url};
use crate::selector::{RawRecords, Selector, detect_data_selector, record_spans, select_records};
use crate::steps::{self, Processed, ProcessingStep, UserStep};

use super::ResourceRequest;
use super::send::{Outgoing, Sent, Shared, snippet};
use super::stop::{self, Stop};

mod start;
pub(crate) use start::start;

/// One page of records with the response it came from.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// Page number, counting from 1.
    pub number: usize,
    /// The records, decoded.
    pub records: Vec<T>,
    /// The response status.
    pub status: u16,
    /// The response headers.
    pub headers: http::HeaderMap,
    /// The request URL, redacted.
    pub url: String,
    /// How this page's records decoded: values coerced or kept raw, per field.
    pub decoding: DecodeSummary,
    /// Where a new run goes on after this page (`request.resume(point)`): the next page's
    /// request, with the incremental checkpoint reached over the records handed over so far.
    /// `None` on the last page. Persisting it once the page is processed (written out) lets a
    /// run that dies later be continued with nothing lost and nothing repeated, even when the
    /// cursor values do not arrive in order. Set by `pages()`.
    pub resume_after: Option<crate::resume::ResumePoint>,
}

/// A page decoded, with what handing each of its records over advances.
pub(crate) struct Delivered<T> {
    pub(crate) page: Page<T>,
    pub(crate) marks: Marks,
    /// The page's own request, for a fan-out's resume point.
    pub(crate) stop: Arc<Stop>,
    /// The next page's request, when one follows, for [`Page::resume_after`].
    pub(crate) next: Option<Arc<Stop>>,
}

/// The incremental marks of a page's records, in order (empty when the run is not
/// incremental): the checkpoint advances by a record's mark when the record is handed over.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    tracker: Option<Tracker>,
    marks: Vec<Option<Mark>>,
}

impl Marks {
    /// Advances the checkpoint over the first `n` records, handed over.
    pub(crate) fn deliver(&self, n: usize) {
        if let Some(tracker) = &self.tracker {
            for mark in self.marks.iter().take(n) {
                tracker.deliver(mark.as_ref());
            }
        }
    }

    /// One record's mark, with what it advances; `None` for a run that is not incremental.
    pub(crate) fn into_iter(self) -> impl Iterator<Item = Option<(Tracker, Mark)>> {
        let tracker = self.tracker;
        self.marks.into_iter().map(move |mark| {
            let tracker = tracker.clone()?;
            Some((tracker, mark?))
        })
    }
}

/// The state that goes from page to page: the paginator and the request it edits, counts,
/// the data selector (detected on the first page when the spec has none), the incremental
/// filter and the limits.
pub(crate) struct Walk {
    paginator: Paginator,
    state: RequestState,
    page: usize,
    records: usize,
    /// Records on the last page (after the incremental filter).
    last_len: usize,
    selector: Option<Selector>,
    filter: Option<RunFilter>,
    max_pages: Option<usize>,
    max_records: Option<usize>,
    /// An error of the next request, found while reading the page before it (a repeated
    /// request, an unusable next link): the page is delivered first, then this, and the
    /// request is never sent.
    next_fails: Option<Error>,
    /// The secrets the last response had to hide (the client's and the credentials sent),
    /// kept out of resume points.
    hidden: Vec<Secret>,
    /// How records are decoded, handed to each page.
    decoding: Decoding,
    /// The spec's processing steps, settings bound.
    steps: Vec<ProcessingStep>,
    /// The program's processing steps (`.filter(..)`, `.map(..)`), after the spec's.
    user_steps: Vec<UserStep>,
}

/// A page read and checked, its records located but not decoded.
pub(crate) struct Prepared {
    number: usize,
    status: u16,
    headers: http::HeaderMap,
    url: String,
    body: bytes::Bytes,
    /// Where each record is in `body`, after the incremental filter.
    spans: Vec<Range<usize>>,
    /// The incremental marks of the records at `spans`.
    marks: Marks,
    /// The page's request, where a failure to decode it resumes.
    pub(crate) stop: Arc<Stop>,
    /// The next page's request, when one follows and no record of this page was cut.
    pub(crate) next: Option<Arc<Stop>>,
    /// How many of them are kept (fewer when `max_records` ends the run on this page).
    keep: usize,
    at: Location,
    hidden: Vec<Secret>,
    decoding: Decoding,
    /// Whether another page follows.
    pub(crate) has_next: bool,
}

impl Walk {
    /// The error the next request fails with before it is sent (see [`Walk::on_response`]).
    pub(crate) fn take_next_failure(&mut self) -> Option<Error> {
        self.next_fails.take()
    }

    /// Whether the next request fails before it is sent.
    pub(crate) fn next_fails(&self) -> bool {
        self.next_fails.is_some()
    }

    /// The request for the next page, as the paginator left it.
    pub(crate) fn next_request(&self) -> Outgoing {
        Outgoing {
            url: self.state.full_url(),
            json: self.state.json.clone(),
            page: self.page + 1,
        }
    }

    /// The request `ahead` pages after the next one, when the paginator can tell it before
    /// seeing the pages in between (offset and page_number with a known total).
    pub(crate) fn predicted(&self, ahead: usize) -> Option<Outgoing> {
        let state = self.paginator.predict(&self.state, ahead)?;
        Some(Outgoing {
            url: state.full_url(),
            json: state.json,
            page: self.page + 1 + ahead,
        })
    }

    /// The plan by which a request's task scans its page where it is received; none for an
    /// incremental run, whose filter reads every record.
    pub(crate) fn scan_plan(&self) -> Option<Arc<ScanPlan>> {
        if self.filter.is_some() || self.has_steps() {
            return None;
        }
        let selector = self.selector.as_ref()?;
        ScanPlan::new(selector, self.paginator.config()).map(Arc::new)
    }

    /// Whether records go through processing steps, which read every record.
    fn has_steps(&self) -> bool {
        !self.steps.is_empty() || !self.user_steps.is_empty()
    }

    /// A bound on the pages still needed: what `max_pages` allows, and for `max_records` the
    /// pages the remaining records fill at the last page's size; unbounded otherwise.
    pub(crate) fn pages_needed(&self) -> usize {
        let by_pages = self
            .max_pages
            .map_or(usize::MAX, |max| max.saturating_sub(self.page));
        let by_records = match self.max_records {
            Some(max) if self.last_len > 0 => {
                max.saturating_sub(self.records).div_ceil(self.last_len)
            }
            _ => usize::MAX,
        };
        by_pages.min(by_records)
    }

    /// Reads the response to the next request: `None` when a response action ignored it,
    /// which ends the run. Steps the paginator, so [`Walk::next_request`] is the request after.
    /// When that request is unusable (it repeats an earlier one, or its link is empty or not a
    /// URL), the page is still returned, and [`Walk::take_next_failure`] holds the error.
    /// An error about the page resumes at the page's own request.
    pub(crate) fn on_response(
        &mut self,
        shared: &Shared,
        sent: Sent,
    ) -> Result<Option<Prepared>, Error> {
        self.hidden.clone_from(&sent.hidden);
        let stop = Arc::new(Stop::new(
            &shared.descriptor.name,
            self.page + 1,
            sent.shown.clone(),
            &self.paginator,
            &self.hidden,
            self.handle(),
        ));
        self.read(shared, sent, &stop)
            .map_err(|e| e.with_resume(|| stop.point()))
    }

    /// The run's incremental handle, if it is incremental.
    fn handle(&self) -> Option<&crate::incremental::Incremental> {
        self.filter.as_ref().map(RunFilter::handle)
    }

    /// Where the next request stands, for an error that stops the run before its page.
    pub(crate) fn next_stop(&self, shared: &Shared) -> Stop {
        Stop::new(
            &shared.descriptor.name,
            self.page + 1,
            redact_url(&self.state.full_url(), &self.hidden),
            &self.paginator,
            &self.hidden,
            self.handle(),
        )
    }

    fn read(
        &mut self,
        shared: &Shared,
        sent: Sent,
        stop: &Arc<Stop>,
    ) -> Result<Option<Prepared>, Error> {
        self.page += 1;
        let d = &shared.descriptor;
        let Sent {
            received,
            shown,
            at,
            hidden,
            located,
        } = sent;
        let secrets = hidden.as_slice();
        let rule = crate::rules::first_match(
            &d.response_actions,
            received.status,
            &received.headers,
            &received.body,
        );
        match rule.map(|r| (r.action, r)) {
            Some((RuleAction::Ignore, _)) => {
                tracing::debug!(resource = %d.name, page = self.page, status = received.status, "response ignored");
                return Ok(None);
            }
            Some((RuleAction::Fail, rule)) => {
                let message = match &rule.message {
                    Some(m) => redact_text(m, secrets),
                    None => snippet(&received.body, secrets),
                };
                return Err(Error::Refused {
                    at,
                    message: format!("a response rule fails HTTP {}: {message}", received.status),
                });
            }
            // a retried response that came back the same was reported by the sender; one
            // that matches only now (a hook changed it) is read as it is
            Some((RuleAction::Retry | RuleAction::RateLimited, _)) | None => {}
        }
        if !(200..300).contains(&received.status) {
            return Err(Error::Status {
                status: received.status,
                body_snippet: snippet(&received.body, secrets),
                at,
            });
        }
        let text = std::str::from_utf8(&received.body).map_err(|e| Error::NotJson {
            at: at.clone(),
            message: e.to_string(),
            source: Some(Box::new(e)),
        })?;
        if text.trim().is_empty() {
            // As in dlt, where decoding fails; a 204 the API means as "no records" is ignored
            // with a response action.
            return Err(Error::NotJson {
                at,
                message: "the body is empty".into(),
                source: None,
            });
        }
        // Where the records are: located by the request's task already, or here in one pass,
        // where that gives the general path's result (see `scan`); else the general path.
        // The task located them with this same plan: data selector and paginator are fixed
        // once the first page has been read.
        let plan = self
            .selector
            .as_ref()
            .filter(|_| !self.has_steps())
            .and_then(|selector| ScanPlan::new(selector, self.paginator.config()));
        // The paginator reads only how many records there are and the last one (a condition
        // of the plan), so located records are shown to it as the last one in every place.
        let last_located = located.as_ref().and_then(|located| {
            let span = located.spans.last()?;
            serde_json::from_str::<&RawValue>(text.get(span.clone())?).ok()
        });
        let located =
            located.filter(|l| !self.has_steps() && (l.spans.is_empty() || last_located.is_some()));
        let scanned = match (&located, &plan) {
            (None, Some(plan)) => plan.scan(text),
            _ => None,
        };
        let (root, raw): (&RawValue, RawRecords<'_>) = match (&located, &scanned) {
            (Some(located), _) => (
                &*located.root,
                RawRecords {
                    items: last_located
                        .map_or_else(Vec::new, |last| vec![last; located.spans.len()]),
                },
            ),
            (None, Some(scanned)) => (
                &*scanned.root,
                RawRecords {
                    items: scanned.records.clone(),
                },
            ),
            (None, None) => {
                let root: &RawValue = serde_json::from_str(text).map_err(|e| Error::NotJson {
                    at: at.clone(),
                    message: e.to_string(),
                    source: Some(Box::new(e)),
                })?;
                // dlt detects the record location once, on the first page
                let selector = self
                    .selector
                    .get_or_insert_with(|| detect_data_selector(root));
                let records = select_records(selector, root).map_err(|source| Error::TooDeep {
                    at: at.clone(),
                    source,
                })?;
                (root, records)
            }
        };
        let view = PageView {
            headers: &received.headers,
            body: Some(root),
            records: &raw.items,
        };
        let mut has_next = match self.paginator.on_page(&view, &mut self.state) {
            Ok(has_next) => has_next,
            Err(source) if source.is_about_next_request() => {
                let next = self.next_stop(shared);
                let error = Error::Pagination {
                    at: Location::new(d.name.as_ref(), next.page, next.url.clone()),
                    source: redact_pagination(source, secrets),
                };
                self.next_fails = Some(error.with_resume(|| next.point()));
                true
            }
            Err(source) => {
                return Err(Error::Pagination {
                    at: at.clone(),
                    source: redact_pagination(source, secrets),
                });
            }
        };
        // dlt's processing steps, in order, then the incremental filter, which dlt places last
        let processed = if self.has_steps() {
            let processed =
                steps::apply(&self.steps, &self.user_steps, &raw.items, &received.headers)
                    .map_err(|e| Error::Decode {
                        at: at.clone(),
                        record: e.record,
                        path: String::new(),
                        offset: 0,
                        message: redact_text(&format!("processing step: {}", e.message), secrets),
                    })?;
            Some(processed)
        } else {
            None
        };
        let raw = match &processed {
            Some(processed) => RawRecords {
                items: processed.iter().map(Processed::raw).collect(),
            },
            None => raw,
        };
        let (raw, marks) = match &self.filter {
            Some(filter) => {
                let (items, marks, left_window) =
                    filter.select(&raw.items).map_err(|missing| Error::Decode {
                        at: at.clone(),
                        record: missing.record,
                        path: missing.cursor_field.clone(),
                        offset: 0,
                        message: missing.message(),
                    })?;
                let marks = Marks {
                    tracker: Some(filter.tracker()),
                    marks,
                };
                // `row_order`: the feed has left the window, no later page can return to it
                if left_window {
                    tracing::debug!(resource = %d.name, page = self.page, "records left the incremental window: the run ends");
                    has_next = false;
                }
                (RawRecords { items }, marks)
            }
            None => (raw, Marks::default()),
        };
        // records a map rewrote are not in the body: they are laid out in a body of their own
        let rewritten = steps::rewrites(&self.steps, &self.user_steps).then(|| lay_out(&raw));
        let spans = match (located, &rewritten) {
            (_, Some((_, spans))) => spans.clone(),
            (Some(located), None) => located.spans,
            (None, None) => record_spans(text, &raw),
        };
        let mut keep = spans.len();
        self.records += spans.len();
        self.last_len = spans.len();
        if let Some(max) = self.max_records
            && self.records >= max
        {
            keep -= self.records - max;
            has_next = false;
        }
        if self.max_pages.is_some_and(|max| self.page >= max) {
            has_next = false;
        }
        let next = has_next.then(|| Arc::new(self.next_stop(shared)));
        Ok(Some(Prepared {
            number: self.page,
            status: received.status,
            headers: received.headers,
            url: shown,
            body: rewritten.map_or(received.body, |(body, _)| body),
            spans,
            marks,
            stop: stop.clone(),
            next,
            keep,
            at,
            hidden,
            decoding: self.decoding.clone(),
            has_next,
        }))
    }
}

impl Prepared {
    /// Takes the marks of the records the page keeps, to be delivered with them.
    pub(crate) fn take_marks(&mut self) -> Marks {
        let mut marks = std::mem::take(&mut self.marks);
        marks.marks.truncate(self.keep);
        marks
    }

    /// Decodes the records into `T`, the CPU-heavy half of a page.
    pub(crate) fn decode<T: DeserializeOwned>(self) -> Result<Page<T>, Error> {
        let Prepared {
            number,
            status,
            headers,
            url,
            body,
            spans,
            keep,
            at,
            hidden,
            decoding,
            ..
        } = self;
        // Checked already when the page was read; read again rather than kept, as a `&str`
        // cannot travel with the buffer it borrows from.
        let text = std::str::from_utf8(&body).map_err(|e| Error::NotJson {
            at: at.clone(),
            message: e.to_string(),
            source: Some(Box::new(e)),
        })?;
        // Every record is decoded, even past `max_records`, so a page fails or not exactly as
        // it did before the limit was applied.
        let mut summary = DecodeSummary::default();
        let decoded =
            lenient::decode_spans(text, &spans, decoding.shape, decoding.strict, &mut summary);
        decoding.report.add(&at.resource, &summary);
        let mut records = decoded.map_err(|f| Error::Decode {
            at,
            record: f.record,
            path: f.path,
            offset: f.offset,
            message: redact_text(&f.message, &hidden),
        })?;
        records.truncate(keep);
        Ok(Page {
            number,
            records,
            status,
            headers,
            url,
            decoding: summary,
            resume_after: None,
        })
    }
}

/// Records as one JSON array of their own, with where each is in it.
fn lay_out(records: &RawRecords<'_>) -> (bytes::Bytes, Vec<Range<usize>>) {
    let mut body = String::from("[");
    let mut spans = Vec::with_capacity(records.items.len());
    for (i, record) in records.items.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        let start = body.len();
        body.push_str(record.get());
        spans.push(start..body.len());
    }
    body.push(']');
    (bytes::Bytes::from(body), spans)
}

/// A pagination error with the links and values it quotes redacted: a next link may carry a
/// secret (a key the API echoes into its links) or a sensitive query key.
fn redact_pagination(error: PaginationError, secrets: &[Secret]) -> PaginationError {
    let link = |text: String| match url::Url::parse(&text) {
        Ok(url) => redact_url(&url, secrets),
        Err(_) => redact_text(&text, secrets),
    };
    match error {
        PaginationError::BadLink {
            link: found,
            reason,
        } => PaginationError::BadLink {
            link: link(found),
            reason: redact_text(&reason, secrets),
        },
        PaginationError::Repeated { url } => PaginationError::Repeated { url: link(url) },
        PaginationError::NotALink { value } => PaginationError::NotALink {
            value: redact_text(&value, secrets),
        },
        PaginationError::TotalNotInteger { path, value } => PaginationError::TotalNotInteger {
            path,
            value: redact_text(&value, secrets),
        },
        PaginationError::HasMoreNotBool { path, value } => PaginationError::HasMoreNotBool {
            path,
            value: redact_text(&value, secrets),
        },
        PaginationError::InvalidConfig(message) => {
            PaginationError::InvalidConfig(redact_text(&message, secrets))
        }
        other => other,
    }
}
