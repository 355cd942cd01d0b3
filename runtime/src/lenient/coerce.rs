//! The exact coercions of lenient decoding, after pydantic's lax mode: a value of the wrong
//! JSON type becomes the schema's type only when nothing is lost or guessed.
//!
//! | wanted  | accepted besides its own type                                               |
//! |---------|-----------------------------------------------------------------------------|
//! | boolean | `1`, `0` (also `1.0`, `0.0`); the strings `true false 1 0 yes no on off t f y n`, any case, surrounding whitespace ignored |
//! | integer | a float with zero fraction (`12.0`) that fits; a string of an integer (`"12"`, `" -3 "`, `"12.0"`) that fits |
//! | number  | a string of a finite JSON-style number (`"1.5"`, `"-2e3"`, `" 7 "`)            |
//! | string  | a number or a boolean, as its JSON text (`12` → `"12"`, `true` → `"true"`)   |
//!
//! Deliberately not coerced (pydantic would): a boolean to an integer or a number (`true`
//! where a count is expected is more likely a different meaning than `1`). Nothing else is
//! coerced: objects and arrays never become scalars, and `"nan"`, `"inf"`, `"0x10"` and
//! `"1,5"` are not numbers.

use serde_json::{Number, Value};

/// The scalar types a schema can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// `boolean`
    Bool,
    /// `integer` (an `i64` or `u64`)
    Integer,
    /// `number` (an `f64`)
    Number,
    /// `string`
    String,
    /// `string` with `format: date-time`: coerced as a string (decoding never parses it); an
    /// output that has a timestamp type (Parquet) parses it there.
    Timestamp,
    /// `string` with `format: date`: coerced as a string, like [`Scalar::Timestamp`].
    Date,
}

impl Scalar {
    /// The JSON type coercion works in: a timestamp or a date is a string to it.
    pub const fn json_type(self) -> Scalar {
        match self {
            Scalar::Timestamp | Scalar::Date => Scalar::String,
            other => other,
        }
    }
}

/// What a value is for a scalar type.
#[derive(Debug, Clone, PartialEq)]
pub enum Coercion {
    /// Already of the type.
    Fits,
    /// Not of the type, but exactly this value of it.
    To(Value),
    /// No exact coercion: the value is kept raw.
    No,
}

/// Whether `value` fits `wanted`, or what it exactly coerces to. `null` is `No`: whether a
/// null is accepted is the schema's nullability, not a coercion.
pub fn coerce(wanted: Scalar, value: &Value) -> Coercion {
    match (wanted.json_type(), value) {
        (Scalar::Bool, Value::Bool(_))
        | (Scalar::String, Value::String(_))
        | (Scalar::Number, Value::Number(_)) => Coercion::Fits,
        (Scalar::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => Coercion::Fits,
        (Scalar::Bool, Value::Number(n)) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if x == 1.0 {
                Coercion::To(Value::Bool(true))
            } else if x == 0.0 {
                Coercion::To(Value::Bool(false))
            } else {
                Coercion::No
            }
        }
        (Scalar::Bool, Value::String(s)) => {
            bool_from_str(s).map_or(Coercion::No, |b| Coercion::To(Value::Bool(b)))
        }
        (Scalar::Integer, Value::Number(n)) => n
            .as_f64()
            .and_then(integer_from_f64)
            .map_or(Coercion::No, Coercion::To),
        (Scalar::Integer, Value::String(s)) => {
            integer_from_str(s).map_or(Coercion::No, Coercion::To)
        }
        (Scalar::Number, Value::String(s)) => number_from_str(s).map_or(Coercion::No, Coercion::To),
        (Scalar::String, Value::Number(n)) => Coercion::To(Value::String(n.to_string())),
        (Scalar::String, Value::Bool(b)) => Coercion::To(Value::String(b.to_string())),
        _ => Coercion::No,
    }
}

/// pydantic's boolean strings, case-insensitive.
fn bool_from_str(text: &str) -> Option<bool> {
    let text = text.trim();
    const TRUE: &[&str] = &["true", "1", "yes", "on", "t", "y"];
    const FALSE: &[&str] = &["false", "0", "no", "off", "f", "n"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(text)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(text)) {
        Some(false)
    } else {
        None
    }
}

/// A float with zero fraction that an `i64` (or `u64`) holds exactly.
fn integer_from_f64(x: f64) -> Option<Value> {
    // 2^63 and 2^64 are exact in f64; a value at or past them does not fit.
    const I64_END: f64 = 9_223_372_036_854_775_808.0;
    const U64_END: f64 = 18_446_744_073_709_551_616.0;
    if !x.is_finite() || x.fract() != 0.0 {
        return None;
    }
    if (-I64_END..I64_END).contains(&x) {
        Some(Value::Number(Number::from(x as i64)))
    } else if (0.0..U64_END).contains(&x) {
        Some(Value::Number(Number::from(x as u64)))
    } else {
        None
    }
}

/// An integer written as a string: digits with an optional sign, and an optional fraction of
/// zeros (`"12.00"`), as pydantic reads them.
fn integer_from_str(text: &str) -> Option<Value> {
    let text = text.trim();
    let whole = match text.split_once('.') {
        Some((whole, zeros)) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => whole,
        Some(_) => return None,
        None => text,
    };
    let digits = whole.strip_prefix(['-', '+']).unwrap_or(whole);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole = whole.strip_prefix('+').unwrap_or(whole);
    if let Ok(n) = whole.parse::<i64>() {
        Some(Value::Number(Number::from(n)))
    } else {
        whole
            .parse::<u64>()
            .ok()
            .map(|n| Value::Number(Number::from(n)))
    }
}

