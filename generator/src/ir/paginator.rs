//! Resolves a paginator as written into the runtime's `PaginatorConfig`, with dlt's defaults
//! and the seed dialect's extensions applied, and rejects what dlt's constructors reject.

use std::borrow::Cow;

use restgen_runtime::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PageSize, PaginatorConfig, Target,
};
use restgen_runtime::selector::Selector;

use super::issue::Issue;
use super::{jsonpath, template};
use crate::spec::diagnostic::{did_you_mean, one_of};
use crate::spec::model::{CursorSpec, OffsetSpec, PageNumberSpec, PaginatorKind, PaginatorSpec};

const SHORTHANDS: &[&str] = &[
    "json_link",
    "json_response",
    "header_link",
    "header_cursor",
    "cursor",
    "offset",
    "page_number",
    "single_page",
    "auto",
];

/// The runtime config for a paginator as written; an issue is located relative to the
/// paginator's node.
pub fn resolve(spec: &PaginatorSpec) -> Result<PaginatorConfig, Issue> {
    let kind = match spec {
        PaginatorSpec::Full(kind) => kind.clone(),
        PaginatorSpec::Shorthand(name) => match name.as_str() {
            "json_link" | "json_response" => PaginatorKind::JsonLink {
                next_url_path: None,
            },
            "header_link" => PaginatorKind::HeaderLink {
                links_next_key: None,
            },
            "header_cursor" => PaginatorKind::HeaderCursor {
                cursor_key: None,
                cursor_param: None,
            },
            "cursor" => PaginatorKind::Cursor(CursorSpec::default()),
            "page_number" => PaginatorKind::PageNumber(PageNumberSpec::default()),
            "single_page" => PaginatorKind::SinglePage {},
            "auto" => PaginatorKind::Auto {},
            "offset" => {
                return Err(
                    Issue::new("paginator `offset` needs settings: at least `limit`")
                        .label("`offset` cannot be written as a name alone")
                        .help("write `paginator: {type: offset, limit: 100}`"),
                );
            }
            other => {
                return Err(Issue::new(format!("unknown paginator `{other}`"))
                    .label(format!("expected {}", one_of(SHORTHANDS)))
                    .maybe_help(did_you_mean(other, SHORTHANDS)));
            }
        },
    };
    Ok(match kind {
        PaginatorKind::SinglePage {} => PaginatorConfig::SinglePage,
        PaginatorKind::Auto {} => PaginatorConfig::Auto,
        PaginatorKind::JsonLink { next_url_path } => PaginatorConfig::JsonLink {
            next_url_path: path(next_url_path.as_deref().unwrap_or("next"))
                .map_err(|e| e.under("next_url_path"))?,
        },
        PaginatorKind::HeaderLink { links_next_key } => PaginatorConfig::HeaderLink {
            links_next_key: text(links_next_key.unwrap_or_else(|| "next".into())),
        },
        PaginatorKind::HeaderCursor {
            cursor_key,
            cursor_param,
        } => PaginatorConfig::HeaderCursor {
            cursor_key: text(cursor_key.unwrap_or_else(|| "next".into())),
            cursor_param: text(cursor_param.unwrap_or_else(|| "cursor".into())),
        },
        PaginatorKind::Custom { name } => PaginatorConfig::Custom {
            name: text(super::auth::custom_name(name.as_deref(), "paginator")?),
        },
        PaginatorKind::Cursor(c) => PaginatorConfig::Cursor(cursor(c)?),
        PaginatorKind::Offset(c) => PaginatorConfig::Offset(offset(c)?),
        PaginatorKind::PageNumber(c) => PaginatorConfig::PageNumber(page_number(c)?),
    })
}

fn text(s: String) -> Cow<'static, str> {
    Cow::Owned(s)
}

fn path(p: &str) -> Result<Selector, Issue> {
    Ok(jsonpath::compile(p)?)
}

/// An optional JSONPath setting; an issue is located at `key`.
fn optional_path(p: Option<&str>, key: &str) -> Result<Option<Selector>, Issue> {
    p.map(path).transpose().map_err(|e| e.under(key))
}

fn compile_template(t: &str, key: &str) -> Result<restgen_runtime::expr::Expr, Issue> {
    template::compile(t).map_err(|e| Issue::from(e).under(key))
}

/// dlt: exactly one of a query parameter and a body path; an empty string is refused.
fn target(
    what: &str,
    param: Option<String>,
    body: Option<String>,
    default_param: &str,
) -> Result<Target, Issue> {
    let param_key = format!("{what}_param");
    let body_key = format!("{what}_body_path");
    match (param, body) {
        (Some(_), Some(_)) => Err(Issue::new(format!(
            "`{param_key}` and `{body_key}` cannot both be set"
        ))
        .at_key(&body_key)
        .key()
        .label(format!("the {what} goes in the JSON body here"))
        .also(&param_key, "and in the query here")
        .help(format!(
            "keep one of them: dlt sends the {what} either as a query parameter or in the body"
        ))),
        (Some(p), None) if p.is_empty() => {
            Err(Issue::new(format!("`{param_key}` cannot be empty"))
                .at_key(&param_key)
                .label("an empty parameter name"))
        }
        (None, Some(b)) if b.is_empty() => Err(Issue::new(format!("`{body_key}` cannot be empty"))
            .at_key(&body_key)
            .label("an empty body path")),
        (Some(p), None) => Ok(Target::Query(text(p))),
        (None, Some(b)) => Ok(Target::Body(Cow::Owned(
            b.split('.').map(|s| Cow::Owned(s.to_string())).collect(),
        ))),
        (None, None) => Ok(Target::Query(text(default_param.to_string()))),
    }
}

