//! Secret values and redaction: secrets never appear in Debug output, errors, logs or URLs
//! shown to users.

use std::fmt;

/// A secret value. Its `Debug` prints `Secret(***)`; it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Query keys whose values dlt redacts in logs and errors.
pub const SENSITIVE_QUERY_KEYS: &[&str] = &[
    "api_key",
    "token",
    "key",
    "access_token",
    "apikey",
    "api-key",
    "access-token",
    "secret",
    "password",
    "pwd",
    "client_secret",
];

/// Whether `key` is one of [`SENSITIVE_QUERY_KEYS`], in any case.
pub(crate) fn is_sensitive_key(key: &str) -> bool {
    SENSITIVE_QUERY_KEYS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(key))
}

/// Words in a header name that make it a credential (`Authorization`, `X-Api-Key`,
/// `X-Auth-Token`, `Cookie`, ...), whose value goes to the API's origin only even when the
/// spec writes it as a literal.
const CREDENTIAL_NAME_PARTS: &[&str] = &[
    "auth",
    "token",
    "key",
    "secret",
    "password",
    "session",
    "signature",
    "cookie",
];

/// Whether a header name looks like it carries a credential.
pub fn is_credential_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    CREDENTIAL_NAME_PARTS.iter().any(|part| name.contains(part))
}

/// What replaces a secret in anything shown to users.
pub const REDACTED: &str = "***";

/// Replaces the values of sensitive query keys in `url` and every occurrence of a secret.
pub fn redact_url(url: &url::Url, secrets: &[Secret]) -> String {
    let mut shown = url.clone();
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_sensitive_key(&k) {
                    REDACTED.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    if !shown.username().is_empty() {
        let _ = shown.set_username(REDACTED);
    }
    if shown.password().is_some() {
        let _ = shown.set_password(Some(REDACTED));
    }
    redact_text(shown.as_str(), secrets)
}

/// Replaces every occurrence of a secret value (and its URL-encoded form) in `text`.
pub fn redact_text(text: &str, secrets: &[Secret]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        let value = secret.expose();
        if value.len() < 3 {
            continue;
        }
        out = out.replace(value, REDACTED);
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        if encoded != value {
            out = out.replace(&encoded, REDACTED);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_value() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }

    #[test]
    fn url_redaction() {
        let url = url::Url::parse("https://a.b/x?api_key=K1&page=2&q=s3cr3t value").unwrap();
        let shown = redact_url(&url, &[Secret::new("s3cr3t value")]);
        assert_eq!(shown, "https://a.b/x?api_key=***&page=2&q=***");
    }
}
