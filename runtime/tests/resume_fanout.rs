//! Resume of a fan-out: a child that fails in the middle of the k-th parent's pages, or a
//! parent page that fails, is resumed from the error's point with nothing lost and nothing
//! handed over twice, and without fetching the earlier parent or child pages again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use restgen_runtime::selector::Selector;
use restgen_runtime::{ChildRecord, Error, FanOut, ParentBinding, ResourceRequest, ResumePoint};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Parents 1..=4 on two pages; each parent has three child pages of two comments. The path
/// in `failing` answers 500 while it is set.
#[derive(Clone)]
struct Api {
    base: String,
    failing: Arc<Mutex<Option<String>>>,
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let p: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "p")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let shown = format!("{}?p={p}", request.url.path());
        if self.failing.lock().unwrap().as_deref() == Some(shown.as_str()) {
            return ResponseTemplate::new(500);
        }
        let path = request.url.path();
        let (items, last) = if path == "/posts" {
            let ids = [2 * p - 1, 2 * p];
            (ids.iter().map(|id| json!({"id": id})).collect(), 2)
        } else {
            let post: usize = path.split('/').nth(2).unwrap().parse().unwrap();
            let comments = [2 * p - 1, 2 * p];
            (
                comments
                    .iter()
                    .map(|c| json!({"cid": post * 100 + c}))
                    .collect::<Vec<_>>(),
                3,
            )
        };
        let next = (p < last).then(|| format!("{}{path}?p={}", self.base, p + 1));
        ResponseTemplate::new(200).set_body_json(json!({"items": items, "next": next}))
    }
}

async fn setup() -> (MockServer, Arc<Mutex<Option<String>>>, FanOut<Value>) {
    let server = MockServer::start().await;
    let failing = Arc::new(Mutex::new(None));
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(Api {
            base: server.uri(),
            failing: failing.clone(),
        })
        .mount(&server)
        .await;
    let core = common::builder(&[])
        .retry_policy(common::no_wait(2))
        .max_retry_delay(Duration::from_millis(10))
        .build(&common::spec(&server.uri(), None, vec![]))
        .unwrap();
    let fan_out = FanOut::new(
        ResourceRequest::new(
            core.clone(),
            Cow::Owned(common::json_link("posts", "/posts")),
        ),
        ResourceRequest::<Value>::new(
            core,
            Cow::Owned(common::json_link("comments", "/posts/{post_id}/comments")),
        ),
        Cow::Borrowed("posts"),
        vec![ParentBinding {
            arg: Cow::Borrowed("post_id"),
            field: Selector::fields(["id"]),
            field_name: Cow::Borrowed("id"),
        }],
        vec![],
    );
    (server, failing, fan_out)
}

/// Every comment id, `post * 100 + n`, in order.
fn expected() -> Vec<u64> {
    (1..=4)
        .flat_map(|post| (1..=6).map(move |c| post * 100 + c))
        .collect()
}

async fn run(
    mut stream: impl futures::Stream<Item = Result<ChildRecord<Value>, Error>> + Unpin,
) -> (Vec<u64>, Option<Error>) {
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(item) => {
                let cid = item.record["cid"].as_u64().unwrap();
                assert_eq!(
                    item.parent["_posts_id"].as_u64().unwrap(),
                    cid / 100,
                    "the right parent"
                );
                ids.push(cid);
            }
            Err(e) => return (ids, Some(e)),
        }
    }
    (ids, None)
}

fn persisted(error: &Error) -> ResumePoint {
    let json = serde_json::to_string(error.resume_point().expect("a resume point")).unwrap();
    serde_json::from_str(&json).unwrap()
}

async fn paths_since(server: &MockServer, from: usize) -> Vec<String> {
    common::received(server).await[from..]
        .iter()
        .map(|r| format!("{}?{}", r.url.path(), r.url.query().unwrap_or("")))
        .collect()
}

