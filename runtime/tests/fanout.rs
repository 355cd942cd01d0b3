//! Conformance case 26: parent/child with `include_from_parent`, straight on the runtime.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use futures::TryStreamExt;
use restgen_runtime::descriptor::ResourceDescriptor;
use restgen_runtime::selector::Selector;
use restgen_runtime::{ClientBuilder, FanOut, ParentBinding, ResourceRequest};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn case_26_include_from_parent_and_one_run_per_parent() {
    let server = MockServer::start().await;
    let respond = |p: &str, body: Value| {
        Mock::given(method("GET"))
            .and(path(p.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
    };
    respond(
        "/posts",
        json!([{"id": 1, "title": "a"}, {"id": 2, "title": "b"}]),
    )
    .mount(&server)
    .await;
    respond("/posts/1/comments", json!([{"cid": 10}]))
        .mount(&server)
        .await;
    respond("/posts/2/comments", json!([{"cid": 20}, {"cid": 21}]))
        .mount(&server)
        .await;
    let spec = common::spec(&server.uri(), None, vec![]);
    let core = ClientBuilder::default().build(&spec).unwrap();
    let with_root = |d: ResourceDescriptor| ResourceDescriptor {
        data_selector: Some(Selector::ROOT),
        ..d
    };
    let posts = with_root(common::resource("posts", "/posts"));
    let comments = with_root(common::resource("comments", "/posts/{post_id}/comments"));
    let fan_out = FanOut::new(
        ResourceRequest::new(core.clone(), Cow::Owned(posts)),
        ResourceRequest::<Value>::new(core, Cow::Owned(comments)),
        Cow::Borrowed("posts"),
        vec![ParentBinding {
            arg: Cow::Borrowed("post_id"),
            field: Selector::fields(["id"]),
            field_name: Cow::Borrowed("id"),
        }],
        vec![Cow::Borrowed("title"), Cow::Borrowed("id")],
    );
    let items: Vec<_> = fan_out.stream().try_collect().await.unwrap();
    let merged: Vec<Value> = items
        .into_iter()
        .map(|item| {
            let mut record = item.record;
            if let Value::Object(map) = &mut record {
                map.extend(item.parent);
            }
            record
        })
        .collect();
    assert_eq!(
        merged,
        [
            json!({"cid": 10, "_posts_id": 1, "_posts_title": "a"}),
            json!({"cid": 20, "_posts_id": 2, "_posts_title": "b"}),
            json!({"cid": 21, "_posts_id": 2, "_posts_title": "b"}),
        ]
    );
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(paths, ["/posts", "/posts/1/comments", "/posts/2/comments"]);
}

#[tokio::test]
async fn a_parent_without_the_linked_field_is_an_error_naming_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/posts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"title": "no id"}])))
        .mount(&server)
        .await;
    let spec = common::spec(&server.uri(), None, vec![]);
    let core = ClientBuilder::default().build(&spec).unwrap();
    let root = |d: ResourceDescriptor| ResourceDescriptor {
        data_selector: Some(Selector::ROOT),
        ..d
    };
    let fan_out = FanOut::new(
        ResourceRequest::new(
            core.clone(),
            Cow::Owned(root(common::resource("posts", "/posts"))),
        ),
        ResourceRequest::<Value>::new(
            core,
            Cow::Owned(root(common::resource(
                "comments",
                "/posts/{post_id}/comments",
            ))),
        ),
        Cow::Borrowed("posts"),
        vec![ParentBinding {
            arg: Cow::Borrowed("post_id"),
            field: Selector::fields(["id"]),
            field_name: Cow::Borrowed("id"),
        }],
        vec![],
    );
    let err = fan_out.stream().try_collect::<Vec<_>>().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("`posts` record has no field `id`"), "{text}");
    assert!(text.contains("title"), "lists the available fields: {text}");
}

