//! Concurrent fan-out (`.concurrency(n)`, `.unordered()`): walks overlap, records come in
//! parent order and exactly once, an error mid-walk cancels the later walks and resumes at the
//! earliest parent not fully handed over, memory stays bounded while the consumer waits, and
//! the parent checkpoint covers only parents whose children were all handed over.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use restgen_runtime::incremental::IncrementalConfig;
use restgen_runtime::selector::Selector;
use restgen_runtime::{
    Checkpoint, ChildRecord, Error, FanOut, Incremental, ParentBinding, ParentCheckpoints,
    ParentCursors, ResourceRequest,
};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Posts 1..=8 on four pages of two; each post has three child pages of two comments. Child
/// responses take `delay`; the path in `failing` answers 500; every request's arrival is
/// logged.
#[derive(Clone)]
struct Api {
    base: String,
    delay: Duration,
    failing: Arc<Mutex<Option<String>>>,
    arrivals: Arc<Mutex<Vec<(String, Instant)>>>,
}

const POSTS: usize = 8;

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let p: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "p")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let shown = format!("{}?p={p}", request.url.path());
        self.arrivals
            .lock()
            .unwrap()
            .push((shown.clone(), Instant::now()));
        if self.failing.lock().unwrap().as_deref() == Some(shown.as_str()) {
            return ResponseTemplate::new(500);
        }
        let path = request.url.path();
        let (items, last, delay) = if path == "/posts" {
            let ids = [2 * p - 1, 2 * p];
            (
                ids.iter().map(|id| json!({"id": id})).collect(),
                POSTS / 2,
                Duration::ZERO,
            )
        } else {
            let post: usize = path.split('/').nth(2).unwrap().parse().unwrap();
            let comments = [2 * p - 1, 2 * p];
            (
                comments
                    .iter()
                    .map(|c| json!({"cid": post * 100 + c}))
                    .collect::<Vec<_>>(),
                3,
                self.delay,
            )
        };
        let next = (p < last).then(|| format!("{}{path}?p={}", self.base, p + 1));
        ResponseTemplate::new(200)
            .set_body_json(json!({"items": items, "next": next}))
            .set_delay(delay)
    }
}

struct Setup {
    server: MockServer,
    api: Api,
    fan_out: FanOut<Value>,
}

/// Incremental on `field`, strictly after the start value.
fn cursor_on(field: &'static str) -> IncrementalConfig {
    IncrementalConfig {
        cursor_path: Selector::fields([field]),
        cursor_field: Cow::Borrowed(field),
        start_open: true,
        ..IncrementalConfig::DEFAULT
    }
}

async fn setup(delay: Duration) -> Setup {
    let server = MockServer::start().await;
    let api = Api {
        base: server.uri(),
        delay,
        failing: Arc::default(),
        arrivals: Arc::default(),
    };
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(api.clone())
        .mount(&server)
        .await;
    let core = common::builder(&[])
        .retry_policy(common::no_wait(2))
        .max_retry_delay(Duration::from_millis(10))
        .build(&common::spec(&server.uri(), None, vec![]))
        .unwrap();
    let mut posts = common::json_link("posts", "/posts");
    posts.incremental = Some(cursor_on("id"));
    let mut comments = common::json_link("comments", "/posts/{post_id}/comments");
    comments.incremental = Some(cursor_on("cid"));
    let fan_out = FanOut::new(
        ResourceRequest::new(core.clone(), Cow::Owned(posts)),
        ResourceRequest::<Value>::new(core, Cow::Owned(comments)),
        Cow::Borrowed("posts"),
        vec![ParentBinding {
            arg: Cow::Borrowed("post_id"),
            field: Selector::fields(["id"]),
            field_name: Cow::Borrowed("id"),
        }],
        vec![],
    );
    Setup {
        server,
        api,
        fan_out,
    }
}

/// Every comment id, `post * 100 + n`, in parent order.
fn expected() -> Vec<u64> {
    (1..=POSTS as u64)
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
                assert_eq!(item.parent["_posts_id"].as_u64().unwrap(), cid / 100);
                ids.push(cid);
            }
            Err(e) => return (ids, Some(e)),
        }
    }
    (ids, None)
}

/// Where in the server's arrival order the child page `page` of `post` was asked for.
fn arrival(api: &Api, post: usize, page: usize) -> usize {
    let wanted = format!("/posts/{post}/comments?p={page}");
    let arrivals = api.arrivals.lock().unwrap();
    arrivals
        .iter()
        .position(|(p, _)| *p == wanted)
        .unwrap_or_else(|| panic!("{wanted} was never asked for"))
}

