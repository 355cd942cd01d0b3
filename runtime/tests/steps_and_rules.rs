//! Processing steps and response rules through the driver: records filtered and mapped
//! before they are decoded (with pages decoded ahead too), closures after the spec's steps,
//! a 200 whose body says it failed retried by a rule, a fail rule that is never retried.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::*;
use futures::TryStreamExt;
use restgen_runtime::descriptor::{
    AddField, Backoff, FieldValue, OffsetConfig, PaginatorConfig, ProcessingStep, RecordEdit,
    ResourceDescriptor, ResponseAction, RuleAction,
};
use restgen_runtime::expr::{CmpOp, Expr, Func, Literal, Var};
use restgen_runtime::{Error, serde_json};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn field(name: &'static str) -> Expr {
    Expr::Get(Cow::Owned(vec![
        Expr::Var(Var::Record),
        Expr::Lit(Literal::Str(name.into())),
    ]))
}

/// `record['status'] == 'active'`, then a map that drops `secret` and adds `source: "api"`.
fn active_without_secret() -> Cow<'static, [ProcessingStep]> {
    Cow::Owned(vec![
        ProcessingStep::Filter(Expr::Cmp(
            CmpOp::Eq,
            Cow::Owned(vec![
                field("status"),
                Expr::Lit(Literal::Str("active".into())),
            ]),
        )),
        ProcessingStep::Map(RecordEdit {
            remove: Cow::Owned(vec![Cow::Owned(vec!["secret".into()])]),
            add: Cow::Owned(vec![AddField {
                path: Cow::Owned(vec!["source".into()]),
                value: FieldValue::Json("\"api\"".into()),
            }]),
            ..RecordEdit::DEFAULT
        }),
    ])
}

async fn offset_pages(server: &MockServer) {
    let pages = [
        json!([{"id": 1, "status": "active", "secret": "s"}, {"id": 2, "status": "gone"}]),
        json!([{"id": 3, "status": "gone"}, {"id": 4, "status": "active", "secret": "t"}]),
        json!([{"id": 5, "status": "active"}]),
    ];
    for (i, page) in pages.into_iter().enumerate() {
        Mock::given(method("GET"))
            .and(path("/items"))
            .and(query_param("offset", (i * 2).to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(page))
            .mount(server)
            .await;
    }
}

fn offset_items() -> ResourceDescriptor {
    ResourceDescriptor {
        paginator: PaginatorConfig::Offset(OffsetConfig {
            limit: 2,
            total_path: None,
            ..OffsetConfig::DEFAULT
        }),
        data_selector: Some(restgen_runtime::selector::Selector::ROOT),
        processing_steps: active_without_secret(),
        ..resource("items", "items")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_filter_and_map_records_before_they_are_decoded_whatever_the_concurrency() {
    let server = MockServer::start().await;
    offset_pages(&server).await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    let expected = vec![
        json!({"id": 1, "status": "active", "source": "api"}),
        json!({"id": 4, "status": "active", "source": "api"}),
        json!({"id": 5, "status": "active", "source": "api"}),
    ];
    for concurrency in [1, 4] {
        let out: Vec<Value> = request(&core, offset_items())
            .concurrency(concurrency)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(out, expected, "concurrency {concurrency}");
        if concurrency == 1 {
            // the paginator saw every record: the short page (of 1) ended the run, not the
            // first page, whose records a filter halved
            assert_eq!(received(&server).await.len(), 3);
        }
    }
}

#[tokio::test]
async fn closures_run_after_the_spec_steps_on_json() {
    let server = MockServer::start().await;
    offset_pages(&server).await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    let out: Vec<Value> = request(&core, offset_items())
        .filter(|r| r["id"] != 4)
        .map(|mut r| {
            r["seen"] = json!(true);
            r
        })
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        out,
        vec![
            json!({"id": 1, "status": "active", "source": "api", "seen": true}),
            json!({"id": 5, "status": "active", "source": "api", "seen": true}),
        ]
    );
}

#[tokio::test]
async fn a_map_of_a_record_that_is_not_an_object_fails_its_page_naming_the_record() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"status": "active"}, 7])))
        .mount(&server)
        .await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    let descriptor = ResourceDescriptor {
        data_selector: Some(restgen_runtime::selector::Selector::ROOT),
        processing_steps: Cow::Owned(active_without_secret()[1..].to_vec()),
        ..resource("items", "items")
    };
    let error = records(request(&core, descriptor)).await.unwrap_err();
    assert!(
        matches!(&error, Error::Decode { record: 1, message, at, .. }
            if message.contains("not an object") && at.resource == "items"),
        "{error:?}"
    );
}

