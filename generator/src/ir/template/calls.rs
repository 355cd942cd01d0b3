//! The calls a record filter or map needs: list literals, string methods (`.startswith()`,
//! `.lower()`, ...), Python's `len()`, `str()`, `int()`, `float()`, and `*` and `/`.

use restgen_runtime::expr::{Expr, Func, Literal};

use super::{Parsed, Parser, ops};

/// The functions a template may call by name.
pub(super) const FUNCTIONS: &[&str] = &["len", "str", "int", "float"];

impl Parser {
    /// `a * b / c`: binds tighter than `+` and `-`, looser than filters.
    pub(super) fn product(&mut self) -> Parsed {
        let open = self.nesting;
        let mut expr = self.filtered()?;
        loop {
            let func = match self.peek_text(0) {
                Some("*") => Func::Mul,
                Some("/") => Func::Div,
                _ => {
                    self.nesting = open;
                    return Ok(expr);
                }
            };
            self.pos += 1;
            self.descend()?;
            let right = self.filtered()?;
            expr = Expr::Call(func, ops(vec![expr, right]));
        }
    }

    /// After `x.name(`: a string method.
    pub(super) fn method(&mut self, target: Expr, name: &str, at: usize) -> Parsed {
        let (func, takes) = match name {
            "startswith" => (Func::StartsWith, 1),
            "endswith" => (Func::EndsWith, 1),
            "lower" => (Func::Lower, 0),
            "upper" => (Func::Upper, 0),
            "strip" => (Func::Trim, 0),
            other => {
                return Err((
                    at,
                    format!(
                        "method `{other}` is not supported; use `.get()`, `.startswith()`, \
                         `.endswith()`, `.lower()`, `.upper()` or `.strip()`"
                    ),
                ));
            }
        };
        let mut operands = vec![target];
        if takes == 1 {
            operands.push(self.or_expr()?);
        }
        self.expect(")")?;
        Ok(Expr::Call(func, ops(operands)))
    }

    /// After a function's name: `len(x)`, `str(x)`, `int(x)`, `float(x)`.
    pub(super) fn function(&mut self, name: &str, at: usize) -> Parsed {
        self.expect("(")?;
        let argument = self.or_expr()?;
        self.expect(")")?;
        let func = match name {
            "len" => Func::Length,
            "str" => Func::Str,
            "int" => Func::Int,
            "float" => Func::Float,
            other => return Err((at, format!("function `{other}` is not supported"))),
        };
        Ok(Expr::Call(func, ops(vec![argument])))
    }

    /// After `[`: `[]`, or a list of values `[a, b]`.
    pub(super) fn list(&mut self) -> Parsed {
        if self.eat("]") {
            return Ok(Expr::Lit(Literal::EmptyList));
        }
        let mut items = vec![self.or_expr()?];
        while self.eat(",") {
            if self.peek_text(0) == Some("]") {
                break;
            }
            items.push(self.or_expr()?);
        }
        self.expect("]")?;
        Ok(Expr::List(ops(items)))
    }
}
