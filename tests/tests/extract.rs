//! The extract command (`restgen_extract`) through a generated client against a loopback mock
//! whose incremental cursor values arrive out of order across pages: `--state` across runs
//! (the second run gets only newer records), a run the server fails mid-way then a second
//! run (every record exactly once across the two outputs), and `--all` with per-parent state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use restgen_extract::{Counters, Format, Job, Options, RunError, State};
use restgen_runtime::Incremental;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The contacts of one book, served 50 a page by offset (the spec's paginator), filtered by
/// `modified_since` (>=, as the real API does), failing the second page while `failing`.
#[derive(Clone)]
struct Contacts {
    records: Arc<Mutex<Vec<Value>>>,
    failing: Arc<AtomicBool>,
    /// Answers left to fail with 503 on the second page (retried by the client).
    flaky: Arc<AtomicUsize>,
}

impl Contacts {
    /// `n` contacts whose `modified_at` values are a permutation: not in page order.
    fn new(n: usize) -> Contacts {
        let records = (0..n)
            .map(|i| contact(&format!("c{i:03}"), 1000 + ((i * 37) % n) as i64))
            .collect();
        Contacts {
            records: Arc::new(Mutex::new(records)),
            failing: Arc::new(AtomicBool::new(false)),
            flaky: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn add(&self, id: &str, modified_at: i64) {
        self.records.lock().unwrap().push(contact(id, modified_at));
    }
}

fn contact(id: &str, modified_at: i64) -> Value {
    json!({"id": id, "modified_at": modified_at, "name": format!("Contact {id}")})
}

fn query(request: &Request, key: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

impl Respond for Contacts {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let offset: usize = query(request, "offset").map_or(0, |o| o.parse().unwrap());
        if offset == 50 && self.failing.load(Ordering::SeqCst) {
            return ResponseTemplate::new(503);
        }
        let flaky = self.flaky.load(Ordering::SeqCst);
        if offset == 50 && flaky > 0 {
            self.flaky.store(flaky - 1, Ordering::SeqCst);
            return ResponseTemplate::new(503);
        }
        let since: Option<i64> = query(request, "modified_since").map(|s| s.parse().unwrap());
        let book = query(request, "contact_book").unwrap_or_default();
        let page: Vec<Value> = self
            .records
            .lock()
            .unwrap()
            .iter()
            .filter(|r| since.is_none_or(|s| r["modified_at"].as_i64().unwrap() >= s))
            .skip(offset)
            .take(50)
            .map(|r| {
                let mut r = r.clone();
                r["contact_book"] = json!(book);
                r
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "contacts": page }))
    }
}

struct Mocked {
    // kept alive for the server
    _runtime: tokio::runtime::Runtime,
    server: MockServer,
}

fn serve(contacts: &Contacts, books: &[&str]) -> Mocked {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/contacts"))
            .respond_with(contacts.clone())
            .mount(&server)
            .await;
        let books: Vec<Value> = books
            .iter()
            .map(|id| json!({"id": id, "name": id}))
            .collect();
        Mock::given(method("GET"))
            .and(path("/v1/contact_books"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({ "contact_books": books })),
            )
            .mount(&server)
            .await;
        server
    });
    Mocked {
        _runtime: runtime,
        server,
    }
}

fn client(mocked: &Mocked, counters: &Counters) -> shared_inbox::Client {
    shared_inbox::Client::builder()
        .api_key("k")
        .base_url(mocked.server.uri())
        .max_retry_delay(Duration::from_millis(1))
        .hook(counters.hook())
        .build()
        .unwrap()
}

fn options(state: &Path, out: &Path, all: bool) -> Options {
    Options {
        resource: "contacts".into(),
        base_url: None,
        args: if all {
            Vec::new()
        } else {
            vec![("contact_book".into(), "b1".into())]
        },
        all,
        concurrency: None,
        max_records: None,
        state: Some(state.to_path_buf()),
        format: Format::Jsonl,
        out: Some(out.to_path_buf()),
    }
}

/// Runs `contacts` of book b1 (or of every book, `all`) into `out`.
fn extract(mocked: &Mocked, state: &Path, out: &Path, all: bool) -> Result<u64, RunError> {
    let counters = Counters::default();
    let client = client(mocked, &counters);
    let job = if all {
        Job::fan_out(client.contacts_all())
    } else {
        Job::resource(client.contacts("b1"))
    };
    restgen_extract::run(job, &options(state, out, all), &counters).map(|s| s.records)
}

