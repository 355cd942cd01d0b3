//! The shapes converted configs give the mock: stop conditions and cursor templates of the
//! wider template language, records wrapped in list items or at the root, last-record
//! cursor paths, queries written into paths, endpoints several resources read, and
//! session-token logins. Each resource pages through the runtime as in the other tests.

use std::borrow::Cow;

use restgen::ir::ApiIr;
use restgen_runtime::descriptor::Target;
use restgen_runtime::futures::TryStreamExt;
use restgen_runtime::{ClientBuilder, ResourceRequest};
use serde_json::{Value, json};

use super::super::{MockApi, MockOptions};
use crate::paging::NextPlan;
use crate::simulate::{Natural, Signal, Slot, stop_signals};

const SPEC: &str = r#"
client:
  base_url: https://api.example.com/v1/
resources:
  - name: bare_stop
    endpoint:
      path: bare
      paginator: {type: cursor, cursor_path: next, cursor_param: c, stop_condition: pagination.has_more is false}
  - name: link_stop
    endpoint:
      path: link_stop
      paginator: {type: cursor, cursor_path: next, cursor_param: c, stop_condition: "'next' not in headers['link']"}
  - name: meta_stop
    endpoint:
      path: meta_stop
      paginator: {type: cursor, cursor_path: metadata.next, cursor_param: c, stop_condition: "{{ 'next' not in response['metadata'] }}"}
  - name: json_cursor
    endpoint:
      path: json_cursor
      paginator: {type: cursor, cursor_param: c, cursor_value: "{{ response.get('next_offset')|tojson }}", stop_condition: "{{ not response.next_offset }}"}
  - name: counting_cursor
    endpoint:
      path: counting
      paginator: {type: cursor, cursor_param: n, cursor_value: "{response['n'] + 1}", stop_condition: "response.get('data')|length == 0"}
  - name: either_cursor
    endpoint:
      path: either
      paginator: {type: cursor, cursor_param: c, cursor_value: "{{ response.get('a', {}).get('next') or response.get('b') }}"}
  - name: link_results
    endpoint:
      path: link_results
      paginator: {type: cursor, cursor_param: c, cursor_value: "{{ headers['link']['next']['url'] }}", stop_condition: "headers.link.next.results == 'false'"}
  - name: record_stop
    endpoint:
      path: record_stop
      paginator: {type: cursor, cursor_param: after, stop_condition: "not last_record.get('cursor')"}
  - name: settings_stop
    endpoint:
      path: settings_stop
      paginator: {type: cursor, cursor_path: next, cursor_param: c, stop_condition: "response.page > config['pages'] - 1"}
  - name: wrapped
    endpoint:
      path: wrapped
      data_selector: "list[*].item"
      paginator: {type: offset, limit: 4}
  - name: root_object
    endpoint:
      path: root_object
      data_selector: $
      paginator: {type: cursor, cursor_path: next_page, cursor_param: page}
  - name: last_code
    endpoint:
      path: last_code
      data_selector: items
      paginator: {type: cursor, cursor_path: "items[-1].code", cursor_param: since}
  - name: written_query
    endpoint:
      path: "messages?ShowSubject=true"
      paginator: {type: offset, limit: 5}
  - name: object_at_data
    endpoint:
      path: listing
      data_selector: data
      paginator: {type: cursor, cursor_path: data.after, cursor_param: after}
  - name: owned_limit
    endpoint:
      path: owned
      params: {limit: 200}
      paginator: {type: offset, limit: 5}
  - name: root_pages
    endpoint:
      path: root_pages
      data_selector: $
      paginator: {type: page_number, base_page: 1, page_param: page, limit: 4, limit_param: per_page}
  - name: elsewhere
    endpoint:
      path: "https://status.example.org/summary.json"
      paginator: single_page
  - name: shared_first
    endpoint: {path: shared, data_selector: halls, paginator: single_page}
  - name: shared_second
    endpoint: {path: shared, data_selector: days, paginator: single_page}
"#;

fn converted() -> ApiIr {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("converted");
    std::fs::create_dir_all(&spec).unwrap();
    std::fs::write(spec.join("source.yaml"), SPEC).unwrap();
    super::super::load_api(&spec).unwrap()
}

