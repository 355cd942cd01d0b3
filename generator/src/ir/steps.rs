//! `processing_steps` as written: a list of `{filter: <expression>}` and
//! `{map: {remove, rename, add}}` items, applied in order (an item with both runs its filter
//! first, as dlt does). Expressions read `record` (bare names are its fields) and `config`.
//! Also reshapes a resource's schema by its maps, so the record type has the fields the
//! steps leave.

use std::borrow::Cow;

use restgen_runtime::descriptor::{AddField, FieldValue, ProcessingStep, RecordEdit, Rename, Text};
use serde_yaml::Value;

use super::issue::Issue;
use super::request::scalar_text;
use super::template;

/// The runtime's steps; an issue is located relative to the list.
pub fn resolve(steps: &[Value]) -> Result<Vec<ProcessingStep>, Issue> {
    let mut out = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        resolve_one(step, &mut out).map_err(|e| e.under_index(i))?;
    }
    Ok(out)
}

fn resolve_one(step: &Value, out: &mut Vec<ProcessingStep>) -> Result<(), Issue> {
    let Value::Mapping(map) = step else {
        return Err(Issue::new("a processing step must be a mapping")
            .label("expected `{filter: ...}` or `{map: ...}`"));
    };
    let (mut filter, mut edit) = (None, None);
    for (key, value) in map {
        let key_text = scalar_text(key);
        match key_text.as_str() {
            "filter" => filter = Some(expression(value).map_err(|e| e.under("filter"))?),
            "map" => edit = Some(record_edit(value).map_err(|e| e.under("map"))?),
            "yield_map" => {
                return Err(Issue::new("`yield_map` is not supported")
                    .at_key("yield_map")
                    .key()
                    .label("one record to many")
                    .note("a yield_map is Python code that makes several records of one; a spec has `filter` and `map`"));
            }
            _ => {
                let keys = ["filter", "map"];
                return Err(
                    Issue::new(format!("unknown key `{key_text}` in a processing step"))
                        .at_key(&key_text)
                        .key()
                        .label("unknown key")
                        .maybe_help(crate::spec::diagnostic::did_you_mean(&key_text, &keys))
                        .note("a processing step takes `filter` and `map`"),
                );
            }
        }
    }
    if filter.is_none() && edit.is_none() {
        return Err(Issue::new("a processing step needs `filter` or `map`").label("an empty step"));
    }
    out.extend(filter.map(ProcessingStep::Filter));
    out.extend(edit.map(ProcessingStep::Map));
    Ok(())
}

/// A filter's expression, `{{ }}` or bare.
fn expression(value: &Value) -> Result<restgen_runtime::expr::Expr, Issue> {
    match value {
        Value::String(text) => template::compile_record(text).map_err(Issue::from),
        Value::Bool(b) => Ok(restgen_runtime::expr::Expr::Lit(
            restgen_runtime::expr::Literal::Bool(*b),
        )),
        _ => Err(Issue::new("a filter is an expression over the record")
            .label("expected text such as `record['status'] == 'active'`")),
    }
}

fn record_edit(value: &Value) -> Result<RecordEdit, Issue> {
    let Value::Mapping(map) = value else {
        return Err(Issue::new("a map is written as field edits")
            .label("expected `{add: {..}, remove: [..], rename: {..}}`")
            .note("dlt's map is a Python function; a spec edits fields instead"));
    };
    let mut edit = RecordEdit::DEFAULT;
    for (key, value) in map {
        let key_text = scalar_text(key);
        match key_text.as_str() {
            "remove" => {
                edit.remove = Cow::Owned(removals(value).map_err(|e| e.under("remove"))?);
            }
            "rename" => {
                edit.rename = Cow::Owned(renames(value).map_err(|e| e.under("rename"))?);
            }
            "add" => edit.add = Cow::Owned(additions(value).map_err(|e| e.under("add"))?),
            _ => {
                let keys = ["add", "remove", "rename"];
                return Err(Issue::new(format!("unknown key `{key_text}` in a map"))
                    .at_key(&key_text)
                    .key()
                    .label("unknown key")
                    .maybe_help(crate::spec::diagnostic::did_you_mean(&key_text, &keys))
                    .note("a map takes `add`, `remove` and `rename`"));
            }
        }
    }
    Ok(edit)
}

