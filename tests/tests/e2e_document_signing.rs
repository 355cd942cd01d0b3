//! End-to-end tests of the generated `document_signing` client against a wiremock server on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_get, get, json, received};
use document_signing::futures::TryStreamExt;
use serde_json::json;
use wiremock::MockServer;
use wiremock::matchers::query_param;

const API_KEY_ID: &str = "sn_key_4d1c9a0b77";
/// The application's base64 client credentials (`client_7f3e:app_secret_91b2`).
const AUTH_TOKEN: &str = "Y2xpZW50XzdmM2U6YXBwX3NlY3JldF85MWIy";

fn client(server: &MockServer) -> document_signing::Client {
    document_signing::Client::builder()
        .api_key_id(API_KEY_ID)
        .auth_token(AUTH_TOKEN)
        .base_url(server.uri())
        .build()
        .unwrap()
}

fn bearer() -> String {
    format!("Bearer {API_KEY_ID}")
}

fn crm_contact(n: u32) -> serde_json::Value {
    json!({
        "id": format!("c{n:031x}"),
        "email": format!("contact{n}@example.test"),
        "phone": {"number": format!("+1555010{n:04}"), "country_code": "US"},
        "company": {"name": format!("Company {n}")},
        "address": {"city": "Boston", "country": "US"},
        "meta": {
            "created_at": 1_710_000_000 + n,
            "updated_at": 1_712_000_000 + n,
            "interacted_at": 1_712_500_000 + n
        }
    })
}

fn pagination(total: u32, count: u32, current_page: u32, total_pages: u32) -> serde_json::Value {
    json!({
        "pagination": {
            "total": total,
            "count": count,
            "per_page": 20,
            "current_page": current_page,
            "total_pages": total_pages,
            "links": []
        }
    })
}

#[tokio::test]
async fn crm_contacts_walk_page_numbers_until_total_pages() {
    let server = MockServer::start().await;
    get("/v2/crm/contacts")
        .and(query_param("page", "1"))
        .respond_with(json(json!({
            "data": (0..20).map(crm_contact).collect::<Vec<_>>(),
            "meta": pagination(23, 20, 1, 2)
        })))
        .expect(1)
        .mount(&server)
        .await;
    get("/v2/crm/contacts")
        .and(query_param("page", "2"))
        .respond_with(json(json!({
            "data": (20..23).map(crm_contact).collect::<Vec<_>>(),
            "meta": pagination(23, 3, 2, 2)
        })))
        .expect(1)
        .mount(&server)
        .await;

    let contacts: Vec<document_signing::types::CrmContact> = client(&server)
        .crm_contacts()
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(contacts.len(), 23);
    assert_eq!(
        contacts[0].id.as_deref(),
        Some("c0000000000000000000000000000000")
    );
    assert_eq!(
        contacts[22].id.as_deref(),
        Some("c0000000000000000000000000000016")
    );
    let c = &contacts[21];
    assert_eq!(c.email.as_deref(), Some("contact21@example.test"));
    let phone = c.phone.as_ref().unwrap();
    assert_eq!(phone.number.as_deref(), Some("+15550100021"));
    assert_eq!(phone.country_code.as_deref(), Some("US"));
    assert_eq!(
        c.company.as_ref().unwrap().name.as_deref(),
        Some("Company 21")
    );
    assert_eq!(c.address.as_ref().unwrap().city.as_deref(), Some("Boston"));
    let meta = c.meta.as_ref().unwrap();
    assert_eq!(meta.created_at, Some(1_710_000_021));
    assert_eq!(meta.updated_at, Some(1_712_000_021));
    assert_eq!(meta.interacted_at, Some(1_712_500_021));

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2, "total_pages 2 ends after page 2");
    assert_get(
        &requests[0],
        "/v2/crm/contacts",
        &[("page", "1"), ("per_page", "20")],
        &bearer(),
    );
    assert_get(
        &requests[1],
        "/v2/crm/contacts",
        &[("page", "2"), ("per_page", "20")],
        &bearer(),
    );
}

