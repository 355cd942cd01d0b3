//! The static wiring of a fan-out, as a spec declares it: which parent, which parent field
//! binds which argument of the child (through which selector), which parent fields the child
//! records carry, and whether the spec asks for parents to be walked in parallel. Generated
//! crates emit one `static` of it per child resource; `cargo xtask run` and the conformance
//! runner build the same value from a spec, and all three start the walk with
//! [`FanOut::wired`] and [`FanOut::wired_nested`].

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::{FanOut, PARALLELIZED_CONCURRENCY, ParentBinding, Parents};
use crate::descriptor::{List, Text};
use crate::driver::ResourceRequest;

/// How a child resource is fetched once per record of its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanOutDescriptor {
    /// The parent resource's name (it names the `_<parent>_<field>` keys of child records).
    pub parent: Text,
    /// The child's arguments bound from parent fields.
    pub bindings: List<ParentBinding>,
    /// Parent fields copied into each child record (`include_from_parent`).
    pub include_from_parent: List<Text>,
    /// The spec's `parallelized: true`: walk [`PARALLELIZED_CONCURRENCY`] parents at once
    /// unless the caller sets `.concurrency(n)`.
    pub parallelized: bool,
}

impl FanOutDescriptor {
    /// No parent, no bindings: the base that emitted literals complete
    /// (`..FanOutDescriptor::DEFAULT`).
    pub const DEFAULT: FanOutDescriptor = FanOutDescriptor {
        parent: Cow::Borrowed(""),
        bindings: Cow::Borrowed(&[]),
        include_from_parent: Cow::Borrowed(&[]),
        parallelized: false,
    };
}

impl<T: DeserializeOwned + Send + 'static> FanOut<T> {
    /// The fan-out of `child` over the records of `parent` (a resource), wired as `wiring`
    /// says.
    pub fn wired(
        parent: ResourceRequest<Box<RawValue>>,
        child: ResourceRequest<T>,
        wiring: &FanOutDescriptor,
    ) -> Self {
        Self::from_wiring(Parents::Resource(Box::new(parent)), child, wiring)
    }

    /// The fan-out of `child` over the records of another fan-out (grandchildren), wired as
    /// `wiring` says.
    pub fn wired_nested(
        parent: FanOut<Box<RawValue>>,
        child: ResourceRequest<T>,
        wiring: &FanOutDescriptor,
    ) -> Self {
        Self::from_wiring(Parents::FanOut(Box::new(parent)), child, wiring)
    }

    fn from_wiring(parent: Parents, child: ResourceRequest<T>, wiring: &FanOutDescriptor) -> Self {
        let fan_out = Self::linked(
            parent,
            child,
            wiring.parent.clone(),
            wiring.bindings.to_vec(),
            wiring.include_from_parent.to_vec(),
        );
        if wiring.parallelized {
            fan_out.concurrency(PARALLELIZED_CONCURRENCY)
        } else {
            fan_out
        }
    }
}
