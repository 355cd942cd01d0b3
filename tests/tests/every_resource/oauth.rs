//! OAuth2 client credentials end to end, on the `ledger` fixture (tests/fixtures/ledger): the
//! mock's token endpoint checks the client and issues a token, the generated clients fetch it
//! once and send it on every request, and a wrong secret is a typed auth error without the
//! secret in it.

use restgen_mock::{MockApi, MockOptions, TOKEN_PATH, load_api};
use restgen_runtime::Error;
use restgen_runtime::futures::TryStreamExt;
use serde_json::Value;

use crate::harness::{same_json, to_json};

const CLIENT_ID: &str = "ledger-client-4";
const CLIENT_SECRET: &str = "ledger-secret-9d";

async fn start(options: MockOptions) -> MockApi {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ledger");
    let api = load_api(&dir).unwrap();
    let options = options
        .value("client_id", CLIENT_ID)
        .value("client_secret", CLIENT_SECRET);
    MockApi::start(&api, options).await.unwrap()
}

fn async_client(mock: &MockApi, secret: &str) -> ::ledger::Client {
    ::ledger::Client::builder()
        .token_url(mock.token_url().unwrap())
        .client_id(CLIENT_ID)
        .client_secret(secret)
        .base_url(mock.base_url())
        .build()
        .unwrap()
}

/// One token request, first, with the spec's form; then every request carries that token.
fn check_token_use(mock: &MockApi) {
    let log = mock.requests();
    let (token_request, rest) = log.split_first().unwrap();
    assert_eq!(token_request.path, TOKEN_PATH);
    assert_eq!(token_request.method, "POST");
    assert_eq!(token_request.status, 200, "{token_request:?}");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&token_request.body)
        .into_owned()
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(field("grant_type"), Some("client_credentials"));
    assert_eq!(field("client_id"), Some(CLIENT_ID));
    assert_eq!(field("client_secret"), Some(CLIENT_SECRET));
    assert_eq!(field("scope"), Some("ledger.read"));
    assert!(!rest.is_empty());
    let bearer = rest[0].header_values("authorization");
    assert!(
        bearer.len() == 1 && bearer[0].starts_with(b"Bearer mock-token-"),
        "{:?}",
        rest[0]
    );
    for request in rest {
        assert_ne!(request.path, TOKEN_PATH, "the token is fetched once");
        assert_eq!(request.status, 200, "{request:?}");
        assert_eq!(request.header_values("authorization"), bearer);
    }
}

