//! Resume through a generated client: a fan-out that fails after its retries in the middle
//! of the second parent's children, persisted as JSON and resumed with the blocking client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn follower(email: &str) -> serde_json::Value {
    json!({"email": email, "locale": "en", "status": "approved"})
}

async fn mount(server: &MockServer, failing: Arc<AtomicBool>) {
    Mock::given(method("GET"))
        .and(path("/v3/signature_requests"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {"id": "sr_1", "status": "ongoing", "created_at": "2024-05-01T10:00:00+00:00"},
                {"id": "sr_2", "status": "done", "created_at": "2024-05-02T10:00:00+00:00"}
            ],
            "meta": {"next_cursor": null}
        })))
        .mount(server)
        .await;
    // sr_2's second page fails while `failing` is set
    Mock::given(method("GET"))
        .and(path("/v3/signature_requests/sr_2/followers"))
        .and(query_param("after", "sr_2-p2"))
        .and(move |_: &Request| failing.load(Ordering::SeqCst))
        .respond_with(ResponseTemplate::new(503))
        .with_priority(1)
        .mount(server)
        .await;
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

#[test]
fn a_blocking_fan_out_resumes_from_a_persisted_point() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let failing = Arc::new(AtomicBool::new(true));
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        mount(&server, failing.clone()).await;
        server
    });
    let client = esign::blocking::Client::builder()
        .api_key("tok")
        .base_url(format!("{}/v3/", server.uri()))
        .max_retry_delay(Duration::from_millis(5))
        .build()
        .unwrap();
    let mut emails: Vec<String> = Vec::new();
    let mut error = None;
    for item in client.signature_requests_followers_all().iter() {
        match item {
            Ok(item) => emails.push(item.record.email.unwrap()),
            Err(e) => error = Some(e),
        }
    }
    let error = error.expect("sr_2's second page fails");
    let stored = serde_json::to_string(error.resume_point().unwrap()).unwrap();
    assert!(!stored.contains("tok"), "{stored}");
    let point: esign::ResumePoint = serde_json::from_str(&stored).unwrap();
    assert_eq!(
        point.parent.as_ref().unwrap().fields["_signature_requests_id"],
        "sr_2"
    );

    failing.store(false, Ordering::SeqCst);
    let before = rt.block_on(server.received_requests()).unwrap().len();
    for item in client
        .signature_requests_followers_all()
        .resume(point)
        .iter()
    {
        emails.push(item.unwrap().record.email.unwrap());
    }
    assert_eq!(
        emails,
        ["a@sr_1.test", "b@sr_1.test", "a@sr_2.test", "b@sr_2.test"]
    );
    let resumed: Vec<String> = rt.block_on(server.received_requests()).unwrap()[before..]
        .iter()
        .map(|r| format!("{}?{}", r.url.path(), r.url.query().unwrap_or("")))
        .collect();
    assert_eq!(
        resumed,
        [
            "/v3/signature_requests?limit=100",
            "/v3/signature_requests/sr_2/followers?limit=100&after=sr_2-p2",
        ]
    );
}
