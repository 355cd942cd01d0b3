//! A mock API driven by a spec: given a resolved spec ([`ApiIr`]) it serves every resource on
//! loopback, from the resource's own descriptor.
//!
//! - **Records** are deterministic (seeded) and generated to satisfy the resource's JSON
//!   Schema; ids, primary keys and fields a cursor is read from are unique. Record `i` does
//!   not depend on how many records there are.
//! - **Paging** is the server side of the resource's paginator: an opaque cursor at
//!   `cursor_path`, an absolute next URL where a `cursor_value` template reads the response
//!   (or for `json_link`/`header_link`), the next page after the record a last-record cursor
//!   names, `offset`/`limit` with a total or (where the spec names none) without, page numbers
//!   with a total in pages, and a single response (a bare object when the records are the
//!   root and there is exactly one). A `stop_condition` is satisfied by writing the fields it
//!   reads.
//! - **Incremental** resources get a cursor field that is never null and grows with the
//!   record's index (after `initial_value`, if any), and the server filters on the start and
//!   end values a request sends (`start_param`, `{incremental.start_value}` parameters).
//!   Growing a resource's record count keeps the earlier records, so a resumed run sees
//!   exactly the new ones.
//! - **Children** are served for any parent id; each parent gets its own records.
//! - **Auth**: a resource answers 401 unless the request carries exactly the credential the
//!   spec names, computed from [`MockOptions::value`]s.
//! - **Checks**: fixed query parameters and headers of the spec must be present (else 400),
//!   and cursors must be ones the server issued for that resource and parent.
//! - **Faults**: 429 with `Retry-After` and bursts of 5xx on chosen requests.
//! - Every request is recorded, with what was served.
//!
//! The server runs on the tokio runtime that calls [`MockApi::start`]; from blocking code,
//! start it on a multi-threaded runtime so it keeps serving between `block_on` calls.

mod plan;
mod records;
mod serve;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use restgen::ir::ApiIr;
use serde_json::Value;

pub use plan::LINK_PARAM;
pub use records::{Ordered, RecordShape, Rng, record, stable_hash};

use plan::Plan;
use serve::{Incoming, State};

/// Why the mock could not start or answer a question.
#[derive(Debug)]
pub enum MockError {
    /// The listener could not be bound.
    Io(std::io::Error),
    /// A credential names a secret or setting that [`MockOptions::value`] did not give.
    MissingValue {
        /// The resource whose auth needs it.
        resource: String,
        /// The secret's or setting's name.
        name: String,
    },
    /// The spec has no resource of that name.
    UnknownResource(String),
    /// Something about the resource is beyond the mock.
    Unsupported {
        /// The resource.
        resource: String,
        /// What and why.
        reason: String,
    },
    /// The spec did not load or resolve.
    Spec(String),
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockError::Io(e) => write!(f, "mock server: {e}"),
            MockError::MissingValue { resource, name } => write!(
                f,
                "resource `{resource}` authenticates with `{name}`, which the mock options do not set"
            ),
            MockError::UnknownResource(name) => write!(f, "no resource named `{name}`"),
            MockError::Unsupported { resource, reason } => {
                write!(f, "the mock cannot serve `{resource}`: {reason}")
            }
            MockError::Spec(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for MockError {}

/// How a 429 says how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `retry-after-ms: <ms>`, with `Retry-After` rounded up to whole seconds beside it.
    Millis(u64),
}

/// A failure injected into the answers of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// One `429 Too Many Requests`.
    TooManyRequests {
        /// The wait it asks for.
        retry_after: RetryAfter,
    },
    /// `count` answers in a row with `status` (a 5xx).
    ServerErrors {
        /// The status.
        status: u16,
        /// How many requests in a row get it.
        count: usize,
        /// The wait each of them asks for, if any.
        retry_after: Option<RetryAfter>,
    },
}

/// Where a fault strikes: the `request`-th request (counting from 1) routed to `resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The resource.
    pub resource: String,
    /// Which of its requests, from 1.
    pub request: usize,
    /// What happens.
    pub kind: FaultKind,
}

