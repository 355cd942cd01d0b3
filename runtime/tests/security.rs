//! Secret hygiene: no credentials to a foreign host (next links and redirects) and no secret
//! in any error or Debug output of a failing run. Missing secrets and the environment
//! variables they are read from: `secrets_from_env.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::*;
use restgen_runtime::descriptor::{ApiKeyLocation, AuthChoice, AuthConfig, ResourceDescriptor};
use restgen_runtime::{ClientCore, ClientSpec, Error, serde_json};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "sekr1t-T0KEN-value";
const KEY: &str = "k3y-VALUE-abc";

fn header_key() -> AuthConfig {
    AuthConfig::ApiKey {
        name: Cow::Borrowed("X-Api-Key"),
        api_key: secret("api_key"),
        location: ApiKeyLocation::Header,
        prefix: Cow::Borrowed(""),
    }
}

fn query_key() -> AuthConfig {
    AuthConfig::ApiKey {
        name: Cow::Borrowed("api_key"),
        api_key: secret("api_key"),
        location: ApiKeyLocation::Query,
        prefix: Cow::Borrowed(""),
    }
}

fn cookie_key() -> AuthConfig {
    AuthConfig::ApiKey {
        name: Cow::Borrowed("sid"),
        api_key: secret("api_key"),
        location: ApiKeyLocation::Cookie,
        prefix: Cow::Borrowed(""),
    }
}

fn bearer() -> AuthConfig {
    AuthConfig::Bearer {
        token: secret("api_key"),
    }
}

/// Whether a request carries the key anywhere: a header value or the URL.
fn carries_key(request: &Request) -> bool {
    request.url.as_str().contains(KEY)
        || request
            .headers
            .values()
            .any(|v| String::from_utf8_lossy(v.as_bytes()).contains(KEY))
}

fn keyed_client(base: &str, auth: AuthConfig) -> ClientCore {
    client(
        &spec(base, Some(auth), vec![secret_value("api_key", true)]),
        &[("api_key", KEY)],
    )
}

// ---------------------------------------------------------------------------------------------
// Foreign hosts

#[tokio::test]
async fn a_next_link_to_another_port_gets_no_credentials() {
    for auth in [bearer(), header_key(), query_key(), cookie_key()] {
        let home = MockServer::start().await;
        let foreign = MockServer::start().await;
        Mock::given(path("/p1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"items": [1], "next": format!("{}/p2?page=2", foreign.uri())}),
            ))
            .mount(&home)
            .await;
        Mock::given(path("/p2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [2]})))
            .mount(&foreign)
            .await;
        let core = keyed_client(&home.uri(), auth.clone());

        let got = records(request(&core, json_link("r", "/p1")))
            .await
            .unwrap();

        assert_eq!(got, vec![json!(1), json!(2)]);
        let at_home = received(&home).await;
        assert_eq!(at_home.len(), 1);
        assert!(carries_key(&at_home[0]), "{auth:?}: the API gets the key");
        let abroad = received(&foreign).await;
        assert_eq!(abroad.len(), 1);
        assert!(
            !carries_key(&abroad[0]),
            "{auth:?}: leaked to {}",
            abroad[0].url
        );
        assert!(abroad[0].headers.get("authorization").is_none());
        assert!(abroad[0].headers.get("cookie").is_none());
        assert_eq!(abroad[0].url.query(), Some("page=2"));
    }
}

#[tokio::test]
async fn a_next_link_back_home_gets_credentials_again() {
    let home = MockServer::start().await;
    Mock::given(path("/p1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": [1], "next": format!("{}/p2", home.uri())})),
        )
        .mount(&home)
        .await;
    Mock::given(path("/p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [2]})))
        .mount(&home)
        .await;
    let core = keyed_client(&home.uri(), header_key());
    records(request(&core, json_link("r", "/p1")))
        .await
        .unwrap();
    let sent = received(&home).await;
    assert_eq!(sent.len(), 2);
    for request in &sent {
        assert_header(request, "x-api-key", KEY);
    }
}

#[tokio::test]
async fn a_redirect_to_another_host_gets_no_credentials() {
    for auth in [bearer(), header_key(), cookie_key()] {
        let home = MockServer::start().await;
        let foreign = MockServer::start().await;
        Mock::given(path("/things"))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("Location", format!("{}/elsewhere", foreign.uri())),
            )
            .mount(&home)
            .await;
        Mock::given(path("/elsewhere"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}])))
            .mount(&foreign)
            .await;
        let core = keyed_client(&home.uri(), auth.clone());

        let got = records(request(&core, resource("r", "/things")))
            .await
            .unwrap();

        assert_eq!(got, vec![json!({"id": 1})]);
        assert!(carries_key(&received(&home).await[0]));
        let abroad = received(&foreign).await;
        assert_eq!(abroad.len(), 1);
        assert!(!carries_key(&abroad[0]), "{auth:?}: leaked on redirect");
    }
}