/// A field path: a name, or a list of keys from the root.
fn path(value: &Value) -> Result<Cow<'static, [Text]>, Issue> {
    let keys: Vec<Text> = match value {
        Value::String(name) => vec![Cow::Owned(name.clone())],
        Value::Sequence(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(key) => Ok(Cow::Owned(key.clone())),
                _ => Err(Issue::new("a path is a list of field names")
                    .label("not a field name")
                    .under_index(i)),
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(Issue::new("a field is a name or a list of names")
                .label("expected `name` or `[parent, name]`"));
        }
    };
    if keys.is_empty() {
        return Err(Issue::new("a field path needs at least one name").label("empty path"));
    }
    Ok(Cow::Owned(keys))
}

fn removals(value: &Value) -> Result<Vec<Cow<'static, [Text]>>, Issue> {
    match value {
        Value::Sequence(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| path(item).map_err(|e| e.under_index(i)))
            .collect(),
        single => Ok(vec![path(single)?]),
    }
}

fn renames(value: &Value) -> Result<Vec<Rename>, Issue> {
    let Value::Mapping(map) = value else {
        return Err(Issue::new("`rename` maps old names to new ones")
            .label("expected `{old_name: new_name}`"));
    };
    map.iter()
        .map(|(from, to)| match (from, to) {
            (Value::String(from), Value::String(to)) => Ok(Rename {
                from: Cow::Owned(from.clone()),
                to: Cow::Owned(to.clone()),
            }),
            _ => Err(Issue::new("a new name must be text")
                .at_key(&scalar_text(from))
                .label("expected a field name")),
        })
        .collect()
}

fn additions(value: &Value) -> Result<Vec<AddField>, Issue> {
    match value {
        Value::Mapping(map) => map
            .iter()
            .map(|(name, value)| {
                let name_text = scalar_text(name);
                Ok(AddField {
                    path: Cow::Owned(vec![Cow::Owned(name_text.clone())]),
                    value: field_value(value).map_err(|e| e.under(&name_text))?,
                })
            })
            .collect(),
        // `[{path: [a, b], value: ..}]`, as Airbyte's AddFields writes nested fields
        Value::Sequence(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let field = item
                    .get("path")
                    .ok_or_else(|| Issue::new("an added field needs a `path`").label("no `path`"))
                    .and_then(|p| path(p).map_err(|e| e.under("path")))
                    .and_then(|path| {
                        let value = item.get("value").ok_or_else(|| {
                            Issue::new("an added field needs a `value`").label("no `value`")
                        })?;
                        Ok(AddField {
                            path,
                            value: field_value(value).map_err(|e| e.under("value"))?,
                        })
                    });
                field.map_err(|e| e.under_index(i))
            })
            .collect(),
        _ => Err(Issue::new("`add` maps field names to values")
            .label("expected `{name: value}` or `[{path: [..], value: ..}]`")),
    }
}

/// A constant, or an expression when the text is a `{{ ... }}` template.
fn field_value(value: &Value) -> Result<FieldValue, Issue> {
    if let Value::String(text) = value
        && text.trim_start().starts_with("{{")
    {
        return template::compile_record(text)
            .map(FieldValue::Expr)
            .map_err(Issue::from);
    }
    let json = serde_json::to_value(value)
        .and_then(|v| serde_json::to_string(&v))
        .map_err(|e| Issue::new(format!("the value is not JSON: {e}")).label("not JSON"))?;
    Ok(FieldValue::Json(Cow::Owned(json)))
}

