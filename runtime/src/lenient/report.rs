//! What lenient decoding did during a run: per field, how many values were coerced and how
//! many kept raw, readable by the caller after (or during) the run, and a `tracing` warning
//! the first time a field of a resource disagrees with its schema.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Counts of one field, named by its JSON pointer inside the record with `*` for every
/// array index (`/verified`, `/items/*/price`; `` (empty) is the record itself).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldCounts {
    /// Values coerced exactly to the schema's type (`"1"` to `true`), or a `null` the schema
    /// does not allow read as absent.
    pub coerced: u64,
    /// Values with no exact coercion: the field reads as absent and the value is kept raw.
    pub kept_raw: u64,
}

/// The decoding counts of a page or a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodeSummary {
    /// Records decoded (each record that was delivered, however it decoded).
    pub decoded: u64,
    /// Records with at least one coerced value.
    pub coerced: u64,
    /// Records with at least one value kept raw.
    pub kept_raw: u64,
    /// Records that did not decode (only in strict mode, or a record lenient decoding could
    /// not save; the page then failed with [`crate::Error::Decode`]).
    pub failed: u64,
    /// Per field, by pattern (see [`FieldCounts`]).
    pub fields: BTreeMap<String, FieldCounts>,
}

impl DecodeSummary {
    /// Whether every record decoded as the schema says, with nothing coerced or kept raw.
    pub fn is_clean(&self) -> bool {
        self.coerced == 0 && self.kept_raw == 0 && self.failed == 0
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &DecodeSummary) {
        self.decoded += other.decoded;
        self.coerced += other.coerced;
        self.kept_raw += other.kept_raw;
        self.failed += other.failed;
        for (field, counts) in &other.fields {
            let mine = self.fields.entry(field.clone()).or_default();
            mine.coerced += counts.coerced;
            mine.kept_raw += counts.kept_raw;
        }
    }
}

/// A run's decoding summary, shared by a request, its clones (a fan-out's children) and the
/// pages they decode. Take it from the request before running it
/// ([`crate::ResourceRequest::decode_report`]) and read [`DecodeReport::summary`] after.
#[derive(Debug, Clone, Default)]
pub struct DecodeReport {
    inner: Arc<Mutex<DecodeSummary>>,
}

impl DecodeReport {
    /// The counts so far.
    pub fn summary(&self) -> DecodeSummary {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Adds a page's counts, warning (once per field for this report) about a field of
    /// `resource` that disagrees with its schema: `warn` for values kept raw, `info` for
    /// values coerced.
    pub(crate) fn add(&self, resource: &str, page: &DecodeSummary) {
        if page.decoded == 0 && page.failed == 0 {
            return;
        }
        let mut run = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for (field, counts) in &page.fields {
            let before = run.fields.get(field).copied().unwrap_or_default();
            if counts.kept_raw > 0 && before.kept_raw == 0 {
                tracing::warn!(
                    resource,
                    field = field.as_str(),
                    "a value does not match the schema and has no exact coercion: the field \
                     reads as absent and the value is kept raw on the record"
                );
            }
            if counts.coerced > 0 && before.coerced == 0 {
                tracing::info!(
                    resource,
                    field = field.as_str(),
                    "a value of another type than the schema's was coerced exactly"
                );
            }
        }
        run.merge(page);
    }
}
