//! A custom paginator's run: the caller's Rust code ([`crate::custom::Paginator`]) inside the
//! sans-IO paginator, so that the drivers page with it as with the built-in ones.

use std::sync::{Arc, Mutex, PoisonError};

use super::Paginator;
use crate::descriptor::PaginatorConfig;

/// A run of a custom paginator (Rust code, [`crate::custom::Paginator`]). Shared by the
/// clones of its sequence, which only the driver makes, never to page twice.
#[derive(Clone)]
pub(super) struct CustomRun(Arc<Mutex<Box<dyn crate::custom::Paginator>>>);

impl std::fmt::Debug for CustomRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CustomRun(..)")
    }
}

impl CustomRun {
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut dyn crate::custom::Paginator) -> R) -> R {
        // a panic in the caller's code while it held the lock leaves its state as it was
        let mut run = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(run.as_mut())
    }
}

impl Paginator {
    /// A paginator that runs `run`, the Rust code of the spec's custom paginator `config`.
    pub fn custom(config: &PaginatorConfig, run: Box<dyn crate::custom::Paginator>) -> Self {
        Self::unchecked(config, Some(CustomRun(Arc::new(Mutex::new(run)))))
    }
}
