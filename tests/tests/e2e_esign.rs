//! End-to-end tests of the generated `esign` client against a wiremock server on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_get, get, json, received};
use esign::futures::TryStreamExt;
use esign::types::{
    SignatureRequestDeliveryMode, SignatureRequestDocumentsItemNature, SignatureRequestStatus,
};
use serde_json::json;
use wiremock::matchers::{query_param, query_param_is_missing};
use wiremock::{MockServer, ResponseTemplate};

const TOKEN: &str = "ys_test_8f2c1d9e7a";
/// A realistic opaque cursor with `=` padding, so its URL encoding is exercised.
const CURSOR: &str = "MTcyMDAwMDAwMC4xMjM0NTYgc3JfMg==";

fn client(server: &MockServer) -> esign::Client {
    esign::Client::builder()
        .api_key(TOKEN)
        .base_url(server.uri() + "/v3/")
        .build()
        .unwrap()
}

fn signature_request(id: &str, name: &str, status: &str, created_at: &str) -> serde_json::Value {
    json!({
        "id": id,
        "status": status,
        "name": name,
        "delivery_mode": "email",
        "created_at": created_at,
        "ordered_signers": false,
        "reminder_settings": null,
        "timezone": "Europe/Paris",
        "expiration_date": "2024-12-31T22:59:00+00:00",
        "source": "public_api",
        "signers": [{"id": format!("{id}-signer"), "status": "initiated"}],
        "approvers": [],
        "documents": [{"id": format!("{id}-doc"), "nature": "signable_document"}],
        "labels": [],
        "workspace_id": "ws_42",
        "audit_trail_locale": "en",
        "signers_allowed_to_decline": true,
        "email_notification": {"sender": {"type": "custom", "custom_name": "Acme Legal"}},
        "sender": {"id": "usr_7", "email": "legal@acme.test"},
        "bulk_send_batch_id": null,
        "external_id": null,
        "custom_experience_id": null
    })
}

