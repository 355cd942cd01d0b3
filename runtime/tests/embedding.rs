//! A generated client inside a Rust service: the caller's own HTTP client (plain or under a
//! `reqwest-middleware` stack), hooks before each request and after each response, a custom
//! auth in Rust, the default `User-Agent`, and rotated tokens handed back to the caller. The
//! runtime's guarantees hold on top of all of it: credentials stay on the API's origin.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use restgen_runtime::custom::{Auth, AuthRequest, TokenKind, TokenRotation};
use restgen_runtime::descriptor::{AuthChoice, AuthConfig};
use restgen_runtime::futures::future::BoxFuture;
use restgen_runtime::hooks::{Hook, HookError, HookRequest, HookResponse, Verdict};
use restgen_runtime::reqwest_middleware::{self, ClientWithMiddleware, Middleware, Next};
use restgen_runtime::{ClientBuilder, Error, serde_json};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-embed-5ecret";

/// A reqwest client that leaves redirects to the runtime, as a service would build it.
fn own_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// What the counting middleware saw of one request: its URL and `Authorization` header.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A middleware that counts requests and records what credential each carried.
struct Counting(Seen);

#[async_trait::async_trait]
impl Middleware for Counting {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let auth = req
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string());
        self.0.lock().unwrap().push((req.url().to_string(), auth));
        next.run(req, extensions).await
    }
}

/// `main` answers `/items` with record 1 and a next link to `other`, which answers record 2.
async fn link_abroad(main: &MockServer, other: &MockServer) {
    Mock::given(path("/items"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"items": [{"id": 1}], "next": format!("{}/more", other.uri())}),
            ),
        )
        .mount(main)
        .await;
    Mock::given(path("/more"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": 2}], "next": null})),
        )
        .mount(other)
        .await;
}

fn bearer_spec(main: &MockServer) -> restgen_runtime::ClientSpec {
    spec(
        &main.uri(),
        Some(AuthConfig::Bearer {
            token: secret("token"),
        }),
        vec![secret_value("token", true)],
    )
}

#[tokio::test]
async fn a_middleware_counts_requests_and_sees_no_credential_on_a_foreign_hop() {
    let (main, other) = (MockServer::start().await, MockServer::start().await);
    link_abroad(&main, &other).await;
    let seen: Seen = Arc::default();
    let stack = reqwest_middleware::ClientBuilder::new(own_client())
        .with(Counting(seen.clone()))
        .build();
    let core = builder(&[("token", TOKEN)])
        .http_client(stack)
        .build(&bearer_spec(&main))
        .unwrap();
    let got = records(request(&core, json_link("items", "/items")))
        .await
        .unwrap();
    assert_eq!(got, [json!({"id": 1}), json!({"id": 2})]);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        seen[0].1.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(seen[1].0.starts_with(&other.uri()), "{seen:?}");
    assert_eq!(seen[1].1, None, "the foreign hop carried a credential");
    // and on the wire too
    for r in received(&other).await {
        assert!(header_values(&r, "authorization").is_empty());
    }
}

#[tokio::test]
async fn a_supplied_client_that_follows_redirects_is_refused() {
    let s = spec("http://127.0.0.1:9/", None, vec![]);
    for follows in [
        restgen_runtime::HttpClient::from(reqwest::Client::new()),
        ClientWithMiddleware::from(reqwest::Client::new()).into(),
    ] {
        let err = ClientBuilder::default()
            .http_client(follows)
            .build(&s)
            .unwrap_err();
        assert!(
            matches!(&err, Error::Invalid(m) if m.contains("Policy::none()")),
            "{err}"
        );
    }
    // a client built not to follow them is taken, plain or under middleware (this pins the
    // `Debug` format the check reads: a reqwest upgrade that changes it fails here)
    ClientBuilder::default()
        .http_client(own_client())
        .build(&s)
        .unwrap();
    ClientBuilder::default()
        .http_client(ClientWithMiddleware::from(own_client()))
        .build(&s)
        .unwrap();
}

/// Adds `x-request-tag` to every request, and a credential-named header it must not send
/// abroad.
struct Tagging;

impl Hook for Tagging {
    fn before_request<'a>(
        &'a self,
        request: &'a mut HookRequest,
    ) -> BoxFuture<'a, Result<(), HookError>> {
        Box::pin(async move {
            let tag = format!("{}-{}-{}", request.resource, request.page, request.attempt);
            request
                .headers
                .insert("x-request-tag", tag.parse().map_err(HookError::new)?);
            request
                .headers
                .insert("x-api-key", "hook-key-5ecret".parse().unwrap());
            Ok(())
        })
    }
}

