//! The declarative description of a resource: what generated code emits as `const` literals
//! and what `cargo xtask run` builds at run time from a spec. One set of types serves both, so
//! generated clients and spec-driven runs execute the very same description.
//!
//! Every string and list is a `Cow<'static, _>`: generated code uses the borrowed form in
//! `const` items, the spec interpreter the owned form.

use std::borrow::Cow;
use std::time::Duration;

pub use crate::client::{ClientSpec, ValueSpec};
pub use crate::expr::{self, Expr};
pub use crate::fanout::{FanOutDescriptor, ParentBinding, PartitionValues};
pub use crate::incremental::windows::WindowConfig;
pub use crate::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing, RowOrder};
pub use crate::rules::{Backoff, RuleAction};
pub use crate::selector::{Selector, Step};
pub use crate::steps::{AddField, FieldValue, ProcessingStep, RecordEdit, Rename};

mod paginator;
pub use paginator::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PageSize, PaginatorConfig,
    PaginatorProblem,
};

/// A string that is `'static` in generated code and owned when built from a spec at run time.
pub type Text = Cow<'static, str>;
/// A list that is a `'static` slice in generated code and a `Vec` when built at run time.
pub type List<T> = Cow<'static, [T]>;

/// HTTP method of an endpoint; dlt allows only these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`, the default.
    Get,
    /// `POST`, usually with a JSON body.
    Post,
}

impl Method {
    /// The method as `reqwest` wants it.
    pub fn as_http(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        }
    }
}

/// Everything the runtime needs to page through one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDescriptor {
    /// The resource name from the spec, used in errors and traces.
    pub name: Text,
    /// HTTP method.
    pub method: Method,
    /// Path relative to the base URL (or an absolute URL); `{name}` marks a path argument.
    pub path: Text,
    /// Static query parameters in wire form and spec order. A value may hold `{name}`
    /// placeholders that are bound from the call's arguments; a repeated key is a list.
    pub params: List<Param>,
    /// Static per-endpoint headers, sent after the client's.
    pub headers: List<Param>,
    /// The JSON request body as JSON text, if any.
    pub json_body: Option<Text>,
    /// How pages follow each other.
    pub paginator: PaginatorConfig,
    /// Where the records are in a page; `None` detects it from the first page, as dlt does.
    pub data_selector: Option<Selector>,
    /// Which credentials the endpoint sends.
    pub auth: AuthChoice,
    /// The endpoint's retry policy; `None` means the client's default (dlt's defaults).
    pub retry: Option<RetryPolicy>,
    /// `response_actions`: responses ignored (the request sequence ends without records),
    /// retried, or failed, by status, body text or predicate.
    pub response_actions: List<ResponseAction>,
    /// `processing_steps`: filters and maps over the records, in order, before the
    /// incremental filter.
    pub processing_steps: List<crate::steps::ProcessingStep>,
    /// Incremental loading, when the endpoint has an `incremental` block.
    pub incremental: Option<crate::incremental::IncrementalConfig>,
    /// Values computed when a request run starts (`{expr: "now_utc().strftime('%Y')"}` in a
    /// parameter, header, path or body): the `N`th fills the placeholder `{expr.N}`.
    pub computed: List<Computed>,
}

/// A template a request sends, computed once when its run starts
/// ([`crate::expr::request`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    /// The template as the spec writes it, for errors.
    pub text: Text,
    /// The compiled template.
    pub expr: Expr,
}

impl ResourceDescriptor {
    /// A `GET` of the base URL, one page, records at the detected selector, the client's
    /// auth and retry policy: generated descriptors write only what differs
    /// (`..ResourceDescriptor::DEFAULT`).
    pub const DEFAULT: ResourceDescriptor = ResourceDescriptor {
        name: Cow::Borrowed(""),
        method: Method::Get,
        path: Cow::Borrowed(""),
        params: Cow::Borrowed(&[]),
        headers: Cow::Borrowed(&[]),
        json_body: None,
        paginator: PaginatorConfig::Auto,
        data_selector: None,
        auth: AuthChoice::Client,
        retry: None,
        response_actions: Cow::Borrowed(&[]),
        processing_steps: Cow::Borrowed(&[]),
        incremental: None,
        computed: Cow::Borrowed(&[]),
    };
}

