//! Resolves an auth block into the runtime's `AuthConfig`: dlt's four kinds, the seed
//! dialect's variants (`bearer` with `api_key`, `basic` without a password, a key prefix),
//! and the secrets each one names.

use std::borrow::Cow;

use restgen_runtime::descriptor::{ApiKeyLocation, AuthConfig, Param, ValueRef};

use crate::spec::model::{AuthSpec, ValueSpec};

const KINDS: &[&str] = &[
    "bearer",
    "api_key",
    "http_basic",
    "basic",
    "oauth2_client_credentials",
];

/// The runtime auth for an auth block.
pub fn resolve(spec: &AuthSpec) -> Result<AuthConfig, String> {
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
            let hint = crate::spec::diagnostic::closest(other, KINDS)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(format!(
                "unknown auth type `{other}`, expected one of {}{hint}",
                KINDS.join(", ")
            ));
        }
    };
    let present = present_fields(spec);
    if let Some(extra) = present.iter().find(|f| !allowed.contains(f)) {
        return Err(format!(
            "auth type `{kind}` has no field `{extra}`; its fields are {}",
            allowed.join(", ")
        ));
    }
    let need = |value: &Option<ValueSpec>, field: &str| {
        value
            .clone()
            .map(value_ref)
            .ok_or_else(|| format!("auth type `{kind}` needs `{field}`"))
    };
    Ok(match kind {
        "bearer" => {
            let token = match (&spec.token, &spec.api_key) {
                (Some(_), Some(_)) => {
                    return Err("bearer auth takes `token` or `api_key`, not both".into());
                }
                (Some(t), None) | (None, Some(t)) => value_ref(t.clone()),
                (None, None) => return Err("auth type `bearer` needs `token`".into()),
            };
            if let Some(location) = spec.location.as_deref().filter(|l| *l != "header") {
                return Err(format!("a bearer token goes in a header, not `{location}`"));
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
                    return Err(format!(
                        "unknown api_key location `{other}`, expected header, query, param or cookie"
                    ));
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
