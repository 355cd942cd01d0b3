//! An OAuth2 token endpoint (client-credentials and refresh-token grants): it checks the client
//! id, secret, refresh token and extra form fields a spec names and issues bearer tokens the
//! resources then accept.

use std::collections::BTreeMap;

use restgen_runtime::descriptor::{Param, ValueRef};
use serde_json::json;

use crate::error::MockError;
use crate::plan::value_of;
use crate::rng::stable_hash;
use crate::state::{Incoming, Outgoing};

/// Where the mock serves its token endpoint.
pub const TOKEN_PATH: &str = "/oauth/token";

/// How long an issued token lives, as the token response says.
const TOKEN_LIFETIME_SECS: u64 = 3600;

/// What a token request must carry, from a spec's `oauth2_client_credentials` auth.
#[derive(Clone, PartialEq)]
pub struct TokenEndpoint {
    /// The setting or secret that holds the token URL, which the mock gives its own; `None`
    /// for a literal URL, which a client reaches the mock with only when told to
    /// (`ClientBuilder::token_url`, with [`MockApi::token_url`](crate::MockApi::token_url)).
    pub url_value: Option<String>,
    /// The client id a token request must send.
    pub client_id: String,
    client_secret: String,
    /// Extra form fields (`access_token_request_data`).
    fields: Vec<(String, String)>,
    /// The refresh token a refresh-token grant must send; `None` for client credentials.
    refresh_token: Option<String>,
}

impl std::fmt::Debug for TokenEndpoint {
    // The client secret stays out of every message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("url_value", &self.url_value)
            .field("fields", &self.fields)
            .finish_non_exhaustive()
    }
}

impl TokenEndpoint {
    /// The endpoint a spec's OAuth2 auth of `resource` asks for; `values` gives the client id
    /// and secret.
    pub fn new(
        resource: &str,
        access_token_url: &ValueRef,
        client_id: &ValueRef,
        client_secret: &ValueRef,
        refresh_token: Option<&ValueRef>,
        data: &[Param],
        values: &BTreeMap<String, String>,
    ) -> Result<TokenEndpoint, MockError> {
        let url_value = match access_token_url {
            ValueRef::Secret(name) | ValueRef::Config(name) => Some(name.to_string()),
            ValueRef::Literal(_) => None,
        };
        Ok(TokenEndpoint {
            url_value,
            client_id: value_of(resource, client_id, values)?,
            client_secret: value_of(resource, client_secret, values)?,
            fields: data
                .iter()
                .map(|p| (p.name.to_string(), p.value.to_string()))
                .collect(),
            refresh_token: refresh_token
                .map(|token| value_of(resource, token, values))
                .transpose()?,
        })
    }
}

/// A token the mock issued, and to which client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The client id it was issued to.
    pub client_id: String,
    /// The access token.
    pub token: String,
}

/// Answers a token request: a token for a client whose id, secret and form fields match one
/// of `endpoints`, else 400 or 401 with an OAuth2 error (never echoing a credential).
pub fn answer_token(
    endpoints: &[&TokenEndpoint],
    issued: &mut Vec<Issued>,
    seed: u64,
    request: &Incoming,
) -> Result<Outgoing, (u16, String)> {
    let refuse = |status: u16, error: &str, why: &str| Err((status, format!("{error}: {why}")));
    if request.method != "POST" {
        return refuse(400, "invalid_request", "the token endpoint takes POST");
    }
    let form_type = request
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !form_type.starts_with("application/x-www-form-urlencoded") {
        return refuse(400, "invalid_request", "the body is not a form");
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(endpoint) = endpoints
        .iter()
        .find(|e| field("client_id") == Some(e.client_id.as_str()))
    else {
        return refuse(401, "invalid_client", "unknown client_id");
    };
    let grant = match endpoint.refresh_token {
        Some(_) => "refresh_token",
        None => "client_credentials",
    };
    if field("grant_type") != Some(grant) {
        return refuse(
            400,
            "unsupported_grant_type",
            &format!("grant_type is not {grant}"),
        );
    }
    if let Some(expected) = &endpoint.refresh_token
        && field("refresh_token") != Some(expected.as_str())
    {
        return refuse(400, "invalid_grant", "wrong refresh_token");
    }
    if field("client_secret") != Some(endpoint.client_secret.as_str()) {
        return refuse(401, "invalid_client", "wrong client_secret");
    }
    if let Some((name, value)) = endpoint
        .fields
        .iter()
        .find(|(name, value)| field(name) != Some(value.as_str()))
    {
        return refuse(
            400,
            "invalid_request",
            &format!("`{name}` should be `{value}`"),
        );
    }
    let n = issued.len().to_string();
    let hash = stable_hash(&[&endpoint.client_id, &seed.to_string(), &n]);
    let token = format!("mock-token-{hash:016x}");
    issued.push(Issued {
        client_id: endpoint.client_id.clone(),
        token: token.clone(),
    });
    Ok(Outgoing::json(
        200,
        &json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": TOKEN_LIFETIME_SECS,
        }),
    ))
}
