//! The Rust names emit writes, as the IR settles them (`ir::rust_names`): emit reads names,
//! it never decides them.

pub use crate::ir::rust_names::*;
