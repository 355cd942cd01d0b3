//! The dialect as serde types: dlt 1.31's `rest_api_source` config, closed like dlt's
//! TypedDicts (an unknown key is an error), plus the seed dialect's extensions.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_yaml::{Mapping, Value};

/// The whole config of one source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The client section.
    pub client: ClientConfig,
    /// Defaults merged into every resource.
    #[serde(default)]
    pub resource_defaults: Option<ResourceBase>,
    /// The resources.
    pub resources: Vec<ResourceEntry>,
}

/// `client`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// Base URL every path is joined to.
    pub base_url: String,
    /// Static headers.
    #[serde(default)]
    pub headers: Option<Mapping>,
    /// Client-wide auth.
    #[serde(default)]
    pub auth: Option<AuthSpec>,
    /// The lowest-priority default paginator.
    #[serde(default)]
    pub paginator: Option<PaginatorSpec>,
    /// A rate budget for every request of the client (extension: Airbyte's `api_budget`).
    #[serde(default)]
    pub api_budget: Option<Value>,
}

/// A resource as written: the string shorthand or a full definition.
#[derive(Debug, Clone)]
pub enum ResourceEntry {
    /// `"posts"`: name and path.
    Name(String),
    /// A full resource.
    Full(Box<ResourceBase>),
}

/// A resource, or `resource_defaults` (the same keys; `name` is required in a resource and
/// refused in the defaults, which the resolver checks).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceBase {
    /// Resource name (unique).
    #[serde(default)]
    pub name: Option<String>,
    /// The endpoint: a path string or a full endpoint.
    #[serde(default)]
    pub endpoint: Option<EndpointEntry>,
    /// dlt write disposition (a loading hint, kept for documentation).
    #[serde(default)]
    pub write_disposition: Option<Value>,
    /// Primary key: a column name or a list of them.
    #[serde(default)]
    pub primary_key: Option<Value>,
    /// Merge key (loading hint).
    #[serde(default)]
    pub merge_key: Option<Value>,
    /// Column hints (loading hint).
    #[serde(default)]
    pub columns: Option<Value>,
    /// Table name (loading hint).
    #[serde(default)]
    pub table_name: Option<Value>,
    /// Maximum nesting (loading hint).
    #[serde(default)]
    pub max_table_nesting: Option<Value>,
    /// Whether the resource is loaded or only used as a parent.
    #[serde(default)]
    pub selected: Option<bool>,
    /// Whether child calls run in parallel.
    #[serde(default)]
    pub parallelized: Option<bool>,
    /// Parent fields copied into child records as `_<parent>_<field>`.
    #[serde(default)]
    pub include_from_parent: Option<Vec<String>>,
    /// Schema contract (loading hint).
    #[serde(default)]
    pub schema_contract: Option<Value>,
    /// Table format (loading hint).
    #[serde(default)]
    pub table_format: Option<Value>,
    /// File format (loading hint).
    #[serde(default)]
    pub file_format: Option<Value>,
    /// Table references (loading hint).
    #[serde(default)]
    pub references: Option<Value>,
    /// Parent table name (loading hint).
    #[serde(default)]
    pub parent_table_name: Option<Value>,
    /// Nested hints (loading hint).
    #[serde(default)]
    pub nested_hints: Option<Value>,
    /// Filters and maps over the records, in order (`[{filter: ..}, {map: ..}]`).
    #[serde(default)]
    pub processing_steps: Option<Vec<Value>>,
}

/// An endpoint as written: a path string or a full endpoint.
#[derive(Debug, Clone)]
pub enum EndpointEntry {
    /// `endpoint: "posts"`.
    Path(String),
    /// A full endpoint.
    Full(Box<Endpoint>),
}

