//! The builder settings that fit a client into a Rust service: the caller's own HTTP client,
//! hooks, the `User-Agent`, Rust code for a spec's custom auth and paginators, and the
//! callback that receives rotated tokens.

use std::sync::Arc;

use super::ClientBuilder;
use crate::custom::{Auth, TokenRotation};
use crate::hooks::Hook;
use crate::transport::HttpClient;

impl ClientBuilder {
    /// Names the generated crate in the default `User-Agent`: `restgen/0.1.0 esign/0.1.0`.
    /// Generated builders call it with their crate's name and version.
    /// A `User-Agent` set with [`ClientBuilder::user_agent`] wins, whatever the order.
    pub fn product(mut self, name: &str, version: &str) -> Self {
        self.product = Some(format!("{name}/{version}"));
        self
    }

    /// The `User-Agent` of every request, instead of restgen's (`restgen/0.1.0 <crate>/<v>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Sends no `User-Agent` of the runtime's: a client given to
    /// [`ClientBuilder::http_client`] sends its own default one, if it has one.
    pub fn no_user_agent(mut self) -> Self {
        self.no_user_agent = true;
        self
    }

    /// Sends requests through the caller's own HTTP client: a `reqwest::Client` (its proxy,
    /// TLS roots, connection pool) or a `reqwest_middleware::ClientWithMiddleware` (its
    /// tracing and metrics stack). The runtime's guarantees hold on top of it: credentials
    /// and secret-bearing headers go to the API's origin only, redirects are followed by the
    /// runtime hop by hop, retries and the body cap apply. The client must not follow
    /// redirects itself (build it with `.redirect(reqwest::redirect::Policy::none())`);
    /// `build()` refuses one that does. The builder's timeout is set on each request; the
    /// connect timeout is the client's own.
    pub fn http_client(mut self, client: impl Into<HttpClient>) -> Self {
        self.http_client = Some(client.into());
        self
    }

    /// Adds a hook run around every page request (see [`crate::hooks`]); hooks run in the
    /// order added.
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// The Rust code of the spec's custom auth `name` (`auth: {type: custom, name: ..}`).
    pub fn custom_auth(mut self, name: &str, auth: impl Auth) -> Self {
        self.custom_auth.insert(name.to_string(), Arc::new(auth));
        self
    }

    /// The Rust code of the spec's custom paginator `name` (`paginator: {type: custom, name:
    /// ..}`); each run pages with its own clone of `paginator`.
    pub fn custom_paginator<P>(mut self, name: &str, paginator: P) -> Self
    where
        P: crate::custom::Paginator + Clone,
    {
        self.custom_paginators
            .insert(name.to_string(), crate::custom::factory(paginator));
        self
    }

    /// Makes `build()` fail with [`Error::MissingCustom`](crate::Error::MissingCustom) unless the code of the spec's custom
    /// `kind` (`"auth"` or `"paginator"`) `name` was given. Generated builders call it for
    /// every custom auth and paginator their spec names.
    pub fn expect_custom(mut self, kind: &'static str, name: &str) -> Self {
        self.expected.push((kind, name.to_string()));
        self
    }

    /// Called with every token the client obtains that the caller should persist: a refresh
    /// token the OAuth2 token endpoint rotated (the old one may be dead after this), a session
    /// token a login returned. The token is a [`Secret`](crate::Secret): its `Debug` shows no value.
    pub fn on_token_rotation(
        mut self,
        sink: impl Fn(&TokenRotation) + Send + Sync + 'static,
    ) -> Self {
        self.token_sink = Some(Arc::new(sink));
        self
    }
}
