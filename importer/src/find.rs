//! Finds the config in a Python module: the argument of a `rest_api_source(...)` or
//! `rest_api_resources(...)` call (following a variable to the dict assigned to it), a
//! `RESTAPIConfig`-annotated assignment, or a dict assigned with `client` and `resources`.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use crate::eval::{Scope, store_default};
use crate::tree::Value;

/// The functions whose first argument is a config.
const ENTRY_POINTS: &[&str] = &["rest_api_source", "rest_api_resources"];

/// A config found in a module.
#[derive(Debug)]
pub struct Found<'a> {
    /// The config expression (normally a dict).
    pub expr: &'a Expr,
    /// How it was found, in words, with the offset of that place.
    pub how: String,
    /// Where the call or assignment is.
    pub offset: usize,
    /// The function parameters bound to dlt secrets and config around it.
    pub scope: Scope,
    /// The source name: the call's `name=`, else that of an enclosing `@dlt.source`.
    pub name: Option<String>,
}

/// A variable passed as the config that nothing in the file assigns a dict to.
#[derive(Debug)]
pub struct Unresolved {
    /// The variable.
    pub name: String,
    /// Where it is passed.
    pub offset: usize,
    /// The function it is passed to.
    pub function: String,
}

/// Every config of a module, in source order, and the variables that could not be followed.
pub fn configs(body: &[Stmt]) -> (Vec<Found<'_>>, Vec<Unresolved>) {
    let mut finder = Finder {
        module: body,
        functions: Vec::new(),
        found: Vec::new(),
        unresolved: Vec::new(),
    };
    finder.visit_body(body);
    let Finder {
        mut found,
        unresolved,
        ..
    } = finder;
    // A dict assigned to a variable and then passed to rest_api_source is found twice.
    found.sort_by_key(|f| {
        (
            f.expr.range().start(),
            usize::from(!f.how.contains("argument")),
        )
    });
    found.dedup_by_key(|f| f.expr.range().start());
    found.sort_by_key(|f| f.offset);
    (found, unresolved)
}

struct Finder<'a> {
    module: &'a [Stmt],
    functions: Vec<&'a StmtFunctionDef>,
    found: Vec<Found<'a>>,
    unresolved: Vec<Unresolved>,
}

impl<'a> Finder<'a> {
    fn scope(&self) -> Scope {
        let mut scope = Scope::new();
        for function in &self.functions {
            let p = &function.parameters;
            for param in p.posonlyargs.iter().chain(&p.args).chain(&p.kwonlyargs) {
                let name = param.parameter.name.as_str().to_string();
                match param.default().and_then(store_default) {
                    Some("secrets") => scope.insert(name.clone(), Value::Secret(name)),
                    Some(_) => scope.insert(name.clone(), Value::Config(name)),
                    None => scope.remove(&name),
                };
            }
        }
        scope
    }

    /// The dict last assigned to `name` before `before`, in the innermost function that
    /// assigns it, else in the module.
    fn assigned(&self, name: &str, before: usize) -> Option<&'a Expr> {
        let bodies = self
            .functions
            .iter()
            .rev()
            .map(|f| &f.body[..])
            .chain(std::iter::once(self.module));
        for body in bodies {
            let mut last = None;
            assignments(body, name, before, &mut last);
            if last.is_some() {
                return last;
            }
        }
        None
    }

    fn push(&mut self, expr: &'a Expr, how: String, offset: usize, name: Option<String>) {
        let scope = self.scope();
        // dlt names a source after `@dlt.source(name=...)` when the call does not say
        let name = name.or_else(|| self.functions.iter().rev().find_map(|f| source_name(f)));
        self.found.push(Found {
            expr,
            how,
            offset,
            scope,
            name,
        });
    }
}

