//! Credentials on the wire, byte for byte, for every auth kind: bearer, api_key in a header,
//! query or cookie, http_basic, per-endpoint overrides, and a mock that rejects anything but
//! the exact bytes. OAuth2's token requests are in `auth_oauth2.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::*;
use restgen_runtime::descriptor::{ApiKeyLocation, AuthChoice, AuthConfig, ResourceDescriptor};
use restgen_runtime::{ClientCore, Error, serde_json};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn bearer() -> AuthConfig {
    AuthConfig::Bearer {
        token: secret("token"),
    }
}

fn api_key(name: &str, location: ApiKeyLocation, prefix: &str) -> AuthConfig {
    AuthConfig::ApiKey {
        name: Cow::Owned(name.to_string()),
        api_key: secret("api_key"),
        location,
        prefix: Cow::Owned(prefix.to_string()),
    }
}

fn basic(password: Option<&str>) -> AuthConfig {
    AuthConfig::HttpBasic {
        username: secret("username"),
        password: match password {
            Some(_) => secret("password"),
            None => literal(""),
        },
    }
}

/// A server answering `[{"id":1}]` to anything, and a client with `auth` and the values.
async fn serve(auth: Option<AuthConfig>, values: &[(&str, &str)]) -> (MockServer, ClientCore) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}])))
        .mount(&server)
        .await;
    let declared = values
        .iter()
        .map(|(name, _)| secret_value(name, true))
        .collect();
    let core = client(&spec(&server.uri(), auth, declared), values);
    (server, core)
}

/// Runs one single-page request and returns what the server received.
async fn one_request(
    core: &ClientCore,
    descriptor: ResourceDescriptor,
    server: &MockServer,
) -> Request {
    records(request(core, descriptor)).await.unwrap();
    let mut requests = received(server).await;
    assert_eq!(requests.len(), 1);
    requests.remove(0)
}

#[tokio::test]
async fn bearer_sends_the_token() {
    let (server, core) = serve(Some(bearer()), &[("token", "tok-123")]).await;
    let sent = one_request(&core, resource("r", "/r"), &server).await;
    assert_header(&sent, "authorization", "Bearer tok-123");
    assert!(sent.headers.get("cookie").is_none());
    assert_eq!(sent.url.query(), None);
}

#[tokio::test]
async fn case_23_api_key_header_defaults_to_the_raw_key_in_authorization() {
    let auth = api_key("Authorization", ApiKeyLocation::Header, "");
    let (server, core) = serve(Some(auth), &[("api_key", "K-123")]).await;
    let sent = one_request(&core, resource("r", "/r"), &server).await;
    assert_header(&sent, "authorization", "K-123");
}

#[tokio::test]
async fn api_key_header_with_a_custom_name() {
    let auth = api_key("X-API-Key", ApiKeyLocation::Header, "");
    let (server, core) = serve(Some(auth), &[("api_key", "K-123")]).await;
    let sent = one_request(&core, resource("r", "/r"), &server).await;
    assert_header(&sent, "x-api-key", "K-123");
    assert!(sent.headers.get("authorization").is_none());
}

#[tokio::test]
async fn api_key_header_with_a_prefix() {
    let auth = api_key("Authorization", ApiKeyLocation::Header, "GenieKey ");
    let (server, core) = serve(Some(auth), &[("api_key", "K-123")]).await;
    let sent = one_request(&core, resource("r", "/r"), &server).await;
    assert_header(&sent, "authorization", "GenieKey K-123");
}

#[tokio::test]
async fn case_23_api_key_in_query_comes_after_the_other_params() {
    let auth = api_key("api_key", ApiKeyLocation::Query, "");
    let (server, core) = serve(Some(auth), &[("api_key", "K-123")]).await;
    let descriptor = ResourceDescriptor {
        params: Cow::Owned(vec![param("a", "1")]),
        ..resource("r", "/r")
    };
    let sent = one_request(&core, descriptor, &server).await;
    assert_eq!(sent.url.query(), Some("a=1&api_key=K-123"));
    assert!(sent.headers.get("authorization").is_none());
}

#[tokio::test]
async fn api_key_in_query_after_extra_params_and_encoded() {
    let auth = api_key("key", ApiKeyLocation::Query, "");
    let (server, core) = serve(Some(auth), &[("api_key", "a b&c")]).await;
    let descriptor = ResourceDescriptor {
        params: Cow::Owned(vec![param("a", "1")]),
        ..resource("r", "/r")
    };
    records(request(&core, descriptor).param("b", "2"))
        .await
        .unwrap();
    let sent = &received(&server).await[0];
    assert_eq!(sent.url.query(), Some("a=1&b=2&key=a+b%26c"));
}

#[tokio::test]
async fn case_23_deviation_12_api_key_in_a_cookie() {
    let auth = api_key("session", ApiKeyLocation::Cookie, "");
    let (server, core) = serve(Some(auth), &[("api_key", "K-123")]).await;
    let sent = one_request(&core, resource("r", "/r"), &server).await;
    assert_header(&sent, "cookie", "session=K-123");
    assert!(sent.headers.get("authorization").is_none());
    assert_eq!(sent.url.query(), None);
}

#[tokio::test]
async fn http_basic_with_a_password() {
    let (server, core) = serve(
        Some(basic(Some("p"))),
        &[("username", "user"), ("password", "pa:ss")],
    )
    .await;
    let sent = one_request(&core, resource("r", "/r"), &server).await;
    // base64("user:pa:ss")
    assert_header(&sent, "authorization", "Basic dXNlcjpwYTpzcw==");
}

