//! End-to-end tests of the generated `incident_alerts` client against a wiremock server on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_get, get, header_values, json, query, received};
use incident_alerts::futures::TryStreamExt;
use incident_alerts::types::UserUserContactsItemContactMethod;
use serde_json::json;
use wiremock::MockServer;
use wiremock::matchers::{query_param, query_param_is_missing};

const API_TOKEN: &str = "7b1f0c3e-2d4a-4b6c-9e8f-0a1b2c3d4e5f";

fn client(server: &MockServer) -> incident_alerts::Client {
    incident_alerts::Client::builder()
        .api_token(API_TOKEN)
        .base_url(server.uri())
        .build()
        .unwrap()
}

fn genie_key() -> String {
    format!("GenieKey {API_TOKEN}")
}

fn user(n: u32) -> serde_json::Value {
    json!({
        "blocked": false,
        "verified": true,
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "username": format!("user{n}@example.test"),
        "fullName": format!("User {n}"),
        "role": {"id": "User", "name": "User"},
        "timeZone": "Europe/Berlin",
        "locale": "en_US",
        "userAddress": {"country": "", "state": "", "city": "", "line": "", "zipCode": ""},
        "createdAt": format!("2023-01-{:02}T08:00:00.5Z", n % 28 + 1)
    })
}

/// A page of `/v2/users` as Opsgenie returns it: `data`, `paging` with absolute URLs, `took`,
/// `requestId` and `totalCount`.
fn users_page(data: Vec<serde_json::Value>, paging: serde_json::Value) -> serde_json::Value {
    json!({
        "totalCount": 102,
        "data": data,
        "paging": paging,
        "took": 0.118,
        "requestId": "6f1c2b9a-1e5d-4f0e-9a7b-3c2d1e0f9a8b"
    })
}

