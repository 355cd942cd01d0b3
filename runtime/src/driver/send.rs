//! Sending one page request: headers, credentials (and headers, query values and bodies that
//! carry a secret) for the API's own origin only, the retry policy, one credential renewal on
//! a 401, and redirects followed hop by hop. Independent of every other page, so the pipeline
//! can have the next pages' requests in flight while it decodes the current one.

use std::borrow::Cow;

use crate::auth::{Credential, checked_credential, renew};
use crate::client::ClientCore;
use crate::custom::{AuthRequest, authenticate_custom};
use crate::descriptor::ResourceDescriptor;
use crate::error::{Error, Location};
use crate::hooks::HookSite;
use crate::retry::{self, Received, SendFailure};
use crate::scan::{Located, ScanPlan};
use crate::secret::{Secret, is_credential_name, redact_text, redact_url};

use crate::placeholders::fill_placeholders;

/// How many bytes of an error body an error keeps.
const BODY_SNIPPET_LEN: usize = 512;

/// How many redirects one page request follows (reqwest's default limit).
const MAX_REDIRECTS: usize = 10;

/// What every request of one run shares.
pub(crate) struct Shared {
    pub(crate) core: ClientCore,
    pub(crate) descriptor: Cow<'static, ResourceDescriptor>,
    /// Placeholder values: the call's arguments and the incremental values.
    pub(crate) args: Vec<(String, serde_json::Value)>,
    /// The API's origin: only requests to it carry credentials.
    pub(crate) origin: url::Origin,
}

impl std::fmt::Debug for Shared {
    // `args` holds the client's secrets (`secrets.<name>`): names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.args.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Shared")
            .field("core", &self.core)
            .field("resource", &self.descriptor.name)
            .field("args", &names)
            .field("origin", &self.origin)
            .finish()
    }
}

/// One request to send: the URL (query included) and JSON body the paginator left.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outgoing {
    pub(crate) url: url::Url,
    pub(crate) json: Option<serde_json::Value>,
    /// The page number this request fetches, counting from 1.
    pub(crate) page: usize,
}

/// A response read to the end, with what errors about it must show and hide.
#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) received: Received,
    /// The request URL, redacted.
    pub(crate) shown: String,
    /// Where errors about this page point.
    pub(crate) at: Location,
    /// The client's secrets and the credentials sent.
    pub(crate) hidden: Vec<Secret>,
    /// The records and paging fields, when the page was scanned where it was received.
    pub(crate) located: Option<Located>,
}

