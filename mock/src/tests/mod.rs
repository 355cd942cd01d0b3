//! The mock against the runtime's own driver, for the paginators, auth kinds and request
//! shapes the five specs do not use: a synthetic spec, resolved like any other, paged through
//! `ResourceRequest<Value>` (what generated clients and `xtask run` execute).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;

use restgen::ir::ApiIr;
use restgen_runtime::futures::TryStreamExt;
use restgen_runtime::{ClientBuilder, ResourceRequest};
use serde_json::Value;

use super::{MockApi, MockError, MockOptions};

mod converted;
mod faults;

const SPEC: &str = r#"
client:
  base_url: https://api.example.com/api/
  auth: {type: api_key, name: key, api_key: {secret: k}, location: query}
resources:
  - name: links
    endpoint: {path: links, data_selector: items, paginator: {type: json_link, next_url_path: paging.next}}
  - name: header_links
    endpoint: {path: header_links, data_selector: items, paginator: {type: header_link}}
  - name: header_cursors
    endpoint: {path: header_cursors, data_selector: items, paginator: {type: header_cursor, cursor_key: X-Next, cursor_param: cursor}}
  - name: totals
    endpoint: {path: totals, data_selector: results, paginator: {type: offset, limit: 7, total_path: meta.total}}
  - name: more_flags
    endpoint: {path: more_flags, data_selector: data, paginator: {type: offset, limit: 5, total_path: null, has_more_path: more}}
  - name: pages
    endpoint: {path: pages, data_selector: data, paginator: {type: page_number, total_path: total_pages}}
  - name: searches
    endpoint:
      path: search
      method: POST
      json: {query: x}
      data_selector: hits
      paginator: {type: cursor, cursor_path: next, cursor_body_path: page.cursor}
  - name: done_flags
    endpoint:
      path: done_flags
      data_selector: data
      paginator: {type: cursor, cursor_path: cursor, cursor_param: c, stop_condition: '{{ response.done == True }}'}
  - name: parts
    endpoint:
      path: "things/{thing}/parts"
      params: {thing: {type: resolve, resource: links, field: id}}
      data_selector: data
      paginator: single_page
  - name: cookies
    endpoint:
      path: cookies
      data_selector: data
      paginator: single_page
      auth: {type: api_key, name: session, api_key: {secret: c}, location: cookie}
"#;

const SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "id": {"type": "string"},
    "n": {"type": ["null", "integer"]},
    "at": {"type": "string", "format": "date-time"}
  },
  "required": ["id"]
}"#;

fn synthetic() -> ApiIr {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("synthetic");
    std::fs::create_dir_all(spec.join("schemas")).unwrap();
    std::fs::write(spec.join("source.yaml"), SPEC).unwrap();
    for name in [
        "links",
        "header_links",
        "header_cursors",
        "totals",
        "more_flags",
        "pages",
        "searches",
        "done_flags",
        "parts",
        "cookies",
    ] {
        std::fs::write(spec.join(format!("schemas/{name}.json")), SCHEMA).unwrap();
    }
    super::load_api(&spec).unwrap()
}

fn options() -> MockOptions {
    MockOptions::new()
        .value("k", "query-key")
        .value("c", "cookie-key")
}

async fn page_through(
    api: &ApiIr,
    mock: &MockApi,
    name: &str,
    args: &[(&str, &str)],
    key: &str,
) -> Result<Vec<Vec<Value>>, restgen_runtime::Error> {
    let builder = ClientBuilder::default()
        .value("k", key)
        .value("c", "cookie-key");
    page_with(api, mock, name, args, builder).await
}