/// `endpoint`. Keys that may be set to `null` to override a default are double options:
/// `None` absent, `Some(None)` explicit null.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Path or absolute URL, with placeholders.
    #[serde(default)]
    pub path: Option<String>,
    /// `GET` or `POST`.
    #[serde(default)]
    pub method: Option<HttpMethod>,
    /// Query parameters, in order.
    #[serde(default)]
    pub params: Option<Mapping>,
    /// JSON body.
    #[serde(default)]
    pub json: Option<Value>,
    /// Form body.
    #[serde(default)]
    pub data: Option<Value>,
    /// Headers.
    #[serde(default)]
    pub headers: Option<Mapping>,
    /// Paginator; `null` overrides a default.
    #[serde(default, deserialize_with = "double_option")]
    pub paginator: Option<Option<PaginatorSpec>>,
    /// Where the records are.
    #[serde(default, deserialize_with = "double_option")]
    pub data_selector: Option<Option<DataSelector>>,
    /// Response actions.
    #[serde(default)]
    pub response_actions: Option<Vec<Value>>,
    /// Incremental loading.
    #[serde(default, deserialize_with = "double_option")]
    pub incremental: Option<Option<Value>>,
    /// Per-endpoint auth; `null` means none.
    #[serde(default, deserialize_with = "double_option")]
    pub auth: Option<Option<AuthSpec>>,
    /// Retry policy (seed dialect).
    #[serde(default)]
    pub error_handler: Option<ErrorHandler>,
    /// List partitions (restgen's `ListPartitionRouter`): `{field, values}`.
    #[serde(default)]
    pub partitions: Option<Value>,
}

/// The two methods dlt accepts; any other spelling is an error, as in dlt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum HttpMethod {
    /// `GET`
    #[serde(rename = "GET")]
    Get,
    /// `POST`
    #[serde(rename = "POST")]
    Post,
}

/// `data_selector`: a JSONPath string, or a list of field names (`[]` is the root).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum DataSelector {
    /// A JSONPath.
    Path(String),
    /// Field names from the root.
    Fields(Vec<String>),
}

/// `error_handler` (seed dialect): a per-endpoint retry policy.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorHandler {
    /// Statuses retried besides the transient ones (408, 429, 5xx), which are always retried.
    #[serde(default)]
    pub retry_on_status_codes: Option<Vec<u16>>,
    /// Statuses that fail at once, even transient ones (Airbyte's `action: FAIL`).
    #[serde(default)]
    pub fail_on_status_codes: Option<Vec<u16>>,
    /// Retries after the first attempt.
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// Exponential backoff factor in seconds.
    #[serde(default)]
    pub backoff_factor: Option<f64>,
    /// A response header holding the wait in seconds.
    #[serde(default)]
    pub wait_from_header: Option<String>,
    /// Statuses whose response is ignored (Airbyte's `IGNORE` action): no records, no retry,
    /// as `response_actions: [{status_code: N, action: ignore}]`.
    #[serde(default)]
    pub ignore_status_codes: Option<Vec<u16>>,
}

/// A paginator as written: a type name, or a map with `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum PaginatorSpec {
    /// The string shorthand (`paginator: single_page`).
    Shorthand(String),
    /// The full form.
    Full(PaginatorKind),
}

/// A paginator in full form, by `type`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PaginatorKind {
    /// One request.
    SinglePage {},
    /// Detect from the first response.
    Auto {},
    /// Next URL in the body.
    #[serde(alias = "json_response")]
    JsonLink {
        /// JSONPath of the next URL.
        #[serde(default)]
        next_url_path: Option<String>,
    },
    /// RFC 8288 Link header.
    HeaderLink {
        /// The rel to follow.
        #[serde(default)]
        links_next_key: Option<String>,
    },
    /// Cursor in a header.
    HeaderCursor {
        /// Response header.
        #[serde(default)]
        cursor_key: Option<String>,
        /// Query parameter.
        #[serde(default)]
        cursor_param: Option<String>,
    },
    /// Cursor from the body, a template or the last record.
    Cursor(CursorSpec),
    /// Offset and limit.
    Offset(OffsetSpec),
    /// Page number.
    PageNumber(PageNumberSpec),
    /// Rust code the client's builder is given.
    Custom {
        /// The name the builder's setter takes the code for.
        #[serde(default)]
        name: Option<String>,
    },
}

