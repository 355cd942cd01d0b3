//! dlt's paginator auto-detection (`detector.py`), run once on the first page when a resource
//! has no paginator: header link, JSON link, total pages, cursor, then single page.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::{PageView, find_link};
use crate::descriptor::{CursorConfig, CursorSource, PageNumberConfig, PaginatorConfig, Target};
use crate::selector::{
    MAX_DEPTH, RawKind, Selector, TooDeep, nesting_exceeds, object_fields, raw_kind,
};

/// The paginator dlt would detect for this first page; fails on a body nested deeper than
/// [`MAX_DEPTH`] levels, which the search (recursive, and a parse per level) does not walk.
pub fn detect_paginator(page: &PageView<'_>) -> Result<PaginatorConfig, TooDeep> {
    let header_next = page
        .headers
        .get_all(http::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| find_link(v, "next").is_some());
    if header_next {
        return Ok(PaginatorConfig::HeaderLink {
            links_next_key: Cow::Borrowed("next"),
        });
    }
    let Some(body) = page.body else {
        return Ok(PaginatorConfig::SinglePage);
    };
    if nesting_exceeds(body.get(), MAX_DEPTH) {
        return Err(TooDeep {
            what: "paginator auto-detection".into(),
            limit: MAX_DEPTH,
        });
    }
    let next = find_next(body, &mut Vec::new());
    if let Some((path, NextValue::Url)) = &next {
        return Ok(PaginatorConfig::JsonLink {
            next_url_path: Selector::fields(path.clone()),
        });
    }
    // the first total-pages key with a scalar decides; if `int()` rejects its value, no
    // page-number paginator is detected (dlt does not search on)
    let total_pages = find_key(body, &mut Vec::new(), &|key, raw| {
        let key = key.to_ascii_lowercase();
        (key == "total_pages" || key == "pages" || key == "totalpages") && is_scalar(raw)
    });
    if let Some((path, _)) = total_pages.filter(|(_, value)| is_int_like(value)) {
        return Ok(PaginatorConfig::PageNumber(PageNumberConfig {
            base_page: 0,
            page: 0,
            page_target: Target::Query(Cow::Borrowed("page")),
            total_path: Some(Selector::fields(path)),
            maximum_page: None,
            stop_after_empty_page: true,
            has_more_path: None,
            page_size: None,
            stop_on_short_page: false,
        }));
    }
    if let Some((path, NextValue::Scalar)) = next {
        return Ok(PaginatorConfig::Cursor(CursorConfig {
            source: CursorSource::Path(Selector::fields(path)),
            target: Target::Query(Cow::Borrowed("cursor")),
            stop_condition: None,
            stop_after_empty_page: false,
            has_more_path: None,
            page_size: None,
        }));
    }
    Ok(PaginatorConfig::SinglePage)
}

enum NextValue {
    Url,
    Scalar,
}

/// Depth-first, in key order: the first key starting with `next` holding a scalar, or an
/// object with an `href*`/`url*` scalar.
fn find_next(raw: &RawValue, path: &mut Vec<String>) -> Option<(Vec<String>, NextValue)> {
    for (key, value) in object_fields(raw)? {
        path.push(key.to_string());
        if key.to_ascii_lowercase().starts_with("next") {
            let found = if raw_kind(value) == RawKind::Object {
                object_fields(value).and_then(|fields| {
                    fields.into_iter().find_map(|(sub, v)| {
                        let sub_lower = sub.to_ascii_lowercase();
                        ((sub_lower.starts_with("href") || sub_lower.starts_with("url"))
                            && is_scalar(v))
                        .then(|| (sub.to_string(), v))
                    })
                })
            } else {
                None
            };
            if let Some((sub, v)) = found {
                path.push(sub);
                let kind = classify(v);
                return Some((path.clone(), kind));
            }
            if is_scalar(value) {
                return Some((path.clone(), classify(value)));
            }
        }
        if raw_kind(value) == RawKind::Object
            && let Some(hit) = find_next(value, path)
        {
            return Some(hit);
        }
        path.pop();
    }
    None
}

/// Depth-first, in key order: the path and value of the first key `matches` accepts.
fn find_key<'a>(
    raw: &'a RawValue,
    path: &mut Vec<String>,
    matches: &dyn Fn(&str, &RawValue) -> bool,
) -> Option<(Vec<String>, &'a RawValue)> {
    for (key, value) in object_fields(raw)? {
        path.push(key.to_string());
        if matches(&key, value) {
            return Some((path.clone(), value));
        }
        if raw_kind(value) == RawKind::Object
            && let Some(hit) = find_key(value, path, matches)
        {
            return Some(hit);
        }
        path.pop();
    }
    None
}

/// Python's `isinstance(v, (str, int, float))`; `bool` is an `int` there.
fn is_scalar(raw: &RawValue) -> bool {
    matches!(
        raw_kind(raw),
        RawKind::String | RawKind::Number | RawKind::Bool
    )
}

/// Whether Python's `int(v)` accepts the scalar.
fn is_int_like(raw: &RawValue) -> bool {
    match raw_kind(raw) {
        RawKind::Number => raw.get().trim().parse::<f64>().is_ok(),
        RawKind::Bool => true,
        RawKind::String => {
            serde_json::from_str::<String>(raw.get()).is_ok_and(|s| s.trim().parse::<i64>().is_ok())
        }
        _ => false,
    }
}

fn classify(raw: &RawValue) -> NextValue {
    let text = serde_json::from_str::<String>(raw.get()).unwrap_or_default();
    if text.starts_with("http") || text.starts_with('/') {
        NextValue::Url
    } else {
        NextValue::Scalar
    }
}

/// dlt's `single_entity_path`: whether the last segment of `path` holds a `{name}` placeholder
/// (`users/{id}`, `/x/{id}.json`), i.e. the endpoint returns one object. Such endpoints get the
/// single-page paginator and the `$` data selector unless configured otherwise.
pub fn single_entity_path(path: &str) -> bool {
    // `PurePosixPath(path).name`: empty and `.` segments do not count
    let Some(name) = path
        .split('/')
        .rfind(|segment| !segment.is_empty() && *segment != ".")
    else {
        return false;
    };
    // `re.search(r"\{([a-zA-Z0-9\.\-_]+)\}", name)`
    name.match_indices('{').any(|(open, _)| {
        let rest = &name[open + 1..];
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            .count();
        len > 0 && rest.as_bytes().get(len) == Some(&b'}')
    })
}
