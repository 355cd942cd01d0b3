//! Parquet output: the columns come from the resource's `RecordShape` (nested objects as
//! structs, arrays as lists, `date-time` strings as UTC timestamps, `date` strings as dates,
//! untyped values as JSON text), plus two JSON text columns per record: `_restgen_raw` (the
//! values lenient decoding kept raw, and those that did not fit their column, by JSON pointer)
//! and `_restgen_extra` (values the shape has no column for, by JSON pointer).
//!
//! Rows are buffered in arrow builders and written as a row group every
//! [`DEFAULT_ROW_GROUP_ROWS`] rows, so memory stays flat however many records a run writes.

mod columns;

use std::path::Path;
use std::sync::Arc;

use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::Compression;
use ::parquet::file::properties::WriterProperties;
use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use restgen_runtime::lenient::{Kind, RecordShape};
use serde_json::{Map, Value};

use crate::{Output, WriteError};
pub(crate) use columns::push_key;
use columns::{Column, Leftovers};

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
    writer: ArrowWriter<Output>,
    name: String,
    schema: SchemaRef,
    record: Record,
    raw: StringBuilder,
    extra: StringBuilder,
    buffered: usize,
    row_group_rows: usize,
    written: u64,
}

/// How a record maps onto the top-level columns.
enum Record {
    /// An object record: a column per field (sorted by key).
    Fields {
        keys: Vec<String>,
        columns: Vec<Column>,
        raw_field: Option<String>,
    },
    /// Any other record (a list of strings, say): one column, `value`.
    Value(Column),
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
            // row groups end where `write_page` flushes, not by the writer's count
            .set_max_row_group_row_count(None)
            .set_created_by(format!("restgen {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = ArrowWriter::try_new(output, schema.clone(), Some(properties))
            .map_err(|e| format_error(&name, &e))?;
        Ok(ParquetWriter {
            writer,
            name,
            schema,
            record,
            raw: StringBuilder::new(),
            extra: StringBuilder::new(),
            buffered: 0,
            row_group_rows: DEFAULT_ROW_GROUP_ROWS,
            written: 0,
        })
    }

    /// Writes a row group every `rows` rows (at a page's end, so a group may be up to a page
    /// larger); at least 1.
    pub fn with_row_group_rows(mut self, rows: usize) -> ParquetWriter {
        self.row_group_rows = rows.max(1);
        self
    }

    /// Writes one page; a row group is written when enough rows are buffered.
    pub fn write_page(&mut self, records: &[Value]) -> Result<(), WriteError> {
        let mut pointer = String::new();
        for record in records {
            let mut left = Leftovers::default();
            let mut raw = None;
            match &mut self.record {
                Record::Fields {
                    keys,
                    columns,
                    raw_field,
                } => {
                    let object = record.as_object();
                    for (key, column) in keys.iter().zip(columns.iter_mut()) {
                        push_key(&mut pointer, key);
                        column.push(object.and_then(|o| o.get(key)), &mut pointer, &mut left);
                        pointer.clear();
                    }
                    match object {
                        Some(object) => {
                            raw = raw_field.as_ref().and_then(|f| object.get(f));
                            top_level_extra(object, keys, raw_field.as_deref(), &mut left);
                        }
                        // not an object at all: kept whole, at the record's own pointer
                        None => {
                            left.misfits.insert(String::new(), record.clone());
                        }
                    }
                }
                Record::Value(column) => column.push(Some(record), &mut pointer, &mut left),
            }
            append_map(&mut self.raw, merged_raw(raw, left.misfits));
            append_map(&mut self.extra, left.extra);
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
        self.flush_row_group()?;
        let output = self
            .writer
            .into_inner()
            .map_err(|e| format_error(&self.name, &e))?;
        output.finish()?;
        Ok(self.written)
    }

    fn flush_row_group(&mut self) -> Result<(), WriteError> {
        if self.buffered == 0 {
            return Ok(());
        }
        let mut arrays: Vec<ArrayRef> = match &mut self.record {
            Record::Fields { columns, .. } => columns.iter_mut().map(Column::finish).collect(),
            Record::Value(column) => vec![column.finish()],
        };
        arrays.push(Arc::new(self.raw.finish()));
        arrays.push(Arc::new(self.extra.finish()));
        self.buffered = 0;
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(|e| format_error(&self.name, &e))?;
        self.writer
            .write(&batch)
            .map_err(|e| format_error(&self.name, &e))?;
        self.writer
            .flush()
            .map_err(|e| format_error(&self.name, &e))
    }
}

/// The top-level columns of `shape`'s records, and their arrow fields.
fn record_columns(shape: &RecordShape) -> (Record, Vec<Field>) {
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
            let record = Record::Fields {
                keys,
                columns,
                raw_field,
            };
            (record, arrow)
        }
        _ => {
            let (column, data_type) = Column::build(shape, 0, &mut Vec::new());
            (
                Record::Value(column),
                vec![Field::new("value", data_type, true)],
            )
        }
    }
}

/// A record's top-level keys that have no column, into `left.extra` by pointer.
fn top_level_extra(
    object: &Map<String, Value>,
    keys: &[String],
    raw_field: Option<&str>,
    left: &mut Leftovers,
) {
    let known = keys.len() + usize::from(raw_field.is_some_and(|f| object.contains_key(f)));
    if object.len() <= known && keys.iter().all(|k| object.contains_key(k)) {
        return;
    }
    for (key, value) in object {
        if keys.binary_search(key).is_err() && raw_field != Some(key.as_str()) {
            let mut pointer = String::new();
            push_key(&mut pointer, key);
            left.extra.insert(pointer, value.clone());
        }
    }
}

/// The record's own raw values with the writer's misfits added.
fn merged_raw(raw: Option<&Value>, misfits: Map<String, Value>) -> Map<String, Value> {
    match raw {
        Some(Value::Object(raw)) if !raw.is_empty() => {
            let mut merged = raw.clone();
            merged.extend(misfits);
            merged
        }
        Some(other) if !other.is_null() => {
            // a raw field that is not a map (a hostile or hand-built record): kept whole
            let mut merged = misfits;
            merged.insert(String::new(), other.clone());
            merged
        }
        _ => misfits,
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
