//! Python input (a `.py` file, or the code blocks of a document): parse each block with
//! Ruff's parser, find the configs in it, pick one, and evaluate it.

use restgen::{Diagnostic, Diagnostics};
use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;

use crate::comments::CommentMap;
use crate::eval::Evaluator;
use crate::find;
use crate::source::{Block, Loc, Note, Source};
use crate::tree::{Node, Value};

/// The config read from Python.
pub struct PythonConfig {
    /// The config.
    pub node: Node,
    /// How it was found, in words, with its location.
    pub how: String,
    /// The `name=` of the `rest_api_source` call, if any.
    pub name: Option<String>,
    /// Notes made while reading it.
    pub notes: Vec<Note>,
}

/// One parsed block.
struct ParsedBlock {
    block: Block,
    parsed: Result<Parsed<ModModule>, Diagnostic>,
}

/// Reads the config of a Python source. With several configs, `pick` (1-based) says which.
pub fn config(source: &Source, pick: Option<usize>) -> Result<PythonConfig, Diagnostics> {
    let blocks: Vec<ParsedBlock> = source
        .blocks()
        .into_iter()
        .map(|block| {
            let parsed = ruff_python_parser::parse_module(&block.code).map_err(|e| {
                let at = block.loc(e.location.start().to_usize());
                source.error(at, format!("{}: {}", crate::NOT_PYTHON, e.error))
            });
            ParsedBlock { block, parsed }
        })
        .collect();
    if blocks.is_empty() {
        return Err(source
            .error(
                Loc::default(),
                format!("{}; the config is expected in one", crate::NO_BLOCK),
            )
            .into());
    }
    let mut found = Vec::new();
    let mut unresolved = Vec::new();
    for (index, b) in blocks.iter().enumerate() {
        if let Ok(parsed) = &b.parsed {
            let (configs, missing) = find::configs(&parsed.syntax().body);
            found.extend(configs.into_iter().map(|f| (index, parsed.tokens(), f)));
            unresolved.extend(missing.into_iter().map(|u| (index, u)));
        }
    }
    if found.is_empty() {
        let mut errors: Vec<Diagnostic> = blocks
            .iter()
            .filter_map(|b| b.parsed.as_ref().err().cloned())
            .collect();
        errors.extend(unresolved.iter().map(|(index, u)| {
            source.error(
                blocks[*index].block.loc(u.offset),
                format!(
                    "the config passed to {}(...) is the variable `{}`, and no dict is assigned \
                     to it in this file; pass the dict itself, or assign it to `{}` above the call",
                    u.function, u.name, u.name
                ),
            )
        }));
        if errors.is_empty() {
            errors.push(source.error(
                Loc::default(),
                "no dlt config found: expected a rest_api_source(...) or rest_api_resources(...) \
                 call, a RESTAPIConfig assignment, or a dict with `client` and `resources`"
                    .into(),
            ));
        }
        return Err(Diagnostics(errors));
    }
    let chosen = match (pick, found.len()) {
        (None, 1) => 0,
        (Some(n), count) if (1..=count).contains(&n) => n - 1,
        (_, count) => {
            let list: Vec<String> = found
                .iter()
                .enumerate()
                .map(|(i, (index, _, f))| {
                    let at = blocks[*index].block.loc(f.offset);
                    format!("{}) {} at line {}", i + 1, f.how, at.line)
                })
                .collect();
            let first = &found[0];
            return Err(source
                .error(
                    blocks[first.0].block.loc(first.2.offset),
                    format!(
                        "{count} configs in this file: {}; choose one with --config <N>",
                        list.join("; ")
                    ),
                )
                .into());
        }
    };
    let (index, tokens, f) = &found[chosen];
    let block = &blocks[*index].block;
    let comments = CommentMap::new(block, tokens);
    let mut evaluator = Evaluator {
        source,
        block,
        comments: &comments,
        scope: &f.scope,
        fixed_at: None,
        lenient: false,
        notes: Vec::new(),
    };
    if let Some((offset, attr)) = missing_dlt_attribute(f.expr) {
        return Err(source
            .error(
                block.loc(offset),
                format!(
                    "{}: `dlt.{attr}` is not part of dlt, so Python raises AttributeError here \
                     before dlt sees the config",
                    crate::DOES_NOT_RUN
                ),
            )
            .into());
    }
    let node = evaluator.eval(f.expr, &mut Vec::new())?;
    let at = block.loc(f.offset);
    if !matches!(node.value, Value::Dict(_)) {
        return Err(source
            .error(node.at, format!("{} is not a dict", f.how))
            .into());
    }
    let mut notes = evaluator.notes;
    for (i, b) in blocks.iter().enumerate() {
        if let (Err(e), true) = (&b.parsed, i != *index) {
            notes.push(source.note(
                Loc {
                    line: e.line,
                    column: e.column,
                },
                "python.invalid_block",
                format!(
                    "the code block at line {} is not valid Python ({}); it holds no config \
                     and was skipped",
                    b.block.first_line(),
                    e.message.trim_start_matches("this is not valid Python: ")
                ),
            ));
        }
    }
    Ok(PythonConfig {
        node,
        how: format!("{} at line {}", f.how, at.line),
        name: f.name.clone(),
        notes,
    })
}

/// What `import dlt` makes available as `dlt.<name>`: the package's own exports and its
/// submodules. A config that reads any other name fails before dlt sees it.
const DLT_ATTRIBUTES: &[&str] = &[
    "secrets",
    "config",
    "source",
    "resource",
    "transformer",
    "defer",
    "pipeline",
    "attach",
    "run",
    "current",
    "state",
    "mark",
    "dataset",
    "Schema",
    "Pipeline",
    "TSecretValue",
    "TSecretStrValue",
    "TCredentials",
    "sources",
    "destinations",
    "common",
    "extract",
    "normalize",
    "load",
    "helpers",
    "version",
    "__version__",
    "hub",
    "with_config",
];

/// The first `dlt.<name>` in `expr` whose name dlt does not have, with its offset.
fn missing_dlt_attribute(expr: &ruff_python_ast::Expr) -> Option<(usize, String)> {
    use ruff_python_ast::visitor::{Visitor, walk_expr};
    use ruff_text_size::Ranged;
    struct Finder(Option<(usize, String)>);
    impl<'a> Visitor<'a> for Finder {
        fn visit_expr(&mut self, expr: &'a ruff_python_ast::Expr) {
            if self.0.is_some() {
                return;
            }
            if let ruff_python_ast::Expr::Attribute(a) = expr
                && matches!(&*a.value, ruff_python_ast::Expr::Name(n) if n.id.as_str() == "dlt")
                && !DLT_ATTRIBUTES.contains(&a.attr.as_str())
            {
                self.0 = Some((expr.range().start().to_usize(), a.attr.to_string()));
                return;
            }
            walk_expr(self, expr);
        }
    }
    let mut finder = Finder(None);
    finder.visit_expr(expr);
    finder.0
}
