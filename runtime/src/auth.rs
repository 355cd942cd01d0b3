//! Credentials on the wire: dlt's auth kinds with their exact bytes, the seed dialect's
//! variants, and an OAuth2 client-credentials token cache.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::client::ClientCore;
use crate::descriptor::{ApiKeyLocation, AuthChoice, AuthConfig};
use crate::error::Error;
use crate::secret::{Secret, redact_text};

/// Refresh an OAuth2 token this long before it expires.
const TOKEN_SAFETY_MARGIN: Duration = Duration::from_secs(30);

/// What one request carries to authenticate.
#[derive(Debug, Clone)]
pub enum Credential {
    /// Nothing.
    None,
    /// A header (`Authorization: Bearer ...`, `X-Api-Key: ...`).
    Header(http::HeaderName, Secret),
    /// A query parameter appended after the others.
    Query(String, Secret),
    /// A cookie.
    Cookie(String, Secret),
}

impl Credential {
    /// Adds the credential to a request about to be sent: a query credential goes into `url`
    /// (after the other parameters, as dlt does), a header or cookie into `headers`.
    pub fn apply(&self, url: &mut url::Url, headers: &mut http::HeaderMap) {
        let sensitive = |text: &str| {
            http::HeaderValue::from_str(text).ok().map(|mut v| {
                v.set_sensitive(true);
                v
            })
        };
        match self {
            Credential::None => {}
            Credential::Header(name, value) => {
                if let Some(v) = sensitive(value.expose()) {
                    headers.insert(name.clone(), v);
                }
            }
            Credential::Query(name, value) => {
                url.query_pairs_mut().append_pair(name, value.expose());
            }
            Credential::Cookie(name, value) => {
                if let Some(v) = sensitive(&format!("{name}={}", value.expose())) {
                    headers.insert(http::header::COOKIE, v);
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
struct CachedToken {
    token: Secret,
    refresh_at: Instant,
}

/// OAuth2 tokens by token URL and client id, fetched lazily and refreshed before expiry.
#[derive(Debug, Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<(String, String), CachedToken>>,
}

/// The credential an endpoint sends, resolving secrets and fetching tokens as needed.
pub async fn credential(
    core: &ClientCore,
    choice: &AuthChoice,
    resource: &str,
) -> Result<Credential, Error> {
    let config = match choice {
        AuthChoice::None => return Ok(Credential::None),
        AuthChoice::Client => match &core.inner.spec.auth {
            Some(config) => config,
            None => return Ok(Credential::None),
        },
        AuthChoice::Endpoint(config) => config,
    };
    match config {
        AuthConfig::Bearer { token } => {
            let token = core.resolve(token)?;
            Ok(bearer(&token))
        }
        AuthConfig::ApiKey {
            name,
            api_key,
            location,
            prefix,
        } => {
            let key = core.resolve(api_key)?;
            let value = Secret::new(format!("{prefix}{}", key.expose()));
            match location {
                ApiKeyLocation::Header => {
                    let header = http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                        Error::Invalid(format!("api_key header name `{name}`: {e}"))
                    })?;
                    Ok(Credential::Header(header, value))
                }
                ApiKeyLocation::Query => Ok(Credential::Query(name.to_string(), value)),
                ApiKeyLocation::Cookie => Ok(Credential::Cookie(name.to_string(), value)),
            }
        }
        AuthConfig::HttpBasic { username, password } => {
            let user = core.resolve(username)?;
            let pass = core.resolve(password)?;
            let encoded = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                user.expose(),
                pass.expose()
            ));
            Ok(Credential::Header(
                http::header::AUTHORIZATION,
                Secret::new(format!("Basic {encoded}")),
            ))
        }
        AuthConfig::OAuth2ClientCredentials {
            access_token_url,
            client_id,
            client_secret,
            access_token_request_data,
            default_token_expiration_secs,
        } => {
            let url = core.resolve(access_token_url)?;
            let id = core.resolve(client_id)?;
            let key = (url.expose().to_string(), id.expose().to_string());
            let mut tokens = core.inner.tokens.tokens.lock().await;
            if let Some(cached) = tokens.get(&key)
                && Instant::now() < cached.refresh_at
            {
                return Ok(bearer(&cached.token));
            }
            let secret = core.resolve(client_secret)?;
            let form = {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                form.append_pair("client_id", id.expose())
                    .append_pair("client_secret", secret.expose())
                    .append_pair("grant_type", "client_credentials");
                for param in access_token_request_data.iter() {
                    form.append_pair(&param.name, &param.value);
                }
                form.finish()
            };
            let fetched = fetch_token(core, url.expose(), form, *default_token_expiration_secs)
                .await
                .map_err(|message| Error::Auth {
                    resource: resource.to_string(),
                    message: redact_text(&message, &[id.clone(), secret.clone()]),
                })?;
            let credential = bearer(&fetched.token);
            tokens.insert(key, fetched);
            Ok(credential)
        }
    }
}

fn bearer(token: &Secret) -> Credential {
    Credential::Header(
        http::header::AUTHORIZATION,
        Secret::new(format!("Bearer {}", token.expose())),
    )
}

async fn fetch_token(
    core: &ClientCore,
    url: &str,
    form: String,
    default_expiration: u64,
) -> Result<CachedToken, String> {
    #[derive(serde::Deserialize)]
    struct TokenResponse {
        access_token: serde_json::Value,
        expires_in: Option<serde_json::Value>,
    }
    let response = core
        .inner
        .http
        .post(url)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(form)
        .send()
        .await
        .map_err(|e| format!("token request failed: {e}"))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("token response unreadable: {e}"))?;
    if !status.is_success() {
        return Err(format!("token endpoint answered HTTP {}", status.as_u16()));
    }
    let parsed: TokenResponse = serde_json::from_slice(&body)
        .map_err(|e| format!("token response has no access_token: {e}"))?;
    let token = match parsed.access_token {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    let lifetime = parsed
        .expires_in
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(default_expiration);
    let lifetime = Duration::from_secs(lifetime);
    let margin = TOKEN_SAFETY_MARGIN.min(lifetime / 10);
    Ok(CachedToken {
        token: Secret::new(token),
        refresh_at: Instant::now() + lifetime - margin,
    })
}
