//! `{expr: "<template>"}` as the value of a query parameter, header, path parameter or JSON
//! body field: a template (docs/dialect.md, Expressions) the runtime computes when a request
//! run starts, typically a date (`day_delta(-30, format='%Y-%m-%d')`). It reads the client's
//! settings and the run's time; nothing of a response or record exists then, so a template
//! that reads one is a located error here rather than an empty value at run time.

use std::borrow::Cow;

use restgen_runtime::descriptor::Computed;
use restgen_runtime::expr::{Var, request};
use serde_yaml::Value;

use super::BoundRequest;
use crate::ir::issue::Issue;
use crate::ir::template;

/// The template of an `{expr: ..}` mapping; `None` for any other value.
pub fn template_of(value: &Value) -> Option<&Value> {
    let Value::Mapping(m) = value else {
        return None;
    };
    match m.iter().next() {
        Some((Value::String(key), text)) if m.len() == 1 && key == "expr" => Some(text),
        _ => None,
    }
}

impl BoundRequest {
    /// The placeholder of an `{expr: ..}` value, its template compiled and kept; `None` when
    /// `value` is not one. An issue is located relative to the value.
    pub fn computed(&mut self, value: &Value) -> Option<Result<String, Issue>> {
        let text = template_of(value)?;
        Some(self.compile(text).map_err(|e| e.under("expr")))
    }

    fn compile(&mut self, text: &Value) -> Result<String, Issue> {
        let Value::String(text) = text else {
            return Err(Issue::new("`expr` takes a template as a string")
                .label("not a string")
                .help("write it quoted: `{expr: \"now_utc().strftime('%Y-%m-%d')\"}`"));
        };
        let expr = template::compile(text).map_err(Issue::from)?;
        if let Some(var) = template::reads_response(&expr) {
            return Err(Issue::new(format!(
                "template `{text}` reads {} when the request is made, where there is none",
                match var {
                    Var::Headers => "response headers",
                    Var::Record => "a record",
                    _ => "the response",
                }
            ))
            .label("a request value reads settings, literals and the date functions only")
            .help("name a setting as `config['name']`; a bare name is a field of a response"));
        }
        let index = self.computed.len();
        self.computed.push(Computed {
            text: Cow::Owned(text.clone()),
            expr,
        });
        Ok(request::placeholder(index))
    }
}