/// The pages of resource `name`, through a client from `builder` pointed at the mock.
async fn page_with(
    api: &ApiIr,
    mock: &MockApi,
    name: &str,
    args: &[(&str, &str)],
    builder: ClientBuilder,
) -> Result<Vec<Vec<Value>>, restgen_runtime::Error> {
    let core = builder.base_url(mock.base_url()).build(&api.client)?;
    let resource = api.resources.iter().find(|r| r.name == name).unwrap();
    let mut request: ResourceRequest<Value> =
        ResourceRequest::new(core, Cow::Owned(resource.descriptor.clone()));
    for (k, v) in args {
        request = request.arg(k, v);
    }
    request
        .pages()
        .map_ok(|page| page.records)
        .try_collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_paginator_pages_through_the_runtime() {
    let api = synthetic();
    for resource in &api.resources {
        page_and_check(&api, &resource.name).await;
    }
}

async fn page_and_check(api: &ApiIr, name: &str) {
    let mock = MockApi::start(api, options()).await.unwrap();
    assert_eq!(mock.unsupported(name), None);
    let size = mock.page_size(name).unwrap();
    let count = size.map_or(3, |s| 2 * s + s / 2 + 1);
    mock.set_records(name, count).unwrap();
    let args: &[(&str, &str)] = if name == "parts" {
        &[("thing", "links_0001")]
    } else {
        &[]
    };
    let pages = page_through(api, &mock, name, args, "query-key")
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}; {:#?}", mock.requests()));
    let records: Vec<Value> = pages.iter().flatten().cloned().collect();
    assert_eq!(records, mock.records(name, args).unwrap(), "{name}");
    let requests = mock.requests();
    assert!(
        requests.iter().all(|r| r.status == 200),
        "{name}: {requests:#?}"
    );
    assert_eq!(requests.len(), pages.len(), "{name}");
    if size.is_some() {
        assert!(pages.len() >= 3, "{name}: {} pages", pages.len());
    }
    // the client's key, except where the endpoint's own auth replaces it
    let key: &[&str] = if name == "cookies" {
        &[]
    } else {
        &["query-key"]
    };
    for request in &requests {
        assert_eq!(request.query_values("key"), key, "{name}");
    }
    if name == "searches" {
        let bodies: Vec<Value> = requests
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect();
        assert_eq!(bodies[0], serde_json::json!({"query": "x"}));
        assert_eq!(bodies[1]["query"], "x", "{bodies:?}");
        assert!(
            bodies[1]["page"]["cursor"]
                .as_str()
                .is_some_and(|c| c.starts_with('t')),
            "{bodies:?}"
        );
    }
    if name == "cookies" {
        assert_eq!(
            requests[0].header_values("cookie"),
            [b"session=cookie-key".as_slice()]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_query_key_is_refused_and_a_missing_value_stops_the_start() {
    let api = synthetic();
    let mock = MockApi::start(&api, options()).await.unwrap();
    let err = page_through(&api, &mock, "totals", &[], "wrong")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");
    let err = MockApi::start(&api, MockOptions::new().value("k", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, MockError::MissingValue { name, .. } if name == "c"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_literal_oauth2_token_url_is_reached_through_the_clients_override() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("literal_token");
    std::fs::create_dir_all(&spec).unwrap();
    std::fs::write(
        spec.join("source.yaml"),
        r#"
client:
  base_url: https://api.example.com/
  auth:
    type: oauth2_client_credentials
    access_token_url: https://auth.example.com/token
    client_id: {secret: id}
    client_secret: {secret: secret}
resources:
  - name: things
    endpoint: {path: things, paginator: single_page}
"#,
    )
    .unwrap();
    let api = super::load_api(&spec).unwrap();
    let options = MockOptions::new()
        .value("id", "i")
        .value("secret", "s3cr3t-value");
    assert!(
        !format!("{options:?}").contains("s3cr3t-value"),
        "{options:?}"
    );
    let mock = MockApi::start(&api, options).await.unwrap();
    assert_eq!(mock.unsupported("things"), None);
    assert!(!format!("{mock:?}").contains("s3cr3t-value"), "{mock:?}");
    // the spec's token URL is a literal: the client is pointed at the mock's, as at the base URL
    let token_url = mock.token_url().unwrap();
    assert!(!mock.client_values().values().any(|v| *v == token_url));
    let core = ClientBuilder::default()
        .value("id", "i")
        .value("secret", "s3cr3t-value")
        .base_url(mock.base_url())
        .token_url(&token_url)
        .build(&api.client)
        .unwrap();
    let request: ResourceRequest<Value> =
        ResourceRequest::new(core, Cow::Owned(api.resources[0].descriptor.clone()));
    let records: Vec<Value> = request.stream().try_collect().await.unwrap();
    assert_eq!(records.len(), 25);
    let paths: Vec<String> = mock.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/oauth/token", "/things"]);
}

/// A spec that needs Rust code (custom auth and paginator): the mock cannot know what they
/// send or how they page, so it checks no credential and serves every record on one page,
/// which a client with stand-ins for the code reads whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_of_custom_code_is_served_on_one_page_without_an_auth_check() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("plugged");
    std::fs::create_dir(&spec).unwrap();
    std::fs::write(
        spec.join("source.yaml"),
        r#"
client:
  base_url: https://api.example.com/
  auth: {type: custom, name: Signer}
resources:
  - name: events
    endpoint: {path: events, data_selector: items, paginator: {type: custom, name: Token}}
"#,
    )
    .unwrap();
    let api = super::load_api(&spec).unwrap();
    let mock = MockApi::start(&api, MockOptions::new()).await.unwrap();
    assert_eq!(mock.unsupported("events"), None);
    assert_eq!(mock.page_size("events").unwrap(), None);
    mock.set_records("events", 7).unwrap();
    let text = reqwest::get(format!("{}events", mock.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["items"].as_array().map(Vec::len), Some(7), "{body}");
}
