//! Telling later requests before their pages arrive, for concurrent prefetch: a range
//! paginator (offset, page_number) knows every later request if every page in between is
//! full. With a total, up to it; without one, speculatively, up to the maximum if any: paging
//! then ends at the first short or empty page, and the requests past it are dropped.
//! A prediction is only a guess about the pages in between (a short or empty page, a
//! `has_more` of false, or a changed total may end paging earlier); the driver uses a
//! prefetched response only when its request equals the one the paginator then asks for.

use super::{Paginator, RequestState, write_offset, write_page};
use crate::descriptor::PaginatorConfig;

impl Paginator {
    /// The request `ahead` pages after `next` (the request this paginator has prepared), if
    /// every page in between goes on; `ahead == 0` is `next` itself. `None` when paging has
    /// ended, when the paginator is not a range paginator, or when that request would be past
    /// the total (when the last page gave one) or the maximum. Without a total the guess is
    /// speculative: the first short or empty page shows where the data ends.
    pub fn predict(&self, next: &RequestState, ahead: usize) -> Option<RequestState> {
        if !self.has_next {
            return None;
        }
        if ahead == 0 {
            return Some(next.clone());
        }
        // no total: guess that every page is full; the end shows itself as a short page.
        // Not before the first page, which may yet give a total.
        if self.total.is_none() && self.sent.is_empty() {
            return None;
        }
        let total = self.total.unwrap_or(i64::MAX);
        let ahead = i64::try_from(ahead).ok()?;
        let mut request = next.clone();
        match &self.config {
            PaginatorConfig::Offset(c) => {
                let offset = self
                    .current
                    .checked_add(ahead.checked_mul(i64::try_from(c.limit).ok()?)?)?;
                let past_max = c
                    .maximum_offset
                    .is_some_and(|m| i64::try_from(m).is_ok_and(|m| offset >= m));
                if offset >= total || past_max {
                    return None;
                }
                write_offset(c, offset, &mut request);
            }
            PaginatorConfig::PageNumber(c) => {
                let page = self.current.checked_add(ahead)?;
                if page >= total.saturating_add(c.base_page)
                    || c.maximum_page.is_some_and(|m| page >= m)
                {
                    return None;
                }
                write_page(c, page, &mut request);
            }
            _ => return None,
        }
        Some(request)
    }
}
