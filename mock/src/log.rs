//! What the mock remembers of each request: the request itself, the answer and the page served.

use bytes::Bytes;
use serde_json::Value;

use crate::fault::FaultKind;

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
#[derive(Clone)]
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
    /// The status answered; 0 when the connection was reset instead.
    pub status: u16,
    /// The page served, on a 200.
    pub served: Option<ServedPage>,
    /// Why it was refused, or which fault it met.
    pub note: Option<String>,
    /// The fault that spoiled the answer, if one did.
    pub fault: Option<FaultKind>,
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

impl std::fmt::Debug for RecordedRequest {
    // Requests carry credentials (headers, query keys, a token request's form): show header
    // names, the body's length and the URL with sensitive query values redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = url::Url::parse(&self.url)
            .map(|u| restgen_runtime::secret::redact_url(&u, &[]))
            .unwrap_or_else(|_| self.path.clone());
        let headers: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("url", &url)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .field("resource", &self.resource)
            .field("args", &self.args)
            .field("status", &self.status)
            .field("served", &self.served)
            .field("note", &self.note)
            .field("fault", &self.fault)
            .finish()
    }
}
