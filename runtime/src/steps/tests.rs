use std::borrow::Cow;

use super::*;
use crate::expr::{CmpOp, Expr, Func, Literal, Var};

fn field(name: &'static str) -> Expr {
    Expr::Get(Cow::Owned(vec![
        Expr::Var(Var::Record),
        Expr::Lit(Literal::Str(name.into())),
    ]))
}

fn lit(text: &'static str) -> Expr {
    Expr::Lit(Literal::Str(text.into()))
}

fn records(text: &str) -> Vec<Box<RawValue>> {
    let items: Vec<Box<RawValue>> = serde_json::from_str(text).unwrap();
    items
}

fn run(steps: &[ProcessingStep], user: &[UserStep], text: &str) -> Vec<serde_json::Value> {
    let items = records(text);
    let refs: Vec<&RawValue> = items.iter().map(|b| &**b).collect();
    apply(steps, user, &refs, &http::HeaderMap::new())
        .unwrap()
        .iter()
        .map(|p| serde_json::from_str(p.raw().get()).unwrap())
        .collect()
}

#[test]
fn a_filter_keeps_the_records_its_expression_holds_for() {
    // record['status'] == 'active' and record['name'].startswith('a')
    let filter = ProcessingStep::Filter(Expr::And(Cow::Owned(vec![
        Expr::Cmp(CmpOp::Eq, Cow::Owned(vec![field("status"), lit("active")])),
        Expr::Call(Func::StartsWith, Cow::Owned(vec![field("name"), lit("a")])),
    ])));
    let kept = run(
        &[filter],
        &[],
        r#"[{"name":"ann","status":"active"},{"name":"bob","status":"active"},
            {"name":"al","status":"gone"},{"status":"active"},{"name":"amy","status":"active"}]"#,
    );
    assert_eq!(
        kept,
        vec![
            serde_json::json!({"name":"ann","status":"active"}),
            serde_json::json!({"name":"amy","status":"active"})
        ]
    );
}

