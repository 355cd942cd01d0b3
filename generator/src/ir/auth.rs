//! Resolves an auth block into the runtime's `AuthConfig`: dlt's four kinds, the seed
//! dialect's variants (`bearer` with `api_key`, `basic` without a password, a key prefix),
//! and the secrets each one names.

use std::borrow::Cow;

use restgen_runtime::descriptor::{ApiKeyLocation, AuthConfig, Param, ValueRef};

use super::issue::Issue;
use crate::spec::diagnostic::{did_you_mean, one_of};
use crate::spec::model::{AuthSpec, ValueSpec};

const KINDS: &[&str] = &[
    "bearer",
    "api_key",
    "http_basic",
    "basic",
    "oauth2_client_credentials",
];

/// The runtime auth for an auth block; an issue is located relative to the block.
pub fn resolve(spec: &AuthSpec) -> Result<AuthConfig, Issue> {
    let kind = spec.kind.as_deref().unwrap_or("bearer");
    let allowed: &[&str] = match kind {
        "bearer" => &["token", "api_key", "location"],
        "api_key" => &["name", "api_key", "location", "prefix"],
        "http_basic" | "basic" => &["username", "password"],
        "oauth2_client_credentials" => &[
            "access_token_url",
            "client_id",
            "client_secret",
            "access_token_request_data",
            "default_token_expiration",
        ],
        other => {
            return Err(Issue::new(format!("unknown auth type `{other}`"))
                .at_key("type")
                .label(format!("expected {}", one_of(KINDS)))
                .maybe_help(did_you_mean(other, KINDS)));
        }
    };
    let present = present_fields(spec);
    if let Some(extra) = present.iter().find(|f| !allowed.contains(f)) {
        let mut issue = Issue::new(format!("auth type `{kind}` has no field `{extra}`"))
            .at_key(extra)
            .key()
            .label(format!("not a field of `{kind}` auth"))
            .note(format!("`{kind}` auth takes {}", one_of(allowed)));
        if spec.kind.is_none() {
            issue = issue.help(format!(
                "an auth block without `type` is `bearer`; set `type:` for `{extra}`"
            ));
        }
        return Err(issue);
    }
    let need = |value: &Option<ValueSpec>, field: &str| {
        value.clone().map(value_ref).ok_or_else(|| {
            Issue::new(format!("auth type `{kind}` needs `{field}`"))
                .key()
                .label(format!("no `{field}` in this auth block"))
        })
    };
    Ok(match kind {
        "bearer" => {
            let token = match (&spec.token, &spec.api_key) {
                (Some(_), Some(_)) => {
                    return Err(
                        Issue::new("bearer auth takes `token` or `api_key`, not both")
                            .at_key("api_key")
                            .key()
                            .label("a second token")
                            .also("token", "the first"),
                    );
                }
                (Some(t), None) | (None, Some(t)) => value_ref(t.clone()),
                (None, None) => {
                    return Err(Issue::new("auth type `bearer` needs `token`")
                        .key()
                        .label("no `token` in this auth block"));
                }
            };
            if let Some(location) = spec.location.as_deref().filter(|l| *l != "header") {
                return Err(Issue::new(format!(
                    "a bearer token goes in a header, not `{location}`"
                ))
                .at_key("location")
                .label("expected `header`")
                .help("for a key in the query, use `type: api_key` with `location: query`"));
            }
            AuthConfig::Bearer { token }
        }
        "api_key" => AuthConfig::ApiKey {
            name: Cow::Owned(spec.name.clone().unwrap_or_else(|| "Authorization".into())),
            api_key: need(&spec.api_key, "api_key")?,
            location: match spec.location.as_deref().unwrap_or("header") {
                "header" => ApiKeyLocation::Header,
                "query" | "param" => ApiKeyLocation::Query,
                "cookie" => ApiKeyLocation::Cookie,
                other => {
                    let places = ["header", "query", "param", "cookie"];
                    return Err(Issue::new(format!("unknown api_key location `{other}`"))
                        .at_key("location")
                        .label(format!("expected {}", one_of(&places)))
                        .maybe_help(did_you_mean(other, &places)));
                }
            },
            prefix: Cow::Owned(spec.prefix.clone().unwrap_or_default()),
        },
        "http_basic" | "basic" => AuthConfig::HttpBasic {
            username: need(&spec.username, "username")?,
            password: spec
                .password
                .clone()
                .map_or(ValueRef::Literal(Cow::Borrowed("")), value_ref),
        },
        _ => AuthConfig::OAuth2ClientCredentials {
            access_token_url: need(&spec.access_token_url, "access_token_url")?,
            client_id: need(&spec.client_id, "client_id")?,
            client_secret: need(&spec.client_secret, "client_secret")?,
            access_token_request_data: Cow::Owned(
                spec.access_token_request_data
                    .iter()
                    .flatten()
                    .map(|(k, v)| Param {
                        name: Cow::Owned(super::request::scalar_text(k)),
                        value: Cow::Owned(super::request::scalar_text(v)),
                    })
                    .collect(),
            ),
            default_token_expiration_secs: spec.default_token_expiration.unwrap_or(3600),
        },
    })
}

fn present_fields(spec: &AuthSpec) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut add = |present: bool, name: &'static str| {
        if present {
            fields.push(name);
        }
    };
    add(spec.token.is_some(), "token");
    add(spec.api_key.is_some(), "api_key");
    add(spec.name.is_some(), "name");
    add(spec.location.is_some(), "location");
    add(spec.prefix.is_some(), "prefix");
    add(spec.username.is_some(), "username");
    add(spec.password.is_some(), "password");
    add(spec.access_token_url.is_some(), "access_token_url");
    add(spec.client_id.is_some(), "client_id");
    add(spec.client_secret.is_some(), "client_secret");
    add(
        spec.access_token_request_data.is_some(),
        "access_token_request_data",
    );
    add(
        spec.default_token_expiration.is_some(),
        "default_token_expiration",
    );
    fields
}

fn value_ref(value: ValueSpec) -> ValueRef {
    match value {
        ValueSpec::Literal(s) => ValueRef::Literal(Cow::Owned(s)),
        ValueSpec::Secret(s) => ValueRef::Secret(Cow::Owned(s)),
        ValueSpec::Config(s) => ValueRef::Config(Cow::Owned(s)),
    }
}

/// Every secret or config value an auth config names, in field order.
pub fn value_refs(auth: &AuthConfig) -> Vec<&ValueRef> {
    match auth {
        AuthConfig::Bearer { token } => vec![token],
        AuthConfig::ApiKey { api_key, .. } => vec![api_key],
        AuthConfig::HttpBasic { username, password } => vec![username, password],
        AuthConfig::OAuth2ClientCredentials {
            access_token_url,
            client_id,
            client_secret,
            ..
        } => vec![access_token_url, client_id, client_secret],
    }
}