impl ResourceDescriptor {
    /// The names of the settings the resource reads when a run starts: its expressions'
    /// (`config['name']`: its paginator's templates, its processing steps and its response
    /// rules' predicates) and its incremental bounds'.
    pub fn settings(&self) -> Vec<&str> {
        let mut names = self.paginator.settings();
        names.extend(self.incremental.iter().flat_map(|i| i.settings()));
        names.extend(self.processing_steps.iter().flat_map(|s| s.settings()));
        names.extend(
            self.response_actions
                .iter()
                .flat_map(|a| a.predicate.iter().flat_map(Expr::settings)),
        );
        names.extend(self.computed.iter().flat_map(|c| c.expr.settings()));
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// A `response_actions` entry: which responses it matches (status, body text, a predicate
/// over the body; every condition that is set must hold) and what is done with them. The
/// first entry that matches a response decides (see [`crate::rules`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseAction {
    /// Matches this status code, when set.
    pub status_code: Option<u16>,
    /// Matches a body containing this text, when set.
    pub content: Option<Text>,
    /// Matches when this expression over `response` (the JSON body) and `headers` is truthy.
    pub predicate: Option<Expr>,
    /// What happens to a matching response.
    pub action: crate::rules::RuleAction,
    /// How long to wait before the next attempt (`retry`, `rate_limited`); the retry
    /// policy's backoff when `None`.
    pub backoff: Option<crate::rules::Backoff>,
    /// The error's message when the action is `fail`.
    pub message: Option<Text>,
}

impl ResponseAction {
    /// dlt's `{status_code: 404, action: ignore}` without the status: generated literals
    /// write only what differs.
    pub const DEFAULT: ResponseAction = ResponseAction {
        status_code: None,
        content: None,
        predicate: None,
        action: crate::rules::RuleAction::Ignore,
        backoff: None,
        message: None,
    };
}

/// One `name=value` pair of a query string or a header.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The key.
    pub name: Text,
    /// The value in wire form; may contain `{name}` placeholders.
    pub value: Text,
}

/// Where a paginator writes a value into the next request.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A query parameter of that name.
    Query(Text),
    /// A dot-separated path in the JSON body; intermediate objects are created.
    Body(List<Text>),
}

/// Where a credential's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueRef {
    /// A literal from the spec (never a secret).
    Literal(Text),
    /// A secret the client is given by name (`dlt.secrets["name"]`).
    Secret(Text),
    /// A non-secret setting given by name (`dlt.config["name"]`).
    Config(Text),
}

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// The credentials an endpoint sends, as the spec names them.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthConfig {
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// The token.
        token: ValueRef,
    },
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Header, parameter or cookie name.
        name: Text,
        /// The key.
        api_key: ValueRef,
        /// Where it goes.
        location: ApiKeyLocation,
        /// Text sent before the key (seed dialect), e.g. `GenieKey `.
        prefix: Text,
    },
    /// `Authorization: Basic base64(user:password)`.
    HttpBasic {
        /// User name.
        username: ValueRef,
        /// Password; empty when the spec leaves it out.
        password: ValueRef,
    },
    /// OAuth2 client credentials: a token fetched and cached, then sent as bearer.
    OAuth2ClientCredentials {
        /// The token endpoint.
        access_token_url: ValueRef,
        /// Client id.
        client_id: ValueRef,
        /// Client secret.
        client_secret: ValueRef,
        /// Extra form fields of the token request.
        access_token_request_data: List<Param>,
        /// Lifetime assumed when the token response has no `expires_in`.
        default_token_expiration_secs: u64,
    },
    /// OAuth2 with a refresh token (the `refresh_token` grant, as Airbyte's `OAuthAuthenticator`
    /// and most SaaS APIs use it): an access token is fetched with the long-lived refresh
    /// token, cached, refreshed before it expires, and sent as bearer. A refresh token the
    /// endpoint rotates (returns a new one) is used for the next refresh.
    OAuth2RefreshToken {
        /// The token endpoint.
        token_url: ValueRef,
        /// Client id.
        client_id: ValueRef,
        /// Client secret.
        client_secret: ValueRef,
        /// The refresh token.
        refresh_token: ValueRef,
        /// Extra form fields of the token request (e.g. `scope`).
        token_request_data: List<Param>,
        /// Lifetime assumed when the token response has no `expires_in`.
        default_token_expiration_secs: u64,
    },
    /// A session token (Airbyte's `SessionTokenAuthenticator`): the client logs in once by
    /// posting `{"username": .., "password": ..}` as JSON to `login_url`, reads the token at
    /// `token_path` of the answer and sends it in the header `header`. A `session_token`
    /// given to the client is used instead of logging in.
    SessionToken {
        /// The login endpoint: a path joined to the base URL, or an absolute URL.
        login_url: Text,
        /// User name.
        username: ValueRef,
        /// Password.
        password: ValueRef,
        /// Where the token is in the login answer.
        token_path: crate::selector::Selector,
        /// The header the token is sent in.
        header: Text,
        /// A token to use instead of logging in, when the client is given one.
        session_token: Option<ValueRef>,
    },
    /// Rust code the client's builder is given (`type: custom`, see [`crate::custom::Auth`]).
    Custom {
        /// The name the spec gives it; the builder's setter takes the code for it.
        name: Text,
    },
}

