//! The records the mock serves: rendered once, deterministically, into one buffer, so a page
//! is a zero-copy slice of it and every contender reads byte-identical pages.

use std::fmt::Write;

use bytes::Bytes;

/// Words the record fields are made of; varied by id so records are not all alike.
const CITIES: &[&str] = &[
    "Springfield",
    "Riverside",
    "Fairview",
    "Greenville",
    "Madison",
    "Georgetown",
];
const STATUSES: &[&str] = &["active", "inactive", "pending"];
const TAGS: &[&str] = &["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
const LOREM: &str = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod \
tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud \
exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.";

/// The whole record set: `count` records separated by commas, and where each one starts.
pub struct Corpus {
    buf: Bytes,
    starts: Vec<u32>,
}

impl Corpus {
    /// Renders `count` records (ids `0..count`).
    pub fn render(count: usize) -> anyhow::Result<Corpus> {
        let mut text = String::with_capacity(count * 530);
        let mut starts = Vec::with_capacity(count);
        for id in 0..count {
            if id > 0 {
                text.push(',');
            }
            starts.push(u32::try_from(text.len())?);
            render_record(&mut text, id as u64);
        }
        Ok(Corpus {
            buf: Bytes::from(text),
            starts,
        })
    }

    /// How many records there are.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// The records `from..to` (clamped) as they appear inside a JSON array, comma-separated.
    pub fn slice(&self, from: usize, to: usize) -> Bytes {
        let to = to.min(self.len());
        if from >= to {
            return Bytes::new();
        }
        let start = self.starts[from] as usize;
        // the next record's start sits one past this one's comma
        let end = match self.starts.get(to) {
            Some(next) => *next as usize - 1,
            None => self.buf.len(),
        };
        self.buf.slice(start..end)
    }

    /// The mean size of a record in bytes.
    pub fn mean_record_bytes(&self) -> usize {
        self.buf.len() / self.len().max(1)
    }
}

/// One record of about 520 bytes; every field of the benchmark schema, values varied by id.
fn render_record(out: &mut String, id: u64) {
    let city = CITIES[(id % CITIES.len() as u64) as usize];
    let status = STATUSES[(id % 7 % 3) as usize];
    let tag = |k: u64| TAGS[((id / 3 + k) % TAGS.len() as u64) as usize];
    let (month, day) = (1 + id % 12, 1 + id % 28);
    let (hour, minute, second) = (id % 24, id / 7 % 60, id % 60);
    let amount_cents = id * 7919 % 1_000_000;
    // The description makes up the rest of the ~520 bytes, with its length varied by id.
    let lorem_len = 90 + (id % 40) as usize;
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        r#"{{"id":{id},"uuid":"{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}","name":"Customer {id:07}","email":"customer{id:07}@example.com","status":"{status}","created_at":"2024-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z","updated_at":{},"amount":{}.{:02},"currency":"EUR","active":{},"score":{},"tags":["{}","{}","{}"],"address":{{"street":"{} Main Street","city":"{city}","zip":"{:05}","country":"US"}},"description":"{}"}}"#,
        id.wrapping_mul(2_654_435_761) & 0xffff_ffff,
        id & 0xffff,
        id % 0xfff,
        id * 13 % 0xfff,
        id.wrapping_mul(0x9e37_79b9) & 0xffff_ffff_ffff,
        if id.is_multiple_of(5) {
            "null".to_string()
        } else {
            format!(
                "\"2025-{month:02}-{day:02}T{hour:02}:{second:02}:{minute:02}.{:03}Z\"",
                id % 1000
            )
        },
        amount_cents / 100,
        amount_cents % 100,
        !id.is_multiple_of(4),
        id * 31 % 1000,
        tag(0),
        tag(1),
        tag(2),
        1 + id % 999,
        id * 17 % 100_000,
        &LOREM[..lorem_len],
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_valid_json_arrays_of_the_right_records() {
        let corpus = Corpus::render(50).unwrap();
        let slice = corpus.slice(10, 20);
        let text = format!("[{}]", std::str::from_utf8(&slice).unwrap());
        let records: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(records.len(), 10);
        assert_eq!(records[0]["id"], 10);
        assert_eq!(records[9]["id"], 19);
        assert!(corpus.slice(50, 60).is_empty());
        assert_eq!(
            corpus.slice(45, 60).iter().filter(|b| **b == b'{').count(),
            10
        );
        let mean = corpus.mean_record_bytes();
        assert!((480..=560).contains(&mean), "mean record size {mean}");
    }
}
