//! Emits runtime descriptor values as Rust literals for `static` items. This is the only place
//! that knows how each runtime type is spelled in code, so emitted descriptors cannot drift
//! from the types the runtime executes.

mod auth;
mod expr;

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::descriptor::{
    AuthChoice, CursorConfig, CursorSource, Method, OffsetConfig, PageNumberConfig, PageSize,
    PaginatorConfig, Param, ResourceDescriptor, ResponseAction, RetryPolicy, Target,
};
use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing};
use restgen_runtime::selector::{Selector, Step};
use restgen_runtime::{ClientSpec, ValueSpec};

/// A value that can be written as a constant Rust expression.
pub trait ToLiteral {
    /// The expression.
    fn literal(&self) -> TokenStream;
}

impl ToLiteral for str {
    fn literal(&self) -> TokenStream {
        // ::std::borrow::Cow::Borrowed("text")
        quote!(::std::borrow::Cow::Borrowed(#self))
    }
}

impl ToLiteral for std::borrow::Cow<'static, str> {
    fn literal(&self) -> TokenStream {
        self.as_ref().literal()
    }
}

impl<T: ToLiteral + Clone> ToLiteral for std::borrow::Cow<'static, [T]> {
    fn literal(&self) -> TokenStream {
        let items = self.iter().map(ToLiteral::literal);
        // ::std::borrow::Cow::Borrowed(&[item, item])
        quote!(::std::borrow::Cow::Borrowed(&[#(#items),*]))
    }
}

impl<T: ToLiteral> ToLiteral for Option<T> {
    fn literal(&self) -> TokenStream {
        match self {
            // ::std::option::Option::Some(value)
            Some(v) => {
                let v = v.literal();
                quote!(::std::option::Option::Some(#v))
            }
            // ::std::option::Option::None
            None => quote!(::std::option::Option::None),
        }
    }
}

impl ToLiteral for bool {
    fn literal(&self) -> TokenStream {
        // true / false
        let v = *self;
        quote!(#v)
    }
}

macro_rules! unsuffixed_literal {
    ($($ty:ty => $ctor:ident),*) => {$(
        impl ToLiteral for $ty {
            fn literal(&self) -> TokenStream {
                // 42 (no type suffix: the field's type decides)
                let lit = proc_macro2::Literal::$ctor(*self);
                quote!(#lit)
            }
        }
    )*};
}
unsuffixed_literal!(u16 => u16_unsuffixed, u32 => u32_unsuffixed, u64 => u64_unsuffixed, i64 => i64_unsuffixed);

impl ToLiteral for f64 {
    fn literal(&self) -> TokenStream {
        // 2.0 (always with a fractional part, so the type is f64)
        let lit = proc_macro2::Literal::f64_unsuffixed(*self);
        quote!(#lit)
    }
}

impl ToLiteral for Param {
    fn literal(&self) -> TokenStream {
        let (name, value) = (self.name.literal(), self.value.literal());
        // Param { name: Cow::Borrowed("limit"), value: Cow::Borrowed("100") }
        quote!(::restgen_runtime::descriptor::Param { name: #name, value: #value })
    }
}

impl ToLiteral for Step {
    fn literal(&self) -> TokenStream {
        match self {
            // Step::Field(Cow::Borrowed("data"))
            Step::Field(name) => {
                let name = name.literal();
                quote!(::restgen_runtime::selector::Step::Field(#name))
            }
            // Step::Index(0)
            Step::Index(i) => {
                let i = i.literal();
                quote!(::restgen_runtime::selector::Step::Index(#i))
            }
            // Step::Wildcard
            Step::Wildcard => quote!(::restgen_runtime::selector::Step::Wildcard),
            // Step::Descendant(Cow::Borrowed("id"))
            Step::Descendant(name) => {
                let name = name.literal();
                quote!(::restgen_runtime::selector::Step::Descendant(#name))
            }
        }
    }
}

impl ToLiteral for Selector {
    fn literal(&self) -> TokenStream {
        let steps = self.steps.literal();
        // Selector { steps: Cow::Borrowed(&[Step::Field(..)]) }
        quote!(::restgen_runtime::selector::Selector { steps: #steps })
    }
}

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

impl ToLiteral for AuthChoice {
    fn literal(&self) -> TokenStream {
        let d = quote!(::restgen_runtime::descriptor::AuthChoice);
        match self {
            // AuthChoice::Client
            AuthChoice::Client => quote!(#d::Client),
            // AuthChoice::None
            AuthChoice::None => quote!(#d::None),
            // AuthChoice::Endpoint(AuthConfig::..)
            AuthChoice::Endpoint(a) => {
                let a = a.literal();
                quote!(#d::Endpoint(#a))
            }
        }
    }
}

impl ToLiteral for RetryPolicy {
    fn literal(&self) -> TokenStream {
        let (attempts, statuses, factor, max, header) = (
            self.max_attempts.literal(),
            self.retry_statuses.literal(),
            self.backoff_factor.literal(),
            self.max_delay_secs.literal(),
            self.wait_header.literal(),
        );
        // RetryPolicy { max_attempts: 4, retry_statuses: Cow::Borrowed(&[429]), .. }
        quote!(::restgen_runtime::descriptor::RetryPolicy {
            max_attempts: #attempts,
            retry_statuses: #statuses,
            backoff_factor: #factor,
            max_delay_secs: #max,
            wait_header: #header,
        })
    }
}

impl ToLiteral for IncrementalConfig {
    fn literal(&self) -> TokenStream {
        let i = quote!(::restgen_runtime::incremental);
        let (path, field, initial, end) = (
            self.cursor_path.literal(),
            self.cursor_field.literal(),
            self.initial_value.literal(),
            self.end_value.literal(),
        );
        let (start_param, end_param, start_open, end_closed, key) = (
            self.start_param.literal(),
            self.end_param.literal(),
            self.start_open.literal(),
            self.end_closed.literal(),
            self.primary_key.literal(),
        );
        let func = match self.last_value_func {
            LastValueFunc::Max => quote!(Max),
            LastValueFunc::Min => quote!(Min),
        };
        let missing = match self.on_cursor_value_missing {
            OnCursorMissing::Raise => quote!(Raise),
            OnCursorMissing::Include => quote!(Include),
            OnCursorMissing::Exclude => quote!(Exclude),
        };
        // IncrementalConfig { cursor_path: Selector { .. }, initial_value: Some(..), .. }
        quote!(#i::IncrementalConfig {
            cursor_path: #path,
            cursor_field: #field,
            initial_value: #initial,
            end_value: #end,
            start_param: #start_param,
            end_param: #end_param,
            last_value_func: #i::LastValueFunc::#func,
            start_open: #start_open,
            end_closed: #end_closed,
            on_cursor_value_missing: #i::OnCursorMissing::#missing,
            primary_key: #key,
        })
    }
}

impl ToLiteral for ResponseAction {
    fn literal(&self) -> TokenStream {
        let (status, content) = (self.status_code.literal(), self.content.literal());
        // ResponseAction { status_code: Some(404), content: None }
        quote!(::restgen_runtime::descriptor::ResponseAction {
            status_code: #status,
            content: #content,
        })
    }
}

impl ToLiteral for ResourceDescriptor {
    fn literal(&self) -> TokenStream {
        let d = quote!(::restgen_runtime::descriptor);
        let method = match self.method {
            Method::Get => quote!(#d::Method::Get),
            Method::Post => quote!(#d::Method::Post),
        };
        let (name, path, params, headers) = (
            self.name.literal(),
            self.path.literal(),
            self.params.literal(),
            self.headers.literal(),
        );
        let (body, paginator, selector, auth, retry) = (
            self.json_body.literal(),
            self.paginator.literal(),
            self.data_selector.literal(),
            self.auth.literal(),
            self.retry.literal(),
        );
        let actions = self.response_actions.literal();
        let incremental = self.incremental.literal();
        // ResourceDescriptor { name: .., method: Method::Get, path: .., .. }
        quote!(#d::ResourceDescriptor {
            name: #name,
            method: #method,
            path: #path,
            params: #params,
            headers: #headers,
            json_body: #body,
            paginator: #paginator,
            data_selector: #selector,
            auth: #auth,
            retry: #retry,
            response_actions: #actions,
            incremental: #incremental,
        })
    }
}

impl ToLiteral for ValueSpec {
    fn literal(&self) -> TokenStream {
        let (name, secret, required) = (
            self.name.literal(),
            self.secret.literal(),
            self.required.literal(),
        );
        // ValueSpec { name: Cow::Borrowed("api_key"), secret: true, required: true }
        quote!(::restgen_runtime::ValueSpec { name: #name, secret: #secret, required: #required })
    }
}

impl ToLiteral for ClientSpec {
    fn literal(&self) -> TokenStream {
        let (source, base, auth, values, headers) = (
            self.source.literal(),
            self.base_url.literal(),
            self.auth.literal(),
            self.values.literal(),
            self.headers.literal(),
        );
        // ClientSpec { source: .., base_url: .., auth: .., values: .., headers: .. }
        quote!(::restgen_runtime::ClientSpec {
            source: #source,
            base_url: #base,
            auth: #auth,
            values: #values,
            headers: #headers,
        })
    }
}
