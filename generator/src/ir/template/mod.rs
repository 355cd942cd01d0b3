//! Compiles the seed dialect's templates (`cursor_value`, `stop_condition`) into the
//! runtime's `Expr` tree. The language is a small, checked Python/Jinja subset (see
//! docs/dialect.md); anything else is a generation error that quotes the template and the
//! column of the problem.
//!
//! A template is `{{ expr }}`; converted configs also write the bare expression (`has_more`,
//! `_links.next is none`) or a single pair of braces (`{response['n'] + 1}`), which mean the
//! same. A name that is not one of the template's variables is a field of the response, as
//! the bare forms write them (`pagination.has_more` is `response.pagination.has_more`).

use std::borrow::Cow;

use restgen_runtime::expr::{CmpOp, Expr, Func, Literal, Var};

use nesting::{MAX_NESTING, depth, too_deep};

mod calls;
mod lexer;
mod nesting;

use lexer::{Kind, Token, tokenize};

/// What the language reads, for the end of an error message.
pub const SUPPORTED: &str = "response, headers, last_record, last_page_size, config, response \
     fields by name, .get(), [], literals, [lists], not/and/or, comparisons, in, is [not] \
     none/true/false/defined, + - * /, |length |tojson |string |int |float |lower |upper |trim, \
     .startswith() .endswith() .lower() .upper() .strip(), len() str() int() float(), now_utc() \
     today_utc() day_delta() duration() format_datetime() str_to_datetime() timestamp() max() \
     min(), .strftime() .isoformat() .date() .timestamp()";

/// Why a template does not compile: where (a character offset into the template) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The template as written.
    pub template: String,
    /// The character offset of the problem in `template`.
    pub at: usize,
    /// What is wrong there.
    pub what: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unsupported template `{}` at column {}: {} (supported: {SUPPORTED})",
            self.template,
            self.at + 1,
            self.what
        )
    }
}

impl From<TemplateError> for String {
    fn from(e: TemplateError) -> String {
        e.to_string()
    }
}

/// The template's variables; any other name is a field of the response.
pub const VARIABLES: &[&str] = &[
    "response",
    "headers",
    "last_record",
    "last_page_size",
    "config",
];

/// Compiles a template such as `{{ not response.get("has_more", {}) }}`.
pub fn compile(template: &str) -> Result<Expr, TemplateError> {
    parse(template, Var::Response).map(|(expr, _)| expr)
}

/// Compiles an expression over one record (a processing step's `filter`, a map's value):
/// `record` is the record, and a bare name is one of its fields (`status == 'active'`).
pub fn compile_record(template: &str) -> Result<Expr, TemplateError> {
    parse(template, Var::Record).map(|(expr, _)| expr)
}

/// The first variable `expr` reads that a request being made does not have (the response,
/// its headers, a record); `None` when it reads only settings, literals and the run's time,
/// as a request value's template (`{expr: ..}`) must.
pub fn reads_response(expr: &Expr) -> Option<Var> {
    let mut read = None;
    expr.visit(&mut |e| {
        if let Expr::Var(var) = e
            && *var != Var::Now
            && read.is_none()
        {
            read = Some(*var);
        }
    });
    read
}

/// The names a template reads as fields of the response (`has_more` for
/// `response.has_more`), each with its character offset; none when it does not compile.
pub fn response_fields(template: &str) -> Vec<(usize, String)> {
    parse(template, Var::Response)
        .map(|(_, fields)| fields)
        .unwrap_or_default()
}

