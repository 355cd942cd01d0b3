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
    "oauth2",
    "session_token",
    "custom",
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
        "oauth2" => &[
            "token_url",
            "access_token_url",
            "client_id",
            "client_secret",
            "refresh_token",
            "grant_type",
            "scopes",
            "access_token_request_data",
            "default_token_expiration",
        ],
        "session_token" => &[
            "login_url",
            "username",
            "password",
            "session_token_response_key",
            "header",
            "session_token",
            "validate_session_url",
        ],
        "custom" => &["name"],
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
        "oauth2" => oauth2(spec)?,
        "custom" => AuthConfig::Custom {
            name: Cow::Owned(custom_name(spec.name.as_deref(), "auth")?),
        },
        "session_token" => AuthConfig::SessionToken {
            login_url: Cow::Owned(spec.login_url.clone().ok_or_else(|| {
                Issue::new("auth type `session_token` needs `login_url`")
                    .key()
                    .label("no `login_url` in this auth block")
                    .help(
                        "add `login_url: /login`, the endpoint the client posts the credentials to",
                    )
            })?),
            username: need(&spec.username, "username")?,
            password: need(&spec.password, "password")?,
            token_path: super::jsonpath::compile(
                spec.session_token_response_key.as_deref().unwrap_or("id"),
            )
            .map_err(|e| Issue::from(e).under("session_token_response_key"))?,
            header: Cow::Owned(
                spec.header
                    .clone()
                    .unwrap_or_else(|| "X-Session-Token".into()),
            ),
            session_token: spec.session_token.clone().map(value_ref),
        },
        _ => AuthConfig::OAuth2ClientCredentials {
            access_token_url: need(&spec.access_token_url, "access_token_url")?,
            client_id: need(&spec.client_id, "client_id")?,
            client_secret: need(&spec.client_secret, "client_secret")?,
            access_token_request_data: Cow::Owned(request_data(spec)),
            default_token_expiration_secs: spec.default_token_expiration.unwrap_or(3600),
        },
    })
}

/// The name of a custom auth or paginator (`type: custom, name: ..`): the builder's setter
/// and errors name it, so it is a plain identifier. An issue is located relative to the
/// block.
pub fn custom_name(name: Option<&str>, what: &str) -> Result<String, Issue> {
    let Some(name) = name else {
        return Err(Issue::new(format!("a custom {what} needs `name`"))
            .key()
            .label("no `name` in this block")
            .help(format!(
                "add `name: <Name>`; the client's builder then takes the Rust code for it (`.custom_{what}(..)`)"
            )));
    };
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return Err(
            Issue::new(format!("custom {what} name `{name}` is not an identifier"))
                .at_key("name")
                .label("expected letters, digits and `_`, starting with a letter"),
        );
    }
    Ok(name.to_string())
}

/// The extra token-request fields of an auth block.
fn request_data(spec: &AuthSpec) -> Vec<Param> {
    spec.access_token_request_data
        .iter()
        .flatten()
        .map(|(k, v)| Param {
            name: Cow::Owned(super::request::scalar_text(k)),
            value: Cow::Owned(super::request::scalar_text(v)),
        })
        .collect()
}

