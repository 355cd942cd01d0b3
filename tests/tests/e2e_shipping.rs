//! End-to-end tests of the generated `shipping` client (async and blocking) against a wiremock server on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_get, get, json, received};
use serde_json::json;
use shipping::futures::TryStreamExt;
use shipping::types::{AddressMode, ApiKeysKeysItemMode};
use wiremock::MockServer;
use wiremock::matchers::{query_param, query_param_is_missing};

const API_KEY: &str = "EZAK_test_5c1f7a";
/// `Basic base64("EZAK_test_5c1f7a:")`: the key as user name, an empty password.
const BASIC: &str = "Basic RVpBS190ZXN0XzVjMWY3YTo=";

fn address(id: &str, street1: &str, created_at: &str) -> serde_json::Value {
    json!({
        "id": id,
        "object": "Address",
        "created_at": created_at,
        "updated_at": created_at,
        "name": null,
        "company": "Acme Widgets",
        "street1": street1,
        "street2": null,
        "city": "SAN FRANCISCO",
        "state": "CA",
        "zip": "94104",
        "country": "US",
        "phone": "4155550100",
        "email": null,
        "mode": "test",
        "carrier_facility": null,
        "residential": false,
        "federal_tax_id": null,
        "state_tax_id": null,
        "verifications": {}
    })
}

fn address_id(n: u32) -> String {
    format!("adr_{:032x}", 0xa11ce_u64 * 1000 - u64::from(n))
}

/// Page 1: ten addresses (`page_size=10`) with `has_more: true`; page 2, asked for with
/// `before_id` = the last id of page 1: two addresses and `has_more: false`.
async fn mount_addresses(server: &MockServer) {
    let page1: Vec<_> = (0..10)
        .map(|n| {
            address(
                &address_id(n),
                &format!("{} MONTGOMERY ST", 400 + n),
                &format!("2025-05-09T20:{:02}:05+00:00", 59 - n),
            )
        })
        .collect();
    get("/v2/addresses")
        .and(query_param("page_size", "10"))
        .and(query_param_is_missing("before_id"))
        .respond_with(json(json!({"addresses": page1, "has_more": true})))
        .expect(1)
        .mount(server)
        .await;
    let mut last = address(&address_id(10), "1 MARKET ST", "2025-05-08T17:02:11+00:00");
    last["street2"] = json!("SUITE 300");
    last["residential"] = json!(null);
    last["verifications"] = json!({"zip4": {"success": true, "errors": [], "details": null}});
    let page2 = vec![
        last,
        address(&address_id(11), "2 MARKET ST", "2025-05-08T16:00:00+00:00"),
    ];
    get("/v2/addresses")
        .and(query_param("page_size", "10"))
        .and(query_param("before_id", address_id(9)))
        .respond_with(json(json!({"addresses": page2, "has_more": false})))
        .expect(1)
        .mount(server)
        .await;
}

fn assert_addresses(addresses: &[shipping::types::Address]) {
    assert_eq!(addresses.len(), 12);
    let ids: Vec<&str> = addresses
        .iter()
        .map(|a| a.id.as_deref().unwrap_or_default())
        .collect();
    let expected: Vec<String> = (0..12).map(address_id).collect();
    assert_eq!(ids, expected);
    assert_eq!(
        addresses[0].id.as_deref(),
        Some("adr_00000000000000000000000027558cb0")
    );
    let first = &addresses[0];
    assert_eq!(first.object.as_deref(), Some("Address"));
    assert_eq!(first.street1.as_deref(), Some("400 MONTGOMERY ST"));
    assert_eq!(first.street2, None);
    assert_eq!(first.residential, Some(false));
    assert_eq!(first.mode, Some(AddressMode::Test));
    assert_eq!(
        first
            .created_at
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .to_rfc3339(),
        "2025-05-09T20:59:05+00:00"
    );
    assert_eq!(first.verifications.as_ref().map(|v| v.len()), Some(0));
    let last = &addresses[10];
    assert_eq!(last.street2.as_deref(), Some("SUITE 300"));
    assert_eq!(last.residential, None);
    assert_eq!(
        last.updated_at
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .to_rfc3339(),
        "2025-05-08T17:02:11+00:00"
    );
    assert_eq!(
        last.verifications.as_ref().unwrap()["zip4"]["success"],
        json!(true)
    );
}

async fn assert_address_requests(server: &MockServer) {
    let requests = received(server).await;
    assert_eq!(requests.len(), 2, "has_more false on page 2 ends paging");
    assert_get(&requests[0], "/v2/addresses", &[("page_size", "10")], BASIC);
    assert_get(
        &requests[1],
        "/v2/addresses",
        &[("page_size", "10"), ("before_id", &address_id(9))],
        BASIC,
    );
}

fn client(server: &MockServer) -> shipping::Client {
    shipping::Client::builder()
        .username(API_KEY)
        .base_url(server.uri() + "/v2/")
        .build()
        .unwrap()
}

#[tokio::test]
async fn addresses_page_with_before_id_until_has_more_is_false() {
    let server = MockServer::start().await;
    mount_addresses(&server).await;

    let addresses: Vec<shipping::types::Address> = client(&server)
        .addresses()
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_addresses(&addresses);
    assert_address_requests(&server).await;
}

#[test]
fn blocking_client_pages_addresses_without_an_async_runtime() {
    // the mock server's handle is async: drive it on a runtime of our own, and keep this
    // thread outside any runtime context so the blocking client may block here
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        mount_addresses(&server).await;
        server
    });

    let client = shipping::blocking::Client::builder()
        .username(API_KEY)
        .base_url(server.uri() + "/v2/")
        .build()
        .unwrap();
    let addresses: Vec<shipping::types::Address> =
        client.addresses().iter().collect::<Result<_, _>>().unwrap();

    assert_addresses(&addresses);
    runtime.block_on(assert_address_requests(&server));
}

