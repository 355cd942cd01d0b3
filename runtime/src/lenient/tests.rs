//! The traps real APIs set, each decoded into a type shaped as typify emits them.
#![allow(clippy::unwrap_used)]

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::*;

/// As typify emits a record once the pre-pass made every field optional.
#[derive(Debug, Deserialize, Serialize, PartialEq)]
struct User {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    small: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<Address>,
    #[serde(
        rename = "_restgen_raw",
        default,
        skip_serializing_if = "Map::is_empty"
    )]
    restgen_raw: Map<String, Value>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Deserialize, Serialize, PartialEq)]
struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    zip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary: Option<bool>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

const fn node(kind: Kind) -> Node {
    Node {
        kind,
        nullable: false,
    }
}

/// A field literal, as generated code writes it (a call would not be promoted to a static).
macro_rules! field {
    ($name:literal, $node:literal, $required:literal) => {
        Field {
            name: Cow::Borrowed($name),
            node: $node,
            required: $required,
        }
    };
}

/// The shape the generator would emit for `User` (fields sorted by name).
static USER: RecordShape = RecordShape {
    nodes: Cow::Borrowed(&[
        node(Kind::Object {
            fields: Cow::Borrowed(&[
                field!("address", 6, false),
                field!("count", 3, false),
                field!("id", 1, true),
                field!("name", 1, false),
                field!("price", 4, false),
                field!("small", 3, false),
                field!("tags", 5, false),
                field!("verified", 2, false),
            ]),
            rest: None,
        }),
        node(Kind::Scalar(Scalar::String)),
        node(Kind::Scalar(Scalar::Bool)),
        node(Kind::Scalar(Scalar::Integer)),
        node(Kind::Scalar(Scalar::Number)),
        node(Kind::Array(1)),
        node(Kind::Object {
            fields: Cow::Borrowed(&[field!("primary", 2, false), field!("zip", 1, true)]),
            rest: None,
        }),
    ]),
    raw_field: Some(Cow::Borrowed("_restgen_raw")),
};

/// `USER` with its strings declared `format: date-time` (and `name` `format: date`): every
/// test decodes with both and finds the same, so these formats change no decoding.
static USER_FORMATTED: RecordShape = RecordShape {
    nodes: Cow::Borrowed(&[
        node(Kind::Object {
            fields: Cow::Borrowed(&[
                field!("address", 6, false),
                field!("count", 3, false),
                field!("id", 1, true),
                field!("name", 7, false),
                field!("price", 4, false),
                field!("small", 3, false),
                field!("tags", 5, false),
                field!("verified", 2, false),
            ]),
            rest: None,
        }),
        node(Kind::Scalar(Scalar::Timestamp)),
        node(Kind::Scalar(Scalar::Bool)),
        node(Kind::Scalar(Scalar::Integer)),
        node(Kind::Scalar(Scalar::Number)),
        node(Kind::Array(1)),
        node(Kind::Object {
            fields: Cow::Borrowed(&[field!("primary", 2, false), field!("zip", 1, true)]),
            rest: None,
        }),
        node(Kind::Scalar(Scalar::Date)),
    ]),
    raw_field: Some(Cow::Borrowed("_restgen_raw")),
};

fn lenient(text: &str) -> (User, DecodeSummary) {
    let mut summary = DecodeSummary::default();
    let user = decode_record::<User>(text, Some(&USER), false, &mut summary).unwrap();
    let mut formatted = DecodeSummary::default();
    let same = decode_record::<User>(text, Some(&USER_FORMATTED), false, &mut formatted).unwrap();
    assert_eq!((&same, &formatted), (&user, &summary), "{text}");
    (user, summary)
}

fn strict(text: &str) -> DecodeFailure {
    let mut summary = DecodeSummary::default();
    let failure = decode_record::<User>(text, Some(&USER), true, &mut summary).unwrap_err();
    let mut formatted = DecodeSummary::default();
    let same =
        decode_record::<User>(text, Some(&USER_FORMATTED), true, &mut formatted).unwrap_err();
    assert_eq!(
        (same.path.as_str(), same.offset),
        (failure.path.as_str(), failure.offset),
        "{text}"
    );
    failure
}

fn counts(coerced: u64, kept_raw: u64) -> FieldCounts {
    FieldCounts { coerced, kept_raw }
}

