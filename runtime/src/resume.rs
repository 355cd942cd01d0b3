//! Resume points: where a run that failed after its retries stopped, so a new run continues
//! from the request that failed, without fetching the earlier pages again, with nothing lost
//! and nothing repeated. A point is plain data (serde), safe to persist: it holds no secret,
//! and a resumed run fills in credentials and secret parameters from its own client.

use serde::{Deserialize, Serialize};

use crate::incremental::Checkpoint;
pub use crate::paginate::Position;

/// Where a failed run stopped: the request that failed and the state to send it again.
/// Get it from [`crate::Error::resume_point`], hand it to `request.resume(point)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumePoint {
    /// The resource whose request failed.
    pub resource: String,
    /// The number of the page that failed, counting from 1; the resumed run numbers its pages
    /// on from it.
    pub page: usize,
    /// The URL of the request that failed, redacted, for display.
    pub url: String,
    /// The paging state of that request: its offset, page number, cursor or link.
    pub position: Position,
    /// For an incremental resource: where the failed run started and the checkpoint it had
    /// reached over the records it handed over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental: Option<IncrementalState>,
    /// For a fan-out whose child failed: the parent record it was fetched for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Box<ParentPoint>>,
}

/// An incremental run's state at a resume point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncrementalState {
    /// Where the run started (the checkpoint it was given), which the resumed run keeps, so
    /// it filters and sends what the failed one did.
    pub start: Option<Checkpoint>,
    /// The checkpoint reached: it covers exactly the records handed over.
    pub reached: Option<Checkpoint>,
}

/// The parent record a failed child request of a fan-out was fetched for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentPoint {
    /// The parent page that holds the record; a resumed fan-out fetches it again and skips
    /// the parents before this one, whose children were all handed over.
    pub point: ResumePoint,
    /// The record's index on that page.
    pub record: usize,
    /// The record's bound and included fields (`_<parent>_<field>`), by which it is found.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

impl ResumePoint {
    /// The incremental checkpoint reached by the failed run (else where it started): what to
    /// persist if the run is not resumed.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        let state = self.incremental.as_ref()?;
        state.reached.clone().or_else(|| state.start.clone())
    }
}
