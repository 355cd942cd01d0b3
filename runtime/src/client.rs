//! The client core shared by every generated client: base URL, HTTP connection pool,
//! credentials, timeouts and the default retry policy, built from a spec's client section.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::TokenCache;
use crate::custom::{Auth, PaginatorFactory, TokenRotation, TokenSink};
use crate::descriptor::{AuthConfig, List, RetryPolicy, Text, ValueRef};
use crate::error::Error;
use crate::hooks::Hook;
use crate::retry::{DEFAULT_MAX_BODY_SIZE, Jitter, Retry};
use crate::secret::{Secret, redact_url};
use crate::transport::{HttpClient, Transport};

mod clock;
mod embedding;
mod generated;

pub use clock::Clock;

/// A named value the client needs: a secret (`dlt.secrets`) or a setting (`dlt.config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueSpec {
    /// The name in the spec; also the builder setter's name.
    pub name: Text,
    /// Whether it is a secret (redacted everywhere) or a plain setting.
    pub secret: bool,
    /// Whether the client's own auth needs it, so `build` fails without it.
    pub required: bool,
}

/// The client section of a spec, as generated code emits it.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    /// The source name; `from_env` reads `SOURCES__<SOURCE>__<NAME>`.
    pub source: Text,
    /// The default base URL.
    pub base_url: Text,
    /// The client-wide auth, if any.
    pub auth: Option<AuthConfig>,
    /// Every secret and setting the spec names.
    pub values: List<ValueSpec>,
    /// Static headers sent on every request.
    pub headers: List<crate::descriptor::Param>,
    /// The rate budget the spec declares (`api_budget`), if any.
    pub budget: Option<crate::budget::BudgetSpec>,
}

impl ClientSpec {
    /// The environment variable dlt reads for value `name` of this source.
    pub fn env_var(&self, name: &str) -> String {
        env_var(&self.source, name)
    }
}

/// The environment variable dlt reads for value `name` of source `source`
/// (`SOURCES__<SOURCE>__<NAME>`); the generator names it in builder docs with this.
pub fn env_var(source: &str, name: &str) -> String {
    format!(
        "SOURCES__{}__{}",
        source.to_ascii_uppercase(),
        name.to_ascii_uppercase()
    )
}

/// Builds a [`ClientCore`]; generated builders wrap it with one setter per secret.
#[derive(Clone)]
pub struct ClientBuilder {
    values: BTreeMap<String, Secret>,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    max_retry_delay: Option<Duration>,
    /// The `User-Agent` the caller set, if any.
    user_agent: Option<String>,
    /// Whether the runtime sends no `User-Agent` (a supplied client's own stays).
    no_user_agent: bool,
    /// The generated crate's `name/version`, for the default `User-Agent`.
    product: Option<String>,
    token_url: Option<String>,
    absolute_paths_to_base_url: bool,
    jitter: Jitter,
    max_body_size: u64,
    strict: bool,
    /// The rate budget's rates (see [`crate::budget`]).
    rates: Vec<crate::budget::Rate>,
    http_client: Option<HttpClient>,
    hooks: Vec<Arc<dyn Hook>>,
    custom_auth: BTreeMap<String, Arc<dyn Auth>>,
    custom_paginators: BTreeMap<String, PaginatorFactory>,
    token_sink: Option<TokenSink>,
    /// What `now_utc()` reads (the system clock when `None`).
    clock: Option<Clock>,
    /// The custom auths and paginators the spec names: `build()` fails without their code.
    expected: Vec<(&'static str, String)>,
}

impl std::fmt::Debug for ClientBuilder {
    // The values are secrets: their names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let values: Vec<&str> = self.values.keys().map(String::as_str).collect();
        f.debug_struct("ClientBuilder")
            .field("values", &values)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http_client.is_some())
            .field("hooks", &self.hooks.len())
            .field("custom_auth", &self.custom_auth.keys().collect::<Vec<_>>())
            .field(
                "custom_paginators",
                &self.custom_paginators.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The runtime's own `User-Agent` product: `restgen/<version>`.
pub const RESTGEN_PRODUCT: &str = concat!("restgen/", env!("CARGO_PKG_VERSION"));

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            values: BTreeMap::new(),
            base_url: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(60),
            retry: RetryPolicy::DLT_DEFAULT,
            max_retry_delay: None,
            user_agent: None,
            no_user_agent: false,
            product: None,
            token_url: None,
            absolute_paths_to_base_url: false,
            jitter: Jitter::Full,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            strict: false,
            rates: Vec::new(),
            http_client: None,
            hooks: Vec::new(),
            custom_auth: BTreeMap::new(),
            custom_paginators: BTreeMap::new(),
            token_sink: None,
            clock: None,
            expected: Vec::new(),
        }
    }
}

