//! The paginator of an endpoint as a descriptor holds it: which of dlt's paginators, with its
//! parameters defaulted as dlt defaults them, and the checks dlt's constructors make.

use std::borrow::Cow;

use super::{Expr, Selector, Target, Text, expr};

/// The paginator of an endpoint, with dlt's parameters already defaulted.
#[derive(Debug, Clone, PartialEq)]
pub enum PaginatorConfig {
    /// Exactly one request.
    SinglePage,
    /// Detect the paginator from the first response, as dlt does.
    Auto,
    /// `json_link`: the next URL is found in the body.
    JsonLink {
        /// Where the next URL is.
        next_url_path: Selector,
    },
    /// `header_link`: the next URL is the RFC 8288 `Link` with this `rel`.
    HeaderLink {
        /// The `rel` to follow.
        links_next_key: Text,
    },
    /// `header_cursor`: a response header holds the next cursor.
    HeaderCursor {
        /// The response header.
        cursor_key: Text,
        /// The query parameter that carries the cursor.
        cursor_param: Text,
    },
    /// `cursor`: a cursor from the body (or a template, or the last record).
    Cursor(CursorConfig),
    /// `offset`: offset and limit.
    Offset(OffsetConfig),
    /// `page_number`: a page counter.
    PageNumber(PageNumberConfig),
    /// Rust code the client's builder is given (`type: custom`, see
    /// [`crate::custom::Paginator`]).
    Custom {
        /// The name the spec gives it; the builder's setter takes the code for it.
        name: Text,
    },
}

/// Why a paginator config cannot work, found before any request (dlt's constructors raise
/// on both). The generator reports it against the spec; the runtime refuses to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaginatorProblem {
    /// An `offset` paginator's `limit` is 0: a page of 0 records never advances.
    ZeroLimit,
    /// A range paginator with nothing to stop on (no total, no maximum, no `has_more_path`,
    /// not stopping on an empty page).
    Unbounded {
        /// The key that would bound it: `maximum_offset` or `maximum_page`.
        maximum: &'static str,
    },
}

impl PaginatorConfig {
    /// dlt's checks of a paginator config, the termination guard among them: the one home
    /// of this rule, for the generator and the runtime alike.
    pub fn problem(&self) -> Option<PaginatorProblem> {
        let unbounded = |bounds: [bool; 4], maximum| {
            (!bounds.contains(&true)).then_some(PaginatorProblem::Unbounded { maximum })
        };
        match self {
            PaginatorConfig::Offset(c) if c.limit == 0 => Some(PaginatorProblem::ZeroLimit),
            PaginatorConfig::Offset(c) => unbounded(
                [
                    c.total_path.is_some(),
                    c.maximum_offset.is_some(),
                    c.has_more_path.is_some(),
                    c.stop_after_empty_page || c.stop_on_short_page,
                ],
                "maximum_offset",
            ),
            PaginatorConfig::PageNumber(c) => unbounded(
                [
                    c.total_path.is_some(),
                    c.maximum_page.is_some(),
                    c.has_more_path.is_some(),
                    // a short page tells the end only with a page size, which may be unset
                    c.stop_after_empty_page,
                ],
                "maximum_page",
            ),
            _ => None,
        }
    }

    /// The paginator with the settings (`config['name']`) and the time (`now_utc()`) its
    /// templates read bound, as a request starts; borrowed as it is when it reads neither.
    pub fn for_run(&self, run: &expr::RunValues<'_>) -> Cow<'_, PaginatorConfig> {
        let PaginatorConfig::Cursor(c) = self else {
            return Cow::Borrowed(self);
        };
        let template = match &c.source {
            CursorSource::Template(e) => Some(e),
            _ => None,
        };
        if !c.stop_condition.iter().chain(template).any(Expr::reads_run) {
            return Cow::Borrowed(self);
        }
        let mut bound = c.clone();
        bound.stop_condition = c.stop_condition.as_ref().map(|e| e.for_run(run));
        if let Some(e) = template {
            bound.source = CursorSource::Template(e.for_run(run));
        }
        Cow::Owned(PaginatorConfig::Cursor(bound))
    }

    /// The names of the settings its templates read (`config['name']`).
    pub fn settings(&self) -> Vec<&str> {
        let PaginatorConfig::Cursor(c) = self else {
            return Vec::new();
        };
        let mut names: Vec<&str> = c.stop_condition.iter().flat_map(Expr::settings).collect();
        if let CursorSource::Template(e) = &c.source {
            names.extend(e.settings());
        }
        names
    }
}

/// Where the `cursor` paginator finds the next cursor.
#[derive(Debug, Clone, PartialEq)]
pub enum CursorSource {
    /// A path into the response body (dlt's `cursor_path`).
    Path(Selector),
    /// A template expression (`cursor_value`, seed dialect).
    Template(Expr),
    /// A field of the last record of the page (`before_id` style, seed dialect).
    LastRecord(Selector),
}

/// A fixed page size sent on every request.
#[derive(Debug, Clone, PartialEq)]
pub struct PageSize {
    /// Where it is sent.
    pub target: Target,
    /// The number of records asked for.
    pub value: u64,
}

/// Parameters of the `cursor` paginator.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorConfig {
    /// Where the next cursor comes from.
    pub source: CursorSource,
    /// Where the cursor goes in the next request.
    pub target: Target,
    /// A template that ends paging when truthy (seed dialect).
    pub stop_condition: Option<Expr>,
    /// End on a page with no records (dlt default: false for cursors).
    pub stop_after_empty_page: bool,
    /// A boolean in the body that must be true to continue.
    pub has_more_path: Option<Selector>,
    /// A page size sent on every request (seed dialect).
    pub page_size: Option<PageSize>,
}

