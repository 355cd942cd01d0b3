//! `type: custom` auth and paginator markers from spec to wire: the spec resolves to the
//! runtime's `Custom` configs, the generated builder has a setter for each and requires it,
//! and a Rust `Auth` and `Paginator` given for them run against a loopback server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::{get, json, received, resolve_yaml};
use futures::{StreamExt, TryStreamExt};
use restgen_runtime::custom::{Auth, AuthRequest, Paginator};
use restgen_runtime::futures::future::BoxFuture;
use restgen_runtime::hooks::HookError;
use restgen_runtime::paginate::{PageView, PaginationError, RequestState};
use restgen_runtime::{ClientBuilder, Error, ResourceRequest};
use serde_json::{Value, json};
use wiremock::MockServer;
use wiremock::matchers::{header, query_param};

const SPEC: &str = r#"
client:
  base_url: https://example.com/
  auth: {type: custom, name: Signer}
resources:
  - name: events
    endpoint:
      path: events
      data_selector: events
      paginator: {type: custom, name: NextPage}
"#;

struct Signer;

impl Auth for Signer {
    fn authenticate<'a>(
        &'a self,
        request: &'a mut AuthRequest,
    ) -> BoxFuture<'a, Result<(), HookError>> {
        Box::pin(async move {
            request
                .headers
                .insert("x-signature", "signed".parse().unwrap());
            Ok(())
        })
    }
}

/// Follows `next_page` numbers in the body as `?page=`.
#[derive(Clone)]
struct NextPage;

impl Paginator for NextPage {
    fn next_request(
        &mut self,
        page: &PageView<'_>,
        request: &mut RequestState,
    ) -> Result<bool, PaginationError> {
        let body: Value = serde_json::from_str(page.body.unwrap().get()).unwrap();
        match body["next_page"].as_u64() {
            Some(n) => {
                request.set_query("page", n.to_string());
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

#[tokio::test]
async fn a_spec_with_custom_markers_runs_the_rust_code_given() {
    let server = MockServer::start().await;
    get("/events")
        .and(header("x-signature", "signed"))
        .and(query_param("page", "2"))
        .respond_with(json(json!({"events": [{"id": 2}]})))
        .with_priority(1)
        .mount(&server)
        .await;
    get("/events")
        .and(header("x-signature", "signed"))
        .respond_with(json(json!({"events": [{"id": 1}], "next_page": 2})))
        .mount(&server)
        .await;
    let api = resolve_yaml(SPEC);
    let core = ClientBuilder::default()
        .base_url(server.uri())
        .custom_auth("Signer", Signer)
        .custom_paginator("NextPage", NextPage)
        .build(&api.client)
        .unwrap();
    let request: ResourceRequest<Value> =
        ResourceRequest::new(core, Cow::Owned(api.resources[0].descriptor.clone()));
    let got: Vec<Value> = request.stream().try_collect().await.unwrap();
    assert_eq!(got, [json!({"id": 1}), json!({"id": 2})]);
    assert_eq!(received(&server).await.len(), 2);
    // without the auth's code, the client does not build
    let err = ClientBuilder::default().build(&api.client).unwrap_err();
    assert!(
        matches!(err, Error::MissingCustom { kind: "auth", .. }),
        "{err}"
    );
}

#[test]
fn the_generated_builder_requires_each_custom_code() {
    let files = restgen::generate_files(&restgen::SpecFiles {
        api: "signed".into(),
        shown_dir: "specs/signed".into(),
        config: Ok(SPEC.into()),
        schemas: Vec::new(),
        ignored: Vec::new(),
    })
    .unwrap();
    let client = &files.files["src/client.rs"];
    for expected in [
        "pub fn custom_auth(self, auth: impl ::restgen_runtime::custom::Auth) -> Self",
        "pub fn custom_paginator<P>(self, paginator: P) -> Self",
        r#".expect_custom("auth", "Signer")"#,
        r#".expect_custom("paginator", "NextPage")"#,
    ] {
        assert!(client.contains(expected), "`{expected}` missing:\n{client}");
    }
}

/// Follows an opaque `next` token from the body, and sends how many pages it has seen, which
/// it keeps in itself: resuming needs both the request and that state.
#[derive(Clone, Default)]
struct Tokens {
    seen: u64,
}

impl Paginator for Tokens {
    fn next_request(
        &mut self,
        page: &PageView<'_>,
        request: &mut RequestState,
    ) -> Result<bool, PaginationError> {
        let body: Value = serde_json::from_str(page.body.unwrap().get()).unwrap();
        self.seen += 1;
        match body["next"].as_str() {
            Some(token) => {
                request.set_query("token", token.to_string());
                request.set_query("seen", self.seen.to_string());
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn save(&self) -> Option<Value> {
        Some(json!({"seen": self.seen}))
    }

    fn restore(&mut self, state: &Value) -> Result<(), PaginationError> {
        self.seen = state["seen"].as_u64().unwrap_or_default();
        Ok(())
    }
}

#[tokio::test]
async fn a_custom_paginator_resumes_at_the_page_that_failed_with_its_state() {
    let server = MockServer::start().await;
    get("/events")
        .and(query_param("token", "abc"))
        .and(query_param("seen", "1"))
        .respond_with(wiremock::ResponseTemplate::new(400))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    get("/events")
        .and(query_param("token", "abc"))
        .and(query_param("seen", "1"))
        .respond_with(json(json!({"events": [{"id": 2}], "next": "def"})))
        .with_priority(2)
        .mount(&server)
        .await;
    get("/events")
        .and(query_param("token", "def"))
        .and(query_param("seen", "2"))
        .respond_with(json(json!({"events": [{"id": 3}]})))
        .with_priority(2)
        .mount(&server)
        .await;
    get("/events")
        .respond_with(json(json!({"events": [{"id": 1}], "next": "abc"})))
        .with_priority(3)
        .mount(&server)
        .await;
    let api = resolve_yaml(&SPEC.replace("NextPage", "Tokens"));
    let client = || {
        ClientBuilder::default()
            .base_url(server.uri())
            .custom_auth("Signer", Signer)
            .custom_paginator("Tokens", Tokens::default())
            .build(&api.client)
            .unwrap()
    };
    let request = || -> ResourceRequest<Value> {
        ResourceRequest::new(client(), Cow::Owned(api.resources[0].descriptor.clone()))
    };
    let mut stream = Box::pin(request().stream());
    let mut got = vec![stream.try_next().await.unwrap().unwrap()];
    let err = stream.try_next().await.unwrap_err();
    let point = err.resume_point().expect("a resume point");
    // it is plain data, and what a custom paginator saved travels in it
    let stored = serde_json::to_string(&point).unwrap();
    assert!(stored.contains(r#""seen":1"#), "{stored}");
    let point = serde_json::from_str(&stored).unwrap();
    // bounded: a resumed run that lost the paginator's state pages on forever
    let rest: Vec<Value> = request()
        .resume(point)
        .stream()
        .take(5)
        .try_collect()
        .await
        .unwrap();
    got.extend(rest);
    assert_eq!(got, [json!({"id": 1}), json!({"id": 2}), json!({"id": 3})]);
    // the first page was not fetched again: page 1, the failed page 2, page 2, page 3
    assert_eq!(received(&server).await.len(), 4);
}
