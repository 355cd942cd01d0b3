//! Template expressions (`cursor_value`, `stop_condition`) as literals.

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::expr::{CmpOp, Expr, Func, Literal, Var};

use super::ToLiteral;

impl ToLiteral for Expr {
    fn literal(&self) -> TokenStream {
        let path = quote!(expr);
        match self {
            // Expr::Var(Var::Response)
            Expr::Var(var) => {
                let var = match var {
                    Var::Response => quote!(Response),
                    Var::Headers => quote!(Headers),
                    Var::LastRecord => quote!(LastRecord),
                    Var::LastPageSize => quote!(LastPageSize),
                    Var::Record => quote!(Record),
                };
                quote!(#path::Expr::Var(#path::Var::#var))
            }
            // Expr::Lit(Literal::Str(Cow::Borrowed("paging")))
            Expr::Lit(lit) => {
                let lit = match lit {
                    Literal::None => quote!(#path::Literal::None),
                    Literal::Bool(b) => quote!(#path::Literal::Bool(#b)),
                    Literal::Int(i) => {
                        let i = i.literal();
                        quote!(#path::Literal::Int(#i))
                    }
                    Literal::Float(f) => {
                        let f = f.literal();
                        quote!(#path::Literal::Float(#f))
                    }
                    Literal::Str(s) => {
                        let s = s.literal();
                        quote!(#path::Literal::Str(#s))
                    }
                    Literal::EmptyObject => quote!(#path::Literal::EmptyObject),
                    Literal::EmptyList => quote!(#path::Literal::EmptyList),
                };
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
                let func = match func {
                    Func::Length => quote!(Length),
                    Func::ToJson => quote!(ToJson),
                    Func::Str => quote!(Str),
                    Func::Int => quote!(Int),
                    Func::Add => quote!(Add),
                    Func::Sub => quote!(Sub),
                    Func::Mul => quote!(Mul),
                    Func::Div => quote!(Div),
                    Func::Lower => quote!(Lower),
                    Func::Upper => quote!(Upper),
                    Func::Trim => quote!(Trim),
                    Func::StartsWith => quote!(StartsWith),
                    Func::EndsWith => quote!(EndsWith),
                    Func::Float => quote!(Float),
                };
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