#[tokio::test]
async fn users_follow_the_absolute_next_url() {
    let server = MockServer::start().await;
    let base = server.uri();
    // the next link carries its own parameters; offset comes first so that a request which kept
    // the original `limit=100` would show a second, trailing `limit`
    let next = format!("{base}/v2/users?offset=100&limit=100&sort=username&order=asc");
    let mut page1: Vec<_> = (0..99).map(user).collect();
    page1.push(json!({
        "blocked": false,
        "verified": false,
        "id": "b5c0ffee-1111-4222-8333-944455556666",
        "username": "jane.roe@example.test",
        "fullName": "Jane Roe",
        "role": {"id": "Admin", "name": "Admin"},
        "timeZone": "America/New_York",
        "locale": "en_GB",
        "tags": ["oncall", "sre"],
        "skypeUsername": "jane.roe",
        "userAddress": {"country": "US", "state": "Indiana", "city": "Terre Haute", "line": "1 Main St", "zipCode": "47802"},
        "details": {"team": ["sre"], "phone": ["+15550100", "+15550101"]},
        "userContacts": [{"to": "jane.roe@example.test", "id": "uc_1", "contactMethod": "email", "disabledReason": "", "enabled": true}],
        "mutedUntil": "2024-07-01T12:00:00Z",
        "createdAt": "2017-05-12T09:39:14.41Z"
    }));
    get("/v2/users")
        .and(query_param("limit", "100"))
        .and(query_param_is_missing("offset"))
        .respond_with(json(users_page(
            page1,
            json!({
                "next": next,
                "first": format!("{base}/v2/users?offset=0&limit=100&sort=username&order=asc"),
                "last": format!("{base}/v2/users?offset=100&limit=100&sort=username&order=asc")
            }),
        )))
        .expect(1)
        .mount(&server)
        .await;
    get("/v2/users")
        .and(query_param("offset", "100"))
        .respond_with(json(users_page(
            vec![user(100), user(101)],
            json!({
                "prev": format!("{base}/v2/users?offset=0&limit=100&sort=username&order=asc"),
                "first": format!("{base}/v2/users?offset=0&limit=100&sort=username&order=asc"),
                "last": format!("{base}/v2/users?offset=100&limit=100&sort=username&order=asc")
            }),
        )))
        .expect(1)
        .mount(&server)
        .await;

    let users: Vec<incident_alerts::types::User> = client(&server)
        .users()
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(users.len(), 102);
    assert_eq!(
        users[0].id.as_deref(),
        Some("00000000-0000-4000-8000-000000000000")
    );
    assert_eq!(
        users[101].id.as_deref(),
        Some("00000000-0000-4000-8000-000000000101")
    );
    let jane = &users[99];
    assert_eq!(
        jane.id.as_deref(),
        Some("b5c0ffee-1111-4222-8333-944455556666")
    );
    assert_eq!(jane.full_name.as_deref(), Some("Jane Roe"));
    assert_eq!(jane.username.as_deref(), Some("jane.roe@example.test"));
    assert_eq!(jane.role.as_ref().unwrap().name.as_deref(), Some("Admin"));
    assert_eq!(jane.time_zone.as_deref(), Some("America/New_York"));
    assert_eq!(jane.skype_username.as_deref(), Some("jane.roe"));
    assert_eq!(
        jane.tags.as_deref(),
        Some(&["oncall".to_string(), "sre".to_string()][..])
    );
    let address = jane.user_address.as_ref().unwrap();
    assert_eq!(address.city.as_deref(), Some("Terre Haute"));
    assert_eq!(address.zip_code.as_deref(), Some("47802"));
    assert_eq!(
        jane.details.as_ref().unwrap()["phone"],
        ["+15550100", "+15550101"]
    );
    let contact = &jane.user_contacts.as_ref().unwrap()[0];
    assert_eq!(
        contact.contact_method,
        Some(UserUserContactsItemContactMethod::Email)
    );
    assert_eq!(contact.enabled, Some(true));
    assert_eq!(
        jane.created_at
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .to_rfc3339(),
        "2017-05-12T09:39:14.410+00:00"
    );
    assert_eq!(
        jane.created_at
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .timestamp_millis(),
        1_494_581_954_410
    );
    assert_eq!(
        jane.muted_until
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .to_rfc3339(),
        "2024-07-01T12:00:00+00:00"
    );
    assert_eq!(
        users[100]
            .created_at
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .to_rfc3339(),
        "2023-01-17T08:00:00.500+00:00"
    );

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2, "no paging.next on page 2 ends paging");
    assert_get(&requests[0], "/v2/users", &[("limit", "100")], &genie_key());
    // exactly the next URL: its own query, nothing of the first request's kept or appended
    assert_get(
        &requests[1],
        "/v2/users",
        &[
            ("offset", "100"),
            ("limit", "100"),
            ("sort", "username"),
            ("order", "asc"),
        ],
        &genie_key(),
    );
    assert_eq!(
        requests[1].url.query(),
        Some("offset=100&limit=100&sort=username&order=asc")
    );
    let host = server.address().to_string();
    assert_eq!(header_values(&requests[1], "host"), vec![host.as_bytes()]);
}

#[tokio::test]
async fn a_next_url_on_another_origin_gets_no_credentials() {
    let api = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let next = format!("{}/v2/users?offset=100&limit=100", elsewhere.uri());
    get("/v2/users")
        .respond_with(json(users_page(
            (0..100).map(user).collect(),
            json!({"next": next}),
        )))
        .expect(1)
        .mount(&api)
        .await;
    get("/v2/users")
        .respond_with(json(users_page(vec![user(100)], json!({}))))
        .expect(1)
        .mount(&elsewhere)
        .await;

    let users: Vec<incident_alerts::types::User> =
        client(&api).users().stream().try_collect().await.unwrap();
    assert_eq!(users.len(), 101);
    assert_eq!(
        users[100].id.as_deref(),
        Some("00000000-0000-4000-8000-000000000100")
    );

    let first = received(&api).await;
    assert_eq!(first.len(), 1);
    assert_get(&first[0], "/v2/users", &[("limit", "100")], &genie_key());
    let second = received(&elsewhere).await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].url.path(), "/v2/users");
    assert_eq!(
        query(&second[0]),
        common::pairs(&[("offset", "100"), ("limit", "100")])
    );
    assert!(
        header_values(&second[0], "authorization").is_empty(),
        "the API key must not be sent to another origin"
    );
}
