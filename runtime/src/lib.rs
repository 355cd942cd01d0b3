//! Runtime for restgen-generated REST clients: everything that does not depend on a spec.
//!
//! Generated crates emit a [`descriptor::ResourceDescriptor`] per resource and hand it to
//! this crate, which owns the behaviour: the sans-IO [`paginate`] core, [`selector`]s,
//! template [`expr`]essions, [`auth`], retries and the async and blocking drivers.

pub mod descriptor;
pub mod expr;
pub mod paginate;
pub mod selector;
