//! CSV output (not built yet: the extract-command work fills this in).

use std::path::Path;

use restgen_runtime::lenient::RecordShape;
use serde_json::Value;

use crate::WriteError;

/// Writes records as CSV.
pub struct CsvWriter {
    _private: (),
}

impl CsvWriter {
    /// Opens `out` for records of `shape`.
    pub fn create(
        _out: Option<&Path>,
        _shape: &'static RecordShape,
    ) -> Result<CsvWriter, WriteError> {
        Err(WriteError::Unsupported("CSV"))
    }

    /// Writes one page.
    pub fn write_page(&mut self, _records: &[Value]) -> Result<(), WriteError> {
        Err(WriteError::Unsupported("CSV"))
    }

    /// Flushes and moves the file into place; the records written.
    pub fn finish(self) -> Result<u64, WriteError> {
        Err(WriteError::Unsupported("CSV"))
    }
}
