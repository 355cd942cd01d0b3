//! The dialect the catalog's converted configs need, from spec to wire: the wider template
//! language, settings and secrets in requests, arguments in parameters, session-token auth and
//! the token URL override. Each spec is written as an import writes it and run
//! spec → IR → runtime against a mock server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::{get, json, query, received, resolve_yaml};
use futures::TryStreamExt;
use restgen_runtime::{ClientBuilder, Error, ResourceRequest};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Runs the first resource of `yaml` against `server`, with the client's values and the
/// resource's arguments.
async fn fetch(
    yaml: &str,
    server: &MockServer,
    values: &[(&str, &str)],
    args: &[(&str, &str)],
) -> Result<Vec<Value>, Error> {
    let api = resolve_yaml(yaml);
    let mut builder = ClientBuilder::default().base_url(server.uri());
    for (name, value) in values {
        builder = builder.value(name, *value);
    }
    let core = builder.build(&api.client)?;
    let mut request: ResourceRequest<Value> =
        ResourceRequest::new(core, Cow::Owned(api.resources[0].descriptor.clone()));
    for (name, value) in args {
        request = request.arg(name, value);
    }
    request.stream().try_collect().await
}

/// A cursor paginator over `/items` with the given stop condition and cursor lines.
fn cursor_spec(paginator: &str) -> String {
    format!(
        r#"
client:
  base_url: https://example.com/
resources:
  - name: items
    endpoint:
      path: items
      data_selector: data
      paginator:
        type: cursor
        cursor_param: after
{paginator}
"#
    )
}

#[tokio::test]
async fn a_bare_stop_condition_reads_response_fields_by_name() {
    let server = MockServer::start().await;
    get("/items")
        .and(query_param("after", "c2"))
        .respond_with(json(
            json!({"data": [{"id": 2}], "meta": {"next": "c3"}, "pagination": {"has_more": false}}),
        ))
        .mount(&server)
        .await;
    get("/items")
        .respond_with(json(
            json!({"data": [{"id": 1}], "meta": {"next": "c2"}, "pagination": {"has_more": true}}),
        ))
        .mount(&server)
        .await;
    let spec = cursor_spec(
        "        cursor_path: meta.next\n        stop_condition: pagination.has_more is false",
    );
    let records = fetch(&spec, &server, &[], &[]).await.unwrap();
    assert_eq!(records, vec![json!({"id": 1}), json!({"id": 2})]);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_stop_condition_reads_the_parsed_link_header() {
    let server = MockServer::start().await;
    get("/items")
        .and(query_param("after", "c2"))
        .respond_with(
            json(json!({"data": [{"id": 2}], "next": "c3"})).insert_header(
                "link",
                "<https://example.com/items?after=c1>; rel=\"prev\"; results=\"true\"",
            ),
        )
        .mount(&server)
        .await;
    get("/items")
        .respond_with(
            json(json!({"data": [{"id": 1}], "next": "c2"}))
                .insert_header("link", "<https://example.com/items?after=c2>; rel=\"next\""),
        )
        .mount(&server)
        .await;
    let spec = cursor_spec(
        "        cursor_path: next\n        stop_condition: \"{{ 'next' not in headers['link'] }}\"",
    );
    let records = fetch(&spec, &server, &[], &[]).await.unwrap();
    assert_eq!(records.len(), 2, "the second page has no next relation");
}

#[tokio::test]
async fn a_cursor_template_with_filters_and_arithmetic() {
    let server = MockServer::start().await;
    get("/items")
        .and(query_param("after", "[7]"))
        .respond_with(json(json!({"data": [{"id": 2}], "n": []})))
        .mount(&server)
        .await;
    get("/items")
        .respond_with(json(json!({"data": [{"id": 1}], "n": [6 + 1]})))
        .mount(&server)
        .await;
    // tojson keeps the list's JSON text; `|length == 0` ends on the empty list
    let spec = cursor_spec(
        "        cursor_value: \"{{ response.get('n')|tojson }}\"\n        stop_condition: \"response.n|length == 0\"",
    );
    let records = fetch(&spec, &server, &[], &[]).await.unwrap();
    assert_eq!(records.len(), 2);
}

#[tokio::test]
async fn a_template_reads_a_setting_of_the_client() {
    let server = MockServer::start().await;
    for page in 1..=4 {
        get("/items")
            .and(query_param("after", page.to_string().as_str()))
            .respond_with(json(json!({"data": [{"id": page}], "page": page + 1})))
            .mount(&server)
            .await;
    }
    get("/items")
        .respond_with(json(json!({"data": [{"id": 0}], "page": 1})))
        .mount(&server)
        .await;
    let spec = cursor_spec(
        "        cursor_path: page\n        stop_condition: \"response.page > config['pages'] - 1\"",
    );
    let records = fetch(&spec, &server, &[("pages", "3")], &[]).await.unwrap();
    // pages 0, 1, 2; the page that says 3 is past `pages - 1`
    assert_eq!(records.len(), 3);
    let api = resolve_yaml(&spec);
    assert_eq!(api.client.values[0].name, "pages");
    assert!(!api.client.values[0].required && !api.client.values[0].secret);
}

const VALUES: &str = r#"
client:
  base_url: "https://{account}.example.com/v1/"
  headers:
    X-Api-Version: {config: api_version}
resources:
  - name: quotes
    endpoint:
      path: "quotes/{config.region}/{symbol}"
      method: POST
      params:
        symbol: {secret: symbol}
        from: "{start_date}"
        limit: 10
      json:
        account: {secret: account_key}
      headers:
        X-Desk: "desk-{config.desk}"
      paginator: single_page
"#;

#[tokio::test]
async fn settings_and_secrets_fill_the_base_url_path_parameters_headers_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/quotes/eu/s3cret-symbol"))
        .and(header("x-api-version", "7"))
        .and(header("x-desk", "desk-fx"))
        .and(body_json(json!({"account": "k3y"})))
        .respond_with(json(json!([{"id": 1}])))
        .mount(&server)
        .await;
    let values = [
        ("api_version", "7"),
        ("region", "eu"),
        ("symbol", "s3cret-symbol"),
        ("account_key", "k3y"),
        ("desk", "fx"),
        ("account", "acme"),
    ];
    let records = fetch(VALUES, &server, &values, &[("start_date", "2024-01-01")])
        .await
        .unwrap();
    assert_eq!(records, vec![json!({"id": 1})]);
    let sent = &received(&server).await[0];
    // `symbol` fills the path placeholder of its name, so it leaves the query, as in dlt
    assert_eq!(
        query(sent),
        vec![
            ("from".into(), "2024-01-01".into()),
            ("limit".into(), "10".into())
        ]
    );
    // every value the requests send is one the client asks for; the argument is the call's
    let api = resolve_yaml(VALUES);
    let mut names: Vec<(&str, bool, bool)> = api
        .client
        .values
        .iter()
        .map(|v| (v.name.as_ref(), v.secret, v.required))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            ("account", false, true),
            ("account_key", true, true),
            ("api_version", false, true),
            ("desk", false, true),
            ("region", false, true),
            ("symbol", true, true),
        ]
    );
    assert_eq!(
        api.client.base_url,
        "https://{config.account}.example.com/v1/"
    );
    let args: Vec<&str> = api.resources[0]
        .args
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(args, ["start_date"]);
}