impl ClientBuilder {
    /// Sets a secret or setting by its spec name.
    pub fn value(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_string(), Secret::new(value));
        self
    }

    /// Overrides the spec's base URL (e.g. a sandbox or a local mock).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Overrides the OAuth2 token URL of the spec's auth (e.g. a sandbox's, or a local
    /// mock's), as [`ClientBuilder::base_url`] does the base URL.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Sends the requests of endpoints whose path is an absolute URL (another host) to the
    /// base URL's scheme, host and port, keeping their path: with a
    /// [`ClientBuilder::base_url`] override, every request of a spec reaches a local mock or
    /// a recording proxy. Off by default: such paths go where they say.
    pub fn absolute_paths_to_base_url(mut self, yes: bool) -> Self {
        self.absolute_paths_to_base_url = yes;
        self
    }

    /// The read timeout of one request (dlt's default: 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connect timeout (default: 60 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The retry policy of endpoints without an `error_handler` (default: dlt's).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Caps every wait between attempts, whatever an endpoint's policy or a `Retry-After`
    /// asks for: dlt's `request_max_retry_delay` (300 s unless a policy says otherwise). A
    /// short cap suits tests and local mocks.
    pub fn max_retry_delay(mut self, delay: Duration) -> Self {
        self.max_retry_delay = Some(delay);
        self
    }

    /// How exponential backoff waits are jittered (default: [`Jitter::Full`], uniform in
    /// `[0, backoff]`; [`Jitter::None`] waits exactly dlt's 1, 2, 4, 8 s). Waits a response
    /// asks for (`Retry-After`) are never jittered.
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The largest response body accepted, in bytes, after gzip or brotli decoding (default
    /// 64 MiB, [`DEFAULT_MAX_BODY_SIZE`]). A larger body fails its page with
    /// [`Error::BodyTooLarge`], without a retry.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Fills every value not set yet from `SOURCES__<SOURCE>__<NAME>`.
    pub fn from_env(mut self, spec: &ClientSpec) -> Self {
        for value in spec.values.iter() {
            if self.values.contains_key(value.name.as_ref()) {
                continue;
            }
            if let Ok(found) = std::env::var(spec.env_var(&value.name)) {
                self.values
                    .insert(value.name.to_string(), Secret::new(found));
            }
        }
        self
    }

    /// Decodes every request's records strictly: the first record whose value is not of the
    /// schema's type, or that misses a required field, fails its page with
    /// [`Error::Decode`], instead of being coerced or kept raw (see [`crate::lenient`]).
    pub fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    /// Sends at most `n` requests per `period` (a moving window), counting every request the
    /// client makes: every resource, page fetched ahead, fan-out child, retry and token call.
    /// May be given more than once (100 per second and 5,000 per hour); see
    /// [`crate::budget`], also for how 429s and rate-limit headers pause the whole client.
    pub fn rate_limit(self, n: u32, period: Duration) -> Self {
        self.rate(crate::budget::Rate::moving(n, period))
    }

    /// Adds one rate to the client's budget (a fixed or moving window).
    pub fn rate(mut self, rate: crate::budget::Rate) -> Self {
        self.rates.push(rate);
        self
    }

    /// Checks the required values and builds the core.
    pub fn build(self, spec: &ClientSpec) -> Result<ClientCore, Error> {
        for value in spec.values.iter().filter(|v| v.required) {
            if !self.values.contains_key(value.name.as_ref()) {
                return Err(Error::MissingSecret {
                    name: value.name.to_string(),
                    env_var: spec.env_var(&value.name),
                });
            }
        }
        let base_url = match self.base_url {
            Some(url) => url,
            // settings in the spec's base URL (`{config.subdomain}`) are the client's values,
            // percent-encoded as one URL component: a `/` or `?` in a setting cannot move the
            // path or start a query
            None if spec.base_url.contains('{') => {
                let values: Vec<(String, serde_json::Value)> = spec
                    .values
                    .iter()
                    .filter(|v| !v.secret)
                    .filter_map(|v| {
                        let value = self.values.get(v.name.as_ref())?;
                        Some((
                            format!("config.{}", v.name),
                            serde_json::Value::String(value.expose().to_string()),
                        ))
                    })
                    .collect();
                crate::placeholders::fill_placeholders(&spec.base_url, &values, true)?
            }
            None => spec.base_url.to_string(),
        };
        let parsed = url::Url::parse(&base_url).map_err(|source| Error::Url {
            // filled from settings only: a secret never reaches the base URL
            what: format!("base URL `{base_url}`"),
            source,
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::Invalid(format!(
                "base URL `{}`: the scheme must be http or https",
                redact_url(&parsed, &[])
            )));
        }
        let client_custom = match &spec.auth {
            Some(AuthConfig::Custom { name }) => Some(("auth", name.to_string())),
            _ => None,
        };
        for (kind, name) in self.expected.iter().cloned().chain(client_custom) {
            let given = match kind {
                "auth" => self.custom_auth.contains_key(&name),
                _ => self.custom_paginators.contains_key(&name),
            };
            if !given {
                return Err(Error::MissingCustom { kind, name });
            }
        }
        let client = match self.http_client {
            Some(client) => {
                client.check()?;
                client
            }
            None => HttpClient::Reqwest(
                reqwest::Client::builder()
                    .timeout(self.timeout)
                    .connect_timeout(self.connect_timeout)
                    // The driver follows redirects itself, deciding per hop whether
                    // credentials go along; reqwest would forward custom credential headers
                    // to any host.
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| Error::Invalid(format!("HTTP client: {e}")))?,
            ),
        };
        let agent = match (self.user_agent, self.product) {
            _ if self.no_user_agent => None,
            (Some(agent), _) => Some(agent),
            (None, Some(product)) => Some(format!("{RESTGEN_PRODUCT} {product}")),
            (None, None) => Some(RESTGEN_PRODUCT.to_string()),
        };
        let user_agent = match agent {
            Some(agent) => Some(
                http::HeaderValue::from_str(&agent)
                    .map_err(|e| Error::Invalid(format!("User-Agent `{agent}`: {e}")))?,
            ),
            None => None,
        };
        let transport = Transport {
            client,
            timeout: self.timeout,
            user_agent,
        };
        let secrets = spec
            .values
            .iter()
            .filter(|v| v.secret)
            .filter_map(|v| self.values.get(v.name.as_ref()).cloned())
            .collect();
        Ok(ClientCore {
            inner: Arc::new(CoreInner {
                transport,
                hooks: self.hooks,
                custom_auth: self.custom_auth,
                custom_paginators: self.custom_paginators,
                token_sink: self.token_sink,
                clock: self.clock,
                base_url,
                spec: spec.clone(),
                values: self.values,
                secrets,
                retry: self.retry,
                max_retry_delay: self.max_retry_delay,
                token_url: self.token_url,
                absolute_paths_to_base_url: self.absolute_paths_to_base_url,
                jitter: self.jitter,
                max_body_size: self.max_body_size,
                strict: self.strict,
                tokens: TokenCache::default(),
                budget: Arc::new(crate::budget::Budget::from_spec(
                    spec.budget.as_ref(),
                    &self.rates,
                )),
            }),
        })
    }
}

