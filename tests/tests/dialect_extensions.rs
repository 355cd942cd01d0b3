//! Dialect extensions that converted Airbyte connectors carry, from spec to wire: each is
//! written as the catalog writes it and run spec → IR → runtime against a mock server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::{get, json, received, resolve_yaml};
use futures::TryStreamExt;
use restgen_runtime::{ClientBuilder, Error, ResourceRequest};
use serde_json::{Value, json};
use wiremock::matchers::{body_string, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn fetch(
    yaml: &str,
    server: &MockServer,
    values: &[(&str, &str)],
) -> Result<Vec<Value>, Error> {
    let api = resolve_yaml(yaml);
    let mut builder = ClientBuilder::default().base_url(server.uri());
    for (name, value) in values {
        builder = builder.value(name, *value);
    }
    let core = builder.build(&api.client).unwrap();
    let request: ResourceRequest<Value> =
        ResourceRequest::new(core, Cow::Owned(api.resources[0].descriptor.clone()));
    request.stream().try_collect().await
}

const IGNORING: &str = r#"
client:
  base_url: https://example.com/
resources:
  - name: things
    endpoint:
      path: things
      paginator: single_page
      error_handler:
        retry_on_status_codes: [500]
        max_retries: 2
        backoff_factor: 0
        ignore_status_codes: [403]
"#;

#[tokio::test]
async fn error_handler_ignore_status_codes_yield_nothing_and_are_not_retried() {
    let server = MockServer::start().await;
    get("/things")
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    assert!(fetch(IGNORING, &server, &[]).await.unwrap().is_empty());
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn error_handler_retries_its_statuses_up_to_max_retries() {
    let server = MockServer::start().await;
    get("/things")
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let err = fetch(IGNORING, &server, &[]).await.unwrap_err();
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 3, .. }),
        "{err}"
    );
    assert_eq!(
        received(&server).await.len(),
        3,
        "the first attempt and 2 retries"
    );
}

#[tokio::test]
async fn oauth2_with_a_refresh_token_from_the_spec() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(
            "client_id=cid&client_secret=cs&grant_type=refresh_token&refresh_token=rt&scope=a+b",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "at"})))
        .mount(&server)
        .await;
    get("/things")
        .and(wiremock::matchers::header("authorization", "Bearer at"))
        .respond_with(json(json!([{"id": 1}])))
        .mount(&server)
        .await;
    let yaml = format!(
        r#"
client:
  base_url: https://example.com/
  auth:
    type: oauth2
    token_url: {}/oauth/token
    client_id: {{secret: client_id}}
    client_secret: {{secret: client_secret}}
    refresh_token: {{secret: refresh_token}}
    scopes: [a, b]
resources:
  - name: things
    endpoint: {{path: things, paginator: single_page}}
"#,
        server.uri()
    );
    let records = fetch(
        &yaml,
        &server,
        &[
            ("client_id", "cid"),
            ("client_secret", "cs"),
            ("refresh_token", "rt"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(records, [json!({"id": 1})]);
}
