//! What a user of a generated crate needs besides its clients, re-exported by each generated
//! crate's `prelude` (next to its typed parameter setters), so that a user needs no direct
//! `restgen-runtime` dependency: incremental loading and resume points, fan-out and blocking
//! request types, the decode report types and the stream extension traits.

pub use crate::blocking::{BlockingIter, BlockingRequest};
pub use crate::fanout::BlockingFanOut;
pub use crate::lenient::{DecodeReport, DecodeSummary, FieldCounts};
pub use crate::{Checkpoint, ChildRecord, FanOut, Incremental, Page, ResourceRequest, ResumePoint};
pub use futures::{StreamExt, TryStreamExt};
