//! The async driver: runs the sans-IO paginator over reqwest, decoding each page's records
//! straight from its bytes into the generated type, as a `Stream` of pages or of records.

use std::borrow::Cow;
use std::marker::PhantomData;

use futures::{Stream, TryStreamExt, stream};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::auth::{Credential, checked_credential};
use crate::client::ClientCore;
use crate::descriptor::ResourceDescriptor;
use crate::error::{Error, Location};
use crate::incremental::{Incremental, RunFilter};
use crate::paginate::{PageView, PaginationError, Paginator, RequestState, wire_form};
use crate::placeholders::{fill_json, fill_placeholders};
use crate::retry::{self, Received, SendFailure};
use crate::secret::{SENSITIVE_QUERY_KEYS, Secret, redact_text, redact_url};
use crate::selector::{RawRecords, Selector, decode_records, detect_data_selector, select_records};

/// How many bytes of an error body an error keeps.
const BODY_SNIPPET_LEN: usize = 512;

/// How many redirects one page request follows (reqwest's default limit).
const MAX_REDIRECTS: usize = 10;

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
}

/// A request for one resource: arguments, extra parameters and limits, then `pages()` or
/// `stream()`. Generated methods return it with the path arguments already bound.
pub struct ResourceRequest<T> {
    core: ClientCore,
    descriptor: Cow<'static, ResourceDescriptor>,
    path_args: Vec<(String, serde_json::Value)>,
    extra_params: Vec<(String, String)>,
    max_pages: Option<usize>,
    max_records: Option<usize>,
    incremental: Option<Incremental>,
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
                    let sensitive = SENSITIVE_QUERY_KEYS
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case(k));
                    let v = if sensitive {
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
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> ResourceRequest<T> {
    /// A request for the resource `descriptor` describes.
    pub fn new(core: ClientCore, descriptor: Cow<'static, ResourceDescriptor>) -> Self {
        ResourceRequest {
            core,
            descriptor,
            path_args: Vec::new(),
            extra_params: Vec::new(),
            max_pages: None,
            max_records: None,
            incremental: None,
            record: PhantomData,
        }
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

    /// The pages, in order, each with its records and response metadata.
    pub fn pages(self) -> impl Stream<Item = Result<Page<T>, Error>> + Send + Unpin + 'static {
        Box::pin(stream::unfold(
            Run::Start(Box::new(self)),
            |run| async move {
                let (item, next) = run.step().await;
                item.map(|item| (item, next))
            },
        ))
    }

    /// The records of every page, in order.
    pub fn stream(self) -> impl Stream<Item = Result<T, Error>> + Send + Unpin + 'static {
        self.pages()
            .map_ok(|page| stream::iter(page.records.into_iter().map(Ok)))
            .try_flatten()
    }
}

enum Run<T> {
    Start(Box<ResourceRequest<T>>),
    Paging(Box<Paging<T>>),
    Done,
}

struct Paging<T> {
    request: ResourceRequest<T>,
    paginator: Paginator,
    state: RequestState,
    origin: url::Origin,
    page: usize,
    records: usize,
    selector: Option<Selector>,
    /// Placeholder values: the call's arguments and the incremental values.
    args: Vec<(String, serde_json::Value)>,
    /// The incremental filter of this run, when the endpoint is incremental.
    filter: Option<RunFilter>,
    /// An error of the next request, found while reading the page before it (a repeated
    /// request, an unusable next link): the page is delivered first, then this.
    next_fails: Option<Error>,
}

impl<T: DeserializeOwned + Send + 'static> Run<T> {
    async fn step(self) -> (Option<Result<Page<T>, Error>>, Run<T>) {
        let mut paging = match self {
            Run::Done => return (None, Run::Done),
            Run::Paging(paging) => paging,
            Run::Start(request) => match Paging::start(*request) {
                Ok(paging) => Box::new(paging),
                Err(e) => return (Some(Err(e)), Run::Done),
            },
        };
        match paging.fetch().await {
            Ok(None) => (None, Run::Done),
            Ok(Some((page, has_next))) => {
                let next = if has_next {
                    Run::Paging(paging)
                } else {
                    Run::Done
                };
                (Some(Ok(page)), next)
            }
            Err(e) => (Some(Err(e)), Run::Done),
        }
    }
}

