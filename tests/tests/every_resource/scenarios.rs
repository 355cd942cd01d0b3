//! What spans resources, against the mock: wrong credentials, fan-out over every parent,
//! offsets without a total, incremental runs resumed, and the mock's own refusals.

use restgen_mock::MockApi;
use restgen_runtime::futures::TryStreamExt;
use restgen_runtime::serde::Serialize;
use serde_json::Value;

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_missing_credential_gets_401_and_a_typed_error() {
    // bearer, api_key with a prefix, basic, and an endpoint's own api_key
    let esign_mock = MockApi::start(api("esign"), options(&[("api_key", "right")]))
        .await
        .unwrap();
    let client = ::esign::Client::builder()
        .api_key("wrong")
        .base_url(esign_mock.base_url())
        .build()
        .unwrap();
    let err = client
        .contacts()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");

    let ia_mock = MockApi::start(api("incident_alerts"), options(&[("api_token", "right")]))
        .await
        .unwrap();
    let client = ::incident_alerts::Client::builder()
        .api_token("wrong")
        .base_url(ia_mock.base_url())
        .build()
        .unwrap();
    let err = client
        .alerts()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");

    let shipping_mock = MockApi::start(api("shipping"), options(&[("username", "right")]))
        .await
        .unwrap();
    let client = ::shipping::Client::builder()
        .username("wrong")
        .base_url(shipping_mock.base_url())
        .build()
        .unwrap();
    let err = client
        .batches()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");

    // document_signing: the client's bearer token is right, signing_links' own key is not
    let ds_mock = MockApi::start(
        api("document_signing"),
        options(&[("api_key_id", "key"), ("auth_token", "right")]),
    )
    .await
    .unwrap();
    let client = ::document_signing::Client::builder()
        .api_key_id("key")
        .auth_token("wrong")
        .base_url(ds_mock.base_url())
        .build()
        .unwrap();
    let err = client
        .signing_links()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");
    let contacts: Vec<_> = client.crm_contacts().stream().try_collect().await.unwrap();
    assert_eq!(contacts.len(), 25);

    for mock in [&esign_mock, &ia_mock, &shipping_mock] {
        let requests = mock.requests();
        assert_eq!(requests.len(), 1, "a 401 is not retried");
        assert_eq!(requests[0].status, 401);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offset_without_total_ends_on_an_empty_page_when_the_last_page_is_full() {
    let mock = MockApi::start(
        api("shared_inbox"),
        options(&[("api_key", "k")]).records_for("users", 100),
    )
    .await
    .unwrap();
    let client = ::shared_inbox::Client::builder()
        .api_key("k")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let users: Vec<_> = client.users().stream().try_collect().await.unwrap();
    assert_eq!(users.len(), 100);
    let offsets: Vec<Vec<String>> = mock
        .requests()
        .iter()
        .map(|r| {
            r.query_values("offset")
                .iter()
                .map(|s| s.to_string())
                .collect()
        })
        .collect();
    assert_eq!(offsets, [["0"], ["50"], ["100"]]);
}

/// Every child record of every parent arrives once, tagged with its parent.
async fn check_fan_out<T: Serialize>(
    mock: &MockApi,
    parent: &str,
    child: &str,
    arg: &str,
    items: &[restgen_runtime::ChildRecord<T>],
) {
    let parents = mock.records(parent, &[]).unwrap();
    let mut expected = Vec::new();
    for p in &parents {
        let id = p["id"].as_str().unwrap();
        for record in mock.records(child, &[(arg, id)]).unwrap() {
            expected.push((id.to_string(), record));
        }
    }
    assert_eq!(items.len(), expected.len());
    let key = format!("_{parent}_id");
    for (item, (parent_id, record)) in items.iter().zip(&expected) {
        assert_eq!(item.parent[&key], Value::String(parent_id.clone()));
        assert!(same_json(
            &serde_json::to_value(&item.record).unwrap(),
            record
        ));
    }
    assert!(
        mock.requests().iter().all(|r| r.status == 200),
        "{:#?}",
        summary(&mock.requests())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_out_walks_every_parent_and_pages_every_child() {
    let mock = MockApi::start(
        api("esign"),
        options(&[("api_key", "k")])
            .records_for("signature_requests", 12)
            .records_for("signature_requests_followers", 21),
    )
    .await
    .unwrap();
    let client = ::esign::Client::builder()
        .api_key("k")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let items: Vec<_> = client
        .signature_requests_followers_all()
        .stream()
        .try_collect()
        .await
        .unwrap();
    check_fan_out(
        &mock,
        "signature_requests",
        "signature_requests_followers",
        "sign_req",
        &items,
    )
    .await;
    // 2 parent pages, then 3 pages for each of the 12 parents
    assert_eq!(mock.requests().len(), 2 + 12 * 3);

    let mock = MockApi::start(
        api("shared_inbox"),
        options(&[("api_key", "k")])
            .records_for("contact_books", 3)
            .records_for("contact_groups", 60),
    )
    .await
    .unwrap();
    let client = ::shared_inbox::Client::builder()
        .api_key("k")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let items: Vec<_> = client
        .contact_groups_all()
        .stream()
        .try_collect()
        .await
        .unwrap();
    check_fan_out(
        &mock,
        "contact_books",
        "contact_groups",
        "contact_book",
        &items,
    )
    .await;
}

#[test]
fn blocking_fan_out_walks_every_parent() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime
        .block_on(MockApi::start(
            api("shared_inbox"),
            options(&[("api_key", "k")])
                .records_for("contact_books", 2)
                .records_for("contacts", 51),
        ))
        .unwrap();
    let client = ::shared_inbox::blocking::Client::builder()
        .api_key("k")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let items: Vec<_> = client
        .contacts_all()
        .iter()
        .collect::<Result<_, _>>()
        .unwrap();
    runtime.block_on(check_fan_out(
        &mock,
        "contact_books",
        "contacts",
        "contact_book",
        &items,
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mock_refuses_cursors_it_did_not_issue_and_missing_parameters() {
    let mock = MockApi::start(api("esign"), options(&[("api_key", "k")]))
        .await
        .unwrap();
    let http = reqwest_free_get(&mock, "/v3/contacts?limit=100&after=forged").await;
    assert_eq!(http, 400);
    let http = reqwest_free_get(&mock, "/v3/contacts").await;
    assert_eq!(http, 400, "limit=100 is a fixed parameter of the spec");
    let http = reqwest_free_get(&mock, "/v3/nowhere").await;
    assert_eq!(http, 404);
    let notes: Vec<Option<String>> = mock.requests().into_iter().map(|r| r.note).collect();
    assert!(notes.iter().all(Option::is_some), "{notes:?}");
}

/// A GET with the right bearer token through a bare TCP connection, returning the status.
async fn reqwest_free_get(mock: &MockApi, path_and_query: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    let request = format!(
        "GET {path_and_query} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer k\r\nConnection: close\r\n\r\n",
        mock.addr()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_resources_resume_with_no_duplicates_and_no_gaps() {
    use restgen_runtime::Incremental;

    // shared_inbox contacts send the start value as modified_since, which the server filters
    // on; incident_alerts alerts are filtered by the client alone
    let inbox = MockApi::start(
        api("shared_inbox"),
        options(&[("api_key", "k")]).records_for("contacts", 60),
    )
    .await
    .unwrap();
    let inbox_client = ::shared_inbox::Client::builder()
        .api_key("k")
        .base_url(inbox.base_url())
        .build()
        .unwrap();
    let alerts = MockApi::start(
        api("incident_alerts"),
        options(&[("api_token", "t")]).records_for("alerts", 60),
    )
    .await
    .unwrap();
    let alerts_client = ::incident_alerts::Client::builder()
        .api_token("t")
        .base_url(alerts.base_url())
        .build()
        .unwrap();

    let ids =
        |records: &[Value]| -> Vec<String> { records.iter().map(|r| wire(&r["id"])).collect() };
    let args: &[(&str, &str)] = &[("contact_book", "cb-1")];

    // first run: everything, and a checkpoint at the newest record
    let inbox_run = Incremental::new();
    let first = to_json(
        &inbox_client
            .contacts("cb-1")
            .incremental(&inbox_run)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap(),
    );
    let served = inbox.records("contacts", args).unwrap();
    assert_eq!(ids(&first), ids(&served));
    assert!(
        inbox
            .requests()
            .iter()
            .all(|r| r.query_values("modified_since").is_empty()),
        "no start value on a first run without initial_value"
    );
    let inbox_checkpoint = inbox_run.checkpoint().unwrap();
    assert_eq!(inbox_checkpoint.last_value, served[59]["modified_at"]);

    let alerts_run = Incremental::new();
    let first = to_json(
        &alerts_client
            .alerts()
            .incremental(&alerts_run)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap(),
    );
    assert_eq!(ids(&first), ids(&alerts.records("alerts", &[]).unwrap()));
    let alerts_checkpoint = alerts_run.checkpoint().unwrap();

    // five newer records appear; a resumed run gets exactly those
    inbox.set_records("contacts", 65).unwrap();
    inbox.clear_requests();
    let second = to_json(
        &inbox_client
            .contacts("cb-1")
            .incremental(&Incremental::resume(inbox_checkpoint.clone()))
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap(),
    );
    let served = inbox.records("contacts", args).unwrap();
    assert_eq!(ids(&second), ids(&served[60..]));
    let since = wire(&inbox_checkpoint.last_value);
    for request in inbox.requests() {
        assert_eq!(request.query_values("modified_since"), [since.as_str()]);
        // the server filters too: the boundary record and the five new ones
        assert_eq!(request.served.unwrap().total, 6);
    }

    alerts.set_records("alerts", 65).unwrap();
    let second = to_json(
        &alerts_client
            .alerts()
            .incremental(&Incremental::resume(alerts_checkpoint))
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap(),
    );
    assert_eq!(
        ids(&second),
        ids(&alerts.records("alerts", &[]).unwrap()[60..])
    );
}