/// `response.status == 'failure'`
fn says_failure() -> Expr {
    Expr::Cmp(
        CmpOp::Eq,
        Cow::Owned(vec![
            Expr::Get(Cow::Owned(vec![
                Expr::Var(Var::Response),
                Expr::Lit(Literal::Str("status".into())),
            ])),
            Expr::Lit(Literal::Str("failure".into())),
        ]),
    )
}

#[tokio::test]
async fn a_retry_rule_sends_again_a_200_whose_body_says_it_failed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jobs"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": "failure", "data": []})),
        )
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jobs"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": "ok", "data": [{"id": 1}]})),
        )
        .mount(&server)
        .await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    let descriptor = ResourceDescriptor {
        data_selector: Some(restgen_runtime::selector::Selector::fields(["data"])),
        response_actions: Cow::Owned(vec![ResponseAction {
            predicate: Some(says_failure()),
            action: RuleAction::Retry,
            backoff: Some(Backoff::Constant { secs: 0.0 }),
            ..ResponseAction::DEFAULT
        }]),
        ..resource("jobs", "jobs")
    };
    let out = records(request(&core, descriptor.clone())).await.unwrap();
    assert_eq!(out, vec![json!({"id": 1})]);
    assert_eq!(received(&server).await.len(), 3);
    // one that keeps failing ends after the policy's attempts, as a status would
    let always = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "failure"})))
        .mount(&always)
        .await;
    let core = client(&spec(&always.uri(), None, vec![]), &[]);
    let error = records(request(
        &core,
        ResourceDescriptor {
            retry: Some(no_wait(3)),
            ..descriptor
        },
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(&error, Error::RetriesExhausted { attempts: 3, last, .. } if last.contains("HTTP 200")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_fail_rule_fails_a_transient_status_at_once_with_its_message() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(503).set_body_string("quota exhausted for today"))
        .mount(&server)
        .await;
    let core = client(&spec(&server.uri(), None, vec![]), &[]);
    let descriptor = ResourceDescriptor {
        response_actions: Cow::Owned(vec![ResponseAction {
            content: Some("quota".into()),
            action: RuleAction::Fail,
            message: Some("daily quota used up".into()),
            ..ResponseAction::DEFAULT
        }]),
        ..resource("items", "items")
    };
    let error = records(request(&core, descriptor)).await.unwrap_err();
    assert!(
        matches!(&error, Error::Refused { message, .. } if message.contains("daily quota used up") && message.contains("503")),
        "{error:?}"
    );
    assert_eq!(
        received(&server).await.len(),
        1,
        "a fail rule is not retried"
    );
}

#[tokio::test]
async fn a_step_reading_now_utc_reads_the_clients_clock() {
    // add_fields: {fetched_at: "{{ now_utc().isoformat() }}"}, on a client whose clock is fixed
    let server = MockServer::start().await;
    offset_pages(&server).await;
    let fixed = chrono::DateTime::parse_from_rfc3339("2024-03-01T12:00:00Z")
        .unwrap()
        .to_utc();
    let core = builder(&[])
        .clock(move || fixed)
        .build(&spec(&server.uri(), None, vec![]))
        .unwrap();
    let stamp = ProcessingStep::Map(RecordEdit {
        add: Cow::Owned(vec![AddField {
            path: Cow::Owned(vec!["fetched_at".into()]),
            value: FieldValue::Expr(Expr::Call(
                Func::Isoformat,
                Cow::Owned(vec![Expr::Var(Var::Now)]),
            )),
        }]),
        ..RecordEdit::DEFAULT
    });
    let descriptor = ResourceDescriptor {
        processing_steps: Cow::Owned(vec![stamp]),
        ..offset_items()
    };
    let out: Vec<Value> = request(&core, descriptor)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(out.len(), 5);
    for record in out {
        assert_eq!(
            record["fetched_at"], "2024-03-01T12:00:00+00:00",
            "{record}"
        );
    }
}
