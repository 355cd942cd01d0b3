//! Where a run stands when it stops: each page's request as a [`Stop`], from which an error
//! that ends the run gets its resume point; and the start of a run from a resume point.

use crate::error::Error;
use crate::incremental::Incremental;
use crate::paginate::{Paginator, Position, RequestState};
use crate::resume::{IncrementalState, ResumePoint};
use crate::secret::Secret;

/// A page's request, as a resume point names it. No `Debug`: its position may still hold a
/// secret.
#[derive(Clone)]
pub(crate) struct Stop {
    pub(crate) resource: String,
    /// Its page number.
    pub(crate) page: usize,
    /// Its URL, redacted.
    pub(crate) url: String,
    /// Its paging state, secrets still in (removed when a point is made: most stops never
    /// become one).
    pub(crate) position: Position,
    /// The secrets to remove.
    pub(crate) secrets: Vec<Secret>,
    /// The run's incremental handle, read when the point is made.
    pub(crate) handle: Option<Incremental>,
}

impl Stop {
    /// A stop at the request `paginator` stands at.
    pub(crate) fn new(
        resource: &str,
        page: usize,
        url: String,
        paginator: &Paginator,
        secrets: &[Secret],
        handle: Option<&Incremental>,
    ) -> Stop {
        Stop {
            resource: resource.to_string(),
            page,
            url,
            position: paginator.position().clone(),
            secrets: secrets.to_vec(),
            handle: handle.cloned(),
        }
    }

    /// The resume point, with the incremental checkpoint reached by now.
    pub(crate) fn point(&self) -> ResumePoint {
        ResumePoint {
            resource: self.resource.clone(),
            page: self.page,
            url: self.url.clone(),
            position: crate::paginate::without_secrets(&self.position, &self.secrets),
            incremental: self.handle.as_ref().map(|handle| {
                let (start, reached) = handle.snapshot();
                IncrementalState { start, reached }
            }),
            parent: None,
        }
    }
}

/// Checks that `point` is one of `resource` and puts its incremental state into the run's
/// handle (a new one when the request has none).
pub(crate) fn resume_incremental(
    point: &ResumePoint,
    resource: &str,
    handle: Option<Incremental>,
) -> Result<Option<Incremental>, Error> {
    if point.resource != resource {
        return Err(Error::Invalid(format!(
            "a resume point of resource `{}` cannot resume resource `{resource}`",
            point.resource
        )));
    }
    Ok(match &point.incremental {
        Some(state) => {
            let handle = handle.unwrap_or_default();
            handle.restore(state.start.clone(), state.reached.clone());
            Some(handle)
        }
        None => handle,
    })
}

/// Moves the first request to the point's request.
pub(crate) fn resume_request(
    point: &ResumePoint,
    paginator: &mut Paginator,
    state: &mut RequestState,
) -> Result<(), crate::paginate::PaginationError> {
    paginator.restore(&point.position, state)
}