impl<T: DeserializeOwned> Paging<T> {
    fn start(request: ResourceRequest<T>) -> Result<Self, Error> {
        let d = &request.descriptor;
        let at = |url: &str| Location {
            resource: d.name.to_string(),
            page: 1,
            url: url.to_string(),
        };
        // Arguments, plus `{incremental.*}` values when the endpoint is incremental.
        let filter = d.incremental.as_ref().map(|config| {
            request
                .incremental
                .clone()
                .unwrap_or_default()
                .begin(config)
        });
        // the client's secrets and settings first: a call's own arguments win
        let mut args = request.core.placeholder_values();
        args.extend(request.path_args.iter().cloned());
        if let Some(filter) = &filter {
            args.extend(filter.placeholders());
        }
        let path = fill_placeholders(&d.path, &args, true)?;
        let joined = request.core.request_url(&path);
        let url = url::Url::parse(&joined)
            .map_err(|e| Error::Invalid(format!("URL `{joined}` of resource `{}`: {e}", d.name)))?;
        let mut query = Vec::with_capacity(d.params.len() + request.extra_params.len());
        for param in d.params.iter() {
            query.push((
                param.name.to_string(),
                fill_placeholders(&param.value, &args, false)?,
            ));
        }
        let json = d
            .json_body
            .as_deref()
            .map(|text| {
                let mut body: serde_json::Value = serde_json::from_str(text)
                    .map_err(|e| Error::Invalid(format!("JSON body of `{}`: {e}", d.name)))?;
                fill_json(&mut body, &args)?;
                Ok::<_, Error>(body)
            })
            .transpose()?;
        let mut state = RequestState::new(url, query, json);
        for (k, v) in filter.iter().flat_map(RunFilter::query) {
            state.set_query(&k, v);
        }
        // The first value of a key replaces the spec's; more values of it (a list) repeat it.
        for (i, (k, v)) in request.extra_params.iter().enumerate() {
            if request.extra_params[..i].iter().any(|(seen, _)| seen == k) {
                state.query.push((k.clone(), v.clone()));
            } else {
                state.set_query(k, v.clone());
            }
        }
        let paginator_config = d.paginator.with_config(&|name| request.core.setting(name));
        let mut paginator =
            Paginator::new(&paginator_config).map_err(|source| Error::Pagination {
                at: at(&redact_url(&state.full_url(), request.core.secrets())),
                source: redact_pagination(source, request.core.secrets()),
            })?;
        paginator.init_request(&mut state);
        let origin = url::Url::parse(request.core.base_url())
            .map(|u| u.origin())
            .map_err(|e| Error::Invalid(format!("base URL: {e}")))?;
        let selector = request.descriptor.data_selector.clone();
        Ok(Paging {
            request,
            paginator,
            state,
            origin,
            page: 0,
            records: 0,
            selector,
            args,
            filter,
            next_fails: None,
        })
    }

