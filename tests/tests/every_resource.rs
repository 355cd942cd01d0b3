//! Every resource of every spec, paged through its generated client (async `Client` and
//! `blocking::Client`) against the spec-driven mock API: all records arrive exactly once and
//! typed, and every request carries the right credential, fixed parameters and page parameters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use restgen::ir::{ApiIr, ResourceIr};
use restgen_mock::{
    Fault, FaultKind, LINK_PARAM, MockApi, MockOptions, NextRef, RecordedRequest, RetryAfter,
    load_api,
};
use restgen_runtime::descriptor::{CursorSource, PaginatorConfig, Target};
use restgen_runtime::futures::TryStreamExt;
use restgen_runtime::selector::{Selector, Step};
use restgen_runtime::serde::Serialize;
use restgen_runtime::serde::de::DeserializeOwned;
use serde_json::Value;

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

/// Every spec in `specs/`, resolved once.
static APIS: LazyLock<BTreeMap<String, ApiIr>> = LazyLock::new(|| {
    let mut apis = BTreeMap::new();
    for entry in std::fs::read_dir(specs_dir()).unwrap() {
        let dir = entry.unwrap().path();
        if dir.join("source.yaml").is_file() {
            let api = load_api(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            apis.insert(api.api.clone(), api);
        }
    }
    apis
});

fn api(name: &str) -> &'static ApiIr {
    APIS.get(name)
        .unwrap_or_else(|| panic!("no spec `{name}` in specs/"))
}

fn resource(api: &'static ApiIr, name: &str) -> &'static ResourceIr {
    api.resources
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("`{}` has no resource `{name}`", api.api))
}

/// The value at a selector made of field names.
fn select<'v>(value: &'v Value, selector: &Selector) -> Option<&'v Value> {
    selector
        .steps
        .iter()
        .try_fold(value, |at, step| match step {
            Step::Field(name) => at.get(name.as_ref()),
            other => panic!("selector step {other:?} in a test"),
        })
}

