//! JSON lines: each record as the typed record serializes it, one per line.

use std::path::Path;

use serde::Serialize;

use crate::{Output, WriteError};

/// Writes records as JSON lines.
pub struct JsonlWriter {
    out: Output,
    written: u64,
}

impl JsonlWriter {
    /// Opens `out` (stdout when `None`).
    pub fn create(out: Option<&Path>) -> Result<JsonlWriter, WriteError> {
        Ok(JsonlWriter {
            out: Output::open(out)?,
            written: 0,
        })
    }

    /// Writes one page.
    pub fn write_records<T: Serialize>(&mut self, records: &[T]) -> Result<(), WriteError> {
        for record in records {
            let name = self.out.name();
            let w = self.out.writer();
            serde_json::to_writer(&mut *w, record).map_err(|e| WriteError::Encode {
                index: self.written,
                message: e.to_string(),
            })?;
            w.write_all(b"\n")
                .map_err(|e| crate::io_error(Path::new(&name), e))?;
            self.written += 1;
        }
        Ok(())
    }

    /// Flushes what is buffered to stdout (a file is flushed at [`Self::finish`]).
    pub fn flush(&mut self) -> Result<(), WriteError> {
        if let Output::Stdout(w) = &mut self.out {
            std::io::Write::flush(w).map_err(|e| crate::io_error(Path::new("-"), e))?;
        }
        Ok(())
    }

    /// Flushes and moves the file into place; the records written.
    pub fn finish(self) -> Result<u64, WriteError> {
        self.out.finish()?;
        Ok(self.written)
    }
}