impl CursorConfig {
    /// dlt's defaults: the cursor at `cursors.next`, sent as the query parameter `cursor`.
    pub const DEFAULT: CursorConfig = CursorConfig {
        source: CursorSource::Path(Selector {
            steps: Cow::Borrowed(&[
                crate::selector::Step::Field(Cow::Borrowed("cursors")),
                crate::selector::Step::Field(Cow::Borrowed("next")),
            ]),
        }),
        target: Target::Query(Cow::Borrowed("cursor")),
        stop_condition: None,
        stop_after_empty_page: false,
        has_more_path: None,
        page_size: None,
    };
}

/// The `total` field, where dlt looks for a total by default.
const TOTAL: Selector = Selector {
    steps: Cow::Borrowed(&[crate::selector::Step::Field(Cow::Borrowed("total"))]),
};

/// Parameters of the `offset` paginator.
#[derive(Debug, Clone, PartialEq)]
pub struct OffsetConfig {
    /// Records per page.
    pub limit: u64,
    /// First offset.
    pub offset: u64,
    /// Where the offset goes.
    pub offset_target: Target,
    /// Where the limit goes.
    pub limit_target: Target,
    /// Path of the total record count; `None` when the spec leaves it out.
    pub total_path: Option<Selector>,
    /// Exclusive upper bound of the offset.
    pub maximum_offset: Option<u64>,
    /// End on a page with no records.
    pub stop_after_empty_page: bool,
    /// A boolean in the body that must be true to continue.
    pub has_more_path: Option<Selector>,
    /// End on a page shorter than `limit` (seed dialect: offset without a total).
    pub stop_on_short_page: bool,
}

impl OffsetConfig {
    /// dlt's defaults with the seed dialect's reading of a missing total (stop on a short
    /// page); the limit has none, so a spec always states it.
    pub const DEFAULT: OffsetConfig = OffsetConfig {
        limit: 0,
        offset: 0,
        offset_target: Target::Query(Cow::Borrowed("offset")),
        limit_target: Target::Query(Cow::Borrowed("limit")),
        total_path: Some(TOTAL),
        maximum_offset: None,
        stop_after_empty_page: true,
        has_more_path: None,
        stop_on_short_page: true,
    };
}

/// Parameters of the `page_number` paginator.
#[derive(Debug, Clone, PartialEq)]
pub struct PageNumberConfig {
    /// Number of the first page in the API's counting.
    pub base_page: i64,
    /// The page to start from.
    pub page: i64,
    /// Where the page number goes.
    pub page_target: Target,
    /// Path of the total number of pages.
    pub total_path: Option<Selector>,
    /// Exclusive upper bound of the page number.
    pub maximum_page: Option<i64>,
    /// End on a page with no records.
    pub stop_after_empty_page: bool,
    /// A boolean in the body that must be true to continue.
    pub has_more_path: Option<Selector>,
    /// A page size sent on every request (seed dialect).
    pub page_size: Option<PageSize>,
    /// When the spec writes no `total_path` and a response has no total: stop on an empty
    /// page, or on a page shorter than `page_size` (seed dialect; dlt raises).
    pub stop_on_short_page: bool,
}

impl PageNumberConfig {
    /// dlt's defaults (pages counted from 0) with the seed dialect's reading of a missing
    /// total (stop on a short page).
    pub const DEFAULT: PageNumberConfig = PageNumberConfig {
        base_page: 0,
        page: 0,
        page_target: Target::Query(Cow::Borrowed("page")),
        total_path: Some(TOTAL),
        maximum_page: None,
        stop_after_empty_page: true,
        has_more_path: None,
        page_size: None,
        stop_on_short_page: true,
    };
}
