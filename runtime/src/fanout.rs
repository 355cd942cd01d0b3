//! Parent-child fan-out: walks a parent resource and runs the child once per parent record,
//! binding the child's arguments from the parent's fields and copying `include_from_parent`
//! fields (as `_<parent>_<field>`), with a fresh paginator for each parent, as dlt does.

use futures::{Stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::blocking::{BlockingIter, BlockingRuntime};
use crate::descriptor::Text;
use crate::driver::ResourceRequest;
use crate::error::Error;
use crate::selector::{Selector, object_fields};

/// A child record with the parent fields it was fetched for.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildRecord<T> {
    /// `_<parent>_<field>` for every linked and `include_from_parent` field.
    pub parent: serde_json::Map<String, serde_json::Value>,
    /// The child record.
    pub record: T,
}

/// One argument of the child bound from a parent field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentBinding {
    /// The child's argument (placeholder) name.
    pub arg: Text,
    /// The parent field (a JSONPath into the parent record).
    pub field: Selector,
    /// The field as written in the spec, for messages and the `_<parent>_<field>` key.
    pub field_name: Text,
}

/// A fan-out request: the parent's request, the child's, and how they are linked.
#[derive(Debug, Clone)]
pub struct FanOut<T> {
    parent: ResourceRequest<Box<RawValue>>,
    child: ResourceRequest<T>,
    parent_name: Text,
    bindings: Vec<ParentBinding>,
    include_from_parent: Vec<Text>,
}

impl<T: DeserializeOwned + Send + 'static> FanOut<T> {
    /// Links `child` to the records of `parent` (named `parent_name`).
    pub fn new(
        parent: ResourceRequest<Box<RawValue>>,
        child: ResourceRequest<T>,
        parent_name: Text,
        bindings: Vec<ParentBinding>,
        include_from_parent: Vec<Text>,
    ) -> Self {
        FanOut {
            parent,
            child,
            parent_name,
            bindings,
            include_from_parent,
        }
    }

    /// Limits the parent side (e.g. `|p| p.max_records(10)`), such as its pages or records.
    pub fn parents(
        mut self,
        f: impl FnOnce(ResourceRequest<Box<RawValue>>) -> ResourceRequest<Box<RawValue>>,
    ) -> Self {
        self.parent = f(self.parent);
        self
    }

    /// Decodes the children strictly (see [`ResourceRequest::strict`]).
    pub fn strict(mut self) -> Self {
        self.child = self.child.strict();
        self
    }

    /// The decoding report of every child run of this fan-out (see
    /// [`ResourceRequest::decode_report`]).
    pub fn decode_report(&self) -> crate::lenient::DecodeReport {
        self.child.decode_report()
    }

    /// Every child record of every parent record, parents in order.
    pub fn stream(
        self,
    ) -> impl Stream<Item = Result<ChildRecord<T>, Error>> + Send + Unpin + 'static {
        let FanOut {
            parent,
            child,
            parent_name,
            bindings,
            include_from_parent,
        } = self;
        Box::pin(
            parent
                .on_demand()
                .stream()
                .map(move |parent_record| {
                    let parent_record = parent_record?;
                    let (request, fields) = bind(
                        &child,
                        &parent_name,
                        &bindings,
                        &include_from_parent,
                        &parent_record,
                    )?;
                    Ok(request.stream().map_ok(move |record| ChildRecord {
                        parent: fields.clone(),
                        record,
                    }))
                })
                .try_flatten(),
        )
    }
}

/// The child request for one parent record, and the parent fields to attach.
fn bind<T: DeserializeOwned + Send + 'static>(
    child: &ResourceRequest<T>,
    parent_name: &str,
    bindings: &[ParentBinding],
    include_from_parent: &[Text],
    parent: &RawValue,
) -> Result<
    (
        ResourceRequest<T>,
        serde_json::Map<String, serde_json::Value>,
    ),
    Error,
> {
    let available = || {
        object_fields(parent)
            .map(|f| {
                f.iter()
                    .map(|(k, _)| k.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let mut request = child.clone();
    let mut fields = serde_json::Map::new();
    for binding in bindings {
        let value = binding.field.first(parent).ok_or_else(|| {
            Error::Invalid(format!(
                "a `{parent_name}` record has no field `{}` to bind `{}`; its fields are: {}",
                binding.field_name,
                binding.arg,
                available()
            ))
        })?;
        let value: serde_json::Value =
            serde_json::from_str(value.get()).unwrap_or(serde_json::Value::Null);
        // typed: paths and params get Python's str() of it, a JSON body keeps the value
        request = request.arg_value(&binding.arg, value.clone());
        fields.insert(format!("_{parent_name}_{}", binding.field_name), value);
    }
    for name in include_from_parent {
        let value = object_fields(parent)
            .and_then(|f| {
                f.into_iter()
                    .find(|(k, _)| k == name.as_ref())
                    .map(|(_, v)| v)
            })
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "a `{parent_name}` record has no field `{name}` to include; its fields are: {}",
                    available()
                ))
            })?;
        fields.insert(
            format!("_{parent_name}_{name}"),
            serde_json::from_str(value.get()).unwrap_or(serde_json::Value::Null),
        );
    }
    Ok((request, fields))
}

/// A fan-out for blocking code: `iter()` runs it on the blocking client's runtime.
#[derive(Debug, Clone)]
pub struct BlockingFanOut<T> {
    runtime: BlockingRuntime,
    fan_out: FanOut<T>,
}

impl BlockingRuntime {
    /// Wraps an async fan-out so it can be iterated without async code.
    pub fn fan_out<T: DeserializeOwned + Send + 'static>(
        &self,
        fan_out: FanOut<T>,
    ) -> BlockingFanOut<T> {
        BlockingFanOut {
            runtime: self.clone(),
            fan_out,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> BlockingFanOut<T> {
    /// Limits the parent side, as [`FanOut::parents`].
    pub fn parents(
        mut self,
        f: impl FnOnce(ResourceRequest<Box<RawValue>>) -> ResourceRequest<Box<RawValue>>,
    ) -> Self {
        self.fan_out = self.fan_out.parents(f);
        self
    }

    /// Decodes the children strictly (see [`ResourceRequest::strict`]).
    pub fn strict(mut self) -> Self {
        self.fan_out = self.fan_out.strict();
        self
    }

    /// The decoding report of every child run (see [`ResourceRequest::decode_report`]).
    pub fn decode_report(&self) -> crate::lenient::DecodeReport {
        self.fan_out.decode_report()
    }

    /// Every child record of every parent record.
    pub fn iter(self) -> BlockingIter<Result<ChildRecord<T>, Error>> {
        BlockingIter::new(self.runtime, self.fan_out.stream())
    }
}
