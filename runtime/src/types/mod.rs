//! Value types generated records use, written once here rather than emitted into every
//! generated crate: lenient [`Timestamp`]s and [`Date`]s, and the [`open_enum!`](crate::open_enum)
//! macro that generated code invokes with each string enum's variant table.

mod lenient_time;
mod open_enum;

pub use lenient_time::{Date, Timestamp};

/// Re-exported so generated crates and users name chrono's types without a direct dependency.
pub use chrono;