/// `type: cursor`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CursorSpec {
    /// JSONPath of the cursor.
    #[serde(default)]
    pub cursor_path: Option<String>,
    /// Query parameter of the cursor.
    #[serde(default)]
    pub cursor_param: Option<String>,
    /// Body path of the cursor.
    #[serde(default)]
    pub cursor_body_path: Option<String>,
    /// End on an empty page.
    #[serde(default)]
    pub stop_after_empty_page: Option<bool>,
    /// JSONPath of a has-more flag.
    #[serde(default)]
    pub has_more_path: Option<String>,
    /// Template of the cursor (seed dialect).
    #[serde(default)]
    pub cursor_value: Option<String>,
    /// Template of the stop condition (seed dialect).
    #[serde(default)]
    pub stop_condition: Option<String>,
    /// Page size (seed dialect).
    #[serde(default)]
    pub limit: Option<u64>,
    /// Page size parameter (seed dialect).
    #[serde(default)]
    pub limit_param: Option<String>,
}

/// `type: offset`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsetSpec {
    /// Records per page (required).
    pub limit: u64,
    /// First offset.
    #[serde(default)]
    pub offset: Option<u64>,
    /// Offset parameter.
    #[serde(default)]
    pub offset_param: Option<String>,
    /// Offset body path.
    #[serde(default)]
    pub offset_body_path: Option<String>,
    /// Limit parameter.
    #[serde(default)]
    pub limit_param: Option<String>,
    /// Limit body path.
    #[serde(default)]
    pub limit_body_path: Option<String>,
    /// Total path; `null` disables it.
    #[serde(default, deserialize_with = "double_option")]
    pub total_path: Option<Option<String>>,
    /// Exclusive maximum offset.
    #[serde(default)]
    pub maximum_offset: Option<u64>,
    /// End on an empty page.
    #[serde(default)]
    pub stop_after_empty_page: Option<bool>,
    /// JSONPath of a has-more flag.
    #[serde(default)]
    pub has_more_path: Option<String>,
}

/// `type: page_number`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageNumberSpec {
    /// First page number.
    #[serde(default)]
    pub base_page: Option<i64>,
    /// Page to start from.
    #[serde(default)]
    pub page: Option<i64>,
    /// Page parameter.
    #[serde(default)]
    pub page_param: Option<String>,
    /// Page body path.
    #[serde(default)]
    pub page_body_path: Option<String>,
    /// Total pages path; `null` disables it.
    #[serde(default, deserialize_with = "double_option")]
    pub total_path: Option<Option<String>>,
    /// Exclusive maximum page.
    #[serde(default)]
    pub maximum_page: Option<i64>,
    /// End on an empty page.
    #[serde(default)]
    pub stop_after_empty_page: Option<bool>,
    /// JSONPath of a has-more flag.
    #[serde(default)]
    pub has_more_path: Option<String>,
    /// Page size (seed dialect).
    #[serde(default)]
    pub limit: Option<u64>,
    /// Page size parameter (seed dialect).
    #[serde(default)]
    pub limit_param: Option<String>,
}