#[tokio::test]
async fn the_base_url_takes_its_settings_unless_overridden() {
    let api = resolve_yaml(VALUES);
    let others = ["api_version", "region", "symbol", "account_key", "desk"];
    let builder = others
        .iter()
        .fold(ClientBuilder::default(), |b, name| b.value(name, "x"));
    let core = builder
        .clone()
        .value("account", "acme")
        .build(&api.client)
        .unwrap();
    assert_eq!(core.base_url(), "https://acme.example.com/v1/");
    let moved = builder
        .clone()
        .value("account", "acme")
        .base_url("http://127.0.0.1:9/v1/")
        .build(&api.client)
        .unwrap();
    assert_eq!(moved.base_url(), "http://127.0.0.1:9/v1/");
    let missing = builder.build(&api.client).unwrap_err();
    assert!(
        matches!(&missing, Error::MissingSecret { name, .. } if name == "account"),
        "{missing}"
    );
}

const SESSION: &str = r#"
client:
  base_url: https://example.com/api/
  auth:
    type: session_token
    username: {secret: username}
    password: {secret: password}
    session_token: {secret: session_token}
    login_url: session
    session_token_response_key: data.id
    header: X-Session
resources:
  - name: things
    endpoint: {path: things, paginator: single_page}
  - name: others
    endpoint: {path: others, paginator: single_page}
"#;

#[tokio::test]
async fn session_token_auth_logs_in_once_and_sends_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/session"))
        .and(body_json(json!({"username": "u", "password": "pw"})))
        .respond_with(json(json!({"data": {"id": "tok-1"}})))
        .expect(1)
        .mount(&server)
        .await;
    for at in ["/things", "/others"] {
        get(at)
            .and(header("x-session", "tok-1"))
            .respond_with(json(json!([{"id": 1}])))
            .mount(&server)
            .await;
    }
    let api = resolve_yaml(SESSION);
    let core = ClientBuilder::default()
        .base_url(server.uri())
        .value("username", "u")
        .value("password", "pw")
        .build(&api.client)
        .unwrap();
    for resource in &api.resources {
        let request: ResourceRequest<Value> =
            ResourceRequest::new(core.clone(), Cow::Owned(resource.descriptor.clone()));
        let records: Vec<Value> = request.stream().try_collect().await.unwrap();
        assert_eq!(records.len(), 1, "{}", resource.name);
    }
    // the session token is optional: a client without it logs in
    let token = api.client.values.iter().find(|v| v.name == "session_token");
    assert!(token.is_some_and(|v| !v.required && v.secret));
}