#[tokio::test]
async fn a_hook_adds_a_header_and_its_credential_stays_home() {
    let (main, other) = (MockServer::start().await, MockServer::start().await);
    link_abroad(&main, &other).await;
    let core = builder(&[("token", TOKEN)])
        .hook(Tagging)
        .product("esign", "0.3.1")
        .build(&bearer_spec(&main))
        .unwrap();
    records(request(&core, json_link("items", "/items")))
        .await
        .unwrap();
    let home = received(&main).await;
    assert_header(&home[0], "x-request-tag", "items-1-1");
    assert_header(&home[0], "x-api-key", "hook-key-5ecret");
    let agent = format!("restgen/{} esign/0.3.1", env!("CARGO_PKG_VERSION"));
    assert_header(&home[0], "user-agent", &agent);
    let abroad = received(&other).await;
    assert_header(&abroad[0], "x-request-tag", "items-2-1");
    assert!(header_values(&abroad[0], "x-api-key").is_empty());
    assert!(header_values(&abroad[0], "authorization").is_empty());
}

#[tokio::test]
async fn the_user_agent_can_be_overridden() {
    let main = MockServer::start().await;
    Mock::given(path("/r"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&main)
        .await;
    // generated builders name their crate last, in `build()`: the caller's agent still wins
    let core = builder(&[])
        .user_agent("billing-service/7")
        .product("esign", "0.3.1")
        .build(&spec(&main.uri(), None, vec![]))
        .unwrap();
    records(request(&core, resource("r", "/r"))).await.unwrap();
    assert_header(&received(&main).await[0], "user-agent", "billing-service/7");
}

/// Reads a 200 whose body says `"status":"failure"` as a failed attempt.
struct FailureBodies {
    fail: bool,
}

impl Hook for FailureBodies {
    fn after_response<'a>(&'a self, response: &'a HookResponse) -> BoxFuture<'a, Verdict> {
        Box::pin(async move {
            let body: serde_json::Value =
                serde_json::from_slice(&response.body).unwrap_or_default();
            match body.get("status").and_then(|s| s.as_str()) {
                Some("failure") if self.fail => Verdict::Fail("the API said failure".into()),
                Some("failure") => Verdict::Retry("the API said failure".into()),
                _ => Verdict::Accept,
            }
        })
    }
}

async fn failing_once(main: &MockServer) {
    Mock::given(path("/r"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "failure"})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(main)
        .await;
    Mock::given(path("/r"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}])))
        .mount(main)
        .await;
}

#[tokio::test]
async fn an_after_response_hook_turns_a_200_failure_into_a_retry() {
    let main = MockServer::start().await;
    failing_once(&main).await;
    let core = builder(&[])
        .hook(FailureBodies { fail: false })
        .retry_policy(no_wait(3))
        .build(&spec(&main.uri(), None, vec![]))
        .unwrap();
    let got = records(request(&core, resource("r", "/r"))).await.unwrap();
    assert_eq!(got, [json!({"id": 1})]);
    assert_eq!(received(&main).await.len(), 2, "one retry");
}

#[tokio::test]
async fn an_after_response_hook_can_fail_the_page() {
    let main = MockServer::start().await;
    failing_once(&main).await;
    let core = builder(&[])
        .hook(FailureBodies { fail: true })
        .build(&spec(&main.uri(), None, vec![]))
        .unwrap();
    let err = records(request(&core, resource("r", "/r")))
        .await
        .unwrap_err();
    match &err {
        Error::Refused { at, message } => {
            assert_eq!((at.resource.as_str(), at.page), ("r", 1));
            assert!(message.contains("the API said failure"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(received(&main).await.len(), 1, "not retried");
}

/// Signs requests with a header built from its key, counting renewals.
struct Signed {
    key: String,
    renewals: Arc<Mutex<u32>>,
}

impl Auth for Signed {
    fn authenticate<'a>(
        &'a self,
        request: &'a mut AuthRequest,
    ) -> BoxFuture<'a, Result<(), HookError>> {
        Box::pin(async move {
            let value = format!("sig {}:{}", self.key, request.url.path());
            request
                .headers
                .insert("x-signature", value.parse().map_err(HookError::new)?);
            Ok(())
        })
    }

    fn renew(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            *self.renewals.lock().unwrap() += 1;
            true
        })
    }
}

