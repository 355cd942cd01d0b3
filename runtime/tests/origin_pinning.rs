//! Secrets outside auth blocks stay at the API's origin: a header, a query value or a JSON body
//! that carries a secret is not sent on a next link or a 307/308 redirect to another origin
//! (two loopback servers on different ports), while plain static headers and bodies are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::*;
use restgen_runtime::descriptor::{Method, ResourceDescriptor};
use restgen_runtime::{ClientCore, serde_json};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "s3cret-pinned-value";

/// A client at `main` with the secret `tok` and client headers: one built from the secret, a
/// literal credential, and a plain one.
fn pinned_client(main: &MockServer) -> ClientCore {
    let mut s = spec(&main.uri(), None, vec![secret_value("tok", false)]);
    s.headers = Cow::Owned(vec![
        param("X-Token", "Token {secrets.tok}"),
        param("X-Api-Key", "literal-key-123"),
        param("Accept-Version", "2"),
    ]);
    client(&s, &[("tok", SECRET)])
}

/// Whether a request carries the secret anywhere: URL, headers or body.
fn leaks(request: &Request) -> bool {
    let body = String::from_utf8_lossy(&request.body);
    request.url.as_str().contains(SECRET)
        || body.contains(SECRET)
        || request
            .headers
            .values()
            .any(|v| String::from_utf8_lossy(v.as_bytes()).contains(SECRET))
}

async fn answer(server: &MockServer, at: &str, response: ResponseTemplate) {
    Mock::given(path(at))
        .respond_with(response)
        .mount(server)
        .await;
}

/// `main` answers `at` with record 1 and a link to `other`'s `target` (path and query), which
/// answers the last page, record 2.
async fn link_abroad(main: &MockServer, at: &str, other: &MockServer, target: &str) {
    let next = format!("{}{target}", other.uri());
    answer(
        main,
        at,
        ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": 1}], "next": next})),
    )
    .await;
    let target_path = target.split('?').next().unwrap_or(target);
    answer(
        other,
        target_path,
        ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": 2}], "next": null})),
    )
    .await;
}

#[tokio::test]
async fn a_next_link_to_another_origin_gets_no_secret_header_or_query_value() {
    let (main, other) = (MockServer::start().await, MockServer::start().await);
    let core = pinned_client(&main);
    // the API echoes the key into a link to another host
    link_abroad(&main, "/p1", &other, &format!("/p2?page=2&key={SECRET}")).await;
    let descriptor = ResourceDescriptor {
        params: Cow::Owned(vec![param("api_key", "{secrets.tok}")]),
        headers: Cow::Owned(vec![param("X-Endpoint", "e")]),
        ..json_link("things", "/p1")
    };

    let records = records(request(&core, descriptor)).await.unwrap();

    assert_eq!(records.len(), 2);
    let home = received(&main).await;
    assert_header(&home[0], "x-token", &format!("Token {SECRET}"));
    assert_header(&home[0], "x-api-key", "literal-key-123");
    assert!(home[0].url.query().unwrap().contains(SECRET));
    let abroad = received(&other).await;
    assert_eq!(abroad.len(), 1);
    assert!(!leaks(&abroad[0]), "leaked: {:?}", abroad[0]);
    assert!(header_values(&abroad[0], "x-api-key").is_empty());
    assert_eq!(abroad[0].url.query(), Some("page=2"));
    // plain static headers go everywhere, as dlt's session headers do
    assert_header(&abroad[0], "accept-version", "2");
    assert_header(&abroad[0], "x-endpoint", "e");
}

/// A POST resource at `/search` whose JSON body is `body`, following `next` links.
fn search(body: &str) -> ResourceDescriptor {
    ResourceDescriptor {
        method: Method::Post,
        json_body: Some(Cow::Owned(body.to_string())),
        ..json_link("search", "/search")
    }
}

#[tokio::test]
async fn a_next_link_to_another_origin_gets_no_json_body_built_from_a_secret() {
    let (main, other) = (MockServer::start().await, MockServer::start().await);
    let core = pinned_client(&main);
    link_abroad(&main, "/search", &other, "/more").await;

    let records = records(request(
        &core,
        search(r#"{"key": "{secrets.tok}", "q": 1}"#),
    ))
    .await
    .unwrap();

    assert_eq!(records.len(), 2);
    let home = received(&main).await;
    assert!(String::from_utf8_lossy(&home[0].body).contains(SECRET));
    let abroad = received(&other).await;
    assert!(!leaks(&abroad[0]), "leaked: {:?}", abroad[0]);
    assert!(abroad[0].body.is_empty(), "the body stays home");
}

#[tokio::test]
async fn a_plain_json_body_still_follows_a_next_link_to_another_origin() {
    let (main, other) = (MockServer::start().await, MockServer::start().await);
    let core = pinned_client(&main);
    link_abroad(&main, "/search", &other, "/more").await;

    records(request(&core, search(r#"{"q": 1}"#)))
        .await
        .unwrap();

    let abroad = received(&other).await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&abroad[0].body).unwrap(),
        json!({"q": 1})
    );
}

#[tokio::test]
async fn a_307_or_308_redirect_to_another_origin_gets_no_secret_header_query_or_body() {
    for status in [307, 308] {
        let (main, other) = (MockServer::start().await, MockServer::start().await);
        let core = pinned_client(&main);
        let moved = format!("{}/moved?token={SECRET}&page=1", other.uri());
        answer(
            &main,
            "/search",
            ResponseTemplate::new(status).insert_header("location", moved.as_str()),
        )
        .await;
        answer(
            &other,
            "/moved",
            ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": 1}], "next": null})),
        )
        .await;
        let descriptor = ResourceDescriptor {
            params: Cow::Owned(vec![param("api_key", "{secrets.tok}")]),
            ..search(r#"{"auth": {"key": "{secrets.tok}"}}"#)
        };

        let records = records(request(&core, descriptor)).await.unwrap();

        assert_eq!(records.len(), 1, "{status}");
        let home = received(&main).await;
        assert!(
            leaks(&home[0]),
            "{status}: the API's own origin gets everything"
        );
        let abroad = received(&other).await;
        assert_eq!(abroad.len(), 1, "{status}");
        assert_eq!(
            abroad[0].method.as_str(),
            "POST",
            "{status} keeps the method"
        );
        assert!(!leaks(&abroad[0]), "{status} leaked: {:?}", abroad[0]);
        assert!(abroad[0].body.is_empty(), "{status}: the body stays home");
        assert!(header_values(&abroad[0], "x-api-key").is_empty());
        assert_eq!(abroad[0].url.query(), Some("page=1"), "{status}");
        assert_header(&abroad[0], "accept-version", "2");
    }
}

#[tokio::test]
async fn a_307_redirect_on_the_same_origin_keeps_the_secret_body_and_headers() {
    let main = MockServer::start().await;
    let core = pinned_client(&main);
    answer(
        &main,
        "/search",
        ResponseTemplate::new(307).insert_header("location", "/moved"),
    )
    .await;
    answer(
        &main,
        "/moved",
        ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": 1}], "next": null})),
    )
    .await;

    records(request(&core, search(r#"{"key": "{secrets.tok}"}"#)))
        .await
        .unwrap();

    let seen = received(&main).await;
    assert_eq!(seen.len(), 2);
    assert!(String::from_utf8_lossy(&seen[1].body).contains(SECRET));
    assert_header(&seen[1], "x-token", &format!("Token {SECRET}"));
}
