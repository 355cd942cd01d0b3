//! Static evaluation of a config expression: literals become data, `dlt.secrets[..]` and
//! `dlt.config[..]` become references, dlt's own auth and paginator classes become the dicts
//! dlt reads the same way, and anything else is either a located error (it needs the code to
//! run) or, where dlt takes an object built in code, a marked value for the user to fill in.

use std::collections::BTreeMap;

use restgen::Diagnostic;
use ruff_python_ast::{self as ast, Expr, Number, UnaryOp};
use ruff_text_size::Ranged;

use crate::classes;
use crate::comments::{CommentMap, Span};
use crate::slots::{Seg, Slot, describe, dropped, last_name, slot_of};
use crate::source::{Block, Loc, Note, Source};
use crate::tree::{Entry, Node, Value};

/// Deeper than any real config; a guard for the recursion.
const MAX_DEPTH: usize = 100;

/// Names a function's parameters bind to dlt secrets or config (`x = dlt.secrets.value`).
pub type Scope = BTreeMap<String, Value>;

/// Evaluates expressions of one block.
pub struct Evaluator<'a> {
    /// The input, for locating errors and notes.
    pub source: &'a Source,
    /// The block the expressions are in.
    pub block: &'a Block,
    /// Its comments.
    pub comments: &'a CommentMap<'a>,
    /// Parameters bound to secrets or config.
    pub scope: &'a Scope,
    /// Every location is this one (an expression embedded in a JSON string).
    pub fixed_at: Option<Loc>,
    /// Code anywhere becomes a fill-in instead of an error (the JSON `<expr: ...>` form,
    /// where the code is already gone).
    pub lenient: bool,
    /// Notes found on the way.
    pub notes: Vec<Note>,
}

/// `dlt.secrets` / `dlt.config` (or a bare `secrets` / `config` imported from dlt).
fn dlt_store(expr: &Expr) -> Option<&'static str> {
    let Expr::Attribute(a) = expr else {
        return None;
    };
    let is_dlt = matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "dlt");
    match a.attr.as_str() {
        "secrets" if is_dlt => Some("secrets"),
        "config" if is_dlt => Some("config"),
        _ => None,
    }
}

/// `dlt.secrets.value` / `dlt.config.value`, the defaults that make a parameter a secret or
/// a config value.
pub fn store_default(expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::Attribute(a) if a.attr.as_str() == "value" => dlt_store(&a.value),
        _ => None,
    }
}

impl<'a> Evaluator<'a> {
    fn at(&self, offset: usize) -> Loc {
        self.fixed_at.unwrap_or_else(|| self.block.loc(offset))
    }

    fn start(expr: &impl Ranged) -> usize {
        expr.range().start().to_usize()
    }

    /// The code of `expr` on one line, shortened.
    pub fn code(&self, expr: &impl Ranged) -> String {
        let r = expr.range();
        let raw = self
            .block
            .code
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("");
        let one_line = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > 80 {
            format!("{}...", one_line.chars().take(77).collect::<String>())
        } else {
            one_line
        }
    }

    fn note(&mut self, offset: usize, code: &'static str, message: String) {
        let at = self.at(offset);
        self.notes.push(self.source.note(at, code, message));
    }

    /// A note at a byte offset of the block, for the other readers of a block's code.
    pub(crate) fn note_at(&mut self, offset: usize, code: &'static str, message: String) {
        self.note(offset, code, message);
    }

    /// Where `expr` starts.
    pub(crate) fn loc_of(&self, expr: &impl Ranged) -> Loc {
        self.at(Self::start(expr))
    }

    fn error(&self, offset: usize, message: String) -> Box<Diagnostic> {
        Box::new(self.source.error(self.at(offset), message))
    }