fn custom_spec(main: &MockServer) -> restgen_runtime::ClientSpec {
    spec(
        &main.uri(),
        Some(AuthConfig::Custom {
            name: "signed".into(),
        }),
        vec![],
    )
}

#[tokio::test]
async fn a_custom_auth_signs_requests_home_and_nothing_abroad() {
    let (main, other) = (MockServer::start().await, MockServer::start().await);
    link_abroad(&main, &other).await;
    let renewals = Arc::new(Mutex::new(0));
    let core = builder(&[])
        .custom_auth(
            "signed",
            Signed {
                key: "k3y".into(),
                renewals: renewals.clone(),
            },
        )
        .build(&custom_spec(&main))
        .unwrap();
    records(request(&core, json_link("items", "/items")))
        .await
        .unwrap();
    assert_header(&received(&main).await[0], "x-signature", "sig k3y:/items");
    assert!(header_values(&received(&other).await[0], "x-signature").is_empty());
}

#[tokio::test]
async fn a_custom_auth_renews_on_a_401_once_and_its_values_are_redacted() {
    let main = MockServer::start().await;
    Mock::given(path("/r"))
        .respond_with(ResponseTemplate::new(401).set_body_string("bad signature sig k3y:/r"))
        .mount(&main)
        .await;
    let renewals = Arc::new(Mutex::new(0));
    let core = builder(&[])
        .custom_auth(
            "signed",
            Signed {
                key: "k3y".into(),
                renewals: renewals.clone(),
            },
        )
        .build(&custom_spec(&main))
        .unwrap();
    let err = records(request(&core, resource("r", "/r")))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(*renewals.lock().unwrap(), 1);
    assert_eq!(
        received(&main).await.len(),
        2,
        "one more try after renewing"
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("k3y"), "{shown}");
}

#[tokio::test]
async fn a_custom_auth_the_builder_lacks_is_a_typed_error() {
    let main = MockServer::start().await;
    let err = builder(&[]).build(&custom_spec(&main)).unwrap_err();
    assert!(
        matches!(&err, Error::MissingCustom { kind: "auth", name } if name == "signed"),
        "{err}"
    );
    assert!(err.to_string().contains("custom_auth"), "{err}");
    // an endpoint's own custom auth fails its request, naming it
    let core = builder(&[])
        .build(&spec(&main.uri(), None, vec![]))
        .unwrap();
    let endpoint = restgen_runtime::descriptor::ResourceDescriptor {
        auth: AuthChoice::Endpoint(AuthConfig::Custom {
            name: "other".into(),
        }),
        ..resource("r", "/r")
    };
    let err = records(request(&core, endpoint)).await.unwrap_err();
    assert!(
        matches!(&err, Error::MissingCustom { name, .. } if name == "other"),
        "{err}"
    );
}

#[tokio::test]
async fn a_rotated_refresh_token_is_handed_to_the_callback() {
    let main = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "at-1", "expires_in": 3600, "refresh_token": "rt-rotated-5ecret"}),
        ))
        .mount(&main)
        .await;
    Mock::given(path("/r"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}])))
        .mount(&main)
        .await;
    let s = spec(
        &main.uri(),
        Some(AuthConfig::OAuth2RefreshToken {
            token_url: literal(&format!("{}/token", main.uri())),
            client_id: secret("client_id"),
            client_secret: secret("client_secret"),
            refresh_token: secret("refresh_token"),
            token_request_data: Default::default(),
            default_token_expiration_secs: 3600,
        }),
        vec![
            secret_value("client_id", true),
            secret_value("client_secret", true),
            secret_value("refresh_token", true),
        ],
    );
    let got: Arc<Mutex<Vec<TokenRotation>>> = Arc::default();
    let sink = got.clone();
    let core = builder(&[
        ("client_id", "cid"),
        ("client_secret", "csecret"),
        ("refresh_token", "rt-old"),
    ])
    .on_token_rotation(move |rotation| sink.lock().unwrap().push(rotation.clone()))
    .build(&s)
    .unwrap();
    records(request(&core, resource("r", "/r"))).await.unwrap();
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, TokenKind::RefreshToken);
    assert_eq!(got[0].name.as_deref(), Some("refresh_token"));
    assert_eq!(got[0].token.expose(), "rt-rotated-5ecret");
    let shown = format!("{:?} {core:?}", got[0]);
    assert!(!shown.contains("rt-rotated-5ecret"), "{shown}");
}

