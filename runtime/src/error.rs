//! The one error type of generated clients. Every variant that comes from a response names the
//! resource, the page number and the URL, with secrets redacted.

use crate::paginate::PaginationError;
use crate::resume::ResumePoint;
use crate::selector::TooDeep;

/// Where in a paginated run something went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The resource name from the spec.
    pub resource: String,
    /// The page number, counting from 1.
    pub page: usize,
    /// The request URL, with secrets and sensitive query values redacted.
    pub url: String,
    /// Where a new run can pick up after this failure (see [`Error::resume_point`]); set by
    /// the driver on the error that ends a run.
    pub resume: Option<Box<ResumePoint>>,
}

impl Location {
    /// A location without a resume point.
    pub fn new(resource: impl Into<String>, page: usize, url: impl Into<String>) -> Self {
        Location {
            resource: resource.into(),
            page,
            url: url.into(),
            resume: None,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "resource `{}`, page {}, {}",
            self.resource, self.page, self.url
        )
    }
}

/// Everything that can go wrong in a generated client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a status that is neither success nor retried.
    #[error("HTTP {status} ({at}): {body_snippet}")]
    Status {
        /// Where.
        at: Location,
        /// The status code.
        status: u16,
        /// The start of the response body, redacted.
        body_snippet: String,
    },
    /// A retried status or transport failure persisted through every attempt.
    #[error("giving up after {attempts} attempts ({at}): {last}")]
    RetriesExhausted {
        /// Where.
        at: Location,
        /// Attempts made.
        attempts: u32,
        /// The last failure, redacted.
        last: String,
        /// For a transport failure, the HTTP client's error of the last attempt as `source()`
        /// (`is_connect()`, its own chain down to the I/O error). It is kept with its URL
        /// removed (`reqwest::Error::without_url`): the URL may carry a secret in its query,
        /// and neither its `Display` nor its `Debug` shows it then.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The request timed out and retries were exhausted.
    #[error("timed out after {attempts} attempts ({at})")]
    Timeout {
        /// Where.
        at: Location,
        /// Attempts made.
        attempts: u32,
        /// The HTTP client's timeout error of the last attempt as `source()`, its URL
        /// removed as for [`Error::RetriesExhausted`].
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The response body, decoded, is larger than the client accepts
    /// ([`crate::ClientBuilder::max_body_size`]); not retried.
    #[error("response body over the limit of {limit} bytes ({at}), HTTP {status}")]
    BodyTooLarge {
        /// Where.
        at: Location,
        /// The status of the response.
        status: u16,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The body is not JSON.
    #[error("response is not JSON ({at}): {message}")]
    NotJson {
        /// Where.
        at: Location,
        /// The parser's message.
        message: String,
        /// The parser's error (`serde_json::Error`, `std::str::Utf8Error`), as `source()`;
        /// `None` when the body is empty. Their messages name a position, never the body.
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
    /// A record does not match its type.
    #[error("record {record} does not decode ({at}) at `{path}`, byte {offset}: {message}")]
    Decode {
        /// Where.
        at: Location,
        /// Index of the record in the page.
        record: usize,
        /// JSON path inside the record.
        path: String,
        /// Byte offset in the page body.
        offset: usize,
        /// serde's message.
        message: String,
    },
    /// The data selector would have to search the page deeper than the runtime walks.
    #[error("response nested too deep ({at}): {source}")]
    TooDeep {
        /// Where.
        at: Location,
        /// Which search, and the limit.
        source: TooDeep,
    },
    /// The paginator could not go on.
    #[error("pagination failed ({at}): {source}")]
    Pagination {
        /// Where.
        at: Location,
        /// What the paginator found.
        source: PaginationError,
    },
    /// Credentials could not be obtained (e.g. a failed OAuth2 token request).
    #[error("authentication failed for resource `{resource}`: {message}")]
    Auth {
        /// The resource being fetched.
        resource: String,
        /// What happened, redacted.
        message: String,
    },
    /// A secret the client needs was not given.
    #[error(
        "missing secret `{name}`: set it on the builder or in the environment variable {env_var}"
    )]
    MissingSecret {
        /// The secret's name in the spec.
        name: String,
        /// The environment variable `from_env` reads.
        env_var: String,
    },
    /// A path argument would not fill one segment of the path but change the path: it is
    /// empty, `.` or `..` (or percent-encodes them). No request is sent.
    #[error(
        "argument `{argument}` of resource `{resource}` cannot fill its path segment: {reason}"
    )]
    PathArgument {
        /// The resource being requested.
        resource: String,
        /// The placeholder the value was bound to.
        argument: String,
        /// What the value would do to the path.
        reason: String,
    },
    /// An incremental bound written as a setting (`initial_value: {config: start_date}`)
    /// could not be read when the run started: the client has no value for it, or the value
    /// is no datetime in the block's declared formats. No request is sent.
    #[error(
        "incremental `{key}` of resource `{resource}` reads the setting `{setting}`, which {problem}"
    )]
    IncrementalSetting {
        /// The resource being requested.
        resource: String,
        /// `initial_value` or `end_value`.
        key: &'static str,
        /// The setting's name.
        setting: String,
        /// What is wrong with it.
        problem: crate::incremental::settings::SettingProblem,
    },
    /// The client or a request could not be built (bad base URL, bad argument).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// A URL the client or a request is built from does not parse: `what` says which (secrets
    /// redacted), the parser's error is the source (its text holds no part of the URL).
    #[error("invalid request: {what}: {source}")]
    Url {
        /// Which URL, with its text redacted.
        what: String,
        /// Why it does not parse.
        #[source]
        source: url::ParseError,
    },
    /// A hook ([`crate::hooks::Hook`]) refused the request or its response, a middleware
    /// failed it, or the HTTP client followed a redirect itself; not retried.
    #[error("request refused ({at}): {message}")]
    Refused {
        /// Where.
        at: Location,
        /// Why, redacted.
        message: String,
    },
    /// The spec names a custom auth or paginator (`type: custom`) that the builder was not
    /// given Rust code for.
    #[error(
        "the spec's custom {kind} `{name}` needs an implementation: give it to the builder \
         (`.custom_{kind}(..)`)"
    )]
    MissingCustom {
        /// `auth` or `paginator`.
        kind: &'static str,
        /// Its name in the spec.
        name: String,
    },
}

