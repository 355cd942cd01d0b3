//! Underlying errors stay reachable through `std::error::Error::source()`, and no level of
//! the chain shows a secret: the HTTP client's error is kept without its URL, whose query
//! carries an API key here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::*;
use restgen_runtime::Error;
use restgen_runtime::descriptor::{ApiKeyLocation, AuthConfig, ResourceDescriptor};

const KEY: &str = "s3cret-QUERY-key";

#[tokio::test]
async fn a_connection_failure_keeps_the_http_clients_error_as_source_without_the_secret() {
    let auth = AuthConfig::ApiKey {
        name: Cow::Borrowed("api_key"),
        api_key: secret("api_key"),
        location: ApiKeyLocation::Query,
        prefix: Cow::Borrowed(""),
    };
    let base = format!("http://127.0.0.1:{}", closed_port());
    let core = client(
        &spec(&base, Some(auth), vec![secret_value("api_key", true)]),
        &[("api_key", KEY)],
    );
    let dead = ResourceDescriptor {
        retry: Some(no_wait(2)),
        ..resource("dead", "/x")
    };
    let err = pages(request(&core, dead).param("token", KEY))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RetriesExhausted { .. }), "{err:?}");

    let mut level: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    let mut reqwest_error = None;
    let mut depth = 0;
    while let Some(e) = level {
        for shown in [e.to_string(), format!("{e:?}")] {
            assert!(!shown.contains(KEY), "level {depth} shows the key: {shown}");
        }
        if let Some(r) = e.downcast_ref::<reqwest::Error>() {
            reqwest_error = Some(r);
        }
        level = e.source();
        depth += 1;
    }
    let reqwest_error = reqwest_error.expect("the chain reaches the reqwest error");
    assert!(reqwest_error.is_connect(), "{reqwest_error:?}");
    assert!(reqwest_error.url().is_none(), "kept without its URL");
    assert!(
        depth >= 3,
        "the reqwest error's own causes follow it: {depth}"
    );
}

#[test]
fn a_base_url_that_does_not_parse_keeps_the_parsers_error_as_source() {
    let err = restgen_runtime::ClientBuilder::default()
        .base_url("http://exa mple.com:99999/")
        .build(&spec("https://api.example.com/", None, Vec::new()))
        .unwrap_err();
    assert!(matches!(err, Error::Url { .. }), "{err:?}");
    let source = std::error::Error::source(&err).expect("a source");
    assert!(
        source.downcast_ref::<url::ParseError>().is_some(),
        "{source:?}"
    );
    assert!(err.to_string().contains("base URL"), "{err}");
}
