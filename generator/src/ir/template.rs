//! Compiles the seed dialect's `{{ expr }}` templates into the runtime's `Expr` tree. The
//! language is a small, checked Python/Jinja subset (see docs/dialect.md); anything else is
//! a generation error that quotes the template and the column of the problem.

use std::borrow::Cow;

use restgen_runtime::expr::{CmpOp, Expr, Literal, Var};

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
            "unsupported template `{}` at column {}: {} (supported: response, headers, \
             last_record, last_page_size, .get(), [], literals, not/and/or, comparisons)",
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

/// Compiles a template such as `{{ not response.get("has_more", {}) }}`.
pub fn compile(template: &str) -> Result<Expr, TemplateError> {
    let error = |byte: usize, what: String| TemplateError {
        template: template.to_string(),
        at: template.get(..byte).map_or(0, |t| t.chars().count()),
        what,
    };
    let trimmed = template.trim();
    let Some(inner) = trimmed
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
    else {
        return Err(error(
            0,
            "a template is a single `{{ expression }}`".to_string(),
        ));
    };
    let offset = template.find("{{").map_or(0, |p| p + 2);
    let tokens = tokenize(inner).map_err(|(at, what)| error(offset + at, what))?;
    let mut parser = Parser { tokens, pos: 0 };
    let expr = parser
        .or_expr()
        .map_err(|(at, what)| error(offset + at, what))?;
    if let Some(tok) = parser.tokens.get(parser.pos) {
        return Err(error(offset + tok.at, format!("unexpected `{}`", tok.text)));
    }
    Ok(expr)
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Ident,
    Str(String),
    Int(i64),
    Punct,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    text: String,
    at: usize,
}