/// What the mock serves and expects.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// Seed of every record.
    pub seed: u64,
    /// Records per resource (per parent, for children) unless set per resource.
    pub records: usize,
    /// Record counts per resource name.
    pub records_per_resource: BTreeMap<String, usize>,
    /// The largest page the server returns where the server picks the page size (cursors
    /// and links, and page numbers without a page size); requests may ask for less.
    pub max_page_size: usize,
    /// Secrets and settings by name, to compute the credentials requests must carry.
    pub values: BTreeMap<String, String>,
    /// Injected faults.
    pub faults: Vec<Fault>,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            seed: 7,
            records: 25,
            records_per_resource: BTreeMap::new(),
            max_page_size: 10,
            values: BTreeMap::new(),
            faults: Vec::new(),
        }
    }
}

impl MockOptions {
    /// The defaults: seed 7, 25 records per resource, pages of at most 10.
    pub fn new() -> Self {
        MockOptions::default()
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the record count of every resource not set by [`MockOptions::records_for`].
    pub fn records(mut self, n: usize) -> Self {
        self.records = n;
        self
    }

    /// Sets the record count of one resource.
    pub fn records_for(mut self, resource: &str, n: usize) -> Self {
        self.records_per_resource.insert(resource.to_string(), n);
        self
    }

    /// Sets the largest page the server picks.
    pub fn max_page_size(mut self, n: usize) -> Self {
        self.max_page_size = n;
        self
    }

    /// Gives a secret or setting by name (`api_key`, `username`, ...).
    pub fn value(mut self, name: &str, value: &str) -> Self {
        self.values.insert(name.to_string(), value.to_string());
        self
    }

    /// Adds a fault.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }
}

/// What a cursor or link paginator should send next, as the server handed it out.
#[derive(Debug, Clone, PartialEq)]
pub enum NextRef {
    /// A query parameter and its value.
    Query {
        /// The parameter.
        name: String,
        /// Its value.
        value: String,
    },
    /// A field of the JSON body.
    Body {
        /// The field path.
        path: Vec<String>,
        /// Its value.
        value: Value,
    },
    /// The whole next URL.
    Url(String),
}

/// The page one request got.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedPage {
    /// Index of the first record served.
    pub start: usize,
    /// Records served.
    pub count: usize,
    /// Records the resource has (for these arguments).
    pub total: usize,
    /// Whether records remain after this page.
    pub more: bool,
    /// The cursor or link for the next page: offered by the server when more remain, or
    /// (for last-record cursors) the one the client derives from this page's last record.
    pub next: Option<NextRef>,
}

/// One request the mock received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// `GET` or `POST` (or whatever came).
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The path, as sent (percent-encoded).
    pub path: String,
    /// The decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The resource it was routed to.
    pub resource: Option<String>,
    /// The arguments bound from its path and parameters, sorted by name.
    pub args: Vec<(String, String)>,
    /// The status answered.
    pub status: u16,
    /// The page served, on a 200.
    pub served: Option<ServedPage>,
    /// Why it was refused, or which fault it met.
    pub note: Option<String>,
}

impl RecordedRequest {
    /// The values of query parameter `name`, in order.
    pub fn query_values(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The values of header `name`, as bytes.
    pub fn header_values(&self, name: &str) -> Vec<&[u8]> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| v.as_bytes())
            .collect()
    }
}

/// Loads and resolves the spec in `dir` (e.g. `specs/esign`).
pub fn load_api(dir: &Path) -> Result<ApiIr, MockError> {
    let shown = dir.display().to_string();
    let spec = restgen::spec::load_spec(dir, &shown).map_err(|e| MockError::Spec(e.to_string()))?;
    restgen::ir::resolve(&spec).map_err(|e| MockError::Spec(e.to_string()))
}

