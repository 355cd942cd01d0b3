//! A micro-measurement of record decoding: the page decoder before lenient decoding
//! (`selector::decode_spans`) against `lenient::decode_spans` on the same clean page, then
//! strict decoding and pages whose every record needs the lenient fallback.
//! `cargo run --release -p restgen-runtime --example lenient_decode`
#![allow(clippy::unwrap_used, missing_docs)]

use std::borrow::Cow;
use std::time::{Duration, Instant};

use restgen_runtime::lenient::{self, DecodeSummary, Field, Kind, Node, RecordShape, Scalar};
use restgen_runtime::selector::{self, Selector};
use serde::Deserialize;
use serde_json::{Map, Value};

/// As typify emits a record: every field optional, raw values and unknown fields kept.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Address {
    id: Option<String>,
    city: Option<String>,
    country: Option<String>,
    email: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    residential: Option<bool>,
    verifications: Option<i64>,
    score: Option<f64>,
    zip: Option<String>,
    #[serde(rename = "_restgen_raw", default)]
    restgen_raw: Map<String, Value>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

macro_rules! field {
    ($name:literal, $node:literal) => {
        Field {
            name: Cow::Borrowed($name),
            node: $node,
            required: false,
        }
    };
}

static SHAPE: RecordShape = RecordShape {
    nodes: Cow::Borrowed(&[
        Node {
            kind: Kind::Object {
                fields: Cow::Borrowed(&[
                    field!("city", 1),
                    field!("country", 1),
                    field!("email", 1),
                    Field {
                        name: Cow::Borrowed("id"),
                        node: 1,
                        required: true,
                    },
                    field!("name", 1),
                    field!("phone", 1),
                    field!("residential", 2),
                    field!("score", 4),
                    field!("verifications", 3),
                    field!("zip", 1),
                ]),
                rest: None,
            },
            nullable: false,
        },
        Node {
            kind: Kind::Scalar(Scalar::String),
            nullable: true,
        },
        Node {
            kind: Kind::Scalar(Scalar::Bool),
            nullable: true,
        },
        Node {
            kind: Kind::Scalar(Scalar::Integer),
            nullable: true,
        },
        Node {
            kind: Kind::Scalar(Scalar::Number),
            nullable: true,
        },
    ]),
    raw_field: Some(Cow::Borrowed("_restgen_raw")),
};

fn page(n: usize, residential: &str) -> String {
    let records: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id": "adr_{i:024}", "city": "Boston", "country": "US", "email": "a{i}@example.test", "name": "Person {i}", "phone": "+1555010{i:04}", "residential": {residential}, "verifications": {i}, "score": 0.5, "zip": "02110", "object": "Address", "mode": "test"}}"#
            )
        })
        .collect();
    format!("[{}]", records.join(","))
}

fn best(mut f: impl FnMut()) -> Duration {
    (0..15)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let n = 10_000;
    for (label, body) in [
        ("clean", page(n, "true")),
        ("every record coerced", page(n, "\"1\"")),
    ] {
        let root: &serde_json::value::RawValue = serde_json::from_str(&body).unwrap();
        let records = selector::select_records(&Selector::ROOT, root).unwrap();
        let spans = selector::record_spans(&body, &records);
        println!("{n} records, {label}, {} bytes:", body.len());
        if label == "clean" {
            let before = best(|| {
                let r: Vec<Address> = selector::decode_spans(&body, &spans).unwrap();
                assert_eq!(r.len(), n);
            });
            println!("  before (selector::decode_spans)  {before:>10.2?}");
        }
        for (mode, strict) in [("lenient", false), ("strict", true)] {
            if strict && label != "clean" {
                continue;
            }
            let took = best(|| {
                let mut summary = DecodeSummary::default();
                let r: Vec<Address> =
                    lenient::decode_spans(&body, &spans, Some(&SHAPE), strict, &mut summary)
                        .unwrap();
                assert_eq!(r.len(), n);
            });
            println!("  {mode:<7} (lenient::decode_spans) {took:>10.2?}");
        }
    }
}