/// Compiles a template, noting the names it reads as fields of the response.
fn parse(template: &str, bare: Var) -> Result<(Expr, Vec<(usize, String)>), TemplateError> {
    // the parser's offsets are bytes; the error's is a character offset
    let error = |byte: usize, what: String| TemplateError {
        template: template.to_string(),
        at: template.get(..byte).map_or(0, |t| t.chars().count()),
        what,
    };
    let trimmed = template.trim();
    let (inner, offset) = match trimmed
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
    {
        Some(inner) => (inner, template.find("{{").map_or(0, |p| p + 2)),
        None => match trimmed.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            // `{expr}`, but not the empty object `{}` nor a `{...}` that is one of several
            Some(inner) if !inner.trim().is_empty() && !inner.contains(['{', '}']) => {
                (inner, template.find('{').map_or(0, |p| p + 1))
            }
            _ => (template, 0),
        },
    };
    let second = [inner.find("{{"), inner.find("}}")]
        .into_iter()
        .flatten()
        .min();
    if let Some(second) = second {
        return Err(error(
            offset + second,
            "a template is a single `{{ expression }}`".to_string(),
        ));
    }
    let tokens = tokenize(inner).map_err(|(at, what)| error(offset + at, what))?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        fields: Vec::new(),
        nesting: 0,
        bare,
    };
    let expr = parser
        .or_expr()
        .map_err(|(at, what)| error(offset + at, what))?;
    if let Some(tok) = parser.tokens.get(parser.pos) {
        return Err(error(offset + tok.at, format!("unexpected `{}`", tok.text)));
    }
    // Evaluation recurses once per level; chains of operators and filters are built in loops,
    // so the parser's own count does not see them.
    if depth(&expr) > MAX_NESTING {
        return Err(error(offset, too_deep()));
    }
    let chars = |byte: usize| template.get(..byte).map_or(0, |t| t.chars().count());
    let fields = parser
        .fields
        .into_iter()
        .map(|(at, name)| (chars(offset + at), name))
        .collect();
    Ok((expr, fields))
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// The names read as fields of the response, at their byte offsets.
    fields: Vec<(usize, String)>,
    /// How many recursive descents are open (parentheses, `not`, unary `-`, subscripts).
    nesting: usize,
    /// What a bare name is a field of: the response (paging templates) or the record
    /// (processing steps, where `record` is a variable too).
    bare: Var,
}

type Parsed = Result<Expr, (usize, String)>;

fn ops(operands: Vec<Expr>) -> Cow<'static, [Expr]> {
    Cow::Owned(operands)
}

