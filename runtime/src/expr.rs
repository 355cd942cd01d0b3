//! The compiled form of the seed dialect's `{{ ... }}` templates (`cursor_value`,
//! `stop_condition`) and their evaluation over a page. The generator parses and checks the
//! template text; at run time only this small tree is walked, reading the page lazily.

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::descriptor::{List, Text};
use crate::selector::{RawKind, array_items, object_fields, raw_kind};

/// A name a template can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// The decoded response body.
    Response,
    /// The response headers, looked up case-insensitively.
    Headers,
    /// The last record of the page (`None` on an empty page).
    LastRecord,
    /// The number of records on the page.
    LastPageSize,
}

/// A literal in a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `None` / `null`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(Text),
    /// `{}`.
    EmptyObject,
    /// `[]`.
    EmptyList,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A compiled template expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A variable.
    Var(Var),
    /// A literal.
    Lit(Literal),
    /// `x.get(k)`, `x.get(k, default)`, `x[k]` or `x.k`: operands `[x, k]` or `[x, k, default]`.
    /// A missing key gives the default (or `None`), as Jinja's undefined does.
    Get(List<Expr>),
    /// `not x`: operand `[x]`.
    Not(List<Expr>),
    /// `a and b and ...`: Python semantics, the deciding operand is the result.
    And(List<Expr>),
    /// `a or b or ...`.
    Or(List<Expr>),
    /// `a <op> b`: operands `[a, b]`.
    Cmp(CmpOp, List<Expr>),
}

/// What a template sees of one page.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The body, if it was JSON.
    pub response: Option<&'a RawValue>,
    /// The response headers.
    pub headers: &'a http::HeaderMap,
    /// The last record of the page.
    pub last_record: Option<&'a RawValue>,
    /// Records on the page.
    pub last_page_size: usize,
}

/// A value during evaluation: raw JSON from the page, or a value computed by the template.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    /// A part of the page, not yet parsed.
    Raw(&'a RawValue),
    /// `None`.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(Cow<'a, str>),
    /// An empty object literal.
    EmptyObject,
    /// An empty list literal.
    EmptyList,
    /// The header map.
    Headers(&'a http::HeaderMap),
}

impl<'a> Value<'a> {
    /// Parses a raw scalar into its value; objects and arrays stay raw.
    fn resolve(self) -> Value<'a> {
        match self {
            Value::Raw(raw) => match raw_kind(raw) {
                RawKind::Null => Value::None,
                RawKind::Bool => Value::Bool(raw.get().trim() == "true"),
                RawKind::String => serde_json::from_str::<Cow<'a, str>>(raw.get())
                    .map(Value::Str)
                    .unwrap_or(Value::None),
                RawKind::Number => {
                    let text = raw.get().trim();
                    text.parse::<i64>().map(Value::Int).unwrap_or_else(|_| {
                        text.parse::<f64>().map(Value::Float).unwrap_or(Value::None)
                    })
                }
                RawKind::Object | RawKind::Array => Value::Raw(raw),
            },
            other => other,
        }
    }

    /// Python truthiness: `None`, `False`, `0`, `""`, `{}` and `[]` are false.
    pub fn truthy(&self) -> bool {
        match self.clone().resolve() {
            Value::None | Value::EmptyObject | Value::EmptyList => false,
            Value::Bool(b) => b,
            Value::Int(i) => i != 0,
            Value::Float(f) => f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Headers(h) => !h.is_empty(),
            Value::Raw(raw) => match raw_kind(raw) {
                RawKind::Object => object_fields(raw).is_some_and(|f| !f.is_empty()),
                RawKind::Array => array_items(raw).is_some_and(|i| !i.is_empty()),
                _ => true,
            },
        }
    }

    /// The value as a request parameter: strings as they are, numbers and booleans in JSON
    /// form, objects as JSON text; `None` for a falsy value, which ends paging.
    pub fn into_cursor(self) -> Option<String> {
        if !self.truthy() {
            return None;
        }
        Some(match self.resolve() {
            Value::Str(s) => s.into_owned(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Raw(raw) => raw.get().trim().to_string(),
            Value::None | Value::EmptyObject | Value::EmptyList | Value::Headers(_) => {
                return None;
            }
        })
    }

    /// The value as JSON, for a cursor that keeps its type (a number stays a number in a JSON
    /// body); `None` for a falsy value, which ends paging.
    pub fn into_json(self) -> Option<serde_json::Value> {
        if !self.truthy() {
            return None;
        }
        match self.resolve() {
            Value::Str(s) => Some(serde_json::Value::String(s.into_owned())),
            Value::Int(i) => Some(serde_json::Value::from(i)),
            Value::Float(f) => serde_json::Number::from_f64(f).map(serde_json::Value::Number),
            Value::Bool(b) => Some(serde_json::Value::Bool(b)),
            Value::Raw(raw) => serde_json::from_str(raw.get()).ok(),
            Value::None | Value::EmptyObject | Value::EmptyList | Value::Headers(_) => None,
        }
    }

    fn get(self, key: &Value<'a>) -> Option<Value<'a>> {
        match self.resolve() {
            Value::Raw(raw) => match (raw_kind(raw), key.clone().resolve()) {
                (RawKind::Object, Value::Str(k)) => object_fields(raw)?
                    .into_iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| Value::Raw(v)),
                (RawKind::Array, Value::Int(i)) => {
                    let items = array_items(raw)?;
                    let len = items.len() as i64;
                    let at = if i < 0 { len + i } else { i };
                    usize::try_from(at)
                        .ok()
                        .and_then(|at| items.get(at).copied())
                        .map(Value::Raw)
                }
                _ => None,
            },
            Value::Headers(headers) => match key.clone().resolve() {
                Value::Str(k) => headers
                    .get(k.as_ref())
                    .and_then(|v| v.to_str().ok())
                    .map(|v| Value::Str(Cow::Owned(v.to_string()))),
                _ => None,
            },
            _ => None,
        }
    }
}

fn literal(lit: &Literal) -> Value<'_> {
    match lit {
        Literal::None => Value::None,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Str(s) => Value::Str(Cow::Borrowed(s.as_ref())),
        Literal::EmptyObject => Value::EmptyObject,
        Literal::EmptyList => Value::EmptyList,
    }
}

