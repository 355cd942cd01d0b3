//! How deep a template may nest, and the depth of a compiled one.

use restgen_runtime::expr::Expr;

/// The deepest expression a template may be. Real templates nest a few levels; the limit
/// keeps the parser's and the evaluator's recursion far from the end of a thread's stack
/// (the fuzzer found a 3,900-byte template that overflowed it).
pub(super) const MAX_NESTING: usize = 64;

pub(super) fn too_deep() -> String {
    format!(
        "the expression is nested more than {MAX_NESTING} levels deep (each parenthesis, \
         `not`, sign, operator or filter in a chain counts one)"
    )
}

/// The depth of an expression tree, without recursion.
pub(super) fn depth(expr: &Expr) -> usize {
    let mut deepest = 0;
    let mut open = vec![(expr, 1)];
    while let Some((expr, level)) = open.pop() {
        deepest = deepest.max(level);
        open.extend(expr.operands().iter().map(|o| (o, level + 1)));
    }
    deepest
}
