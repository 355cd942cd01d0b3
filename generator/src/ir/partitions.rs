//! An endpoint's `partitions` (restgen's form of Airbyte's `ListPartitionRouter`):
//! `partitions: {field: year, values: [2023, 2024]}` walks the resource once per value, each
//! bound to the argument `field` (a `{year}` placeholder in the path, query, headers or body),
//! through the generated `<resource>_all()` (the runtime's `FanOut::over_partitions`).
//! `values: {config: years}` reads them from the client's setting when the walk starts.

use std::borrow::Cow;

use restgen_runtime::PartitionValues;
use restgen_runtime::descriptor::ValueRef;
use restgen_runtime::expr::Literal;
use serde_yaml::Value;

use super::PathArg;
use super::issue::Issue;
use crate::spec::diagnostic::{did_you_mean, one_of};

const KEYS: &[&str] = &["field", "values"];

/// A resource's list partitions, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Partitions {
    /// The argument each value is bound to; records carry it as `_partition_<field>`.
    pub field: String,
    /// The values, in order, or the setting that holds them.
    pub values: PartitionValues,
}

/// The partitions of a resource whose arguments are `args`; an issue is located relative to
/// the `partitions` block.
pub fn resolve(block: &Value, args: &[PathArg]) -> Result<Partitions, Issue> {
    let Value::Mapping(map) = block else {
        return Err(Issue::new("`partitions` must be a mapping")
            .label("expected `{field: .., values: [..]}`")
            .help("write `partitions: {field: year, values: [2023, 2024]}`"));
    };
    for key in map.keys() {
        let name = super::request::scalar_text(key);
        if !KEYS.contains(&name.as_str()) {
            return Err(Issue::new(format!("unknown key `{name}` in `partitions`"))
                .at_key(&name)
                .key()
                .label("unknown key")
                .maybe_help(did_you_mean(&name, KEYS))
                .note(format!("`partitions` takes {}", one_of(KEYS))));
        }
    }
    let field = match map.get("field") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(Issue::new("`field` must be the name of an argument")
                .at_key("field")
                .label("expected a string"));
        }
        None => {
            return Err(Issue::new(
                "`partitions` needs `field`: the argument each value is bound to",
            )
            .key()
            .label("no `field` here"));
        }
    };
    let names: Vec<&str> = args.iter().map(|a| a.name.as_str()).collect();
    if !names.contains(&field.as_str()) {
        return Err(Issue::new(format!(
            "`{field}` is not an argument of this resource: no `{{{field}}}` placeholder binds it"
        ))
        .at_key("field")
        .label("not an argument")
        .maybe_help(did_you_mean(&field, &names))
        .help(format!(
            "write `{{{field}}}` where the value goes: the path, a parameter, a header or the body"
        )));
    }
    if args.len() > 1 || args.iter().any(|a| a.parent.is_some()) {
        return Err(Issue::new(
            "a partitioned resource takes no other argument and no parent field",
        )
        .at_key("field")
        .label(format!("the resource also takes {}", one_of(&names))));
    }
    let values = match map.get("values") {
        Some(Value::Sequence(items)) if !items.is_empty() => items,
        Some(value @ Value::Mapping(_)) => {
            return match super::placeholder::reference(value) {
                Some(ValueRef::Config(name)) => Ok(Partitions {
                    field,
                    values: PartitionValues::Setting(name),
                }),
                Some(_) => Err(Issue::new("partition values cannot be a secret")
                    .at_key("values")
                    .label("a secret")
                    .help("name a setting: `values: {config: <name>}`")
                    .note("each record carries its partition value, so it is never secret")),
                None => Err(Issue::new(
                    "`values` must be a non-empty list or a setting (`{config: name}`)",
                )
                .at_key("values")
                .label("expected a list of values or `{config: name}`")
                .maybe_help(super::placeholder::reference_typo(value))),
            };
        }
        Some(_) => {
            return Err(Issue::new(
                "`values` must be a non-empty list or a setting (`{config: name}`)",
            )
            .at_key("values")
            .label("expected a list of values"));
        }
        None => {
            return Err(Issue::new("`partitions` needs `values`")
                .key()
                .label("no `values` here"));
        }
    };
    let values = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let not_scalar = || {
                Issue::new(format!(
                    "partition value {i} must be a string, number or boolean"
                ))
                .at_key("values")
                .label("a value that is not a scalar")
            };
            Ok(match v {
                Value::String(s) => Literal::Str(Cow::Owned(s.clone())),
                Value::Bool(b) => Literal::Bool(*b),
                Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                    (Some(i), _) => Literal::Int(i),
                    (None, Some(f)) if n.is_f64() && f.is_finite() => Literal::Float(f),
                    _ => {
                        return Err(Issue::new(format!(
                            "partition value {i} (`{n}`) is out of range: write it quoted"
                        ))
                        .at_key("values")
                        .label("beyond a 64-bit integer"));
                    }
                },
                _ => return Err(not_scalar()),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let values = PartitionValues::Listed(Cow::Owned(values));
    Ok(Partitions { field, values })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ir::Site;

    fn arg(name: &str) -> PathArg {
        PathArg {
            name: name.into(),
            rust: name.into(),
            parent: None,
            site: Site::default(),
        }
    }

    fn block(yaml: &str) -> Value {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn values_bound_to_an_argument() {
        let p = resolve(
            &block("{field: year, values: [2023, '2024']}"),
            &[arg("year")],
        )
        .unwrap();
        assert_eq!(p.field, "year");
        assert_eq!(
            p.values,
            PartitionValues::Listed(Cow::Owned(vec![
                Literal::Int(2023),
                Literal::Str("2024".into())
            ]))
        );
    }

    #[test]
    fn values_from_a_setting() {
        let p = resolve(
            &block("{field: year, values: {config: years}}"),
            &[arg("year")],
        )
        .unwrap();
        assert_eq!(p.values, PartitionValues::Setting("years".into()));
        for yaml in [
            "{field: year, values: {secret: years}}",
            "{field: year, values: {confg: years}}",
            "{field: year, values: [18446744073709551615]}",
        ] {
            assert!(resolve(&block(yaml), &[arg("year")]).is_err(), "{yaml}");
        }
    }

    #[test]
    fn mistakes_are_refused() {
        for (yaml, args) in [
            ("[1, 2]", vec![arg("year")]),
            ("{field: year}", vec![arg("year")]),
            ("{field: yeer, values: [1]}", vec![arg("year")]),
            ("{field: year, values: []}", vec![arg("year")]),
            ("{field: year, values: [{a: 1}]}", vec![arg("year")]),
            ("{field: year, values: [1], step: P1D}", vec![arg("year")]),
            ("{field: year, values: [1]}", vec![arg("year"), arg("org")]),
        ] {
            assert!(resolve(&block(yaml), &args).is_err(), "{yaml}");
        }
    }
}