fn lit_str(text: &str) -> Expr {
    Expr::Lit(Literal::Str(Cow::Owned(text.to_string())))
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_text(&self, ahead: usize) -> Option<&str> {
        self.tokens
            .get(self.pos + ahead)
            .filter(|t| !matches!(t.kind, Kind::Str(_)))
            .map(|t| t.text.as_str())
    }

    fn at(&self) -> usize {
        self.peek()
            .map(|t| t.at)
            .or_else(|| self.tokens.last().map(|t| t.at + t.text.len()))
            .unwrap_or(0)
    }

    fn eat(&mut self, text: &str) -> bool {
        let hit = self.peek_text(0) == Some(text);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect(&mut self, text: &str) -> Result<(), (usize, String)> {
        if self.eat(text) {
            Ok(())
        } else {
            let found = self
                .peek()
                .map_or("the end".to_string(), |t| format!("`{}`", t.text));
            Err((self.at(), format!("expected `{text}`, found {found}")))
        }
    }

    fn name(&mut self, after: &str) -> Result<(String, usize), (usize, String)> {
        let at = self.at();
        match self.peek() {
            Some(Token {
                kind: Kind::Ident,
                text,
                ..
            }) => {
                let name = text.clone();
                self.pos += 1;
                Ok((name, at))
            }
            _ => Err((at, format!("expected a name after `{after}`"))),
        }
    }

    /// Counts one more open descent; an error past [`MAX_NESTING`].
    fn descend(&mut self) -> Result<(), (usize, String)> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err((self.at(), too_deep()));
        }
        Ok(())
    }

    /// Parses with `parse` one level deeper.
    fn nested(&mut self, parse: impl FnOnce(&mut Self) -> Parsed) -> Parsed {
        self.descend()?;
        let expr = parse(self);
        self.nesting -= 1;
        expr
    }

    fn or_expr(&mut self) -> Parsed {
        self.nested(Self::or_operands)
    }

    fn or_operands(&mut self) -> Parsed {
        let mut operands = vec![self.and_expr()?];
        while self.eat("or") {
            operands.push(self.and_expr()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Expr::Or(ops(operands))
        })
    }

    fn and_expr(&mut self) -> Parsed {
        let mut operands = vec![self.not_expr()?];
        while self.eat("and") {
            operands.push(self.not_expr()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Expr::And(ops(operands))
        })
    }

    fn not_expr(&mut self) -> Parsed {
        if self.eat("not") {
            let operand = self.nested(Self::not_expr)?;
            return Ok(Expr::Not(ops(vec![operand])));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Parsed {
        let left = self.sum()?;
        let op = match self.peek_text(0) {
            Some("==") => CmpOp::Eq,
            Some("!=") => CmpOp::Ne,
            Some("<") => CmpOp::Lt,
            Some("<=") => CmpOp::Le,
            Some(">") => CmpOp::Gt,
            Some(">=") => CmpOp::Ge,
            Some("in") => {
                self.pos += 1;
                return Ok(Expr::In(ops(vec![left, self.sum()?])));
            }
            Some("not") if self.peek_text(1) == Some("in") => {
                self.pos += 2;
                let within = Expr::In(ops(vec![left, self.sum()?]));
                return Ok(Expr::Not(ops(vec![within])));
            }
            Some("is") => {
                self.pos += 1;
                return self.test(left);
            }
            _ => return Ok(left),
        };
        self.pos += 1;
        let right = self.sum()?;
        Ok(Expr::Cmp(op, ops(vec![left, right])))
    }

    /// After `x is`: Python's `is None`, Jinja's tests `none`, `true`, `false`, `defined`.
    fn test(&mut self, left: Expr) -> Parsed {
        let negate = self.eat("not");
        let (test, at) = self.name("is")?;
        let tested = match test.as_str() {
            "none" | "None" | "null" => {
                Expr::Cmp(CmpOp::Eq, ops(vec![left, Expr::Lit(Literal::None)]))
            }
            "true" | "True" => {
                Expr::Cmp(CmpOp::Eq, ops(vec![left, Expr::Lit(Literal::Bool(true))]))
            }
            "false" | "False" => {
                Expr::Cmp(CmpOp::Eq, ops(vec![left, Expr::Lit(Literal::Bool(false))]))
            }
            "defined" => Expr::Defined(ops(vec![left])),
            "undefined" => Expr::Not(ops(vec![Expr::Defined(ops(vec![left]))])),
            other => {
                return Err((
                    at,
                    format!(
                        "`is {other}` is not supported; use `is none`, `is true`, `is false` or \
                         `is defined`"
                    ),
                ));
            }
        };
        Ok(if negate {
            Expr::Not(ops(vec![tested]))
        } else {
            tested
        })
    }

    fn sum(&mut self) -> Parsed {
        let open = self.nesting;
        let mut expr = self.product()?;
        loop {
            let func = match self.peek_text(0) {
                Some("+") => Func::Add,
                Some("-") => Func::Sub,
                _ => {
                    self.nesting = open;
                    return Ok(expr);
                }
            };
            self.pos += 1;
            // each link of a chain nests the chain so far one level deeper
            self.descend()?;
            let right = self.product()?;
            expr = Expr::Call(func, ops(vec![expr, right]));
        }
    }

    /// `x | length`, `x | tojson()`: Jinja filters, which bind tighter than operators.
    fn filtered(&mut self) -> Parsed {
        let open = self.nesting;
        let mut expr = self.unary()?;
        while self.eat("|") {
            self.descend()?;
            let (filter, at) = self.name("|")?;
            let func = match filter.as_str() {
                "length" | "count" => Func::Length,
                "tojson" => Func::ToJson,
                "string" => Func::Str,
                "int" => Func::Int,
                "float" => Func::Float,
                "lower" => Func::Lower,
                "upper" => Func::Upper,
                "trim" => Func::Trim,
                other => {
                    return Err((
                        at,
                        format!(
                            "filter `{other}` is not supported; use `length`, `tojson`, \
                             `string`, `int`, `float`, `lower`, `upper` or `trim`"
                        ),
                    ));
                }
            };
            if self.eat("(") {
                self.expect(")")?;
            }
            expr = Expr::Call(func, ops(vec![expr]));
        }
        self.nesting = open;
        Ok(expr)
    }

    fn unary(&mut self) -> Parsed {
        if self.eat("-") {
            let operand = self.nested(Self::unary)?;
            return Ok(match operand {
                Expr::Lit(Literal::Int(i)) => Expr::Lit(Literal::Int(-i)),
                other => Expr::Call(Func::Sub, ops(vec![Expr::Lit(Literal::Int(0)), other])),
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Parsed {
        let open = self.nesting;
        let mut expr = self.primary()?;
        loop {
            if matches!(self.peek_text(0), Some("." | "[")) {
                self.descend()?;
            }
            if self.eat(".") {
                let (name, at) = self.name(".")?;
                if self.eat("(") {
                    if name != "get" {
                        expr = self.method(expr, &name, at)?;
                        continue;
                    }
                    let key = self.or_expr()?;
                    let mut operands = vec![expr, key];
                    if self.eat(",") {
                        operands.push(self.or_expr()?);
                    }
                    self.expect(")")?;
                    expr = Expr::Get(ops(operands));
                } else {
                    expr = Expr::Get(ops(vec![expr, lit_str(&name)]));
                }
            } else if self.eat("[") {
                let key = self.or_expr()?;
                self.expect("]")?;
                expr = Expr::Get(ops(vec![expr, key]));
            } else {
                self.nesting = open;
                return Ok(expr);
            }
        }
    }

    /// `config['name']`, `config.name` or `config.get('name')`: a setting by its name.
    fn config(&mut self, at: usize) -> Parsed {
        let name = if self.eat("[") {
            let key = self.peek().cloned();
            self.pos += 1;
            self.expect("]")?;
            match key {
                Some(Token {
                    kind: Kind::Str(name),
                    ..
                }) => name,
                _ => return Err((at, "`config[...]` takes a quoted name".into())),
            }
        } else if self.eat(".") {
            let (name, _) = self.name(".")?;
            if name == "get" && self.eat("(") {
                let key = self.peek().cloned();
                self.pos += 1;
                // a default (`config.get('x', 10)`) is not kept: the setting is asked for
                if self.eat(",") {
                    self.or_expr()?;
                }
                self.expect(")")?;
                match key {
                    Some(Token {
                        kind: Kind::Str(name),
                        ..
                    }) => name,
                    _ => return Err((at, "`config.get(...)` takes a quoted name".into())),
                }
            } else {
                name
            }
        } else {
            return Err((at, "`config` is read as `config['name']`".into()));
        };
        Ok(Expr::Config(Cow::Owned(name)))
    }

    fn primary(&mut self) -> Parsed {
        let at = self.at();
        let Some(token) = self.peek().cloned() else {
            return Err((at, "expected an expression, found the end".into()));
        };
        self.pos += 1;
        let expr = match (&token.kind, token.text.as_str()) {
            (Kind::Str(s), _) => lit_str(s),
            (Kind::Int(i), _) => Expr::Lit(Literal::Int(*i)),
            (Kind::Float(f), _) => Expr::Lit(Literal::Float(*f)),
            (Kind::Ident, "record") if self.bare == Var::Record => Expr::Var(Var::Record),
            // a call, known or not: an unknown function is named in the error
            (Kind::Ident, name) if self.peek_text(0) == Some("(") => {
                return self.function(name, at);
            }
            (Kind::Ident, "response") => Expr::Var(Var::Response),
            (Kind::Ident, "headers") => Expr::Var(Var::Headers),
            (Kind::Ident, "last_record") => Expr::Var(Var::LastRecord),
            (Kind::Ident, "last_page_size") => Expr::Var(Var::LastPageSize),
            (Kind::Ident, "config") => return self.config(at),
            (Kind::Ident, "None" | "none" | "null") => Expr::Lit(Literal::None),
            (Kind::Ident, "True" | "true") => Expr::Lit(Literal::Bool(true)),
            (Kind::Ident, "False" | "false") => Expr::Lit(Literal::Bool(false)),
            (Kind::Ident, "and" | "or" | "not" | "in" | "is") => {
                return Err((at, format!("unexpected `{}`", token.text)));
            }
            // any other name is a field of the response, as the bare forms write them
            (Kind::Ident, name) => {
                self.fields.push((at, name.to_string()));
                Expr::Get(ops(vec![Expr::Var(self.bare), lit_str(name)]))
            }
            (Kind::Punct, "(") => {
                let inner = self.or_expr()?;
                self.expect(")")?;
                inner
            }
            (Kind::Punct, "{") => {
                self.expect("}")?;
                Expr::Lit(Literal::EmptyObject)
            }
            (Kind::Punct, "[") => return self.list(),
            (_, other) => return Err((at, format!("unexpected `{other}`"))),
        };
        Ok(expr)
    }
}

#[cfg(test)]
mod tests;