/// The shared state of a built client. Cheap to clone.
#[derive(Clone)]
pub struct ClientCore {
    pub(crate) inner: Arc<CoreInner>,
}

impl std::fmt::Debug for ClientCore {
    // The spec may hold literal credentials (an auth block's literal token, a literal header)
    // and the base URL user info: show the shape, never a value that could be one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = &self.inner;
        let base_url = match url::Url::parse(&inner.base_url) {
            Ok(url) => redact_url(&url, &inner.secrets),
            Err(_) => crate::secret::REDACTED.to_string(),
        };
        let values: Vec<&str> = inner.values.keys().map(String::as_str).collect();
        let headers: Vec<&str> = inner.spec.headers.iter().map(|h| &*h.name).collect();
        f.debug_struct("ClientCore")
            .field("source", &inner.spec.source)
            .field("base_url", &base_url)
            .field("auth", &inner.spec.auth.as_ref().map(AuthConfig::kind))
            .field("values", &values)
            .field("headers", &headers)
            .field("retry", &inner.retry)
            .field("max_retry_delay", &inner.max_retry_delay)
            .field("jitter", &inner.jitter)
            .field("max_body_size", &inner.max_body_size)
            .finish_non_exhaustive()
    }
}

pub(crate) struct CoreInner {
    pub(crate) transport: Transport,
    pub(crate) hooks: Vec<Arc<dyn Hook>>,
    pub(crate) custom_auth: BTreeMap<String, Arc<dyn Auth>>,
    pub(crate) custom_paginators: BTreeMap<String, PaginatorFactory>,
    pub(crate) token_sink: Option<TokenSink>,
    pub(crate) clock: Option<Clock>,
    pub(crate) base_url: String,
    pub(crate) spec: ClientSpec,
    pub(crate) values: BTreeMap<String, Secret>,
    pub(crate) secrets: Vec<Secret>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_retry_delay: Option<Duration>,
    pub(crate) token_url: Option<String>,
    pub(crate) absolute_paths_to_base_url: bool,
    pub(crate) jitter: Jitter,
    pub(crate) max_body_size: u64,
    /// Whether requests decode strictly by default (see [`ClientBuilder::strict`]).
    pub(crate) strict: bool,
    pub(crate) tokens: TokenCache,
    /// The one rate budget every request of this client takes a slot from.
    pub(crate) budget: Arc<crate::budget::Budget>,
}

