//! A mock API driven by a spec: given a resolved spec ([`ApiIr`](restgen::ir::ApiIr)) it serves every resource on
//! loopback, from the resource's own descriptor.
//!
//! - **Records** are deterministic (seeded) and generated to satisfy the resource's JSON
//!   Schema; ids, primary keys and fields a cursor is read from are unique. Record `i` does
//!   not depend on how many records there are.
//! - **Paging** is the server side of the resource's paginator: an opaque cursor at
//!   `cursor_path`, an absolute next URL where a `cursor_value` template reads the response
//!   (or for `json_link`/`header_link`), the next page after the record a last-record cursor
//!   names, `offset`/`limit` with a total or (where the spec names none) without, page numbers
//!   with a total in pages, and a single response (a bare object when the records are the
//!   root and there is exactly one). A `stop_condition` is satisfied by writing the fields it
//!   reads.
//! - **Incremental** resources get a cursor field that is never null and grows with the
//!   record's index (after `initial_value`, if any), and the server filters on the start and
//!   end values a request sends (`start_param`, `{incremental.start_value}` parameters).
//!   Growing a resource's record count keeps the earlier records, so a resumed run sees
//!   exactly the new ones.
//! - **Children** are served for any parent id; each parent gets its own records.
//! - **Auth**: a resource answers 401 unless the request carries exactly the credential the
//!   spec names, computed from [`MockOptions::value`]s.
//! - **Checks**: fixed query parameters and headers of the spec must be present (else 400),
//!   and cursors must be ones the server issued for that resource and parent.
//! - **Faults** on chosen requests ([`FaultKind`]): 429 with `Retry-After`, bursts of 5xx, a
//!   reset connection, a body cut short by a closed connection, a complete response with
//!   its JSON cut short, a slow answer, and a page that offers again the cursor it came with.
//! - Every request is recorded, with what was served.
//!
//! The server runs on the tokio runtime that calls [`MockApi::start`]; from blocking code,
//! start it on a multi-threaded runtime so it keeps serving between `block_on` calls.

mod api;
mod checks;
mod error;
mod fault;
mod log;
mod oauth;
mod options;
mod page;
mod paging;
mod plan;
mod records;
mod rng;
mod server;
mod session;
mod simulate;
mod state;
#[cfg(test)]
mod tests;

pub use api::{MockApi, Route, load_api};
pub use error::MockError;
pub use fault::{Fault, FaultKind, FaultRule, RetryAfter};
pub use log::{NextRef, RecordedRequest, ServedPage};
pub use oauth::TOKEN_PATH;
pub use options::MockOptions;
pub use plan::LINK_PARAM;
pub use records::{Ordered, RecordShape, record};
pub use rng::{Rng, stable_hash};
