//! What every generated crate's clients share, written once: the `client!` macro declares a
//! generated crate's async and blocking `Client`, the `ClientBuilder` both build from, the
//! builder options that are the same for every API (with their docs), and the blocking
//! client's resource methods. What differs per API stays in the generated code: one setter
//! per secret or setting, the base URL's default, custom code setters, and the async resource
//! methods with their docs.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

use super::ClientCore;
use crate::descriptor::ResourceDescriptor;
use crate::driver::ResourceRequest;

impl ClientCore {
    /// A request of the resource `descriptor` on this client, as a generated resource method
    /// starts one.
    pub fn resource<T: DeserializeOwned + Send + 'static>(
        &self,
        descriptor: &'static ResourceDescriptor,
    ) -> ResourceRequest<T> {
        ResourceRequest::new(self.clone(), Cow::Borrowed(descriptor))
    }
}

/// Declares a generated crate's clients; a generated crate invokes it twice.
///
/// - `client!(async "esign", descriptors::CLIENT, "auth" "sso", ..)`, in `client.rs`: the
///   async `Client`, `Client::builder()`, `Client::from_env()`, and
///   `ClientBuilder<C = Client>` with every option that is the same for every API, `from_env`
///   and the async `build`, which names the crate in the `User-Agent` and requires the code
///   of each custom auth or paginator listed (kind and name). The invoking module adds the
///   API's own setters in an `impl<C> ClientBuilder<C>`, through the private `with_inner`.
/// - `client!(blocking "esign" { resource(arg) -> Record, .. } { fan_out_all -> Record, .. })`,
///   in `blocking.rs`: the blocking `Client`, its builder (`crate::ClientBuilder<Client>`,
///   so the API's setters are written once), and one method per async resource and fan-out
///   method, each running the async one on the client's private runtime.
// `crate::` is meant: it names the generated crate the macro is invoked in
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! client {
    (async $api:literal, $spec:path $(, $kind:literal $custom:literal)* $(,)?) => {
        #[doc = concat!(
            "Async client for the `", $api, "` API. Cheap to clone: clones share one connection pool."
        )]
        #[derive(Debug, Clone)]
        pub struct Client {
            pub(crate) core: $crate::ClientCore,
        }

        #[doc = concat!(
            "Builds a [`Client`] for the `", $api, "` API (as `blocking::ClientBuilder`, a ",
            "blocking client)."
        )]
        pub struct ClientBuilder<C = Client> {
            inner: $crate::ClientBuilder,
            client: ::std::marker::PhantomData<fn() -> C>,
        }

        impl<C> ::std::fmt::Debug for ClientBuilder<C> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("ClientBuilder").field("inner", &self.inner).finish()
            }
        }

        impl<C> ::std::clone::Clone for ClientBuilder<C> {
            fn clone(&self) -> Self {
                ClientBuilder { inner: self.inner.clone(), client: ::std::marker::PhantomData }
            }
        }

        impl<C> ::std::default::Default for ClientBuilder<C> {
            fn default() -> Self {
                ClientBuilder { inner: ::std::default::Default::default(), client: ::std::marker::PhantomData }
            }
        }

        impl<C> ClientBuilder<C> {
            /// Applies `f` to the runtime builder inside (the API's own setters use it).
            fn with_inner(self, f: impl FnOnce($crate::ClientBuilder) -> $crate::ClientBuilder) -> Self {
                ClientBuilder { inner: f(self.inner), client: ::std::marker::PhantomData }
            }

            /// The read timeout of each request (default 60 s).
            pub fn timeout(self, timeout: ::std::time::Duration) -> Self {
                self.with_inner(|b| b.timeout(timeout))
            }

            /// The connect timeout (default 60 s).
            pub fn connect_timeout(self, timeout: ::std::time::Duration) -> Self {
                self.with_inner(|b| b.connect_timeout(timeout))
            }

            /// The retry policy of resources whose spec sets none (default: dlt's, 5 attempts on
            /// 429 and 5xx, waiting up to 1, 2, 4 and 8 s).
            pub fn retry_policy(self, policy: $crate::descriptor::RetryPolicy) -> Self {
                self.with_inner(|b| b.retry_policy(policy))
            }

            /// Caps every wait between attempts, whatever the spec's retry policy or a
            /// `Retry-After` asks for (default 300 s, dlt's `request_max_retry_delay`).
            pub fn max_retry_delay(self, delay: ::std::time::Duration) -> Self {
                self.with_inner(|b| b.max_retry_delay(delay))
            }

            /// How exponential backoff waits are jittered (default: full jitter, each wait
            /// uniform between 0 and the backoff; `Jitter::None` waits exactly dlt's 1, 2, 4 s).
            pub fn jitter(self, jitter: $crate::retry::Jitter) -> Self {
                self.with_inner(|b| b.jitter(jitter))
            }

            /// The largest response body accepted, in bytes after decompression (default
            /// 64 MiB); a larger one fails its page with `Error::BodyTooLarge`, not retried.
            pub fn max_body_size(self, bytes: u64) -> Self {
                self.with_inner(|b| b.max_body_size(bytes))
            }

            /// Decodes every request's records strictly: a value not of the schema's type, or a
            /// missing required field, fails the page with `Error::Decode` instead of being
            /// coerced or kept raw on the record (see `docs/models.md`).
            pub fn strict(self) -> Self {
                self.with_inner(|b| b.strict())
            }

            /// Sends at most `n` requests per `period` (a moving window), counting every
            /// request of the client: pages fetched ahead, fan-out children, retries, token
            /// calls. A 429, or `X-RateLimit-Remaining: 0` with its reset, pauses them all.
            pub fn rate_limit(self, n: u32, period: ::std::time::Duration) -> Self {
                self.with_inner(|b| b.rate_limit(n, period))
            }

            /// The clock the spec's date functions (`now_utc()`, `day_delta()`) read when a
            /// request starts; the system clock by default. Fix it in tests and replays.
            pub fn clock(
                self,
                clock: impl Fn() -> $crate::chrono::DateTime<$crate::chrono::Utc> + Send + Sync + 'static,
            ) -> Self {
                self.with_inner(|b| b.clock(clock))
            }

            /// Adds one rate to the client's budget, a fixed or a moving window
            /// (`restgen_runtime::budget::Rate`); [`Self::rate_limit`] adds a moving one.
            pub fn rate(self, rate: $crate::budget::Rate) -> Self {
                self.with_inner(|b| b.rate(rate))
            }

            /// Sends the requests of endpoints whose path is an absolute URL (another host) to
            /// the base URL's scheme, host and port, keeping their path, so that every request
            /// reaches a local mock or a recording proxy (off by default).
            pub fn absolute_paths_to_base_url(self, yes: bool) -> Self {
                self.with_inner(|b| b.absolute_paths_to_base_url(yes))
            }

            /// Sends requests through your own HTTP client: a `reqwest::Client` or a
            /// `reqwest_middleware::ClientWithMiddleware`, built with
            /// `.redirect(reqwest::redirect::Policy::none())` (restgen follows redirects
            /// itself, keeping credentials on the API's origin; `build()` refuses one that
            /// follows them).
            pub fn http_client(self, client: impl ::std::convert::Into<$crate::HttpClient>) -> Self {
                self.with_inner(|b| b.http_client(client))
            }

            /// Adds a hook run before each request and after each response
            /// (`restgen_runtime::hooks::Hook`).
            pub fn hook(self, hook: impl $crate::hooks::Hook) -> Self {
                self.with_inner(|b| b.hook(hook))
            }

            /// The `User-Agent` of every request (default `restgen/<version> <crate>/<version>`).
            pub fn user_agent(self, agent: impl ::std::convert::Into<::std::string::String>) -> Self {
                self.with_inner(|b| b.user_agent(agent))
            }

            /// Sends no `User-Agent` of restgen's: a client given to
            /// [`Self::http_client`] sends its own default one, if it has one.
            pub fn no_user_agent(self) -> Self {
                self.with_inner(|b| b.no_user_agent())
            }

            /// Called with every token to persist: a refresh token the token endpoint rotated, a
            /// session token a login returned.
            pub fn on_token_rotation(
                self,
                sink: impl Fn(&$crate::custom::TokenRotation) + Send + Sync + 'static,
            ) -> Self {
                self.with_inner(|b| b.on_token_rotation(sink))
            }

            /// Fills every secret and setting not set yet from `SOURCES__<API>__<NAME>`.
            pub fn from_env(self) -> Self {
                self.with_inner(|b| b.from_env(&$spec))
            }

            /// The runtime's client core, built from the options and the spec (both clients'
            /// `build` call it): this crate named in the `User-Agent`, the spec's custom code
            /// required.
            pub(crate) fn build_core(self) -> ::std::result::Result<$crate::ClientCore, $crate::Error> {
                self.inner
                    .product(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                    $(.expect_custom($kind, $custom))*
                    .build(&$spec)
            }
        }

        impl ClientBuilder<Client> {
            /// Checks that the required secrets are set and builds the client.
            pub fn build(self) -> ::std::result::Result<Client, $crate::Error> {
                self.build_core().map(|core| Client { core })
            }
        }

        impl Client {
            /// A builder: set the secrets, optionally the base URL and timeouts, then `build()`.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::default()
            }

            /// A client whose secrets all come from the environment (`SOURCES__<API>__<NAME>`).
            pub fn from_env() -> ::std::result::Result<Self, $crate::Error> {
                Self::builder().from_env().build()
            }
        }
    };
    (blocking $api:literal
        { $($method:ident($($arg:ident),*) -> $record:ty),* $(,)? }
        { $($fan_out:ident -> $child:ty),* $(,)? }
    ) => {
        #[doc = concat!(
            "Blocking client for the `", $api, "` API: the async client driven by a private ",
            "runtime. Do not use it inside an async runtime."
        )]
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: crate::Client,
            runtime: $crate::blocking::BlockingRuntime,
        }

        #[doc = concat!("Builds a blocking [`Client`] for the `", $api, "` API.")]
        pub type ClientBuilder = crate::ClientBuilder<Client>;

        impl crate::ClientBuilder<Client> {
            /// Checks that the required secrets are set and builds the client.
            pub fn build(self) -> ::std::result::Result<Client, $crate::Error> {
                let core = self.build_core()?;
                Ok(Client {
                    inner: crate::Client { core },
                    runtime: $crate::blocking::BlockingRuntime::new()?,
                })
            }
        }

        impl Client {
            /// A builder: set the secrets, optionally the base URL and timeouts, then `build()`.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::default()
            }

            /// A client whose secrets all come from the environment (`SOURCES__<API>__<NAME>`).
            pub fn from_env() -> ::std::result::Result<Self, $crate::Error> {
                Self::builder().from_env().build()
            }

            $(
                #[doc = concat!(
                    "[`crate::Client::", stringify!($method), "`], blocking: the same request, ",
                    "whose records `.iter()` yields."
                )]
                pub fn $method(&self $(, $arg: impl ::std::string::ToString)*)
                    -> $crate::blocking::BlockingRequest<$record>
                {
                    self.runtime.request(self.inner.$method($($arg),*))
                }
            )*

            $(
                #[doc = concat!(
                    "[`crate::Client::", stringify!($fan_out), "`], blocking."
                )]
                pub fn $fan_out(&self) -> $crate::fanout::BlockingFanOut<$child> {
                    self.runtime.fan_out(self.inner.$fan_out())
                }
            )*
        }
    };
}