#[tokio::test]
async fn four_walks_overlap_and_records_still_come_in_parent_order_exactly_once() {
    let s = setup(Duration::from_millis(100)).await;
    let (ids, error) = run(s.fan_out.concurrency(4).stream()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, expected());
    // Order, not time: a walk asks for its second page only after its first came back, so
    // four walks at once means posts 1-4 all ask for page 1 before any asks for page 2 ...
    let first_second_page = (1..=4).map(|post| arrival(&s.api, post, 2)).min();
    for post in 1..=4 {
        assert!(
            Some(arrival(&s.api, post, 1)) < first_second_page,
            "post {post}'s walk starts with the first four"
        );
    }
    // ... and never more than four: the fifth starts only once a walk has asked for its last
    // page (3 pages each), so after some walk's page 3
    let first_last_page = (1..=4).map(|post| arrival(&s.api, post, 3)).min();
    assert!(
        Some(arrival(&s.api, 5, 1)) > first_last_page,
        "the fifth walk waits for a free slot"
    );
    let requests = s.server.received_requests().await.unwrap().len();
    assert_eq!(requests, POSTS / 2 + POSTS * 3, "no page fetched twice");
}

#[tokio::test]
async fn unordered_hands_over_every_record_once_each_parents_in_order() {
    let s = setup(Duration::from_millis(50)).await;
    let (ids, error) = run(s.fan_out.concurrency(3).unordered().stream()).await;
    assert!(error.is_none(), "{error:?}");
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected(), "every record exactly once");
    for post in 1..=POSTS as u64 {
        let own: Vec<_> = ids.iter().filter(|c| *c / 100 == post).copied().collect();
        assert_eq!(own, (1..=6).map(|c| post * 100 + c).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn an_error_mid_walk_cancels_later_walks_and_resumes_at_the_earliest_parent_not_handed_over()
{
    let s = setup(Duration::from_millis(20)).await;
    *s.api.failing.lock().unwrap() = Some("/posts/3/comments?p=2".into());
    let (first, error) = run(s.fan_out.clone().concurrency(4).stream()).await;
    let error = error.expect("the child page fails");
    // posts 1 and 2 in full, post 3's first page: nothing of the later walks in flight
    assert_eq!(first, expected()[..14].to_vec());
    let point = error.resume_point().expect("a resume point").clone();
    let parent = point.parent.as_ref().expect("which parent");
    assert_eq!(parent.fields["_posts_id"], json!(3));
    assert_eq!(point.page, 2);
    // the later walks were cancelled: nothing more goes out once the error is out
    let sent = s.server.received_requests().await.unwrap().len();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.server.received_requests().await.unwrap().len(), sent);

    *s.api.failing.lock().unwrap() = None;
    let json = serde_json::to_string(&point).unwrap();
    let (second, error) = run(s
        .fan_out
        .concurrency(4)
        .resume(serde_json::from_str(&json).unwrap())
        .stream())
    .await;
    assert!(error.is_none(), "{error:?}");
    let mut all = first;
    all.extend(second);
    assert_eq!(all, expected(), "every comment exactly once");
}

#[tokio::test]
async fn an_unordered_error_carries_no_resume_point() {
    let s = setup(Duration::from_millis(20)).await;
    *s.api.failing.lock().unwrap() = Some("/posts/3/comments?p=2".into());
    let (_, error) = run(s.fan_out.concurrency(4).unordered().stream()).await;
    let error = error.expect("fails");
    assert!(
        error.resume_point().is_none(),
        "later parents may be in part handed over"
    );
}

#[tokio::test]
async fn a_consumer_that_waits_holds_a_bounded_number_of_pages() {
    let s = setup(Duration::ZERO).await;
    let mut stream = s.fan_out.concurrency(3).stream();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.record["cid"], json!(101));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let children = s
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().contains("comments"))
        .count();
    // three walks, each with at most its page in hand and the next one asked for
    assert!(children <= 3 * 2, "{children} child pages fetched ahead");
    assert!(children >= 3, "all three walks started");
    drop(stream);
}