fn tokenize(src: &str) -> Result<Vec<Token>, (usize, String)> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].1.is_ascii_alphanumeric() || chars[i].1 == '_') {
                i += 1;
            }
            let text: String = chars[start..i].iter().map(|(_, c)| c).collect();
            tokens.push(Token {
                kind: Kind::Ident,
                text,
                at,
            });
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(|n| n.1.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i].1.is_ascii_digit() {
                i += 1;
            }
            let text: String = chars[start..i].iter().map(|(_, c)| c).collect();
            let value = text
                .parse()
                .map_err(|_| (at, format!("number `{text}` is out of range")))?;
            tokens.push(Token {
                kind: Kind::Int(value),
                text,
                at,
            });
        } else if c == '"' || c == '\'' {
            let mut value = String::new();
            i += 1;
            loop {
                let Some(&(_, ch)) = chars.get(i) else {
                    return Err((at, "string is never closed".into()));
                };
                i += 1;
                match ch {
                    '\\' => {
                        let Some(&(_, escaped)) = chars.get(i) else {
                            return Err((at, "string is never closed".into()));
                        };
                        value.push(escaped);
                        i += 1;
                    }
                    ch if ch == c => break,
                    ch => value.push(ch),
                }
            }
            tokens.push(Token {
                kind: Kind::Str(value.clone()),
                text: format!("{c}{value}{c}"),
                at,
            });
        } else {
            let two: String = chars[i..chars.len().min(i + 2)]
                .iter()
                .map(|(_, c)| c)
                .collect();
            let text = if ["==", "!=", "<=", ">="].contains(&two.as_str()) {
                two
            } else if "()[]{}.,<>".contains(c) {
                c.to_string()
            } else {
                return Err((at, format!("unexpected character `{c}`")));
            };
            i += text.len();
            tokens.push(Token {
                kind: Kind::Punct,
                text,
                at,
            });
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

type Parsed = Result<Expr, (usize, String)>;

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn at(&self) -> usize {
        self.peek()
            .map(|t| t.at)
            .or_else(|| self.tokens.last().map(|t| t.at + t.text.len()))
            .unwrap_or(0)
    }

    fn eat(&mut self, text: &str) -> bool {
        let hit = self
            .peek()
            .is_some_and(|t| t.text == text && t.kind != Kind::Str(text.to_string()));
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

    fn or_expr(&mut self) -> Parsed {
        let mut operands = vec![self.and_expr()?];
        while self.eat("or") {
            operands.push(self.and_expr()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Expr::Or(Cow::Owned(operands))
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
            Expr::And(Cow::Owned(operands))
        })
    }

    fn not_expr(&mut self) -> Parsed {
        if self.eat("not") {
            return Ok(Expr::Not(Cow::Owned(vec![self.not_expr()?])));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Parsed {
        let left = self.postfix()?;
        let op = match self.peek().map(|t| t.text.as_str()) {
            Some("==") => CmpOp::Eq,
            Some("!=") => CmpOp::Ne,
            Some("<") => CmpOp::Lt,
            Some("<=") => CmpOp::Le,
            Some(">") => CmpOp::Gt,
            Some(">=") => CmpOp::Ge,
            _ => return Ok(left),
        };
        self.pos += 1;
        let right = self.postfix()?;
        Ok(Expr::Cmp(op, Cow::Owned(vec![left, right])))
    }

    fn postfix(&mut self) -> Parsed {
        let mut expr = self.primary()?;
        loop {
            if self.eat(".") {
                let at = self.at();
                let name = match self.peek() {
                    Some(Token {
                        kind: Kind::Ident,
                        text,
                        ..
                    }) => text.clone(),
                    _ => return Err((at, "expected a name after `.`".into())),
                };
                self.pos += 1;
                if self.eat("(") {
                    if name != "get" {
                        return Err((
                            at,
                            format!("method `{name}` is not supported; only `.get()` is"),
                        ));
                    }
                    let key = self.or_expr()?;
                    let mut operands = vec![expr, key];
                    if self.eat(",") {
                        operands.push(self.or_expr()?);
                    }
                    self.expect(")")?;
                    expr = Expr::Get(Cow::Owned(operands));
                } else {
                    expr = Expr::Get(Cow::Owned(vec![
                        expr,
                        Expr::Lit(Literal::Str(Cow::Owned(name))),
                    ]));
                }
            } else if self.eat("[") {
                let key = self.or_expr()?;
                self.expect("]")?;
                expr = Expr::Get(Cow::Owned(vec![expr, key]));
            } else {
                return Ok(expr);
            }
        }
    }

    fn primary(&mut self) -> Parsed {
        let at = self.at();
        let Some(token) = self.peek().cloned() else {
            return Err((at, "expected an expression, found the end".into()));
        };
        self.pos += 1;
        let expr = match (&token.kind, token.text.as_str()) {
            (Kind::Str(s), _) => Expr::Lit(Literal::Str(Cow::Owned(s.clone()))),
            (Kind::Int(i), _) => Expr::Lit(Literal::Int(*i)),
            (Kind::Ident, "response") => Expr::Var(Var::Response),
            (Kind::Ident, "headers") => Expr::Var(Var::Headers),
            (Kind::Ident, "last_record") => Expr::Var(Var::LastRecord),
            (Kind::Ident, "last_page_size") => Expr::Var(Var::LastPageSize),
            (Kind::Ident, "None" | "none" | "null") => Expr::Lit(Literal::None),
            (Kind::Ident, "True" | "true") => Expr::Lit(Literal::Bool(true)),
            (Kind::Ident, "False" | "false") => Expr::Lit(Literal::Bool(false)),
            (Kind::Ident, name) => return Err((at, format!("unknown name `{name}`"))),
            (Kind::Punct, "(") => {
                let inner = self.or_expr()?;
                self.expect(")")?;
                inner
            }
            (Kind::Punct, "{") => {
                self.expect("}")?;
                Expr::Lit(Literal::EmptyObject)
            }
            (Kind::Punct, "[") => {
                self.expect("]")?;
                Expr::Lit(Literal::EmptyList)
            }
            (_, other) => return Err((at, format!("unexpected `{other}`"))),
        };
        Ok(expr)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn seed_templates_compile() {
        for t in [
            r#"{{ response.get("paging", {}).get("next", {}) }}"#,
            r#"{{ not response.get("paging", {}).get("next", {}) }}"#,
            r#"{{ not response.get("has_more", {}) }}"#,
            r#"{{ last_record["id"] }}"#,
            r#"{{ headers.link.next }}"#,
            r#"{{ last_page_size < 50 or not response.has_more }}"#,
        ] {
            assert!(compile(t).is_ok(), "{t}: {:?}", compile(t));
        }
    }

    #[test]
    fn shape_of_not_get() {
        let e = compile(r#"{{ not response.get("has_more", {}) }}"#).unwrap();
        let expected = Expr::Not(Cow::Owned(vec![Expr::Get(Cow::Owned(vec![
            Expr::Var(Var::Response),
            Expr::Lit(Literal::Str("has_more".into())),
            Expr::Lit(Literal::EmptyObject),
        ]))]));
        assert_eq!(e, expected);
    }

    #[test]
    fn errors_are_located() {
        assert_eq!(
            compile("{{ response.items | length }}")
                .unwrap_err()
                .to_string(),
            "unsupported template `{{ response.items | length }}` at column 19: unexpected character `|` \
             (supported: response, headers, last_record, last_page_size, .get(), [], literals, not/and/or, comparisons)"
        );
        assert!(
            compile("{{ config['x'] }}")
                .unwrap_err()
                .what
                .contains("unknown name `config`")
        );
        assert!(
            compile("{{ response.keys() }}")
                .unwrap_err()
                .what
                .contains("only `.get()`")
        );
        assert!(compile("response.x").unwrap_err().what.contains("a single"));
        let e = compile("{{ 'é' | x }}").unwrap_err();
        assert_eq!(e.at, 7, "a character offset, not a byte offset");
    }
}
