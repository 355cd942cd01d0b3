//! Incremental loading through a generated client across two runs: the second run sends the
//! saved checkpoint and delivers only new records, with no duplicates at the boundary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures::TryStreamExt;
use restgen_runtime::{Checkpoint, Incremental};
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn contact(id: &str, modified_at: i64) -> serde_json::Value {
    json!({"id": id, "modified_at": modified_at, "name": format!("Contact {id}")})
}

fn client(server: &MockServer) -> shared_inbox::Client {
    shared_inbox::Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .build()
        .unwrap()
}

async fn ids(
    request: restgen_runtime::ResourceRequest<shared_inbox::types::Contact>,
) -> Vec<String> {
    request
        .stream()
        .map_ok(|c| c.id.unwrap_or_default())
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn second_run_sends_the_checkpoint_and_gets_only_new_records() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/contacts"))
        .and(query_param_is_missing("modified_since"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contacts": [contact("a", 100), contact("b", 300), contact("c", 200)]
        })))
        .expect(1)
        .mount(&server)
        .await;
    // The API filters with >=, so the boundary record comes back: it must not be delivered twice.
    Mock::given(method("GET"))
        .and(path("/v1/contacts"))
        .and(query_param("modified_since", "300"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contacts": [contact("b", 300), contact("d", 300), contact("e", 400)]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let first = Incremental::new();
    let run1 = ids(client(&server).contacts("book_1").incremental(&first)).await;
    assert_eq!(run1, ["a", "b", "c"]);
    let saved = first.checkpoint().unwrap();
    assert_eq!(saved.last_value, json!(300));
    assert_eq!(saved.boundary, ["\"b\""]);

    // persisted between runs as JSON
    let stored = serde_json::to_string(&saved).unwrap();
    let restored: Checkpoint = serde_json::from_str(&stored).unwrap();
    let second = Incremental::resume(restored);
    let run2 = ids(client(&server).contacts("book_1").incremental(&second)).await;
    assert_eq!(run2, ["d", "e"]);
    assert_eq!(second.checkpoint().unwrap().last_value, json!(400));

    let queries: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        queries,
        [
            "contact_book=book_1&offset=0&limit=50",
            "contact_book=book_1&modified_since=300&offset=0&limit=50",
        ]
    );
}

#[tokio::test]
async fn a_start_value_overrides_the_initial_value() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/contacts"))
        .and(query_param("modified_since", "250"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contacts": [contact("c", 200), contact("b", 300)]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let got = ids(client(&server).contacts("book_1").incremental_start(250)).await;
    assert_eq!(
        got,
        ["b"],
        "records older than the start value are filtered client-side too"
    );
}
