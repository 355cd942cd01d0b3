//! How dlt compares cursor values: numbers exactly by their decimal value (integers beyond
//! 2^53 too), a numeric string as a number, other strings as text (see [`super::time`] for
//! values compared as time).

use std::cmp::Ordering;

use serde_json::Value;

use super::LastValueFunc;
#[cfg(doc)]
use super::exact_value;

/// How `a` compares with `b` in the direction the cursor grows; `None` when they cannot be
/// compared (different types). Numbers compare exactly by their decimal value (integers beyond
/// 2^53, an integer against a float); strings that both hold numbers, or a number and a string
/// holding one (an integer beyond 64 bits, see [`exact_value`]), compare as numbers too.
pub(crate) fn newer(a: &Value, b: &Value, func: LastValueFunc) -> Option<Ordering> {
    let ordering = match (a, b) {
        (Value::String(x), Value::String(y)) => match (Decimal::parse(x), Decimal::parse(y)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => Some(x.cmp(y)),
        },
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => Some(Decimal::of(a)?.cmp(&Decimal::of(b)?)),
    }?;
    Some(match func {
        LastValueFunc::Max => ordering,
        LastValueFunc::Min => ordering.reverse(),
    })
}

/// A finite decimal number as sign, significant digits and the exponent of its first digit,
/// compared exactly: `digits` has no leading or trailing zeros; zero has no digits.
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    /// The power of ten of the first digit, plus one (`123.4` has 3).
    exponent: i64,
}

impl Decimal {
    /// A JSON number, or a string holding one.
    fn of(value: &Value) -> Option<Decimal> {
        match value {
            // serde_json prints integers exactly and floats as their shortest round-trip
            // text, whose decimal order is the floats' order
            Value::Number(n) => Decimal::parse(&n.to_string()),
            Value::String(s) => Decimal::parse(s),
            _ => None,
        }
    }

    /// Parses `[-+]digits[.digits][e[-+]digits]`, surrounding whitespace allowed, as Python's
    /// `float()` reads a numeric string; anything else is not a number.
    fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let all: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
        let lead = all.iter().take_while(|d| **d == 0).count();
        let mut digits = all[lead..].to_vec();
        while digits.last() == Some(&0) {
            digits.pop();
        }
        let int_len = i64::try_from(int.len()).ok()?;
        let lead = i64::try_from(lead).ok()?;
        let exponent = int_len.checked_sub(lead)?.checked_add(exp)?;
        Some(Decimal {
            negative: negative && !digits.is_empty(),
            exponent: if digits.is_empty() { 0 } else { exponent },
            digits,
        })
    }

    fn magnitude_cmp(&self, other: &Decimal) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        self.exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits.cmp(&other.digits))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.magnitude_cmp(other),
            (true, true) => other.magnitude_cmp(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