#[test]
fn membership_in_a_list_literal() {
    let filter = ProcessingStep::Filter(Expr::In(Cow::Owned(vec![
        field("id"),
        Expr::List(Cow::Owned(vec![
            Expr::Lit(Literal::Int(1)),
            Expr::Lit(Literal::Int(3)),
        ])),
    ])));
    let kept = run(&[filter], &[], r#"[{"id":1},{"id":2},{"id":3},{"id":"1"}]"#);
    assert_eq!(
        kept,
        vec![serde_json::json!({"id":1}), serde_json::json!({"id":3})]
    );
}

#[test]
fn a_map_removes_renames_then_adds_from_the_record_as_it_came() {
    let edit = RecordEdit {
        remove: Cow::Owned(vec![
            Cow::Owned(vec!["secret".into()]),
            Cow::Owned(vec!["meta".into(), "etag".into()]),
            Cow::Owned(vec!["missing".into()]),
        ]),
        rename: Cow::Owned(vec![Rename {
            from: "n".into(),
            to: "count".into(),
        }]),
        add: Cow::Owned(vec![
            AddField {
                path: Cow::Owned(vec!["source".into()]),
                value: FieldValue::Json("\"api\"".into()),
            },
            AddField {
                // computed from `n`, which the rename has moved by the time it is set
                path: Cow::Owned(vec!["double".into()]),
                value: FieldValue::Expr(Expr::Call(
                    Func::Mul,
                    Cow::Owned(vec![field("n"), Expr::Lit(Literal::Int(2))]),
                )),
            },
            AddField {
                path: Cow::Owned(vec!["meta".into(), "seen".into()]),
                value: FieldValue::Json("true".into()),
            },
        ]),
    };
    let out = run(
        &[ProcessingStep::Map(edit)],
        &[],
        r#"[{"n":2,"secret":"s","meta":{"etag":"x","v":1}}]"#,
    );
    assert_eq!(
        out,
        vec![serde_json::json!({"count":2,"source":"api","double":4,"meta":{"v":1,"seen":true}})]
    );
}

#[test]
fn steps_run_in_the_order_written() {
    let add_flag = ProcessingStep::Map(RecordEdit {
        add: Cow::Owned(vec![AddField {
            path: Cow::Owned(vec!["flag".into()]),
            value: FieldValue::Json("1".into()),
        }]),
        ..RecordEdit::DEFAULT
    });
    let has_flag = ProcessingStep::Filter(Expr::Cmp(
        CmpOp::Eq,
        Cow::Owned(vec![field("flag"), Expr::Lit(Literal::Int(1))]),
    ));
    // filter first: nothing has the flag yet
    assert!(run(&[has_flag.clone(), add_flag.clone()], &[], r#"[{"a":1}]"#).is_empty());
    assert_eq!(run(&[add_flag, has_flag], &[], r#"[{"a":1}]"#).len(), 1);
}

#[test]
fn a_map_of_a_record_that_is_not_an_object_names_the_record() {
    let edit = ProcessingStep::Map(RecordEdit {
        remove: Cow::Owned(vec![Cow::Owned(vec!["a".into()])]),
        ..RecordEdit::DEFAULT
    });
    let items = records(r#"[{"a":1}, 7]"#);
    let refs: Vec<&RawValue> = items.iter().map(|b| &**b).collect();
    let error = apply(&[edit], &[], &refs, &http::HeaderMap::new()).unwrap_err();
    assert_eq!(error.record, 1);
    assert!(error.message.contains("not an object"), "{}", error.message);
}

#[test]
fn closures_run_after_the_spec_steps() {
    let drop_b =
        ProcessingStep::Filter(Expr::Cmp(CmpOp::Ne, Cow::Owned(vec![field("k"), lit("b")])));
    let user = [
        UserStep::Map(Arc::new(|mut v: serde_json::Value| {
            v["seen"] = serde_json::json!(true);
            v
        })),
        UserStep::Filter(Arc::new(|v: &serde_json::Value| v["k"] != "c")),
    ];
    let out = run(&[drop_b], &user, r#"[{"k":"a"},{"k":"b"},{"k":"c"}]"#);
    assert_eq!(out, vec![serde_json::json!({"k":"a","seen":true})]);
}

#[test]
fn settings_are_bound_into_the_steps_expressions() {
    // record['rating'] >= int(config['min_rating'])
    let step = ProcessingStep::Filter(Expr::Cmp(
        CmpOp::Ge,
        Cow::Owned(vec![
            field("rating"),
            Expr::Call(
                Func::Int,
                Cow::Owned(vec![Expr::Config("min_rating".into())]),
            ),
        ]),
    ));
    assert_eq!(step.settings(), vec!["min_rating"]);
    let setting = |name: &str| (name == "min_rating").then(|| "4".to_string());
    let now = chrono::DateTime::from_timestamp(0, 0).unwrap();
    let bound = step.for_run(&crate::expr::RunValues {
        setting: &setting,
        now,
    });
    let kept = run(&[bound], &[], r#"[{"rating":3},{"rating":4},{"rating":5}]"#);
    assert_eq!(kept.len(), 2);
    // unbound, the setting is None and `int(None)` is 0: nothing is dropped
    assert_eq!(run(&[step], &[], r#"[{"rating":3}]"#).len(), 1);
}

#[test]
fn json_records_go_through_the_steps_as_a_page_does() {
    let filter = ProcessingStep::Filter(Expr::Cmp(
        CmpOp::Eq,
        Cow::Owned(vec![field("type"), lit("file")]),
    ));
    let served = vec![
        serde_json::json!({"type": "file", "id": 1}),
        serde_json::json!({"type": "folder", "id": 2}),
        serde_json::json!({"id": 3}),
    ];
    assert_eq!(
        process_json(&[filter], &served).unwrap(),
        vec![serde_json::json!({"type": "file", "id": 1})]
    );
    assert_eq!(process_json(&[], &served).unwrap(), served);
}
