//! Data selectors over real-shaped pages: paths, wildcards, auto-detection, record spans and
//! where a record that fails to decode is.

use super::*;

pub(super) fn raw(text: &str) -> Box<RawValue> {
    RawValue::from_string(text.to_string()).unwrap()
}

pub(super) fn sel(steps: Vec<Step>) -> Selector {
    Selector {
        steps: Cow::Owned(steps),
    }
}

pub(super) fn texts(records: Result<RawRecords<'_>, TooDeep>) -> Vec<String> {
    records
        .unwrap()
        .items
        .iter()
        .map(|r| r.get().to_string())
        .collect()
}

#[test]
fn nested_list_gives_its_items() {
    let doc = raw(r#"{"results":{"items":[{"id":1},{"id":2}]}}"#);
    let s = Selector::fields(["results", "items"]);
    assert_eq!(
        texts(select_records(&s, &doc)),
        [r#"{"id":1}"#, r#"{"id":2}"#]
    );
}

#[test]
fn wildcard_maps_over_list_but_field_does_not() {
    let doc = raw(r#"{"data":[{"id":1},{"id":2}]}"#);
    let mapped = sel(vec![
        Step::Field("data".into()),
        Step::Wildcard,
        Step::Field("id".into()),
    ]);
    assert_eq!(texts(select_records(&mapped, &doc)), ["1", "2"]);
    let unmapped = Selector::fields(["data", "id"]);
    assert!(select_records(&unmapped, &doc).unwrap().items.is_empty());
}

#[test]
fn missing_and_null_give_no_records() {
    let s = Selector::fields(["data"]);
    assert!(
        select_records(&s, &raw(r#"{"other":1}"#))
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        select_records(&s, &raw(r#"{"data":null}"#))
            .unwrap()
            .items
            .is_empty()
    );
}

#[test]
fn single_object_is_one_record() {
    let s = Selector::fields(["data"]);
    assert_eq!(
        texts(select_records(&s, &raw(r#"{"data":{"id":5}}"#))),
        [r#"{"id":5}"#]
    );
    let root = raw(r#"{"id":7}"#);
    assert_eq!(
        texts(select_records(&Selector::ROOT, &root)),
        [r#"{"id":7}"#]
    );
}

#[test]
fn root_list_of_lists_gives_lists() {
    let doc = raw("[[1,2],[3]]");
    assert_eq!(
        texts(select_records(&Selector::ROOT, &doc)),
        ["[1,2]", "[3]"]
    );
}

#[test]
fn index_and_negative_index() {
    let doc = raw(r#"{"a":[10,20,30]}"#);
    let first = sel(vec![Step::Field("a".into()), Step::Index(0)]);
    let last = sel(vec![Step::Field("a".into()), Step::Index(-1)]);
    assert_eq!(first.first(&doc).unwrap().map(RawValue::get), Some("10"));
    assert_eq!(last.first(&doc).unwrap().map(RawValue::get), Some("30"));
}

#[test]
fn descendant_takes_an_objects_own_field_before_its_childrens() {
    // jsonpath-ng (dlt 1.31's `find_values("$..id", ...)`) gives [3, 1, 2] here: each
    // object's own field, then its children's matches depth-first
    let doc = raw(r#"{"a":{"id":1,"b":[{"id":2}]},"id":3}"#);
    let s = sel(vec![Step::Descendant("id".into())]);
    assert_eq!(texts(select_records(&s, &doc)), ["3", "1", "2"]);
    // a match is searched too: `..a` on nested `a`s gives each, outermost first
    let nested = raw(r#"{"a":{"a":{"a":1}}}"#);
    let a = sel(vec![Step::Descendant("a".into())]);
    assert_eq!(
        texts(select_records(&a, &nested)),
        [r#"{"a":{"a":1}}"#, r#"{"a":1}"#, "1"]
    );
}

#[test]
fn decode_failure_names_path_and_offset() {
    #[derive(serde::Deserialize, Debug)]
    struct Rec {
        #[allow(dead_code)]
        id: u32,
    }
    let body = r#"{"data":[{"id":1},{"id":"x"}]}"#;
    let doc: &RawValue = serde_json::from_str(body).unwrap();
    let records = select_records(&Selector::fields(["data"]), doc).unwrap();
    let err = decode_records::<Rec>(body, &records).unwrap_err();
    assert_eq!(err.record, 1);
    assert_eq!(err.path, "id");
    assert_eq!(&body[err.offset - 3..err.offset], "\"x\"");
}

#[test]
fn escaped_keys_are_matched() {
    let doc = raw(r#"{"a\"b":1}"#);
    assert_eq!(
        Selector::fields(["a\"b"])
            .first(&doc)
            .unwrap()
            .map(RawValue::get),
        Some("1")
    );
}
