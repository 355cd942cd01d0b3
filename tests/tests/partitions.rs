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
        "::restgen_runtime::FanOut::over_partitions(",
        "&descriptors::partitions::ABSENCES,",
        r#"::std::borrow::Cow::Borrowed("year")"#,
    ] {
        assert!(client.contains(expected), "`{expected}` missing:\n{client}");
    }
    // typed literals, nothing parsed from text at run time
    let descriptors = &files.files["src/descriptors.rs"];
    assert!(
        descriptors.contains(
            "PartitionValues::Listed(\n        Cow::Borrowed(&[expr::Literal::Int(2023), expr::Literal::Int(2024)]),"
        ),
        "{descriptors}"
    );
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
    let walk = FanOut::over_partitions(
        &partitions.values,
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

/// The spec with its values in the setting `years`.
fn from_setting() -> String {
    SPEC.replace("values: [2023, 2024]", "values: {config: years}")
}

#[test]
fn values_from_a_setting_are_read_by_the_runtime_not_written_into_the_crate() {
    let files = files(&from_setting()).unwrap();
    let descriptors = &files.files["src/descriptors.rs"];
    assert!(
        descriptors.contains("PartitionValues::Setting(\n        Cow::Borrowed(\"years\"),"),
        "{descriptors}"
    );
    // the builder takes the setting, which `build()` does not require
    let client = &files.files["src/client.rs"];
    assert!(client.contains("pub fn years("), "{client}");
}

/// Walks the partitions of the setting spec with `years` set to `setting` (unset: `None`).
async fn walk_setting(server: &MockServer, setting: Option<&str>) -> Result<Vec<Value>, String> {
    let api = resolve_yaml(&from_setting());
    let resource = &api.resources[0];
    let partitions = resource.partitions.clone().unwrap();
    let mut builder = ClientBuilder::default().base_url(server.uri());
    if let Some(years) = setting {
        builder = builder.value("years", years);
    }
    let core = builder.build(&api.client).unwrap();
    let walk = FanOut::over_partitions(
        &partitions.values,
        Cow::Borrowed("partition"),
        Cow::Owned(partitions.field),
        ResourceRequest::<Value>::new(core, Cow::Owned(resource.descriptor.clone())),
    );
    let items: Result<Vec<_>, _> = walk.stream().try_collect().await;
    items
        .map(|items| {
            items
                .iter()
                .map(|i| i.parent["_partition_year"].clone())
                .collect()
        })
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_list_setting_or_comma_separated_text_gives_the_partitions() {
    let server = MockServer::start().await;
    get("/absences")
        .respond_with(json(json!([{"id": 1}])))
        .mount(&server)
        .await;
    // a JSON list keeps its types; comma-separated text gives strings, trimmed
    let listed = walk_setting(&server, Some("[2023, 2024]")).await.unwrap();
    assert_eq!(listed, [json!(2023), json!(2024)]);
    let text = walk_setting(&server, Some(" 2021 , 2022,")).await.unwrap();
    assert_eq!(text, [json!("2021"), json!("2022")]);
    let years: Vec<String> = received(&server)
        .await
        .iter()
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "year")
                .map(|(_, v)| v.to_string())
        })
        .collect();
    assert_eq!(years, ["2023", "2024", "2021", "2022"]);
}

#[tokio::test]
async fn a_missing_or_empty_setting_fails_the_walk_before_any_request() {
    let server = MockServer::start().await;
    let missing = walk_setting(&server, None).await.unwrap_err();
    assert!(
        missing.contains("setting `years`, which the client was not given"),
        "{missing}"
    );
    let empty = walk_setting(&server, Some(" , ")).await.unwrap_err();
    assert!(empty.contains("holds no partition value"), "{empty}");
    let nested = walk_setting(&server, Some("[[2023]]")).await.unwrap_err();
    assert!(nested.contains("other than strings"), "{nested}");
    assert!(received(&server).await.is_empty());
}
