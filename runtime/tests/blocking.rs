//! The blocking driver: the same auth and retries as the async one, and no panic when it is
//! misused from async code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use restgen_runtime::blocking::BlockingRuntime;
use restgen_runtime::descriptor::AuthConfig;
use restgen_runtime::{Error, serde_json};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A runtime to host the mock server; the code under test runs outside it.
fn host() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn blocking_requests_send_credentials_and_retry() {
    let host = host();
    let server = host.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path("/things"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/things"))
            .and(exact_header("authorization", "Bearer blocking-tok"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}, {"id": 2}])))
            .with_priority(2)
            .mount(&server)
            .await;
        server
    });
    let auth = AuthConfig::Bearer {
        token: secret("token"),
    };
    let core = builder(&[("token", "blocking-tok")])
        .retry_policy(no_wait(3))
        .build(&spec(
            &server.uri(),
            Some(auth),
            vec![secret_value("token", true)],
        ))
        .unwrap();
    let runtime = BlockingRuntime::new().unwrap();

    let got: Result<Vec<serde_json::Value>, Error> = runtime
        .request(request(&core, resource("things", "/things")))
        .iter()
        .collect();

    assert_eq!(got.unwrap(), vec![json!({"id": 1}), json!({"id": 2})]);
    assert_eq!(host.block_on(received(&server)).len(), 2);
}

#[test]
fn blocking_errors_are_the_same_typed_errors() {
    let host = host();
    let server = host.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path("/things"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        server
    });
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    let runtime = BlockingRuntime::new().unwrap();
    let mut iter = runtime
        .request(request(&core, resource("things", "/things")))
        .iter();
    assert_eq!(iter.next().unwrap().unwrap_err().status(), Some(404));
    assert!(iter.next().is_none());
}

#[tokio::test]
async fn a_blocking_client_inside_async_code_errors_and_drops_cleanly() {
    let core = client(&spec("http://127.0.0.1:9", None, vec![]), &[]);
    let runtime = BlockingRuntime::new().unwrap();
    let mut iter = runtime
        .request(request(&core, resource("things", "/things")))
        .iter();
    assert!(matches!(iter.next(), Some(Err(Error::Invalid(_)))));
    assert!(iter.next().is_none());
    // Dropping the blocking client's runtime here must not panic either.
    drop(iter);
    drop(runtime);
}