/// Every record of `name`, and the number of requests the mock received for them.
async fn run(
    api: &ApiIr,
    mock: &MockApi,
    name: &str,
    builder: ClientBuilder,
) -> (Vec<Value>, usize) {
    mock.clear_requests();
    let core = builder
        .base_url(mock.base_url())
        .build(&api.client)
        .unwrap();
    let resource = api.resources.iter().find(|r| r.name == name).unwrap();
    let request: ResourceRequest<Value> =
        ResourceRequest::new(core, Cow::Owned(resource.descriptor.clone()));
    let records = request
        .stream()
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}; {:#?}", mock.requests()));
    (records, mock.requests().len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converted_shapes_page_through_the_runtime() {
    let api = converted();
    let mock = MockApi::start(&api, MockOptions::new().value("pages", "9"))
        .await
        .unwrap();
    for resource in &api.resources {
        let name = resource.name.as_str();
        assert_eq!(mock.unsupported(name), None, "{name}");
        let size = mock.page_size(name).unwrap();
        let count = size.map_or(3, |s| 2 * s + 1);
        mock.set_records(name, count).unwrap();
        mock.prefer(name).unwrap();
        let builder = ClientBuilder::default()
            .value("pages", "9")
            .absolute_paths_to_base_url(true);
        let (records, requests) = run(&api, &mock, name, builder).await;
        // the records, by id: a stop condition's field may ride on a page's last record
        let ids =
            |records: &[Value]| -> Vec<Value> { records.iter().map(|r| r["id"].clone()).collect() };
        assert_eq!(
            ids(&records),
            ids(&mock.records(name, &[]).unwrap()),
            "{name}"
        );
        if size.is_some() {
            assert!(requests >= 3, "{name}: {requests} requests");
        }
    }
}

/// The signals the mock writes for `stop` over records at `data` and a token at `next`.
fn signals(stop: &str) -> Result<Vec<Signal>, String> {
    let stop = restgen::ir::template::compile(stop).unwrap();
    let next = NextPlan::TokenInBody {
        at: vec!["next".into()],
        param: Target::Query("c".into()),
        via: None,
        numeric: false,
    };
    let data = vec!["data".to_string()];
    let natural = Natural {
        data: &data,
        next: &next,
        object: false,
    };
    stop_signals(&stop, natural, &|name| {
        (name == "pages").then(|| "3".into())
    })
}

/// [`signals`] of a condition some page can make false.
fn signals_ok(stop: &str) -> Vec<Signal> {
    signals(stop).unwrap()
}

#[test]
fn stop_conditions_get_the_values_that_end_them() {
    let signal = |slot: Slot, more: Option<Value>, last: Option<Value>| Signal { slot, more, last };
    let body = |path: &[&str]| Slot::Body(path.iter().map(|p| p.to_string()).collect());
    // has_more is left out while more pages follow, and false on the last page
    assert_eq!(
        signals_ok("pagination.has_more is false"),
        [signal(
            body(&["pagination", "has_more"]),
            None,
            Some(json!(false))
        )]
    );
    assert_eq!(
        signals_ok("done"),
        [signal(body(&["done"]), None, Some(json!(true)))]
    );
    // a Link header with a next relation while more pages follow
    let link = signals_ok("{{ 'next' not in headers['link'] }}");
    assert_eq!(link.len(), 1);
    assert_eq!(link[0].slot, Slot::Header("link".into()));
    assert!(
        link[0]
            .more
            .as_ref()
            .is_some_and(|m| m.get("next").is_some())
    );
    assert_eq!(link[0].last, None);
    // the records and the next token are the paginator's own: nothing to write
    assert_eq!(signals_ok("not response.get('next')"), []);
    assert_eq!(signals_ok("response.get('data')|length == 0"), []);
    // a setting the client has: 3 pages, `page > 2` ends them
    let pages = signals_ok("response.page > config['pages'] - 1");
    assert_eq!(
        pages,
        [signal(body(&["page"]), None, Some(json!(1_000_000)))]
    );
}

#[test]
fn a_stop_condition_no_page_can_make_false_is_refused() {
    let err = signals("true").unwrap_err();
    assert!(err.contains("true on a full page"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_login_gives_the_token_the_resources_want() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("sessions");
    std::fs::create_dir_all(&spec).unwrap();
    std::fs::write(
        spec.join("source.yaml"),
        r#"
client:
  base_url: https://api.example.com/api/
  auth:
    type: session_token
    username: {secret: user}
    password: {secret: pass}
    login_url: session
    session_token_response_key: id
    header: X-Session
resources:
  - name: cards
    endpoint: {path: cards, paginator: single_page}
"#,
    )
    .unwrap();
    let api = super::super::load_api(&spec).unwrap();
    let mock = MockApi::start(
        &api,
        MockOptions::new().value("user", "u").value("pass", "p"),
    )
    .await
    .unwrap();
    let builder = ClientBuilder::default()
        .value("user", "u")
        .value("pass", "p");
    let (records, _) = run(&api, &mock, "cards", builder).await;
    assert_eq!(records.len(), 25);
    let notes: Vec<Option<String>> = mock.requests().iter().map(|r| r.note.clone()).collect();
    assert_eq!(notes[0].as_deref(), Some("session login"));
    assert_eq!(mock.requests()[1].status, 200);
    // a wrong password gets no session
    let wrong = ClientBuilder::default()
        .value("user", "u")
        .value("pass", "x");
    let core = wrong.base_url(mock.base_url()).build(&api.client).unwrap();
    let request: ResourceRequest<Value> =
        ResourceRequest::new(core, Cow::Owned(api.resources[0].descriptor.clone()));
    let err = request.stream().try_collect::<Vec<_>>().await.unwrap_err();
    assert!(err.to_string().contains("HTTP 401"), "{err}");
}
