//! The calls a record filter or map needs: list literals, string methods (`.startswith()`,
//! `.lower()`, ...), Python's `len()`, `str()`, `int()`, `float()`, and `*` and `/`; and
//! Airbyte's date macros (`now_utc()`, `day_delta()`, `format_datetime()`, ...) with the
//! methods of their values (`.strftime()`, `.isoformat()`, `.date()`, `.timestamp()`).

use restgen_runtime::expr::{Expr, Func, Literal, Var};

use super::{Parsed, Parser, ops};

/// The functions a template may call by name.
pub(super) const FUNCTIONS: &[&str] = &[
    "len",
    "str",
    "int",
    "float",
    "now_utc",
    "today_utc",
    "today_with_timezone",
    "day_delta",
    "duration",
    "format_datetime",
    "str_to_datetime",
    "timestamp",
    "max",
    "min",
];

/// A call's arguments as written: each with its keyword (`format=`) and offset.
type Arguments = Vec<(Option<String>, Expr, usize)>;

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

    /// After `x.name(`: a string method, or a method of a date value.
    pub(super) fn method(&mut self, target: Expr, name: &str, at: usize) -> Parsed {
        let (func, takes) = match name {
            "startswith" => (Func::StartsWith, 1),
            "endswith" => (Func::EndsWith, 1),
            "lower" => (Func::Lower, 0),
            "upper" => (Func::Upper, 0),
            "strip" => (Func::Trim, 0),
            "strftime" => (Func::Strftime, 1),
            "isoformat" => (Func::Isoformat, 0),
            "date" => (Func::Today, 0),
            "timestamp" => (Func::Timestamp, 0),
            other => {
                return Err((
                    at,
                    format!(
                        "method `{other}` is not supported; use `.get()`, `.startswith()`, \
                         `.endswith()`, `.lower()`, `.upper()`, `.strip()`, `.strftime()`, \
                         `.isoformat()`, `.date()` or `.timestamp()`"
                    ),
                ));
            }
        };
        let args = self.arguments()?;
        if args.len() != takes || args.iter().any(|(k, _, _)| k.is_some()) {
            let what = if takes == 1 {
                "one argument"
            } else {
                "no arguments"
            };
            return Err((at, format!("`.{name}()` takes {what}")));
        }
        let mut operands = vec![target];
        operands.extend(args.into_iter().map(|(_, e, _)| e));
        Ok(Expr::Call(func, ops(operands)))
    }

    /// After a function's name: `len(x)`, `str(x)`, `int(x)`, `float(x)`, and Airbyte's date
    /// macros with their arguments (keywords as Airbyte names them).
    pub(super) fn function(&mut self, name: &str, at: usize) -> Parsed {
        self.expect("(")?;
        let args = self.arguments()?;
        // (the function, its keywords in order, how many it needs)
        let (func, keywords, needs): (Option<Func>, &[&str], usize) = match name {
            "len" => (Some(Func::Length), &["x"], 1),
            "str" => (Some(Func::Str), &["x"], 1),
            "int" => (Some(Func::Int), &["x"], 1),
            "float" => (Some(Func::Float), &["x"], 1),
            "now_utc" => (None, &[], 0),
            "today_utc" => (Some(Func::Today), &[], 0),
            "day_delta" => (Some(Func::DayDelta), &["num_days", "format"], 1),
            "duration" => (Some(Func::Duration), &["datestring"], 1),
            "format_datetime" => (
                Some(Func::FormatDatetime),
                &["dt", "format", "input_format"],
                2,
            ),
            "str_to_datetime" => (Some(Func::StrToDatetime), &["s"], 1),
            "timestamp" => (Some(Func::Timestamp), &["dt"], 1),
            "max" | "min" => {
                if args.is_empty() || args.iter().any(|(k, _, _)| k.is_some()) {
                    return Err((at, format!("`{name}()` takes a list or two values or more")));
                }
                let func = if name == "max" { Func::Max } else { Func::Min };
                return Ok(Expr::Call(
                    func,
                    ops(args.into_iter().map(|(_, e, _)| e).collect()),
                ));
            }
            "today_with_timezone" => {
                return Err((
                    at,
                    "`today_with_timezone()` is not supported: restgen carries no time zone \
                     database; use `today_utc()`"
                        .into(),
                ));
            }
            other => {
                return Err((
                    at,
                    format!(
                        "function `{other}` is not supported; the functions are {}",
                        FUNCTIONS
                            .iter()
                            .filter(|f| **f != "today_with_timezone")
                            .map(|f| format!("`{f}()`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        };
        let operands = place(name, keywords, needs, args, at)?;
        // the run's time is an operand of the functions that read the clock
        let reads_clock = matches!(name, "now_utc" | "today_utc" | "day_delta");
        let mut all = Vec::new();
        if reads_clock {
            all.push(Expr::Var(Var::Now));
        }
        all.extend(operands);
        Ok(match func {
            None => Expr::Var(Var::Now),
            Some(func) => Expr::Call(func, ops(all)),
        })
    }

    /// The arguments of a call up to its `)`: positional, then `name=value` keywords.
    fn arguments(&mut self) -> Result<Arguments, (usize, String)> {
        let mut args = Vec::new();
        while !self.eat(")") {
            if !args.is_empty() {
                self.expect(",")?;
                if self.eat(")") {
                    break;
                }
            }
            let at = self.at();
            let keyword = match (self.peek(), self.peek_text(1)) {
                (Some(t), Some("=")) if t.kind == super::Kind::Ident => {
                    let name = t.text.clone();
                    self.pos += 2;
                    Some(name)
                }
                _ => None,
            };
            if keyword.is_none()
                && args
                    .iter()
                    .any(|(k, _, _): &(Option<String>, _, _)| k.is_some())
            {
                return Err((
                    at,
                    "a positional argument follows a keyword argument".into(),
                ));
            }
            args.push((keyword, self.or_expr()?, at));
        }
        Ok(args)
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

/// The operands of a call to `name` in the order of its `keywords`, checked: no more than it
/// takes, no keyword it does not have or given twice, at least `needs` of them.
fn place(
    name: &str,
    keywords: &[&str],
    needs: usize,
    args: Arguments,
    at: usize,
) -> Result<Vec<Expr>, (usize, String)> {
    let mut slots: Vec<Option<Expr>> = vec![None; keywords.len()];
    for (i, (keyword, expr, arg_at)) in args.into_iter().enumerate() {
        let slot = match &keyword {
            None => i,
            Some(k) => keywords.iter().position(|w| w == k).ok_or_else(|| {
                (
                    arg_at,
                    format!(
                        "`{name}()` has no argument `{k}` (it takes {})",
                        takes(keywords)
                    ),
                )
            })?,
        };
        match slots.get_mut(slot) {
            Some(free @ None) => *free = Some(expr),
            Some(Some(_)) => {
                return Err((
                    arg_at,
                    format!("`{name}()` is given `{}` twice", keywords[slot]),
                ));
            }
            None => {
                return Err((arg_at, format!("`{name}()` takes {}", takes(keywords))));
            }
        }
    }
    let given = slots.iter().take_while(|s| s.is_some()).count();
    if given < needs || slots.iter().skip(given).any(Option::is_some) {
        return Err((at, format!("`{name}()` takes {}", takes(keywords))));
    }
    Ok(slots.into_iter().flatten().collect())
}

/// `no arguments`, or the argument names: `(num_days, format)`.
fn takes(keywords: &[&str]) -> String {
    if keywords.is_empty() {
        "no arguments".into()
    } else {
        format!("the arguments ({})", keywords.join(", "))
    }
}
