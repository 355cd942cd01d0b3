//! The loopback server every emulated API runs on: a wiremock server whose one responder
//! hands each request to the API's own [`Api`] code, after the API's auth check and the
//! faults a test armed. It logs every request with the resource it was routed to.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::Value;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

/// One request as the emulation sees it: path, decoded query pairs in order, headers.
#[derive(Debug, Clone)]
pub struct Req {
    /// The path, percent-decoded.
    pub path: String,
    /// The query string as sent (still encoded).
    pub raw_query: Option<String>,
    /// The query pairs, decoded as a form (`+` is a space), in order.
    pub query: Vec<(String, String)>,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
}

impl Req {
    /// The first value of query parameter `name`.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of query parameter `name`.
    pub fn q_all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Query parameter `name` as an unsigned number; `default` when absent, `Err` (the API's
    /// 400) when present and not a number.
    pub fn q_usize(&self, name: &str, default: usize) -> Result<usize, String> {
        match self.q(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("`{name}` must be an integer, got {v:?}")),
        }
    }

    /// Every value of header `name`.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// True when header `name` appears exactly once, with exactly `value`.
    pub fn has_only(&self, name: &str, value: &str) -> bool {
        self.header_all(name) == [value]
    }
}

/// A response: status, headers, body.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    /// A JSON response.
    pub fn json(status: u16, body: &Value) -> Resp {
        Resp {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(body).unwrap(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Resp {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A fault a test arms: the answer to one request of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The API's own rate-limit answer, with `Retry-After: 1`.
    RateLimited,
    /// `503 Service Unavailable`.
    Unavailable,
}

/// What an emulated API does: routes a request to one of its resources, checks credentials
/// the way the real API does and serves the resource.
pub trait Api: Send + Sync + 'static {
    /// The resource a request is for (the spec's name for it), or `None` for an unknown path.
    fn route(&self, req: &Req) -> Option<&'static str>;
    /// `Err` with the API's 401 when the request lacks the right credential.
    fn authorize(&self, req: &Req, resource: &str) -> Result<(), Resp>;
    /// The answer to an authorized request; `base` is the server's origin, for absolute links.
    fn serve(&self, req: &Req, resource: &str, base: &str) -> Resp;
    /// The API's `429`.
    fn rate_limited(&self) -> Resp {
        Resp::json(429, &serde_json::json!({"error": "Too Many Requests"}))
    }
}

/// One request received, as logged.
#[derive(Debug, Clone)]
pub struct Logged {
    pub resource: Option<&'static str>,
    pub req: Req,
    pub status: u16,
    /// The answer was an armed fault.
    pub fault: bool,
    /// The answer was the API's refusal of the credentials.
    pub denied: bool,
}

struct State {
    api: Box<dyn Api>,
    base: String,
    log: Mutex<Vec<Logged>>,
    /// Per resource: the 1-based request numbers that get a fault.
    faults: Mutex<BTreeMap<&'static str, BTreeMap<usize, Fault>>>,
    counts: Mutex<BTreeMap<&'static str, usize>>,
}

struct Responder(Arc<State>);

impl Respond for Responder {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let state = &self.0;
        let url = &request.url;
        let req = Req {
            path: percent_decode(url.path()),
            raw_query: url.query().map(str::to_string),
            query: url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            headers: request
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
        };
        let resource = state.api.route(&req);
        let (mut fault_served, mut denied) = (false, false);
        let resp = match resource {
            None => Resp::json(404, &serde_json::json!({"error": "Not Found"})),
            Some(name) => {
                let n = {
                    let mut counts = state.counts.lock().unwrap();
                    let n = counts.entry(name).or_default();
                    *n += 1;
                    *n
                };
                let fault = state
                    .faults
                    .lock()
                    .unwrap()
                    .get(name)
                    .and_then(|f| f.get(&n).copied());
                fault_served = fault.is_some();
                match fault {
                    Some(Fault::RateLimited) => state.api.rate_limited().header("retry-after", "1"),
                    Some(Fault::Unavailable) => Resp {
                        status: 503,
                        headers: vec![("content-type".into(), "text/html".into())],
                        body: b"<html><body><h1>503 Service Unavailable</h1></body></html>"
                            .to_vec(),
                    },
                    None => match state.api.authorize(&req, name) {
                        Err(refusal) => {
                            denied = true;
                            refusal
                        }
                        Ok(()) => state.api.serve(&req, name, &state.base),
                    },
                }
            }
        };
        state.log.lock().unwrap().push(Logged {
            resource,
            req,
            status: resp.status,
            fault: fault_served,
            denied,
        });
        let mut template = ResponseTemplate::new(resp.status);
        for (k, v) in &resp.headers {
            if k != "content-type" {
                template = template.append_header(k.as_str(), v.as_str());
            }
        }
        let mime = resp
            .headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.as_str())
            .unwrap_or("application/json");
        template.set_body_raw(resp.body, mime)
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Starts wiremock servers; they run on their own threads, so a blocking client may be
/// used on the test's thread.
static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Runtime::new().unwrap());

/// An emulated API on a loopback port.
pub struct Emulator {
    server: MockServer,
    state: Arc<State>,
}

impl Emulator {
    /// Starts `api` on a loopback port. `prefix` is appended to the origin to make the base URL
    /// the client gets (e.g. `/v3/`).
    pub fn start(api: impl Api) -> Emulator {
        let server = RUNTIME.block_on(MockServer::start());
        let state = Arc::new(State {
            api: Box::new(api),
            base: server.uri(),
            log: Mutex::default(),
            faults: Mutex::default(),
            counts: Mutex::default(),
        });
        RUNTIME.block_on(
            Mock::given(wiremock::matchers::any())
                .respond_with(Responder(state.clone()))
                .mount(&server),
        );
        Emulator { server, state }
    }

    /// The server's origin, e.g. `http://127.0.0.1:4321`.
    pub fn origin(&self) -> String {
        self.server.uri()
    }

    /// Answers request number `n` (1-based) of `resource` with `fault`.
    pub fn arm(&self, resource: &'static str, n: usize, fault: Fault) {
        self.state
            .faults
            .lock()
            .unwrap()
            .entry(resource)
            .or_default()
            .insert(n, fault);
    }

    /// Every request received so far.
    pub fn log(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    /// The requests routed to `resource`.
    pub fn requests(&self, resource: &str) -> Vec<Logged> {
        self.log()
            .into_iter()
            .filter(|l| l.resource == Some(resource))
            .collect()
    }
}

/// A page of `items` starting at `offset`, at most `limit` long.
pub fn window<T: Clone>(items: &[T], offset: usize, limit: usize) -> Vec<T> {
    items.iter().skip(offset).take(limit).cloned().collect()
}

/// A 400 with the API-neutral `{"error": message}` body.
pub fn bad_request(message: impl Into<String>) -> Resp {
    Resp::json(400, &serde_json::json!({"error": message.into()}))
}
