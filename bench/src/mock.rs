//! The loopback mock: serves pages cut from the pre-rendered [`Corpus`] in the cursor, offset
//! and page_number styles, with an optional delay per response and gzip or brotli bodies
//! (compressed once per page, then cached), so the mock's own cost stays a small part of
//! what is measured.
//!
//! A URL names its scenario: `/<records>/<latency_ms>/<encoding>/<style>?<paging params>`.
//! `GET /stats` counts the connections and requests served, to show connection reuse.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::corpus::Corpus;

/// The pagination styles the mock serves.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// `?cursor=<opaque>`; the body ends with `"next_cursor": "..."` or `null`.
    Cursor,
    /// `?offset=&limit=`; the body ends with `"total": N`.
    Offset,
    /// `?page=&page_size=` counting from 1; the body ends with `"total_pages": P`.
    PageNumber,
}

impl Style {
    /// The path segment, as in the URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Cursor => "cursor",
            Style::Offset => "offset",
            Style::PageNumber => "page_number",
        }
    }
}

/// What the mock shares between connections.
pub struct MockState {
    corpus: Corpus,
    compressed: Mutex<HashMap<String, Bytes>>,
    connections: AtomicU64,
    requests: AtomicU64,
}

impl MockState {
    /// A mock over `corpus`.
    pub fn new(corpus: Corpus) -> Self {
        MockState {
            corpus,
            compressed: Mutex::new(HashMap::new()),
            connections: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        }
    }
}

/// Accepts connections on `listener` until the process ends.
pub async fn serve(listener: TcpListener, state: Arc<MockState>) -> anyhow::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        // Pages are written in one go; Nagle would only delay the last segment.
        stream.set_nodelay(true)?;
        state.connections.fetch_add(1, Ordering::Relaxed);
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(respond(&state, request).await) }
            });
            // A client closing its connection is the normal end of one; nothing to report.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// A page to serve: its parts, and the delay before it is sent.
