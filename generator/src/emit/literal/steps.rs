//! Processing steps and response rules as literals.

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::descriptor::{
    AddField, Backoff, FieldValue, ProcessingStep, RecordEdit, Rename, RuleAction,
};

use super::{ToLiteral, defaulted_literal, full_literal};

impl ToLiteral for ProcessingStep {
    fn literal(&self) -> TokenStream {
        match self {
            // ProcessingStep::Filter(expr::Expr::Cmp(..))
            ProcessingStep::Filter(expr) => {
                let expr = expr.literal();
                quote!(ProcessingStep::Filter(#expr))
            }
            // ProcessingStep::Map(RecordEdit { remove: .., ..RecordEdit::DEFAULT })
            ProcessingStep::Map(edit) => {
                let edit = edit.literal();
                quote!(ProcessingStep::Map(#edit))
            }
        }
    }
}

impl ToLiteral for RecordEdit {
    fn literal(&self) -> TokenStream {
        // RecordEdit { add: Cow::Borrowed(&[..]), ..RecordEdit::DEFAULT }
        defaulted_literal!(self => RecordEdit { remove, rename, add })
    }
}

impl ToLiteral for Rename {
    fn literal(&self) -> TokenStream {
        // Rename { from: Cow::Borrowed("n"), to: Cow::Borrowed("count") }
        full_literal!(self => Rename { from, to })
    }
}

impl ToLiteral for AddField {
    fn literal(&self) -> TokenStream {
        // AddField { path: Cow::Borrowed(&[Cow::Borrowed("source")]), value: FieldValue::Json(..) }
        full_literal!(self => AddField { path, value })
    }
}

impl ToLiteral for FieldValue {
    fn literal(&self) -> TokenStream {
        match self {
            // FieldValue::Json(Cow::Borrowed("\"api\""))
            FieldValue::Json(text) => {
                let text = text.literal();
                quote!(FieldValue::Json(#text))
            }
            // FieldValue::Expr(expr::Expr::Var(expr::Var::Record))
            FieldValue::Expr(expr) => {
                let expr = expr.literal();
                quote!(FieldValue::Expr(#expr))
            }
        }
    }
}

impl ToLiteral for RuleAction {
    fn literal(&self) -> TokenStream {
        match self {
            // RuleAction::Ignore
            RuleAction::Ignore => quote!(RuleAction::Ignore),
            // RuleAction::Retry
            RuleAction::Retry => quote!(RuleAction::Retry),
            // RuleAction::RateLimited
            RuleAction::RateLimited => quote!(RuleAction::RateLimited),
            // RuleAction::Fail
            RuleAction::Fail => quote!(RuleAction::Fail),
        }
    }
}

impl ToLiteral for Backoff {
    fn literal(&self) -> TokenStream {
        match self {
            // Backoff::Constant { secs: 2.0 }
            Backoff::Constant { secs } => {
                let secs = secs.literal();
                quote!(Backoff::Constant { secs: #secs })
            }
            // Backoff::Exponential { factor: 5.0 }
            Backoff::Exponential { factor } => {
                let factor = factor.literal();
                quote!(Backoff::Exponential { factor: #factor })
            }
            // Backoff::Header { name: Cow::Borrowed("Retry-After") }
            Backoff::Header { name } => {
                let name = name.literal();
                quote!(Backoff::Header { name: #name })
            }
        }
    }
}