/// The ids in a JSON lines output.
fn ids(out: &Path) -> Vec<String> {
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            let book = record
                .get("_contact_books_id")
                .map_or(String::new(), |b| format!("{}/", b.as_str().unwrap()));
            format!("{book}{}", record["id"].as_str().unwrap())
        })
        .collect()
}

fn files() -> (tempfile::TempDir, PathBuf, impl Fn(&str) -> PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let root = dir.path().to_path_buf();
    (dir, state, move |name: &str| root.join(name))
}

#[test]
fn a_second_run_with_the_state_writes_only_newer_records() {
    let contacts = Contacts::new(120);
    let mocked = serve(&contacts, &["b1"]);
    let (_dir, state, out) = files();
    assert_eq!(
        extract(&mocked, &state, &out("1.jsonl"), false).unwrap(),
        120
    );
    let saved = State::load(&state).unwrap().unwrap();
    assert_eq!(saved.checkpoint.as_ref().unwrap().last_value, json!(1119));
    assert_eq!(
        saved.resume, None,
        "a run that ended leaves no resume point"
    );

    // the API sends the boundary record (1119) again, with the new ones
    contacts.add("n1", 2000);
    contacts.add("n2", 1500);
    assert_eq!(extract(&mocked, &state, &out("2.jsonl"), false).unwrap(), 2);
    assert_eq!(ids(&out("2.jsonl")), ["n1", "n2"]);
    let saved = State::load(&state).unwrap().unwrap();
    assert_eq!(saved.checkpoint.unwrap().last_value, json!(2000));
    // nothing new: an empty output, the state unchanged
    assert_eq!(extract(&mocked, &state, &out("3.jsonl"), false).unwrap(), 0);
}

#[test]
fn a_run_the_server_fails_mid_way_then_a_second_run_write_every_record_exactly_once() {
    let contacts = Contacts::new(120);
    contacts.failing.store(true, Ordering::SeqCst);
    let mocked = serve(&contacts, &["b1"]);
    let (_dir, state, out) = files();
    let Err(RunError::Failed(message)) = extract(&mocked, &state, &out("1.jsonl"), false) else {
        panic!("the first run must fail");
    };
    // the runtime's located error, and where the state goes on
    assert!(message.contains("resource `contacts`, page 2"), "{message}");
    assert!(message.contains("offset=50"), "{message}");
    assert!(message.contains("goes on at page 2"), "{message}");
    let first = ids(&out("1.jsonl"));
    assert_eq!(
        first.len(),
        50,
        "page 1 is written and covered by the state"
    );
    let saved = State::load(&state).unwrap().unwrap();
    assert_eq!(saved.resume.as_ref().unwrap().page, 2);

    contacts.failing.store(false, Ordering::SeqCst);
    assert_eq!(
        extract(&mocked, &state, &out("2.jsonl"), false).unwrap(),
        70
    );
    let mut all = first;
    all.extend(ids(&out("2.jsonl")));
    let expected: Vec<String> = (0..120).map(|i| format!("c{i:03}")).collect();
    assert_eq!(all, expected, "every record once, in order");
    // the checkpoint covers both runs: the highest cursor value was on page 1 or later
    let saved = State::load(&state).unwrap().unwrap();
    assert_eq!(saved.checkpoint.unwrap().last_value, json!(1119));
    assert_eq!(saved.resume, None);
}

#[test]
fn a_state_of_another_run_is_refused_and_left_alone() {
    let contacts = Contacts::new(3);
    let mocked = serve(&contacts, &["b1"]);
    let (_dir, state, out) = files();
    extract(&mocked, &state, &out("1.jsonl"), false).unwrap();
    let before = std::fs::read_to_string(&state).unwrap();
    let Err(RunError::Failed(message)) = extract(&mocked, &state, &out("2.jsonl"), true) else {
        panic!("a fan-out must not take a single run's state");
    };
    assert!(
        message.contains("the state is of `contacts` --arg contact_book=b1"),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(&state).unwrap(), before);
}

