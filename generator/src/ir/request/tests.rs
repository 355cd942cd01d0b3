//! Binding paths, parameters, headers and bodies: substitutions, parent links, arguments,
//! references to secrets and settings, and the errors.
#![allow(clippy::unwrap_used)]

use super::super::headers::{bind_headers, client_headers};
use super::*;

fn bind(path: &str, params: Option<&Mapping>) -> Result<BoundRequest, Issue> {
    super::bind(path, params, false)
}

#[test]
fn incremental_placeholders_need_the_block() {
    let params = mapping("{since: '{incremental.start_value}'}");
    let b = super::bind("/x", Some(&params), true).unwrap();
    assert_eq!(b.params[0].value, "{incremental.start_value}");
    assert!(bind("/x", Some(&params)).is_err());
    let bad = mapping("{since: '{incremental.start}'}");
    assert!(super::bind("/x", Some(&bad), true).is_err());
}

fn mapping(yaml: &str) -> Mapping {
    serde_yaml::from_str(yaml).unwrap()
}

#[test]
fn a_header_must_be_text_or_a_reference() {
    let headers = mapping("{X-Token: {secrt: token}}");
    let e = bind_headers(Some(&headers), &mut BoundRequest::default()).unwrap_err();
    assert!(
        e.message.contains("header `X-Token` must be a string"),
        "{e:?}"
    );
    // located at the header's value, with the reference it meant
    assert_eq!(
        e.at,
        [Seg::Key("headers".into()), Seg::Key("X-Token".into())]
    );
    assert!(e.help.iter().any(|h| h.contains("`secret`")), "{e:?}");
    let mut bound = BoundRequest::default();
    let headers = mapping("{X-Token: {secret: token}, X-Region: {config: region}}");
    let bound_headers = bind_headers(Some(&headers), &mut bound).unwrap();
    assert_eq!(bound_headers[0].value, "{secrets.token}");
    assert_eq!(bound_headers[1].value, "{config.region}");
    assert_eq!(
        bound.values,
        vec![
            ValueRef::Secret("token".into()),
            ValueRef::Config("region".into())
        ]
    );
}

#[test]
fn client_headers_are_static_but_for_the_clients_values() {
    let mut bound = BoundRequest::default();
    let (sent, issues) = client_headers(
        Some(&mapping(
            "{A: '{x}', B: null, C: [1], D: {config: v}, E: 'k {secrets.key} {{y}', F: '{config.a-b}'}",
        )),
        &mut bound,
    );
    assert_eq!(
        sent,
        [
            param("A", "{{x}}".into()),
            param("D", "{config.v}".into()),
            param("E", "k {secrets.key} {{{{y}}".into()),
        ]
    );
    assert_eq!(
        bound.values,
        vec![ValueRef::Config("v".into()), ValueRef::Secret("key".into())]
    );
    // `C` is a list; `F` names no setting, at its `{`
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[1].column, Some(0));
}

#[test]
fn references_and_names_in_parameters_and_bodies() {
    let b = bind(
        "/q",
        Some(&mapping(
            "{symbol: {secret: symbol}, from: '{start_date}', to: 'x{end}'}",
        )),
    )
    .unwrap();
    let shown: Vec<_> = b
        .params
        .iter()
        .map(|p| format!("{}={}", p.name, p.value))
        .collect();
    assert_eq!(
        shown,
        ["symbol={secrets.symbol}", "from={start_date}", "to=x{end}"]
    );
    let names: Vec<_> = b.args.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["start_date", "end"]);
    let b = bind(
        "/d/{config.dataset}/items",
        Some(&mapping("{q: 'x{secrets.k}'}")),
    )
    .unwrap();
    assert_eq!(b.path, "/d/{config.dataset}/items");
    assert_eq!(b.params[0].value, "x{secrets.k}");
    assert_eq!(
        b.values,
        vec![
            ValueRef::Config("dataset".into()),
            ValueRef::Secret("k".into())
        ]
    );
    assert!(b.args.iter().all(|a| a.parent.is_none()));
    let mut b = bind("/q", None).unwrap();
    let json: Value = serde_yaml::from_str("{userId: {secret: user_id}}").unwrap();
    let bound = bind_json(&json, &mut b).unwrap();
    assert_eq!(
        serde_json::to_string(&bound).unwrap(),
        r#"{"userId":"{secrets.user_id}"}"#
    );
    assert_eq!(b.values, vec![ValueRef::Secret("user_id".into())]);
}

