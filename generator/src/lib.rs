//! restgen generator.