#[tokio::test]
async fn signature_requests_follow_the_cursor_until_it_is_null() {
    let server = MockServer::start().await;
    get("/v3/signature_requests")
        .and(query_param("limit", "100"))
        .and(query_param_is_missing("after"))
        .respond_with(json(json!({
            "meta": {"next_cursor": CURSOR},
            "data": [
                signature_request("sr_1", "NDA Acme", "ongoing", "2024-06-01T09:30:00+00:00"),
                signature_request("sr_2", "Lease", "draft", "2024-06-02T10:00:00+00:00"),
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    get("/v3/signature_requests")
        .and(query_param("limit", "100"))
        .and(query_param("after", CURSOR))
        .respond_with(json(json!({
            "meta": {"next_cursor": null},
            "data": [signature_request("sr_3", "Offer letter", "done", "2024-06-03T11:15:30+00:00")]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let pages: Vec<esign::Page<esign::types::SignatureRequest>> = client(&server)
        .signature_requests()
        .pages()
        .try_collect()
        .await
        .unwrap();

    // pages: numbered from 1, with the (redacted) URL each came from
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].number, 1);
    assert_eq!(pages[0].status, 200);
    assert_eq!(
        pages[0].url,
        format!("{}/v3/signature_requests?limit=100", server.uri())
    );
    assert_eq!(pages[1].number, 2);
    assert_eq!(
        pages[1].url,
        format!(
            "{}/v3/signature_requests?limit=100&after=MTcyMDAwMDAwMC4xMjM0NTYgc3JfMg%3D%3D",
            server.uri()
        )
    );
    let records: Vec<_> = pages.into_iter().flat_map(|p| p.records).collect();
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r.id.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["sr_1", "sr_2", "sr_3"]);

    // typed fields, including timestamps and nested objects
    let first = &records[0];
    assert_eq!(first.name.as_deref(), Some("NDA Acme"));
    assert_eq!(first.status, Some(SignatureRequestStatus::Ongoing));
    assert_eq!(
        first.delivery_mode,
        Some(SignatureRequestDeliveryMode::Email)
    );
    assert_eq!(records[1].status, Some(SignatureRequestStatus::Draft));
    assert_eq!(records[2].status, Some(SignatureRequestStatus::Done));
    assert_eq!(
        first
            .created_at
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .to_rfc3339(),
        "2024-06-01T09:30:00+00:00"
    );
    assert_eq!(
        first
            .created_at
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .timestamp(),
        1_717_234_200
    );
    assert_eq!(
        first
            .expiration_date
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .to_rfc3339(),
        "2024-12-31T22:59:00+00:00"
    );
    assert_eq!(first.reminder_settings, None);
    assert_eq!(first.signers_allowed_to_decline, Some(true));
    let signers = first.signers.as_ref().unwrap();
    assert_eq!(signers.len(), 1);
    assert_eq!(signers[0].id.as_deref(), Some("sr_1-signer"));
    assert_eq!(signers[0].status.as_deref(), Some("initiated"));
    let documents = first.documents.as_ref().unwrap();
    assert_eq!(
        documents[0].nature,
        Some(SignatureRequestDocumentsItemNature::SignableDocument)
    );
    let sender = first
        .email_notification
        .as_ref()
        .and_then(|n| n.sender.as_ref())
        .unwrap();
    assert_eq!(sender.type_.as_deref(), Some("custom"));
    assert_eq!(sender.custom_name.as_deref(), Some("Acme Legal"));
    assert_eq!(
        first.sender.as_ref().unwrap().email.as_deref(),
        Some("legal@acme.test")
    );
    assert_eq!(
        records[2]
            .created_at
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .to_rfc3339(),
        "2024-06-03T11:15:30+00:00"
    );

    // the wire: two requests, the second with the cursor after the static limit
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    let auth = format!("Bearer {TOKEN}");
    assert_get(
        &requests[0],
        "/v3/signature_requests",
        &[("limit", "100")],
        &auth,
    );
    assert_get(
        &requests[1],
        "/v3/signature_requests",
        &[("limit", "100"), ("after", CURSOR)],
        &auth,
    );
    assert_eq!(
        requests[1].url.query(),
        Some("limit=100&after=MTcyMDAwMDAwMC4xMjM0NTYgc3JfMg%3D%3D")
    );
}

#[tokio::test]
async fn followers_bind_the_path_argument_and_stop_without_meta() {
    let server = MockServer::start().await;
    // the real API returns followers as {data: [...]} with no meta at all
    get("/v3/signature_requests/sr_1/followers")
        .respond_with(json(json!({
            "data": [
                {"email": "cfo@acme.test", "locale": "en", "follower_link": "https://app.example.test/f/abc"},
                {"email": "counsel@acme.test", "locale": "fr"}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let followers: Vec<esign::types::SignatureRequestFollower> = client(&server)
        .signature_requests_followers("sr_1")
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(followers.len(), 2);
    assert_eq!(followers[0].email.as_deref(), Some("cfo@acme.test"));
    assert_eq!(followers[0].locale.as_deref(), Some("en"));
    assert_eq!(
        followers[0].follower_link.as_deref(),
        Some("https://app.example.test/f/abc")
    );
    assert_eq!(followers[1].email.as_deref(), Some("counsel@acme.test"));
    assert_eq!(followers[1].follower_link, None);

    let requests = received(&server).await;
    assert_eq!(requests.len(), 1, "no meta.next_cursor means one page");
    assert_get(
        &requests[0],
        "/v3/signature_requests/sr_1/followers",
        &[("limit", "100")],
        &format!("Bearer {TOKEN}"),
    );
}

#[tokio::test]
async fn unauthorized_surfaces_as_a_status_error_without_the_secret() {
    let server = MockServer::start().await;
    get("/v3/signature_requests")
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "type": "unauthorized",
            "detail": format!("Invalid API key {TOKEN}")
        })))
        .expect(1)
        .mount(&server)
        .await;

    let result: Result<Vec<esign::types::SignatureRequest>, esign::Error> = client(&server)
        .signature_requests()
        .stream()
        .try_collect()
        .await;

    let err = result.expect_err("a 401 must fail the stream");
    assert_eq!(err.status(), Some(401));
    let shown = err.to_string();
    match err {
        esign::Error::Status {
            at,
            status,
            body_snippet,
        } => {
            assert_eq!(status, 401);
            assert_eq!(at.resource, "signature_requests");
            assert_eq!(at.page, 1);
            assert_eq!(
                at.url,
                format!("{}/v3/signature_requests?limit=100", server.uri())
            );
            assert!(!at.url.contains(TOKEN));
            assert!(body_snippet.contains("Invalid API key"), "{body_snippet}");
            assert!(!body_snippet.contains(TOKEN), "{body_snippet}");
        }
        other => panic!("expected Error::Status, got {other:?}"),
    }
    assert!(!shown.contains(TOKEN), "{shown}");

    // 401 is not in the retry policy: exactly one attempt
    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    assert_get(
        &requests[0],
        "/v3/signature_requests",
        &[("limit", "100")],
        &format!("Bearer {TOKEN}"),
    );
}

#[tokio::test]
async fn the_user_agent_names_the_crate_or_is_left_out() {
    let server = MockServer::start().await;
    get("/v3/labels")
        .respond_with(json(json!({"meta": {"next_cursor": null}, "data": []})))
        .expect(3)
        .mount(&server)
        .await;
    let builder = || {
        esign::Client::builder()
            .api_key(TOKEN)
            .base_url(server.uri() + "/v3/")
    };
    for client in [
        builder().build().unwrap(),
        builder().user_agent("billing-service/7").build().unwrap(),
        builder().no_user_agent().build().unwrap(),
    ] {
        let labels: Vec<esign::types::Label> =
            client.labels().stream().try_collect().await.unwrap();
        assert!(labels.is_empty());
    }
    let agents: Vec<Option<String>> = received(&server)
        .await
        .iter()
        .map(|r| {
            r.headers
                .get("user-agent")
                .map(|v| v.to_str().unwrap().to_string())
        })
        .collect();
    let default = format!("restgen/{0} esign/{0}", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        agents,
        [Some(default), Some("billing-service/7".to_string()), None]
    );
}

#[test]
fn a_record_serializes_with_the_fields_it_was_sent_with() {
    // `#[restgen_runtime::record]` skips every `None` and an empty `_restgen_raw`, and keeps
    // the raw values when there are some
    let label: esign::types::Label =
        serde_json::from_value(json!({"id": "lb_1", "color": "red"})).unwrap();
    assert_eq!(label.name, None);
    assert_eq!(
        serde_json::to_value(&label).unwrap(),
        json!({"id": "lb_1", "color": "red"})
    );
    let mut kept = label.clone();
    kept.restgen_raw.insert("/name".into(), json!(5));
    assert_eq!(
        serde_json::to_value(&kept).unwrap(),
        json!({"id": "lb_1", "_restgen_raw": {"/name": 5}, "color": "red"})
    );
}