#[tokio::test]
async fn a_session_token_from_a_login_is_handed_to_the_callback() {
    let main = MockServer::start().await;
    Mock::given(path("/login"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"token": "sess-5ecret"})))
        .mount(&main)
        .await;
    Mock::given(path("/r"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&main)
        .await;
    let s = spec(
        &main.uri(),
        Some(AuthConfig::SessionToken {
            login_url: "/login".into(),
            username: secret("user"),
            password: secret("password"),
            token_path: restgen_runtime::selector::Selector::fields(["token"]),
            header: "X-Session".into(),
            session_token: Some(secret("session_token")),
        }),
        vec![secret_value("user", true), secret_value("password", true)],
    );
    let got: Arc<Mutex<Vec<TokenRotation>>> = Arc::default();
    let sink = got.clone();
    let core = builder(&[("user", "u"), ("password", "p")])
        .on_token_rotation(move |rotation| sink.lock().unwrap().push(rotation.clone()))
        .build(&s)
        .unwrap();
    records(request(&core, resource("r", "/r"))).await.unwrap();
    records(request(&core, resource("r", "/r"))).await.unwrap();
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one login, one token");
    assert_eq!(got[0].kind, TokenKind::SessionToken);
    assert_eq!(got[0].name.as_deref(), Some("session_token"));
    assert_eq!(got[0].token.expose(), "sess-5ecret");
    assert!(!format!("{:?}", got[0]).contains("sess-5ecret"));
}

/// Pages by a `next_page` number in the body, counting the pages it saw (per run: each run
/// gets its own clone).
#[derive(Clone, Default)]
struct NextPageField {
    seen: usize,
}

impl restgen_runtime::custom::Paginator for NextPageField {
    fn init_request(&mut self, request: &mut restgen_runtime::paginate::RequestState) {
        request.set_query("page", "1".into());
    }

    fn next_request(
        &mut self,
        page: &restgen_runtime::paginate::PageView<'_>,
        request: &mut restgen_runtime::paginate::RequestState,
    ) -> Result<bool, restgen_runtime::paginate::PaginationError> {
        self.seen += 1;
        let body: serde_json::Value = serde_json::from_str(page.body.unwrap().get()).unwrap();
        match body["next_page"].as_u64() {
            Some(next) if self.seen < 10 => {
                request.set_query("page", next.to_string());
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

fn custom_paged(name: &str) -> restgen_runtime::descriptor::ResourceDescriptor {
    restgen_runtime::descriptor::ResourceDescriptor {
        paginator: restgen_runtime::descriptor::PaginatorConfig::Custom {
            name: name.to_string().into(),
        },
        data_selector: Some(restgen_runtime::selector::Selector::fields(["items"])),
        ..resource("items", "/items")
    }
}

#[tokio::test]
async fn a_custom_paginator_pages_each_run_from_its_own_clone() {
    let main = MockServer::start().await;
    for (page, next) in [("1", json!(2)), ("2", json!(null))] {
        Mock::given(path("/items"))
            .and(wiremock::matchers::query_param("page", page))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"items": [{"page": page}], "next_page": next})),
            )
            .mount(&main)
            .await;
    }
    let core = builder(&[])
        .custom_paginator("NextPage", NextPageField::default())
        .expect_custom("paginator", "NextPage")
        .build(&spec(&main.uri(), None, vec![]))
        .unwrap();
    for _ in 0..2 {
        let got = records(request(&core, custom_paged("NextPage")))
            .await
            .unwrap();
        assert_eq!(got, [json!({"page": "1"}), json!({"page": "2"})]);
    }
    assert_eq!(received(&main).await.len(), 4, "two pages per run");
}

#[tokio::test]
async fn a_custom_paginator_the_builder_lacks_is_a_typed_error() {
    let main = MockServer::start().await;
    let s = spec(&main.uri(), None, vec![]);
    let err = builder(&[])
        .expect_custom("paginator", "NextPage")
        .build(&s)
        .unwrap_err();
    assert!(
        matches!(&err, Error::MissingCustom { kind: "paginator", name } if name == "NextPage"),
        "{err}"
    );
    let core = builder(&[]).build(&s).unwrap();
    let err = records(request(&core, custom_paged("NextPage")))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::MissingCustom { .. }), "{err}");
    assert!(
        received(&main).await.is_empty(),
        "no request without its paginator"
    );
}
