//! Template expressions (`cursor_value`, `stop_condition`) as literals.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use restgen_runtime::expr::{CmpOp, Expr, Literal};

use super::ToLiteral;

impl ToLiteral for Expr {
    fn literal(&self) -> TokenStream {
        let path = quote!(expr);
        match self {
            // Expr::Var(Var::Response)
            Expr::Var(var) => {
                let var = format_ident!("{var:?}");
                quote!(#path::Expr::Var(#path::Var::#var))
            }
            // Expr::Lit(Literal::Str(Cow::Borrowed("paging")))
            Expr::Lit(lit) => {
                let lit = lit.literal();
                quote!(#path::Expr::Lit(#lit))
            }
            // Expr::Get(Cow::Borrowed(&[target, key, default]))
            Expr::Get(ops) => {
                let ops = ops.literal();
                quote!(#path::Expr::Get(#ops))
            }
            // Expr::Not(Cow::Borrowed(&[operand]))
            Expr::Not(ops) => {
                let ops = ops.literal();
                quote!(#path::Expr::Not(#ops))
            }
            // Expr::And(Cow::Borrowed(&[a, b]))
            Expr::And(ops) => {
                let ops = ops.literal();
                quote!(#path::Expr::And(#ops))
            }
            // Expr::Or(Cow::Borrowed(&[a, b]))
            Expr::Or(ops) => {
                let ops = ops.literal();
                quote!(#path::Expr::Or(#ops))
            }
            // Expr::Cmp(CmpOp::Lt, Cow::Borrowed(&[a, b]))
            Expr::Cmp(op, ops) => {
                let op = match op {
                    CmpOp::Eq => quote!(Eq),
                    CmpOp::Ne => quote!(Ne),
                    CmpOp::Lt => quote!(Lt),
                    CmpOp::Le => quote!(Le),
                    CmpOp::Gt => quote!(Gt),
                    CmpOp::Ge => quote!(Ge),
                };
                let ops = ops.literal();
                quote!(#path::Expr::Cmp(#path::CmpOp::#op, #ops))
            }
            // Expr::In(Cow::Borrowed(&[needle, haystack]))
            Expr::In(ops) => {
                let ops = ops.literal();
                quote!(#path::Expr::In(#ops))
            }
            // Expr::Defined(Cow::Borrowed(&[operand]))
            Expr::Defined(ops) => {
                let ops = ops.literal();
                quote!(#path::Expr::Defined(#ops))
            }
            // Expr::Call(Func::Length, Cow::Borrowed(&[operand]))
            Expr::Call(func, ops) => {
                // the variant's own name: `Func::DayDelta`
                let func = format_ident!("{func:?}");
                let ops = ops.literal();
                quote!(#path::Expr::Call(#path::Func::#func, #ops))
            }
            // Expr::List(Cow::Borrowed(&[a, b]))
            Expr::List(ops) => {
                let ops = ops.literal();
                quote!(#path::Expr::List(#ops))
            }
            // Expr::Config(Cow::Borrowed("pages_to_fetch"))
            Expr::Config(name) => {
                let name = name.literal();
                quote!(#path::Expr::Config(#name))
            }
        }
    }
}

impl ToLiteral for Literal {
    fn literal(&self) -> TokenStream {
        let path = quote!(expr);
        match self {
            // Literal::None
            Literal::None => quote!(#path::Literal::None),
            // Literal::Bool(true)
            Literal::Bool(b) => quote!(#path::Literal::Bool(#b)),
            // Literal::Int(2023)
            Literal::Int(i) => {
                let i = i.literal();
                quote!(#path::Literal::Int(#i))
            }
            // Literal::Float(9.5)
            Literal::Float(f) => {
                let f = f.literal();
                quote!(#path::Literal::Float(#f))
            }
            // Literal::Str(Cow::Borrowed("paging"))
            Literal::Str(s) => {
                let s = s.literal();
                quote!(#path::Literal::Str(#s))
            }
            // Literal::EmptyObject
            Literal::EmptyObject => quote!(#path::Literal::EmptyObject),
            // Literal::EmptyList
            Literal::EmptyList => quote!(#path::Literal::EmptyList),
            // Literal::Time(1700000000000000): bound at run time only, emitted as it is
            Literal::Time(t) => {
                let t = t.literal();
                quote!(#path::Literal::Time(#t))
            }
        }
    }
}
