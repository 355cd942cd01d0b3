//! The HTTP side: accepting connections on loopback and turning hyper requests into
//! [`Incoming`] and [`Outgoing`](crate::state::Outgoing) answers into hyper responses.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use crate::state::{Incoming, State};

/// Serves connections from `listener` until the task is aborted.
pub async fn accept(listener: tokio::net::TcpListener, shared: Arc<Mutex<State>>) {
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
