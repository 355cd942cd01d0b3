//! The compiled form of the seed dialect's `{{ ... }}` templates (`cursor_value`,
//! `stop_condition`) and their evaluation over a page. The generator parses and checks the
//! template text; at run time only this small tree is walked, reading the page lazily.

pub mod dates;
mod extra;
pub mod links;
pub mod request;
mod value;

use std::borrow::Cow;

use serde_json::value::RawValue;

pub use value::Value;

use crate::descriptor::{List, Text};

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
    /// The record a processing step or response rule is looking at (`record`).
    Record,
    /// The time of the run (`now_utc()`), fixed when a request starts
    /// ([`Expr::with_now`]); the system clock where nothing fixed it.
    Now,
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
    /// A number with a fraction (`9.5`).
    Float(f64),
    /// A string.
    Str(Text),
    /// `{}`.
    EmptyObject,
    /// `[]`.
    EmptyList,
    /// A UTC instant in microseconds since the Unix epoch: the run's `now_utc()`, bound when a
    /// request starts ([`Expr::with_now`]).
    Time(i64),
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
    /// `a in b`: operands `[a, b]`; a key of an object, an item of a list, a substring.
    In(List<Expr>),
    /// `x is defined` (Jinja): operand `[x]`; true when `x` is there, even as `null`.
    Defined(List<Expr>),
    /// A filter or an operator on values: `x | length`, `a - b`.
    Call(Func, List<Expr>),
    /// `config['name']`: a setting of the client, bound when a request starts
    /// ([`Expr::with_config`]); `None` until then.
    Config(Text),
    /// `[a, b, c]`: a list of values, for `x in ['a', 'b']`.
    List(List<Expr>),
}

/// A filter or operator of [`Expr::Call`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `x | length`: the length of a string, object or list.
    Length,
    /// `x | tojson`: the value as JSON text.
    ToJson,
    /// `x | string`: the value as Python's `str()` shows it.
    Str,
    /// `x | int`: the value as an integer (0 when it is none).
    Int,
    /// `a + b`: numbers added, strings joined.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`: numbers multiplied.
    Mul,
    /// `a / b`: true division, as Python's `/` (none when `b` is 0).
    Div,
    /// `x | lower`, `x.lower()`.
    Lower,
    /// `x | upper`, `x.upper()`.
    Upper,
    /// `x.strip()`, `x | trim`.
    Trim,
    /// `x.startswith(prefix)`: operands `[x, prefix]`.
    StartsWith,
    /// `x.endswith(suffix)`: operands `[x, suffix]`.
    EndsWith,
    /// `x | float`, `float(x)`.
    Float,
    /// `today_utc()` (operand `[now]`) and `x.date()`: the date of a datetime.
    Today,
    /// `day_delta(days, format=..)`: operands `[now, days, format?]`; the run's time plus
    /// `days` days, written in `format` (Airbyte's default `%Y-%m-%dT%H:%M:%S.%f%z`).
    DayDelta,
    /// `duration('P1D')`: an ISO 8601 duration.
    Duration,
    /// `format_datetime(x, format, input_format=..)`: a datetime, date string or epoch
    /// written in `format`.
    FormatDatetime,
    /// `str_to_datetime(s)`: a string read as a UTC datetime.
    StrToDatetime,
    /// `timestamp(x)`, `x.timestamp()`: epoch seconds.
    Timestamp,
    /// `max(a, b, ..)` or `max(list)`.
    Max,
    /// `min(a, b, ..)` or `min(list)`.
    Min,
    /// `x.strftime(format)`: operands `[x, format]`.
    Strftime,
    /// `x.isoformat()`.
    Isoformat,
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
    /// The record a processing step or a response rule looks at.
    pub record: Option<&'a RawValue>,
}

/// What a request run fixes, as it starts, in every template of its resource: the client's
/// settings (`config['name']`) and the time of the client's clock (`now_utc()`). One run reads
/// one instant everywhere — request values, the paginator, processing steps, response rules —
/// and a client built with `.clock(..)` is followed by all of them.
pub struct RunValues<'a> {
    /// A setting's value; `None` when the client has none.
    pub setting: &'a dyn Fn(&str) -> Option<String>,
    /// The time of the client's clock when the run started.
    pub now: chrono::DateTime<chrono::Utc>,
}

