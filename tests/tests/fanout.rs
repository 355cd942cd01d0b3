//! Parent-child fan-out through a generated client: the child runs once per parent record,
//! each with a fresh paginator, and every item carries its parent's fields.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn follower(email: &str) -> serde_json::Value {
    json!({"email": email, "locale": "en", "status": "approved"})
}

async fn mount_followers(server: &MockServer) {
    // Parent: two signature requests on two pages.
    Mock::given(method("GET"))
        .and(path("/v3/signature_requests"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": [{"id": "sr_1", "status": "ongoing", "created_at": "2024-05-01T10:00:00+00:00"}], "meta": {"next_cursor": "c1"}}),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/signature_requests"))
        .and(query_param("after", "c1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": [{"id": "sr_2", "status": "done", "created_at": "2024-05-02T10:00:00+00:00"}], "meta": {"next_cursor": null}}),
        ))
        .mount(server)
        .await;
    // Children: two pages for each parent; the cursor must not leak from one parent to the next.
    for parent in ["sr_1", "sr_2"] {
        let route = format!("/v3/signature_requests/{parent}/followers");
        Mock::given(method("GET"))
            .and(path(route.as_str()))
            .and(query_param_is_missing("after"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [follower(&format!("a@{parent}.test"))],
                "meta": {"next_cursor": format!("{parent}-p2")}
            })))
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path(route.as_str()))
            .and(query_param("after", format!("{parent}-p2").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [follower(&format!("b@{parent}.test"))]
            })))
            .mount(server)
            .await;
    }
}

fn client(server: &MockServer) -> esign::Client {
    esign::Client::builder()
        .api_key("tok")
        .base_url(format!("{}/v3/", server.uri()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn followers_fan_out_over_two_parents_with_two_pages_each() {
    let server = MockServer::start().await;
    mount_followers(&server).await;
    let items: Vec<_> = client(&server)
        .signature_requests_followers_all()
        .stream()
        .try_collect()
        .await
        .unwrap();
    let seen: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i.parent["_signature_requests_id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                i.record.email.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("sr_1".into(), "a@sr_1.test".into()),
            ("sr_1".into(), "b@sr_1.test".into()),
            ("sr_2".into(), "a@sr_2.test".into()),
            ("sr_2".into(), "b@sr_2.test".into()),
        ]
    );
    let requests: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let q = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{}{q}", r.url.path())
        })
        .collect();
    assert_eq!(
        requests,
        [
            "/v3/signature_requests?limit=100",
            "/v3/signature_requests/sr_1/followers?limit=100",
            "/v3/signature_requests/sr_1/followers?limit=100&after=sr_1-p2",
            "/v3/signature_requests?limit=100&after=c1",
            "/v3/signature_requests/sr_2/followers?limit=100",
            "/v3/signature_requests/sr_2/followers?limit=100&after=sr_2-p2",
        ]
    );
}

#[tokio::test]
async fn direct_child_call_takes_the_argument() {
    let server = MockServer::start().await;
    mount_followers(&server).await;
    let records: Vec<_> = client(&server)
        .signature_requests_followers("sr_2")
        .stream()
        .try_collect()
        .await
        .unwrap();
    let emails: Vec<_> = records.iter().map(|r| r.email.clone().unwrap()).collect();
    assert_eq!(emails, ["a@sr_2.test", "b@sr_2.test"]);
}

#[test]
fn blocking_fan_out() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        mount_followers(&server).await;
        server
    });
    let client = esign::blocking::Client::builder()
        .api_key("tok")
        .base_url(format!("{}/v3/", server.uri()))
        .build()
        .unwrap();
    let items: Vec<_> = client
        .signature_requests_followers_all()
        .iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items.len(), 4);
}

#[tokio::test]
async fn a_404_on_one_parent_skips_only_that_parent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/signature_requests"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {"id": "gone", "created_at": "2024-05-01T10:00:00+00:00"},
                {"id": "sr_2", "created_at": "2024-05-02T10:00:00+00:00"}
            ],
            "meta": {"next_cursor": null}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/signature_requests/gone/followers"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "not found"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/signature_requests/sr_2/followers"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [follower("x@sr_2.test")]})),
        )
        .mount(&server)
        .await;
    let items: Vec<_> = client(&server)
        .signature_requests_followers_all()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].record.email.as_deref(), Some("x@sr_2.test"));
    assert_eq!(items[0].parent["_signature_requests_id"], "sr_2");
}

#[tokio::test]
async fn an_error_status_that_is_not_ignored_still_fails() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/signature_requests/sr_9/followers"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    let err = client(&server)
        .signature_requests_followers("sr_9")
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
}

#[test]
fn a_parent_id_that_is_a_dot_segment_sends_no_request_through_the_blocking_client() {
    // `signature_requests/{id}/followers` with the id `..` would be `/v3/followers`, sent
    // with the API key: the value is refused before any request for it leaves
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v3/signature_requests"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [
                    {"id": "sr_1", "created_at": "2024-05-01T10:00:00+00:00"},
                    {"id": "..", "created_at": "2024-05-02T10:00:00+00:00"},
                    {"id": "sr_3", "created_at": "2024-05-03T10:00:00+00:00"}
                ],
                "meta": {"next_cursor": null}
            })))
            .mount(&server)
            .await;
        // anything else answers, so a request to an altered path would succeed
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"data": [follower("x@y.test")]})),
            )
            .mount(&server)
            .await;
        server
    });
    let client = esign::blocking::Client::builder()
        .api_key("tok")
        .base_url(format!("{}/v3/", server.uri()))
        .build()
        .unwrap();
    let mut items = client.signature_requests_followers_all().iter();
    assert!(items.next().unwrap().is_ok(), "sr_1's follower");
    let err = items.next().unwrap().unwrap_err();
    assert!(
        matches!(&err, restgen_runtime::Error::PathArgument { resource, .. }
            if resource == "signature_requests_followers"),
        "{err:?}"
    );
    let paths: Vec<String> = rt
        .block_on(server.received_requests())
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/v3/signature_requests",
            "/v3/signature_requests/sr_1/followers"
        ]
    );
}
