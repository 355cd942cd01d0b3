//! JSON input: the config dict as JSON, alone or inside a wrapper object (such as
//! `{"config": {...}}`). Values come from a JSON parser; locations come from reading the same
//! text as a Python expression, which JSON is. A string `"<expr: CODE>"` stands for Python
//! code that was not a literal; it is evaluated like that code would be in a `.py` file, and
//! what needs the code to run becomes a fill-in, since the code is no longer there.

use restgen::Diagnostic;
use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::comments::CommentMap;
use crate::eval::{Evaluator, Scope};
use crate::slots::Seg;
use crate::source::{Block, Loc, Note, Source};
use crate::tree::{Entry, Node, Value};

/// The config found in a JSON input, and how it was found.
pub struct JsonConfig {
    /// The config.
    pub node: Node,
    /// Where in the JSON it is, in words.
    pub how: String,
    /// Notes made while reading it.
    pub notes: Vec<Note>,
}

/// Reads the config out of a JSON source.
pub fn config(source: &Source) -> Result<JsonConfig, Box<Diagnostic>> {
    let value: serde_json::Value = serde_json::from_str(&source.text).map_err(|e| {
        source.error(
            Loc {
                line: e.line(),
                column: e.column(),
            },
            format!("this is not valid JSON: {}", strip_position(&e.to_string())),
        )
    })?;
    let block = Block::whole(&source.text);
    let parsed = ruff_python_parser::parse_expression(&source.text).ok();
    let expr = parsed.as_ref().map(|p| &*p.syntax().body);
    let Some((path, value, expr)) = find(&value, expr, Vec::new()) else {
        return Err(Box::new(
            source.error(
                Loc { line: 1, column: 1 },
                "no config in this JSON: expected an object with `client` and `resources`, at the \
             top or inside another object"
                    .into(),
            ),
        ));
    };
    let how = if path.is_empty() {
        "the JSON document".to_string()
    } else {
        format!("the member `{}` of the JSON document", path.join("."))
    };
    let mut reader = Reader {
        source,
        block: &block,
        notes: Vec::new(),
    };
    let node = reader.node(value, expr, &mut Vec::new());
    Ok(JsonConfig {
        node,
        how,
        notes: reader.notes,
    })
}

/// serde_json appends " at line L column C", which the diagnostic shows itself.
fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

fn is_config(value: &serde_json::Value) -> bool {
    value.get("client").is_some() && value.get("resources").is_some()
}

/// The first object with `client` and `resources`, depth first, with its path and its
/// expression in the Python reading of the text.
fn find<'v, 'e>(
    value: &'v serde_json::Value,
    expr: Option<&'e Expr>,
    path: Vec<String>,
) -> Option<(Vec<String>, &'v serde_json::Value, Option<&'e Expr>)> {
    if is_config(value) {
        return Some((path, value, expr));
    }
    let serde_json::Value::Object(map) = value else {
        return None;
    };
    map.iter().enumerate().find_map(|(i, (key, member))| {
        let mut path = path.clone();
        path.push(key.clone());
        find(member, member_expr(expr, i), path)
    })
}

/// The `i`-th member's value expression of a dict expression.
fn member_expr(expr: Option<&Expr>, i: usize) -> Option<&Expr> {
    match expr {
        Some(Expr::Dict(d)) => d.items.get(i).map(|item| &item.value),
        _ => None,
    }
}

struct Reader<'a> {
    source: &'a Source,
    block: &'a Block,
    notes: Vec<Note>,
}

impl Reader<'_> {
    fn node(
        &mut self,
        value: &serde_json::Value,
        expr: Option<&Expr>,
        path: &mut Vec<Seg>,
    ) -> Node {
        use serde_json::Value as J;
        let at = expr.map_or_else(Loc::default, |e| {
            self.block.loc(e.range().start().to_usize())
        });
        let value = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or_default()),
            },
            J::String(s) => match s.strip_prefix("<expr:").and_then(|r| r.strip_suffix('>')) {
                Some(code) => return self.code(code.trim(), at, path),
                None => Value::Str(s.clone()),
            },
            J::Array(items) => Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        path.push(Seg::Index(i));
                        let elt = match expr {
                            Some(Expr::List(l)) => l.elts.get(i),
                            _ => None,
                        };
                        let node = self.node(item, elt, path);
                        path.pop();
                        node
                    })
                    .collect(),
            ),
            J::Object(map) => Value::Dict(
                map.iter()
                    .enumerate()
                    .map(|(i, (key, member))| {
                        path.push(Seg::Key(key.clone()));
                        let node = self.node(member, member_expr(expr, i), path);
                        path.pop();
                        let key_at = match expr {
                            Some(Expr::Dict(d)) => {
                                d.items.get(i).and_then(|item| item.key.as_ref())
                            }
                            _ => None,
                        }
                        .map_or(at, |k| self.block.loc(k.range().start().to_usize()));
                        Entry {
                            key: key.clone(),
                            key_at,
                            value: node,
                        }
                    })
                    .collect(),
            ),
        };
        Node::new(value, at)
    }

    /// A `<expr: CODE>` placeholder, evaluated as the Python it was.
    fn code(&mut self, code: &str, at: Loc, path: &mut Vec<Seg>) -> Node {
        let wrapped = format!("({code})");
        let block = Block::whole(&wrapped);
        let Ok(parsed) = ruff_python_parser::parse_expression(&wrapped) else {
            self.notes.push(self.source.note(
                at,
                "python.fill_in",
                format!(
                    "`<expr: {code}>` stands for code that is not a Python expression; it is \
                     left as `fill_in` for you to replace with the value it stands for"
                ),
            ));
            return Node::new(Value::FillIn(code.to_string()), at);
        };
        let comments = CommentMap::none(&block);
        let scope = Scope::new();
        let mut evaluator = Evaluator {
            source: self.source,
            block: &block,
            comments: &comments,
            scope: &scope,
            fixed_at: Some(at),
            lenient: true,
            notes: Vec::new(),
        };
        let node = evaluator.eval(&parsed.syntax().body, path);
        self.notes.append(&mut evaluator.notes);
        node.unwrap_or_else(|e| {
            self.notes.push(self.source.note(
                at,
                "python.fill_in",
                format!(
                    "`<expr: {code}>`: {}; it is left as `fill_in` for you to replace",
                    e.message
                ),
            ));
            Node::new(Value::FillIn(code.to_string()), at)
        })
    }
}