fn assert_same(got: &[Value], want: &[Value]) {
    assert_eq!(got.len(), want.len());
    for (got, want) in got.iter().zip(want) {
        assert!(same_json(got, want), "got {got}\nwant {want}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_fetched_once_and_sent_on_every_request() {
    let mock = start(MockOptions::new().records_for("accounts", 26)).await;
    let client = async_client(&mock, CLIENT_SECRET);
    let accounts: Vec<_> = client.accounts().stream().try_collect().await.unwrap();
    assert_same(&to_json(&accounts), &mock.records("accounts", &[]).unwrap());
    assert_eq!(mock.requests().len(), 1 + 3, "the token, then three pages");
    check_token_use(&mock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fan_out_reuses_the_token_for_every_parent() {
    let mock = start(
        MockOptions::new()
            .records_for("accounts", 3)
            .records_for("entries", 45),
    )
    .await;
    let client = async_client(&mock, CLIENT_SECRET);
    let items: Vec<_> = client.entries_all().stream().try_collect().await.unwrap();
    let mut expected = Vec::new();
    for account in mock.records("accounts", &[]).unwrap() {
        let id = account["id"].as_str().unwrap().to_string();
        expected.extend(mock.records("entries", &[("account_id", &id)]).unwrap());
    }
    let records: Vec<_> = items.into_iter().map(|item| item.record).collect();
    assert_same(&to_json(&records), &expected);
    check_token_use(&mock);
}

#[test]
fn the_blocking_client_fetches_its_token_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime.block_on(start(MockOptions::new().records_for("accounts", 12)));
    let client = ::ledger::blocking::Client::builder()
        .token_url(mock.token_url().unwrap())
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let accounts: Vec<_> = client.accounts().iter().collect::<Result<_, _>>().unwrap();
    assert_same(&to_json(&accounts), &mock.records("accounts", &[]).unwrap());
    check_token_use(&mock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_client_secret_is_an_auth_error_without_the_secret() {
    let mock = start(MockOptions::new()).await;
    let client = async_client(&mock, "not-the-secret-7");
    let err = client
        .accounts()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    match &err {
        Error::Auth { resource, message } => {
            assert_eq!(resource, "accounts");
            assert!(message.contains("401"), "{err}");
        }
        other => panic!("expected an auth error, got {other:?}"),
    }
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("not-the-secret-7") && !shown.contains(CLIENT_ID),
        "{shown}"
    );
    let log = mock.requests();
    assert_eq!(log.len(), 1, "no resource request without a token");
    assert_eq!(log[0].status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_the_mock_did_not_issue_is_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mock = start(MockOptions::new()).await;
    let path = url::Url::parse(mock.base_url())
        .unwrap()
        .join("accounts")
        .unwrap();
    let mut stream = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer mock-token-forged\r\nConnection: close\r\n\r\n",
        path.path(),
        mock.addr()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
}

/// The grandchild fan-out (accounts -> entries -> lines, `parallelized`): every line of every
/// entry of every account, in parent order, each carrying the entry's id and, through
/// `include_from_parent: [_accounts_id]`, the account the entry was fetched for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grandchild_fan_out_walks_the_chain_and_carries_every_ancestor() {
    let mock = start(
        MockOptions::new()
            .records_for("accounts", 3)
            .records_for("entries", 4)
            .records_for("lines", 3),
    )
    .await;
    let client = async_client(&mock, CLIENT_SECRET);
    let items: Vec<_> = client.lines_all().stream().try_collect().await.unwrap();
    let mut expected = Vec::new();
    for account in mock.records("accounts", &[]).unwrap() {
        let account_id = account["id"].as_str().unwrap().to_string();
        for entry in mock
            .records("entries", &[("account_id", &account_id)])
            .unwrap()
        {
            let entry_id = entry["id"].as_str().unwrap().to_string();
            for line in mock.records("lines", &[("entries_id", &entry_id)]).unwrap() {
                expected.push((account_id.clone(), entry_id.clone(), line));
            }
        }
    }
    assert_eq!(items.len(), 3 * 4 * 3);
    assert_eq!(items.len(), expected.len());
    for (item, (account_id, entry_id, line)) in items.iter().zip(&expected) {
        assert_eq!(item.parent["_entries_id"], Value::from(entry_id.as_str()));
        assert_eq!(
            item.parent["_entries__accounts_id"],
            Value::from(account_id.as_str())
        );
        assert!(same_json(
            &to_json(std::slice::from_ref(&item.record))[0],
            line
        ));
    }
    // the blocking client walks the same chain
    // on a thread of its own: a blocking client refuses to run inside the async runtime
    let blocking = std::thread::spawn({
        let (token_url, base_url) = (mock.token_url().unwrap(), mock.base_url().to_string());
        move || {
            ::ledger::blocking::Client::builder()
                .token_url(token_url)
                .client_id(CLIENT_ID)
                .client_secret(CLIENT_SECRET)
                .base_url(base_url)
                .build()
                .unwrap()
                .lines_all()
                .concurrency(2)
                .iter()
                .map(|item| item.unwrap().parent["_entries_id"].clone())
                .collect::<Vec<_>>()
        }
    })
    .join()
    .unwrap();
    let ids: Vec<_> = items
        .iter()
        .map(|i| i.parent["_entries_id"].clone())
        .collect();
    assert_eq!(blocking, ids);
}
