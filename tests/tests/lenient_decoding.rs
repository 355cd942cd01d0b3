//! Records whose fields disagree with the schema, through the generated `document_signing`
//! clients against a hand-written hostile server (not the spec-driven mock, which can never
//! disagree with the schemas): every record arrives, what could not be coerced is kept raw on
//! the record, the run's decode report counts it, and `.strict()` fails fast instead.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{get, json};
use document_signing::futures::TryStreamExt;
use document_signing::types::{SigningLink, User};
use restgen_runtime::lenient::FieldCounts;
use serde_json::json;
use wiremock::matchers::query_param;
use wiremock::{MockServer, ResponseTemplate};

fn builder(server: &MockServer) -> document_signing::ClientBuilder {
    document_signing::Client::builder()
        .api_key_id("sn_key_1")
        .auth_token("c2VjcmV0")
        .base_url(server.uri())
}

fn meta(page: u32) -> serde_json::Value {
    json!({"pagination": {"total": 5, "count": 3, "per_page": 20, "current_page": page, "total_pages": 2}})
}

/// Two pages of signing links, each field of the wrong type somewhere; the second page is raw
/// bytes with a duplicate key.
async fn hostile_links(server: &MockServer) {
    get("/v2/application/signing-links")
        .and(query_param("page", "1"))
        .respond_with(json(json!({
            "data": [
                // every value coerces exactly: a boolean as "1", integers as a string and a
                // float with zero fraction, a string as a number
                {"id": "l1", "active": "1", "created": "1700000000", "count": 3.0, "hash": 12345},
                // an id as a number coerces; the rest has no exact coercion and is kept raw
                {"id": 7, "active": "maybe", "created": "soon", "hash": {"sha": "x"}},
                // a required field that is absent
                {"active": true}
            ],
            "meta": meta(1)
        })))
        .mount(server)
        .await;
    let page_two = r#"{"data": [
        {"id": "l4", "count": 1, "count": "2"},
        {"id": "l5", "active": false}
    ], "meta": {"pagination": {"total": 5, "count": 2, "per_page": 20, "current_page": 2, "total_pages": 2}}}"#;
    get("/v2/application/signing-links")
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page_two, "application/json"))
        .mount(server)
        .await;
}

#[tokio::test]
async fn every_record_of_a_hostile_server_arrives_with_what_did_not_fit_kept_raw() {
    let server = MockServer::start().await;
    hostile_links(&server).await;
    let client = builder(&server).build().unwrap();
    let request = client.signing_links();
    let report = request.decode_report();
    let links: Vec<SigningLink> = request.stream().try_collect().await.unwrap();

    let ids: Vec<Option<&str>> = links.iter().map(|l| l.id.as_deref()).collect();
    assert_eq!(ids, [Some("l1"), Some("7"), None, Some("l4"), Some("l5")]);
    let l1 = &links[0];
    assert_eq!(
        (l1.active, l1.created, l1.count, l1.hash.as_deref()),
        (Some(true), Some(1_700_000_000), Some(3), Some("12345"))
    );
    assert!(l1.restgen_raw.is_empty());
    let l2 = &links[1];
    assert_eq!(
        (l2.active, l2.created, l2.hash.as_deref()),
        (None, None, None)
    );
    assert_eq!(l2.restgen_raw["/active"], json!("maybe"));
    assert_eq!(l2.restgen_raw["/created"], json!("soon"));
    assert_eq!(l2.restgen_raw["/hash"], json!({"sha": "x"}));
    // kept through re-serialization
    let again = serde_json::to_value(l2).unwrap();
    assert_eq!(again["_restgen_raw"]["/hash"], json!({"sha": "x"}));
    // a duplicate key takes the last value, as Python does
    assert_eq!(links[3].count, Some(2));

    let summary = report.summary();
    assert_eq!(
        (
            summary.decoded,
            summary.coerced,
            summary.kept_raw,
            summary.failed
        ),
        (5, 3, 1, 0)
    );
    let counts = |coerced, kept_raw| FieldCounts { coerced, kept_raw };
    let fields: Vec<(&str, FieldCounts)> = summary
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        fields,
        [
            ("/active", counts(1, 1)),
            ("/count", counts(2, 0)),
            ("/created", counts(1, 1)),
            ("/hash", counts(1, 1)),
            ("/id", counts(1, 0)),
        ]
    );
}