#[tokio::test]
async fn a_fan_out_failing_in_the_middle_of_the_fourth_parents_children_resumes_there() {
    let (server, failing, fan_out) = setup().await;
    *failing.lock().unwrap() = Some("/posts/4/comments?p=2".into());
    let (first, error) = run(fan_out.clone().stream()).await;
    let error = error.expect("the child page fails");
    assert!(matches!(error, Error::RetriesExhausted { .. }), "{error}");
    let point = persisted(&error);
    assert_eq!(point.resource, "comments");
    assert_eq!(point.page, 2);
    let parent = point.parent.as_ref().expect("which parent");
    assert_eq!(parent.point.resource, "posts");
    assert_eq!(parent.point.page, 2);
    assert_eq!(parent.record, 1);
    assert_eq!(parent.fields["_posts_id"], json!(4));
    let before = common::received(&server).await.len();

    *failing.lock().unwrap() = None;
    let (second, error) = run(fan_out.resume(point).stream()).await;
    assert!(error.is_none(), "{error:?}");
    let mut all = first;
    all.extend(second);
    assert_eq!(all, expected(), "every comment exactly once");
    assert_eq!(
        paths_since(&server, before).await,
        [
            "/posts?p=2",
            "/posts/4/comments?p=2",
            "/posts/4/comments?p=3",
        ],
        "the parent page again, then the failed child page on"
    );
}

#[tokio::test]
async fn a_fan_out_whose_parent_page_fails_resumes_at_that_page() {
    let (server, failing, fan_out) = setup().await;
    *failing.lock().unwrap() = Some("/posts?p=2".into());
    let (first, error) = run(fan_out.clone().stream()).await;
    let point = persisted(&error.expect("the parent page fails"));
    assert_eq!(point.resource, "posts");
    assert!(point.parent.is_none());
    let before = common::received(&server).await.len();
    *failing.lock().unwrap() = None;
    let (second, error) = run(fan_out.resume(point).stream()).await;
    assert!(error.is_none(), "{error:?}");
    let mut all = first;
    all.extend(second);
    assert_eq!(all, expected());
    assert_eq!(paths_since(&server, before).await[0], "/posts?p=2");
    assert_eq!(paths_since(&server, before).await.len(), 1 + 3 + 3);
}

#[test]
fn a_blocking_fan_out_resumes_in_the_middle_of_a_child() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_server, failing, fan_out) = rt.block_on(setup());
    *failing.lock().unwrap() = Some("/posts/2/comments?p=3".into());
    let blocking = restgen_runtime::blocking::BlockingRuntime::new().unwrap();
    let mut all = Vec::new();
    let mut error = None;
    for item in blocking.fan_out(fan_out.clone()).iter() {
        match item {
            Ok(item) => all.push(item.record["cid"].as_u64().unwrap()),
            Err(e) => error = Some(e),
        }
    }
    let point = persisted(&error.expect("fails"));
    *failing.lock().unwrap() = None;
    for item in blocking.fan_out(fan_out).resume(point).iter() {
        all.push(item.unwrap().record["cid"].as_u64().unwrap());
    }
    assert_eq!(all, expected());
}

#[tokio::test]
async fn a_resumed_fan_out_that_fails_again_before_its_parent_keeps_the_same_point() {
    let (_server, failing, fan_out) = setup().await;
    *failing.lock().unwrap() = Some("/posts/4/comments?p=2".into());
    let (first, error) = run(fan_out.clone().stream()).await;
    let point = persisted(&error.unwrap());
    // the parent page it must fetch again now fails
    *failing.lock().unwrap() = Some("/posts?p=2".into());
    let (none, error) = run(fan_out.clone().resume(point.clone()).stream()).await;
    assert!(none.is_empty());
    let again = persisted(&error.unwrap());
    assert_eq!(
        again, point,
        "resuming again still starts at post 4's second child page"
    );
    *failing.lock().unwrap() = None;
    let (second, error) = run(fan_out.resume(again).stream()).await;
    assert!(error.is_none(), "{error:?}");
    let mut all = first;
    all.extend(second);
    assert_eq!(all, expected());
}