impl Expr {
    /// Evaluates the expression over a page.
    pub fn eval<'a>(&'a self, scope: &Scope<'a>) -> Value<'a> {
        match self {
            Expr::Var(Var::Response) => scope.response.map_or(Value::None, Value::Raw),
            Expr::Var(Var::Headers) => Value::Headers(scope.headers),
            Expr::Var(Var::LastRecord) => scope.last_record.map_or(Value::None, Value::Raw),
            Expr::Var(Var::LastPageSize) => {
                Value::Int(i64::try_from(scope.last_page_size).unwrap_or(i64::MAX))
            }
            Expr::Lit(lit) => literal(lit),
            Expr::Get(operands) => {
                let (Some(target), Some(key)) = (operands.first(), operands.get(1)) else {
                    return Value::None;
                };
                let key = key.eval(scope);
                target.eval(scope).get(&key).unwrap_or_else(|| {
                    operands
                        .get(2)
                        .map_or(Value::None, |default| default.eval(scope))
                })
            }
            Expr::Not(operands) => {
                Value::Bool(!operands.first().is_some_and(|x| x.eval(scope).truthy()))
            }
            Expr::And(operands) => {
                let mut last = Value::Bool(true);
                for operand in operands.iter() {
                    last = operand.eval(scope);
                    if !last.truthy() {
                        break;
                    }
                }
                last
            }
            Expr::Or(operands) => {
                let mut last = Value::Bool(false);
                for operand in operands.iter() {
                    last = operand.eval(scope);
                    if last.truthy() {
                        break;
                    }
                }
                last
            }
            Expr::Cmp(op, operands) => {
                let (Some(a), Some(b)) = (operands.first(), operands.get(1)) else {
                    return Value::Bool(false);
                };
                Value::Bool(compare(*op, a.eval(scope), b.eval(scope)))
            }
        }
    }
}

fn compare(op: CmpOp, a: Value<'_>, b: Value<'_>) -> bool {
    use std::cmp::Ordering;
    let ordering = match (a.resolve(), b.resolve()) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(&y)),
        (Value::Int(x), Value::Float(y)) => (x as f64).partial_cmp(&y),
        (Value::Float(x), Value::Int(y)) => x.partial_cmp(&(y as f64)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(&y),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(&y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(&y)),
        (Value::None, Value::None) => Some(Ordering::Equal),
        (Value::Raw(x), Value::Raw(y)) => (x.get() == y.get()).then_some(Ordering::Equal),
        (Value::EmptyObject, other) | (other, Value::EmptyObject) => {
            is_empty(&other, RawKind::Object).then_some(Ordering::Equal)
        }
        (Value::EmptyList, other) | (other, Value::EmptyList) => {
            is_empty(&other, RawKind::Array).then_some(Ordering::Equal)
        }
        _ => None,
    };
    match op {
        CmpOp::Eq => ordering == Some(Ordering::Equal),
        CmpOp::Ne => ordering != Some(Ordering::Equal),
        CmpOp::Lt => ordering == Some(Ordering::Less),
        CmpOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => ordering == Some(Ordering::Greater),
        CmpOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
    }
}

