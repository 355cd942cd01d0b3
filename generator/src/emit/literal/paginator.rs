//! Paginator configs as Rust literals: where a value goes (query or body), the page size, the
//! cursor's source and each paginator kind.

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PageSize, PaginatorConfig, Target,
};

use super::{ToLiteral, defaulted_literal, full_literal};

impl ToLiteral for Target {
    fn literal(&self) -> TokenStream {
        match self {
            // Target::Query(Cow::Borrowed("after"))
            Target::Query(name) => {
                let name = name.literal();
                quote!(Target::Query(#name))
            }
            // Target::Body(Cow::Borrowed(&[Cow::Borrowed("page"), ..]))
            Target::Body(path) => {
                let path = path.literal();
                quote!(Target::Body(#path))
            }
        }
    }
}

impl ToLiteral for PageSize {
    fn literal(&self) -> TokenStream {
        // PageSize { target: Target::Query(..), value: 20 }
        full_literal!(self => PageSize { target, value })
    }
}

impl ToLiteral for CursorSource {
    fn literal(&self) -> TokenStream {
        match self {
            // CursorSource::Path(Selector { .. })
            CursorSource::Path(s) => {
                let s = s.literal();
                quote!(CursorSource::Path(#s))
            }
            // CursorSource::Template(Expr::..)
            CursorSource::Template(e) => {
                let e = e.literal();
                quote!(CursorSource::Template(#e))
            }
            // CursorSource::LastRecord(Selector { .. })
            CursorSource::LastRecord(s) => {
                let s = s.literal();
                quote!(CursorSource::LastRecord(#s))
            }
        }
    }
}

impl ToLiteral for CursorConfig {
    fn literal(&self) -> TokenStream {
        // CursorConfig { source: .., target: .., ..CursorConfig::DEFAULT }
        defaulted_literal!(self => CursorConfig {
            source,
            target,
            stop_condition,
            stop_after_empty_page,
            has_more_path,
            page_size,
        })
    }
}

impl ToLiteral for OffsetConfig {
    fn literal(&self) -> TokenStream {
        // OffsetConfig { limit: 50, ..OffsetConfig::DEFAULT }
        defaulted_literal!(self => OffsetConfig {
            limit,
            offset,
            offset_target,
            limit_target,
            total_path,
            maximum_offset,
            stop_after_empty_page,
            has_more_path,
            stop_on_short_page,
        })
    }
}

impl ToLiteral for PageNumberConfig {
    fn literal(&self) -> TokenStream {
        // PageNumberConfig { base_page: 1, page: 1, ..PageNumberConfig::DEFAULT }
        defaulted_literal!(self => PageNumberConfig {
            base_page,
            page,
            page_target,
            total_path,
            maximum_page,
            stop_after_empty_page,
            has_more_path,
            page_size,
            stop_on_short_page,
        })
    }
}

impl ToLiteral for PaginatorConfig {
    fn literal(&self) -> TokenStream {
        match self {
            // PaginatorConfig::SinglePage
            PaginatorConfig::SinglePage => quote!(PaginatorConfig::SinglePage),
            // PaginatorConfig::Auto
            PaginatorConfig::Auto => quote!(PaginatorConfig::Auto),
            // PaginatorConfig::Custom { name: Cow::Borrowed("Cursorless") }
            PaginatorConfig::Custom { name } => {
                let name = name.literal();
                quote!(PaginatorConfig::Custom { name: #name })
            }
            // PaginatorConfig::JsonLink { next_url_path: Selector { .. } }
            PaginatorConfig::JsonLink { next_url_path } => {
                let p = next_url_path.literal();
                quote!(PaginatorConfig::JsonLink { next_url_path: #p })
            }
            // PaginatorConfig::HeaderLink { links_next_key: Cow::Borrowed("next") }
            PaginatorConfig::HeaderLink { links_next_key } => {
                let k = links_next_key.literal();
                quote!(PaginatorConfig::HeaderLink { links_next_key: #k })
            }
            // PaginatorConfig::HeaderCursor { cursor_key: .., cursor_param: .. }
            PaginatorConfig::HeaderCursor {
                cursor_key,
                cursor_param,
            } => {
                let (k, p) = (cursor_key.literal(), cursor_param.literal());
                quote!(PaginatorConfig::HeaderCursor { cursor_key: #k, cursor_param: #p })
            }
            // PaginatorConfig::Cursor(CursorConfig { .. })
            PaginatorConfig::Cursor(c) => {
                let c = c.literal();
                quote!(PaginatorConfig::Cursor(#c))
            }
            // PaginatorConfig::Offset(OffsetConfig { .. })
            PaginatorConfig::Offset(c) => {
                let c = c.literal();
                quote!(PaginatorConfig::Offset(#c))
            }
            // PaginatorConfig::PageNumber(PageNumberConfig { .. })
            PaginatorConfig::PageNumber(c) => {
                let c = c.literal();
                quote!(PaginatorConfig::PageNumber(#c))
            }
        }
    }
}
