//! CSV output: a header of the shape's top-level fields (sorted by key, as the shape lists
//! them), then `_restgen_raw` and `_restgen_extra`; strings as they are, numbers and booleans
//! as their JSON text, nested objects and arrays as JSON text, null and absent as empty.

use std::path::Path;

use restgen_runtime::lenient::{Kind, RecordShape};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::parquet::{EXTRA_COLUMN, RAW_COLUMN};
use crate::{Output, WriteError};

/// Writes records as CSV.
pub struct CsvWriter {
    writer: ::csv::Writer<Output>,
    name: String,
    /// The top-level fields with a column, sorted; empty for a record that is not an object.
    keys: Vec<String>,
    raw_field: Option<String>,
    written: u64,
}

impl CsvWriter {
    /// Opens `out` (stdout when `None`) for records of `shape`.
    pub fn create(
        out: Option<&Path>,
        shape: &'static RecordShape,
    ) -> Result<CsvWriter, WriteError> {
        let raw_field = shape.raw_field.as_ref().map(|f| f.to_string());
        let keys: Vec<String> = match shape.nodes.first().map(|n| &n.kind) {
            Some(Kind::Object { fields, .. }) => fields
                .iter()
                .map(|f| f.name.to_string())
                .filter(|k| {
                    ![RAW_COLUMN, EXTRA_COLUMN].contains(&k.as_str())
                        && raw_field.as_deref() != Some(k.as_str())
                })
                .collect(),
            _ => Vec::new(),
        };
        let output = Output::open(out)?;
        let name = output.name();
        let mut writer = ::csv::Writer::from_writer(output);
        let mut header: Vec<&str> = keys.iter().map(String::as_str).collect();
        if keys.is_empty() {
            header.push("value");
        }
        header.extend([RAW_COLUMN, EXTRA_COLUMN]);
        writer
            .write_record(&header)
            .map_err(|e| csv_error(&name, e))?;
        Ok(CsvWriter {
            writer,
            name,
            keys,
            raw_field,
            written: 0,
        })
    }

    /// Writes one page, each record as its JSON value.
    pub fn write_records<T: Serialize>(&mut self, records: &[T]) -> Result<(), WriteError> {
        let mut row: Vec<String> = Vec::with_capacity(self.keys.len() + 2);
        for record in records {
            let record = serde_json::to_value(record).map_err(|e| WriteError::Encode {
                index: self.written,
                message: e.to_string(),
            })?;
            let record = &record;
            row.clear();
            match record.as_object() {
                Some(object) if !self.keys.is_empty() => {
                    row.extend(self.keys.iter().map(|k| cell(object.get(k))));
                    let raw = self.raw_field.as_ref().and_then(|f| object.get(f));
                    row.push(cell(raw.filter(|r| !is_empty_map(r))));
                    let extra: Map<String, Value> = object
                        .iter()
                        .filter(|(k, _)| {
                            self.keys.binary_search(k).is_err()
                                && self.raw_field.as_ref() != Some(*k)
                        })
                        .map(|(k, v)| {
                            let mut pointer = String::new();
                            crate::parquet::push_key(&mut pointer, k);
                            (pointer, v.clone())
                        })
                        .collect();
                    row.push(if extra.is_empty() {
                        String::new()
                    } else {
                        Value::Object(extra).to_string()
                    });
                }
                // no fields to spread it over: one column, `value`
                _ if self.keys.is_empty() => {
                    row.push(cell(Some(record)));
                    row.extend([String::new(), String::new()]);
                }
                // not the object its schema says: its JSON text, whole, as a raw value
                _ => {
                    row.extend(std::iter::repeat_n(String::new(), self.keys.len()));
                    let mut raw = Map::new();
                    raw.insert(String::new(), record.clone());
                    row.push(Value::Object(raw).to_string());
                    row.push(String::new());
                }
            }
            self.writer
                .write_record(&row)
                .map_err(|e| csv_error(&self.name, e))?;
            self.written += 1;
        }
        Ok(())
    }

    /// Flushes and moves the file into place; the records written.
    pub fn finish(self) -> Result<u64, WriteError> {
        let output = self
            .writer
            .into_inner()
            .map_err(|e| crate::io_error(Path::new(&self.name), e.into_error()))?;
        output.finish()?;
        Ok(self.written)
    }
}

/// One cell: a string as it is, null or absent as empty, anything else as its JSON text.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn is_empty_map(value: &Value) -> bool {
    value.as_object().is_some_and(Map::is_empty)
}

fn csv_error(name: &str, error: ::csv::Error) -> WriteError {
    match error.into_kind() {
        ::csv::ErrorKind::Io(e) => crate::io_error(Path::new(name), e),
        other => WriteError::Format {
            path: name.to_string(),
            message: format!("{other:?}"),
        },
    }
}