    /// The next page and whether another follows; `None` when a response action ignored
    /// the response, which ends the sequence.
    async fn fetch(&mut self) -> Result<Option<(Page<T>, bool)>, Error> {
        if let Some(error) = self.next_fails.take() {
            return Err(error);
        }
        self.page += 1;
        let core = &self.request.core;
        let d = &self.request.descriptor;
        let url = self.state.full_url();
        let shown = redact_url(&url, core.secrets());
        let at = Location {
            resource: d.name.to_string(),
            page: self.page,
            url: shown.clone(),
        };
        let mut headers = http::HeaderMap::new();
        for param in core.inner.spec.headers.iter().chain(d.headers.iter()) {
            let value = fill_placeholders(&param.value, &self.args, false)?;
            let name = http::HeaderName::from_bytes(param.name.as_bytes())
                .map_err(|e| Error::Invalid(format!("header `{}`: {e}", param.name)))?;
            let value = http::HeaderValue::from_str(&value)
                .map_err(|e| Error::Invalid(format!("header `{}`: {e}", param.name)))?;
            headers.insert(name, value);
        }
        let policy = core.retry_policy(d.retry.as_ref());
        let mut hidden = core.secrets().to_vec();
        let mut method = d.method.as_http();
        let mut body = self.state.json.as_ref().map(|j| j.to_string());
        let mut target = url;
        let mut hops = 0;
        // Redirects are followed here, not by reqwest, so that each hop gets credentials only
        // if it goes to the API's own origin (reqwest would forward e.g. `X-Api-Key` anywhere).
        let received = loop {
            // Credentials go only to the API's own origin: a next link or a redirect to another
            // host gets none.
            let credential = if target.origin() == self.origin {
                checked_credential(core, &d.auth, &d.name).await?
            } else {
                Credential::None
            };
            hidden.extend(credential.secrets());
            let mut sent_url = target.clone();
            let mut sent_headers = headers.clone();
            credential.apply(&mut sent_url, &mut sent_headers);
            if body.is_some() {
                sent_headers.insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
            }
            let http = core.inner.http.clone();
            let hop_method = method.clone();
            let hop_body = body.clone();
            let make = move || {
                let builder = http
                    .request(hop_method.clone(), sent_url.clone())
                    .headers(sent_headers.clone());
                match &hop_body {
                    Some(body) => builder.body(body.clone()),
                    None => builder,
                }
            };
            let ignored = |r: &retry::Received| {
                d.response_actions
                    .iter()
                    .any(|a| a.matches(r.status, &r.body))
            };
            let received = retry::send(&make, &policy, &ignored, &d.name, self.page)
                .await
                .map_err(|failure| send_error(failure, &at, &hidden))?;
            match redirect_target(&received, &target) {
                Some(next) if hops < MAX_REDIRECTS => {
                    hops += 1;
                    // As browsers and reqwest do: 303 always, and 301/302 after a POST, become
                    // a GET without a body.
                    if received.status == 303
                        || (matches!(received.status, 301 | 302) && method == reqwest::Method::POST)
                    {
                        method = reqwest::Method::GET;
                        body = None;
                    }
                    target = next;
                }
                // Past the limit, the redirect is reported as the status it is.
                _ => break received,
            }
        };
        let secrets = hidden.as_slice();
        if d.response_actions
            .iter()
            .any(|a| a.matches(received.status, &received.body))
        {
            tracing::debug!(resource = %d.name, page = self.page, status = received.status, "response ignored");
            return Ok(None);
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
        })?;
        if text.trim().is_empty() {
            // As in dlt, where decoding fails; a 204 the API means as "no records" is ignored
            // with a response action.
            return Err(Error::NotJson {
                at,
                message: "the body is empty".into(),
            });
        }
        let root: &RawValue = serde_json::from_str(text).map_err(|e| Error::NotJson {
            at: at.clone(),
            message: e.to_string(),
        })?;
        // dlt detects the record location once, on the first page
        let selector = self
            .selector
            .get_or_insert_with(|| detect_data_selector(root));
        let raw = select_records(selector, root);
        let view = PageView {
            headers: &received.headers,
            body: Some(root),
            records: &raw.items,
        };
        let mut has_next = match self.paginator.on_page(&view, &mut self.state) {
            Ok(has_next) => has_next,
            Err(source) if source.is_about_next_request() => {
                self.next_fails = Some(Error::Pagination {
                    at: Location {
                        page: self.page + 1,
                        url: redact_url(&self.state.full_url(), secrets),
                        ..at.clone()
                    },
                    source: redact_pagination(source, secrets),
                });
                true
            }
            Err(source) => {
                return Err(Error::Pagination {
                    at: at.clone(),
                    source: redact_pagination(source, secrets),
                });
            }
        };
        let raw = match &self.filter {
            Some(filter) => RawRecords {
                items: filter.filter(&raw.items).map_err(|missing| Error::Decode {
                    at: at.clone(),
                    record: missing.record,
                    path: missing.cursor_field.clone(),
                    offset: 0,
                    message: format!(
                        "the incremental cursor `{}` is missing or null",
                        missing.cursor_field
                    ),
                })?,
            },
            None => raw,
        };
        let mut records: Vec<T> = decode_records(text, &raw).map_err(|f| Error::Decode {
            at: at.clone(),
            record: f.record,
            path: f.path,
            offset: f.offset,
            message: redact_text(&f.message, secrets),
        })?;
        self.records += records.len();
        if let Some(max) = self.request.max_records
            && self.records >= max
        {
            let excess = self.records - max;
            records.truncate(records.len() - excess);
            has_next = false;
        }
        if self.request.max_pages.is_some_and(|max| self.page >= max) {
            has_next = false;
        }
        Ok(Some((
            Page {
                number: self.page,
                records,
                status: received.status,
                headers: received.headers,
                url: shown,
            },
            has_next,
        )))
    }
}

fn send_error(failure: SendFailure, at: &Location, secrets: &[Secret]) -> Error {
    match failure {
        SendFailure::Exhausted { attempts, last } => Error::RetriesExhausted {
            at: at.clone(),
            attempts,
            last: format!("HTTP {}: {}", last.status, snippet(&last.body, secrets)),
        },
        SendFailure::Timeout { attempts } => Error::Timeout {
            at: at.clone(),
            attempts,
        },
        SendFailure::Transport { attempts, message } => Error::RetriesExhausted {
            at: at.clone(),
            attempts,
            last: redact_text(&message, secrets),
        },
    }
}

/// The start of a body for an error, redacted. Redaction comes first, so that a secret cut in
/// two by the length limit is not shown in part.
fn snippet(body: &[u8], secrets: &[Secret]) -> String {
    let text = redact_text(&String::from_utf8_lossy(body), secrets);
    let mut end = text.len().min(BODY_SNIPPET_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
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

/// The URL a redirect response points at, resolved against the request URL.
fn redirect_target(received: &Received, from: &url::Url) -> Option<url::Url> {
    if !matches!(received.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = received
        .headers
        .get(http::header::LOCATION)?
        .to_str()
        .ok()?;
    let next = from.join(location.trim()).ok()?;
    matches!(next.scheme(), "http" | "https").then_some(next)
}