/// An auth block. dlt's fields of every kind are accepted here; which belong to the chosen
/// `type` is checked when the spec is resolved.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSpec {
    /// `bearer` (default), `api_key`, `http_basic` (alias `basic`), `oauth2_client_credentials`,
    /// `oauth2` (refresh-token or client-credentials grant), `session_token`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Bearer token.
    #[serde(default)]
    pub token: Option<ValueSpec>,
    /// API key (also a bearer token in the seed dialect).
    #[serde(default)]
    pub api_key: Option<ValueSpec>,
    /// API key header/param name.
    #[serde(default)]
    pub name: Option<String>,
    /// `header`, `query`, `param` or `cookie`.
    #[serde(default)]
    pub location: Option<String>,
    /// Text before the key (seed dialect).
    #[serde(default)]
    pub prefix: Option<String>,
    /// Basic user name.
    #[serde(default)]
    pub username: Option<ValueSpec>,
    /// Basic password.
    #[serde(default)]
    pub password: Option<ValueSpec>,
    /// OAuth2 token URL.
    #[serde(default)]
    pub access_token_url: Option<ValueSpec>,
    /// OAuth2 client id.
    #[serde(default)]
    pub client_id: Option<ValueSpec>,
    /// OAuth2 client secret.
    #[serde(default)]
    pub client_secret: Option<ValueSpec>,
    /// OAuth2 extra form fields.
    #[serde(default)]
    pub access_token_request_data: Option<Mapping>,
    /// OAuth2 default lifetime.
    #[serde(default)]
    pub default_token_expiration: Option<u64>,
    /// `oauth2`: the token endpoint (Airbyte's name for `access_token_url`).
    #[serde(default)]
    pub token_url: Option<ValueSpec>,
    /// `oauth2`: the refresh token, which selects the refresh-token grant.
    #[serde(default)]
    pub refresh_token: Option<ValueSpec>,
    /// `oauth2`: `refresh_token` or `client_credentials`.
    #[serde(default)]
    pub grant_type: Option<String>,
    /// `oauth2`: scopes, a list or one space-separated string, sent as `scope`.
    #[serde(default, alias = "scope")]
    pub scopes: Option<Value>,
    /// `session_token`: the login endpoint, a path joined to the base URL.
    #[serde(default)]
    pub login_url: Option<String>,
    /// `session_token`: the field of the login answer that holds the token.
    #[serde(default)]
    pub session_token_response_key: Option<String>,
    /// `session_token`: the header the token goes in.
    #[serde(default)]
    pub header: Option<String>,
    /// `session_token`: a token to use instead of logging in.
    #[serde(default)]
    pub session_token: Option<ValueSpec>,
    /// `session_token`: an endpoint that checks a session (Airbyte's); not called.
    #[serde(default)]
    pub validate_session_url: Option<String>,
}

/// A value that is a literal, a secret reference or a config reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueSpec {
    /// A literal string (numbers are kept in their text form).
    Literal(String),
    /// `{secret: name}`.
    Secret(String),
    /// `{config: name}`.
    Config(String),
}

fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Deserializes "a string, or a map" types: the string goes to `from_str`, the map to `T`.
macro_rules! string_or_map {
    ($ty:ty, $expecting:literal, $from_str:expr, $from_map:ty => $wrap:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        #[allow(clippy::redundant_closure_call)]
                        ($from_str)(v)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<$ty, A::Error> {
                        let inner =
                            <$from_map>::deserialize(de::value::MapAccessDeserializer::new(map))?;
                        #[allow(clippy::redundant_closure_call)]
                        Ok(($wrap)(inner))
                    }
                }
                deserializer.deserialize_any(V)
            }
        }
    };
}

string_or_map!(
    ResourceEntry,
    "a resource name or a resource definition",
    |v: &str| Ok(ResourceEntry::Name(v.to_string())),
    ResourceBase => |r| ResourceEntry::Full(Box::new(r))
);
string_or_map!(
    EndpointEntry,
    "an endpoint path or an endpoint definition",
    |v: &str| Ok(EndpointEntry::Path(v.to_string())),
    Endpoint => |e| EndpointEntry::Full(Box::new(e))
);
string_or_map!(
    PaginatorSpec,
    "a paginator type name or a paginator definition with `type`",
    |v: &str| Ok(PaginatorSpec::Shorthand(v.to_string())),
    PaginatorKind => PaginatorSpec::Full
);

impl<'de> Deserialize<'de> for ValueSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ValueSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, `{secret: name}` or `{config: name}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Literal(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Literal(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Literal(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ValueSpec, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(
                        "expected `{secret: name}` or `{config: name}`, found an empty map",
                    ));
                };
                let name: String = map.next_value()?;
                if map.next_key::<String>()?.is_some() {
                    return Err(de::Error::custom(
                        "a secret or config reference has exactly one key",
                    ));
                }
                match key.as_str() {
                    "secret" => Ok(ValueSpec::Secret(name)),
                    "config" => Ok(ValueSpec::Config(name)),
                    other => Err(de::Error::unknown_field(other, &["secret", "config"])),
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}