impl AuthConfig {
    /// The kind of auth, without any of its values (for Debug output).
    pub fn kind(&self) -> &'static str {
        match self {
            AuthConfig::Bearer { .. } => "bearer",
            AuthConfig::ApiKey { .. } => "api_key",
            AuthConfig::HttpBasic { .. } => "http_basic",
            AuthConfig::OAuth2ClientCredentials { .. } => "oauth2_client_credentials",
            AuthConfig::OAuth2RefreshToken { .. } => "oauth2_refresh_token",
            AuthConfig::SessionToken { .. } => "session_token",
            AuthConfig::Custom { .. } => "custom",
        }
    }

    /// Whether a fresh credential can be fetched when the API refuses the current one (an
    /// OAuth2 token or a session login).
    pub fn is_refreshable(&self) -> bool {
        matches!(
            self,
            AuthConfig::OAuth2ClientCredentials { .. }
                | AuthConfig::OAuth2RefreshToken { .. }
                | AuthConfig::SessionToken { .. }
                | AuthConfig::Custom { .. }
        )
    }
}

/// Which credentials an endpoint uses.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthChoice {
    /// The client's auth (`client.auth`), if any.
    Client,
    /// No auth at all (`endpoint.auth: null`).
    None,
    /// The endpoint's own auth.
    Endpoint(AuthConfig),
}

/// A retry policy: how often and how long to wait between attempts of one request.
///
/// The transient statuses (429 and every 5xx, as dlt and Airbyte retry them), connection
/// errors and timeouts are always retried; `retry_statuses` adds to them and `fail_statuses`
/// takes out, so a spec that lists only 429 still survives a 503.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Total attempts, the first included (dlt counts attempts; `max_retries + 1`).
    pub max_attempts: u32,
    /// Status codes retried besides the transient ones (`error_handler.retry_on_status_codes`).
    pub retry_statuses: List<u16>,
    /// Status codes that fail at once, even transient ones
    /// (`error_handler.fail_on_status_codes`).
    pub fail_statuses: List<u16>,
    /// Exponential backoff: wait up to `backoff_factor * 2^(n-1)` seconds before retry `n`
    /// (the client's [`crate::retry::Jitter`] picks the wait in that range).
    pub backoff_factor: f64,
    /// Upper bound of any single wait, backoff or asked for by the server. [`Duration::MAX`]
    /// stands for no bound (a `Duration` cannot be infinite, and any wait a timer takes is
    /// below it), so the field needs no `Option` and no NaN or negative value can reach it.
    pub max_delay: Duration,
    /// A response header giving the wait in seconds (besides `Retry-After`).
    pub wait_header: Option<Text>,
}

/// The statuses every policy retries unless it fails them explicitly: 429 and the 5xx codes
/// in use (any other 5xx is retried too).
pub const DEFAULT_RETRY_STATUSES: &[u16] = &[
    429, 500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 520, 521, 522, 523, 524, 525,
    526, 527, 529, 530, 598, 599,
];

impl RetryPolicy {
    /// dlt's defaults: 5 attempts, 429 and 5xx, waits of up to 1, 2, 4 and 8 s, capped at 300 s.
    pub const DLT_DEFAULT: RetryPolicy = RetryPolicy {
        max_attempts: 5,
        retry_statuses: Cow::Borrowed(&[]),
        fail_statuses: Cow::Borrowed(&[]),
        backoff_factor: 1.0,
        max_delay: Duration::from_secs(300),
        wait_header: None,
    };

    /// The same as [`RetryPolicy::DLT_DEFAULT`], by the name every descriptor type uses.
    pub const DEFAULT: RetryPolicy = RetryPolicy::DLT_DEFAULT;

