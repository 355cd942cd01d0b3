//! Runtime for restgen-generated REST clients: everything that does not depend on a spec.
//!
//! Generated crates emit a [`descriptor::ResourceDescriptor`] per resource and hand it to
//! this crate, which owns the behaviour: the sans-IO [`paginate`] core, [`selector`]s,
//! template [`expr`]essions, [`auth`], retries and the async and blocking drivers.

pub mod auth;
pub mod blocking;
pub mod budget;
pub mod client;
pub mod custom;
pub mod descriptor;
pub mod driver;
pub mod error;
pub mod expr;
pub mod fanout;
pub mod hooks;
pub mod incremental;
pub mod lenient;
pub mod paginate;
pub mod params;
pub mod placeholders;
pub mod prelude;
pub mod resume;
pub mod retry;
pub mod rules;
pub mod scan;
pub mod secret;
pub mod selector;
pub mod steps;
pub mod transport;
pub mod types;

pub use client::{ClientBuilder, ClientCore, ClientSpec, ValueSpec};
pub use driver::{Page, ResourceRequest};
pub use error::{Error, Location};
pub use fanout::{
    ChildRecord, FanOut, FanOutCursors, FanOutDescriptor, PARALLELIZED_CONCURRENCY, PARTITION_WALK,
    ParentBinding, ParentCheckpoints, ParentCursors, PartitionValues, WINDOW_WALK,
};
pub use incremental::{Checkpoint, Incremental};
pub use lenient::{DecodeReport, DecodeSummary};
/// The attribute on every generated record type (`restgen_runtime_macros::record`).
pub use restgen_runtime_macros::record;
pub use resume::ResumePoint;
pub use secret::Secret;
pub use transport::HttpClient;

/// Re-exported for generated code, so generated crates need no direct dependency on them.
pub use {chrono, futures, reqwest, reqwest_middleware, serde, serde_json};
