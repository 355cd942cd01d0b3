//! Templates a request sends (`{expr: "day_delta(-30, format='%Y-%m-%d')"}` as a query
//! parameter, header, path parameter or JSON body value): computed once when a request run
//! starts, with the client's settings and the run's time, and bound as the placeholders
//! `{expr.N}` the descriptor's path, parameters, headers and body carry.

use super::{Expr, RunValues, Scope};
use crate::descriptor::Computed;
use crate::error::Error;

/// The placeholder the `index`th computed value fills.
pub fn placeholder(index: usize) -> String {
    format!("{{expr.{index}}}")
}

/// The values of `computed` as placeholder bindings (`expr.N`), JSON-typed so a body field
/// that is one placeholder keeps a number a number. A template whose value is `None` (a
/// date that does not parse, a setting the client lacks) fails the run, as Airbyte's
/// template raises, rather than send `None`.
pub fn bind(
    computed: &[Computed],
    resource: &str,
    run: &RunValues<'_>,
) -> Result<Vec<(String, serde_json::Value)>, Error> {
    let headers = http::HeaderMap::new();
    let scope = Scope::without_page(&headers);
    let mut out = Vec::with_capacity(computed.len());
    for (index, c) in computed.iter().enumerate() {
        let bound: Expr = c.expr.for_run(run);
        let value = match bound.eval(&scope).to_json() {
            Some(serde_json::Value::Null) | None => {
                return Err(Error::Invalid(format!(
                    "`{}` of resource `{resource}` gives no value (a date that does not \
                     parse, a setting the client was not given, or arguments of the wrong \
                     type)",
                    c.text
                )));
            }
            Some(value) => value,
        };
        out.push((format!("expr.{index}"), value));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::expr::{Func, Literal, Var};

    #[test]
    fn a_template_is_computed_once_with_the_runs_time_and_fails_without_a_value() {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let strftime = Computed {
            text: "now_utc().strftime('%Y-%m-%d')".into(),
            expr: Expr::Call(
                Func::Strftime,
                Cow::Owned(vec![
                    Expr::Var(Var::Now),
                    Expr::Lit(Literal::Str("%Y-%m-%d".into())),
                ]),
            ),
        };
        let missing = Computed {
            text: "config['start']".into(),
            expr: Expr::Config("start".into()),
        };
        let run = RunValues {
            setting: &|_| None,
            now,
        };
        let values = bind(std::slice::from_ref(&strftime), "r", &run).unwrap();
        assert_eq!(values, [("expr.0".to_string(), "2023-11-14".into())]);
        let err = bind(&[strftime, missing], "r", &run).unwrap_err();
        assert!(
            err.to_string()
                .contains("`config['start']` of resource `r`"),
            "{err}"
        );
    }
}