#[tokio::test]
async fn user_is_one_record_from_the_response_root() {
    let server = MockServer::start().await;
    get("/user")
        .respond_with(json(json!({
            "id": "2c6a19e0b5f44f21a1b3c0d4e5f60718293a4b5c",
            "first_name": "Dana",
            "last_name": "Whitfield",
            "active": "1",
            "verified": "1",
            "type": 1,
            "pro": 0,
            "created": "1704067200",
            "emails": ["dana@example.test", "d.whitfield@example.test"],
            "primary_email": "dana@example.test",
            "subscriptions": [{
                "id": "sub_01",
                "subscription_id": "plan_sub_01",
                "name": "Business",
                "expired": 1735689600,
                "created": 1704067200,
                "updated": 1704153600,
                "plan": "business",
                "credit_card": true,
                "trial": false,
                "term": 12,
                "is_usage_based": false
            }],
            "credits": 0,
            "has_atticus_access": false,
            "is_logged_in": true,
            "billing_period": {
                "start_date": "01/01/2024",
                "end_date": "12/31/2024",
                "start_timestamp": 1704067200,
                "end_timestamp": 1735603200
            },
            "companies": [{"name": "Acme", "full_access": true}],
            "document_count": 12,
            "lifetime_document_count": 340,
            "locale": "en",
            "teams": [{"id": "team_9", "team": "Legal", "role": "admin", "type": "team", "document_count": 4}],
            "status": {"has_salesforce_token": false, "bad_copy_token": false}
        })))
        .expect(1)
        .mount(&server)
        .await;

    let users: Vec<document_signing::types::User> =
        client(&server).user().stream().try_collect().await.unwrap();

    assert_eq!(users.len(), 1, "a single root object is one record");
    let user = &users[0];
    assert_eq!(
        user.id.as_deref(),
        Some("2c6a19e0b5f44f21a1b3c0d4e5f60718293a4b5c")
    );
    assert_eq!(user.first_name.as_deref(), Some("Dana"));
    assert_eq!(user.active.as_deref(), Some("1"));
    assert_eq!(user.type_, Some(1));
    assert_eq!(user.created.as_deref(), Some("1704067200"));
    assert_eq!(
        user.emails.as_deref(),
        Some(
            &[
                "dana@example.test".to_string(),
                "d.whitfield@example.test".to_string()
            ][..]
        )
    );
    let subscription = &user.subscriptions.as_ref().unwrap()[0];
    assert_eq!(subscription.name.as_deref(), Some("Business"));
    assert_eq!(subscription.expired, Some(1_735_689_600));
    assert_eq!(subscription.credit_card, Some(true));
    let billing = user.billing_period.as_ref().unwrap();
    assert_eq!(billing.start_timestamp, Some(1_704_067_200));
    assert_eq!(billing.end_date.as_deref(), Some("12/31/2024"));
    assert_eq!(
        user.teams.as_ref().unwrap()[0].type_.as_deref(),
        Some("team")
    );
    assert_eq!(user.document_count, Some(12));
    assert_eq!(
        user.status.as_ref().unwrap().has_salesforce_token,
        Some(false)
    );

    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    assert_get(&requests[0], "/user", &[], &bearer());
}