/// The `at` of every variant about a page, shared or mutable as `$error` is: one list, so a
/// new variant with a location cannot be known to one accessor and not the other.
macro_rules! page_location {
    ($error:expr) => {
        match $error {
            Error::Status { at, .. }
            | Error::RetriesExhausted { at, .. }
            | Error::Timeout { at, .. }
            | Error::BodyTooLarge { at, .. }
            | Error::NotJson { at, .. }
            | Error::Decode { at, .. }
            | Error::TooDeep { at, .. }
            | Error::Refused { at, .. }
            | Error::Pagination { at, .. } => Some(at),
            _ => None,
        }
    };
}

impl Error {
    /// Where a run that ended with this error stopped, for a new request to continue from
    /// (`request.resume(point)`) without fetching the pages before it again: the request that
    /// failed, with its paging state and the incremental checkpoint reached. Serializable,
    /// without secrets. `None` for errors that are not about a page (a bad argument, a
    /// missing secret).
    pub fn resume_point(&self) -> Option<&ResumePoint> {
        self.location()?.resume.as_deref()
    }

    /// The location of an error about a page.
    pub fn location(&self) -> Option<&Location> {
        page_location!(self)
    }

    fn location_mut(&mut self) -> Option<&mut Location> {
        page_location!(self)
    }

    /// The error with `point` as where to resume, unless it has one already (the first
    /// driver to see an error knows best where it happened).
    pub(crate) fn with_resume(mut self, point: impl FnOnce() -> ResumePoint) -> Self {
        if let Some(at) = self.location_mut()
            && at.resume.is_none()
        {
            at.resume = Some(Box::new(point()));
        }
        self
    }

    /// The error without a resume point: where no point would resume exactly.
    pub(crate) fn without_resume(mut self) -> Self {
        if let Some(at) = self.location_mut() {
            at.resume = None;
        }
        self
    }

    /// The resume point, to complete it (a fan-out adds the parent).
    pub(crate) fn resume_point_mut(&mut self) -> Option<&mut ResumePoint> {
        self.location_mut()?.resume.as_deref_mut()
    }

    /// The HTTP status, for status errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}