#[tokio::test]
async fn the_parent_checkpoint_covers_only_parents_whose_children_were_all_handed_over() {
    let s = setup(Duration::from_millis(10)).await;
    let parents = Incremental::new();
    let mut stream = s
        .fan_out
        .parents(|p| p.incremental(&parents))
        .concurrency(4)
        .stream();
    // posts 1 and 2 in full, then one record of post 3, while posts 3-6 are walked
    for _ in 0..13 {
        stream.next().await.unwrap().unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(stream);
    assert_eq!(parents.checkpoint().unwrap().last_value, json!(2));
}

#[test]
fn a_blocking_fan_out_walks_concurrently_in_order() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt.block_on(setup(Duration::from_millis(20)));
    let blocking = restgen_runtime::blocking::BlockingRuntime::new().unwrap();
    let ids: Vec<u64> = blocking
        .fan_out(s.fan_out)
        .concurrency(4)
        .iter()
        .map(|item| item.unwrap().record["cid"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, expected());
}

#[tokio::test]
async fn each_parent_filters_its_children_against_its_own_cursor() {
    let s = setup(Duration::ZERO).await;
    let cursors = ParentCursors::new();
    let (ids, error) = run(s
        .fan_out
        .clone()
        .incremental(&cursors)
        .concurrency(3)
        .stream())
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, expected());
    let saved = cursors.checkpoints();
    assert_eq!(saved.0.len(), POSTS);
    assert_eq!(saved.0[r#"{"_posts_id":2}"#].last_value, json!(206));

    // post 1 was synced up to 104, post 2 up to 201, post 3 fully; the others are new
    let mut start = ParentCheckpoints::default();
    for (post, last) in [(1, 104), (2, 201), (3, 306)] {
        start.0.insert(
            format!(r#"{{"_posts_id":{post}}}"#),
            Checkpoint {
                last_value: json!(last),
                boundary: vec![],
            },
        );
    }
    let persisted: ParentCheckpoints =
        serde_json::from_str(&serde_json::to_string(&start).unwrap()).unwrap();
    let cursors = ParentCursors::resume(persisted);
    let (ids, error) = run(s.fan_out.incremental(&cursors).concurrency(3).stream()).await;
    assert!(error.is_none(), "{error:?}");
    let want: Vec<u64> = expected()
        .into_iter()
        .filter(|c| match c / 100 {
            1 => c % 100 > 4,
            2 => c % 100 > 1,
            3 => false,
            _ => true,
        })
        .collect();
    assert_eq!(ids, want);
    assert_eq!(
        cursors.checkpoints().0[r#"{"_posts_id":1}"#].last_value,
        json!(106)
    );
}

#[tokio::test]
async fn a_nested_fan_out_walks_grandchildren_and_refuses_to_resume() {
    let s = setup(Duration::ZERO).await;
    let core = common::builder(&[])
        .build(&common::spec(&s.server.uri(), None, vec![]))
        .unwrap();
    // posts -> comments -> (a single page for each comment, at /posts/<cid>/comments)
    let comments = FanOut::<Box<serde_json::value::RawValue>>::new(
        ResourceRequest::new(
            core.clone(),
            Cow::Owned(common::json_link("posts", "/posts")),
        ),
        ResourceRequest::new(
            core.clone(),
            Cow::Owned(common::json_link("comments", "/posts/{post_id}/comments")),
        ),
        Cow::Borrowed("posts"),
        vec![ParentBinding {
            arg: Cow::Borrowed("post_id"),
            field: Selector::fields(["id"]),
            field_name: Cow::Borrowed("id"),
        }],
        vec![],
    )
    .parents(|p| p.max_records(1));
    let replies = FanOut::nested(
        comments,
        ResourceRequest::<Value>::new(
            core,
            Cow::Owned(common::json_link("replies", "/posts/{cid}/comments")),
        ),
        Cow::Borrowed("comments"),
        vec![ParentBinding {
            arg: Cow::Borrowed("cid"),
            field: Selector::fields(["cid"]),
            field_name: Cow::Borrowed("cid"),
        }],
        vec![Cow::Borrowed("_posts_id")],
    )
    .concurrency(2);
    let items: Vec<_> = replies
        .clone()
        .stream()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    // post 1 has comments 101..=106; each is walked as a post id: three pages of two
    assert_eq!(items.len(), 6 * 6);
    assert_eq!(items[0].parent["_comments_cid"], json!(101));
    assert_eq!(items[0].parent["_comments__posts_id"], json!(1));
    assert_eq!(items[0].record["cid"], json!(101 * 100 + 1));
    assert_eq!(items[35].parent["_comments_cid"], json!(106));

    let point = restgen_runtime::ResumePoint {
        resource: "replies".into(),
        page: 2,
        url: String::new(),
        position: restgen_runtime::resume::Position::Start,
        incremental: None,
        parent: None,
    };
    let (none, error) = run_raw(replies.resume(point).stream()).await;
    assert!(none == 0);
    assert!(matches!(error, Some(Error::Invalid(_))), "{error:?}");
}

async fn run_raw(
    mut stream: impl futures::Stream<Item = Result<ChildRecord<Value>, Error>> + Unpin,
) -> (usize, Option<Error>) {
    let mut n = 0;
    while let Some(item) = stream.next().await {
        match item {
            Ok(_) => n += 1,
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}
