//! dlt's `processing_steps` written with lambdas, read as the dialect's steps where the
//! lambda is an expression restgen's language reads: `{"filter": lambda r: r["status"] ==
//! "active"}` becomes `{filter: "record['status'] == 'active'"}` (the parameter renamed to
//! `record`). A step that is other code (a named function, a map that builds a new dict, a
//! `yield_map`) is left out with a note, and so is the whole list when nothing translates.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::eval::Evaluator;
use crate::tree::{Entry, Node, Value};

impl Evaluator<'_> {
    /// The steps of a `processing_steps` list that translate; `None` when none does (the
    /// caller drops the key with its note).
    pub(crate) fn processing_steps(&mut self, list: &Expr) -> Option<Node> {
        let Expr::List(list) = list else {
            return None;
        };
        let mut steps = Vec::new();
        for item in &list.elts {
            let Expr::Dict(step) = item else {
                self.step_note(item, "a processing step built in code");
                continue;
            };
            let mut entries = Vec::new();
            for entry in &step.items {
                let key = match &entry.key {
                    Some(Expr::StringLiteral(s)) => s.value.to_str().to_string(),
                    _ => continue,
                };
                match (key.as_str(), filter_text(self, &entry.value)) {
                    ("filter", Some(text)) => {
                        let at = self.loc_of(&entry.value);
                        self.step_note(
                            &entry.value,
                            &format!("the filter lambda is written as `filter: {text}`"),
                        );
                        entries.push(Entry {
                            key,
                            key_at: at,
                            value: Node::new(Value::Str(text), at),
                        });
                    }
                    (other, _) => self.step_note(
                        &entry.value,
                        &format!(
                            "the `{other}` step is code restgen cannot read (a spec's filter \
                             is an expression, its map field edits, see docs/dialect.md); it \
                             is left out, so records are not {}",
                            if other == "filter" {
                                "filtered by it"
                            } else {
                                "changed by it"
                            }
                        ),
                    ),
                }
            }
            if !entries.is_empty() {
                steps.push(Node::new(Value::Dict(entries), self.loc_of(item)));
            }
        }
        if steps.is_empty() {
            return None;
        }
        Some(Node::new(Value::List(steps), self.loc_of(list)))
    }

    fn step_note(&mut self, expr: &impl Ranged, what: &str) {
        let code = self.code(expr);
        self.note_at(
            expr.range().start().to_usize(),
            "python.processing_step",
            format!("processing step `{code}`: {what}"),
        );
    }
}

/// A filter lambda's body as a record expression: the parameter renamed to `record`, and
/// compiled by restgen's expression language; `None` for anything else.
fn filter_text(evaluator: &Evaluator<'_>, value: &Expr) -> Option<String> {
    let Expr::Lambda(lambda) = value else {
        return None;
    };
    let parameters = lambda.parameters.as_deref()?;
    let [parameter] = parameters.args.as_slice() else {
        return None;
    };
    if !parameters.posonlyargs.is_empty() || !parameters.kwonlyargs.is_empty() {
        return None;
    }
    let name = parameter.parameter.name.as_str();
    let body = source(evaluator, &lambda.body)?;
    let text = rename(&body, name, "record");
    restgen::ir::template::compile_record(&text).ok()?;
    Some(text)
}

fn source(evaluator: &Evaluator<'_>, expr: &ast::Expr) -> Option<String> {
    let r = expr.range();
    evaluator
        .block
        .code
        .get(r.start().to_usize()..r.end().to_usize())
        .map(|code| code.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `code` with the identifier `from` (not inside a string, not an attribute after `.`)
/// written as `to`.
fn rename(code: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.extend(&chars[start..i]);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let after_dot = out.trim_end().ends_with('.');
            out.push_str(if word == from && !after_dot {
                to
            } else {
                &word
            });
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rename;

    #[test]
    fn the_parameter_is_renamed_outside_strings_and_attributes() {
        assert_eq!(
            rename(r#"x["x"] == 'x' and x.get("y") and y.x"#, "x", "record"),
            r#"record["x"] == 'x' and record.get("y") and y.x"#
        );
        assert_eq!(rename("xs in x['tags']", "x", "r"), "xs in r['tags']");
    }
}