/// Sends `out` under the resource's retry policy, following redirects. With a `plan`, a
/// successful page is scanned here (see `scan`), so the task that reads pages in order finds
/// its records and paging values located.
pub(crate) async fn send(
    shared: &Shared,
    out: Outgoing,
    plan: Option<&ScanPlan>,
) -> Result<Sent, Error> {
    let core = &shared.core;
    let d = &shared.descriptor;
    let url = out.url;
    let shown = redact_url(&url, core.secrets());
    let at = Location::new(d.name.as_ref(), out.page, shown.clone());
    let mut hidden = core.secrets().to_vec();
    let headers = SpecHeaders::of(shared, &hidden)?;
    let retry = core.retry(d.retry.as_ref());
    let mut method = d.method.as_http();
    let mut body = out.json.as_ref().map(|j| j.to_string());
    // A body built from a secret goes to the API's origin only, as its auth does.
    let body_pinned = d
        .json_body
        .as_deref()
        .is_some_and(|template| template.contains(SECRET_PLACEHOLDER))
        || body
            .as_deref()
            .is_some_and(|text| carries_secret(text, &hidden));
    let mut target = url;
    let mut hops = 0;
    let mut renewed = false;
    // Redirects are followed here, not by reqwest, so that each hop gets credentials only
    // if it goes to the API's own origin (reqwest would forward e.g. `X-Api-Key` anywhere).
    let received = loop {
        // Credentials, and headers, query values and bodies that carry a secret, go only to
        // the API's own origin: a next link or a redirect to another host gets none.
        let home = target.origin() == shared.origin;
        let credential = if home {
            checked_credential(core, &d.auth, &d.name).await?
        } else {
            Credential::None
        };
        hidden.extend(credential.secrets());
        let mut sent_url = target.clone();
        if !home {
            drop_secret_query(&mut sent_url, &hidden);
        }
        let mut sent_headers = headers.for_hop(home);
        credential.apply(&mut sent_url, &mut sent_headers);
        let hop_body = body.clone().filter(|_| home || !body_pinned);
        if body.is_some() && hop_body.is_none() {
            tracing::debug!(resource = %d.name, page = out.page, "JSON body carries a secret: not sent to another origin");
        }
        if home {
            // a custom auth (Rust code the builder was given) sees the request as it goes
            let mut request = AuthRequest {
                resource: d.name.to_string(),
                method: method.clone(),
                url: sent_url,
                headers: sent_headers,
                body: hop_body.clone(),
            };
            hidden.extend(authenticate_custom(core, &d.auth, &mut request).await?);
            sent_url = request.url;
            sent_headers = request.headers;
        }
        if hop_body.is_some() {
            sent_headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
        }
        let hop_method = method.clone();
        let make = move || {
            crate::transport::request(
                hop_method.clone(),
                sent_url.clone(),
                sent_headers.clone(),
                hop_body.clone(),
            )
        };
        let rules = |r: &retry::Received| {
            crate::rules::ruling(&d.response_actions, r.status, &r.headers, &r.body)
        };
        let hop_retry = retry::Retry {
            hooks: Some(HookSite {
                hooks: &core.inner.hooks,
                same_origin: home,
                secrets: &hidden,
                shown: &shown,
            }),
            ..retry.clone()
        };
        let received = retry::send(&make, &hop_retry, &rules, &d.name, out.page)
            .await
            .map_err(|failure| send_error(failure, &at, &hidden))?;
        // A refused token may have been revoked or expired early: one fresh token and one
        // more try of this request, never a loop.
        if received.status == 401
            && home
            && !renewed
            && rules(&received).is_none()
            && renew(core, &d.auth, &credential).await
        {
            renewed = true;
            tracing::debug!(resource = %d.name, page = out.page, "401: renewing the credential once");
            continue;
        }
        match redirect_target(&received, &target) {
            Some(next) if hops < MAX_REDIRECTS => {
                hops += 1;
                // As browsers and reqwest do: 303 always, and 301/302 after a POST, become
                // a GET without a body.
                if received.status == 303
                    || (matches!(received.status, 301 | 302) && method == reqwest::Method::POST)
                {
                    method = reqwest::Method::GET;
                    body = None;
                }
                target = next;
            }
            // Past the limit, the redirect is reported as the status it is.
            _ => break received,
        }
    };
    let located = plan
        .filter(|_| (200..300).contains(&received.status))
        .and_then(|plan| plan.locate(&received.body));
    Ok(Sent {
        received,
        shown,
        at,
        hidden,
        located,
    })
}

/// How a template names a secret of the client.
const SECRET_PLACEHOLDER: &str = "{secrets.";

/// The spec's headers (client, then endpoint, which wins) with their placeholders filled,
/// and which of them go to the API's origin only.
struct SpecHeaders {
    all: http::HeaderMap,
    pinned: Vec<http::HeaderName>,
}

