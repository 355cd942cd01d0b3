//! The operators and string methods record filters and maps need (`a * b`, `a / b`,
//! `x.lower()`, `x.startswith('a')`, `float(x)`), kept apart from the paging templates' own.

use std::borrow::Cow;

use super::{Func, Value};

/// `func` applied to `a` (and `b`, for the two-operand ones). A string method on a value
/// that is not a string gives `None`, which is falsy, as a filter wants it.
pub(super) fn call<'a>(func: Func, a: Value<'a>, b: Option<Value<'a>>) -> Value<'a> {
    match func {
        Func::Mul | Func::Div => match b {
            Some(b) => multiply(func, a, b),
            None => Value::None,
        },
        Func::Lower | Func::Upper | Func::Trim => match a.resolve() {
            Value::Str(s) => Value::Str(Cow::Owned(match func {
                Func::Lower => s.to_lowercase(),
                Func::Upper => s.to_uppercase(),
                _ => s.trim().to_string(),
            })),
            _ => Value::None,
        },
        Func::StartsWith | Func::EndsWith => {
            let (Value::Str(text), Some(Value::Str(affix))) = (a.resolve(), b.map(Value::resolve))
            else {
                return Value::Bool(false);
            };
            Value::Bool(if func == Func::StartsWith {
                text.starts_with(affix.as_ref())
            } else {
                text.ends_with(affix.as_ref())
            })
        }
        Func::Float => match a.number() {
            Some(Value::Int(i)) => Value::Float(i as f64),
            Some(f @ Value::Float(_)) => f,
            _ => Value::Float(0.0),
        },
        // the paging templates' own functions are evaluated by the caller
        _ => Value::None,
    }
}

/// `a * b` and `a / b` on numbers: integers stay integers under `*` when they fit; `/` is
/// true division (Python 3), and a division by zero is `None`.
fn multiply<'a>(func: Func, a: Value<'a>, b: Value<'a>) -> Value<'a> {
    let float = |v: &Value<'_>| match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    };
    let (Some(x), Some(y)) = (a.number(), b.number()) else {
        return Value::None;
    };
    if func == Func::Mul {
        if let (Value::Int(x), Value::Int(y)) = (&x, &y) {
            return x.checked_mul(*y).map_or(Value::None, Value::Int);
        }
        return finite(float(&x) * float(&y));
    }
    let divisor = float(&y);
    if divisor == 0.0 {
        return Value::None;
    }
    finite(float(&x) / divisor)
}

fn finite(f: f64) -> Value<'static> {
    if f.is_finite() {
        Value::Float(f)
    } else {
        Value::None
    }
}