impl ClientCore {
    /// The base URL requests are joined to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The client's rate budget, shared by all its requests (and its clones').
    pub fn budget(&self) -> &crate::budget::Budget {
        &self.inner.budget
    }

    /// The secret values given to this client, for redaction.
    pub fn secrets(&self) -> &[Secret] {
        &self.inner.secrets
    }

    /// The retry policy of a request: the endpoint's own, else the client's, with its waits
    /// capped by [`ClientBuilder::max_retry_delay`].
    pub fn retry_policy<'a>(&'a self, endpoint: Option<&'a RetryPolicy>) -> Cow<'a, RetryPolicy> {
        let policy = endpoint.unwrap_or(&self.inner.retry);
        match self.inner.max_retry_delay {
            Some(cap) if cap < policy.max_delay => Cow::Owned(RetryPolicy {
                max_delay: cap,
                ..policy.clone()
            }),
            _ => Cow::Borrowed(policy),
        }
    }

    /// How a request is attempted: the endpoint's retry policy (see
    /// [`ClientCore::retry_policy`]), the client's jitter and body cap.
    pub fn retry<'a>(&'a self, endpoint: Option<&'a RetryPolicy>) -> Retry<'a> {
        Retry {
            policy: self.retry_policy(endpoint),
            jitter: &self.inner.jitter,
            max_body_size: self.inner.max_body_size,
            budget: &self.inner.budget,
            transport: &self.inner.transport,
            hooks: None,
        }
    }

