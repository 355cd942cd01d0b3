//! Credentials on the wire: dlt's auth kinds with their exact bytes, the seed dialect's
//! variants, and an OAuth2 token cache (client-credentials and refresh-token grants).

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::client::ClientCore;
use crate::custom::{TokenKind, TokenRotation};
use crate::descriptor::{ApiKeyLocation, AuthChoice, AuthConfig, ValueRef};
use crate::error::Error;
use crate::retry::{self, SendFailure};
use crate::secret::{Secret, redact_text};

mod fetched;
use fetched::{SessionLogin, TokenGrant, oauth_credential, session_token_of};

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
    /// The refresh token to use next time (refresh-token grant only).
    refresh_token: Option<Secret>,
}

/// OAuth2 tokens by token URL and client id, fetched lazily and refreshed before expiry.
#[derive(Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<(String, String), CachedToken>>,
}

impl std::fmt::Debug for TokenCache {
    // The keys hold client ids, which dlt treats as secrets: show nothing of them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache").finish_non_exhaustive()
    }
}

/// The credential an endpoint sends, resolving secrets and fetching tokens as needed.
pub async fn credential(
    core: &ClientCore,
    choice: &AuthChoice,
    resource: &str,
) -> Result<Credential, Error> {
    let Some(config) = config_of(core, choice) else {
        return Ok(Credential::None);
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
        AuthConfig::SessionToken {
            login_url,
            username,
            password,
            token_path,
            header,
            session_token,
        } => {
            let header = http::HeaderName::from_bytes(header.as_bytes())
                .map_err(|e| Error::Invalid(format!("session token header `{header}`: {e}")))?;
            // a token the client was given is used as it is; else the client logs in
            if let Some(given) = session_token
                .as_ref()
                .and_then(|t| core.resolve(t).ok())
                .filter(|t| !t.expose().is_empty())
            {
                return Ok(Credential::Header(header, given));
            }
            let login = SessionLogin {
                name: session_token.as_ref().and_then(value_name),
                url: crate::client::join_url(core.base_url(), login_url),
                username: core.resolve(username)?,
                password: core.resolve(password)?,
                token_path,
            };
            let token = session_token_of(core, login, resource).await?;
            Ok(Credential::Header(header, token))
        }
        // Rust code: it sees the whole request, so the driver runs it (`authenticate_custom`)
        AuthConfig::Custom { .. } => Ok(Credential::None),
        AuthConfig::OAuth2ClientCredentials {
            access_token_url,
            client_id,
            client_secret,
            access_token_request_data,
            default_token_expiration_secs,
        } => {
            let grant = TokenGrant {
                url: core.token_url(access_token_url)?,
                client_id: core.resolve(client_id)?,
                client_secret: core.resolve(client_secret)?,
                grant_type: "client_credentials",
                refresh_token: None,
                refresh_token_name: None,
                extra: access_token_request_data,
                default_expiration: *default_token_expiration_secs,
            };
            oauth_credential(core, grant, resource).await
        }
        AuthConfig::OAuth2RefreshToken {
            token_url,
            client_id,
            client_secret,
            refresh_token,
            token_request_data,
            default_token_expiration_secs,
        } => {
            let grant = TokenGrant {
                url: core.token_url(token_url)?,
                client_id: core.resolve(client_id)?,
                client_secret: core.resolve(client_secret)?,
                grant_type: "refresh_token",
                refresh_token: Some(core.resolve(refresh_token)?),
                refresh_token_name: value_name(refresh_token),
                extra: token_request_data,
                default_expiration: *default_token_expiration_secs,
            };
            oauth_credential(core, grant, resource).await
        }
    }
}

/// The name of a secret or setting a value comes from.
fn value_name(value: &ValueRef) -> Option<String> {
    match value {
        ValueRef::Secret(name) | ValueRef::Config(name) => Some(name.to_string()),
        ValueRef::Literal(_) => None,
    }
}

/// The auth config an endpoint uses, if any.
pub(crate) fn config_of<'a>(
    core: &'a ClientCore,
    choice: &'a AuthChoice,
) -> Option<&'a AuthConfig> {
    match choice {
        AuthChoice::None => None,
        AuthChoice::Client => core.inner.spec.auth.as_ref(),
        AuthChoice::Endpoint(config) => Some(config),
    }
}

/// After the API refused the credential `used` with a 401: when the endpoint's credential is
/// one the client fetched (an OAuth2 token, a session login), marks it stale so that the next
/// request fetches a fresh one, and says so. A token another request has renewed meanwhile is
/// kept. `false` when there is nothing to renew (a static key, a session token the client was
/// given): the 401 stands.
pub(crate) async fn renew(core: &ClientCore, choice: &AuthChoice, used: &Credential) -> bool {
    let Some(config) = config_of(core, choice).filter(|c| c.is_refreshable()) else {
        return false;
    };
    if let AuthConfig::Custom { name } = config {
        return match core.custom_auth(name) {
            Ok(auth) => auth.renew().await,
            Err(_) => false,
        };
    }
    if let AuthConfig::SessionToken {
        session_token: Some(given),
        ..
    } = config
        && core.resolve(given).is_ok_and(|t| !t.expose().is_empty())
    {
        return false;
    }
    let used = used.secrets();
    let mut tokens = core.inner.tokens.tokens.lock().await;
    for cached in tokens.values_mut() {
        if used.contains(&cached.token) {
            cached.refresh_at = Instant::now();
        }
    }
    true
}

/// The credential an endpoint sends, checked so that it can go on the wire: a value that is
/// not a valid header value (a token read from a file with its trailing newline, say) is an
/// error rather than a request silently sent without credentials.
pub async fn checked_credential(
    core: &ClientCore,
    choice: &AuthChoice,
    resource: &str,
) -> Result<Credential, Error> {
    let credential = credential(core, choice, resource).await?;
    let invalid = |what: String| Error::Auth {
        resource: resource.to_string(),
        message: format!(
            "the credential for {what} is not a valid header value \
             (does the secret end in a newline or contain a control character?)"
        ),
    };
    match &credential {
        Credential::Header(name, value) => {
            if http::HeaderValue::from_str(value.expose()).is_err() {
                return Err(invalid(format!("header `{name}`")));
            }
        }
        Credential::Cookie(name, value) => {
            if http::HeaderValue::from_str(&format!("{name}={}", value.expose())).is_err() {
                return Err(invalid(format!("cookie `{name}`")));
            }
        }
        Credential::None | Credential::Query(..) => {}
    }
    Ok(credential)
}

impl Credential {
    /// Every secret this credential carries, for redaction: the header or cookie value as sent
    /// and, for `<scheme> <token>` values, the token alone (an OAuth2 access token is known to
    /// no one but this credential).
    pub fn secrets(&self) -> Vec<Secret> {
        match self {
            Credential::None => Vec::new(),
            Credential::Query(_, value) | Credential::Cookie(_, value) => vec![value.clone()],
            Credential::Header(_, value) => {
                let mut out = vec![value.clone()];
                if let Some((_, token)) = value.expose().split_once(' ') {
                    out.push(Secret::new(token));
                }
                out
            }
        }
    }
}

fn bearer(token: &Secret) -> Credential {
    Credential::Header(
        http::header::AUTHORIZATION,
        Secret::new(format!("Bearer {}", token.expose())),
    )
}