#[tokio::test]
async fn carrier_accounts_are_the_root_array() {
    let server = MockServer::start().await;
    get("/v2/carrier_accounts")
        .respond_with(json(json!([
            {
                "id": "ca_0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                "object": "CarrierAccount",
                "type": "UpsAccount",
                "clone": false,
                "created_at": "2024-02-20T15:04:05Z",
                "updated_at": "2024-03-01T08:30:00Z",
                "description": "UPS warehouse account",
                "reference": "ups-main",
                "billing_type": "carrier",
                "readable": "UPS",
                "logo": null,
                "fields": {
                    "credentials": {
                        "account_number": {"visibility": "visible", "label": "UPS Account Number", "value": "A1B2C3"},
                        "password": {"visibility": "password", "label": "Password", "value": "********"}
                    },
                    "test_credentials": {}
                },
                "credentials": {"account_number": "A1B2C3", "password": "********", "user_id": null},
                "test_credentials": null
            },
            {
                "id": "ca_9685a1198a75477885a3cdca37559bac",
                "object": "CarrierAccount",
                "type": "UspsAccount",
                "clone": false,
                "created_at": "2022-10-14T17:23:58Z",
                "updated_at": "2022-10-14T17:34:05Z",
                "description": "USPS Account",
                "reference": null,
                "billing_type": "easypost",
                "readable": "USPS",
                "logo": null,
                "credentials": {},
                "test_credentials": null
            }
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let accounts: Vec<shipping::types::CarrierAccount> = client(&server)
        .carrier_accounts()
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(accounts.len(), 2);
    let ups = &accounts[0];
    assert_eq!(
        ups.id.as_deref(),
        Some("ca_0f1e2d3c4b5a69788796a5b4c3d2e1f0")
    );
    assert_eq!(ups.type_.as_deref(), Some("UpsAccount"));
    assert_eq!(ups.readable.as_deref(), Some("UPS"));
    assert_eq!(ups.clone, Some(false));
    assert_eq!(ups.logo, None);
    assert_eq!(
        ups.created_at
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .to_rfc3339(),
        "2024-02-20T15:04:05+00:00"
    );
    let fields = ups.fields.as_ref().unwrap();
    let account_number = fields.credentials.as_ref().unwrap()["account_number"]
        .as_ref()
        .unwrap();
    assert_eq!(account_number.label.as_deref(), Some("UPS Account Number"));
    assert_eq!(account_number.value.as_deref(), Some("A1B2C3"));
    assert_eq!(fields.test_credentials.as_ref().map(|m| m.len()), Some(0));
    let credentials = ups.credentials.as_ref().unwrap();
    assert_eq!(credentials["account_number"].as_deref(), Some("A1B2C3"));
    assert_eq!(credentials["user_id"], None);
    assert_eq!(ups.test_credentials, None);
    assert_eq!(accounts[1].type_.as_deref(), Some("UspsAccount"));
    assert_eq!(accounts[1].fields, None);

    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    assert_get(&requests[0], "/v2/carrier_accounts", &[], BASIC);
}

#[tokio::test]
async fn api_keys_is_one_record_from_the_root_object() {
    let server = MockServer::start().await;
    get("/v2/api_keys")
        .respond_with(json(json!({
            "id": "user_5e4d3c2b1a0f49e8a7b6c5d4e3f2a1b0",
            "keys": [
                {"object": "ApiKey", "active": true, "key": "EZTK_redacted_1", "mode": "test", "created_at": "2024-01-05T10:00:00Z", "id": "ak_1"},
                {"object": "ApiKey", "active": false, "key": "EZAK_redacted_2", "mode": "production", "created_at": "2024-01-06T11:30:00Z", "id": "ak_2"}
            ],
            "children": [
                {
                    "id": "user_child_1",
                    "keys": [{"object": "ApiKey", "active": true, "key": "EZTK_redacted_3", "mode": "test", "created_at": "2024-02-01T00:00:00Z", "id": "ak_3"}],
                    "children": []
                }
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let records: Vec<shipping::types::ApiKeys> = client(&server)
        .api_keys()
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(records.len(), 1, "a single root object is one record");
    let api_keys = &records[0];
    assert_eq!(
        api_keys.id.as_deref(),
        Some("user_5e4d3c2b1a0f49e8a7b6c5d4e3f2a1b0")
    );
    let keys = api_keys.keys.as_ref().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].id.as_deref(), Some("ak_1"));
    assert_eq!(keys[0].mode, Some(ApiKeysKeysItemMode::Test));
    assert_eq!(keys[1].active, Some(false));
    assert_eq!(keys[1].mode, Some(ApiKeysKeysItemMode::Production));
    assert_eq!(
        keys[1]
            .created_at
            .as_ref()
            .unwrap()
            .parsed()
            .unwrap()
            .to_rfc3339(),
        "2024-01-06T11:30:00+00:00"
    );
    let child = &api_keys.children.as_ref().unwrap()[0];
    assert_eq!(child.id.as_deref(), Some("user_child_1"));
    assert_eq!(
        child.keys.as_ref().unwrap()[0].key.as_deref(),
        Some("EZTK_redacted_3")
    );
    assert_eq!(child.children.as_ref().map(Vec::len), Some(0));

    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    assert_get(&requests[0], "/v2/api_keys", &[], BASIC);
}
