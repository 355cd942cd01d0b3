//! Emits runtime descriptor values as Rust literals for `static` items. This is the only place
//! that knows how each runtime type is spelled in code, so emitted descriptors cannot drift
//! from the types the runtime executes.
//!
//! Literals use short names (`ResourceDescriptor`, `Selector`, `Cow`), which [`imports`]
//! brings into scope, and a struct with a `DEFAULT` const writes only the fields that differ
//! from it (`..RetryPolicy::DEFAULT`). Every struct is destructured without `..` in
//! [`struct_fields!`], so a field added to a runtime type fails to compile here until it is
//! emitted.

mod auth;
mod expr;
mod paginator;
mod shape;
mod steps;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use restgen_runtime::budget::{BudgetSpec, Rate, Window};
use restgen_runtime::descriptor::{
    AuthChoice, Computed, Method, Param, PartitionValues, ResourceDescriptor, ResponseAction,
    RetryPolicy,
};
use restgen_runtime::incremental::windows::WindowConfig;
use restgen_runtime::incremental::{IncrementalConfig, LastValueFunc, OnCursorMissing, RowOrder};
use restgen_runtime::selector::{Selector, Step};
use restgen_runtime::{ClientSpec, FanOutDescriptor, ParentBinding, ValueSpec};

/// A value that can be written as a constant Rust expression, in a scope with [`imports`].
pub trait ToLiteral {
    /// The expression.
    fn literal(&self) -> TokenStream;
}

/// The imports every literal needs, for the top of `descriptors.rs`.
pub fn imports() -> TokenStream {
    // use ::restgen_runtime::descriptor::*; use ::std::borrow::Cow;
    quote! {
        use ::restgen_runtime::descriptor::*;
        use ::std::borrow::Cow;
    }
}

/// The fields of a struct value as `(name, literal)` pairs, in declaration order. With
/// `else DEFAULT`, only those that differ from `Type::DEFAULT`. The destructuring names every
/// field, so a new field in the runtime type is a compile error here, never a silent default.
macro_rules! struct_fields {
    ($value:expr => $ty:ident { $($field:ident),* $(,)? }) => {{
        let $ty { $($field),* } = $value;
        vec![$((stringify!($field), $crate::emit::literal::ToLiteral::literal($field))),*]
    }};
    ($value:expr => $ty:ident { $($field:ident),* $(,)? } else DEFAULT) => {{
        let $ty { $($field),* } = $value;
        let default = &$ty::DEFAULT;
        let mut fields = Vec::new();
        $(
            if *$field != default.$field {
                fields.push((stringify!($field), $crate::emit::literal::ToLiteral::literal($field)));
            }
        )*
        fields
    }};
}
pub(crate) use struct_fields;

