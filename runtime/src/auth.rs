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

/// One OAuth2 token request: where, as whom, with which grant.
struct TokenGrant<'a> {
    url: Secret,
    client_id: Secret,
    client_secret: Secret,
    grant_type: &'static str,
    refresh_token: Option<Secret>,
    /// The spec's name of the refresh token's secret, for the rotation callback.
    refresh_token_name: Option<String>,
    extra: &'a [crate::descriptor::Param],
    default_expiration: u64,
}

/// A bearer credential from the token cache, fetching (or refreshing) the token when it is
/// missing or about to expire.
async fn oauth_credential(
    core: &ClientCore,
    grant: TokenGrant<'_>,
    resource: &str,
) -> Result<Credential, Error> {
    let key = (
        grant.url.expose().to_string(),
        grant.client_id.expose().to_string(),
    );
    let mut tokens = core.inner.tokens.tokens.lock().await;
    let cached = tokens.get(&key);
    if let Some(cached) = cached
        && Instant::now() < cached.refresh_at
    {
        return Ok(bearer(&cached.token));
    }
    // a refresh token the endpoint rotated replaces the configured one
    let refresh_token = cached
        .and_then(|c| c.refresh_token.clone())
        .or(grant.refresh_token);
    // dlt builds a dict `{client_id, client_secret, grant_type, **data}`: a field of the
    // request data replaces a default one in place instead of repeating it.
    let mut fields: Vec<(&str, &str)> = vec![
        ("client_id", grant.client_id.expose()),
        ("client_secret", grant.client_secret.expose()),
        ("grant_type", grant.grant_type),
    ];
    if let Some(token) = &refresh_token {
        fields.push(("refresh_token", token.expose()));
    }
    for param in grant.extra {
        match fields.iter_mut().find(|(k, _)| *k == param.name.as_ref()) {
            Some(field) => field.1 = &param.value,
            None => fields.push((&param.name, &param.value)),
        }
    }
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut hidden = core.secrets().to_vec();
    hidden.extend([grant.client_id.clone(), grant.client_secret.clone()]);
    hidden.extend(refresh_token.clone());
    let mut fetched = fetch_token(
        core,
        grant.url.expose(),
        form,
        grant.default_expiration,
        resource,
        &hidden,
    )
    .await
    .map_err(|message| Error::Auth {
        resource: resource.to_string(),
        message: redact_text(&message, &hidden),
    })?;
    match &fetched.refresh_token {
        None => fetched.refresh_token = refresh_token,
        // a new refresh token: the old one may be dead now, so the caller must keep this one
        Some(new) if refresh_token.as_ref() != Some(new) && grant.grant_type == "refresh_token" => {
            core.rotated(TokenRotation {
                kind: TokenKind::RefreshToken,
                name: grant.refresh_token_name.clone(),
                token: new.clone(),
            });
        }
        Some(_) => {}
    }
    let credential = bearer(&fetched.token);
    tokens.insert(key, fetched);
    Ok(credential)
}

/// One session login: where, as whom, and where the token is in the answer.
struct SessionLogin<'a> {
    /// The spec's name of the session token's secret, for the rotation callback.
    name: Option<String>,
    url: String,
    username: Secret,
    password: Secret,
    token_path: &'a crate::selector::Selector,
}

/// The session token from the cache, logging in when there is none yet. A session lasts as
/// long as the client (a login per client, not per request).
async fn session_token_of(
    core: &ClientCore,
    login: SessionLogin<'_>,
    resource: &str,
) -> Result<Secret, Error> {
    let key = (login.url.clone(), login.username.expose().to_string());
    let mut tokens = core.inner.tokens.tokens.lock().await;
    // a session lasts until the API refuses it (see `renew`)
    if let Some(cached) = tokens.get(&key)
        && Instant::now() < cached.refresh_at
    {
        return Ok(cached.token.clone());
    }
    let mut hidden = core.secrets().to_vec();
    hidden.extend([login.username.clone(), login.password.clone()]);
    let fail = |message: String| Error::Auth {
        resource: resource.to_string(),
        message: redact_text(&message, &hidden),
    };
    let body = serde_json::json!({
        "username": login.username.expose(),
        "password": login.password.expose(),
    })
    .to_string();
    let target = url::Url::parse(&login.url)
        .map_err(|e| fail(format!("session login URL does not parse: {e}")))?;
    let make = move || {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        crate::transport::request(
            http::Method::POST,
            target.clone(),
            headers,
            Some(body.clone()),
        )
    };
    let received = retry::send(&make, &core.retry(None), &|_| None, resource, 0)
        .await
        .map_err(|failure| fail(format!("session login failed: {}", describe(failure))))?;
    if !(200..300).contains(&received.status) {
        return Err(fail(format!(
            "session login answered HTTP {}",
            received.status
        )));
    }
    let answer: &serde_json::value::RawValue = serde_json::from_slice(&received.body)
        .map_err(|e| fail(format!("session login answer is not JSON: {e}")))?;
    let token = login
        .token_path
        .first_value(Some(answer))
        .ok()
        .flatten()
        .and_then(|v| match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            fail(format!(
                "session login answer has no token at `{}`",
                login.token_path
            ))
        })?;
    let token = Secret::new(token);
    core.rotated(TokenRotation {
        kind: TokenKind::SessionToken,
        name: login.name.clone(),
        token: token.clone(),
    });
    let now = Instant::now();
    tokens.insert(
        key,
        CachedToken {
            token: token.clone(),
            refresh_at: now.checked_add(FOREVER).unwrap_or(now),
            refresh_token: None,
        },
    );
    Ok(token)
}

