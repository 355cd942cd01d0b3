//! Rust code where a spec needs code: a spec marks `auth: {type: custom, name: X}` or
//! `paginator: {type: custom, name: Y}`, and the client's builder takes an [`Auth`] or a
//! [`Paginator`] for that name (`build()` fails without it), as dlt's `register_auth` and
//! `register_paginator` do for Python classes. Also the callback that hands rotated tokens
//! back to the caller to persist ([`TokenRotation`]).
//!
//! A custom auth that signs each request with an HMAC of its path:
//!
//! ```
//! use restgen_runtime::custom::{Auth, AuthRequest};
//! use restgen_runtime::futures::future::BoxFuture;
//! use restgen_runtime::hooks::HookError;
//!
//! struct Signed {
//!     key_id: String,
//! }
//!
//! impl Auth for Signed {
//!     fn authenticate<'a>(
//!         &'a self,
//!         request: &'a mut AuthRequest,
//!     ) -> BoxFuture<'a, Result<(), HookError>> {
//!         Box::pin(async move {
//!             let signature = format!("{}:{}", self.key_id, request.url.path().len());
//!             request.headers.insert("x-signature", signature.parse().map_err(HookError::new)?);
//!             Ok(())
//!         })
//!     }
//! }
//! ```
//!
//! A custom paginator that reads the next page number from a `next_page` field:
//!
//! ```
//! use restgen_runtime::custom::Paginator;
//! use restgen_runtime::paginate::{PageView, PaginationError, RequestState};
//!
//! #[derive(Clone, Default)]
//! struct NextPageField;
//!
//! impl Paginator for NextPageField {
//!     fn next_request(
//!         &mut self,
//!         page: &PageView<'_>,
//!         request: &mut RequestState,
//!     ) -> Result<bool, PaginationError> {
//!         let body: serde_json::Value = match page.body {
//!             Some(raw) => serde_json::from_str(raw.get())
//!                 .map_err(|e| PaginationError::InvalidConfig(e.to_string()))?,
//!             None => return Ok(false),
//!         };
//!         match body.get("next_page").and_then(|v| v.as_u64()) {
//!             Some(next) => {
//!                 request.set_query("page", next.to_string());
//!                 Ok(true)
//!             }
//!             None => Ok(false),
//!         }
//!     }
//! }
//! ```

use std::sync::Arc;

use futures::future::BoxFuture;

use crate::client::ClientCore;
use crate::descriptor::{AuthChoice, AuthConfig};
use crate::error::Error;
use crate::hooks::HookError;
use crate::paginate::{PageView, PaginationError, RequestState};
use crate::secret::Secret;

/// A request to the API's own origin about to be authenticated. Whatever the auth adds to
/// the headers or the URL's query is a credential: it is redacted in errors and never sent to
/// another origin (the auth is not asked for a hop elsewhere).
pub struct AuthRequest {
    /// The resource being fetched.
    pub resource: String,
    /// The method.
    pub method: http::Method,
    /// The URL; a query credential goes into its query.
    pub url: url::Url,
    /// The headers; a header credential goes here.
    pub headers: http::HeaderMap,
    /// The JSON body, for a scheme that signs it.
    pub body: Option<String>,
}

impl std::fmt::Debug for AuthRequest {
    // It carries credentials: the shape only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthRequest")
            .field("resource", &self.resource)
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

/// An auth scheme in Rust, for a spec's `auth: {type: custom, name: ..}`. Object-safe: the
/// builder holds it as `Arc<dyn Auth>`.
pub trait Auth: Send + Sync + 'static {
    /// Adds credentials to a request to the API's origin. Runs once per request sent there
    /// (each redirect hop home included; a retry of the request resends what it added). An
    /// error fails the page with [`crate::Error::Auth`].
    fn authenticate<'a>(
        &'a self,
        request: &'a mut AuthRequest,
    ) -> BoxFuture<'a, Result<(), HookError>>;

    /// Called when the API answered 401 to a request this auth authenticated: renew what is
    /// cached (a token) and return `true` to have the request tried once more, or `false`
    /// (the default) to let the 401 stand.
    fn renew(&self) -> BoxFuture<'_, bool> {
        Box::pin(async { false })
    }
}

