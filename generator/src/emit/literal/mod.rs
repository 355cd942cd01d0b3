//! Emits runtime descriptor values as Rust literals for `static` items. This is the only place
//! that knows how each runtime type is spelled in code, so emitted descriptors cannot drift
//! from the types the runtime executes.

mod auth;
mod expr;
mod paginator;
mod shape;

pub use shape::shape_imports;

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::budget::{BudgetSpec, Rate, Window};
use restgen_runtime::descriptor::{
    AuthChoice, Method, Param, ResourceDescriptor, ResponseAction, RetryPolicy,
};
use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing, RowOrder};
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
        // a literal cannot be infinite or NaN (proc-macro2 panics on one); the resolver
        // refuses them in specs, and this keeps emission total anyway
        if self.is_nan() {
            // f64::NAN
            return quote!(f64::NAN);
        }
        if self.is_infinite() {
            return if *self > 0.0 {
                // f64::INFINITY
                quote!(f64::INFINITY)
            } else {
                // f64::NEG_INFINITY
                quote!(f64::NEG_INFINITY)
            };
        }
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
        let (attempts, statuses, failed, factor, max, header) = (
            self.max_attempts.literal(),
            self.retry_statuses.literal(),
            self.fail_statuses.literal(),
            self.backoff_factor.literal(),
            self.max_delay_secs.literal(),
            self.wait_header.literal(),
        );
        // RetryPolicy { max_attempts: 4, retry_statuses: Cow::Borrowed(&[408, 429]),
        //   fail_statuses: Cow::Borrowed(&[]), .. }
        quote!(::restgen_runtime::descriptor::RetryPolicy {
            max_attempts: #attempts,
            retry_statuses: #statuses,
            fail_statuses: #failed,
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
        let order = match self.row_order {
            None => quote!(None),
            Some(RowOrder::Asc) => quote!(Some(#i::RowOrder::Asc)),
            Some(RowOrder::Desc) => quote!(Some(#i::RowOrder::Desc)),
        };
        let missing = match self.on_cursor_value_missing {
            OnCursorMissing::Raise => quote!(Raise),
            OnCursorMissing::Include => quote!(Include),
            OnCursorMissing::Exclude => quote!(Exclude),
        };
        // IncrementalConfig { cursor_path: Selector { .. }, initial_value: Some(..), ..,
        //     row_order: Some(RowOrder::Asc) }
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
            row_order: #order,
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

impl ToLiteral for Rate {
    fn literal(&self) -> TokenStream {
        let (limit, millis) = (
            self.limit.literal(),
            u64::try_from(self.period.as_millis())
                .unwrap_or(u64::MAX)
                .literal(),
        );
        let window = match self.window {
            Window::Fixed => quote!(Fixed),
            Window::Moving => quote!(Moving),
        };
        // Rate { limit: 100, period: Duration::from_millis(1000), window: Window::Moving }
        quote!(::restgen_runtime::budget::Rate {
            limit: #limit,
            period: ::std::time::Duration::from_millis(#millis),
            window: ::restgen_runtime::budget::Window::#window,
        })
    }
}

impl ToLiteral for BudgetSpec {
    fn literal(&self) -> TokenStream {
        let (rates, statuses, remaining, reset) = (
            self.rates.literal(),
            self.limit_statuses.literal(),
            self.remaining_header.literal(),
            self.reset_header.literal(),
        );
        // BudgetSpec { rates: Cow::Borrowed(&[Rate { .. }]), limit_statuses: .., .. }
        quote!(::restgen_runtime::budget::BudgetSpec {
            rates: #rates,
            limit_statuses: #statuses,
            remaining_header: #remaining,
            reset_header: #reset,
        })
    }
}

impl ToLiteral for ClientSpec {
    fn literal(&self) -> TokenStream {
        let (source, base, auth, values, headers, budget) = (
            self.source.literal(),
            self.base_url.literal(),
            self.auth.literal(),
            self.values.literal(),
            self.headers.literal(),
            self.budget.literal(),
        );
        // ClientSpec { source: .., base_url: .., auth: .., values: .., headers: .., budget: None }
        quote!(::restgen_runtime::ClientSpec {
            source: #source,
            base_url: #base,
            auth: #auth,
            values: #values,
            headers: #headers,
            budget: #budget,
        })
    }
}
