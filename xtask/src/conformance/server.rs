//! The recording server: serves one scenario's routes on loopback and records every request
//! (method, path, query, headers, body) in arrival order. Each side of each scenario gets its
//! own pair of servers (`$SERVER` and `$OTHER`), so the two sides never share state.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

use super::scenario::{Reply, Route, Scenario, substitute, substitute_json};

/// Past this many requests a server answers only `410 Gone` (an error neither side retries): a
/// scenario that loops (dlt follows a repeating cursor forever) ends instead of hanging.
const REQUEST_LIMIT: usize = 200;

/// Which of a scenario's two servers received a request (or serves a route).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// `$SERVER`.
    #[default]
    Main,
    /// `$OTHER`.
    Other,
}

/// One request as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// Which server received it.
    pub origin: Origin,
    /// The method.
    pub method: String,
    /// The path, as sent (still percent-encoded).
    pub path: String,
    /// The query string as sent, without `?`.
    pub query: Option<String>,
    /// Every header, names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Recorded {
    /// The decoded query pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The state both servers of one scenario side share.
struct State {
    routes: Vec<Route>,
    /// How many times each route has answered, to walk its sequence.
    served: Vec<usize>,
    log: Vec<Recorded>,
    main: String,
    other: String,
}

/// A running pair of servers for one side of one scenario.
#[derive(Clone)]
pub struct Servers {
    state: Arc<Mutex<State>>,
    /// `http://127.0.0.1:<port>` of `$SERVER`.
    pub main: String,
    /// `http://127.0.0.1:<port>` of `$OTHER`.
    pub other: String,
}

impl Servers {
    /// Binds two loopback listeners and serves the scenario's routes on them until the
    /// process ends.
    pub async fn start(scenario: &Scenario) -> Result<Servers> {
        let main_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding a loopback port")?;
        let other_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding a loopback port")?;
        let origin_of =
            |l: &TcpListener| -> Result<String> { Ok(format!("http://{}", l.local_addr()?)) };
        let main = origin_of(&main_listener)?;
        let other = origin_of(&other_listener)?;
        let state = Arc::new(Mutex::new(State {
            routes: scenario.routes.clone(),
            served: vec![0; scenario.routes.len()],
            log: Vec::new(),
            main: main.clone(),
            other: other.clone(),
        }));
        tokio::spawn(serve(main_listener, Origin::Main, state.clone()));
        tokio::spawn(serve(other_listener, Origin::Other, state.clone()));
        Ok(Servers { state, main, other })
    }

    /// Every request received so far, in order.
    pub fn log(&self) -> Vec<Recorded> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .log
            .clone()
    }
}

async fn serve(listener: TcpListener, origin: Origin, state: Arc<Mutex<State>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(answer(request, origin, &state).await) }
            });
            // One request per connection: with about 360 listeners in the process, connections
            // idling in the clients' pools must not add up to the descriptor limit. A client
            // hanging up mid-request is the client's business, not a failure here.
            let _ = http1::Builder::new()
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    request: hyper::Request<Incoming>,
    origin: Origin,
    state: &Mutex<State>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let recorded = Recorded {
        origin,
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    let reply = if state.log.len() >= REQUEST_LIMIT {
        plain(410, "request limit of the scenario reached")
    } else {
        match state
            .routes
            .iter()
            .position(|route| matches(route, &recorded))
        {
            None => plain(404, "no route of the scenario matches"),
            Some(index) => {
                let turn = state.served[index];
                state.served[index] += 1;
                let replies = &state.routes[index].replies;
                let reply = replies
                    .get(turn)
                    .or(replies.last())
                    .cloned()
                    .unwrap_or_default();
                render(&reply, &state.main, &state.other)
            }
        }
    };
    state.log.push(recorded);
    reply
}

/// Whether a route answers a request.
pub fn matches(route: &Route, request: &Recorded) -> bool {
    if route.server != request.origin || route.path != request.path {
        return false;
    }
    if route
        .method
        .as_deref()
        .is_some_and(|m| !m.eq_ignore_ascii_case(&request.method))
    {
        return false;
    }
    let pairs = request.query_pairs();
    let values = |name: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    for (name, wanted) in &route.query {
        let found = values(name);
        let ok = match wanted {
            serde_yaml::Value::Null => found.is_empty(),
            serde_yaml::Value::Sequence(items) => {
                let items: Vec<String> = items.iter().map(scalar).collect();
                found == items.iter().map(String::as_str).collect::<Vec<_>>()
            }
            other => found.contains(&scalar(other).as_str()),
        };
        if !ok {
            return false;
        }
    }
    match &route.body {
        None => true,
        Some(wanted) => serde_json::from_slice::<Value>(&request.body).is_ok_and(|b| &b == wanted),
    }
}

/// A YAML scalar as it appears in a query string.
fn scalar(value: &serde_yaml::Value) -> String {
    match value {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

fn plain(status: u16, message: &str) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(message.to_string())));
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response
}

fn render(reply: &Reply, main: &str, other: &str) -> hyper::Response<Full<Bytes>> {
    let (body, json) = match (&reply.json, &reply.text) {
        (Some(json), _) => {
            let mut json = json.clone();
            substitute_json(&mut json, main, other);
            (serde_json::to_vec(&json).unwrap_or_default(), true)
        }
        (None, Some(text)) => (substitute(text, main, other).into_bytes(), false),
        (None, None) => (Vec::new(), false),
    };
    let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = http::StatusCode::from_u16(reply.status.unwrap_or(200))
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if json {
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
    }
    for (name, value) in &reply.headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(&substitute(value, main, other)),
        ) {
            headers.append(name, value);
        }
    }
    response
}