/// A running mock of one API. Dropping it stops the server and closes its connections.
#[derive(Debug)]
pub struct MockApi {
    addr: SocketAddr,
    base_url: String,
    shared: Arc<Mutex<State>>,
    page_sizes: HashMap<String, Option<usize>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for MockApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl MockApi {
    /// Binds `127.0.0.1` on a free port and serves every resource of `api`.
    pub async fn start(api: &ApiIr, options: MockOptions) -> Result<MockApi, MockError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(MockError::Io)?;
        let addr = listener.local_addr().map_err(MockError::Io)?;
        let origin = format!("http://{addr}");
        let base_path = url::Url::parse(&api.client.base_url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| "/".to_string());
        let mut plans = Vec::new();
        let mut page_sizes = HashMap::new();
        for resource in &api.resources {
            let plan = Plan::new(api, resource, &base_path, &options.values)?;
            page_sizes.insert(
                resource.name.clone(),
                plan.page_size(&resource.descriptor.paginator, options.max_page_size),
            );
            plans.push(plan);
        }
        let shared = Arc::new(Mutex::new(State {
            origin: origin.clone(),
            plans,
            options,
            cache: HashMap::new(),
            log: Vec::new(),
            counts: HashMap::new(),
        }));
        let server = tokio::spawn(accept(listener, shared.clone()));
        Ok(MockApi {
            addr,
            base_url: format!("{origin}{base_path}"),
            shared,
            page_sizes,
            server,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give the client: the spec's base path on the mock's origin.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // a panic while holding the lock leaves the state usable: recover it
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().log.clone()
    }

    /// The requests routed to `resource`, in order.
    pub fn requests_for(&self, resource: &str) -> Vec<RecordedRequest> {
        self.state()
            .log
            .iter()
            .filter(|r| r.resource.as_deref() == Some(resource))
            .cloned()
            .collect()
    }

    /// Forgets the requests received so far (and the fault counters).
    pub fn clear_requests(&self) {
        let mut state = self.state();
        state.log.clear();
        state.counts.clear();
    }

    /// Changes the record count of `resource` from now on.
    pub fn set_records(&self, resource: &str, n: usize) -> Result<(), MockError> {
        let mut state = self.state();
        if !state.plans.iter().any(|p| p.name == resource) {
            return Err(MockError::UnknownResource(resource.to_string()));
        }
        state
            .options
            .records_per_resource
            .insert(resource.to_string(), n);
        state.cache.retain(|(name, _), _| name != resource);
        Ok(())
    }

    /// Adds a fault from now on; its request count includes requests already received.
    pub fn add_fault(&self, fault: Fault) {
        self.state().options.faults.push(fault);
    }

    /// The records `resource` serves for these arguments (`&[]` for a top-level resource;
    /// `&[("sign_req", "x")]` for a child), in the order it serves them, before any
    /// incremental start or end value filters them.
    pub fn records(&self, resource: &str, args: &[(&str, &str)]) -> Result<Vec<Value>, MockError> {
        let mut state = self.state();
        let index = state
            .plans
            .iter()
            .position(|p| p.name == resource)
            .ok_or_else(|| MockError::UnknownResource(resource.to_string()))?;
        let mut args: Vec<(String, String)> = args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        args.sort();
        Ok(state.records(index, &args).as_ref().clone())
    }

    /// The page size the server uses for `resource` when the client sends the spec's own page
    /// size; `None` when it is served in one response.
    pub fn page_size(&self, resource: &str) -> Result<Option<usize>, MockError> {
        self.page_sizes
            .get(resource)
            .copied()
            .ok_or_else(|| MockError::UnknownResource(resource.to_string()))
    }

    /// Why the mock cannot serve `resource` (it answers 501), if it cannot.
    pub fn unsupported(&self, resource: &str) -> Option<String> {
        self.state()
            .plans
            .iter()
            .find(|p| p.name == resource)
            .and_then(|p| p.unsupported.clone())
    }
}

async fn accept(listener: tokio::net::TcpListener, shared: Arc<Mutex<State>>) {
    // connections live in this set: aborting the accept task drops it, which aborts them
    let mut connections = tokio::task::JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let shared = shared.clone();
        connections.spawn(async move {
            let service = service_fn(move |request| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(respond(&shared, request).await) }
            });
            // a client that goes away mid-request is not the server's problem
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn respond(
    shared: &Mutex<State>,
    request: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let out = {
        let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
        let incoming = Incoming {
            method: parts.method.as_str().to_string(),
            url: format!(
                "{}{}",
                state.origin,
                parts.uri.path_and_query().map_or("/", |p| p.as_str())
            ),
            path,
            query,
            headers: parts.headers,
            body,
        };
        state.handle(incoming)
    };
    let mut response = hyper::Response::new(Full::new(Bytes::from(out.body)));
    *response.status_mut() =
        http::StatusCode::from_u16(out.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in out.headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}