    /// The custom auth the builder was given for `name`.
    pub(crate) fn custom_auth(&self, name: &str) -> Result<Arc<dyn Auth>, Error> {
        self.inner
            .custom_auth
            .get(name)
            .cloned()
            .ok_or_else(|| Error::MissingCustom {
                kind: "auth",
                name: name.to_string(),
            })
    }

    /// A fresh run of the custom paginator the builder was given for `name`.
    pub(crate) fn custom_paginator(
        &self,
        name: &str,
    ) -> Result<Box<dyn crate::custom::Paginator>, Error> {
        match self.inner.custom_paginators.get(name) {
            Some(factory) => Ok(factory()),
            None => Err(Error::MissingCustom {
                kind: "paginator",
                name: name.to_string(),
            }),
        }
    }

    /// Hands a token to the caller's [`ClientBuilder::on_token_rotation`] callback.
    pub(crate) fn rotated(&self, rotation: TokenRotation) {
        if let Some(sink) = &self.inner.token_sink {
            sink(&rotation);
        }
    }

    /// The value of the setting (or secret) `name`, when the client was given one: what a
    /// template's `config['name']` reads.
    pub fn setting(&self, name: &str) -> Option<String> {
        self.inner.values.get(name).map(|v| v.expose().to_string())
    }

    /// The client's secrets and settings as placeholder values (`{secrets.<name>}`,
    /// `{config.<name>}`), for parameters, headers and bodies that send them.
    pub fn placeholder_values(&self) -> Vec<(String, serde_json::Value)> {
        self.inner
            .spec
            .values
            .iter()
            .filter_map(|v| {
                let value = self.inner.values.get(v.name.as_ref())?;
                let space = if v.secret { "secrets" } else { "config" };
                Some((
                    format!("{space}.{}", v.name),
                    serde_json::Value::String(value.expose().to_string()),
                ))
            })
            .collect()
    }

    /// The URL of a request for `path`: joined to the base URL, or the absolute URL it is,
    /// moved to the base URL's origin when the builder says so.
    pub fn request_url(&self, path: &str) -> String {
        let joined = join_url(self.base_url(), path);
        if !self.inner.absolute_paths_to_base_url || joined.starts_with(self.base_url()) {
            return joined;
        }
        match (url::Url::parse(&joined), url::Url::parse(self.base_url())) {
            (Ok(mut url), Ok(base)) => {
                let _ = url.set_scheme(base.scheme());
                let _ = url.set_host(base.host_str());
                let _ = url.set_port(base.port());
                url.to_string()
            }
            _ => joined,
        }
    }

    /// The OAuth2 token URL: the override the builder was given, else the spec's.
    pub(crate) fn token_url(&self, spec: &ValueRef) -> Result<Secret, Error> {
        match &self.inner.token_url {
            Some(url) => Ok(Secret::new(url.clone())),
            None => self.resolve(spec),
        }
    }

    /// The value a reference points at.
    pub(crate) fn resolve(&self, value: &ValueRef) -> Result<Secret, Error> {
        match value {
            ValueRef::Literal(text) => Ok(Secret::new(text.to_string())),
            ValueRef::Secret(name) | ValueRef::Config(name) => self
                .inner
                .values
                .get(name.as_ref())
                .cloned()
                .ok_or_else(|| Error::MissingSecret {
                    name: name.to_string(),
                    env_var: self.inner.spec.env_var(name),
                }),
        }
    }
}

/// dlt's `join_url`: `base.rstrip("/") + "/" + path.lstrip("/")`; an absolute path wins.
pub fn join_url(base: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        return path.to_string();
    }
    if base.is_empty() {
        return path.to_string();
    }
    if path.is_empty() {
        return base.to_string();
    }
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}