/// `Type { a: .., b: .. }`, or with a default `Type { a: .., ..Type::DEFAULT }` (just
/// `Type::DEFAULT` when no field differs).
pub fn struct_literal(
    ty: TokenStream,
    fields: &[(&str, TokenStream)],
    default: Option<TokenStream>,
) -> TokenStream {
    let names = fields
        .iter()
        .map(|(name, _)| Ident::new(name, Span::call_site()));
    let values = fields.iter().map(|(_, value)| value);
    match default {
        // RetryPolicy::DEFAULT
        Some(default) if fields.is_empty() => default,
        // RetryPolicy { max_attempts: 4, ..RetryPolicy::DEFAULT }
        Some(default) => quote!(#ty { #(#names: #values,)* ..#default }),
        // Param { name: Cow::Borrowed("limit"), value: Cow::Borrowed("100") }
        None => quote!(#ty { #(#names: #values),* }),
    }
}

/// A struct literal with only the fields that differ from `Type::DEFAULT` (and no
/// `..Type::DEFAULT` when all do).
macro_rules! defaulted_literal {
    ($value:expr => $ty:ident { $($field:ident),* $(,)? }) => {{
        let fields = $crate::emit::literal::struct_fields!($value => $ty { $($field),* } else DEFAULT);
        // with every field written, `..DEFAULT` would add nothing (clippy's needless_update)
        let all = [$(stringify!($field)),*].len() == fields.len();
        let default = (!all).then(|| quote::quote!($ty::DEFAULT));
        $crate::emit::literal::struct_literal(quote::quote!($ty), &fields, default)
    }};
}
pub(crate) use defaulted_literal;

/// A struct literal with every field.
macro_rules! full_literal {
    ($value:expr => $ty:ident { $($field:ident),* $(,)? }) => {{
        let fields = $crate::emit::literal::struct_fields!($value => $ty { $($field),* });
        $crate::emit::literal::struct_literal(quote::quote!($ty), &fields, None)
    }};
}
pub(crate) use full_literal;

impl ToLiteral for str {
    fn literal(&self) -> TokenStream {
        // Cow::Borrowed("text")
        quote!(Cow::Borrowed(#self))
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
        // Cow::Borrowed(&[item, item])
        quote!(Cow::Borrowed(&[#(#items),*]))
    }
}

impl<T: ToLiteral> ToLiteral for Option<T> {
    fn literal(&self) -> TokenStream {
        match self {
            // Some(value)
            Some(v) => {
                let v = v.literal();
                quote!(Some(#v))
            }
            // None
            None => quote!(None),
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

impl ToLiteral for std::time::Duration {
    fn literal(&self) -> TokenStream {
        if *self == Self::MAX {
            // Duration::MAX (no bound)
            return quote!(::std::time::Duration::MAX);
        }
        let (secs, nanos) = (self.as_secs().literal(), self.subsec_nanos());
        if nanos == 0 {
            // Duration::from_secs(300)
            return quote!(::std::time::Duration::from_secs(#secs));
        }
        let nanos = nanos.literal();
        // Duration::new(1, 500000000)
        quote!(::std::time::Duration::new(#secs, #nanos))
    }
}

impl ToLiteral for Method {
    fn literal(&self) -> TokenStream {
        match self {
            // Method::Get
            Method::Get => quote!(Method::Get),
            // Method::Post
            Method::Post => quote!(Method::Post),
        }
    }
}

impl ToLiteral for LastValueFunc {
    fn literal(&self) -> TokenStream {
        match self {
            // LastValueFunc::Max
            LastValueFunc::Max => quote!(LastValueFunc::Max),
            // LastValueFunc::Min
            LastValueFunc::Min => quote!(LastValueFunc::Min),
        }
    }
}

impl ToLiteral for RowOrder {
    fn literal(&self) -> TokenStream {
        match self {
            // RowOrder::Asc
            RowOrder::Asc => quote!(RowOrder::Asc),
            // RowOrder::Desc
            RowOrder::Desc => quote!(RowOrder::Desc),
        }
    }
}

impl ToLiteral for OnCursorMissing {
    fn literal(&self) -> TokenStream {
        match self {
            // OnCursorMissing::Raise
            OnCursorMissing::Raise => quote!(OnCursorMissing::Raise),
            // OnCursorMissing::Include
            OnCursorMissing::Include => quote!(OnCursorMissing::Include),
            // OnCursorMissing::Exclude
            OnCursorMissing::Exclude => quote!(OnCursorMissing::Exclude),
        }
    }
}

impl ToLiteral for Param {
    fn literal(&self) -> TokenStream {
        // Param { name: Cow::Borrowed("limit"), value: Cow::Borrowed("100") }
        full_literal!(self => Param { name, value })
    }
}

impl ToLiteral for Step {
    fn literal(&self) -> TokenStream {
        match self {
            // Step::Field(Cow::Borrowed("data"))
            Step::Field(name) => {
                let name = name.literal();
                quote!(Step::Field(#name))
            }
            // Step::Index(0)
            Step::Index(i) => {
                let i = i.literal();
                quote!(Step::Index(#i))
            }
            // Step::Wildcard
            Step::Wildcard => quote!(Step::Wildcard),
            // Step::Descendant(Cow::Borrowed("id"))
            Step::Descendant(name) => {
                let name = name.literal();
                quote!(Step::Descendant(#name))
            }
        }
    }
}

impl ToLiteral for Selector {
    fn literal(&self) -> TokenStream {
        // Selector { steps: Cow::Borrowed(&[Step::Field(..)]) }
        full_literal!(self => Selector { steps })
    }
}

impl ToLiteral for AuthChoice {
    fn literal(&self) -> TokenStream {
        match self {
            // AuthChoice::Client
            AuthChoice::Client => quote!(AuthChoice::Client),
            // AuthChoice::None
            AuthChoice::None => quote!(AuthChoice::None),
            // AuthChoice::Endpoint(AuthConfig::..)
            AuthChoice::Endpoint(a) => {
                let a = a.literal();
                quote!(AuthChoice::Endpoint(#a))
            }
        }
    }
}

impl ToLiteral for RetryPolicy {
    fn literal(&self) -> TokenStream {
        // RetryPolicy { max_attempts: 4, retry_statuses: Cow::Borrowed(&[408]), ..RetryPolicy::DEFAULT }
        defaulted_literal!(self => RetryPolicy {
            max_attempts,
            retry_statuses,
            fail_statuses,
            backoff_factor,
            max_delay,
            wait_header,
        })
    }
}

impl ToLiteral for IncrementalConfig {
    fn literal(&self) -> TokenStream {
        // IncrementalConfig { cursor_path: Selector { .. }, cursor_field: .., ..IncrementalConfig::DEFAULT }
        defaulted_literal!(self => IncrementalConfig {
            cursor_path,
            cursor_field,
            initial_value,
            end_value,
            initial_value_config,
            end_value_config,
            start_param,
            end_param,
            last_value_func,
            start_open,
            end_closed,
            on_cursor_value_missing,
            primary_key,
            row_order,
            lag,
            datetime_format,
            cursor_datetime_formats,
            window,
        })
    }
}

impl ToLiteral for WindowConfig {
    fn literal(&self) -> TokenStream {
        // WindowConfig { step: Some(Cow::Borrowed("P1D")), ..WindowConfig::DEFAULT }
        defaulted_literal!(self => WindowConfig {
            step,
            granularity,
            lookback,
        })
    }
}

impl ToLiteral for ResponseAction {
    fn literal(&self) -> TokenStream {
        // ResponseAction { status_code: Some(404), ..ResponseAction::DEFAULT }
        defaulted_literal!(self => ResponseAction {
            status_code,
            content,
            predicate,
            action,
            backoff,
            message,
        })
    }
}

/// The fields of a resource descriptor that differ from `ResourceDescriptor::DEFAULT`, for
/// the caller to share some between resources before [`struct_literal`] writes them.
pub fn resource_fields(d: &ResourceDescriptor) -> Vec<(&'static str, TokenStream)> {
    struct_fields!(d => ResourceDescriptor {
        name,
        method,
        path,
        params,
        headers,
        json_body,
        paginator,
        data_selector,
        auth,
        retry,
        response_actions,
        processing_steps,
        incremental,
        computed,
    } else DEFAULT)
}

impl ToLiteral for PartitionValues {
    fn literal(&self) -> TokenStream {
        match self {
            // PartitionValues::Listed(Cow::Borrowed(&[expr::Literal::Int(2023), ..]))
            PartitionValues::Listed(values) => {
                let values = values.literal();
                quote!(PartitionValues::Listed(#values))
            }
            // PartitionValues::Setting(Cow::Borrowed("years"))
            PartitionValues::Setting(name) => {
                let name = name.literal();
                quote!(PartitionValues::Setting(#name))
            }
        }
    }
}

impl ToLiteral for Computed {
    fn literal(&self) -> TokenStream {
        // Computed { text: Cow::Borrowed("now_utc()"), expr: expr::Expr::Var(expr::Var::Now) }
        full_literal!(self => Computed { text, expr })
    }
}

impl ToLiteral for ResourceDescriptor {
    fn literal(&self) -> TokenStream {
        // ResourceDescriptor { name: .., path: .., ..ResourceDescriptor::DEFAULT }
        struct_literal(
            quote!(ResourceDescriptor),
            &resource_fields(self),
            Some(quote!(ResourceDescriptor::DEFAULT)),
        )
    }
}

impl ToLiteral for ValueSpec {
    fn literal(&self) -> TokenStream {
        // ValueSpec { name: Cow::Borrowed("api_key"), secret: true, required: true }
        full_literal!(self => ValueSpec { name, secret, required })
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

impl ToLiteral for ParentBinding {
    fn literal(&self) -> TokenStream {
        // ParentBinding { arg: Cow::Borrowed("user_id"), field: Selector { .. }, field_name: Cow::Borrowed("id") }
        full_literal!(self => ParentBinding { arg, field, field_name })
    }
}

impl ToLiteral for FanOutDescriptor {
    fn literal(&self) -> TokenStream {
        // FanOutDescriptor { parent: Cow::Borrowed("users"), bindings: Cow::Borrowed(&[..]), ..FanOutDescriptor::DEFAULT }
        defaulted_literal!(self => FanOutDescriptor {
            parent,
            bindings,
            include_from_parent,
            parallelized,
        })
    }
}

impl ToLiteral for ClientSpec {
    fn literal(&self) -> TokenStream {
        // ClientSpec { source: .., base_url: .., auth: .., values: .., headers: .., budget: .. }
        full_literal!(self => ClientSpec { source, base_url, auth, values, headers, budget })
    }
}
