//! Parquet output: the columns come from the resource's `RecordShape` (nested objects as
//! structs, arrays as lists, `date-time` strings as UTC timestamps, `date` strings as dates,
//! untyped values as JSON text), plus two JSON text columns per record: `_restgen_raw` (the
//! values lenient decoding kept raw, and those that did not fit their column, by JSON pointer)
//! and `_restgen_extra` (values the shape has no column for, by JSON pointer).
//!
//! Records fill arrow builders straight from their `Serialize` (`fill`), and every
//! [`DEFAULT_ROW_GROUP_ROWS`] rows the arrays go to a thread of their own that encodes,
//! compresses and writes them as a row group while the next one fills; the hand-over waits
//! for that thread, so at most two row groups are in memory however many records a run writes.

mod columns;
mod compound;
mod fill;
mod key;

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};
use std::thread::JoinHandle;

use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::Compression;
use ::parquet::file::properties::WriterProperties;
use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use restgen_runtime::lenient::{Kind, RecordShape};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Output, WriteError};
pub(crate) use columns::push_key;
use columns::{Column, Struct, finish_text};
use fill::{Fill, Leftovers, Path as ValuePath};

/// Rows per row group unless [`ParquetWriter::with_row_group_rows`] says otherwise: a few MB
/// of arrays for records of a few hundred bytes (16k rows put the extract command's peak RSS
/// past 64 MB at 100k records of 520 bytes).
pub const DEFAULT_ROW_GROUP_ROWS: usize = 8 * 1024;

/// The column of values kept raw, by JSON pointer.
pub const RAW_COLUMN: &str = "_restgen_raw";
/// The column of values with no column of their own, by JSON pointer.
pub const EXTRA_COLUMN: &str = "_restgen_extra";

/// Writes records as Parquet.
pub struct ParquetWriter {
    encoder: Encoder,
    name: String,
    schema: SchemaRef,
    /// The record's columns: a struct whose children are the top-level columns (an object
    /// record), or the one `value` column (any other record).
    record: Column,
    left: Leftovers,
    raw: StringBuilder,
    extra: StringBuilder,
    buffered: usize,
    row_group_rows: usize,
    written: u64,
    /// A record failed to serialize part-way through its row: the file is not finished.
    failed: bool,
}

/// The thread that encodes and writes row groups, and the hand-over to it.
struct Encoder {
    batches: Option<SyncSender<RecordBatch>>,
    thread: Option<JoinHandle<Result<Output, WriteError>>>,
}

