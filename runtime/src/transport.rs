//! The HTTP client requests go through: the runtime's own `reqwest::Client`, or one the
//! caller brings (a `reqwest::Client` with its proxy and TLS roots, or a
//! `reqwest_middleware::ClientWithMiddleware` with its tracing and metrics stack). Whichever it
//! is, the runtime keeps its guarantees on top: it decides per hop which credentials go along
//! and follows redirects itself, so a client that would follow them on its own is refused.

use std::time::Duration;

use crate::error::Error;

/// An HTTP client a caller brings to [`crate::ClientBuilder::http_client`].
///
/// It must not follow redirects (build it with
/// `.redirect(reqwest::redirect::Policy::none())`): the runtime follows them itself, hop by
/// hop, so that credentials never go to another origin, where reqwest would forward a header
/// such as `X-Api-Key` to any host. `build()` refuses a client that follows redirects.
#[derive(Clone, Debug)]
pub enum HttpClient {
    /// A plain reqwest client.
    Reqwest(reqwest::Client),
    /// A reqwest client under a middleware stack; the middleware sees every request as it goes
    /// on the wire, credentials only on the API's own origin.
    Middleware(reqwest_middleware::ClientWithMiddleware),
}

impl From<reqwest::Client> for HttpClient {
    fn from(client: reqwest::Client) -> Self {
        HttpClient::Reqwest(client)
    }
}

impl From<reqwest_middleware::ClientWithMiddleware> for HttpClient {
    fn from(client: reqwest_middleware::ClientWithMiddleware) -> Self {
        HttpClient::Middleware(client)
    }
}

impl HttpClient {
    /// Checks that the client leaves redirects to the runtime. reqwest offers no accessor for
    /// a client's redirect policy; its `Debug` output is the one public view of it, and it
    /// names a policy other than the default (`redirect_policy: "Policy(None)"`). A format
    /// this check does not recognise refuses the client: it fails closed, and the test
    /// `supplied_client_must_not_follow_redirects` pins the format.
    pub(crate) fn check(&self) -> Result<(), Error> {
        let shown = match self {
            HttpClient::Reqwest(client) => format!("{client:?}"),
            HttpClient::Middleware(client) => format!("{client:?}"),
        };
        if shown.contains(r#"redirect_policy: "Policy(None)""#) {
            return Ok(());
        }
        Err(Error::Invalid(
            "the HTTP client given to the builder follows redirects; build it with \
             `.redirect(reqwest::redirect::Policy::none())`: the runtime follows redirects \
             itself so that credentials stay on the API's origin"
                .into(),
        ))
    }
}

/// Why sending one request failed, before any response.
pub(crate) enum TransportError {
    /// reqwest's own error: classified as connection failure, timeout or bad request.
    Reqwest(reqwest::Error),
    /// A middleware refused or failed the request: its own decision, not retried.
    Middleware(String),
    /// The client followed a redirect itself (a middleware that follows them): the hop it
    /// took was never checked for credentials, so the response is not used.
    Redirected,
}

/// The client requests go through, with the per-request settings the runtime adds.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    pub(crate) client: HttpClient,
    /// The read timeout of one request; set on each request, so it holds for a client the
    /// caller brings too.
    pub(crate) timeout: Duration,
    /// The `User-Agent` sent when the request has none, if any.
    pub(crate) user_agent: Option<http::HeaderValue>,
}

impl Transport {
    /// Sends `request` as it is, adding the timeout and the `User-Agent`.
    pub(crate) async fn execute(
        &self,
        mut request: reqwest::Request,
    ) -> Result<reqwest::Response, TransportError> {
        *request.timeout_mut() = Some(self.timeout);
        if let Some(agent) = &self.user_agent {
            request
                .headers_mut()
                .entry(http::header::USER_AGENT)
                .or_insert_with(|| agent.clone());
        }
        let sent_to = request.url().clone();
        let response = match &self.client {
            HttpClient::Reqwest(client) => client
                .execute(request)
                .await
                .map_err(TransportError::Reqwest)?,
            HttpClient::Middleware(client) => {
                client.execute(request).await.map_err(|e| match e {
                    reqwest_middleware::Error::Reqwest(e) => TransportError::Reqwest(e),
                    reqwest_middleware::Error::Middleware(e) => {
                        TransportError::Middleware(format!("{e:#}"))
                    }
                })?
            }
        };
        // The response of another URL than the one sent: something below the runtime
        // followed a redirect (a middleware can). Its hop may have carried credentials the
        // runtime would have kept back.
        if response.url() != &sent_to {
            return Err(TransportError::Redirected);
        }
        Ok(response)
    }
}

/// A request with its method, URL, headers and body, as the retry loop sends it.
pub(crate) fn request(
    method: http::Method,
    url: url::Url,
    headers: http::HeaderMap,
    body: Option<String>,
) -> reqwest::Request {
    let mut request = reqwest::Request::new(method, url);
    *request.headers_mut() = headers;
    if let Some(body) = body {
        *request.body_mut() = Some(body.into());
    }
    request
}