/// A JSON value as it goes into a query string.
fn wire(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The credential every request of a resource must carry: `(header, exact value)`.
type AuthOf = fn(&str) -> (&'static str, String);

/// One resource under test: its spec, the mock serving it and the arguments it is called with.
struct Case {
    api: &'static ApiIr,
    resource: &'static ResourceIr,
    mock: MockApi,
    args: Vec<(String, String)>,
    auth: (&'static str, String),
}

impl Case {
    /// Starts the mock for `api` with enough records of `name` for at least three pages, or
    /// `count` records when given.
    async fn start(
        api_name: &str,
        name: &str,
        values: &[(&str, &str)],
        auth: AuthOf,
        count: Option<usize>,
    ) -> Case {
        let api = api(api_name);
        let resource = resource(api, name);
        let options = values
            .iter()
            .fold(MockOptions::new(), |o, (k, v)| o.value(k, v));
        let mock = MockApi::start(api, options).await.unwrap();
        assert_eq!(mock.unsupported(name), None, "the mock serves `{name}`");
        let records = count.unwrap_or_else(|| match mock.page_size(name).unwrap() {
            Some(size) => 2 * size + size / 2 + 1,
            None => 5,
        });
        mock.set_records(name, records).unwrap();
        // a child is called with a field of a real parent record, as the fan-out would
        let args = resource
            .args
            .iter()
            .map(|arg| {
                let value = match &arg.parent {
                    Some(link) => {
                        let parents = mock.records(&link.resource, &[]).unwrap();
                        wire(select(&parents[1], &link.selector).unwrap())
                    }
                    None => format!("{}-1", arg.name),
                };
                (arg.name.clone(), value)
            })
            .collect();
        Case {
            api,
            resource,
            mock,
            args,
            auth: auth(name),
        }
    }

    fn arg(&self, name: &str) -> String {
        self.args
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no argument `{name}`"))
    }

    fn arg_refs(&self) -> Vec<(&str, &str)> {
        self.args
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// Checks the pages the client produced (records re-serialized from their typed form)
    /// against what the mock served and the requests it received.
    fn check(&self, pages: &[Vec<Value>]) {
        let name = &self.resource.name;
        let expected = self.mock.records(name, &self.arg_refs()).unwrap();
        let requests = self.mock.requests();
        let context = format!("{}.{name}", self.api.api);

        // every record exactly once, in order, and field for field what was served
        let received: Vec<&Value> = pages.iter().flatten().collect();
        assert_eq!(
            received.len(),
            expected.len(),
            "{context}: record count; requests: {:#?}",
            summary(&requests)
        );
        for (index, (got, want)) in received.iter().zip(&expected).enumerate() {
            assert!(
                same_json(got, want),
                "{context}: record {index} differs after the typed round trip\n got: {got}\nwant: {want}"
            );
        }
        let key = self
            .resource
            .primary_key
            .first()
            .cloned()
            .unwrap_or_else(|| "id".into());
        let ids: Vec<String> = received.iter().map(|r| wire(&r[&key])).collect();
        let distinct: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "{context}: a record came twice");
        let served: BTreeSet<String> = expected.iter().map(|r| wire(&r[&key])).collect();
        assert_eq!(
            distinct.into_iter().cloned().collect::<BTreeSet<_>>(),
            served,
            "{context}: ids"
        );

        // one request per page, all for this resource and all answered
        assert_eq!(
            requests.len(),
            pages.len(),
            "{context}: one request per page"
        );
        for request in &requests {
            assert_eq!(
                request.resource.as_deref(),
                Some(name.as_str()),
                "{context}: {}",
                request.url
            );
            assert_eq!(
                request.status, 200,
                "{context}: {} answered {}: {:?}",
                request.url, request.status, request.note
            );
        }
        let d = &self.resource.descriptor;
        let paged = !matches!(d.paginator, PaginatorConfig::SinglePage);
        if paged {
            let full = pages.iter().filter(|p| !p.is_empty()).count();
            assert!(full >= 3, "{context}: {full} pages with records, wanted 3+");
        } else {
            assert_eq!(requests.len(), 1, "{context}: a single request");
        }

        for (i, request) in requests.iter().enumerate() {
            let at = format!("{context}: request {i} ({})", request.url);
            // the credential, exactly once
            let (header, value) = &self.auth;
            assert_eq!(
                request.header_values(header),
                vec![value.as_bytes()],
                "{at}: `{header}` header"
            );
            // the spec's fixed parameters, placeholders filled from the arguments
            for param in d.params.iter() {
                let mut want = param.value.to_string();
                for (k, v) in &self.args {
                    want = want.replace(&format!("{{{k}}}"), v);
                }
                assert_eq!(
                    request.query_values(&param.name),
                    vec![want.as_str()],
                    "{at}: parameter `{}`",
                    param.name
                );
            }
        }
        self.check_page_parameters(&requests, pages, &context);
    }

    /// The page parameters of each request follow from the paginator and the page before.
    fn check_page_parameters(
        &self,
        requests: &[RecordedRequest],
        pages: &[Vec<Value>],
        context: &str,
    ) {
        let query = |target: &Target| match target {
            Target::Query(name) => name.to_string(),
            Target::Body(path) => panic!("body target {path:?} in a GET spec"),
        };
        match &self.resource.descriptor.paginator {
            PaginatorConfig::SinglePage => {
                assert_eq!(requests[0].query_values(LINK_PARAM), Vec::<&str>::new());
            }
            PaginatorConfig::Offset(c) => {
                for (i, request) in requests.iter().enumerate() {
                    let offset = (c.offset + i as u64 * c.limit).to_string();
                    let limit = c.limit.to_string();
                    assert_eq!(
                        request.query_values(&query(&c.offset_target)),
                        vec![offset.as_str()],
                        "{context}: offset of request {i}"
                    );
                    assert_eq!(
                        request.query_values(&query(&c.limit_target)),
                        vec![limit.as_str()],
                        "{context}: limit of request {i}"
                    );
                }
            }
            PaginatorConfig::PageNumber(c) => {
                for (i, request) in requests.iter().enumerate() {
                    let page = (c.page + i as i64).to_string();
                    assert_eq!(
                        request.query_values(&query(&c.page_target)),
                        vec![page.as_str()],
                        "{context}: page of request {i}"
                    );
                    if let Some(size) = &c.page_size {
                        let value = size.value.to_string();
                        assert_eq!(
                            request.query_values(&query(&size.target)),
                            vec![value.as_str()],
                            "{context}: page size of request {i}"
                        );
                    }
                }
            }
            PaginatorConfig::Cursor(c) => {
                let cursor_param = query(&c.target);
                for (i, request) in requests.iter().enumerate() {
                    if let Some(size) = &c.page_size {
                        let value = size.value.to_string();
                        assert_eq!(
                            request.query_values(&query(&size.target)),
                            vec![value.as_str()],
                            "{context}: page size of request {i}"
                        );
                    }
                    if i == 0 {
                        assert!(
                            request.query_values(&cursor_param).is_empty()
                                && request.query_values(LINK_PARAM).is_empty(),
                            "{context}: the first request carries no cursor: {}",
                            request.url
                        );
                        continue;
                    }
                    // exactly what the previous page handed out
                    let previous = requests[i - 1].served.as_ref().unwrap();
                    match previous.next.as_ref() {
                        Some(NextRef::Query { name, value }) => assert_eq!(
                            request.query_values(name),
                            vec![value.as_str()],
                            "{context}: cursor of request {i}"
                        ),
                        Some(NextRef::Url(url)) => {
                            assert_eq!(&request.url, url, "{context}: request {i} follows the link")
                        }
                        other => panic!("{context}: request {i} after a page offering {other:?}"),
                    }
                    // a cursor from the last record is that record's field, as typed
                    if let CursorSource::LastRecord(field) = &c.source {
                        let last = pages[i - 1].last().unwrap();
                        assert_eq!(
                            request.query_values(&cursor_param),
                            vec![wire(select(last, field).unwrap()).as_str()],
                            "{context}: request {i} carries the last record's {field}"
                        );
                    }
                }
            }
            other => panic!("{context}: no page-parameter check for {other:?}"),
        }
    }
}

fn summary(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {} -> {} {:?}", r.method, r.url, r.status, r.note))
        .collect()
}

/// JSON equality where a missing field equals `null` (typed records leave out `None`) and
/// numbers compare by value.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().all(|k| {
                same_json(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn to_json<T: Serialize>(records: &[T]) -> Vec<Value> {
    records
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect()
}

async fn async_pages<T>(request: restgen_runtime::ResourceRequest<T>) -> Vec<Vec<Value>>
where
    T: Serialize + DeserializeOwned + Send + 'static,
{
    request
        .pages()
        .map_ok(|page| to_json(&page.records))
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("paging failed: {e}"))
}

fn blocking_pages<T>(request: restgen_runtime::blocking::BlockingRequest<T>) -> Vec<Vec<Value>>
where
    T: Serialize + DeserializeOwned + Send + 'static,
{
    request
        .pages()
        .map(|page| page.map(|p| to_json(&p.records)))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("paging failed: {e}"))
}

/// For each API: its secrets (builder setters, also given to the mock), the credential every
/// request must carry, and every resource, with `(arg)` for a child and `= n` for a fixed
/// record count. Generates one async and one blocking test per resource.
macro_rules! every_resource {
    ($(
        $krate:ident {
            values: { $($setter:ident: $value:expr),* $(,)? },
            auth: $auth:expr,
            resources: { $( $(#[$attr:meta])* $resource:ident $(($arg:ident))? $(= $count:expr)? ),* $(,)? }
        }
    )*) => {
        /// The APIs listed here, to compare with `specs/`.
        const LISTED_APIS: &[&str] = &[$(stringify!($krate)),*];

        $(
        mod $krate {
            use super::*;

            const API: &str = stringify!($krate);
            const VALUES: &[(&str, &str)] = &[$((stringify!($setter), $value)),*];
            const AUTH: AuthOf = $auth;

            fn async_client(mock: &MockApi) -> ::$krate::Client {
                ::$krate::Client::builder()
                    $(.$setter($value))*
                    .base_url(mock.base_url())
                    .build()
                    .unwrap()
            }

            fn blocking_client(mock: &MockApi) -> ::$krate::blocking::Client {
                ::$krate::blocking::Client::builder()
                    $(.$setter($value))*
                    .base_url(mock.base_url())
                    .build()
                    .unwrap()
            }

            #[test]
            fn every_resource_of_the_spec_is_listed() {
                let listed: BTreeSet<&str> = [$(stringify!($resource)),*].into_iter().collect();
                let spec: BTreeSet<&str> =
                    api(API).resources.iter().map(|r| r.name.as_str()).collect();
                assert_eq!(listed, spec);
            }

            mod async_client {
                use super::*;
                $(
                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $resource() {
                    let count: Option<usize> = None $(.or(Some($count)))?;
                    let case = Case::start(API, stringify!($resource), VALUES, AUTH, count).await;
                    let request = async_client(&case.mock).$resource($(case.arg(stringify!($arg)))?);
                    let pages = async_pages(request).await;
                    case.check(&pages);
                }
                )*
            }

            mod blocking_client {
                use super::*;
                $(
                $(#[$attr])*
                #[test]
                fn $resource() {
                    // the mock runs on this runtime's workers; this thread stays outside it,
                    // so the blocking client may block here
                    let runtime = tokio::runtime::Runtime::new().unwrap();
                    let count: Option<usize> = None $(.or(Some($count)))?;
                    let case = runtime.block_on(Case::start(
                        API,
                        stringify!($resource),
                        VALUES,
                        AUTH,
                        count,
                    ));
                    let request = blocking_client(&case.mock).$resource($(case.arg(stringify!($arg)))?);
                    let pages = blocking_pages(request);
                    case.check(&pages);
                }
                )*
            }
        }
        )*
    };
}

/// `Basic base64("EZAK_test_5c1f7a:")`: the key as user name, an empty password.
const SHIPPING_BASIC: &str = "Basic RVpBS190ZXN0XzVjMWY3YTo=";

every_resource! {
    document_signing {
        values: { api_key_id: "ds-key-77", auth_token: "ZHMtYXBwOnNlY3JldA==" },
        auth: |resource| match resource {
            "signing_links" => ("authorization", "Basic ZHMtYXBwOnNlY3JldA==".to_string()),
            _ => ("authorization", "Bearer ds-key-77".to_string()),
        },
        resources: {
            // `/user` answers one bare object
            user = 1,
            user_modified_documents,
            crm_contacts,
            signing_links,
        }
    }
    esign {
        values: { api_key: "esign-key-5f2c" },
        auth: |_| ("authorization", "Bearer esign-key-5f2c".to_string()),
        resources: {
            signature_requests,
            signature_requests_followers(sign_req),
            contacts,
            users,
            workspaces,
            electronic_seal_images,
            templates,
            labels,
        }
    }
    incident_alerts {
        values: { api_token: "ia-token-31" },
        auth: |_| ("authorization", "GenieKey ia-token-31".to_string()),
        resources: {
            users,
            teams,
            services,
            integrations,
            incidents,
            alerts,
        }
    }
    shared_inbox {
        values: { api_key: "si-key-9" },
        auth: |_| ("authorization", "Bearer si-key-9".to_string()),
        resources: {
            contact_books,
            contacts(contact_book),
            contact_groups(contact_book),
            users,
            teams,
            shared_labels,
            organizations,
            conversations,
        }
    }
    shipping {
        values: { username: "EZAK_test_5c1f7a" },
        auth: |_| ("authorization", SHIPPING_BASIC.to_string()),
        resources: {
            batches,
            addresses,
            trackers,
            metadata_carriers,
            end_shippers,
            webhooks,
            users_children,
            carrier_accounts,
            // `/api_keys` answers one bare object
            api_keys = 1,
        }
    }
}

#[test]
fn every_spec_is_listed() {
    let listed: BTreeSet<&str> = LISTED_APIS.iter().copied().collect();
    let specs: BTreeSet<&str> = APIS.keys().map(String::as_str).collect();
    assert_eq!(listed, specs);
}

// ---- beyond one resource at a time -------------------------------------------------------

fn options(values: &[(&str, &str)]) -> MockOptions {
    values
        .iter()
        .fold(MockOptions::new(), |o, (k, v)| o.value(k, v))
}

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
async fn a_429_with_retry_after_is_waited_out_and_nothing_is_lost() {
    let api = api("esign");
    let mock = MockApi::start(
        api,
        options(&[("api_key", "k")])
            .records_for("contacts", 26)
            .fault(Fault::new(
                "contacts",
                2,
                FaultKind::TooManyRequests {
                    retry_after: RetryAfter::Millis(1),
                },
            )),
    )
    .await
    .unwrap();
    let client = ::esign::Client::builder()
        .api_key("k")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let records: Vec<_> = client.contacts().stream().try_collect().await.unwrap();
    let ids: Vec<&str> = records.iter().map(|c| c.id.as_str()).collect();
    let expected = mock.records("contacts", &[]).unwrap();
    let expected: Vec<&str> = expected.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected);

    let requests = mock.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 429, 200, 200]);
    assert_eq!(
        requests[1].url, requests[2].url,
        "the retry repeats the request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_burst_is_retried_where_the_spec_says_so_and_a_typed_error_otherwise() {
    // esign retries 503 (its error_handler lists it); the 503s say how long to wait
    let mock = MockApi::start(
        api("esign"),
        options(&[("api_key", "k")])
            .records_for("labels", 26)
            .fault(
                Fault::new(
                    "labels",
                    2,
                    FaultKind::ServerError {
                        status: 503,
                        retry_after: Some(RetryAfter::Millis(1)),
                    },
                )
                .times(2),
            ),
    )
    .await
    .unwrap();
    let client = ::esign::Client::builder()
        .api_key("k")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let records: Vec<_> = client.labels().stream().try_collect().await.unwrap();
    assert_eq!(records.len(), 26);
    let statuses: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 503, 503, 200, 200]);

    // shipping retries only 429: a 503 on page 2 is a typed error, after page 1's records
    let mock = MockApi::start(
        api("shipping"),
        options(&[("username", "u")])
            .records_for("trackers", 26)
            .fault(Fault::new(
                "trackers",
                2,
                FaultKind::ServerError {
                    status: 503,
                    retry_after: None,
                },
            )),
    )
    .await
    .unwrap();
    let client = ::shipping::Client::builder()
        .username("u")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let mut stream = client.trackers().stream();
    let mut received = 0;
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => received += 1,
            Ok(None) => panic!("the 503 was swallowed"),
            Err(e) => break e,
        }
    };
    assert_eq!(received, 10, "page 1 arrived before the failure");
    assert_eq!(err.status(), Some(503), "{err}");
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
