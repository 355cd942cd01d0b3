//! Where an extract run's records go: JSON lines, CSV or Parquet, on stdout or in a file that
//! appears only when complete (written beside its path, renamed at `finish`).
//!
//! The writers take each page's records as they are (anything `Serialize`: the typed records
//! of a generated client, or JSON values), and the resource's `RecordShape` (derived from its
//! JSON Schema) for the columns.

use std::path::Path;

use restgen_runtime::lenient::RecordShape;
use serde::Serialize;
use serde_json::Value;

pub mod csv;
pub mod jsonl;
pub mod parquet;

/// An output format of the extract command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "jsonl" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            other => Err(format!(
                "unknown format `{other}`: expected jsonl, csv or parquet"
            )),
        }
    }
}

/// Why records could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output could not be created, written or renamed into place.
    #[error("{path}: {source}")]
    Io {
        /// The output path (`-` for stdout).
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The format needs a file (`--out PATH`).
    #[error("{0} output needs a file: pass --out PATH")]
    NeedsFile(&'static str),
    /// A record could not be encoded.
    #[error("record {index}: {message}")]
    Encode {
        /// The record's position in the run, from 0.
        index: u64,
        /// What went wrong.
        message: String,
    },
    /// The format's encoder refused the records or the file (Parquet).
    #[error("{path}: {message}")]
    Format {
        /// The output path (`-` for stdout).
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The format is not built.
    #[error("{0} output is not available")]
    Unsupported(&'static str),
}

/// A writer of one resource's records in one format.
pub struct Writer {
    inner: Inner,
}

enum Inner {
    Jsonl(jsonl::JsonlWriter),
    Csv(Box<csv::CsvWriter>),
    // boxed: the CSV and arrow writers' state is large beside JSON lines'
    Parquet(Box<parquet::ParquetWriter>),
}

impl Writer {
    /// Opens `out` (stdout when `None`) for records of `shape` in `format`.
    pub fn create(
        format: Format,
        out: Option<&Path>,
        shape: &'static RecordShape,
    ) -> Result<Writer, WriteError> {
        let inner = match format {
            Format::Jsonl => Inner::Jsonl(jsonl::JsonlWriter::create(out)?),
            Format::Csv => Inner::Csv(Box::new(csv::CsvWriter::create(out, shape)?)),
            Format::Parquet => {
                Inner::Parquet(Box::new(parquet::ParquetWriter::create(out, shape)?))
            }
        };
        Ok(Writer { inner })
    }

    /// Writes one page of records as they serialize: typed records go into the columns with
    /// no JSON value in between.
    pub fn write_records<T: Serialize>(&mut self, records: &[T]) -> Result<(), WriteError> {
        match &mut self.inner {
            Inner::Jsonl(w) => w.write_records(records),
            Inner::Csv(w) => w.write_records(records),
            Inner::Parquet(w) => w.write_records(records),
        }
    }

    /// Writes one page of JSON values ([`Self::write_records`] of values).
    pub fn write_page(&mut self, records: &[Value]) -> Result<(), WriteError> {
        self.write_records(records)
    }

    /// Pushes the records written so far out to stdout, so that an extract run's state can
    /// follow them page by page. A file is only complete at [`Self::finish`]: nothing to do.
    pub fn flush(&mut self) -> Result<(), WriteError> {
        match &mut self.inner {
            Inner::Jsonl(w) => w.flush(),
            Inner::Csv(_) | Inner::Parquet(_) => Ok(()),
        }
    }

    /// Flushes what is buffered and, for a file, moves it into place; the records written.
    pub fn finish(self) -> Result<u64, WriteError> {
        match self.inner {
            Inner::Jsonl(w) => w.finish(),
            Inner::Csv(w) => w.finish(),
            Inner::Parquet(w) => w.finish(),
        }
    }
}

/// A file written beside `path` and renamed onto it when complete, or stdout.
pub(crate) enum Output {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    File {
        path: std::path::PathBuf,
        file: std::io::BufWriter<tempfile::NamedTempFile>,
    },
}

impl Output {
    pub(crate) fn open(out: Option<&Path>) -> Result<Output, WriteError> {
        let Some(path) = out else {
            return Ok(Output::Stdout(std::io::BufWriter::new(std::io::stdout())));
        };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let file = tempfile::NamedTempFile::new_in(dir).map_err(|e| io_error(path, e))?;
        Ok(Output::File {
            path: path.to_path_buf(),
            file: std::io::BufWriter::new(file),
        })
    }

    pub(crate) fn writer(&mut self) -> &mut dyn std::io::Write {
        match self {
            Output::Stdout(w) => w,
            Output::File { file, .. } => file,
        }
    }

    /// The path shown in errors.
    pub(crate) fn name(&self) -> String {
        match self {
            Output::Stdout(_) => "-".to_string(),
            Output::File { path, .. } => path.display().to_string(),
        }
    }

    pub(crate) fn finish(self) -> Result<(), WriteError> {
        match self {
            Output::Stdout(mut w) => {
                std::io::Write::flush(&mut w).map_err(|e| io_error(Path::new("-"), e))
            }
            Output::File { path, file } => {
                let file = file
                    .into_inner()
                    .map_err(|e| io_error(&path, e.into_error()))?;
                file.as_file().sync_all().map_err(|e| io_error(&path, e))?;
                file.persist(&path).map_err(|e| io_error(&path, e.error))?;
                Ok(())
            }
        }
    }
}

/// The output as a plain byte sink, for encoders that own their writer (Parquet, CSV).
impl std::io::Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.writer().write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer().flush()
    }
}

pub(crate) fn io_error(path: &Path, source: std::io::Error) -> WriteError {
    WriteError::Io {
        path: path.display().to_string(),
        source,
    }
}