#[test]
fn static_path_param_is_substituted_and_removed() {
    let b = bind("orgs/{org}/x", Some(&mapping("{org: acme, a: 1}"))).unwrap();
    assert_eq!(b.path, "orgs/acme/x");
    assert_eq!(b.params, vec![param("a", "1".into())]);
    assert!(b.args.is_empty());
}

#[test]
fn resolve_param_becomes_parent_argument() {
    let b = bind(
        "/signature_requests/{sign_req}/followers",
        Some(&mapping(
            "{sign_req: {type: resolve, resource: signature_requests, field: id}, limit: 100}",
        )),
    )
    .unwrap();
    assert_eq!(b.path, "/signature_requests/{sign_req}/followers");
    assert_eq!(b.params, vec![param("limit", "100".into())]);
    assert_eq!(b.args[0].name, "sign_req");
    assert_eq!(
        b.args[0].parent.as_ref().unwrap().resource,
        "signature_requests"
    );
}

#[test]
fn unbound_path_param_is_an_argument() {
    let b = bind("/x/{thing_id}", None).unwrap();
    assert_eq!(b.args.len(), 1);
    assert!(b.args[0].parent.is_none());
}

#[test]
fn query_placeholder_and_wire_forms() {
    let b = bind(
        "/contacts",
        Some(&mapping("{contact_book: '{resources.contact_books.id}', q: 'id:{resources.contact_books.id}', flag: true, none: null, tags: [a, b]}")),
    )
    .unwrap();
    let shown: Vec<_> = b
        .params
        .iter()
        .map(|p| format!("{}={}", p.name, p.value))
        .collect();
    assert_eq!(
        shown,
        [
            "contact_book={contact_book}",
            "q=id:{contact_book}",
            "flag=True",
            "tags=a",
            "tags=b"
        ]
    );
    assert_eq!(b.args.len(), 1);
}

#[test]
fn json_body_placeholders_bind_parent_fields() {
    let mut b = bind("posts/{resources.posts.id}/x", None).unwrap();
    let json: Value = serde_yaml::from_str(
        "{owner: '{resources.posts.meta.owner}', text: 'by {resources.posts.meta.owner}', \
         same: '{resources.posts.id}', lit: '{{x}}', n: 1}",
    )
    .unwrap();
    let bound = bind_json(&json, &mut b).unwrap();
    assert_eq!(
        serde_json::to_string(&bound).unwrap(),
        r#"{"owner":"{owner}","text":"by {owner}","same":"{posts_id}","lit":"{{x}}","n":1}"#
    );
    let names: Vec<_> = b.args.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["posts_id", "owner"]);
    let bad: Value = serde_yaml::from_str("{q: '{other.thing}'}").unwrap();
    assert!(bind_json(&bad, &mut b).is_err());
}

#[test]
fn errors() {
    assert!(
        bind(
            "/x",
            Some(&mapping("{p: {type: resolve, resource: a, field: id}}"))
        )
        .is_err()
    );
    assert!(bind("/x", Some(&mapping("{p: '{other.thing}'}"))).is_err());
    assert!(bind("/x", Some(&mapping("{p: {a: 1}}"))).is_err());
    assert!(bind("/x/{a.b}", None).is_err());
    // a setting's name is an identifier; the issue points inside the path
    let e = bind("/x/{config.a-b}", None).unwrap_err();
    assert_eq!(e.at, [Seg::Key("path".into())]);
    assert_eq!(e.column, Some(3));
}
