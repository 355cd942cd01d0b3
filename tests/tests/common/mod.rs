//! Helpers shared by the end-to-end tests: JSON responses for the mock server and accessors
//! for what the mock server received (path, query pairs in order, header bytes).

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, ResponseTemplate};

/// A `200 OK` with a JSON body and `Content-Type: application/json`.
pub fn json(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// A mock for `GET <path>`; add matchers and a response to it.
pub fn get(at: &str) -> MockBuilder {
    Mock::given(method("GET")).and(path(at))
}

/// Every request the server received, in order. Panics if recording is off.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("the mock server records requests")
}

/// The decoded query pairs of a request, in the order they were sent.
pub fn query(request: &Request) -> Vec<(String, String)> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `&[("k", "v")]` as owned pairs, to compare with [`query`].
pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The raw bytes of every value of header `name` the request carried.
pub fn header_values<'a>(request: &'a Request, name: &str) -> Vec<&'a [u8]> {
    request
        .headers
        .get_all(name)
        .iter()
        .map(|v| v.as_bytes())
        .collect()
}

/// Asserts one request: method GET, exact path, exact query pairs in order, and exactly one
/// `Authorization` header with exactly the bytes `auth`.
#[track_caller]
pub fn assert_get(request: &Request, at: &str, expected_query: &[(&str, &str)], auth: &str) {
    assert_eq!(request.method.as_str(), "GET", "method of {}", request.url);
    assert_eq!(request.url.path(), at, "path of {}", request.url);
    assert_eq!(
        query(request),
        pairs(expected_query),
        "query of {}",
        request.url
    );
    if expected_query.is_empty() {
        assert_eq!(
            request.url.query(),
            None,
            "no query string on {}",
            request.url
        );
    }
    assert_eq!(
        header_values(request, "authorization"),
        vec![auth.as_bytes()],
        "Authorization header of {}",
        request.url
    );
}

/// Resolves a spec written as YAML into the IR, as `cargo xtask generate` does; panics with
/// the diagnostics when it does not resolve.
#[allow(clippy::panic)]
pub fn resolve_yaml(yaml: &str) -> restgen::ir::ApiIr {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let spec_dir = dir.path().join("case");
    std::fs::create_dir(&spec_dir).expect("the spec folder");
    std::fs::write(spec_dir.join("source.yaml"), yaml).expect("the spec file");
    let loaded =
        restgen::spec::load_spec(&spec_dir, "specs/case").unwrap_or_else(|d| panic!("{d}"));
    restgen::ir::resolve(&loaded).unwrap_or_else(|d| panic!("{d}"))
}
