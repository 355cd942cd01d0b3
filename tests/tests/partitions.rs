//! List `partitions` from spec to wire: the generated `<resource>_all()` walks the resource
//! once per value, and a `field` that binds nothing is a located error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::{get, json, received, resolve_yaml};
use futures::TryStreamExt;
use restgen_runtime::{ClientBuilder, FanOut, ResourceRequest};
use serde_json::{Value, json};
use wiremock::MockServer;
use wiremock::matchers::query_param;

const SPEC: &str = r#"
client:
  base_url: https://example.com/
resources:
  - name: absences
    endpoint:
      path: absences
      paginator: single_page
      params: {year: "{year}"}
      partitions: {field: year, values: [2023, 2024]}
"#;

fn files(spec: &str) -> Result<restgen::Generated, restgen::Diagnostics> {
    restgen::generate_files(&restgen::SpecFiles {
        api: "years".into(),
        shown_dir: "specs/years".into(),
        config: Ok(spec.into()),
        schemas: Vec::new(),
        ignored: Vec::new(),
    })
}

#[test]
fn a_partitioned_resource_gets_a_walk_over_its_values() {
    let files = files(SPEC).unwrap();
    let client = &files.files["src/client.rs"];
    for expected in [
        "pub fn absences_all(",
        "::restgen_runtime::FanOut::over_values(",
        r#""[2023,2024]""#,
        r#"::std::borrow::Cow::Borrowed("year")"#,
    ] {
        assert!(client.contains(expected), "`{expected}` missing:\n{client}");
    }
    // the blocking client is declared by the runtime's `client!` from the list of walks
    let blocking: String = files.files["src/blocking.rs"].split_whitespace().collect();
    assert!(blocking.contains("absences_all->"), "{blocking}");
}

#[test]
fn a_partition_field_that_binds_nothing_is_a_located_error() {
    let spec = SPEC.replace("partitions: {field: year", "partitions: {field: yeer");
    let error = files(&spec).unwrap_err().to_string();
    assert!(error.contains("`yeer` is not an argument"), "{error}");
    assert!(error.contains("specs/years/source.yaml:10:"), "{error}");
}

#[tokio::test]
async fn the_walk_sends_each_value_and_records_carry_it() {
    let server = MockServer::start().await;
    for year in ["2023", "2024"] {
        get("/absences")
            .and(query_param("year", year))
            .respond_with(json(json!([{"id": format!("{year}-a")}])))
            .mount(&server)
            .await;
    }
    let api = resolve_yaml(SPEC);
    let resource = &api.resources[0];
    let partitions = resource.partitions.clone().unwrap();
    let core = ClientBuilder::default()
        .base_url(server.uri())
        .build(&api.client)
        .unwrap();
    // what the generated `absences_all()` builds
    let walk = FanOut::over_values(
        partitions.values,
        Cow::Borrowed("partition"),
        Cow::Owned(partitions.field),
        ResourceRequest::<Value>::new(core, Cow::Owned(resource.descriptor.clone())),
    );
    let items: Vec<_> = walk.stream().try_collect().await.unwrap();
    let seen: Vec<(Value, Value)> = items
        .iter()
        .map(|i| (i.record["id"].clone(), i.parent["_partition_year"].clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (json!("2023-a"), json!(2023)),
            (json!("2024-a"), json!(2024))
        ]
    );
    assert_eq!(received(&server).await.len(), 2);
}
