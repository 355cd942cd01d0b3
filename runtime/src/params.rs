//! The plumbing of generated typed parameter setters, written once for both request kinds.
//!
//! A generated crate declares one trait per resource whose default methods are its typed
//! setters (`fn limit(self, value: i64) -> Self`), and implements it once, generically, for
//! every [`ParamRequest`] of the resource's record type: the async [`ResourceRequest`] and
//! the [`BlockingRequest`] alike. So each crate emits only the per-resource setter list.

use serde::de::DeserializeOwned;

use crate::ResourceRequest;
use crate::blocking::BlockingRequest;

/// A request that takes query parameters: what generated setter traits build on.
pub trait ParamRequest: Sized {
    /// The record type the request decodes, which ties a setter trait to its resource.
    type Record;

    /// Adds (or replaces) a query parameter from a JSON value in dlt's wire form.
    fn set_param(self, name: &str, value: serde_json::Value) -> Self;
}

impl<T: DeserializeOwned + Send + 'static> ParamRequest for ResourceRequest<T> {
    type Record = T;
    fn set_param(self, name: &str, value: serde_json::Value) -> Self {
        self.param_value(name, value)
    }
}

impl<T: DeserializeOwned + Send + 'static> ParamRequest for BlockingRequest<T> {
    type Record = T;
    fn set_param(self, name: &str, value: serde_json::Value) -> Self {
        self.param_value(name, value)
    }
}

/// A list parameter's JSON value: each item as text (the wire form repeats the key).
pub fn list(items: impl IntoIterator<Item = impl ToString>) -> serde_json::Value {
    serde_json::Value::Array(
        items
            .into_iter()
            .map(|item| serde_json::Value::String(item.to_string()))
            .collect(),
    )
}