#[tokio::test]
async fn a_redirect_on_the_same_host_keeps_credentials() {
    let home = MockServer::start().await;
    Mock::given(path("/old"))
        .respond_with(ResponseTemplate::new(301).insert_header("Location", "/new"))
        .mount(&home)
        .await;
    Mock::given(path("/new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}])))
        .mount(&home)
        .await;
    let core = keyed_client(&home.uri(), header_key());
    let got = records(request(&core, resource("r", "/old")))
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    let sent = received(&home).await;
    assert_eq!(paths(&sent), ["/old", "/new"]);
    for request in &sent {
        assert_header(request, "x-api-key", KEY);
    }
}

#[tokio::test]
async fn a_redirect_loop_is_an_error_not_a_hang() {
    let home = MockServer::start().await;
    let foreign = MockServer::start().await;
    Mock::given(path("/a"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("Location", format!("{}/b", foreign.uri())),
        )
        .mount(&home)
        .await;
    Mock::given(path("/b"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("Location", format!("{}/a", home.uri())),
        )
        .mount(&foreign)
        .await;
    let core = keyed_client(&home.uri(), header_key());
    let err = records(request(&core, resource("r", "/a")))
        .await
        .unwrap_err();
    // After 10 redirects the 11th response is reported as the redirect it is.
    assert_eq!(err.status(), Some(302), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(KEY));
    let (at_home, abroad) = (received(&home).await, received(&foreign).await);
    assert_eq!((at_home.len(), abroad.len()), (6, 5));
    assert!(at_home.iter().all(carries_key));
    assert!(!abroad.iter().any(carries_key));
}

// ---------------------------------------------------------------------------------------------
// Redaction

/// Every string a failing run shows a user.
#[derive(Default)]
struct Shown(Vec<String>);

impl Shown {
    fn error(&mut self, err: &Error) {
        self.0.push(format!("{err}"));
        self.0.push(format!("{err:?}"));
    }
    fn debug(&mut self, value: &impl std::fmt::Debug) {
        self.0.push(format!("{value:?}"));
        self.0.push(format!("{value:#?}"));
    }
    #[track_caller]
    fn assert_free_of(&self, secrets: &[&str]) {
        assert!(!self.0.is_empty());
        for shown in &self.0 {
            for secret in secrets {
                assert!(!shown.contains(secret), "`{secret}` shown in: {shown}");
                // A partial secret is a leak too (e.g. one cut at a snippet boundary).
                let head = &secret[..secret.len() / 2];
                assert!(
                    !shown.contains(head),
                    "part of `{secret}` shown in: {shown}"
                );
            }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Typed {
    id: u64,
}

const PASSWORD_PARAM: &str = "pw-param-V4LUE";
const TOKEN_PARAM: &str = "tok-param-V4LUE";
const ACCESS_TOKEN: &str = "at-ACCESS-t0ken-xyz";
const CLIENT_SECRET: &str = "client-S3CRET-qrs";

#[tokio::test]
async fn no_secret_in_any_error_or_debug_output_of_failing_runs() {
    let server = MockServer::start().await;
    let echo = format!("bad key {KEY} / token {TOKEN}");
    // 401 echoing the secrets.
    Mock::given(path("/unauthorized"))
        .respond_with(ResponseTemplate::new(401).set_body_string(echo.clone()))
        .mount(&server)
        .await;
    // 401 echoing the OAuth2 access token it was sent, which only the runtime knows.
    Mock::given(path("/unauthorized-oauth"))
        .respond_with(
            ResponseTemplate::new(401).set_body_string(format!("token {ACCESS_TOKEN} expired")),
        )
        .mount(&server)
        .await;
    // A secret cut by the error snippet's length limit.
    Mock::given(path("/long"))
        .respond_with(
            ResponseTemplate::new(400).set_body_string(format!("{}{KEY}", "x".repeat(505))),
        )
        .mount(&server)
        .await;
    // Retried until exhausted, echoing the secrets.
    Mock::given(path("/busy"))
        .respond_with(ResponseTemplate::new(503).set_body_string(echo.clone()))
        .mount(&server)
        .await;
    // A record that does not decode, with a secret in it.
    Mock::given(path("/decode"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": KEY}])))
        .mount(&server)
        .await;
    // Not JSON, echoing a secret.
    Mock::given(path("/notjson"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!("<html>{KEY}</html>")))
        .mount(&server)
        .await;
    // A next link that is not a URL, with a secret in it.
    Mock::given(path("/badnext"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": [], "next": format!("http://[{KEY}")})),
        )
        .mount(&server)
        .await;
    // A next link that repeats itself, with sensitive query values in it.
    Mock::given(path("/loop"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [1],
            "next": format!("{}/loop?password={PASSWORD_PARAM}&token={TOKEN_PARAM}", server.uri()),
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": ACCESS_TOKEN})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/badtoken"))
        .respond_with(
            ResponseTemplate::new(400).set_body_string(format!("bad {CLIENT_SECRET} for {KEY}")),
        )
        .mount(&server)
        .await;

    let s = ClientSpec {
        headers: Cow::Owned(vec![param("X-Static", "not-secret")]),
        ..spec(
            &server.uri(),
            Some(query_key()),
            vec![
                secret_value("api_key", true),
                secret_value("token", false),
                secret_value("client_secret", false),
            ],
        )
    };
    let b = builder(&[
        ("api_key", KEY),
        ("token", TOKEN),
        ("client_secret", CLIENT_SECRET),
    ])
    .retry_policy(no_wait(2));
    let mut shown = Shown::default();
    shown.debug(&b);
    let core = b.clone().build(&s).unwrap();
    shown.debug(&core);

    let with_params = |d: ResourceDescriptor| ResourceDescriptor {
        params: Cow::Owned(vec![param("token", TOKEN_PARAM), param("page", "1")]),
        ..d
    };
    let oauth = |token_path: &str| {
        AuthChoice::Endpoint(AuthConfig::OAuth2ClientCredentials {
            access_token_url: literal(&format!("{}{token_path}", server.uri())),
            client_id: literal("cid"),
            client_secret: secret("client_secret"),
            access_token_request_data: Cow::Borrowed(&[]),
            default_token_expiration_secs: 3600,
        })
    };
    let bearer_token = AuthChoice::Endpoint(AuthConfig::Bearer {
        token: secret("token"),
    });

    let runs: Vec<ResourceDescriptor> = vec![
        with_params(resource("unauthorized", "/unauthorized")),
        ResourceDescriptor {
            auth: bearer_token.clone(),
            ..resource("unauthorized-bearer", "/unauthorized")
        },
        ResourceDescriptor {
            auth: oauth("/token"),
            ..resource("unauthorized-oauth", "/unauthorized-oauth")
        },
        ResourceDescriptor {
            auth: oauth("/badtoken"),
            ..resource("bad-token", "/unauthorized")
        },
        with_params(resource("long", "/long")),
        with_params(resource("busy", "/busy")),
        with_params(resource("notjson", "/notjson")),
        with_params(json_link("badnext", "/badnext")),
        with_params(json_link("loop", "/loop")),
    ];
    let mut errors = 0;
    for descriptor in runs {
        let req = request(&core, descriptor).param("password", PASSWORD_PARAM);
        shown.debug(&req);
        match pages(req).await {
            Err(err) => {
                errors += 1;
                shown.error(&err);
            }
            Ok(pages) => panic!("expected a failure, got {pages:?}"),
        }
    }
    assert_eq!(errors, 9);

    // Decode error, through a typed request.
    let typed = restgen_runtime::ResourceRequest::<Typed>::new(
        core.clone(),
        Cow::Owned(with_params(resource("decode", "/decode"))),
    )
    .param("password", PASSWORD_PARAM);
    shown.debug(&typed);
    let err = pages(typed).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    shown.error(&err);

    // Connection refused, with the key in the query.
    let dead = b
        .build(&ClientSpec {
            base_url: Cow::Owned(format!("http://127.0.0.1:{}", closed_port())),
            ..s.clone()
        })
        .unwrap();
    let err = pages(
        request(&dead, with_params(resource("dead", "/x"))).param("password", PASSWORD_PARAM),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::RetriesExhausted { .. }), "{err:?}");
    shown.error(&err);

    // After the OAuth run the core holds a token: still nothing in its Debug.
    shown.debug(&core);

    shown.assert_free_of(&[
        KEY,
        TOKEN,
        ACCESS_TOKEN,
        CLIENT_SECRET,
        PASSWORD_PARAM,
        TOKEN_PARAM,
    ]);
    // The redacted parts still say where: resource and the redacted URL.
    let all = shown.0.join("\n");
    assert!(all.contains("token=***"), "{all}");
    assert!(all.contains("password=***"), "{all}");
    assert!(all.contains("page=1"), "{all}");
    assert!(all.contains("unauthorized-oauth"), "{all}");
    // Each scenario failed the way it was meant to.
    for expected in [
        "HTTP 401",
        "HTTP 400",
        "giving up after 2 attempts",
        "authentication failed for resource `bad-token`",
        "response is not JSON",
        "is not a valid URL",
        "repeats an earlier one",
        "does not decode",
        "connection failed",
    ] {
        assert!(all.contains(expected), "no `{expected}` in:\n{all}");
    }
}

#[tokio::test]
async fn successful_pages_show_a_redacted_url() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([1])))
        .mount(&server)
        .await;
    let core = keyed_client(&server.uri(), query_key());
    let pages = pages(request(&core, resource("r", "/r")).param("access_token", "at-PARAM-1"))
        .await
        .unwrap();
    assert_eq!(pages[0].url, format!("{}/r?access_token=***", server.uri()));
    let debug = format!("{:?}", pages[0]);
    assert!(
        !debug.contains(KEY) && !debug.contains("at-PARAM-1"),
        "{debug}"
    );
    // The key itself went on the wire.
    assert!(carries_key(&received(&server).await[0]));
}