#[tokio::test]
async fn pages_carry_their_own_counts() {
    let server = MockServer::start().await;
    hostile_links(&server).await;
    let client = builder(&server).build().unwrap();
    let pages: Vec<_> = client.signing_links().pages().try_collect().await.unwrap();
    let per_page: Vec<(u64, u64, u64)> = pages
        .iter()
        .map(|p| (p.decoding.decoded, p.decoding.coerced, p.decoding.kept_raw))
        .collect();
    assert_eq!(per_page, [(3, 2, 1), (2, 1, 0)]);
}

#[tokio::test]
async fn strict_fails_with_a_decode_error_naming_resource_page_and_url() {
    let server = MockServer::start().await;
    hostile_links(&server).await;
    // strict on the request, then on the client's builder
    for (client, on_request) in [
        (builder(&server).build().unwrap(), true),
        (builder(&server).strict().build().unwrap(), false),
    ] {
        let request = client.signing_links();
        let request = if on_request {
            request.strict()
        } else {
            request
        };
        let report = request.decode_report();
        let error = request.stream().try_collect::<Vec<_>>().await.unwrap_err();
        let restgen_runtime::Error::Decode {
            at, record, path, ..
        } = &error
        else {
            panic!("not a decode error: {error}");
        };
        assert_eq!(
            (at.resource.as_str(), at.page, *record),
            ("signing_links", 1, 0)
        );
        assert!(
            at.url.contains("/v2/application/signing-links?page=1"),
            "{}",
            at.url
        );
        assert_eq!(path, "active");
        assert_eq!(report.summary().failed, 1);
    }
}

#[tokio::test]
async fn strict_fails_on_a_missing_required_field() {
    let server = MockServer::start().await;
    get("/user")
        .respond_with(json(json!({"first_name": "Ada"})))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let user: Vec<User> = client.user().stream().try_collect().await.unwrap();
    assert_eq!(
        (user[0].id.as_deref(), user[0].first_name.as_deref()),
        (None, Some("Ada"))
    );
    let error = client
        .user()
        .strict()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, restgen_runtime::Error::Decode { path, .. } if path == "/id"),
        "{error}"
    );
}

/// The issue's case: signNow's `/user` sends `verified` as a boolean where the spec's schema
/// says string (and the recorded fixture sends `"1"`); the blocking client returns the user.
#[test]
fn the_user_whose_flag_disagrees_with_the_schema_is_returned_by_the_blocking_client() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        get("/user")
            .respond_with(json(json!({
                "id": "2c6a19e0b5f44f21a1b3c0d4e5f60718293a4b5c",
                "verified": true, "active": "1", "type": "3", "pro": 0,
                "credits": {"left": 3}
            })))
            .mount(&server)
            .await;
        server
    });
    let client = document_signing::blocking::Client::builder()
        .api_key_id("sn_key_1")
        .base_url(server.uri())
        .build()
        .unwrap();
    let request = client.user();
    let report = request.decode_report();
    let users: Vec<User> = request.iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(users.len(), 1);
    let user = &users[0];
    assert_eq!(user.verified.as_deref(), Some("true"));
    assert_eq!((user.type_, user.credits), (Some(3), None));
    assert_eq!(user.restgen_raw["/credits"], json!({"left": 3}));
    let summary = report.summary();
    assert_eq!(
        (summary.decoded, summary.coerced, summary.kept_raw),
        (1, 1, 1)
    );
    // strict, the same user fails the run
    let error = client.user().strict().iter().next().unwrap().unwrap_err();
    assert!(
        matches!(error, restgen_runtime::Error::Decode { .. }),
        "{error}"
    );
    drop(runtime);
}