/// `type: oauth2` (the form converted Airbyte connectors carry): the refresh-token grant when
/// a refresh token is given or `grant_type: refresh_token` says so, else client credentials.
/// An issue is located relative to the auth block.
fn oauth2(spec: &AuthSpec) -> Result<AuthConfig, Issue> {
    let token_url = match (&spec.token_url, &spec.access_token_url) {
        (Some(_), Some(_)) => {
            return Err(Issue::new(
                "oauth2 auth takes `token_url` or `access_token_url`, not both",
            )
            .at_key("access_token_url")
            .key()
            .label("a second token endpoint")
            .also("token_url", "the first"));
        }
        (Some(url), None) | (None, Some(url)) => value_ref(url.clone()),
        (None, None) => {
            return Err(Issue::new("auth type `oauth2` needs `token_url`")
                .key()
                .label("no `token_url` in this auth block")
                .help("add `token_url: https://<host>/oauth/token`, the token endpoint"));
        }
    };
    let need = |value: &Option<ValueSpec>, field: &str| {
        value.clone().map(value_ref).ok_or_else(|| {
            Issue::new(format!("auth type `oauth2` needs `{field}`"))
                .key()
                .label(format!("no `{field}` in this auth block"))
        })
    };
    let mut data = request_data(spec);
    if let Some(scopes) = &spec.scopes {
        let scope = match scopes {
            serde_yaml::Value::Sequence(items) => items
                .iter()
                .map(super::request::scalar_text)
                .collect::<Vec<_>>()
                .join(" "),
            other => super::request::scalar_text(other),
        };
        data.push(Param {
            name: Cow::Borrowed("scope"),
            value: Cow::Owned(scope),
        });
    }
    const GRANTS: &[&str] = &["refresh_token", "client_credentials"];
    let refresh_grant = match spec.grant_type.as_deref() {
        None => spec.refresh_token.is_some(),
        Some("refresh_token") => true,
        Some("client_credentials") => false,
        Some(other) => {
            return Err(
                Issue::new(format!("oauth2 `grant_type` `{other}` is not supported"))
                    .at_key("grant_type")
                    .label(format!("expected {}", one_of(GRANTS)))
                    .maybe_help(did_you_mean(other, GRANTS)),
            );
        }
    };
    let expiry = spec.default_token_expiration.unwrap_or(3600);
    if refresh_grant {
        return Ok(AuthConfig::OAuth2RefreshToken {
            token_url,
            client_id: need(&spec.client_id, "client_id")?,
            client_secret: need(&spec.client_secret, "client_secret")?,
            refresh_token: need(&spec.refresh_token, "refresh_token")?,
            token_request_data: Cow::Owned(data),
            default_token_expiration_secs: expiry,
        });
    }
    if spec.refresh_token.is_some() {
        return Err(
            Issue::new("`refresh_token` is only used by `grant_type: refresh_token`")
                .at_key("refresh_token")
                .key()
                .label("not used by the client-credentials grant")
                .also("grant_type", "the client-credentials grant")
                .help("remove `refresh_token`, or set `grant_type: refresh_token`"),
        );
    }
    Ok(AuthConfig::OAuth2ClientCredentials {
        access_token_url: token_url,
        client_id: need(&spec.client_id, "client_id")?,
        client_secret: need(&spec.client_secret, "client_secret")?,
        access_token_request_data: Cow::Owned(data),
        default_token_expiration_secs: expiry,
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
    add(spec.token_url.is_some(), "token_url");
    add(spec.refresh_token.is_some(), "refresh_token");
    add(spec.grant_type.is_some(), "grant_type");
    add(spec.scopes.is_some(), "scopes");
    add(spec.login_url.is_some(), "login_url");
    add(
        spec.session_token_response_key.is_some(),
        "session_token_response_key",
    );
    add(spec.header.is_some(), "header");
    add(spec.session_token.is_some(), "session_token");
    add(spec.validate_session_url.is_some(), "validate_session_url");
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
        AuthConfig::OAuth2RefreshToken {
            token_url,
            client_id,
            client_secret,
            refresh_token,
            ..
        } => vec![token_url, client_id, client_secret, refresh_token],
        AuthConfig::SessionToken {
            username, password, ..
        } => vec![username, password],
        AuthConfig::Custom { .. } => Vec::new(),
    }
}

/// The values an auth config may use but does without: a session token given instead of
/// logging in.
pub fn optional_value_refs(auth: &AuthConfig) -> Vec<&ValueRef> {
    match auth {
        AuthConfig::SessionToken {
            session_token: Some(token),
            ..
        } => vec![token],
        _ => Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn auth(yaml: &str) -> Result<AuthConfig, String> {
        let spec: AuthSpec = serde_yaml::from_str(yaml).unwrap();
        resolve(&spec).map_err(|e| e.message.clone())
    }

    #[test]
    fn oauth2_with_a_refresh_token_is_the_refresh_grant_with_scopes_joined() {
        let resolved = auth(
            "{type: oauth2, token_url: 'https://x/token', client_id: {secret: id}, \
             client_secret: {secret: s}, refresh_token: {secret: rt}, scopes: [a, b]}",
        )
        .unwrap();
        let AuthConfig::OAuth2RefreshToken {
            token_url,
            refresh_token,
            token_request_data,
            ..
        } = resolved
        else {
            panic!("not the refresh grant: {resolved:?}");
        };
        assert_eq!(
            token_url,
            ValueRef::Literal(Cow::Borrowed("https://x/token"))
        );
        assert_eq!(refresh_token, ValueRef::Secret(Cow::Borrowed("rt")));
        assert_eq!(
            token_request_data.as_ref(),
            [Param {
                name: Cow::Borrowed("scope"),
                value: Cow::Borrowed("a b"),
            }]
        );
    }

    #[test]
    fn oauth2_without_a_refresh_token_is_client_credentials() {
        let resolved = auth(
            "{type: oauth2, access_token_url: u, client_id: i, client_secret: s, scope: read}",
        )
        .unwrap();
        assert!(
            matches!(resolved, AuthConfig::OAuth2ClientCredentials { .. }),
            "{resolved:?}"
        );
    }

    #[test]
    fn oauth2_mistakes_are_named() {
        let cases = [
            (
                "{type: oauth2, client_id: i, client_secret: s}",
                "needs `token_url`",
            ),
            (
                "{type: oauth2, token_url: u, client_id: i, client_secret: s, grant_type: password}",
                "`grant_type` `password` is not supported",
            ),
            (
                "{type: oauth2, token_url: u, client_id: i, client_secret: s, grant_type: refresh_token}",
                "needs `refresh_token`",
            ),
            (
                "{type: oauth2, token_url: u, client_id: i, client_secret: s, refresh_token: r, \
                 grant_type: client_credentials}",
                "only used by `grant_type: refresh_token`",
            ),
            (
                "{type: oauth2_client_credentials, token_url: u, client_id: i, client_secret: s}",
                "has no field `token_url`",
            ),
        ];
        for (yaml, expected) in cases {
            let err = auth(yaml).unwrap_err();
            assert!(err.contains(expected), "{yaml}: {err}");
        }
    }
}