/// The schema of records the steps leave: removed fields gone, renamed ones moved, added
/// ones declared (a constant's type; any type for an expression's value).
pub fn reshape(mut schema: serde_json::Value, steps: &[ProcessingStep]) -> serde_json::Value {
    for step in steps {
        let ProcessingStep::Map(edit) = step else {
            continue;
        };
        for path in edit.remove.iter() {
            let Some((last, parents)) = path.split_last() else {
                continue;
            };
            if let Some(object) = object_at(&mut schema, parents, false) {
                forget(object, last);
            }
        }
        for rename in edit.rename.iter() {
            let Some(object) = object_at(&mut schema, &[], false) else {
                continue;
            };
            let moved = object
                .get_mut("properties")
                .and_then(|p| p.as_object_mut())
                .and_then(|p| p.remove(rename.from.as_ref()));
            let was_required = forget(object, &rename.from);
            if let Some(moved) = moved {
                declare(object, &rename.to, moved, was_required);
            }
        }
        for field in edit.add.iter() {
            let Some((last, parents)) = field.path.split_last() else {
                continue;
            };
            if let Some(object) = object_at(&mut schema, parents, true) {
                // a constant is always there, so it is required; an expression may be null
                let (declared, required) = match &field.value {
                    FieldValue::Json(text) => (constant_schema(text), true),
                    FieldValue::Expr(_) => (serde_json::json!({}), false),
                };
                forget(object, last);
                declare(object, last, declared, required);
            }
        }
    }
    schema
}

/// The object schema at `path` of properties; created on the way when `create`.
fn object_at<'a>(
    schema: &'a mut serde_json::Value,
    path: &[Text],
    create: bool,
) -> Option<&'a mut serde_json::Map<String, serde_json::Value>> {
    let mut at = schema.as_object_mut()?;
    for key in path {
        if create {
            let properties = at
                .entry("properties")
                .or_insert_with(|| serde_json::json!({}))
                .as_object_mut()?;
            at = properties
                .entry(key.to_string())
                .or_insert_with(|| serde_json::json!({"type": "object"}))
                .as_object_mut()?;
        } else {
            at = at
                .get_mut("properties")?
                .as_object_mut()?
                .get_mut(key.as_ref())?
                .as_object_mut()?;
        }
    }
    Some(at)
}

/// Removes a property and its `required` entry; whether it was required.
fn forget(object: &mut serde_json::Map<String, serde_json::Value>, name: &str) -> bool {
    if let Some(properties) = object.get_mut("properties").and_then(|p| p.as_object_mut()) {
        properties.remove(name);
    }
    let Some(required) = object.get_mut("required").and_then(|r| r.as_array_mut()) else {
        return false;
    };
    let before = required.len();
    required.retain(|r| r.as_str() != Some(name));
    before != required.len()
}

fn declare(
    object: &mut serde_json::Map<String, serde_json::Value>,
    name: &str,
    schema: serde_json::Value,
    required: bool,
) {
    if let Some(properties) = object
        .entry("properties")
        .or_insert_with(|| serde_json::json!({}))
        .as_object_mut()
    {
        properties.insert(name.to_string(), schema);
    }
    if required
        && let Some(list) = object
            .entry("required")
            .or_insert_with(|| serde_json::json!([]))
            .as_array_mut()
    {
        list.push(serde_json::Value::String(name.to_string()));
    }
}

/// The JSON Schema type of a constant.
fn constant_schema(text: &str) -> serde_json::Value {
    let kind = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::String(_)) => "string",
        Ok(serde_json::Value::Bool(_)) => "boolean",
        Ok(serde_json::Value::Number(n)) if n.is_i64() || n.is_u64() => "integer",
        Ok(serde_json::Value::Number(_)) => "number",
        Ok(serde_json::Value::Array(_)) => "array",
        Ok(serde_json::Value::Object(_)) => "object",
        _ => return serde_json::json!({}),
    };
    serde_json::json!({ "type": kind })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