    /// Evaluates `expr`, found at `path`.
    pub fn eval(&mut self, expr: &Expr, path: &mut Vec<Seg>) -> Result<Node, Box<Diagnostic>> {
        let at = self.at(Self::start(expr));
        if path.len() > MAX_DEPTH {
            return Err(self.error(
                Self::start(expr),
                format!(
                    "the config is nested more than {MAX_DEPTH} levels deep here; no dlt config is"
                ),
            ));
        }
        let value = match expr {
            Expr::StringLiteral(s) => Value::Str(s.value.to_str().to_string()),
            Expr::BooleanLiteral(b) => Value::Bool(b.value),
            Expr::NoneLiteral(_) => Value::Null,
            Expr::NumberLiteral(n) => self.number(&n.value, false, expr)?,
            Expr::UnaryOp(u) if matches!(u.op, UnaryOp::USub | UnaryOp::UAdd) => {
                match &*u.operand {
                    Expr::NumberLiteral(n) => self.number(&n.value, u.op == UnaryOp::USub, expr)?,
                    _ => return self.not_static(expr, path),
                }
            }
            Expr::List(l) => return self.list(&l.elts, expr, path),
            Expr::Tuple(t) => return self.list(&t.elts, expr, path),
            Expr::Dict(d) => return self.dict(d, path),
            Expr::Subscript(s) => match dlt_store(&s.value) {
                Some(store) => self.reference(store, &s.slice)?,
                None => return self.not_static(expr, path),
            },
            Expr::Call(call) => return self.call(call, expr, path),
            Expr::Name(n) => match self.scope.get(n.id.as_str()) {
                Some(bound) => bound.clone(),
                None => return self.not_static(expr, path),
            },
            _ => return self.not_static(expr, path),
        };
        Ok(Node::new(value, at))
    }

    fn number(&self, n: &Number, negate: bool, expr: &Expr) -> Result<Value, Box<Diagnostic>> {
        match n {
            Number::Int(i) => match i.as_i64() {
                Some(v) => Ok(Value::Int(if negate { -v } else { v })),
                None => Err(self.error(
                    Self::start(expr),
                    format!(
                        "the integer `{}` is too large for a spec; write it as a string",
                        self.code(expr)
                    ),
                )),
            },
            Number::Float(f) => Ok(Value::Float(if negate { -f } else { *f })),
            Number::Complex { .. } => Err(self.error(
                Self::start(expr),
                format!(
                    "the complex number `{}` has no meaning in a config",
                    self.code(expr)
                ),
            )),
        }
    }

    /// `dlt.secrets["name"]`.
    fn reference(&self, store: &str, key: &Expr) -> Result<Value, Box<Diagnostic>> {
        match key {
            Expr::StringLiteral(s) => {
                let name = s.value.to_str().to_string();
                Ok(if store == "secrets" {
                    Value::Secret(name)
                } else {
                    Value::Config(name)
                })
            }
            _ => Err(self.error(
                Self::start(key),
                format!(
                    "the name of a `dlt.{store}[...]` value must be a string literal, found `{}`; write the name in quotes",
                    self.code(key)
                ),
            )),
        }
    }

    fn list(
        &mut self,
        elts: &[Expr],
        expr: &Expr,
        path: &mut Vec<Seg>,
    ) -> Result<Node, Box<Diagnostic>> {
        let mut items = Vec::with_capacity(elts.len());
        for (i, elt) in elts.iter().enumerate() {
            if let Expr::Starred(_) = elt {
                return self.not_static(elt, path);
            }
            path.push(Seg::Index(i));
            let item = self.eval(elt, path);
            path.pop();
            items.push(item?);
        }
        let spans: Vec<Span> = elts.iter().map(|e| span(e, e)).collect();
        let mut node = Node::new(Value::List(Vec::new()), self.at(Self::start(expr)));
        let range = expr.range();
        let mut refs: Vec<&mut Node> = items.iter_mut().collect();
        self.comments.attach(
            range.start().to_usize(),
            range.end().to_usize(),
            &spans,
            &mut refs,
            &mut node.comments,
        );
        node.value = Value::List(items);
        Ok(node)
    }