fn is_empty(value: &Value<'_>, kind: RawKind) -> bool {
    match value {
        Value::Raw(raw) => raw_kind(raw) == kind && !value.truthy(),
        Value::EmptyObject => kind == RawKind::Object,
        Value::EmptyList => kind == RawKind::Array,
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn b(e: Expr) -> List<Expr> {
        Cow::Owned(vec![e])
    }
    fn get(target: Expr, key: &'static str, default: Option<Expr>) -> Expr {
        let mut ops = vec![target, Expr::Lit(Literal::Str(key.into()))];
        ops.extend(default);
        Expr::Get(Cow::Owned(ops))
    }

    fn scope<'a>(body: &'a RawValue, headers: &'a http::HeaderMap) -> Scope<'a> {
        Scope {
            response: Some(body),
            headers,
            last_record: None,
            last_page_size: 0,
        }
    }

    #[test]
    fn paging_next_template() {
        // response.get("paging", {}).get("next", {})
        let e = get(
            get(
                Expr::Var(Var::Response),
                "paging",
                Some(Expr::Lit(Literal::EmptyObject)),
            ),
            "next",
            Some(Expr::Lit(Literal::EmptyObject)),
        );
        let headers = http::HeaderMap::new();
        let body: &RawValue =
            serde_json::from_str(r#"{"paging":{"next":"https://x/y?offset=2"}}"#).unwrap();
        assert_eq!(
            e.eval(&scope(body, &headers)).into_cursor().as_deref(),
            Some("https://x/y?offset=2")
        );
        let end: &RawValue = serde_json::from_str(r#"{"paging":{"first":"a"}}"#).unwrap();
        assert_eq!(e.eval(&scope(end, &headers)).into_cursor(), None);
        let not = Expr::Not(b(e));
        assert!(not.eval(&scope(end, &headers)).truthy());
    }

    #[test]
    fn has_more_missing_is_falsy() {
        let e = Expr::Not(b(get(
            Expr::Var(Var::Response),
            "has_more",
            Some(Expr::Lit(Literal::EmptyObject)),
        )));
        let headers = http::HeaderMap::new();
        let more: &RawValue = serde_json::from_str(r#"{"has_more":true}"#).unwrap();
        let done: &RawValue = serde_json::from_str(r#"{"has_more":false}"#).unwrap();
        let missing: &RawValue = serde_json::from_str(r#"{}"#).unwrap();
        assert!(!e.eval(&scope(more, &headers)).truthy());
        assert!(e.eval(&scope(done, &headers)).truthy());
        assert!(e.eval(&scope(missing, &headers)).truthy());
    }

    #[test]
    fn into_json_keeps_types_and_drops_falsy() {
        let headers = http::HeaderMap::new();
        let body: &RawValue =
            serde_json::from_str(r#"{"n":42,"s":"t","f":1.5,"o":{"a":1},"z":0,"e":""}"#).unwrap();
        let s = scope(body, &headers);
        let at = |k: &'static str| get(Expr::Var(Var::Response), k, None).eval(&s).into_json();
        assert_eq!(at("n"), Some(serde_json::json!(42)));
        assert_eq!(at("s"), Some(serde_json::json!("t")));
        assert_eq!(at("f"), Some(serde_json::json!(1.5)));
        assert_eq!(at("o"), Some(serde_json::json!({"a": 1})));
        assert_eq!(at("z"), None);
        assert_eq!(at("e"), None);
        assert_eq!(at("missing"), None);
    }

    #[test]
    fn comparisons_and_headers() {
        let mut headers = http::HeaderMap::new();
        headers.insert("X-Next", http::HeaderValue::from_static("abc"));
        let body: &RawValue = serde_json::from_str(r#"{"n":3}"#).unwrap();
        let s = scope(body, &headers);
        let lt = Expr::Cmp(
            CmpOp::Lt,
            Cow::Owned(vec![
                get(Expr::Var(Var::Response), "n", None),
                Expr::Lit(Literal::Int(5)),
            ]),
        );
        assert!(lt.eval(&s).truthy());
        let h = get(Expr::Var(Var::Headers), "x-next", None);
        assert_eq!(h.eval(&s).into_cursor().as_deref(), Some("abc"));
    }
}
