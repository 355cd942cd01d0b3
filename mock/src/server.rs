//! The HTTP side: accepting connections on loopback and turning hyper requests into
//! [`Incoming`] and [`Outgoing`](crate::state::Outgoing) answers into hyper responses.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::state::{Delivery, Incoming, State};

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
            let reset = Arc::new(AtomicBool::new(false));
            let connection = Connection {
                stream,
                reset: reset.clone(),
            };
            let service = service_fn(move |request| {
                let shared = shared.clone();
                let reset = reset.clone();
                async move { Ok::<_, Infallible>(respond(&shared, &reset, request).await) }
            });
            // a client that goes away mid-request is not the server's problem, and a fault
            // that breaks the connection is the point
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(connection), service)
                .await;
        });
    }
}

/// A connection that can be reset: once `reset` is set, the next write fails and the socket
/// is closed with a zero linger, so the peer gets a TCP RST rather than a clean close.
#[derive(Debug)]
struct Connection {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Connection {
    fn broken(&self) -> Option<io::Error> {
        if !self.reset.load(Ordering::Relaxed) {
            return None;
        }
        // best effort: without the zero linger the peer still sees the connection close
        let _ = self.stream.set_zero_linger();
        Some(io::ErrorKind::ConnectionReset.into())
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// How long a body cut short waits before failing: time for hyper to flush what was sent.
const FLUSH_PAUSE: Duration = Duration::from_millis(20);

/// A response body: whole, or cut short after announcing its whole length.
#[derive(Debug)]
struct MockBody {
    /// What is still to be sent.
    data: Option<Bytes>,
    /// The length announced in `Content-Length`.
    announced: u64,
    /// Whether the body ends with an error instead of its missing bytes.
    cut: bool,
    /// A pause between the bytes sent and the error, so that hyper flushes them first (it
    /// drops what it buffered when a body fails).
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl MockBody {
    fn whole(data: Bytes) -> MockBody {
        MockBody {
            announced: data.len() as u64,
            data: Some(data),
            cut: false,
            pause: None,
        }
    }
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(data) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if !self.cut {
            return Poll::Ready(None);
        }
        if let Some(pause) = self.pause.as_mut()
            && pause.as_mut().poll(cx).is_pending()
        {
            return Poll::Pending;
        }
        // a body that fails before its announced length makes hyper drop the connection
        self.cut = false;
        Poll::Ready(Some(Err(io::Error::other("the mock cut the body short"))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.cut
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.announced)
    }
}

async fn respond(
    shared: &Mutex<State>,
    reset: &AtomicBool,
    request: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<MockBody> {
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
    let body = Bytes::from(out.body);
    let body = match out.delivery {
        Delivery::Whole => MockBody::whole(body),
        Delivery::Truncated => MockBody {
            announced: body.len() as u64,
            data: Some(body.slice(..body.len() / 2)),
            cut: true,
            pause: Some(Box::pin(tokio::time::sleep(FLUSH_PAUSE))),
        },
        Delivery::Reset => {
            reset.store(true, Ordering::Relaxed);
            MockBody::whole(Bytes::new())
        }
        Delivery::After(delay) => {
            tokio::time::sleep(delay).await;
            MockBody::whole(body)
        }
    };
    let mut response = hyper::Response::new(body);
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