    fn dict(&mut self, d: &ast::ExprDict, path: &mut Vec<Seg>) -> Result<Node, Box<Diagnostic>> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut spans = Vec::new();
        let mut dropped_keys = Vec::new();
        for item in &d.items {
            let Some(key_expr) = &item.key else {
                return Err(self.unpacking(&item.value));
            };
            let Expr::StringLiteral(key) = key_expr else {
                return Err(self.error(
                    Self::start(key_expr),
                    format!(
                        "dict keys in a config are strings; `{}` is not a string literal",
                        self.code(key_expr)
                    ),
                ));
            };
            let key = key.value.to_str().to_string();
            if key == "processing_steps"
                && dropped(path, &key).is_some()
                && let Some(steps) = self.processing_steps(&item.value)
            {
                let key_at = self.at(Self::start(key_expr));
                entries.push(Entry {
                    key,
                    key_at,
                    value: steps,
                });
                spans.push(span(key_expr, &item.value));
                continue;
            }
            if let Some(reason) = dropped(path, &key) {
                self.note(
                    Self::start(key_expr),
                    "python.dropped_key",
                    format!("`{key}` was dropped: {reason}"),
                );
                dropped_keys.push((
                    entries.len(),
                    format!("{key}: dropped by the importer, see the notes"),
                ));
                continue;
            }
            path.push(Seg::Key(key.clone()));
            let value = self.eval(&item.value, path);
            path.pop();
            let value = value?;
            let item_span = span(key_expr, &item.value);
            if let Some(i) = entries.iter().position(|e| e.key == key) {
                // Python keeps the first position and the last value.
                self.note(
                    Self::start(key_expr),
                    "python.duplicate_key",
                    format!("the key `{key}` is given twice in this dict; as in Python, the last value is kept"),
                );
                entries[i].value = value;
                spans[i] = item_span;
                continue;
            }
            let key_at = self.at(Self::start(key_expr));
            entries.push(Entry { key, key_at, value });
            spans.push(item_span);
        }
        let range = d.range;
        let mut node = Node::new(Value::Dict(Vec::new()), self.at(range.start().to_usize()));
        let mut refs: Vec<&mut Node> = entries.iter_mut().map(|e| &mut e.value).collect();
        self.comments.attach(
            range.start().to_usize(),
            range.end().to_usize(),
            &spans,
            &mut refs,
            &mut node.comments,
        );
        for (index, comment) in dropped_keys {
            match entries.get_mut(index) {
                Some(entry) => entry.value.comments.before.push(comment),
                None => node.comments.inner_end.push(comment),
            }
        }
        node.value = Value::Dict(entries);
        Ok(node)
    }

    fn call(
        &mut self,
        call: &ast::ExprCall,
        expr: &Expr,
        path: &mut Vec<Seg>,
    ) -> Result<Node, Box<Diagnostic>> {
        let callee = &*call.func;
        // dlt.secrets.get("name"), also with a second argument meant as a default
        if let Expr::Attribute(a) = callee
            && a.attr.as_str() == "get"
            && let Some(store) = dlt_store(&a.value)
            && let [key, rest @ ..] = &*call.arguments.args
            && rest.len() + call.arguments.keywords.len() <= 1
        {
            let value = self.reference(store, key)?;
            let extra = rest
                .first()
                .map(|e| self.code(e))
                .or_else(|| call.arguments.keywords.first().map(|k| self.code(k)));
            if let Some(extra) = extra {
                self.note(
                    Self::start(expr),
                    "python.store_default",
                    format!(
                        "`{}` is read as {}; the second argument (`{extra}`) is not kept: \
                         dlt takes it as the expected type, not a default, and restgen asks \
                         for the value",
                        self.code(expr),
                        crate::yaml::flow(&Node::new(value.clone(), Loc::default()))
                    ),
                );
            }
            return Ok(Node::new(value, self.at(Self::start(expr))));
        }
        let Some(class) = last_name(callee).and_then(classes::find) else {
            if let Some(marker) = self.custom_class(callee, expr, path) {
                return Ok(marker);
            }
            return self.not_static(expr, path);
        };
        let mut entries = Vec::new();
        let at = self.at(Self::start(expr));
        let in_params = matches!(path.iter().rev().nth(1), Some(Seg::Key(k)) if k == "params");
        let type_name = class
            .type_name
            .or((class.name == "incremental" && in_params).then_some("incremental"));
        if let Some(kind) = type_name {
            entries.push(Entry {
                key: "type".into(),
                key_at: at,
                value: Node::new(Value::Str(kind.into()), at),
            });
        }
        let arguments = &call.arguments;
        if arguments.args.len() > class.positional.len() {
            return self.not_static(expr, path);
        }
        let named = class
            .positional
            .iter()
            .zip(arguments.args.iter())
            .map(|(name, value)| (Some(*name), Self::start(value), value))
            .chain(
                arguments
                    .keywords
                    .iter()
                    .map(|k| (k.arg.as_ref().map(|a| a.as_str()), Self::start(k), &k.value)),
            );
        for (name, key_offset, value) in named {
            let Some(name) = name else {
                return Err(self.unpacking(value));
            };
            path.push(Seg::Key(name.to_string()));
            let node = self.eval(value, path);
            path.pop();
            entries.push(Entry {
                key: name.to_string(),
                key_at: self.at(key_offset),
                value: node?,
            });
        }
        let node = Node::new(Value::Dict(entries), at);
        self.note(
            Self::start(expr),
            "python.dlt_class",
            format!(
                "`{}` is dlt's {} class; it is written as the dict dlt reads the same way: {}",
                self.code(expr),
                class.what,
                crate::yaml::flow(&node)
            ),
        );
        Ok(node)
    }

    fn unpacking(&self, value: &Expr) -> Box<Diagnostic> {
        self.error(
            Self::start(value),
            format!(
                "unpacking (`**{}`) needs the code to run: write the keys out in this dict",
                self.code(value)
            ),
        )
    }

    /// An instance of the config's own class as an auth or a paginator (a subclass of dlt's
    /// `AuthConfigBase` or `BasePaginator`, as `register_auth`/`register_paginator` take it):
    /// the `{type: custom, name: <Class>}` marker, whose Rust code the generated builder
    /// requires. `None` for anything else there.
    fn custom_class(&mut self, callee: &Expr, expr: &Expr, path: &[Seg]) -> Option<Node> {
        let kind = match path.last() {
            Some(Seg::Key(key)) if key == "auth" || key == "paginator" => key.clone(),
            _ => return None,
        };
        let name = last_name(callee)?.to_string();
        let class_like = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !class_like {
            return None;
        }
        let offset = Self::start(expr);
        let at = self.at(offset);
        let code = self.code(expr);
        self.note(
            offset,
            "python.custom_class",
            format!(
                "`{code}` is an instance of the config's own {kind} class, written in Python: it becomes \
                 `{{type: custom, name: {name}}}`, and the generated client's builder requires \
                 its Rust code (`.custom_{kind}(..)`); the constructor's arguments are not kept"
            ),
        );
        let mut node = Node::new(Value::Dict(Vec::new()), at);
        node.set("type", Node::new(Value::Str("custom".into()), at));
        node.set("name", Node::new(Value::Str(name), at));
        Some(node)
    }

    /// A value that needs the code to run: an error, a secret read from a variable, or a
    /// fill-in, depending on where it is.
    fn not_static(&mut self, expr: &Expr, path: &[Seg]) -> Result<Node, Box<Diagnostic>> {
        let offset = Self::start(expr);
        let at = self.at(offset);
        let code = self.code(expr);
        let slot = slot_of(path);
        if let (Slot::Credential, Expr::Name(n)) = (slot, expr) {
            let name = n.id.to_string();
            self.note(
                offset,
                "python.credential_variable",
                format!(
                    "the credential is the variable `{name}`; it is read as the secret `{name}` ({{secret: {name}}}), which the generated client asks for"
                ),
            );
            return Ok(Node::new(Value::Secret(name), at));
        }
        let (construct, hint) = describe(expr);
        let (what, replace) = match slot {
            Slot::Object(what, replace) => (what, replace),
            _ if self.lenient => ("a value", "the value it stands for"),
            _ => {
                return Err(self.error(
                    offset,
                    format!(
                        "{construct} (`{code}`) cannot be evaluated without running the code: {hint}"
                    ),
                ));
            }
        };
        self.note(
            offset,
            "python.fill_in",
            format!(
                "`{code}` is {what} built in code, which a spec cannot hold; it is left as `fill_in` for you to replace with {replace}"
            ),
        );
        Ok(Node::new(Value::FillIn(code), at))
    }
}

/// The span of a dict entry or list item, from `first` to `last`.
fn span(first: &impl Ranged, last: &impl Ranged) -> Span {
    Span {
        start: first.range().start().to_usize(),
        end: last.range().end().to_usize(),
    }
}