/// The page size sent on every request; a `limit_param` without a `limit` names the API's
/// parameter but no size, so nothing is sent (the API's default size applies).
fn page_size(limit: Option<u64>, limit_param: Option<String>) -> Option<PageSize> {
    let value = limit?;
    Some(PageSize {
        target: Target::Query(text(limit_param.unwrap_or_else(|| "limit".into()))),
        value,
    })
}

fn cursor(c: CursorSpec) -> Result<CursorConfig, Issue> {
    let source = match (&c.cursor_value, &c.cursor_path) {
        (Some(_), Some(_)) => {
            return Err(
                Issue::new("`cursor_value` and `cursor_path` cannot both be set")
                    .at_key("cursor_path")
                    .key()
                    .label("the cursor is read from this path")
                    .also("cursor_value", "and computed by this template")
                    .help("keep one: `cursor_path` reads a value, `cursor_value` computes one"),
            );
        }
        (Some(value), None) => CursorSource::Template(compile_template(value, "cursor_value")?),
        (None, Some(p)) => CursorSource::Path(path(p).map_err(|e| e.under("cursor_path"))?),
        // the seed dialect's `before_id` style: a stop condition but no cursor location
        (None, None) if c.stop_condition.is_some() => {
            CursorSource::LastRecord(Selector::fields(["id"]))
        }
        (None, None) => CursorSource::Path(path("cursors.next")?),
    };
    Ok(CursorConfig {
        source,
        target: target("cursor", c.cursor_param, c.cursor_body_path, "cursor")?,
        stop_condition: c
            .stop_condition
            .as_deref()
            .map(|t| compile_template(t, "stop_condition"))
            .transpose()?,
        stop_after_empty_page: c.stop_after_empty_page.unwrap_or(false),
        has_more_path: dlt_optional_path(c.has_more_path.as_deref(), "has_more_path")?,
        page_size: page_size(c.limit, c.limit_param),
    })
}

/// dlt's termination guard, located at the paginator.
fn termination_guard(maximum: &str) -> Issue {
    Issue::new(format!(
        "this paginator may never stop: one of `total_path`, `{maximum}`, `has_more_path`, \
         or `stop_after_empty_page` must be provided to guarantee termination"
    ))
    .label("no way to tell the last page")
    .note(format!(
        "`total_path: null` and `stop_after_empty_page: false` leave nothing to stop on; \
         set `{maximum}` or keep one of the others"
    ))
}

/// The total of an offset or page_number paginator, and whether it is read leniently. dlt
/// defaults `total_path` to "total" and raises when it is missing; the seed dialect relies on
/// the default without a total in the response and stops on a short page, so the default is
/// lenient. An empty path is no total, as in dlt (`compile_path(p) if p else None`), where
/// converted configs write `total_path: ""` to say so.
fn total_path(spec: Option<Option<String>>) -> Result<(Option<Selector>, bool), Issue> {
    Ok(match spec {
        None => (Some(path("total")?), true),
        Some(None) => (None, false),
        Some(Some(p)) => (dlt_optional_path(Some(&p), "total_path")?, false),
    })
}

/// An optional JSONPath that dlt reads as absent when empty (`total_path`, `has_more_path`).
fn dlt_optional_path(p: Option<&str>, key: &str) -> Result<Option<Selector>, Issue> {
    optional_path(p.filter(|p| !p.is_empty()), key)
}

fn offset(c: OffsetSpec) -> Result<OffsetConfig, Issue> {
    if c.limit == 0 {
        return Err(Issue::new("`limit` must be greater than 0")
            .at_key("limit")
            .label("a page of 0 records never advances"));
    }
    // The seed dialect (offset with only `limit`) stops on a short page (see `total_path`).
    let (total_path, lenient) = total_path(c.total_path)?;
    let has_more_path = dlt_optional_path(c.has_more_path.as_deref(), "has_more_path")?;
    let stop_after_empty_page = c.stop_after_empty_page.unwrap_or(true);
    if total_path.is_none()
        && c.maximum_offset.is_none()
        && has_more_path.is_none()
        && !stop_after_empty_page
    {
        return Err(termination_guard("maximum_offset"));
    }
    Ok(OffsetConfig {
        limit: c.limit,
        offset: c.offset.unwrap_or(0),
        offset_target: target("offset", c.offset_param, c.offset_body_path, "offset")?,
        limit_target: target("limit", c.limit_param, c.limit_body_path, "limit")?,
        total_path,
        maximum_offset: c.maximum_offset,
        stop_after_empty_page,
        has_more_path,
        stop_on_short_page: lenient,
    })
}

fn page_number(c: PageNumberSpec) -> Result<PageNumberConfig, Issue> {
    let base_page = c.base_page.unwrap_or(0);
    // As for offset: the seed dialect pages by number against APIs without totals
    // (Airbyte's PageIncrement), so the default total is read leniently.
    let (total_path, lenient) = total_path(c.total_path)?;
    let has_more_path = dlt_optional_path(c.has_more_path.as_deref(), "has_more_path")?;
    let stop_after_empty_page = c.stop_after_empty_page.unwrap_or(true);
    if total_path.is_none()
        && c.maximum_page.is_none()
        && has_more_path.is_none()
        && !stop_after_empty_page
    {
        return Err(termination_guard("maximum_page"));
    }
    Ok(PageNumberConfig {
        base_page,
        page: c.page.unwrap_or(base_page),
        page_target: target("page", c.page_param, c.page_body_path, "page")?,
        total_path,
        maximum_page: c.maximum_page,
        stop_after_empty_page,
        has_more_path,
        page_size: page_size(c.limit, c.limit_param),
        stop_on_short_page: lenient,
    })
}
