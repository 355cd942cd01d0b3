//! OAuth2 client credentials on the wire: the token request's exact form, the token cached
//! across pages and refreshed before it expires, and a failed or absurd token answer as an
//! auth error that shows no secret; the token call retried like any request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;
use std::time::Duration;

use common::*;
use restgen_runtime::descriptor::AuthConfig;
use restgen_runtime::{ClientCore, Error, serde_json};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn oauth(token_url: &str) -> AuthConfig {
    AuthConfig::OAuth2ClientCredentials {
        access_token_url: literal(token_url),
        client_id: secret("client_id"),
        client_secret: secret("client_secret"),
        access_token_request_data: Cow::Owned(vec![param("scope", "read write")]),
        default_token_expiration_secs: 3600,
    }
}

const CLIENT_SECRET: &str = "cl1ent-s3cret&=!";

/// A server with a token endpoint answering `tokens` in turn (the last one repeats) and an
/// API that answers 200 to `Bearer <any token it issued>`.
async fn oauth_server(tokens: &[(&'static str, u64)]) -> (MockServer, ClientCore) {
    let server = MockServer::start().await;
    for (i, (token, expires_in)) in tokens.iter().enumerate() {
        let mock = Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"access_token": token, "token_type": "bearer", "expires_in": expires_in}),
            ));
        let mock = if i + 1 < tokens.len() {
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
    let token_url = format!("{}/oauth/token", server.uri());
    let s = spec(
        &server.uri(),
        Some(oauth(&token_url)),
        vec![
            secret_value("client_id", true),
            secret_value("client_secret", true),
        ],
    );
    let core = client(
        &s,
        &[("client_id", "my-client"), ("client_secret", CLIENT_SECRET)],
    );
    (server, core)
}

fn token_calls(requests: &[Request]) -> usize {
    requests
        .iter()
        .filter(|r| r.url.path() == "/oauth/token")
        .count()
}

fn api_auth(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.url.path() != "/oauth/token")
        .map(|r| String::from_utf8_lossy(header_values(r, "authorization")[0]).into_owned())
        .collect()
}

#[tokio::test]
async fn oauth2_token_request_has_the_exact_form() {
    let (server, core) = oauth_server(&[("at-1", 3600)]).await;
    records(request(&core, resource("r", "/r"))).await.unwrap();
    let sent = received(&server).await;
    let token = &sent[0];
    assert_eq!(token.method.as_str(), "POST");
    assert_eq!(token.url.path(), "/oauth/token");
    assert_header(token, "content-type", "application/x-www-form-urlencoded");
    assert_eq!(
        String::from_utf8(token.body.clone()).unwrap(),
        "client_id=my-client&client_secret=cl1ent-s3cret%26%3D%21&grant_type=client_credentials&scope=read+write"
    );
    assert!(token.headers.get("authorization").is_none());
    assert_header(&sent[1], "authorization", "Bearer at-1");
}

#[tokio::test]
async fn oauth2_request_data_overrides_a_default_field_in_place() {
    // dlt builds the form as a dict: `{client_id, client_secret, grant_type, **data}`, so a
    // `grant_type` in the request data replaces the default rather than repeating it.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "at-1"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let auth = AuthConfig::OAuth2ClientCredentials {
        access_token_url: literal(&format!("{}/token", server.uri())),
        client_id: literal("id"),
        client_secret: literal("sec"),
        access_token_request_data: Cow::Owned(vec![
            param("audience", "api"),
            param("grant_type", "urn:custom"),
        ]),
        default_token_expiration_secs: 3600,
    };
    let core = client(&spec(&server.uri(), Some(auth), vec![]), &[]);
    records(request(&core, resource("r", "/r"))).await.unwrap();
    let sent = received(&server).await;
    assert_eq!(
        String::from_utf8(sent[0].body.clone()).unwrap(),
        "client_id=id&client_secret=sec&grant_type=urn%3Acustom&audience=api"
    );
}

#[tokio::test]
async fn oauth2_token_is_cached_across_pages_and_requests() {
    let (server, core) = oauth_server(&[("at-1", 3600), ("at-2", 3600)]).await;
    Mock::given(path("/p1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": [1], "next": format!("{}/p2", server.uri())})),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [2]})))
        .with_priority(1)
        .mount(&server)
        .await;
    records(request(&core, json_link("r", "/p1")))
        .await
        .unwrap();
    records(request(&core, resource("r", "/r"))).await.unwrap();
    // A clone of the client shares the cache.
    records(request(&core.clone(), resource("r", "/r")))
        .await
        .unwrap();
    let sent = received(&server).await;
    assert_eq!(token_calls(&sent), 1);
    assert_eq!(api_auth(&sent), ["Bearer at-1"; 4]);
}

