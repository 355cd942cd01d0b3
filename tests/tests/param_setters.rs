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

#[test]
fn resources_sharing_a_record_type_keep_their_setters() {
    // Neither resource has a schema, so both decode `serde_json::Value`: before, neither
    // got a setter trait (their `limit`s would have been ambiguous) and the setters vanished.
    let api = resolve_yaml(
        "client:\n  base_url: https://example.com/\nresources:\n  - name: items\n    endpoint:\n      \
         paginator: single_page\n      params: {limit: 10}\n  - name: others\n    endpoint:\n      \
         paginator: single_page\n      params: {limit: 5, state: open}\n",
    );
    let files = restgen::emit::emit_crate(&api, "specs/case").unwrap();
    let params = &files["src/params.rs"];
    for wanted in [
        "pub trait ItemsParams",
        "pub trait OthersParams",
        "fn state(self",
    ] {
        assert!(params.contains(wanted), "{wanted} missing from:\n{params}");
    }
    // the prelude re-exports the setters (`pub use crate::params::*;` in `crate_root!`)
    assert!(files["src/lib.rs"].contains("crate_root!(params);"));
}

/// What the generated traits of two resources sharing a record type look like, compiled:
/// where both declare `limit`, the call names its trait and always compiles.
mod shared_record_type {
    use restgen_runtime::params::ParamRequest;
    use serde_json::Value;

    pub trait ItemsParams: ParamRequest<Record = Value> {
        fn limit(self, value: i64) -> Self {
            self.set_param("limit", Value::from(value))
        }
    }
    impl<R: ParamRequest<Record = Value>> ItemsParams for R {}

    pub trait OthersParams: ParamRequest<Record = Value> {
        fn limit(self, value: i64) -> Self {
            self.set_param("limit", Value::from(value * 10))
        }
        fn state(self, value: impl Into<String>) -> Self {
            self.set_param("state", Value::String(value.into()))
        }
    }
    impl<R: ParamRequest<Record = Value>> OthersParams for R {}
}

#[tokio::test]
async fn a_setter_shared_by_two_resources_is_reached_through_its_trait() {
    use shared_record_type::{ItemsParams, OthersParams};
    let server = MockServer::start().await;
    get("/others")
        .respond_with(json(json!([])))
        .mount(&server)
        .await;
    let api = resolve_yaml(
        "client:\n  base_url: https://example.com/\nresources:\n  - name: others\n    endpoint:\n      \
         paginator: single_page\n",
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
    // `request.limit(2)` would be ambiguous; `state` is not
    let request = OthersParams::limit(request, 2).state("x");
    let _ = <restgen_runtime::ResourceRequest<serde_json::Value> as ItemsParams>::limit;
    let _: Vec<_> = request.stream().try_collect().await.unwrap();
    let sent = received(&server).await;
    assert_eq!(query(&sent[0]), pairs(&[("limit", "20"), ("state", "x")]));
}

/// The prelude names what a user needs, with no path into `restgen_runtime`: this compiles.
#[test]
fn the_prelude_reaches_the_runtime_types_a_user_needs() {
    #[allow(dead_code, clippy::too_many_arguments)]
    fn signature(
        _: Incremental,
        _: Checkpoint,
        _: ResumePoint,
        _: DecodeReport,
        _: DecodeSummary,
        _: Page<serde_json::Value>,
        _: ResourceRequest<serde_json::Value>,
        _: BlockingRequest<serde_json::Value>,
        _: FanOut<serde_json::Value>,
        _: BlockingFanOut<serde_json::Value>,
        _: ChildRecord<serde_json::Value>,
    ) {
    }
    fn stream_ext<S: TryStreamExt + StreamExt>(_: S) {}
    stream_ext(futures::stream::empty::<Result<(), ()>>());
}