/// Collects into `last` the value of the last `name = ...` (or `name: T = ...`) before
/// `before` in `body`, looking into blocks but not into nested functions or classes.
fn assignments<'a>(body: &'a [Stmt], name: &str, before: usize, last: &mut Option<&'a Expr>) {
    for stmt in body {
        if stmt.range().start().to_usize() >= before {
            return;
        }
        match stmt {
            Stmt::Assign(a) if a.targets.iter().any(|t| is_name(t, name)) => *last = Some(&a.value),
            Stmt::AnnAssign(a) if is_name(&a.target, name) => {
                if let Some(value) = &a.value {
                    *last = Some(value);
                }
            }
            Stmt::If(s) => {
                assignments(&s.body, name, before, last);
                for clause in &s.elif_else_clauses {
                    assignments(&clause.body, name, before, last);
                }
            }
            Stmt::With(s) => assignments(&s.body, name, before, last),
            Stmt::Try(s) => {
                assignments(&s.body, name, before, last);
                assignments(&s.orelse, name, before, last);
                assignments(&s.finalbody, name, before, last);
            }
            Stmt::For(s) => assignments(&s.body, name, before, last),
            Stmt::While(s) => assignments(&s.body, name, before, last),
            _ => {}
        }
    }
}

/// The `name=` of a `@dlt.source(...)` decorator.
fn source_name(function: &StmtFunctionDef) -> Option<String> {
    function
        .decorator_list
        .iter()
        .find_map(|d| match &d.expression {
            Expr::Call(call) if callee_name(&call.func) == Some("source") => {
                string_keyword(call, "name")
            }
            _ => None,
        })
}

/// The string literal passed as the keyword `key`.
fn string_keyword(call: &ExprCall, key: &str) -> Option<String> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == key))
        .and_then(|k| match &k.value {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
            _ => None,
        })
}

fn is_name(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Name(n) if n.id.as_str() == name)
}

fn callee_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

/// Whether a dict literal has the keys `client` and `resources`.
fn looks_like_config(expr: &Expr) -> bool {
    let Expr::Dict(d) = expr else {
        return false;
    };
    let has = |key: &str| {
        d.items.iter().any(
            |item| matches!(&item.key, Some(Expr::StringLiteral(s)) if s.value.to_str() == key),
        )
    };
    has("client") && has("resources")
}

impl<'a> Visitor<'a> for Finder<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                self.functions.push(f);
                visitor::walk_stmt(self, stmt);
                self.functions.pop();
                return;
            }
            Stmt::AnnAssign(a) => {
                let annotated = callee_name(&a.annotation) == Some("RESTAPIConfig");
                if let Some(value) = &a.value
                    && (annotated || looks_like_config(value))
                {
                    let how = if annotated {
                        "the RESTAPIConfig assignment"
                    } else {
                        "the config dict assignment"
                    };
                    self.push(value, how.into(), stmt.range().start().to_usize(), None);
                }
            }
            Stmt::Assign(a) if looks_like_config(&a.value) => {
                self.push(
                    &a.value,
                    "the config dict assignment".into(),
                    stmt.range().start().to_usize(),
                    None,
                );
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr
            && let Some(function) = callee_name(&call.func).filter(|f| ENTRY_POINTS.contains(f))
        {
            let arguments = &call.arguments;
            let config = arguments.args.first().or_else(|| {
                arguments
                    .keywords
                    .iter()
                    .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "config"))
                    .map(|k| &k.value)
            });
            let name = string_keyword(call, "name");
            let offset = expr.range().start().to_usize();
            let how = format!("the argument of {function}(...)");
            match config {
                Some(Expr::Name(var)) => match self.assigned(var.id.as_str(), offset) {
                    Some(value) => self.push(value, how, offset, name),
                    None => self.unresolved.push(Unresolved {
                        name: var.id.to_string(),
                        offset: var.range.start().to_usize(),
                        function: function.to_string(),
                    }),
                },
                Some(config) => self.push(config, how, offset, name),
                None => {}
            }
        }
        visitor::walk_expr(self, expr);
    }
}