/// A fan-out of `comments` over `posts`, both at the response root, bound by `id`.
fn posts_comments(server: &MockServer, parent: ResourceDescriptor) -> FanOut<Value> {
    let core = ClientBuilder::default()
        .build(&common::spec(&server.uri(), None, vec![]))
        .unwrap();
    let comments = ResourceDescriptor {
        data_selector: Some(Selector::ROOT),
        ..common::resource("comments", "/posts/{post_id}/comments")
    };
    FanOut::new(
        ResourceRequest::new(core.clone(), Cow::Owned(parent)),
        ResourceRequest::<Value>::new(core, Cow::Owned(comments)),
        Cow::Borrowed("posts"),
        vec![ParentBinding {
            arg: Cow::Borrowed("post_id"),
            field: Selector::fields(["id"]),
            field_name: Cow::Borrowed("id"),
        }],
        vec![],
    )
}

#[tokio::test]
async fn large_integer_ids_reach_the_child_path_unchanged() {
    let server = MockServer::start().await;
    // written as text: these ids do not survive a round trip through f64
    let body = r#"[{"id": 12345678901234567890}, {"id": 9007199254740993},
        {"id": 123456789012345678901234567890}, {"id": -9223372036854775809}]"#;
    Mock::given(method("GET"))
        .and(path("/posts"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex("^/posts/.+/comments$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"cid": 1}])))
        .mount(&server)
        .await;
    let parent = ResourceDescriptor {
        data_selector: Some(Selector::ROOT),
        ..common::resource("posts", "/posts")
    };
    let items: Vec<_> = posts_comments(&server, parent)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let paths: Vec<String> = common::received(&server)
        .await
        .iter()
        .skip(1)
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/posts/12345678901234567890/comments",
            "/posts/9007199254740993/comments",
            "/posts/123456789012345678901234567890/comments",
            "/posts/-9223372036854775809/comments",
        ]
    );
    let bound: Vec<String> = items
        .iter()
        .map(|i| match &i.parent["_posts_id"] {
            Value::String(digits) => digits.clone(),
            other => other.to_string(),
        })
        .collect();
    assert_eq!(
        bound,
        [
            "12345678901234567890",
            "9007199254740993",
            "123456789012345678901234567890",
            "-9223372036854775809",
        ]
    );
    assert_eq!(items[0].parent["_posts_id"], json!(12345678901234567890u64));
}

#[tokio::test]
async fn a_parent_checkpoint_covers_only_parents_whose_children_were_all_handed_over() {
    use futures::StreamExt;
    use restgen_runtime::Incremental;
    use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/posts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 1, "ts": 10}, {"id": 2, "ts": 20}, {"id": 3, "ts": 30}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex("^/posts/.+/comments$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"cid": 1}, {"cid": 2}])))
        .mount(&server)
        .await;
    let parent = ResourceDescriptor {
        data_selector: Some(Selector::ROOT),
        incremental: Some(IncrementalConfig {
            cursor_path: Selector::fields(["ts"]),
            cursor_field: Cow::Borrowed("ts"),
            initial_value: None,
            end_value: None,
            start_param: None,
            end_param: None,
            last_value_func: LastValueFunc::Max,
            start_open: false,
            end_closed: false,
            on_cursor_value_missing: OnCursorMissing::Raise,
            primary_key: Cow::Owned(vec![Cow::Borrowed("id")]),
            row_order: None,
            lag: None,
            datetime_format: None,
            cursor_datetime_formats: Cow::Borrowed(&[]),
            window: None,
            initial_value_config: None,
            end_value_config: None,
        }),
        ..common::resource("posts", "/posts")
    };
    let handle = Incremental::new();
    let taken: Vec<_> = posts_comments(&server, parent)
        .parents(|p| p.incremental(&handle))
        .stream()
        .take(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(taken.len(), 3);
    assert_eq!(
        handle.checkpoint().unwrap().last_value,
        json!(10),
        "post 2 still had a comment to hand over"
    );
}