#[tokio::test(start_paused = true)]
async fn oauth2_token_is_refreshed_before_it_expires() {
    // expires_in 100 s: refreshed 10 s early (a tenth of the lifetime, at most 30 s).
    let (server, core) = oauth_server(&[("at-1", 100), ("at-2", 100)]).await;
    let (_, trace) = run_paused({
        let core = core.clone();
        async move {
            records(request(&core, resource("r", "/r"))).await.unwrap();
            tokio::time::advance(Duration::from_secs(89)).await;
            records(request(&core, resource("r", "/r"))).await.unwrap();
            tokio::time::advance(Duration::from_secs(2)).await;
            records(request(&core, resource("r", "/r"))).await.unwrap();
            records(request(&core, resource("r", "/r"))).await.unwrap();
        }
    })
    .await;
    assert_secs(trace.elapsed, 91.0);
    let sent = received(&server).await;
    assert_eq!(token_calls(&sent), 2);
    assert_eq!(
        api_auth(&sent),
        ["Bearer at-1", "Bearer at-1", "Bearer at-2", "Bearer at-2"]
    );
}

#[tokio::test(start_paused = true)]
async fn oauth2_without_expires_in_uses_the_default_lifetime() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "at-1"})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "at-2"})))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let auth = AuthConfig::OAuth2ClientCredentials {
        access_token_url: literal(&format!("{}/token", server.uri())),
        client_id: literal("id"),
        client_secret: literal("sec"),
        access_token_request_data: Cow::Borrowed(&[]),
        default_token_expiration_secs: 600,
    };
    let core = client(&spec(&server.uri(), Some(auth), vec![]), &[]);
    run_paused({
        let core = core.clone();
        async move {
            records(request(&core, resource("r", "/r"))).await.unwrap();
            // 600 s lifetime, refreshed 30 s early.
            tokio::time::advance(Duration::from_secs(569)).await;
            records(request(&core, resource("r", "/r"))).await.unwrap();
            tokio::time::advance(Duration::from_secs(2)).await;
            records(request(&core, resource("r", "/r"))).await.unwrap();
        }
    })
    .await;
    let sent = received(&server).await;
    let auth: Vec<_> = sent
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .map(|r| header_values(r, "authorization")[0].to_vec())
        .collect();
    assert_eq!(
        auth,
        [
            b"Bearer at-1".to_vec(),
            b"Bearer at-1".to_vec(),
            b"Bearer at-2".to_vec()
        ]
    );
}

#[tokio::test]
async fn oauth2_a_failed_token_call_is_an_auth_error_without_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_string(format!(
            "{{\"error\":\"invalid_client\",\"client_secret\":\"{CLIENT_SECRET}\"}}"
        )))
        .mount(&server)
        .await;
    let token_url = format!("{}/oauth/token", server.uri());
    let s = spec(
        &server.uri(),
        Some(oauth(&token_url)),
        vec![
            secret_value("client_id", true),
            secret_value("client_secret", true),
        ],
    );
    let core = client(
        &s,
        &[("client_id", "my-client"), ("client_secret", CLIENT_SECRET)],
    );
    let err = records(request(&core, resource("things", "/r")))
        .await
        .unwrap_err();
    match &err {
        Error::Auth { resource, message } => {
            assert_eq!(resource, "things");
            assert!(message.contains("401"), "{message}");
        }
        other => panic!("expected Auth, got {other:?}"),
    }
    for shown in [format!("{err}"), format!("{err:?}")] {
        assert!(shown.contains("things"), "{shown}");
        assert!(!shown.contains(CLIENT_SECRET), "{shown}");
        assert!(!shown.contains("cl1ent-s3cret"), "{shown}");
    }
    let sent = received(&server).await;
    assert_eq!(sent.len(), 1, "no API request without a token");
}

#[tokio::test]
async fn oauth2_a_token_response_without_access_token_is_an_auth_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"token": "x"})))
        .mount(&server)
        .await;
    let auth = oauth(&format!("{}/oauth/token", server.uri()));
    let core = client(
        &spec(&server.uri(), Some(auth), vec![]),
        &[("client_id", "my-client"), ("client_secret", CLIENT_SECRET)],
    );
    let err = records(request(&core, resource("things", "/r")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth { resource, .. } if resource == "things"),
        "{err:?}"
    );
}

#[tokio::test]
async fn oauth2_an_absurd_expires_in_does_not_panic() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "at-1", "expires_in": u64::MAX})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let auth = oauth(&format!("{}/oauth/token", server.uri()));
    let core = client(
        &spec(&server.uri(), Some(auth), vec![]),
        &[("client_id", "my-client"), ("client_secret", CLIENT_SECRET)],
    );
    records(request(&core, resource("r", "/r"))).await.unwrap();
    records(request(&core, resource("r", "/r"))).await.unwrap();
    assert_eq!(token_calls(&received(&server).await), 1);
}

#[tokio::test(start_paused = true)]
async fn oauth2_the_token_call_is_retried_like_any_request() {
    // dlt sends the token request through its retrying session.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "at-1"})))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}])))
        .mount(&server)
        .await;
    let auth = oauth(&format!("{}/oauth/token", server.uri()));
    let core = client(
        &spec(&server.uri(), Some(auth), vec![]),
        &[("client_id", "my-client"), ("client_secret", CLIENT_SECRET)],
    );
    let (result, trace) = run_paused(records(request(&core, resource("r", "/r")))).await;
    assert_eq!(result.unwrap().len(), 1);
    assert_eq!(trace.waits, [1.0]);
    let sent = received(&server).await;
    assert_eq!(sent.len(), 3);
    assert_header(&sent[2], "authorization", "Bearer at-1");
}
