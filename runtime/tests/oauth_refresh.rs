//! OAuth2 with a refresh token (`type: oauth2` in converted Airbyte connectors): the exact
//! token request, the cached bearer, refresh on expiry with a rotated refresh token, and
//! secrets kept out of errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::*;
use restgen_runtime::ClientCore;
use restgen_runtime::descriptor::AuthConfig;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const REFRESH: &str = "rt-0riginal/+=";

fn refresh_auth(token_url: &str) -> AuthConfig {
    AuthConfig::OAuth2RefreshToken {
        token_url: literal(token_url),
        client_id: secret("client_id"),
        client_secret: secret("client_secret"),
        refresh_token: secret("refresh_token"),
        token_request_data: Cow::Owned(vec![param("scope", "read")]),
        default_token_expiration_secs: 3600,
    }
}

/// A token endpoint answering `responses` in turn (the last repeats) and an API that accepts
/// any `Bearer at-*`.
async fn server(responses: Vec<ResponseTemplate>) -> (MockServer, ClientCore) {
    let server = MockServer::start().await;
    let count = responses.len();
    for (i, response) in responses.into_iter().enumerate() {
        let mock = Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(response);
        let mock = if i + 1 < count {
            mock.up_to_n_times(1)
        } else {
            mock
        };
        mock.with_priority(1 + i as u8).mount(&server).await;
    }
    Mock::given(method("GET"))
        .and(|r: &Request| {
            header_values(r, "authorization")
                .first()
                .is_some_and(|v| v.starts_with(b"Bearer at-"))
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}])))
        .mount(&server)
        .await;
    let s = spec(
        &server.uri(),
        Some(refresh_auth(&format!("{}/token", server.uri()))),
        vec![
            secret_value("client_id", true),
            secret_value("client_secret", true),
            secret_value("refresh_token", true),
        ],
    );
    let core = client(
        &s,
        &[
            ("client_id", "cid"),
            ("client_secret", "csecret"),
            ("refresh_token", REFRESH),
        ],
    );
    (server, core)
}

fn token(access: &str, expires_in: u64, rotated: Option<&str>) -> ResponseTemplate {
    let mut body = json!({"access_token": access, "expires_in": expires_in});
    if let Some(rotated) = rotated {
        body["refresh_token"] = json!(rotated);
    }
    ResponseTemplate::new(200).set_body_json(body)
}

fn token_bodies(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.url.path() == "/token")
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect()
}

#[tokio::test]
async fn the_token_request_uses_the_refresh_token_grant_and_the_token_is_cached() {
    let (server, core) = server(vec![token("at-1", 3600, None)]).await;
    for _ in 0..2 {
        records(request(&core, resource("r", "/r"))).await.unwrap();
    }
    let sent = received(&server).await;
    assert_eq!(
        token_bodies(&sent),
        [
            "client_id=cid&client_secret=csecret&grant_type=refresh_token\
          &refresh_token=rt-0riginal%2F%2B%3D&scope=read"
        ],
        "one token call for two requests"
    );
    let api: Vec<_> = sent.iter().filter(|r| r.url.path() == "/r").collect();
    assert_eq!(api.len(), 2);
    for r in api {
        assert_eq!(
            header_values(r, "authorization"),
            [b"Bearer at-1".as_slice()]
        );
    }
}

#[tokio::test]
async fn an_expired_token_is_refreshed_with_the_rotated_refresh_token() {
    // expires_in 0: the token must be refreshed before the next request
    let (server, core) = server(vec![
        token("at-1", 0, Some("rt-rotated")),
        token("at-2", 3600, None),
    ])
    .await;
    for _ in 0..2 {
        records(request(&core, resource("r", "/r"))).await.unwrap();
    }
    let bodies = token_bodies(&received(&server).await);
    assert_eq!(bodies.len(), 2);
    assert!(
        bodies[0].contains("refresh_token=rt-0riginal"),
        "{}",
        bodies[0]
    );
    assert!(
        bodies[1].contains("refresh_token=rt-rotated"),
        "{}",
        bodies[1]
    );
}

#[tokio::test]
async fn a_rejected_refresh_token_is_an_auth_error_without_secrets() {
    let (_server, core) =
        server(vec![ResponseTemplate::new(400).set_body_string(format!(
            "invalid_grant: {REFRESH} for client csecret"
        ))])
        .await;
    let err = records(request(&core, resource("r", "/r")))
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("400"), "{shown}");
    for secret in [REFRESH, "csecret"] {
        assert!(!shown.contains(secret), "`{secret}` leaked: {shown}");
    }
}

#[tokio::test]
async fn an_access_token_that_is_null_missing_or_not_a_string_is_an_auth_error() {
    for body in [
        json!({"access_token": null, "expires_in": 3600}),
        json!({"token_type": "bearer"}),
        json!({"access_token": 12345}),
        json!({"access_token": ""}),
    ] {
        let (server, core) = server(vec![ResponseTemplate::new(200).set_body_json(&body)]).await;
        let err = records(request(&core, resource("r", "/r")))
            .await
            .unwrap_err();
        assert!(
            matches!(err, restgen_runtime::Error::Auth { .. }),
            "{body}: {err:?}"
        );
        let api = received(&server).await;
        assert!(
            api.iter().all(|r| r.url.path() == "/token"),
            "{body}: a request went out with a broken token"
        );
    }
}

/// An API that refuses `Bearer at-1` (revoked early) and accepts any other token.
async fn refuse_first_token(server: &MockServer) {
    Mock::given(method("GET"))
        .and(exact_header("authorization", "Bearer at-1"))
        .respond_with(ResponseTemplate::new(401).set_body_string("token revoked"))
        .with_priority(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_401_renews_the_token_once_and_retries_the_request() {
    let (server, core) = server(vec![
        token("at-1", 3600, Some("rt-rotated")),
        token("at-2", 3600, None),
    ])
    .await;
    refuse_first_token(&server).await;

    let records = records(request(&core, resource("r", "/r"))).await.unwrap();

    assert_eq!(records, vec![json!({"id": 1})]);
    let sent = received(&server).await;
    let bodies = token_bodies(&sent);
    assert_eq!(bodies.len(), 2, "one renewal");
    assert!(
        bodies[1].contains("refresh_token=rt-rotated"),
        "{}",
        bodies[1]
    );
    let api: Vec<_> = sent.iter().filter(|r| r.url.path() == "/r").collect();
    assert_eq!(api.len(), 2, "one retry of the request");
    assert_eq!(
        header_values(api[1], "authorization"),
        [b"Bearer at-2".as_slice()]
    );
}

#[tokio::test]
async fn a_401_that_persists_renews_once_then_fails() {
    let (server, core) = server(vec![token("at-1", 3600, None), token("at-2", 3600, None)]).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .with_priority(1)
        .mount(&server)
        .await;

    let err = records(request(&core, resource("r", "/r")))
        .await
        .unwrap_err();

    assert_eq!(err.status(), Some(401));
    let sent = received(&server).await;
    assert_eq!(token_bodies(&sent).len(), 2, "one renewal, not a loop");
    assert_eq!(sent.iter().filter(|r| r.url.path() == "/r").count(), 2);
}

#[tokio::test]
async fn a_401_on_a_static_key_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let s = spec(
        &server.uri(),
        Some(AuthConfig::Bearer {
            token: secret("tok"),
        }),
        vec![secret_value("tok", true)],
    );
    let core = client(&s, &[("tok", "static-token")]);

    let err = records(request(&core, resource("r", "/r")))
        .await
        .unwrap_err();

    assert_eq!(err.status(), Some(401));
    assert_eq!(received(&server).await.len(), 1);
}