/// A finite number written as a string, in JSON's number syntax (a leading `+` allowed).
fn number_from_str(text: &str) -> Option<Value> {
    let text = text.trim();
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    // JSON's own parser decides what is a number: no `nan`, `inf`, hex or `1_000`.
    match serde_json::from_str::<Value>(unsigned) {
        // serde_json refuses what does not fit an f64 (`1e999`), so the number is finite
        Ok(Value::Number(n)) => Some(Value::Number(n)),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn to(value: Value) -> Coercion {
        Coercion::To(value)
    }

    #[test]
    fn booleans() {
        for (input, want) in [
            (json!(true), Coercion::Fits),
            (json!(1), to(json!(true))),
            (json!(0), to(json!(false))),
            (json!(1.0), to(json!(true))),
            (json!("true"), to(json!(true))),
            (json!("FALSE"), to(json!(false))),
            (json!("1"), to(json!(true))),
            (json!("0"), to(json!(false))),
            (json!(" yes "), to(json!(true))),
            (json!("No"), to(json!(false))),
            (json!("on"), to(json!(true))),
            (json!("off"), to(json!(false))),
            (json!("t"), to(json!(true))),
            (json!("f"), to(json!(false))),
            (json!("Y"), to(json!(true))),
            (json!("n"), to(json!(false))),
        ] {
            assert_eq!(coerce(Scalar::Bool, &input), want, "{input}");
        }
        for input in [
            json!(2),
            json!(-1),
            json!(0.5),
            json!("2"),
            json!("yes please"),
            json!(""),
            json!([true]),
            json!({"a": true}),
            json!(null),
        ] {
            assert_eq!(coerce(Scalar::Bool, &input), Coercion::No, "{input}");
        }
    }

    #[test]
    fn integers() {
        for (input, want) in [
            (json!(12), Coercion::Fits),
            (json!(u64::MAX), Coercion::Fits),
            (json!(12.0), to(json!(12))),
            (json!(-3.0), to(json!(-3))),
            (json!("12"), to(json!(12))),
            (json!(" -3 "), to(json!(-3))),
            (json!("+7"), to(json!(7))),
            (json!("12.00"), to(json!(12))),
            (json!("18446744073709551615"), to(json!(u64::MAX))),
            (json!(1e18), to(json!(1_000_000_000_000_000_000_i64))),
        ] {
            assert_eq!(coerce(Scalar::Integer, &input), want, "{input}");
        }
        for input in [
            json!(12.5),
            json!("12.5"),
            json!("1e3"),
            json!("twelve"),
            json!(""),
            json!("-"),
            json!("18446744073709551616"),
            json!(1e30),
            json!(true),
            json!([1]),
            json!({"n": 1}),
            json!(null),
            json!("0x10"),
            json!("1_000"),
        ] {
            assert_eq!(coerce(Scalar::Integer, &input), Coercion::No, "{input}");
        }
    }

    #[test]
    fn numbers() {
        for (input, want) in [
            (json!(1.5), Coercion::Fits),
            (json!(3), Coercion::Fits),
            (json!("1.5"), to(json!(1.5))),
            (json!(" -2e3 "), to(json!(-2000.0))),
            (json!("+7"), to(json!(7))),
            (json!("7"), to(json!(7))),
        ] {
            assert_eq!(coerce(Scalar::Number, &input), want, "{input}");
        }
        for input in [
            json!("nan"),
            json!("inf"),
            json!("1,5"),
            json!("0x10"),
            json!(""),
            json!("1.5 kg"),
            json!(true),
            json!([1.5]),
            json!({}),
            json!(null),
            json!("1e999"),
        ] {
            assert_eq!(coerce(Scalar::Number, &input), Coercion::No, "{input}");
        }
    }

    #[test]
    fn strings() {
        for (input, want) in [
            (json!("x"), Coercion::Fits),
            (json!(12), to(json!("12"))),
            (json!(-1.5), to(json!("-1.5"))),
            (json!(true), to(json!("true"))),
            (json!(false), to(json!("false"))),
        ] {
            assert_eq!(coerce(Scalar::String, &input), want, "{input}");
        }
        for input in [json!({"a": "b"}), json!(["a"]), json!(null)] {
            assert_eq!(coerce(Scalar::String, &input), Coercion::No, "{input}");
        }
    }

    /// A timestamp or a date decodes exactly as a string: a text that is not one is still
    /// the field's value (an output with a timestamp type deals with it), never moved aside.
    #[test]
    fn timestamps_and_dates_coerce_as_strings() {
        for input in [
            json!("2024-03-01T12:00:00+02:00"),
            json!("2024-03-01"),
            json!("yesterday"),
            json!(12),
            json!(true),
            json!({"a": "b"}),
            json!(["a"]),
            json!(null),
        ] {
            let want = coerce(Scalar::String, &input);
            assert_eq!(coerce(Scalar::Timestamp, &input), want, "{input}");
            assert_eq!(coerce(Scalar::Date, &input), want, "{input}");
        }
    }
}