    /// Whether a response status is retried under this policy: a transient status (429, 5xx)
    /// or a listed one, unless the policy fails it explicitly.
    pub fn retries_status(&self, status: u16) -> bool {
        if self.fail_statuses.contains(&status) {
            return false;
        }
        status == 429 || (500..600).contains(&status) || self.retry_statuses.contains(&status)
    }

    /// The exponential wait before retry number `retry` (1-based), in seconds, before jitter.
    pub fn backoff_secs(&self, retry: u32) -> f64 {
        let exponent = retry.saturating_sub(1).min(62) as i32;
        // max/min rather than clamp: clamp panics on a NaN or negative bound
        (self.backoff_factor * 2f64.powi(exponent))
            .min(self.max_delay.as_secs_f64())
            .max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_action_matching() {
        let status = ResponseAction {
            status_code: Some(404),
            ..ResponseAction::DEFAULT
        };
        assert!(status.matches(404, b""));
        assert!(!status.matches(200, b""));
        let content = ResponseAction {
            content: Some(Cow::Borrowed("Post body 0")),
            ..ResponseAction::DEFAULT
        };
        assert!(content.matches(200, b"{\"body\": \"Post body 0\"}"));
        assert!(!content.matches(200, b"{}"));
        let both = ResponseAction {
            status_code: Some(422),
            content: Some(Cow::Borrowed("locked")),
            ..ResponseAction::DEFAULT
        };
        assert!(both.matches(422, b"record locked"));
        assert!(!both.matches(422, b"other"));
        assert!(!both.matches(500, b"record locked"));
    }

    #[test]
    fn paginator_problems_are_found_once_for_generator_and_runtime() {
        let unbounded = OffsetConfig {
            limit: 10,
            total_path: None,
            stop_after_empty_page: false,
            stop_on_short_page: false,
            ..OffsetConfig::DEFAULT
        };
        assert_eq!(
            PaginatorConfig::Offset(unbounded.clone()).problem(),
            Some(PaginatorProblem::Unbounded {
                maximum: "maximum_offset"
            })
        );
        let bounded = OffsetConfig {
            maximum_offset: Some(100),
            ..unbounded
        };
        assert_eq!(PaginatorConfig::Offset(bounded).problem(), None);
        let zero = OffsetConfig {
            limit: 0,
            ..OffsetConfig::DEFAULT
        };
        assert_eq!(
            PaginatorConfig::Offset(zero).problem(),
            Some(PaginatorProblem::ZeroLimit)
        );
        let pages = PageNumberConfig {
            total_path: None,
            stop_after_empty_page: false,
            ..PageNumberConfig::DEFAULT
        };
        assert_eq!(
            PaginatorConfig::PageNumber(pages).problem(),
            Some(PaginatorProblem::Unbounded {
                maximum: "maximum_page"
            })
        );
        assert_eq!(
            PaginatorConfig::PageNumber(PageNumberConfig::DEFAULT).problem(),
            None
        );
    }

    #[test]
    fn backoff_never_panics_on_odd_bounds() {
        let policy = RetryPolicy {
            backoff_factor: f64::NAN,
            max_delay: Duration::MAX,
            ..RetryPolicy::DLT_DEFAULT
        };
        assert!(policy.backoff_secs(3) >= 0.0);
    }

    #[test]
    fn listed_statuses_add_to_the_transient_ones() {
        let only_429 = RetryPolicy {
            retry_statuses: Cow::Borrowed(&[429]),
            ..RetryPolicy::DLT_DEFAULT
        };
        assert!(only_429.retries_status(503), "a 503 stays transient");
        assert!(only_429.retries_status(500));
        assert!(!only_429.retries_status(404));
        let with_408 = RetryPolicy {
            retry_statuses: Cow::Borrowed(&[408, 409]),
            ..RetryPolicy::DLT_DEFAULT
        };
        assert!(with_408.retries_status(408) && with_408.retries_status(409));
        assert!(
            !RetryPolicy::DLT_DEFAULT.retries_status(408),
            "dlt does not retry 408"
        );
    }

    #[test]
    fn failed_statuses_are_never_retried() {
        let policy = RetryPolicy {
            retry_statuses: Cow::Borrowed(&[429]),
            fail_statuses: Cow::Borrowed(&[503, 429]),
            ..RetryPolicy::DLT_DEFAULT
        };
        assert!(!policy.retries_status(503));
        assert!(!policy.retries_status(429), "fail wins over retry");
        assert!(policy.retries_status(502));
    }
}
