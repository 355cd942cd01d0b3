//! What a paginator config tells about itself without running: the query parameters it
//! writes and a one-line description. The generator (which drops declared parameters a
//! paginator sets, and writes the description into doc comments) and the mock (which expects
//! them) ask the config, so the rule lives with the type.

use crate::descriptor::{CursorSource, PageSize, PaginatorConfig, Target};

impl PaginatorConfig {
    /// The query parameters this paginator sets itself, over any the spec declares.
    pub fn query_params(&self) -> Vec<&str> {
        fn query(t: &Target) -> Option<&str> {
            match t {
                Target::Query(name) => Some(name),
                Target::Body(_) => None,
            }
        }
        fn size(s: &Option<PageSize>) -> Option<&str> {
            s.as_ref().and_then(|s| query(&s.target))
        }
        match self {
            PaginatorConfig::HeaderCursor { cursor_param, .. } => vec![&**cursor_param],
            PaginatorConfig::Cursor(c) => [query(&c.target), size(&c.page_size)]
                .into_iter()
                .flatten()
                .collect(),
            PaginatorConfig::Offset(o) => [query(&o.offset_target), query(&o.limit_target)]
                .into_iter()
                .flatten()
                .collect(),
            PaginatorConfig::PageNumber(p) => [query(&p.page_target), size(&p.page_size)]
                .into_iter()
                .flatten()
                .collect(),
            PaginatorConfig::SinglePage
            | PaginatorConfig::Auto
            | PaginatorConfig::Custom { .. }
            | PaginatorConfig::JsonLink { .. }
            | PaginatorConfig::HeaderLink { .. } => Vec::new(),
        }
    }

    /// One line on how this paginator pages (`offset `offset` and limit `limit` = 100`), with
    /// each name or path written by `code` (a doc comment makes it a Markdown code span).
    pub fn describe(&self, code: &dyn Fn(&str) -> String) -> String {
        let target = |t: &Target| match t {
            Target::Query(q) => code(q),
            Target::Body(path) => format!("body {}", code(&path.join("."))),
        };
        match self {
            PaginatorConfig::SinglePage => "a single request".into(),
            PaginatorConfig::Auto => "detected from the first response".into(),
            PaginatorConfig::Custom { name } => format!(
                "with the custom paginator {} given to the builder",
                code(name)
            ),
            PaginatorConfig::JsonLink { next_url_path } => {
                format!(
                    "follows the next URL at {}",
                    code(&next_url_path.to_string())
                )
            }
            PaginatorConfig::HeaderLink { links_next_key } => {
                format!(
                    "follows the `Link` header with rel {}",
                    code(links_next_key)
                )
            }
            PaginatorConfig::HeaderCursor {
                cursor_key,
                cursor_param,
            } => format!(
                "cursor from header {} sent as {}",
                code(cursor_key),
                code(cursor_param)
            ),
            PaginatorConfig::Cursor(c) => {
                let from = match &c.source {
                    CursorSource::Path(p) => format!("from {}", code(&p.to_string())),
                    CursorSource::Template(_) => "from a template".into(),
                    CursorSource::LastRecord(p) => {
                        format!("from the last record's {}", code(&p.to_string()))
                    }
                };
                format!("cursor {from} sent as {}", target(&c.target))
            }
            PaginatorConfig::Offset(c) => format!(
                "offset {} and limit {} = {}",
                target(&c.offset_target),
                target(&c.limit_target),
                c.limit
            ),
            PaginatorConfig::PageNumber(c) => {
                format!("page number {} from {}", target(&c.page_target), c.page)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use crate::descriptor::{OffsetConfig, PaginatorConfig, Target};

    #[test]
    fn an_offset_paginator_owns_its_query_parameters_and_says_how_it_pages() {
        let p = PaginatorConfig::Offset(OffsetConfig {
            offset_target: Target::Query(Cow::Borrowed("skip")),
            limit: 50,
            ..OffsetConfig::DEFAULT
        });
        assert_eq!(p.query_params(), ["skip", "limit"]);
        assert_eq!(
            p.describe(&|s| format!("<{s}>")),
            "offset <skip> and limit <limit> = 50"
        );
        assert!(PaginatorConfig::SinglePage.query_params().is_empty());
    }
}
