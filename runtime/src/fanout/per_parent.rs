//! Per-parent incremental state for a fan-out: one cursor per parent, so each parent's
//! children are filtered against that parent's own last value (a parent whose children
//! were synced yesterday and one that is new start from different places).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::incremental::{Checkpoint, Incremental};

/// The per-parent checkpoints of an incremental fan-out, keyed by the parent's bound fields
/// (`{"_<parent>_<field>": value, ..}` as JSON text). Plain data: persist it between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentCheckpoints(pub BTreeMap<String, Checkpoint>);

/// A handle on an incremental fan-out: give it to [`super::FanOut::incremental`], read
/// [`Self::checkpoints`] after the run. Each parent's child run gets its own
/// [`Incremental`], started from that parent's saved checkpoint (or the spec's
/// `initial_value` for a parent not seen before), which advances as that parent's child
/// records are handed over. Clones share state.
#[derive(Debug, Clone, Default)]
pub struct ParentCursors(Arc<Mutex<BTreeMap<String, Incremental>>>);

impl ParentCursors {
    /// A first run: every parent starts from the spec's `initial_value`.
    pub fn new() -> Self {
        Self::default()
    }

    /// A run that goes on from saved checkpoints.
    pub fn resume(saved: ParentCheckpoints) -> Self {
        let handles = saved
            .0
            .into_iter()
            .map(|(key, checkpoint)| (key, Incremental::resume(checkpoint)))
            .collect();
        ParentCursors(Arc::new(Mutex::new(handles)))
    }

    /// The handle of the parent with `key`, made on first use.
    pub(super) fn for_parent(&self, key: String) -> Incremental {
        let mut handles = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        handles.entry(key).or_default().clone()
    }

    /// Every parent's checkpoint: what its records handed over reached (or where it started).
    /// Parents without one yet (no record handed over, no saved start) are left out.
    pub fn checkpoints(&self) -> ParentCheckpoints {
        let handles = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        ParentCheckpoints(
            handles
                .iter()
                .filter_map(|(key, handle)| Some((key.clone(), handle.checkpoint()?)))
                .collect(),
        )
    }
}

/// What makes a fan-out incremental: per-parent checkpoints ([`ParentCursors`]) or one
/// [`Incremental`] shared by every child run (a date-window walk, whose windows start at that
/// checkpoint less the lookback).
#[derive(Debug, Clone)]
pub enum FanOutCursors {
    /// One checkpoint per parent.
    PerParent(ParentCursors),
    /// One checkpoint for the whole walk.
    Shared(Incremental),
}

impl FanOutCursors {
    /// The handle the child run of the parent with `key` filters and advances.
    pub(super) fn for_parent(&self, key: impl FnOnce() -> String) -> Incremental {
        match self {
            FanOutCursors::PerParent(cursors) => cursors.for_parent(key()),
            FanOutCursors::Shared(handle) => handle.clone(),
        }
    }
}

impl From<&ParentCursors> for FanOutCursors {
    fn from(cursors: &ParentCursors) -> Self {
        FanOutCursors::PerParent(cursors.clone())
    }
}

impl From<&Incremental> for FanOutCursors {
    fn from(handle: &Incremental) -> Self {
        FanOutCursors::Shared(handle.clone())
    }
}
