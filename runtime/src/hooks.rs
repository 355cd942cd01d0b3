//! Caller code around every page request: a hook runs before each request goes out (it may
//! add headers, or refuse the request) and after each response is read (it may inspect it,
//! and turn it into an error or a retry). Hooks run on every attempt and every redirect hop
//! of a page request; token and login requests do not go through them.
//!
//! ```
//! use restgen_runtime::futures::future::BoxFuture;
//! use restgen_runtime::hooks::{Hook, HookError, HookRequest, HookResponse, Verdict};
//!
//! /// Tags every request, and retries a 200 whose body says the API failed.
//! struct Tracing;
//!
//! impl Hook for Tracing {
//!     fn before_request<'a>(
//!         &'a self,
//!         request: &'a mut HookRequest,
//!     ) -> BoxFuture<'a, Result<(), HookError>> {
//!         Box::pin(async move {
//!             request.headers.insert("x-request-tag", "nightly".parse().map_err(HookError::new)?);
//!             Ok(())
//!         })
//!     }
//!
//!     fn after_response<'a>(&'a self, response: &'a HookResponse) -> BoxFuture<'a, Verdict> {
//!         Box::pin(async move {
//!             if response.body.windows(18).any(|w| w == br#""status":"failure""#) {
//!                 Verdict::Retry("the API answered status: failure".into())
//!             } else {
//!                 Verdict::Accept
//!             }
//!         })
//!     }
//! }
//! ```

use std::sync::Arc;

use futures::future::BoxFuture;

use crate::secret::{Secret, is_credential_name};

/// Why a hook refused a request or a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookError(String);

impl HookError {
    /// A refusal with a message; it appears in the page's error, with secrets redacted.
    pub fn new(message: impl std::fmt::Display) -> Self {
        HookError(message.to_string())
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for HookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for HookError {
    fn from(message: &str) -> Self {
        HookError::new(message)
    }
}

impl From<String> for HookError {
    fn from(message: String) -> Self {
        HookError(message)
    }
}

/// A request about to go out, credentials applied.
pub struct HookRequest {
    /// The resource the request pages through.
    pub resource: String,
    /// The page it fetches, counting from 1.
    pub page: usize,
    /// The attempt, counting from 1 (retries send the request again).
    pub attempt: u32,
    /// The method.
    pub method: http::Method,
    /// The URL as sent (it may carry a query credential: do not log it as it is).
    pub url: url::Url,
    /// Whether the request goes to the API's own origin. Elsewhere (a next link or redirect
    /// to another host) a header the hook adds whose name says it is a credential
    /// (`Authorization`, `X-Api-Key`, ...) or whose value holds a client secret is removed.
    pub same_origin: bool,
    /// The headers; add to them here.
    pub headers: http::HeaderMap,
}

impl std::fmt::Debug for HookRequest {
    // The URL and headers carry credentials: the shape only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("HookRequest")
            .field("resource", &self.resource)
            .field("page", &self.page)
            .field("attempt", &self.attempt)
            .field("method", &self.method)
            .field("same_origin", &self.same_origin)
            .field("headers", &names)
            .finish_non_exhaustive()
    }
}

/// A response read to the end (within the body cap).
#[derive(Debug)]
pub struct HookResponse {
    /// The resource the request pages through.
    pub resource: String,
    /// The page it fetched, counting from 1.
    pub page: usize,
    /// The attempt, counting from 1.
    pub attempt: u32,
    /// The request URL, secrets redacted.
    pub url: String,
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: bytes::Bytes,
}

/// What an after-response hook makes of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The response goes on as it is (a retried status is still retried).
    Accept,
    /// The request is tried again, as for a retried status: it counts against the
    /// endpoint's retry policy and waits its backoff. The reason goes to the trace.
    Retry(String),
    /// The page fails with [`crate::Error::Refused`].
    Fail(HookError),
}

/// Code run around every page request. Both methods have defaults that do nothing, so a hook
/// implements only what it needs. Object-safe: the builder holds `Arc<dyn Hook>`s and runs
/// them in the order given.
pub trait Hook: Send + Sync + 'static {
    /// Runs before each request goes out; may add or change headers, or refuse the request
    /// (the page then fails with [`crate::Error::Refused`], without a retry).
    fn before_request<'a>(
        &'a self,
        request: &'a mut HookRequest,
    ) -> BoxFuture<'a, Result<(), HookError>> {
        let _ = request;
        Box::pin(async { Ok(()) })
    }

    /// Runs after each response is read, before the retry policy looks at it.
    fn after_response<'a>(&'a self, response: &'a HookResponse) -> BoxFuture<'a, Verdict> {
        let _ = response;
        Box::pin(async { Verdict::Accept })
    }
}

/// Where the hooks of one page request run, and what they must not send elsewhere.
#[derive(Clone, Copy)]
pub(crate) struct HookSite<'a> {
    pub(crate) hooks: &'a [Arc<dyn Hook>],
    pub(crate) same_origin: bool,
    /// The client's secrets and the credentials of this request.
    pub(crate) secrets: &'a [Secret],
    /// The request URL, redacted, for the response hooks.
    pub(crate) shown: &'a str,
}

impl HookSite<'_> {
    /// Runs the before-request hooks over `request`. On another origin, the headers they
    /// added that are credentials are taken off again.
    pub(crate) async fn before(
        &self,
        request: &mut reqwest::Request,
        resource: &str,
        page: usize,
        attempt: u32,
    ) -> Result<(), HookError> {
        if self.hooks.is_empty() {
            return Ok(());
        }
        let mut view = HookRequest {
            resource: resource.to_string(),
            page,
            attempt,
            method: request.method().clone(),
            url: request.url().clone(),
            same_origin: self.same_origin,
            headers: std::mem::take(request.headers_mut()),
        };
        let before: Vec<http::HeaderName> = view.headers.keys().cloned().collect();
        let mut result = Ok(());
        for hook in self.hooks {
            result = hook.before_request(&mut view).await;
            if result.is_err() {
                break;
            }
        }
        let mut headers = view.headers;
        if !self.same_origin {
            let added: Vec<http::HeaderName> = headers
                .keys()
                .filter(|name| !before.contains(name))
                .cloned()
                .collect();
            for name in added {
                let secret = is_credential_name(name.as_str())
                    || headers.get_all(&name).iter().any(|v| {
                        v.to_str().is_ok_and(|text| {
                            self.secrets
                                .iter()
                                .any(|s| !s.expose().is_empty() && text.contains(s.expose()))
                        })
                    });
                if secret {
                    tracing::debug!(resource, page, header = %name, "a hook's credential header is not sent to another origin");
                    headers.remove(&name);
                }
            }
        }
        *request.headers_mut() = headers;
        result
    }

    /// Runs the after-response hooks; the first that does not accept decides.
    pub(crate) async fn after(&self, response: HookResponse) -> (HookResponse, Verdict) {
        for hook in self.hooks {
            let verdict = hook.after_response(&response).await;
            if verdict != Verdict::Accept {
                return (response, verdict);
            }
        }
        (response, Verdict::Accept)
    }
}