impl ParquetWriter {
    /// Opens `out` (stdout when `None`) for records of `shape`.
    pub fn create(
        out: Option<&Path>,
        shape: &'static RecordShape,
    ) -> Result<ParquetWriter, WriteError> {
        let (record, mut fields) = record_columns(shape);
        fields.push(Field::new(RAW_COLUMN, DataType::Utf8, true));
        fields.push(Field::new(EXTRA_COLUMN, DataType::Utf8, true));
        let schema = Arc::new(Schema::new(fields));
        let output = Output::open(out)?;
        let name = output.name();
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_dictionary_page_size_limit(64 * 1024)
            // row groups end where `write_records` flushes, not by the writer's count
            .set_max_row_group_row_count(None)
            .set_created_by(format!("restgen {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = ArrowWriter::try_new(output, schema.clone(), Some(properties))
            .map_err(|e| format_error(&name, &e))?;
        // a rendezvous: a finished row group waits until the thread has written the last one
        let (batches, received) = std::sync::mpsc::sync_channel(0);
        let thread_name = name.clone();
        let thread = std::thread::Builder::new()
            .name("restgen-parquet".into())
            .spawn(move || encode(writer, received, &thread_name))
            .map_err(|e| crate::io_error(Path::new(&name), e))?;
        Ok(ParquetWriter {
            encoder: Encoder {
                batches: Some(batches),
                thread: Some(thread),
            },
            name,
            schema,
            record,
            left: Leftovers::default(),
            raw: StringBuilder::new(),
            extra: StringBuilder::new(),
            buffered: 0,
            row_group_rows: DEFAULT_ROW_GROUP_ROWS,
            written: 0,
            failed: false,
        })
    }

    /// Writes a row group every `rows` rows (at a page's end, so a group may be up to a page
    /// larger); at least 1.
    pub fn with_row_group_rows(mut self, rows: usize) -> ParquetWriter {
        self.row_group_rows = rows.max(1);
        self
    }

    /// Writes one page of records, as they serialize; a row group is handed to the encoding
    /// thread when enough rows are buffered.
    pub fn write_records<T: Serialize>(&mut self, records: &[T]) -> Result<(), WriteError> {
        self.check()?;
        for record in records {
            let fill = Fill {
                column: &mut self.record,
                left: &mut self.left,
                path: &ValuePath::Root,
            };
            if let Err(e) = record.serialize(fill) {
                // some columns have the row and some not: nothing more goes into this file
                self.failed = true;
                return Err(WriteError::Encode {
                    index: self.written,
                    message: e.to_string(),
                });
            }
            let raw = merged_raw(self.left.raw.take(), &mut self.left.misfits);
            append_map(&mut self.raw, raw);
            append_map(&mut self.extra, std::mem::take(&mut self.left.extra));
            self.buffered += 1;
            self.written += 1;
        }
        if self.buffered >= self.row_group_rows {
            self.flush_row_group()?;
        }
        Ok(())
    }

    /// Writes what is buffered, closes the file and moves it into place; the records written.
    pub fn finish(mut self) -> Result<u64, WriteError> {
        self.check()?;
        self.flush_row_group()?;
        // the thread ends when the hand-over closes, with the file's footer written
        self.encoder.batches = None;
        let output = self.join()?;
        output.finish()?;
        Ok(self.written)
    }

    fn check(&self) -> Result<(), WriteError> {
        if self.failed {
            return Err(format_error(
                &self.name,
                &"a record failed part-way through its row; the file is not written",
            ));
        }
        Ok(())
    }

    fn flush_row_group(&mut self) -> Result<(), WriteError> {
        if self.buffered == 0 {
            return Ok(());
        }
        let mut arrays: Vec<ArrayRef> = match &mut self.record {
            Column::Struct(s) => s.finish_children(),
            column => vec![column.finish()],
        };
        arrays.push(Arc::new(finish_text(&mut self.raw)));
        arrays.push(Arc::new(finish_text(&mut self.extra)));
        self.buffered = 0;
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(|e| format_error(&self.name, &e))?;
        let sent = match &self.encoder.batches {
            Some(batches) => batches.send(batch).is_ok(),
            None => false,
        };
        if !sent {
            // the thread stopped on an error: that error is the answer
            self.failed = true;
            self.encoder.batches = None;
            return Err(match self.join() {
                Ok(_) => format_error(&self.name, &"the Parquet encoder stopped"),
                Err(e) => e,
            });
        }
        Ok(())
    }

    /// Waits for the encoding thread; the output it wrote.
    fn join(&mut self) -> Result<Output, WriteError> {
        match self.encoder.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(format_error(&self.name, &"the Parquet encoder failed")),
            None => Err(format_error(&self.name, &"the Parquet encoder is gone")),
        }
    }
}

/// A writer dropped before `finish` (a failed run) waits for its thread, so that the
/// unfinished file is gone with it.
impl Drop for ParquetWriter {
    fn drop(&mut self) {
        self.encoder.batches = None;
        let _ = self.join();
    }
}

/// The encoding thread: each row group received is encoded, compressed and written; when the
/// hand-over closes, the footer; the output, to be moved into place.
fn encode(
    mut writer: ArrowWriter<Output>,
    batches: Receiver<RecordBatch>,
    name: &str,
) -> Result<Output, WriteError> {
    for batch in batches {
        writer.write(&batch).map_err(|e| format_error(name, &e))?;
        writer.flush().map_err(|e| format_error(name, &e))?;
    }
    writer.into_inner().map_err(|e| format_error(name, &e))
}

/// The record's columns (see [`ParquetWriter::record`]) and the file's arrow fields for them.
fn record_columns(shape: &RecordShape) -> (Column, Vec<Field>) {
    let mut path = vec![0];
    let raw_field = shape.raw_field.as_ref().map(|f| f.to_string());
    match shape.nodes.first().map(|n| &n.kind) {
        Some(Kind::Object { fields, .. }) if !fields.is_empty() => {
            let mut keys = Vec::new();
            let mut columns = Vec::new();
            let mut arrow = Vec::new();
            for field in fields.iter() {
                // our own columns' names win: a field so named is kept in `_restgen_extra`
                if [RAW_COLUMN, EXTRA_COLUMN].contains(&field.name.as_ref())
                    || raw_field.as_deref() == Some(field.name.as_ref())
                {
                    continue;
                }
                let (column, data_type) = Column::build(shape, field.node, &mut path);
                arrow.push(Field::new(field.name.as_ref(), data_type, true));
                keys.push(field.name.to_string());
                columns.push(column);
            }
            let mut record = Struct::new(arrow.clone(), keys, columns);
            record.raw_field = raw_field;
            (Column::Struct(record), arrow)
        }
        _ => {
            let (column, data_type) = Column::build(shape, 0, &mut Vec::new());
            (column, vec![Field::new("value", data_type, true)])
        }
    }
}

/// The record's own raw values, then the writer's misfits (taken from `misfits`).
fn merged_raw(raw: Option<Value>, misfits: &mut Map<String, Value>) -> Map<String, Value> {
    let misfits = std::mem::take(misfits);
    match raw {
        Some(Value::Object(mut raw)) if !raw.is_empty() => {
            raw.extend(misfits);
            raw
        }
        Some(Value::Null | Value::Object(_)) | None => misfits,
        Some(other) => {
            // a raw field that is not a map (a hostile or hand-built record): kept whole
            let mut merged = misfits;
            merged.insert(String::new(), other);
            merged
        }
    }
}

/// A JSON object as text, or null when empty.
fn append_map(builder: &mut StringBuilder, map: Map<String, Value>) {
    if map.is_empty() {
        builder.append_null();
    } else {
        builder.append_value(Value::Object(map).to_string());
    }
}

fn format_error(name: &str, error: &dyn std::fmt::Display) -> WriteError {
    WriteError::Format {
        path: name.to_string(),
        message: error.to_string(),
    }
}