#[tokio::test]
async fn user_modified_documents_are_the_root_array() {
    let server = MockServer::start().await;
    get("/user/documentsv2")
        .respond_with(json(json!([
            {
                "id": "d0c0000000000000000000000000000a",
                "user_id": "2c6a19e0b5f44f21a1b3c0d4e5f60718293a4b5c",
                "document_name": "Master services agreement",
                "page_count": "7",
                "created": "1711000000",
                "updated": "1711003600",
                "original_filename": "msa.pdf",
                "owner": "dana@example.test",
                "template": false,
                "entity_type": "document",
                "is_favorite": true,
                "thumbnail": {"small": "https://cdn.example.test/t/s.png", "medium": "https://cdn.example.test/t/m.png", "large": "https://cdn.example.test/t/l.png"},
                "roles": [{"unique_id": "r1", "signing_order": "1", "name": "Signer 1"}],
                "field_invites": [{"id": "fi1", "status": "pending", "role": "Signer 1", "role_id": "r1", "email": "sam@example.test", "created": "1711000100", "updated": "1711000100", "expiration_time": "1713592100"}],
                "fields": [{"id": "f1", "type": "signature", "role_id": "r1", "role": "Signer 1", "originator": "dana@example.test", "fulfiller": null}],
                "requests": [],
                "signatures": [],
                "tags": [{"name": "legal", "type": "text"}]
            },
            {
                "id": "d0c0000000000000000000000000000b",
                "document_name": "NDA",
                "created": "1711100000",
                "updated": "1711100000",
                "entity_type": "document",
                "field_invites": [],
                "fields": [],
                "roles": [],
                "signatures": []
            }
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let documents: Vec<document_signing::types::ModifiedDocument> = client(&server)
        .user_modified_documents()
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(documents.len(), 2);
    let msa = &documents[0];
    assert_eq!(msa.id.as_deref(), Some("d0c0000000000000000000000000000a"));
    assert_eq!(
        msa.document_name.as_deref(),
        Some("Master services agreement")
    );
    assert_eq!(msa.page_count.as_deref(), Some("7"));
    assert_eq!(msa.updated.as_deref(), Some("1711003600"));
    assert_eq!(msa.is_favorite, Some(true));
    assert_eq!(
        msa.thumbnail.as_ref().unwrap().small.as_deref(),
        Some("https://cdn.example.test/t/s.png")
    );
    let invite = &msa.field_invites.as_ref().unwrap()[0];
    assert_eq!(invite.email.as_deref(), Some("sam@example.test"));
    assert_eq!(invite.status.as_deref(), Some("pending"));
    let field = &msa.fields.as_ref().unwrap()[0];
    assert_eq!(field.type_.as_deref(), Some("signature"));
    assert_eq!(field.fulfiller, None);
    assert_eq!(msa.tags.as_ref().unwrap()[0].name.as_deref(), Some("legal"));
    assert_eq!(
        documents[1].id.as_deref(),
        Some("d0c0000000000000000000000000000b")
    );
    assert_eq!(documents[1].document_name.as_deref(), Some("NDA"));
    assert_eq!(documents[1].thumbnail, None);

    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    assert_get(&requests[0], "/user/documentsv2", &[], &bearer());
}

#[tokio::test]
async fn signing_links_send_basic_auth_token_while_others_send_bearer() {
    let server = MockServer::start().await;
    get("/v2/application/signing-links")
        .respond_with(json(json!({
            "data": [
                {"id": "5a1e0000000000000000000000000001", "active": true, "created": 1711111111, "count": 3, "hash": "9c1a7f"},
                {"id": "5a1e0000000000000000000000000002", "active": false, "created": 1711222222, "count": 0, "hash": "04be21"}
            ],
            "meta": pagination(2, 2, 1, 1)
        })))
        .expect(1)
        .mount(&server)
        .await;
    get("/user")
        .respond_with(json(json!({"id": "u1", "first_name": "Dana"})))
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    let links: Vec<document_signing::types::SigningLink> =
        client.signing_links().stream().try_collect().await.unwrap();
    let users: Vec<document_signing::types::User> =
        client.user().stream().try_collect().await.unwrap();

    assert_eq!(links.len(), 2);
    assert_eq!(
        links[0].id.as_deref(),
        Some("5a1e0000000000000000000000000001")
    );
    assert_eq!(links[0].active, Some(true));
    assert_eq!(links[0].created, Some(1_711_111_111));
    assert_eq!(links[0].count, Some(3));
    assert_eq!(links[0].hash.as_deref(), Some("9c1a7f"));
    assert_eq!(links[1].active, Some(false));
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].id.as_deref(), Some("u1"));

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2, "total_pages 1 ends after page 1");
    assert_get(
        &requests[0],
        "/v2/application/signing-links",
        &[("page", "1"), ("per_page", "20")],
        &format!("Basic {AUTH_TOKEN}"),
    );
    // the same client still sends its own bearer token to the other resources
    assert_get(&requests[1], "/user", &[], &bearer());
}
