//! Value types generated records use, written once here rather than emitted into every
//! generated crate: lenient [`Timestamp`]s and [`Date`]s, and the [`open_enum!`](crate::open_enum)
//! macro that generated code invokes with each string enum's variant table.

mod lenient_time;
mod open_enum;
mod rfc3339;

pub use lenient_time::{Date, Timestamp};

/// Re-exported so generated crates and users name chrono's types without a direct dependency.
pub use chrono;

/// The error of the `TryFrom`/`FromStr` conversions typify writes for constrained schema
/// types (a string with a pattern or a length, say); each generated `types.rs` re-exports it
/// as `error::ConversionError` where typify's code names it, instead of a copy per crate.
pub struct ConversionError(std::borrow::Cow<'static, str>);

impl std::error::Error for ConversionError {}

impl std::fmt::Display for ConversionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::fmt::Debug for ConversionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl From<&'static str> for ConversionError {
    fn from(value: &'static str) -> Self {
        Self(value.into())
    }
}

impl From<String> for ConversionError {
    fn from(value: String) -> Self {
        Self(value.into())
    }
}