impl<'a> Scope<'a> {
    /// The scope of a request being made: no page, no record, nothing but settings and the
    /// run's time to read (`{expr: ..}` request values).
    pub fn without_page(headers: &'a http::HeaderMap) -> Scope<'a> {
        Scope {
            response: None,
            headers,
            last_record: None,
            last_page_size: 0,
            record: None,
        }
    }

    /// The scope of a processing step: one record, nothing of the page.
    pub fn of_record(record: &'a RawValue, headers: &'a http::HeaderMap) -> Scope<'a> {
        Scope {
            response: None,
            headers,
            last_record: None,
            last_page_size: 0,
            record: Some(record),
        }
    }
}

impl Literal {
    /// The literal as JSON (`None` as `null`, a time as Python's `str()` of it).
    pub fn to_json(&self) -> serde_json::Value {
        literal(self).to_json().unwrap_or_default()
    }
}

fn literal(lit: &Literal) -> Value<'_> {
    match lit {
        Literal::None => Value::None,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(f) => Value::Float(*f),
        Literal::Str(s) => Value::Str(Cow::Borrowed(s.as_ref())),
        Literal::EmptyObject => Value::EmptyObject,
        Literal::EmptyList => Value::EmptyList,
        Literal::Time(micros) => {
            chrono::DateTime::from_timestamp_micros(*micros).map_or(Value::None, Value::DateTime)
        }
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
            Expr::Var(Var::Record) => scope.record.map_or(Value::None, Value::Raw),
            Expr::Var(Var::Now) => Value::DateTime(chrono::Utc::now()),
            Expr::Lit(lit) => literal(lit),
            Expr::Config(_) => Value::None,
            Expr::List(items) => Value::Owned(serde_json::Value::Array(
                items
                    .iter()
                    .map(|item| item.eval(scope).to_json().unwrap_or_default())
                    .collect(),
            )),
            Expr::Get(operands) => self.lookup(operands, scope).unwrap_or_else(|| {
                operands
                    .get(2)
                    .map_or(Value::None, |default| default.eval(scope))
            }),
            Expr::Defined(operands) => Value::Bool(match operands.first() {
                Some(Expr::Get(inner)) => self.lookup(inner, scope).is_some(),
                Some(other) => !matches!(other.eval(scope).resolve(), Value::None),
                None => false,
            }),
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
                Value::Bool(value::compare(*op, a.eval(scope), b.eval(scope)))
            }
            Expr::In(operands) => {
                let (Some(needle), Some(haystack)) = (operands.first(), operands.get(1)) else {
                    return Value::Bool(false);
                };
                Value::Bool(haystack.eval(scope).contains(needle.eval(scope)))
            }
            Expr::Call(func, operands) => call(*func, operands, scope),
        }
    }

    /// `target[key]` of a `Get`'s operands, `None` when the key is missing.
    fn lookup<'a>(&'a self, operands: &'a [Expr], scope: &Scope<'a>) -> Option<Value<'a>> {
        let (target, key) = (operands.first()?, operands.get(1)?);
        let key = key.eval(scope);
        target.eval(scope).get(&key)
    }

    /// The names of the settings the expression reads (`config['name']`).
    pub fn settings(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Config(name) = e {
                out.push(name.as_ref());
            }
        });
        out
    }

    /// Calls `f` on this expression and every one inside it.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        for op in self.operands() {
            op.visit(f);
        }
    }

    /// The expressions directly inside this one; none for a variable, literal or setting.
    pub fn operands(&self) -> &[Expr] {
        match self {
            Expr::Var(_) | Expr::Lit(_) | Expr::Config(_) => &[],
            Expr::Get(ops)
            | Expr::Not(ops)
            | Expr::And(ops)
            | Expr::Or(ops)
            | Expr::Cmp(_, ops)
            | Expr::In(ops)
            | Expr::Defined(ops)
            | Expr::List(ops)
            | Expr::Call(_, ops) => ops,
        }
    }

    /// The expression as a request run reads it: the run's settings and time bound
    /// ([`RunValues`]).
    pub fn for_run(&self, run: &RunValues<'_>) -> Expr {
        self.with_config(run.setting).with_now(run.now)
    }

    /// Whether a request run binds anything in the expression: a setting or the time.
    pub fn reads_run(&self) -> bool {
        !self.settings().is_empty() || self.reads_now()
    }

    /// The expression with every `config['name']` replaced by the setting's value (`None`
    /// when the client has none), as a request starts.
    pub fn with_config(&self, setting: &dyn Fn(&str) -> Option<String>) -> Expr {
        self.replace(&|e| match e {
            Expr::Config(name) => Some(Expr::Lit(match setting(name) {
                Some(value) => Literal::Str(Cow::Owned(value)),
                None => Literal::None,
            })),
            _ => None,
        })
    }

    /// The expression with the run's time (`now_utc()`, `today_utc()`, `day_delta()`) fixed
    /// at `now`, so every use in one request run reads the same instant.
    pub fn with_now(&self, now: chrono::DateTime<chrono::Utc>) -> Expr {
        self.replace(&|e| {
            matches!(e, Expr::Var(Var::Now))
                .then(|| Expr::Lit(Literal::Time(now.timestamp_micros())))
        })
    }

    /// Whether the expression reads the run's time.
    pub fn reads_now(&self) -> bool {
        let mut found = false;
        self.visit(&mut |e| found |= matches!(e, Expr::Var(Var::Now)));
        found
    }

    /// The expression with each part `swap` gives a replacement for replaced.
    fn replace(&self, swap: &dyn Fn(&Expr) -> Option<Expr>) -> Expr {
        if let Some(new) = swap(self) {
            return new;
        }
        let map = |ops: &List<Expr>| -> List<Expr> {
            Cow::Owned(ops.iter().map(|op| op.replace(swap)).collect())
        };
        match self {
            Expr::Var(_) | Expr::Lit(_) | Expr::Config(_) => self.clone(),
            Expr::Get(ops) => Expr::Get(map(ops)),
            Expr::Not(ops) => Expr::Not(map(ops)),
            Expr::And(ops) => Expr::And(map(ops)),
            Expr::Or(ops) => Expr::Or(map(ops)),
            Expr::Cmp(op, ops) => Expr::Cmp(*op, map(ops)),
            Expr::In(ops) => Expr::In(map(ops)),
            Expr::Defined(ops) => Expr::Defined(map(ops)),
            Expr::List(ops) => Expr::List(map(ops)),
            Expr::Call(func, ops) => Expr::Call(*func, map(ops)),
        }
    }
}