/// A paginator in Rust, for a spec's `paginator: {type: custom, name: ..}`: dlt's
/// `BasePaginator` (`init_request`, `update_state` + `update_request`). It is sans-IO like the
/// built-in ones: it sees each page and edits the next request. Each run gets its own clone of
/// the value given to the builder, so state kept in `self` is per run.
pub trait Paginator: Send + Sync + 'static {
    /// Fills in the first request (a page size, a start value). The default adds nothing.
    fn init_request(&mut self, request: &mut RequestState) {
        let _ = request;
    }

    /// Reads a page and edits `request` into the next one; returns whether there is a next
    /// page. An error fails the run with [`crate::Error::Pagination`] naming the page.
    fn next_request(
        &mut self,
        page: &PageView<'_>,
        request: &mut RequestState,
    ) -> Result<bool, PaginationError>;

    /// What of `self` a resumed run needs, saved after each page into the resume point
    /// (plain data: a string equal to a secret of the client, or under a key such as `token`,
    /// is stored as `***`). The request the paginator prepared is saved by the runtime, so
    /// a paginator whose state is all in the request keeps the default, `None`.
    fn save(&self) -> Option<serde_json::Value> {
        None
    }

    /// Takes back what [`Paginator::save`] returned, on a fresh clone, when a run resumes
    /// from a resume point. The default ignores it.
    fn restore(&mut self, state: &serde_json::Value) -> Result<(), PaginationError> {
        let _ = state;
        Ok(())
    }
}

/// Makes a fresh paginator for each run.
pub(crate) type PaginatorFactory = Arc<dyn Fn() -> Box<dyn Paginator> + Send + Sync>;

/// A paginator value turned into a factory of per-run clones.
pub(crate) fn factory<P: Paginator + Clone>(paginator: P) -> PaginatorFactory {
    Arc::new(move || Box::new(paginator.clone()))
}

/// Which kind of token was rotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// An OAuth2 refresh token the token endpoint replaced: the old one may no longer work,
    /// so persist this one for the next process (and give it to the builder then).
    RefreshToken,
    /// A session token a login returned (`type: session_token`); giving it to the next
    /// client as its `session_token` saves a login.
    SessionToken,
}

/// A token the client obtained that the caller should persist. Its `Debug` shows no value.
#[derive(Debug, Clone)]
pub struct TokenRotation {
    /// What the token is.
    pub kind: TokenKind,
    /// The spec's name of the value it replaces (`refresh_token`, `session_token`), when
    /// the spec takes it from a secret.
    pub name: Option<String>,
    /// The new token.
    pub token: Secret,
}

/// Receives rotated tokens (see [`crate::ClientBuilder::on_token_rotation`]).
pub(crate) type TokenSink = Arc<dyn Fn(&TokenRotation) + Send + Sync>;

/// Runs the endpoint's custom auth, if it has one, over a request to the API's origin, and
/// returns the values it added (headers, query pairs) as secrets to redact.
pub(crate) async fn authenticate_custom(
    core: &ClientCore,
    choice: &AuthChoice,
    request: &mut AuthRequest,
) -> Result<Vec<Secret>, Error> {
    let Some(AuthConfig::Custom { name }) = crate::auth::config_of(core, choice) else {
        return Ok(Vec::new());
    };
    let auth = core.custom_auth(name)?;
    let headers_before = request.headers.clone();
    let query_before: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    auth.authenticate(request).await.map_err(|e| Error::Auth {
        resource: request.resource.clone(),
        message: format!("custom auth `{name}`: {e}"),
    })?;
    let mut added = Vec::new();
    for (header, value) in request.headers.iter_mut() {
        if headers_before.get_all(header).iter().any(|v| v == *value) {
            continue;
        }
        value.set_sensitive(true);
        if let Ok(text) = value.to_str() {
            added.push(Secret::new(text));
            if let Some((_, token)) = text.split_once(' ') {
                added.push(Secret::new(token));
            }
        }
    }
    for (key, value) in request.url.query_pairs() {
        if !query_before.iter().any(|(k, v)| *k == key && *v == value) {
            added.push(Secret::new(value.into_owned()));
        }
    }
    Ok(added
        .into_iter()
        .filter(|s| !s.expose().is_empty())
        .collect())
}