/// A failed send in words.
fn describe(failure: SendFailure) -> String {
    match failure {
        SendFailure::Exhausted { attempts, last } => {
            format!("HTTP {} after {attempts} attempts", last.status)
        }
        SendFailure::Timeout { attempts, .. } => format!("timed out after {attempts} attempts"),
        SendFailure::Transport {
            attempts, message, ..
        } => {
            format!("{message} after {attempts} attempts")
        }
        SendFailure::Refused { message } => message,
        SendFailure::TooLarge { status, limit } => {
            format!("HTTP {status} with a body over the limit of {limit} bytes")
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

/// How much of a token endpoint's error body an auth error keeps.
const TOKEN_ERROR_SNIPPET_LEN: usize = 200;

/// Requests a token, retried like any request under the client's default policy (dlt sends it
/// through its retrying session).
async fn fetch_token(
    core: &ClientCore,
    url: &str,
    form: String,
    default_expiration: u64,
    resource: &str,
    hidden: &[Secret],
) -> Result<CachedToken, String> {
    #[derive(serde::Deserialize)]
    struct TokenResponse {
        #[serde(default)]
        access_token: Option<serde_json::Value>,
        expires_in: Option<serde_json::Value>,
        refresh_token: Option<String>,
    }
    let target = url::Url::parse(url).map_err(|e| format!("token URL does not parse: {e}"))?;
    let make = move || {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        crate::transport::request(
            http::Method::POST,
            target.clone(),
            headers,
            Some(form.clone()),
        )
    };
    // Page 0 in traces: the token request comes before any page.
    let received = retry::send(&make, &core.retry(None), &|_| None, resource, 0)
        .await
        .map_err(|failure| format!("token request failed: {}", describe(failure)))?;
    if !(200..300).contains(&received.status) {
        let body = redact_text(&String::from_utf8_lossy(&received.body), hidden);
        let mut end = body.len().min(TOKEN_ERROR_SNIPPET_LEN);
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        return Err(format!(
            "token endpoint answered HTTP {}: {}",
            received.status,
            &body[..end]
        ));
    }
    let parsed: TokenResponse = serde_json::from_slice(&received.body)
        .map_err(|e| format!("token response is not a JSON object: {e}"))?;
    // A token that is not a non-empty string (`null`, a number, an object) is a broken
    // answer: sending it would be `Authorization: Bearer null`.
    let token = match parsed.access_token {
        None => return Err("token response has no access_token (missing or null)".into()),
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s,
        Some(serde_json::Value::String(_)) => {
            return Err("token response has an empty access_token".into());
        }
        Some(other) => {
            let kind = match other {
                serde_json::Value::Bool(_) => "a boolean",
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::Array(_) => "a list",
                _ => "an object",
            };
            return Err(format!(
                "token response has an access_token that is {kind}, not a string"
            ));
        }
    };
    let lifetime = parsed
        .expires_in
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        })
        .unwrap_or(default_expiration);
    let lifetime = Duration::from_secs(lifetime);
    let margin = TOKEN_SAFETY_MARGIN.min(lifetime / 10);
    let now = Instant::now();
    // An absurd `expires_in` must not overflow the clock: such a token lives "forever".
    let refresh_at = now
        .checked_add(lifetime - margin)
        .or_else(|| now.checked_add(FOREVER))
        .unwrap_or(now);
    Ok(CachedToken {
        token: Secret::new(token),
        refresh_at,
        refresh_token: parsed.refresh_token.map(Secret::new),
    })
}

/// The lifetime of a token whose expiry is beyond the clock's range (about 30 years).
const FOREVER: Duration = Duration::from_secs(30 * 365 * 24 * 3600);
