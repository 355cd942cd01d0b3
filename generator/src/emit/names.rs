//! The Rust names emit writes, as the IR settles them (`ir::rust_names`, carried on
//! `ResourceIr::names`, `PathArg::rust`, `SettableParam::setter`, `ApiIr::value_names`):
//! emit reads names, it never decides them.

use proc_macro2::{Ident, Span};

/// The identifier of a name the IR settled (always a valid identifier: `ir::rust_names`
/// makes it one).
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}