/// Declares a generated crate's modules, re-exports and prelude, in its `lib.rs`:
/// `crate_root!()`, or `crate_root!(params)` when the crate has typed parameter setters to
/// put in the prelude. The module files hold `//!` docs of their own; rustfmt leaves them
/// alone (they are prettyplease's), as it does every module declared inside a macro.
// `crate::` is meant: it names the generated crate the macro is invoked in
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! crate_root {
    () => {
        $crate::crate_root!(@modules);
        /// What a user of this crate needs besides the clients, to glob-import:
        /// `use <crate>::prelude::*` brings the runtime's prelude (incremental loading,
        /// resume points, fan-out and blocking request types, decode reports,
        /// `TryStreamExt`) into scope.
        pub mod prelude {
            pub use $crate::prelude::*;
        }
    };
    (params) => {
        $crate::crate_root!(@modules);
        /// What a user of this crate needs besides the clients, to glob-import:
        /// `use <crate>::prelude::*` brings the typed parameter setters and the runtime's
        /// prelude (incremental loading, resume points, fan-out and blocking request types,
        /// decode reports, `TryStreamExt`) into scope.
        pub mod prelude {
            pub use crate::params::*;
            pub use $crate::prelude::*;
        }
    };
    (@modules) => {
        pub mod blocking;
        mod client;
        pub mod descriptors;
        pub mod params;
        pub mod types;
        pub use client::{Client, ClientBuilder};
        pub use $crate::{Error, Page, ResourceRequest, ResumePoint, futures};
    };
}