#[test]
fn all_fans_out_over_every_parent_with_a_checkpoint_per_parent() {
    let contacts = Contacts::new(4);
    let mocked = serve(&contacts, &["b1", "b2"]);
    let (_dir, state, out) = files();
    assert_eq!(extract(&mocked, &state, &out("1.jsonl"), true).unwrap(), 8);
    let first = ids(&out("1.jsonl"));
    assert_eq!(first[0], "b1/c000");
    assert_eq!(first[4], "b2/c000");
    let saved = State::load(&state).unwrap().unwrap();
    assert_eq!(saved.parents.as_ref().unwrap().0.len(), 2, "{saved:?}");

    contacts.add("n1", 5000);
    assert_eq!(extract(&mocked, &state, &out("2.jsonl"), true).unwrap(), 2);
    assert_eq!(ids(&out("2.jsonl")), ["b1/n1", "b2/n1"]);
}

/// `Page::resume_after`: a run that stops after a page (the process died) goes on from the
/// point taken with it, with nothing lost or repeated, although the cursor values are out of
/// order (the checkpoint alone would skip the lower values of later pages).
#[test]
fn a_run_goes_on_after_a_page_from_the_point_taken_with_it() {
    let contacts = Contacts::new(120);
    let mocked = serve(&contacts, &["b1"]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = client(&mocked, &Counters::default());
    let handle = Incremental::new();
    let (first, point) = rt.block_on(async {
        let mut pages = client.contacts("b1").incremental(&handle).pages();
        let page = pages.next().await.unwrap().unwrap();
        (page.records.len(), page.resume_after.unwrap())
    });
    assert_eq!((first, point.page), (50, 2));
    // the point carries the checkpoint reached over page 1
    let reached = point.checkpoint().unwrap().last_value;
    let rest: Vec<String> = rt.block_on(async {
        let handle = Incremental::new();
        client
            .contacts("b1")
            .incremental(&handle)
            .resume(point)
            .stream()
            .map_ok(|c| c.id.unwrap())
            .try_collect()
            .await
            .unwrap()
    });
    let expected: Vec<String> = (50..120).map(|i| format!("c{i:03}")).collect();
    assert_eq!(rest, expected);
    assert!(
        reached.as_i64().unwrap() < 1119,
        "page 1 does not hold the highest value"
    );
    // the last page has no point: the run is over
    let last = rt.block_on(async {
        let pages: Vec<_> = client.contacts("b1").pages().try_collect().await.unwrap();
        pages.last().unwrap().resume_after.clone()
    });
    assert_eq!(last, None);
}

/// The summary counts what the progress line shows: records, the pages received (by the
/// counting hook on the client) and the retries it saw.
#[test]
fn the_summary_counts_records_pages_and_retries() {
    let contacts = Contacts::new(120);
    contacts.flaky.store(2, Ordering::SeqCst);
    let mocked = serve(&contacts, &["b1"]);
    let (_dir, _state, out) = files();
    let counters = Counters::default();
    let client = client(&mocked, &counters);
    let mut options = options(&out("s.json"), &out("1.jsonl"), false);
    options.state = None;
    let summary =
        restgen_extract::run(Job::resource(client.contacts("b1")), &options, &counters).unwrap();
    assert_eq!(
        (summary.records, summary.pages, summary.retries),
        (120, 3, 2),
        "{summary}"
    );
    assert_eq!(summary.out, out("1.jsonl").display().to_string());
    assert!(
        summary
            .to_string()
            .starts_with("contacts: 120 records, 3 pages, "),
        "{summary}"
    );
}

/// `--all` on a resource without a parent is a usage error (exit code 2), before any request.
#[test]
fn all_on_a_resource_without_a_parent_is_a_usage_error() {
    let contacts = Contacts::new(3);
    let mocked = serve(&contacts, &["b1"]);
    let (_dir, state, out) = files();
    let counters = Counters::default();
    let client = client(&mocked, &counters);
    let mut options = options(&state, &out("1.jsonl"), true);
    options.resource = "contact_books".into();
    let Err(RunError::Usage(message)) =
        restgen_extract::run(Job::resource(client.contact_books()), &options, &counters)
    else {
        panic!("--all needs a child resource");
    };
    assert!(
        message.contains("resource `contact_books` has no parent"),
        "{message}"
    );
    assert_eq!(counters.pages(), 0);
    assert!(!state.exists() && !out("1.jsonl").exists());
}
