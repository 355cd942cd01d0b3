//! Builds an emulated API's records from one hand-written example record per resource
//! (`fixtures/<api>/<resource>.json`): each copy gets its own id and whatever fields the
//! API pages or sorts on.

use serde_json::{Map, Value};

/// A deterministic UUID-shaped id: namespace `ns`, number `i`.
pub fn uuid(ns: u32, i: usize) -> String {
    format!(
        "{ns:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (i >> 16) & 0xffff,
        (i >> 4) & 0xfff,
        i & 0xfff,
        (i as u64).wrapping_mul(0x9e37_79b9) & 0xffff_ffff_ffff
    )
}

/// A 32-digit lowercase hex id with a prefix, as EasyPost (`adr_…`) and signNow use.
pub fn hex_id(prefix: &str, ns: u32, i: usize) -> String {
    format!(
        "{prefix}{ns:08x}{:024x}",
        (i as u128).wrapping_mul(0x2545_f491_4f6c_dd1d) & ((1u128 << 96) - 1)
    )
}

/// `n` copies of `template` (a JSON object), each edited by `edit(i, record)`.
pub fn records(
    template: &str,
    n: usize,
    edit: impl Fn(usize, &mut Map<String, Value>),
) -> Vec<Value> {
    let base: Value = serde_json::from_str(template).unwrap();
    (0..n)
        .map(|i| {
            let mut record = base.as_object().unwrap().clone();
            edit(i, &mut record);
            Value::Object(record)
        })
        .collect()
}

/// The field `key` of each record, as text.
pub fn keys(records: &[Value], key: &str) -> Vec<String> {
    records
        .iter()
        .map(|r| match &r[key] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// `2024-05-10T09:10:00+00:00` plus `i` minutes: Yousign's and EasyPost's `+00:00` form.
pub fn offset_time(i: usize) -> String {
    let (h, m) = (9 + i / 60 % 14, i % 60);
    format!(
        "2024-05-{:02}T{h:02}:{m:02}:00+00:00",
        1 + i / (60 * 14) % 28
    )
}

/// `2024-03-01T10:05:00.123Z` plus `i` minutes: the `Z` form with milliseconds.
pub fn zulu_time(i: usize) -> String {
    let (h, m) = (8 + i / 60 % 14, i % 60);
    format!(
        "2024-03-{:02}T{h:02}:{m:02}:00.{:03}Z",
        1 + i / (60 * 14) % 28,
        i % 1000
    )
}

/// Standard base64 with padding, for the Basic credentials an API expects.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_pads_like_the_standard() {
    assert_eq!(base64(b"key:"), "a2V5Og==");
    assert_eq!(base64(b"ab"), "YWI=");
    assert_eq!(base64(b"abc"), "YWJj");
}
