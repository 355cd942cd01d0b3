//! End-to-end tests of the generated `shared_inbox` client against a wiremock server on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_get, get, json, received};
use serde_json::json;
use shared_inbox::futures::TryStreamExt;
use shared_inbox::types::ContactMembershipsItemGroupKind;
use wiremock::MockServer;
use wiremock::matchers::query_param;

const API_KEY: &str = "missive_pat-3f9d2c71b0e84a56";

fn client(server: &MockServer) -> shared_inbox::Client {
    shared_inbox::Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .build()
        .unwrap()
}

fn bearer() -> String {
    format!("Bearer {API_KEY}")
}

fn contact_book(n: u32) -> serde_json::Value {
    json!({
        "id": format!("cb-{n:03}"),
        "user": "4a1d9f0e-0000-4000-8000-000000000001",
        "share_with_organization": n.is_multiple_of(2),
        "share_with_team": null,
        "share_with_users": [],
        "organization": "0f9e8d7c-0000-4000-8000-000000000002",
        "name": format!("Book {n}"),
        "description": null
    })
}

#[tokio::test]
async fn contact_books_stop_on_a_short_page_without_total() {
    let server = MockServer::start().await;
    get("/v1/contact_books")
        .and(query_param("offset", "0"))
        .respond_with(json(
            json!({"contact_books": (0..50).map(contact_book).collect::<Vec<_>>()}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut short_page: Vec<_> = (50..52).map(contact_book).collect();
    short_page.push(json!({
        "id": "cb-vendors",
        "user": "4a1d9f0e-0000-4000-8000-000000000001",
        "share_with_organization": false,
        "share_with_team": "7e6d5c4b-0000-4000-8000-000000000003",
        "share_with_users": ["4a1d9f0e-0000-4000-8000-000000000001", "4a1d9f0e-0000-4000-8000-000000000004"],
        "organization": "0f9e8d7c-0000-4000-8000-000000000002",
        "name": "Vendors",
        "description": "Suppliers and contractors",
        "exclude_from_search": true,
        "importing": false
    }));
    get("/v1/contact_books")
        .and(query_param("offset", "50"))
        .respond_with(json(json!({"contact_books": short_page})))
        .expect(1)
        .mount(&server)
        .await;

    let books: Vec<shared_inbox::types::ContactBook> = client(&server)
        .contact_books()
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(books.len(), 53);
    assert_eq!(books[0].id.as_deref(), Some("cb-000"));
    assert_eq!(books[0].name.as_deref(), Some("Book 0"));
    assert_eq!(books[0].share_with_organization, Some(true));
    assert_eq!(books[0].share_with_team, None);
    assert_eq!(books[0].description, None);
    assert_eq!(books[49].id.as_deref(), Some("cb-049"));
    assert_eq!(books[51].id.as_deref(), Some("cb-051"));
    let vendors = &books[52];
    assert_eq!(vendors.id.as_deref(), Some("cb-vendors"));
    assert_eq!(
        vendors.description.as_deref(),
        Some("Suppliers and contractors")
    );
    assert_eq!(
        vendors.share_with_team.as_deref(),
        Some("7e6d5c4b-0000-4000-8000-000000000003")
    );
    assert_eq!(vendors.share_with_users.as_ref().unwrap().len(), 2);
    assert_eq!(vendors.exclude_from_search, Some(true));

    let requests = received(&server).await;
    assert_eq!(
        requests.len(),
        2,
        "a page shorter than the limit is the last"
    );
    assert_get(
        &requests[0],
        "/v1/contact_books",
        &[("offset", "0"), ("limit", "50")],
        &bearer(),
    );
    assert_get(
        &requests[1],
        "/v1/contact_books",
        &[("offset", "50"), ("limit", "50")],
        &bearer(),
    );
}

#[tokio::test]
async fn contacts_send_the_contact_book_argument() {
    let server = MockServer::start().await;
    get("/v1/contacts")
        .and(query_param("contact_book", "book_1"))
        .respond_with(json(json!({
            "contacts": [
                {
                    "id": "c-ada",
                    "first_name": "Ada",
                    "last_name": "Byron",
                    "starred": true,
                    "contact_book": "book_1",
                    "deleted": false,
                    "modified_at": 1714000000
                },
                {
                    "id": "c-zoe",
                    "first_name": "Zoé",
                    "last_name": "Martin",
                    "starred": false,
                    "contact_book": "book_1",
                    "deleted": false,
                    "modified_at": 1714000042,
                    "infos": [
                        {"kind": "email", "label": "work", "value": "zoe@example.test"},
                        {"kind": "custom", "custom_label": "Tier", "value": "gold"}
                    ],
                    "memberships": [
                        {"title": "Buyer", "department": "Procurement", "group": {"id": "g-1", "kind": "organization", "name": "Example Corp"}}
                    ]
                }
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let contacts: Vec<shared_inbox::types::Contact> = client(&server)
        .contacts("book_1")
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0].id.as_deref(), Some("c-ada"));
    assert_eq!(contacts[0].starred, Some(true));
    assert_eq!(contacts[0].modified_at, Some(1_714_000_000));
    assert_eq!(contacts[0].infos, None);
    let zoe = &contacts[1];
    assert_eq!(zoe.first_name.as_deref(), Some("Zoé"));
    assert_eq!(zoe.contact_book.as_deref(), Some("book_1"));
    let infos = zoe.infos.as_ref().unwrap();
    assert_eq!(infos[0].kind.as_deref(), Some("email"));
    assert_eq!(infos[0].value.as_deref(), Some("zoe@example.test"));
    assert_eq!(infos[1].custom_label.as_deref(), Some("Tier"));
    let membership = &zoe.memberships.as_ref().unwrap()[0];
    assert_eq!(membership.department.as_deref(), Some("Procurement"));
    let group = membership.group.as_ref().unwrap();
    assert_eq!(
        group.kind,
        Some(ContactMembershipsItemGroupKind::Organization)
    );
    assert_eq!(group.name.as_deref(), Some("Example Corp"));

    let requests = received(&server).await;
    assert_eq!(requests.len(), 1, "2 records < limit 50: one page");
    assert_get(
        &requests[0],
        "/v1/contacts",
        &[("contact_book", "book_1"), ("offset", "0"), ("limit", "50")],
        &bearer(),
    );
}