#[tokio::test]
async fn http_basic_with_an_empty_password() {
    let (server, core) = serve(Some(basic(None)), &[("username", "u")]).await;
    let sent = one_request(&core, resource("r", "/r"), &server).await;
    // base64("u:")
    assert_header(&sent, "authorization", "Basic dTo=");
}

#[tokio::test]
async fn case_23_an_endpoint_auth_replaces_the_client_auth() {
    let (server, core) = serve(Some(bearer()), &[("token", "client-token")]).await;
    let descriptor = ResourceDescriptor {
        auth: AuthChoice::Endpoint(AuthConfig::HttpBasic {
            username: literal("U"),
            password: literal("P"),
        }),
        ..resource("r", "/r")
    };
    let sent = one_request(&core, descriptor, &server).await;
    // dlt's test_auth_overwrites_for_specific_endpoints
    assert_header(&sent, "authorization", "Basic VTpQ");
}

#[tokio::test]
async fn auth_none_sends_no_credentials() {
    let (server, core) = serve(Some(bearer()), &[("token", "client-token")]).await;
    let descriptor = ResourceDescriptor {
        auth: AuthChoice::None,
        ..resource("r", "/r")
    };
    let sent = one_request(&core, descriptor, &server).await;
    assert!(sent.headers.get("authorization").is_none());
    assert!(sent.headers.get("cookie").is_none());
    assert_eq!(sent.url.query(), None);
}

#[tokio::test]
async fn no_client_auth_sends_no_credentials() {
    let (server, core) = serve(None, &[]).await;
    let sent = one_request(&core, resource("r", "/r"), &server).await;
    assert!(sent.headers.get("authorization").is_none());
}

#[tokio::test]
async fn credentials_are_sent_on_every_page() {
    let (server, core) = serve(Some(bearer()), &[("token", "tok")]).await;
    server.reset().await;
    Mock::given(path("/p1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": [1], "next": format!("{}/p2", server.uri())})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [2]})))
        .mount(&server)
        .await;
    let got = records(request(&core, json_link("r", "/p1")))
        .await
        .unwrap();
    assert_eq!(got, vec![json!(1), json!(2)]);
    let sent = received(&server).await;
    assert_eq!(sent.len(), 2);
    for request in &sent {
        assert_header(request, "authorization", "Bearer tok");
    }
}

#[tokio::test]
async fn a_header_unsafe_secret_is_an_auth_error_not_a_silent_anonymous_request() {
    // A token read from a file often ends in a newline, which no header may carry.
    let (server, core) = serve(Some(bearer()), &[("token", "tok-123\n")]).await;
    let err = records(request(&core, resource("things", "/r")))
        .await
        .unwrap_err();
    match &err {
        Error::Auth { resource, message } => {
            assert_eq!(resource, "things");
            assert!(!message.contains("tok-123"), "{message}");
        }
        other => panic!("expected Auth, got {other:?}"),
    }
    assert!(received(&server).await.is_empty(), "nothing was sent");
}

/// A gate: 200 only with exactly the expected credentials, 401 otherwise.
async fn gate(expected: impl Fn(&Request) -> bool + Send + Sync + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(expected)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"ok": true}])))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_string("bad credentials"))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

/// Asserts that `auth` with `good` passes the gate and with `bad` gets a 401.
async fn passes_gate(
    auth: AuthConfig,
    good: &[(&str, &str)],
    bad: &[(&str, &str)],
    expected: impl Fn(&Request) -> bool + Send + Sync + 'static,
) {
    let server = gate(expected).await;
    let declared: Vec<_> = good.iter().map(|(n, _)| secret_value(n, true)).collect();
    let s = spec(&server.uri(), Some(auth), declared);
    let ok = records(request(&client(&s, good), resource("r", "/r"))).await;
    assert_eq!(ok.unwrap(), vec![json!({"ok": true})]);
    let rejected = records(request(&client(&s, bad), resource("r", "/r"))).await;
    assert_eq!(rejected.unwrap_err().status(), Some(401));
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn every_auth_kind_passes_a_gate_that_rejects_wrong_credentials() {
    passes_gate(
        bearer(),
        &[("token", "T")],
        &[("token", "t")],
        exact_header("authorization", "Bearer T"),
    )
    .await;
    passes_gate(
        api_key("Authorization", ApiKeyLocation::Header, ""),
        &[("api_key", "K")],
        &[("api_key", "k")],
        exact_header("authorization", "K"),
    )
    .await;
    passes_gate(
        api_key("X-Api-Key", ApiKeyLocation::Header, ""),
        &[("api_key", "K")],
        &[("api_key", "k")],
        exact_header("x-api-key", "K"),
    )
    .await;
    passes_gate(
        api_key("Authorization", ApiKeyLocation::Header, "GenieKey "),
        &[("api_key", "K")],
        &[("api_key", "k")],
        exact_header("authorization", "GenieKey K"),
    )
    .await;
    passes_gate(
        api_key("api_key", ApiKeyLocation::Query, ""),
        &[("api_key", "K")],
        &[("api_key", "k")],
        |r: &Request| r.url.query() == Some("api_key=K"),
    )
    .await;
    passes_gate(
        api_key("sid", ApiKeyLocation::Cookie, ""),
        &[("api_key", "K")],
        &[("api_key", "k")],
        exact_header("cookie", "sid=K"),
    )
    .await;
    passes_gate(
        basic(Some("p")),
        &[("username", "u"), ("password", "p")],
        &[("username", "u"), ("password", "q")],
        exact_header("authorization", "Basic dTpw"),
    )
    .await;
    passes_gate(
        basic(None),
        &[("username", "u")],
        &[("username", "v")],
        exact_header("authorization", "Basic dTo="),
    )
    .await;
}
