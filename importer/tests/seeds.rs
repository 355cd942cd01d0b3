//! The five seed documents import unchanged and give the committed specs' configs, apart
//! from what each committed spec adds on purpose. Those differences are listed here, one
//! edit each, with the reason its spec's header comment gives; any other difference fails.
//! The notes are pinned by snapshots, and each imported spec generates a crate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::{Map, Value, json};

/// One deliberate difference between an imported seed and its committed spec.
enum Edit {
    /// Set the value at a path (`resources[name=x].endpoint.params`, `resources[*]...`).
    Set(&'static str, Value),
    /// Remove the value at a path; it must be there.
    Remove(&'static str),
    /// Remove the key from the endpoint of each named resource.
    RemoveFrom(&'static [&'static str], &'static str),
}

use Edit::{Remove, RemoveFrom, Set};

fn walk(v: &mut Value, segs: &[&str], last: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    let (seg, rest) = (segs[0], &segs[1..]);
    let (key, filter) = match seg.split_once('[') {
        Some((k, f)) => (k, Some(f.trim_end_matches(']'))),
        None => (seg, None),
    };
    let Value::Object(map) = v else {
        panic!("not an object at `{seg}`")
    };
    if rest.is_empty() && filter.is_none() {
        return last(map, key);
    }
    let child = map.entry(key).or_insert_with(|| json!({}));
    let Some(filter) = filter else {
        return walk(child, rest, last);
    };
    let items = child.as_array_mut().expect("a list");
    let mut matched = 0;
    for item in items {
        let name = item.get("name").and_then(Value::as_str);
        if filter == "*" || filter.strip_prefix("name=") == name {
            matched += 1;
            walk(item, rest, last);
        }
    }
    assert!(matched > 0, "no item matches `{seg}`");
}

fn apply(doc: &mut Value, edits: &[Edit]) {
    for edit in edits {
        match edit {
            Set(path, value) => {
                let segs: Vec<&str> = path.split('.').collect();
                walk(doc, &segs, &mut |map, key| {
                    map.insert(key.to_string(), value.clone());
                });
            }
            Remove(path) => remove(doc, path),
            RemoveFrom(names, key) => {
                for name in *names {
                    remove(doc, &format!("resources[name={name}].endpoint.{key}"));
                }
            }
        }
    }
}

fn remove(doc: &mut Value, path: &str) {
    let segs: Vec<&str> = path.split('.').collect();
    walk(doc, &segs, &mut |map, key| {
        assert!(map.remove(key).is_some(), "nothing to remove at `{path}`");
    });
}

/// The retry policy the committed specs write from the seeds' prose.
fn retry(codes: &[u16]) -> Value {
    json!({"retry_on_status_codes": codes, "max_retries": 3, "backoff_factor": 2})
}

fn committed(api: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../specs/{api}/source.yaml"));
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Imports the seed, applies the deliberate edits, compares with the committed spec,
/// snapshots the notes and generates the imported spec.
fn check(seed: &str, api: &str, edits: &[Edit]) {
    let scratch = tempfile::tempdir().unwrap();
    let options = restgen_import::Options {
        name: Some(api.into()),
        ..Default::default()
    };
    let imported = common::import(&format!("seeds/{seed}"), &options, scratch.path()).unwrap();
    assert!(imported.check.is_empty(), "{:#?}", imported.check);
    assert_eq!(imported.fill_ins, 0);
    let mut config: Value = serde_yaml::from_str(&imported.source_yaml).unwrap();
    apply(&mut config, edits);
    let expected = committed(api);
    assert!(
        config == expected,
        "imported seed {seed} with its edits differs from specs/{api}/source.yaml:\n--- imported\n{}\n--- committed\n{}",
        serde_yaml::to_string(&config).unwrap(),
        serde_yaml::to_string(&expected).unwrap()
    );
    insta::assert_snapshot!(format!("{api}_notes"), common::notes(&imported));

    let dir = scratch.path().join("specs").join(api);
    let generated = restgen::generate(&dir, &format!("specs/{api}"));
    assert!(generated.is_ok(), "{}", generated.err().unwrap());
}

/// esign's header: retry policy, data_selector/paginator moved to resource_defaults, limit
/// 100, followers bound to signature_requests with primary key email and 404 ignored,
/// signature_requests incremental on created_at.
#[test]
fn seed_000_esign() {
    check(
        "000_583dc0e28db24c27.txt",
        "esign",
        &[
            Remove("resources[*].endpoint.data_selector"),
            Remove("resources[*].endpoint.paginator"),
            Set(
                "resource_defaults.endpoint",
                json!({
                    "data_selector": "data",
                    "params": {"limit": 100},
                    "paginator": {"type": "cursor", "cursor_param": "after", "cursor_path": "meta.next_cursor"},
                    "error_handler": retry(&[429, 500, 502, 503, 504]),
                }),
            ),
            Set(
                "resources[name=signature_requests].endpoint.incremental",
                json!({"cursor_path": "created_at"}),
            ),
            Set(
                "resources[name=signature_requests_followers].primary_key",
                json!("email"),
            ),
            Set(
                "resources[name=signature_requests_followers].endpoint.params",
                json!({"sign_req": {"type": "resolve", "resource": "signature_requests", "field": "id"}}),
            ),
            Set(
                "resources[name=signature_requests_followers].endpoint.response_actions",
                json!([{"status_code": 404, "action": "ignore"}]),
            ),
        ],
    );
}

/// document_signing's header: bearer auth, Basic auth on signing_links, root selectors,
/// base_page and total_path, the retry policy, crm_contacts incremental.
#[test]
fn seed_001_document_signing() {
    let paginator = json!({
        "type": "page_number", "base_page": 1, "page_param": "page", "limit": 20,
        "limit_param": "per_page", "total_path": "meta.pagination.total_pages",
    });
    check(
        "001_154fd57e8fc8ea96.txt",
        "document_signing",
        &[
            Set(
                "client.auth",
                json!({"type": "bearer", "token": {"secret": "api_key_id"}}),
            ),
            Set(
                "resource_defaults.endpoint.error_handler",
                retry(&[429, 500, 502, 503, 504]),
            ),
            Set("resources[name=user].endpoint.data_selector", json!([])),
            Set(
                "resources[name=user_modified_documents].endpoint.data_selector",
                json!([]),
            ),
            Set(
                "resources[name=crm_contacts].endpoint.paginator",
                paginator.clone(),
            ),
            Set(
                "resources[name=crm_contacts].endpoint.incremental",
                json!({"cursor_path": "meta.updated_at"}),
            ),
            Set(
                "resources[name=signing_links].endpoint.paginator",
                paginator,
            ),
            Set(
                "resources[name=signing_links].endpoint.auth",
                json!({"type": "api_key", "name": "Authorization", "api_key": {"secret": "auth_token"}, "prefix": "Basic "}),
            ),
        ],
    );
}

/// incident_alerts's header: GenieKey auth, selector/paginator/retry (with the wait header)
/// in resource_defaults, limit 100 where the API takes it, the query incidents require, alerts
/// ascending and incremental.
#[test]
fn seed_002_incident_alerts() {
    let mut handler = retry(&[429, 500, 502, 503, 504]);
    handler["wait_from_header"] = json!("X-RateLimit-Period-In-Sec");
    check(
        "002_a6431388c95613b9.txt",
        "incident_alerts",
        &[
            Set(
                "client.auth",
                json!({"type": "api_key", "name": "Authorization", "api_key": {"secret": "api_token"}, "prefix": "GenieKey "}),
            ),
            Remove("resources[*].endpoint.data_selector"),
            Remove("resources[*].endpoint.paginator"),
            Set(
                "resource_defaults.endpoint",
                json!({
                    "data_selector": "data",
                    "paginator": {
                        "type": "cursor",
                        "cursor_value": "{{ response.get(\"paging\", {}).get(\"next\", {}) }}",
                        "stop_condition": "{{ not response.get(\"paging\", {}).get(\"next\", {}) }}",
                    },
                    "error_handler": handler,
                }),
            ),
            Set(
                "resources[name=users].endpoint.params",
                json!({"limit": 100}),
            ),
            Set(
                "resources[name=services].endpoint.params",
                json!({"limit": 100}),
            ),
            // Opsgenie requires a non-empty query to list incidents (its OAS and Go SDK)
            Set(
                "resources[name=incidents].endpoint.params",
                json!({"limit": 100, "query": "status:open OR status:resolved OR status:closed"}),
            ),
            Set(
                "resources[name=alerts].endpoint.params",
                json!({"limit": 100, "order": "asc"}),
            ),
            Set(
                "resources[name=alerts].endpoint.incremental",
                json!({"cursor_path": "updatedAt"}),
            ),
        ],
    );
}

/// shared_inbox's header: paginator and retry in resource_defaults, children of
/// contact_books, kind: group, the conversations cursor and all: "true", contacts
/// incremental.
#[test]
fn seed_003_shared_inbox() {
    check(
        "003_2f7cb71d0b044b3a.txt",
        "shared_inbox",
        &[
            // conversations has no paginator in the seed
            RemoveFrom(
                &[
                    "contact_books",
                    "contacts",
                    "contact_groups",
                    "users",
                    "teams",
                    "shared_labels",
                    "organizations",
                ],
                "paginator",
            ),
            Remove("resources[*].endpoint.error_handler"),
            Set(
                "resource_defaults.endpoint",
                json!({
                    "paginator": {"type": "offset", "limit": 50},
                    "error_handler": retry(&[429]),
                }),
            ),
            Set(
                "resources[name=contacts].endpoint.params",
                json!({"contact_book": "{resources.contact_books.id}"}),
            ),
            Set(
                "resources[name=contacts].endpoint.incremental",
                json!({"cursor_path": "modified_at", "start_param": "modified_since"}),
            ),
            Set(
                "resources[name=contact_groups].endpoint.params",
                json!({"contact_book": "{resources.contact_books.id}", "kind": "group"}),
            ),
            Set(
                "resources[name=conversations].endpoint.params",
                json!({"all": "true"}),
            ),
            Set(
                "resources[name=conversations].endpoint.paginator",
                json!({
                    "type": "cursor", "cursor_param": "until",
                    "cursor_value": "{{ last_record[\"last_activity_at\"] }}",
                    "stop_condition": "{{ not response.get(\"conversations\") }}", "limit": 50,
                }),
            ),
        ],
    );
}

/// shipping's header: the cursor paginator (with limit_param page_size) and the retry policy
/// in resource_defaults, single_page where the API does not page, metadata_carriers keyed by
/// name, batches incremental.
#[test]
fn seed_004_shipping() {
    let single = json!({"type": "single_page"});
    check(
        "004_1f3072098a52e9e7.txt",
        "shipping",
        &[
            RemoveFrom(
                &[
                    "batches",
                    "addresses",
                    "trackers",
                    "end_shippers",
                    "webhooks",
                    "users_children",
                ],
                "paginator",
            ),
            Set(
                "resource_defaults.endpoint",
                json!({
                    "paginator": {
                        "type": "cursor", "limit": 10, "limit_param": "page_size", "cursor_param": "before_id",
                        "stop_condition": "{{ not response.get(\"has_more\", {}) }}",
                    },
                    "error_handler": retry(&[429]),
                }),
            ),
            Set(
                "resources[name=batches].endpoint.incremental",
                json!({"cursor_path": "updated_at", "on_cursor_value_missing": "include"}),
            ),
            Set(
                "resources[name=metadata_carriers].primary_key",
                json!("name"),
            ),
            Set(
                "resources[name=metadata_carriers].endpoint.paginator",
                single.clone(),
            ),
            Set(
                "resources[name=carrier_accounts].endpoint.paginator",
                single.clone(),
            ),
            Set("resources[name=api_keys].endpoint.paginator", single),
            // the manifest's second handler: 403 (a test key) fails at once
            Set("resources[name=api_keys].endpoint.error_handler", {
                let mut handler = retry(&[429]);
                handler["fail_on_status_codes"] = json!([403]);
                handler
            }),
        ],
    );
}