/// A filter or operator applied to its operands.
fn call<'a>(func: Func, operands: &'a [Expr], scope: &Scope<'a>) -> Value<'a> {
    let mut values = operands.iter().map(|op| op.eval(scope));
    if dates::owns(func) {
        return dates::call(func, values.collect());
    }
    let (Some(a), b) = (values.next(), values.next()) else {
        return Value::None;
    };
    match func {
        Func::Length => a.length().map_or(Value::None, Value::Int),
        Func::ToJson => a
            .to_json()
            .map_or(Value::None, |j| Value::Str(Cow::Owned(j.to_string()))),
        Func::Str => Value::Str(Cow::Owned(a.text())),
        Func::Int => match a.number() {
            Some(Value::Float(f)) if f.is_finite() => Value::Int(f.trunc() as i64),
            Some(n @ Value::Int(_)) => n,
            _ => Value::Int(0),
        },
        Func::Add | Func::Sub => {
            let Some(b) = b else {
                return Value::None;
            };
            arithmetic(func, a, b)
        }
        Func::Mul
        | Func::Div
        | Func::Lower
        | Func::Upper
        | Func::Trim
        | Func::StartsWith
        | Func::EndsWith
        | Func::Float => extra::call(func, a, b),
        // the date functions are taken above
        _ => Value::None,
    }
}

fn arithmetic<'a>(func: Func, a: Value<'a>, b: Value<'a>) -> Value<'a> {
    let (a, b) = (a.resolve(), b.resolve());
    if let Some(date) = dates::arithmetic(func, &a, &b) {
        return date;
    }
    if let (Func::Add, Value::Str(x), Value::Str(y)) =
        (func, a.clone().resolve(), b.clone().resolve())
    {
        return Value::Str(Cow::Owned(format!("{x}{y}")));
    }
    let sign = if func == Func::Sub { -1 } else { 1 };
    match (a.number(), b.number()) {
        (Some(Value::Int(x)), Some(Value::Int(y))) => y
            .checked_mul(sign)
            .and_then(|y| x.checked_add(y))
            .map_or(Value::None, Value::Int),
        (Some(x), Some(y)) => {
            let float = |v: Value<'_>| match v {
                Value::Int(i) => i as f64,
                Value::Float(f) => f,
                _ => 0.0,
            };
            Value::Float(float(x) + sign as f64 * float(y))
        }
        _ => Value::None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