impl SpecHeaders {
    /// A header is pinned to the API's origin when it carries a secret (a `{secrets.*}`
    /// placeholder, or a secret's value) or its name says it is a credential
    /// (`Authorization`, `X-Api-Key`, ...). Other static headers (`Accept`, an API version)
    /// go to every hop, as dlt's session headers do.
    fn of(shared: &Shared, secrets: &[Secret]) -> Result<Self, Error> {
        let core = &shared.core;
        let mut all = http::HeaderMap::new();
        let mut pinned = Vec::new();
        for param in core
            .inner
            .spec
            .headers
            .iter()
            .chain(shared.descriptor.headers.iter())
        {
            let value = fill_placeholders(&param.value, &shared.args, false)?;
            let name = http::HeaderName::from_bytes(param.name.as_bytes())
                .map_err(|e| Error::Invalid(format!("header `{}`: {e}", param.name)))?;
            let secret = param.value.contains(SECRET_PLACEHOLDER)
                || carries_secret(&value, secrets)
                || is_credential_name(name.as_str());
            let mut value = http::HeaderValue::from_str(&value)
                .map_err(|e| Error::Invalid(format!("header `{}`: {e}", param.name)))?;
            pinned.retain(|n| n != name);
            if secret {
                value.set_sensitive(true);
                pinned.push(name.clone());
            }
            all.insert(name, value);
        }
        Ok(SpecHeaders { all, pinned })
    }

    /// The headers a hop carries: all at the API's origin, the unpinned ones elsewhere.
    fn for_hop(&self, home: bool) -> http::HeaderMap {
        let mut headers = self.all.clone();
        if !home {
            for name in &self.pinned {
                headers.remove(name);
            }
        }
        headers
    }
}

/// Whether `text` holds the value of a secret, as it is or escaped in a JSON string.
fn carries_secret(text: &str, secrets: &[Secret]) -> bool {
    secrets.iter().any(|secret| {
        let value = secret.expose();
        if value.is_empty() {
            return false;
        }
        if text.contains(value) {
            return true;
        }
        let escaped = serde_json::Value::String(value.to_string()).to_string();
        escaped
            .get(1..escaped.len().saturating_sub(1))
            .is_some_and(|inner| !inner.is_empty() && inner != value && text.contains(inner))
    })
}

/// Removes the query pairs whose value holds a secret from a URL going to another origin (a
/// next link or redirect that echoes the API's key).
fn drop_secret_query(url: &mut url::Url, secrets: &[Secret]) {
    if url.query().is_none() {
        return;
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(_, v)| !carries_secret(v, secrets))
        .collect();
    if kept.len() == pairs.len() {
        return;
    }
    tracing::debug!("query values carrying a secret are not sent to another origin");
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
}

fn send_error(failure: SendFailure, at: &Location, secrets: &[Secret]) -> Error {
    match failure {
        SendFailure::Exhausted { attempts, last } => Error::RetriesExhausted {
            at: at.clone(),
            attempts,
            last: format!("HTTP {}: {}", last.status, snippet(&last.body, secrets)),
            source: None,
        },
        SendFailure::Timeout { attempts, source } => Error::Timeout {
            at: at.clone(),
            attempts,
            source,
        },
        SendFailure::Transport {
            attempts,
            message,
            source,
        } => Error::RetriesExhausted {
            at: at.clone(),
            attempts,
            last: redact_text(&message, secrets),
            source,
        },
        SendFailure::TooLarge { status, limit } => Error::BodyTooLarge {
            at: at.clone(),
            status,
            limit,
        },
        SendFailure::Refused { message } => Error::Refused {
            at: at.clone(),
            message: redact_text(&message, secrets),
        },
    }
}

/// The start of a body for an error, redacted. Redaction comes first, so that a secret cut in
/// two by the length limit is not shown in part.
pub(crate) fn snippet(body: &[u8], secrets: &[Secret]) -> String {
    let text = redact_text(&String::from_utf8_lossy(body), secrets);
    let mut end = text.len().min(BODY_SNIPPET_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// The URL a redirect response points at, resolved against the request URL.
fn redirect_target(received: &Received, from: &url::Url) -> Option<url::Url> {
    if !matches!(received.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = received
        .headers
        .get(http::header::LOCATION)?
        .to_str()
        .ok()?;
    let next = from.join(location.trim()).ok()?;
    matches!(next.scheme(), "http" | "https").then_some(next)
}
