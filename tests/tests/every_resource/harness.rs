//! What the end-to-end tests share: the specs, resolved once; a [`Case`] (one resource, the
//! mock serving it and the arguments it is called with) and its checks; the listing of every
//! resource of every spec with the secrets and credential each needs ([`every_spec!`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use restgen::ir::{ApiIr, ResourceIr};
use restgen_mock::{LINK_PARAM, MockApi, MockOptions, NextRef, RecordedRequest, load_api};
use restgen_runtime::descriptor::{CursorSource, PaginatorConfig, Target};
use restgen_runtime::futures::TryStreamExt;
use restgen_runtime::selector::{Selector, Step};
use restgen_runtime::serde::Serialize;
use restgen_runtime::serde::de::DeserializeOwned;
use serde_json::Value;

pub fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

/// Every spec in `specs/`, resolved once.
pub static APIS: LazyLock<BTreeMap<String, ApiIr>> = LazyLock::new(|| {
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

pub fn api(name: &str) -> &'static ApiIr {
    APIS.get(name)
        .unwrap_or_else(|| panic!("no spec `{name}` in specs/"))
}

pub fn resource(api: &'static ApiIr, name: &str) -> &'static ResourceIr {
    api.resources
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("`{}` has no resource `{name}`", api.api))
}

/// The value at a selector made of field names.
pub fn select<'v>(value: &'v Value, selector: &Selector) -> Option<&'v Value> {
    selector
        .steps
        .iter()
        .try_fold(value, |at, step| match step {
            Step::Field(name) => at.get(name.as_ref()),
            other => panic!("selector step {other:?} in a test"),
        })
}

/// A JSON value as it goes into a query string.
pub fn wire(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The credential every request of a resource must carry: `(header, exact value)`.
pub type AuthOf = fn(&str) -> (&'static str, String);

/// One resource under test: its spec, the mock serving it and the arguments it is called with.
pub struct Case {
    pub api: &'static ApiIr,
    pub resource: &'static ResourceIr,
    pub mock: MockApi,
    pub args: Vec<(String, String)>,
    pub auth: (&'static str, String),
}

impl Case {
    /// Starts the mock for `api` with enough records of `name` for at least three pages, or
    /// `count` records when given.
    pub async fn start(
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

    pub fn arg(&self, name: &str) -> String {
        self.args
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no argument `{name}`"))
    }

    pub fn arg_refs(&self) -> Vec<(&str, &str)> {
        self.args
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// Checks the pages the client produced (records re-serialized from their typed form)
    /// against what the mock served and the requests it received.
    pub fn check(&self, pages: &[Vec<Value>]) {
        let name = &self.resource.name;
        let requests = self.mock.requests();
        let context = self.context();
        self.check_records(pages, None);

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

    /// `api.resource`, for messages.
    pub fn context(&self) -> String {
        format!("{}.{}", self.api.api, self.resource.name)
    }

    /// The records the client produced (re-serialized from their typed form) are exactly the
    /// ones the mock serves, or its first `prefix`, once each and in order, field for field.
    pub fn check_records(&self, pages: &[Vec<Value>], prefix: Option<usize>) {
        let name = &self.resource.name;
        let mut expected = self.mock.records(name, &self.arg_refs()).unwrap();
        if let Some(prefix) = prefix {
            expected.truncate(prefix);
        }
        let context = self.context();
        let received: Vec<&Value> = pages.iter().flatten().collect();
        assert_eq!(
            received.len(),
            expected.len(),
            "{context}: record count; requests: {:#?}",
            summary(&self.mock.requests())
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

pub fn summary(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {} -> {} {:?}", r.method, r.url, r.status, r.note))
        .collect()
}

/// JSON equality where a missing field equals `null` (typed records leave out `None`) and
/// numbers compare by value.
pub fn same_json(a: &Value, b: &Value) -> bool {
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

pub fn to_json<T: Serialize>(records: &[T]) -> Vec<Value> {
    records
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect()
}

pub async fn async_pages<T>(request: restgen_runtime::ResourceRequest<T>) -> Vec<Vec<Value>>
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

pub fn blocking_pages<T>(request: restgen_runtime::blocking::BlockingRequest<T>) -> Vec<Vec<Value>>
where
    T: Serialize + DeserializeOwned + Send + 'static,
{
    request
        .pages()
        .map(|page| page.map(|p| to_json(&p.records)))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("paging failed: {e}"))
}

/// Mock options with these secrets and settings.
pub fn options(values: &[(&str, &str)]) -> MockOptions {
    values
        .iter()
        .fold(MockOptions::new(), |o, (k, v)| o.value(k, v))
}

/// `Basic base64("EZAK_test_5c1f7a:")`: the key as user name, an empty password.
pub const SHIPPING_BASIC: &str = "Basic RVpBS190ZXN0XzVjMWY3YTo=";

/// Calls `$callback!` with every spec: for each, its secrets (builder setters, also given to
/// the mock), the credential every request must carry, and every resource, with `(arg)` for a
/// child and `= n` for a fixed record count.
macro_rules! every_spec {
    ($callback:ident) => {
        $callback! {
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
    };
}

pub(crate) use every_spec;
