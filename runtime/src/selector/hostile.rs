//! Hostile JSON at the selector: keys a page repeats, and nesting past what a `..` search
//! walks.

#![allow(clippy::unwrap_used)]

use super::tests::{raw, sel, texts};
use super::*;

#[test]
fn a_repeated_key_reads_as_python_reads_it() {
    // `json.loads` keeps one field, where the key first was, with its last value
    let doc = raw(r#"{"a":1,"b":2,"a":3}"#);
    let fields: Vec<_> = object_fields(&doc)
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.get().to_string()))
        .collect();
    assert_eq!(fields, [("a".into(), "3".into()), ("b".into(), "2".into())]);
    assert_eq!(
        Selector::fields(["a"])
            .first(&doc)
            .unwrap()
            .map(RawValue::get),
        Some("3")
    );
    let all = sel(vec![Step::Wildcard]);
    assert_eq!(texts(select_records(&all, &doc)), ["3", "2"]);
    // the earlier value is gone: `..` does not search it
    let doc = raw(r#"{"x":{"id":1},"id":2,"x":{"id":3}}"#);
    let ids = sel(vec![Step::Descendant("id".into())]);
    assert_eq!(texts(select_records(&ids, &doc)), ["2", "3"]);
}

#[test]
fn a_repeated_key_in_a_wide_object_reads_the_same() {
    // past the width where repeated keys are looked up in a map
    let mut text = String::from("{");
    for i in 0..100 {
        text.push_str(&format!("\"k{i}\":{i},"));
    }
    text.push_str("\"k3\":\"last\",\"k99\":null}");
    let doc = raw(&text);
    let fields = object_fields(&doc).unwrap();
    assert_eq!(fields.len(), 100);
    assert_eq!(
        (fields[3].0.as_ref(), fields[3].1.get()),
        ("k3", "\"last\"")
    );
    assert_eq!((fields[99].0.as_ref(), fields[99].1.get()), ("k99", "null"));
}

fn nested(levels: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(levels), "]".repeat(levels))
}

#[test]
fn descendant_search_stops_at_the_depth_limit_with_an_error() {
    let s = sel(vec![Step::Descendant("id".into())]);
    let within = raw(&nested(MAX_DEPTH - 1, r#"{"id":1}"#));
    assert_eq!(texts(select_records(&s, &within)), ["1"]);
    let past = raw(&nested(MAX_DEPTH, r#"{"id":1}"#));
    let err = s.find(&past).unwrap_err();
    assert_eq!(err.limit, MAX_DEPTH);
    assert_eq!(
        err.to_string(),
        format!("the selector `$..['id']` would search JSON nested deeper than {MAX_DEPTH} levels")
    );
    // on the calling thread's own stack, far past what recursion would survive
    let far = raw(&nested(100_000, "1"));
    assert!(s.find(&far).is_err());
}

#[test]
fn nesting_is_counted_outside_strings_only() {
    assert!(!nesting_exceeds(r#"["[[[[","\"[[[[",{"a":"{{{{"}]"#, 2));
    assert!(nesting_exceeds(r#"[[["\\"]]]"#, 2));
    assert!(!nesting_exceeds(r#"[[["\\"]]]"#, 3));
    assert!(!nesting_exceeds("1", 0));
}