struct Plan {
    parts: Vec<Bytes>,
    latency: Duration,
    encoding: Encoding,
    cache_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

async fn respond(
    state: &MockState,
    request: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<Chunks> {
    state.requests.fetch_add(1, Ordering::Relaxed);
    let path = request.uri().path().to_string();
    if path == "/stats" {
        let stats = format!(
            r#"{{"connections":{},"requests":{}}}"#,
            state.connections.load(Ordering::Relaxed),
            state.requests.load(Ordering::Relaxed)
        );
        return response(200, vec![Bytes::from(stats)], None);
    }
    let query: HashMap<String, String> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let accepts = request
        .headers()
        .get(http::header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let plan = match plan(&state.corpus, &path, &query, &accepts) {
        Ok(plan) => plan,
        Err(message) => return response(400, vec![Bytes::from(message)], None),
    };
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    match plan.encoding {
        Encoding::Identity => response(200, plan.parts, None),
        encoding => {
            let cached = state
                .compressed
                .lock()
                .ok()
                .and_then(|cache| cache.get(&plan.cache_key).cloned());
            let body = match cached {
                Some(body) => body,
                None => {
                    let body = compress(&plan.parts, encoding);
                    if let Ok(mut cache) = state.compressed.lock() {
                        cache.insert(plan.cache_key.clone(), body.clone());
                    }
                    body
                }
            };
            let name = if encoding == Encoding::Gzip {
                "gzip"
            } else {
                "br"
            };
            response(200, vec![body], Some(name))
        }
    }
}

/// Works out the page a request asks for; an error names what is wrong with the URL.
fn plan(
    corpus: &Corpus,
    path: &str,
    query: &HashMap<String, String>,
    accepts: &str,
) -> Result<Plan, String> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let [records, latency, encoding, style] = segments.as_slice() else {
        return Err(format!(
            "expected /<records>/<latency_ms>/<encoding>/<style>, got {path}"
        ));
    };
    let number = |text: &str, what: &str| {
        text.parse::<usize>()
            .map_err(|_| format!("{what} `{text}` is not a number"))
    };
    let total = number(records, "record count")?.min(corpus.len());
    let latency = Duration::from_millis(number(latency, "latency")? as u64);
    let param = |name: &str, default: usize| match query.get(name) {
        Some(value) => number(value, name),
        None => Ok(default),
    };
    let encoding = match *encoding {
        "gzip" if accepts.contains("gzip") => Encoding::Gzip,
        "br" if accepts.contains("br") => Encoding::Brotli,
        "identity" | "gzip" | "br" => Encoding::Identity,
        other => return Err(format!("unknown encoding `{other}`")),
    };
    let (from, size, tail) = match *style {
        "cursor" => {
            let size = param("page_size", 1000)?;
            let from = match query.get("cursor") {
                Some(cursor) => number(cursor.trim_start_matches('o'), "cursor")?,
                None => 0,
            };
            let next = from + size;
            let tail = if next < total {
                format!(r#"],"next_cursor":"o{next}"}}"#)
            } else {
                r#"],"next_cursor":null}"#.to_string()
            };
            (from, size, tail)
        }
        "offset" => {
            let size = param("limit", 1000)?;
            (param("offset", 0)?, size, format!(r#"],"total":{total}}}"#))
        }
        "page_number" => {
            let size = param("page_size", 1000)?.max(1);
            let page = param("page", 1)?.max(1);
            let pages = total.div_ceil(size);
            (
                (page - 1) * size,
                size,
                format!(r#"],"page":{page},"total_pages":{pages}}}"#),
            )
        }
        other => return Err(format!("unknown style `{other}`")),
    };
    let to = from.saturating_add(size).min(total);
    Ok(Plan {
        parts: vec![
            Bytes::from_static(br#"{"data":["#),
            corpus.slice(from, to),
            Bytes::from(tail.clone()),
        ],
        latency,
        encoding,
        cache_key: format!("{encoding:?}/{style}/{total}/{from}/{to}/{tail}"),
    })
}

fn compress(parts: &[Bytes], encoding: Encoding) -> Bytes {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail; a failed write would only mean a shorter body.
    match encoding {
        Encoding::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(&mut out, flate2::Compression::default());
            for part in parts {
                let _ = encoder.write_all(part);
            }
            let _ = encoder.finish();
        }
        Encoding::Brotli => {
            // Quality 5: what servers use for dynamic content; 11 would take seconds per page.
            let mut encoder = brotli::CompressorWriter::new(&mut out, 1 << 16, 5, 22);
            for part in parts {
                let _ = encoder.write_all(part);
            }
            drop(encoder);
        }
        Encoding::Identity => {
            for part in parts {
                out.extend_from_slice(part);
            }
        }
    }
    Bytes::from(out)
}

fn response(status: u16, parts: Vec<Bytes>, encoding: Option<&str>) -> hyper::Response<Chunks> {
    let mut response = hyper::Response::new(Chunks(parts.into()));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    if let Some(encoding) = encoding.and_then(|e| http::HeaderValue::from_str(e).ok()) {
        headers.insert(http::header::CONTENT_ENCODING, encoding);
    }
    response
}

/// A body made of several buffers sent one after another, so a page is never copied into
/// one buffer before it is written.
pub struct Chunks(VecDeque<Bytes>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|chunk| Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.iter().map(|c| c.len() as u64).sum())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn page(corpus: &Corpus, path: &str, query: &[(&str, &str)]) -> serde_json::Value {
        let query = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let plan = plan(corpus, path, &query, "").unwrap();
        serde_json::from_slice(&plan.parts.concat()).unwrap()
    }

    #[test]
    fn styles_page_through_every_record_once() {
        let corpus = Corpus::render(25).unwrap();
        let first = page(&corpus, "/25/0/identity/cursor", &[("page_size", "10")]);
        assert_eq!(first["next_cursor"], "o10");
        let last = page(
            &corpus,
            "/25/0/identity/cursor",
            &[("page_size", "10"), ("cursor", "o20")],
        );
        assert_eq!(last["data"].as_array().unwrap().len(), 5);
        assert!(last["next_cursor"].is_null());
        let offset = page(
            &corpus,
            "/25/0/identity/offset",
            &[("offset", "20"), ("limit", "10")],
        );
        assert_eq!(offset["total"], 25);
        assert_eq!(offset["data"][0]["id"], 20);
        let numbered = page(
            &corpus,
            "/25/0/identity/page_number",
            &[("page", "3"), ("page_size", "10")],
        );
        assert_eq!(numbered["total_pages"], 3);
        assert_eq!(numbered["data"][4]["id"], 24);
        let fewer = page(&corpus, "/12/0/identity/offset", &[("offset", "10")]);
        assert_eq!(fewer["data"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn compressed_bodies_round_trip() {
        let parts = vec![Bytes::from_static(b"{\"a\":"), Bytes::from_static(b"1}")];
        let gz = compress(&parts, Encoding::Gzip);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut text)
            .unwrap();
        assert_eq!(text, "{\"a\":1}");
        let br = compress(&parts, Encoding::Brotli);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut brotli::Decompressor::new(&br[..], 4096), &mut text)
            .unwrap();
        assert_eq!(text, "{\"a\":1}");
    }
}
