//! A generated crate whose spec needs Rust code (`generated/plugged`: custom auth and custom
//! paginator markers): its builders refuse to build without the code, and with it the typed
//! client signs every request and pages with the caller's paginator, async and blocking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{get, json, received};
use futures::TryStreamExt;
use restgen_runtime::custom::{Auth, AuthRequest, Paginator};
use restgen_runtime::futures::future::BoxFuture;
use restgen_runtime::hooks::HookError;
use restgen_runtime::paginate::{PageView, PaginationError, RequestState};
use serde_json::{Value, json};
use wiremock::MockServer;
use wiremock::matchers::{header, query_param};

/// Signs a request with its path, as a real HMAC scheme would with a key.
struct RequestSigner;

impl Auth for RequestSigner {
    fn authenticate<'a>(
        &'a self,
        request: &'a mut AuthRequest,
    ) -> BoxFuture<'a, Result<(), HookError>> {
        Box::pin(async move {
            let signature = format!("sig:{}", request.url.path());
            request
                .headers
                .insert("x-signature", signature.parse().map_err(HookError::new)?);
            Ok(())
        })
    }
}

/// Follows `next_token` from the body as `?page_token=`.
#[derive(Clone)]
struct PageToken;

impl Paginator for PageToken {
    fn next_request(
        &mut self,
        page: &PageView<'_>,
        request: &mut RequestState,
    ) -> Result<bool, PaginationError> {
        let Some(body) = page.body else {
            return Ok(false);
        };
        let body: Value = serde_json::from_str(body.get())
            .map_err(|e| PaginationError::InvalidConfig(e.to_string()))?;
        match body["next_token"].as_str() {
            Some(token) => {
                request.set_query("page_token", token.to_string());
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

async fn two_pages() -> MockServer {
    let server = MockServer::start().await;
    get("/api/events")
        .and(header("x-signature", "sig:/api/events"))
        .and(query_param("page_token", "t2"))
        .respond_with(json(json!({"items": [{"id": 2, "action": "user.logout"}]})))
        .with_priority(1)
        .mount(&server)
        .await;
    get("/api/events")
        .and(header("x-signature", "sig:/api/events"))
        .respond_with(json(json!({
            "items": [{"id": 1, "action": "user.login", "at": "2026-12-07T10:00:00Z"}],
            "next_token": "t2"
        })))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_typed_client_runs_the_callers_auth_and_paginator() {
    let server = two_pages().await;
    let client = plugged::Client::builder()
        .base_url(format!("{}/api/", server.uri()))
        .custom_auth(RequestSigner)
        .custom_paginator(PageToken)
        .build()
        .unwrap();
    let events: Vec<plugged::types::Event> = client.events().stream().try_collect().await.unwrap();
    let ids: Vec<_> = events.iter().map(|e| e.id).collect();
    assert_eq!(ids, [Some(1), Some(2)]);
    assert_eq!(events[0].action.as_deref(), Some("user.login"));
    assert!(events[0].at.is_some());
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn the_blocking_client_runs_them_too() {
    let server = two_pages().await;
    let uri = format!("{}/api/", server.uri());
    // its own thread: a blocking client refuses to run on an async runtime's threads
    let ids = std::thread::spawn(move || {
        let client = plugged::blocking::Client::builder()
            .base_url(uri)
            .custom_auth(RequestSigner)
            .custom_paginator(PageToken)
            .build()
            .unwrap();
        client
            .events()
            .iter()
            .map(|e| e.unwrap().id)
            .collect::<Vec<_>>()
    })
    .join()
    .unwrap();
    assert_eq!(ids, [Some(1), Some(2)]);
}

#[test]
fn without_the_code_the_builders_say_what_is_missing() {
    let err = plugged::Client::builder()
        .custom_paginator(PageToken)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            restgen_runtime::Error::MissingCustom { kind: "auth", .. }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("RequestSigner"), "{err}");
    let err = plugged::blocking::Client::builder()
        .custom_auth(RequestSigner)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            restgen_runtime::Error::MissingCustom {
                kind: "paginator",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("PageToken"), "{err}");
}
