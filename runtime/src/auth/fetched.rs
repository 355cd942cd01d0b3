//! Credentials the client fetches from the API: OAuth2 tokens (client-credentials and
//! refresh-token grants, cached and refreshed before they expire, rotated refresh tokens
//! handed to the caller) and session logins, each request retried as any request is.

use super::*;

/// One OAuth2 token request: where, as whom, with which grant.
pub(super) struct TokenGrant<'a> {
    pub(super) url: Secret,
    pub(super) client_id: Secret,
    pub(super) client_secret: Secret,
    pub(super) grant_type: &'static str,
    pub(super) refresh_token: Option<Secret>,
    /// The spec's name of the refresh token's secret, for the rotation callback.
    pub(super) refresh_token_name: Option<String>,
    pub(super) extra: &'a [crate::descriptor::Param],
    pub(super) default_expiration: u64,
}

/// A bearer credential from the token cache, fetching (or refreshing) the token when it is
/// missing or about to expire.
pub(super) async fn oauth_credential(
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
pub(super) struct SessionLogin<'a> {
    /// The spec's name of the session token's secret, for the rotation callback.
    pub(super) name: Option<String>,
    pub(super) url: String,
    pub(super) username: Secret,
    pub(super) password: Secret,
    pub(super) token_path: &'a crate::selector::Selector,
}

/// The session token from the cache, logging in when there is none yet. A session lasts as
/// long as the client (a login per client, not per request).
pub(super) async fn session_token_of(
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
