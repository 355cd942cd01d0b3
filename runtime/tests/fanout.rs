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
