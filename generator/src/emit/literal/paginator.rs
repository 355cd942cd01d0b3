//! Paginator configs as Rust literals: where a value goes (query or body), the page size, the
//! cursor's source and each paginator kind.

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PageSize, PaginatorConfig, Target,
};

use super::ToLiteral;

impl ToLiteral for Target {
    fn literal(&self) -> TokenStream {
        match self {
            // Target::Query(Cow::Borrowed("after"))
            Target::Query(name) => {
                let name = name.literal();
                quote!(::restgen_runtime::descriptor::Target::Query(#name))
            }
            // Target::Body(Cow::Borrowed(&[Cow::Borrowed("page"), ..]))
            Target::Body(path) => {
                let path = path.literal();
                quote!(::restgen_runtime::descriptor::Target::Body(#path))
            }
        }
    }
}

impl ToLiteral for PageSize {
    fn literal(&self) -> TokenStream {
        let (target, value) = (self.target.literal(), self.value.literal());
        // PageSize { target: Target::Query(..), value: 20 }
        quote!(::restgen_runtime::descriptor::PageSize { target: #target, value: #value })
    }
}

impl ToLiteral for CursorSource {
    fn literal(&self) -> TokenStream {
        let d = quote!(::restgen_runtime::descriptor::CursorSource);
        match self {
            // CursorSource::Path(Selector { .. })
            CursorSource::Path(s) => {
                let s = s.literal();
                quote!(#d::Path(#s))
            }
            // CursorSource::Template(Expr::..)
            CursorSource::Template(e) => {
                let e = e.literal();
                quote!(#d::Template(#e))
            }
            // CursorSource::LastRecord(Selector { .. })
            CursorSource::LastRecord(s) => {
                let s = s.literal();
                quote!(#d::LastRecord(#s))
            }
        }
    }
}

impl ToLiteral for PaginatorConfig {
    fn literal(&self) -> TokenStream {
        let d = quote!(::restgen_runtime::descriptor);
        match self {
            // PaginatorConfig::SinglePage
            PaginatorConfig::SinglePage => quote!(#d::PaginatorConfig::SinglePage),
            // PaginatorConfig::Auto
            PaginatorConfig::Auto => quote!(#d::PaginatorConfig::Auto),
            // PaginatorConfig::Custom { name: Cow::Borrowed("Cursorless") }
            PaginatorConfig::Custom { name } => {
                let name = name.literal();
                quote!(#d::PaginatorConfig::Custom { name: #name })
            }
            // PaginatorConfig::JsonLink { next_url_path: Selector { .. } }
            PaginatorConfig::JsonLink { next_url_path } => {
                let p = next_url_path.literal();
                quote!(#d::PaginatorConfig::JsonLink { next_url_path: #p })
            }
            // PaginatorConfig::HeaderLink { links_next_key: Cow::Borrowed("next") }
            PaginatorConfig::HeaderLink { links_next_key } => {
                let k = links_next_key.literal();
                quote!(#d::PaginatorConfig::HeaderLink { links_next_key: #k })
            }
            // PaginatorConfig::HeaderCursor { cursor_key: .., cursor_param: .. }
            PaginatorConfig::HeaderCursor {
                cursor_key,
                cursor_param,
            } => {
                let (k, p) = (cursor_key.literal(), cursor_param.literal());
                quote!(#d::PaginatorConfig::HeaderCursor { cursor_key: #k, cursor_param: #p })
            }
            PaginatorConfig::Cursor(c) => {
                let CursorConfig {
                    source,
                    target,
                    stop_condition,
                    stop_after_empty_page,
                    has_more_path,
                    page_size,
                } = c;
                let (source, target, stop) =
                    (source.literal(), target.literal(), stop_condition.literal());
                let (empty, more, size) = (
                    stop_after_empty_page.literal(),
                    has_more_path.literal(),
                    page_size.literal(),
                );
                // PaginatorConfig::Cursor(CursorConfig { source: .., target: .., .. })
                quote!(#d::PaginatorConfig::Cursor(#d::CursorConfig {
                    source: #source,
                    target: #target,
                    stop_condition: #stop,
                    stop_after_empty_page: #empty,
                    has_more_path: #more,
                    page_size: #size,
                }))
            }
            PaginatorConfig::Offset(c) => {
                let OffsetConfig {
                    limit,
                    offset,
                    offset_target,
                    limit_target,
                    total_path,
                    maximum_offset,
                    stop_after_empty_page,
                    has_more_path,
                    stop_on_short_page,
                } = c;
                let (limit, offset, ot, lt) = (
                    limit.literal(),
                    offset.literal(),
                    offset_target.literal(),
                    limit_target.literal(),
                );
                let (total, max, empty, more, short) = (
                    total_path.literal(),
                    maximum_offset.literal(),
                    stop_after_empty_page.literal(),
                    has_more_path.literal(),
                    stop_on_short_page.literal(),
                );
                // PaginatorConfig::Offset(OffsetConfig { limit: 50, offset: 0, .. })
                quote!(#d::PaginatorConfig::Offset(#d::OffsetConfig {
                    limit: #limit,
                    offset: #offset,
                    offset_target: #ot,
                    limit_target: #lt,
                    total_path: #total,
                    maximum_offset: #max,
                    stop_after_empty_page: #empty,
                    has_more_path: #more,
                    stop_on_short_page: #short,
                }))
            }
            PaginatorConfig::PageNumber(c) => {
                let PageNumberConfig {
                    base_page,
                    page,
                    page_target,
                    total_path,
                    maximum_page,
                    stop_after_empty_page,
                    has_more_path,
                    page_size,
                    stop_on_short_page,
                } = c;
                let (base, page, target, total) = (
                    base_page.literal(),
                    page.literal(),
                    page_target.literal(),
                    total_path.literal(),
                );
                let (max, empty, more, size, short) = (
                    maximum_page.literal(),
                    stop_after_empty_page.literal(),
                    has_more_path.literal(),
                    page_size.literal(),
                    stop_on_short_page.literal(),
                );
                // PaginatorConfig::PageNumber(PageNumberConfig { base_page: 1, page: 1, .. })
                quote!(#d::PaginatorConfig::PageNumber(#d::PageNumberConfig {
                    base_page: #base,
                    page: #page,
                    page_target: #target,
                    total_path: #total,
                    maximum_page: #max,
                    stop_after_empty_page: #empty,
                    has_more_path: #more,
                    page_size: #size,
                    stop_on_short_page: #short,
                }))
            }
        }
    }
}