#[tokio::test]
async fn a_given_session_token_is_sent_without_logging_in() {
    let server = MockServer::start().await;
    get("/things")
        .and(header("x-session", "given"))
        .respond_with(json(json!([{"id": 1}])))
        .mount(&server)
        .await;
    let values = [
        ("username", "u"),
        ("password", "pw"),
        ("session_token", "given"),
    ];
    let records = fetch(SESSION, &server, &values, &[]).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(received(&server).await.len(), 1, "no login");
}

#[tokio::test]
async fn a_failed_login_is_an_auth_error_without_the_password() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/session"))
        .respond_with(ResponseTemplate::new(401).set_body_string("bad password pw-s3cret"))
        .mount(&server)
        .await;
    let values = [("username", "u"), ("password", "pw-s3cret")];
    let err = fetch(SESSION, &server, &values, &[]).await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");
    assert!(!err.to_string().contains("pw-s3cret"), "{err}");
}

#[tokio::test]
async fn the_token_url_override_points_a_literal_token_url_elsewhere() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sandbox/token"))
        .respond_with(json(json!({"access_token": "at"})))
        .mount(&server)
        .await;
    get("/things")
        .and(header("authorization", "Bearer at"))
        .respond_with(json(json!([{"id": 1}])))
        .mount(&server)
        .await;
    let api = resolve_yaml(
        r#"
client:
  base_url: https://example.com/
  auth:
    type: oauth2
    token_url: https://auth.example.invalid/token
    client_id: {secret: client_id}
    client_secret: {secret: client_secret}
resources:
  - name: things
    endpoint: {path: things, paginator: single_page}
"#,
    );
    let core = ClientBuilder::default()
        .base_url(server.uri())
        .token_url(format!("{}/sandbox/token", server.uri()))
        .value("client_id", "id")
        .value("client_secret", "cs")
        .build(&api.client)
        .unwrap();
    let request: ResourceRequest<Value> =
        ResourceRequest::new(core, Cow::Owned(api.resources[0].descriptor.clone()));
    let records: Vec<Value> = request.stream().try_collect().await.unwrap();
    assert_eq!(records.len(), 1);
}

#[tokio::test]
async fn a_limit_param_without_a_limit_sends_no_page_size() {
    let server = MockServer::start().await;
    get("/items")
        .respond_with(json(json!({"data": [], "total": 0})))
        .mount(&server)
        .await;
    let spec = r#"
client:
  base_url: https://example.com/
resources:
  - name: items
    endpoint:
      path: items
      paginator:
        type: page_number
        base_page: 1
        page_param: page
        limit_param: per_page
"#;
    fetch(spec, &server, &[], &[]).await.unwrap();
    let sent = &received(&server).await[0];
    assert_eq!(query(sent), vec![("page".into(), "1".into())]);
}

#[tokio::test]
async fn absolute_paths_go_to_the_base_url_only_when_the_client_says_so() {
    let server = MockServer::start().await;
    get("/summary.json")
        .respond_with(json(json!([{"id": 1}])))
        .mount(&server)
        .await;
    let api = resolve_yaml(
        r#"
client:
  base_url: https://api.example.com/v1/
resources:
  - name: summary
    endpoint: {path: "https://status.example.invalid/summary.json", paginator: single_page}
"#,
    );
    let run = |moved: bool| {
        let core = ClientBuilder::default()
            .base_url(format!("{}/v1/", server.uri()))
            .absolute_paths_to_base_url(moved)
            .build(&api.client)
            .unwrap();
        assert_eq!(
            core.request_url("https://status.example.invalid/summary.json"),
            if moved {
                format!("{}/summary.json", server.uri())
            } else {
                "https://status.example.invalid/summary.json".to_string()
            }
        );
        assert_eq!(
            core.request_url("items"),
            format!("{}/v1/items", server.uri())
        );
        let request: ResourceRequest<Value> =
            ResourceRequest::new(core, Cow::Owned(api.resources[0].descriptor.clone()));
        request.stream().try_collect::<Vec<Value>>()
    };
    assert_eq!(run(true).await.unwrap().len(), 1);
}