#[test]
fn clean_record_takes_the_fast_path_and_counts_nothing_but_itself() {
    let (user, summary) = lenient(r#"{"id": "u1", "verified": true, "count": 3}"#);
    assert_eq!(user.verified, Some(true));
    assert_eq!(summary.decoded, 1);
    assert!(summary.is_clean() && summary.fields.is_empty());
}

#[test]
fn boolean_sent_as_string_one() {
    let (user, summary) = lenient(r#"{"id": "u1", "verified": "1"}"#);
    assert_eq!(user.verified, Some(true));
    assert!(user.restgen_raw.is_empty());
    assert_eq!(
        (summary.decoded, summary.coerced, summary.kept_raw),
        (1, 1, 0)
    );
    assert_eq!(summary.fields["/verified"], counts(1, 0));
    assert!(
        strict(r#"{"id": "u1", "verified": "1"}"#)
            .path
            .contains("verified")
    );
}

#[test]
fn integer_sent_as_string() {
    let (user, summary) = lenient(r#"{"id": "u1", "count": "12"}"#);
    assert_eq!(user.count, Some(12));
    assert_eq!(summary.fields["/count"], counts(1, 0));
}

#[test]
fn number_sent_as_string() {
    let (user, _) = lenient(r#"{"id": "u1", "price": "12.50"}"#);
    assert_eq!(user.price, Some(12.5));
}

#[test]
fn string_sent_as_number_and_as_boolean() {
    let (user, summary) = lenient(r#"{"id": 42, "name": false}"#);
    assert_eq!(user.id.as_deref(), Some("42"));
    assert_eq!(user.name.as_deref(), Some("false"));
    assert_eq!(summary.coerced, 1);
    assert_eq!(summary.fields.len(), 2);
}

#[test]
fn nested_object_where_a_string_is_expected_is_kept_raw() {
    let text = r#"{"id": "u1", "name": {"first": "Ada"}, "address": {"zip": {"code": 1}, "primary": "no"}}"#;
    let (user, summary) = lenient(text);
    assert_eq!(user.name, None);
    assert_eq!(user.restgen_raw["/name"], json!({"first": "Ada"}));
    assert_eq!(user.restgen_raw["/address/zip"], json!({"code": 1}));
    let address = user.address.as_ref().unwrap();
    assert_eq!(
        (address.zip.as_deref(), address.primary),
        (None, Some(false))
    );
    assert_eq!((summary.coerced, summary.kept_raw), (1, 1));
    assert_eq!(summary.fields["/name"], counts(0, 1));
    assert_eq!(summary.fields["/address/primary"], counts(1, 0));
    // re-serialized, the raw values are there to read
    let back = serde_json::to_value(&user).unwrap();
    assert_eq!(back["_restgen_raw"]["/name"], json!({"first": "Ada"}));
    let failure = strict(text);
    assert_eq!(failure.path, "name");
}

#[test]
fn missing_required_field_is_absent_but_strict_fails() {
    let (user, summary) = lenient(r#"{"verified": false}"#);
    assert_eq!(user.id, None);
    assert!(summary.is_clean());
    let failure = strict(r#"{"verified": false}"#);
    assert_eq!(failure.path, "/id");
    assert!(
        failure.message.contains("missing required field"),
        "{failure:?}"
    );
    // nested, too, and in lists, with escaped keys read right
    assert_eq!(strict(r#"{"id": "u", "address": {}}"#).path, "/address/zip");
    let mut summary = DecodeSummary::default();
    for text in [
        r#"{"i\u0064": "u", "address": {"z\u0069p": "1"}}"#,
        r#"{"id": "u", "address": {"zip": "1"}, "tags": ["a"]}"#,
    ] {
        let decoded = decode_record::<User>(text, Some(&USER), true, &mut summary);
        assert!(decoded.is_ok(), "{text}");
    }
}

#[test]
fn duplicate_key_takes_the_last_value() {
    let (user, summary) = lenient(r#"{"id": "first", "verified": true, "id": "last"}"#);
    assert_eq!(user.id.as_deref(), Some("last"));
    assert_eq!(user.verified, Some(true));
    assert!(summary.is_clean(), "{summary:?}");
}

#[test]
fn one_bad_element_takes_its_list_aside_and_its_coercions_are_not_counted() {
    let (user, summary) = lenient(r#"{"id": "u1", "tags": [1, "b", {"c": 1}]}"#);
    assert!(user.tags.is_empty());
    assert_eq!(user.restgen_raw["/tags"], json!([1, "b", {"c": 1}]));
    assert_eq!(summary.fields.get("/tags/*"), None);
    assert_eq!(summary.fields["/tags"], counts(0, 1));
    // a list that coerces is kept, coerced
    let (user, summary) = lenient(r#"{"id": "u1", "tags": [1, "b"]}"#);
    assert_eq!(user.tags, ["1", "b"]);
    assert_eq!(summary.fields["/tags/*"], counts(1, 0));
}

#[test]
fn null_where_the_type_takes_none_reads_as_absent() {
    let (user, summary) = lenient(r#"{"id": "u1", "tags": null}"#);
    assert!(user.tags.is_empty() && user.restgen_raw.is_empty());
    assert_eq!(summary.fields["/tags"], counts(1, 0));
}

#[test]
fn what_the_shape_did_not_foresee_is_moved_aside_by_the_fallback() {
    // the shape says integer; the type is i32
    let (user, summary) = lenient(r#"{"id": "u1", "small": 3000000000, "count": "7"}"#);
    assert_eq!((user.small, user.count), (None, Some(7)));
    assert_eq!(user.restgen_raw["/small"], json!(3000000000_u64));
    assert_eq!(summary.fields["/small"], counts(0, 1));
}

#[test]
fn without_a_shape_records_are_still_kept() {
    let mut summary = DecodeSummary::default();
    let text = r#"{"id": "u1", "verified": "1", "address": {"zip": 7}}"#;
    let user = decode_record::<User>(text, None, false, &mut summary);
    // no shape, no place for raw values: a typed failure, never a lost page silently
    assert!(user.is_err());
}

#[test]
fn a_record_of_the_wrong_kind_is_kept_whole() {
    let (user, summary) = lenient(r#"["not", "an", "object"]"#);
    assert_eq!(user.id, None);
    assert_eq!(user.restgen_raw[""], json!(["not", "an", "object"]));
    assert_eq!(summary.fields[""], counts(0, 1));
}

#[test]
fn keys_are_escaped_in_pointers() {
    #[derive(Debug, Deserialize)]
    struct Odd {
        #[serde(rename = "a/b~c")]
        odd: Option<bool>,
        #[serde(rename = "_restgen_raw", default)]
        raw: Map<String, Value>,
    }
    static ODD: RecordShape = RecordShape {
        nodes: Cow::Borrowed(&[
            node(Kind::Object {
                fields: Cow::Borrowed(&[field!("a/b~c", 1, false)]),
                rest: None,
            }),
            node(Kind::Scalar(Scalar::Bool)),
        ]),
        raw_field: Some(Cow::Borrowed("_restgen_raw")),
    };
    let mut summary = DecodeSummary::default();
    let odd: Odd = decode_record(r#"{"a/b~c": [true]}"#, Some(&ODD), false, &mut summary).unwrap();
    assert_eq!(odd.odd, None);
    assert_eq!(odd.raw["/a~1b~0c"], json!([true]));
}

#[test]
fn page_failure_names_record_and_offset() {
    let body = r#"[{"id": "a"}, {"id": "b", "verified": "maybe"}]"#;
    let spans = [1..12, 14..body.len() - 1];
    let mut summary = DecodeSummary::default();
    let failure = decode_spans::<User>(body, &spans, Some(&USER), true, &mut summary).unwrap_err();
    assert_eq!((failure.record, failure.path.as_str()), (1, "verified"));
    assert!(failure.offset > 14, "{failure:?}");
    assert_eq!((summary.decoded, summary.failed), (1, 1));
    let mut summary = DecodeSummary::default();
    let users = decode_spans::<User>(body, &spans, Some(&USER), false, &mut summary).unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[1].restgen_raw["/verified"], json!("maybe"));
    assert_eq!((summary.decoded, summary.kept_raw), (2, 1));
}

#[test]
fn report_merges_pages_and_counts_fields() {
    let report = DecodeReport::default();
    let (_, page) = lenient(r#"{"id": "u1", "verified": "1", "name": {}}"#);
    report.add("users", &page);
    report.add("users", &page);
    let run = report.summary();
    assert_eq!((run.decoded, run.coerced, run.kept_raw), (2, 2, 2));
    assert_eq!(run.fields["/verified"], counts(2, 0));
    assert_eq!(run.fields["/name"], counts(0, 2));
}

/// Counts the warnings emitted while it is the default subscriber.
struct Warnings(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl tracing::Subscriber for Warnings {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if *event.metadata().level() == tracing::Level::WARN {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn a_field_kept_raw_is_warned_about_once_per_report() {
    let warnings = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let subscriber = Warnings(warnings.clone());
    tracing::subscriber::with_default(subscriber, || {
        let report = DecodeReport::default();
        let (_, page) = lenient(r#"{"id": "u1", "name": {}}"#);
        report.add("users", &page);
        report.add("users", &page);
        assert_eq!(warnings.load(std::sync::atomic::Ordering::SeqCst), 1);
        let (_, other) = lenient(r#"{"id": "u1", "price": "cheap"}"#);
        report.add("users", &other);
        assert_eq!(warnings.load(std::sync::atomic::Ordering::SeqCst), 2);
        // coercions are not warnings
        let (_, coerced) = lenient(r#"{"id": "u1", "verified": "1"}"#);
        report.add("users", &coerced);
        assert_eq!(warnings.load(std::sync::atomic::Ordering::SeqCst), 2);
    });
}
