//! Typed setters for declared query parameters: which parameters get one and with what type,
//! and that a generated client's setters put dlt's wire form on the request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{get, json, pairs, query, received, resolve_yaml};
use incident_alerts::futures::TryStreamExt;
use incident_alerts::prelude::*;
use restgen::ir::request::ParamKind;
use serde_json::json;
use wiremock::MockServer;

#[test]
fn declared_plain_params_get_setters_typed_by_their_value() {
    let api = resolve_yaml(
        r#"
client:
  base_url: https://example.com/
resources:
  - name: items
    endpoint:
      path: items
      paginator: {type: offset, limit: 50, offset_param: skip, limit_param: take}
      params:
        status: open
        count: 10
        ratio: 0.5
        archived: false
        tags: [a, b]
        cursor: null
        take: 50
        since: "id:{resources.parents.id}"
  - name: parents
"#,
    );
    let items = &api.resources[0];
    let kinds: Vec<(&str, ParamKind)> = items
        .settable_params
        .iter()
        .map(|p| (p.name.as_str(), p.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("status", ParamKind::Text),
            ("count", ParamKind::Integer),
            ("ratio", ParamKind::Float),
            ("archived", ParamKind::Bool),
            ("tags", ParamKind::List),
            ("cursor", ParamKind::Untyped),
        ],
        "`take` belongs to the paginator and `since` is bound from the parent: no setters"
    );
}

fn client(server: &MockServer) -> incident_alerts::Client {
    incident_alerts::Client::builder()
        .api_token("t0ken-value")
        .base_url(server.uri())
        .build()
        .unwrap()
}

#[tokio::test]
async fn setters_replace_the_declared_values_on_the_wire() {
    let server = MockServer::start().await;
    get("/v2/alerts")
        .respond_with(json(json!({"data": [], "paging": {}})))
        .mount(&server)
        .await;
    let _: Vec<_> = client(&server)
        .alerts()
        .limit(20)
        .order("desc")
        .stream()
        .try_collect()
        .await
        .unwrap();
    let sent = received(&server).await;
    assert_eq!(
        query(&sent[0]),
        pairs(&[("limit", "20"), ("order", "desc")])
    );
}

#[test]
fn setters_work_on_the_blocking_client_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        get("/v2/alerts")
            .respond_with(json(json!({"data": [], "paging": {}})))
            .mount(&server)
            .await;
        server
    });
    let blocking = incident_alerts::blocking::Client::builder()
        .api_token("t0ken-value")
        .base_url(server.uri())
        .build()
        .unwrap();
    let records: Vec<_> = blocking.alerts().order("desc").iter().collect();
    assert!(records.iter().all(Result::is_ok));
    let sent = runtime.block_on(received(&server));
    assert_eq!(
        query(&sent[0]),
        pairs(&[("limit", "100"), ("order", "desc")])
    );
}

#[tokio::test]
async fn a_list_value_repeats_the_key_and_null_leaves_the_declared_value() {
    let server = MockServer::start().await;
    get("/things")
        .respond_with(json(json!([])))
        .mount(&server)
        .await;
    let api = resolve_yaml(
        "client:\n  base_url: https://example.com/\nresources:\n  - name: things\n    endpoint:\n      \
         paginator: single_page\n      params: {tags: [a], keep: yes, drop: x}\n",
    );
    let core = restgen_runtime::ClientBuilder::default()
        .base_url(server.uri())
        .build(&api.client)
        .unwrap();
    let request: restgen_runtime::ResourceRequest<serde_json::Value> =
        restgen_runtime::ResourceRequest::new(
            core,
            std::borrow::Cow::Owned(api.resources[0].descriptor.clone()),
        );
    let _: Vec<_> = request
        .param_value("tags", json!(["x", "y", true]))
        .param_value("drop", serde_json::Value::Null)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let sent = received(&server).await;
    assert_eq!(
        query(&sent[0]),
        pairs(&[
            ("tags", "x"),
            ("keep", "yes"),
            ("drop", "x"),
            ("tags", "y"),
            ("tags", "True")
        ]),
    );
}
