//! Binds a resource's path and parameters the way dlt does: static `{name}` path params are
//! substituted from `params`, `{resources.<parent>.<field>}` placeholders and legacy `resolve`
//! params become parent-bound arguments, and a path param nothing binds becomes a required
//! argument of the generated method.

use std::borrow::Cow;

use restgen_runtime::descriptor::{Param, ValueRef};
use serde_yaml::{Mapping, Value};

use super::{ParentLink, PathArg, jsonpath};

/// The bound path, query parameters and arguments of one resource.
#[derive(Debug, Clone, Default)]
pub struct BoundRequest {
    /// Path with `{arg}` placeholders only.
    pub path: String,
    /// Query parameters in wire form, in spec order.
    pub params: Vec<Param>,
    /// Arguments the caller (or the parent) supplies.
    pub args: Vec<PathArg>,
    /// Whether the endpoint is incremental, which allows `{incremental.*}` placeholders.
    pub incremental: bool,
    /// Declared parameters with a plain value, which the caller may override.
    pub settable: Vec<SettableParam>,
    /// Secrets and settings sent in parameters, headers or the body (`{secret: name}`), each
    /// as a `{secrets.<name>}` / `{config.<name>}` placeholder the runtime fills.
    pub values: Vec<ValueRef>,
}

/// A `{secret: name}` or `{config: name}` map as the placeholder the runtime fills from the
/// client's values, and the value it names.
fn reference(value: &Value) -> Option<(String, ValueRef)> {
    let Value::Mapping(m) = value else {
        return None;
    };
    let (key, name) = m.iter().next()?;
    let name = name.as_str()?.to_string();
    if m.len() != 1 {
        return None;
    }
    match key.as_str()? {
        "secret" => Some((
            format!("{{secrets.{name}}}"),
            ValueRef::Secret(Cow::Owned(name)),
        )),
        "config" => Some((
            format!("{{config.{name}}}"),
            ValueRef::Config(Cow::Owned(name)),
        )),
        _ => None,
    }
}

impl BoundRequest {
    /// `{config.<name>}` / `{secrets.<name>}`: the client's setting or secret, kept for the
    /// runtime to fill, noting the value it names.
    fn value_placeholder(&mut self, expr: &str) -> Option<String> {
        let (space, name) = expr.split_once('.')?;
        if !is_name(name) {
            return None;
        }
        let named = match space {
            "config" => ValueRef::Config(Cow::Owned(name.to_string())),
            "secrets" => ValueRef::Secret(Cow::Owned(name.to_string())),
            _ => return None,
        };
        if !self.values.contains(&named) {
            self.values.push(named);
        }
        Some(format!("{{{expr}}}"))
    }

    /// The placeholder of a secret or setting reference, noting the value it names.
    fn reference(&mut self, value: &Value) -> Option<String> {
        let (placeholder, named) = reference(value)?;
        if !self.values.contains(&named) {
            self.values.push(named);
        }
        Some(placeholder)
    }
}

/// A declared query parameter with a plain value (no placeholder), which the generated
/// client offers a typed setter for.
#[derive(Debug, Clone, PartialEq)]
pub struct SettableParam {
    /// The parameter name on the wire.
    pub name: String,
    /// The type its declared value has.
    pub kind: ParamKind,
    /// The declared value as the spec writes it, for the setter's doc.
    pub declared: String,
}

/// The type of a declared parameter's value, which its setter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A string.
    Text,
    /// An integer.
    Integer,
    /// A floating-point number.
    Float,
    /// A boolean (`True`/`False` on the wire, as dlt sends it).
    Bool,
    /// A list of scalars, one repeated key per item.
    List,
    /// Declared as `null` (sent only when set): any displayable value.
    Untyped,
}

/// The `{incremental.*}` values the runtime supplies.
const INCREMENTAL_VALUES: &[&str] = &[
    "incremental.start_value",
    "incremental.last_value",
    "incremental.initial_value",
    "incremental.end_value",
];

/// Checks an `{incremental.*}` placeholder and keeps it for the runtime.
fn incremental_placeholder(expr: &str, bound: &BoundRequest) -> Result<String, String> {
    if !bound.incremental {
        return Err(format!(
            "`{{{expr}}}` needs an `incremental` block on the endpoint"
        ));
    }
    if !INCREMENTAL_VALUES.contains(&expr) {
        return Err(format!(
            "`{{{expr}}}` is not an incremental value; use one of {}",
            INCREMENTAL_VALUES.join(", ")
        ));
    }
    Ok(format!("{{{expr}}}"))
}

/// Binds `path` and `params`.
pub fn bind(
    path: &str,
    params: Option<&Mapping>,
    incremental: bool,
) -> Result<BoundRequest, String> {
    let mut bound = BoundRequest {
        incremental,
        ..BoundRequest::default()
    };
    let params: Vec<(String, Value)> = params
        .into_iter()
        .flatten()
        .map(|(k, v)| (scalar_text(k), v.clone()))
        .collect();
    let mut used = vec![false; params.len()];
    let mut out = String::new();
    for piece in split_placeholders(path)? {
        match piece {
            // literal braces stay escaped: the runtime parses the path as a template again
            Piece::Text(t) => out.push_str(&escape(&t)),
            Piece::Placeholder(expr) => {
                if let Some(link) = parent_placeholder(&expr)? {
                    let arg = add_arg(&mut bound.args, &link.default_arg_name(), Some(link));
                    out.push_str(&format!("{{{arg}}}"));
                } else if expr.starts_with("incremental.") {
                    out.push_str(&incremental_placeholder(&expr, &bound)?);
                } else if let Some(placeholder) = bound.value_placeholder(&expr) {
                    out.push_str(&placeholder);
                } else if expr.contains('.') {
                    return Err(format!("`{{{expr}}}` in path `{path}` is not a valid name"));
                } else if let Some(i) = params.iter().position(|(k, _)| *k == expr) {
                    used[i] = true;
                    match &params[i].1 {
                        Value::Mapping(m) if is_type(m, "resolve") => {
                            let link = resolve_param(&expr, m)?;
                            let arg = add_arg(&mut bound.args, &expr, Some(link));
                            out.push_str(&format!("{{{arg}}}"));
                        }
                        Value::Mapping(_) if reference(&params[i].1).is_some() => {
                            let placeholder = bound.reference(&params[i].1).unwrap_or_default();
                            out.push_str(&placeholder);
                        }
                        Value::Mapping(_) | Value::Sequence(_) => {
                            return Err(format!(
                                "path parameter `{expr}` must be a scalar, a `resolve` reference \
                                 or a `{{secret: name}}` / `{{config: name}}` reference"
                            ));
                        }
                        value => out.push_str(&escape(&scalar_text(value))),
                    }
                } else {
                    // nothing binds it: the caller passes it
                    let arg = add_arg(&mut bound.args, &expr, None);
                    out.push_str(&format!("{{{arg}}}"));
                }
            }
        }
    }
    bound.path = out;
    for (i, (key, value)) in params.iter().enumerate() {
        if used[i] {
            continue;
        }
        bind_param(key, value, &mut bound)?;
    }
    Ok(bound)
}

fn bind_param(key: &str, value: &Value, bound: &mut BoundRequest) -> Result<(), String> {
    if let Some(kind) = settable_kind(value) {
        bound.settable.push(SettableParam {
            name: key.to_string(),
            kind,
            declared: serde_json::to_string(value).unwrap_or_default(),
        });
    }
    match value {
        Value::Null => {}
        Value::Sequence(items) => {
            for item in items {
                if matches!(item, Value::Mapping(_) | Value::Sequence(_)) {
                    return Err(format!("list parameter `{key}` must hold scalars"));
                }
                let text = bind_text(key, &scalar_text(item), bound)?;
                bound.params.push(param(key, text));
            }
        }
        Value::Mapping(m) if is_type(m, "resolve") => {
            return Err(format!(
                "`resolve` parameter `{key}` is not used in the path; to reference a parent \
                 resource in query params use `{{resources.<parent>.<field>}}`"
            ));
        }
        Value::Mapping(_) if reference(value).is_some() => {
            let placeholder = bound.reference(value).unwrap_or_default();
            bound.params.push(param(key, placeholder));
        }
        Value::Mapping(m) if is_type(m, "incremental") => {
            // `incremental::split_param` takes it out before binding; a second one is an error
            return Err(format!(
                "incremental parameter `{key}`: only one is allowed per endpoint"
            ));
        }
        Value::Mapping(_) => {
            return Err(format!(
                "parameter `{key}` is a map; only `type: resolve` and `type: incremental` maps, \
                 and `{{secret: name}}` / `{{config: name}}` references, are allowed"
            ));
        }
        Value::String(s) => {
            let text = bind_text(key, s, bound)?;
            bound.params.push(param(key, text));
        }
        other => bound.params.push(param(key, escape(&scalar_text(other)))),
    }
    Ok(())
}

/// The setter type of a declared parameter, when its value is plain: no placeholder in it.
fn settable_kind(value: &Value) -> Option<ParamKind> {
    let plain = |text: &str| !text.contains(['{', '}']);
    match value {
        Value::Null => Some(ParamKind::Untyped),
        Value::Bool(_) => Some(ParamKind::Bool),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(ParamKind::Integer),
        Value::Number(_) => Some(ParamKind::Float),
        Value::String(s) => plain(s).then_some(ParamKind::Text),
        Value::Sequence(items) => items
            .iter()
            .all(|item| match item {
                Value::String(s) => plain(s),
                other => matches!(other, Value::Bool(_) | Value::Number(_) | Value::Null),
            })
            .then_some(ParamKind::List),
        _ => None,
    }
}

/// Rewrites `{resources.p.f}` in a parameter value to an argument placeholder.
fn bind_text(key: &str, text: &str, bound: &mut BoundRequest) -> Result<String, String> {
    let pieces = split_placeholders(text)?;
    let sole = pieces.len() == 1;
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(&escape(&t)),
            Piece::Placeholder(expr) => {
                if expr.starts_with("incremental.") {
                    out.push_str(&incremental_placeholder(&expr, bound)?);
                    continue;
                }
                if let Some(placeholder) = bound.value_placeholder(&expr) {
                    out.push_str(&placeholder);
                    continue;
                }
                let Some(link) = parent_placeholder(&expr)? else {
                    if is_name(&expr) {
                        // nothing binds it: the caller passes it, as a path parameter
                        let arg = add_arg(&mut bound.args, &expr, None);
                        out.push_str(&format!("{{{arg}}}"));
                        continue;
                    }
                    return Err(format!(
                        "expression `{{{expr}}}` in parameter `{key}` is not valid: only \
                         `resources.<parent>.<field>` or a name may be used; escape literal \
                         braces by doubling them"
                    ));
                };
                let name = if sole {
                    key.to_string()
                } else {
                    link.default_arg_name()
                };
                let arg = add_arg(&mut bound.args, &name, Some(link));
                out.push_str(&format!("{{{arg}}}"));
            }
        }
    }
    Ok(out)
}

/// Whether a placeholder is a plain name (`start_date`), which the caller supplies.
fn is_name(expr: &str) -> bool {
    let mut chars = expr.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn param(key: &str, value: String) -> Param {
    Param {
        name: Cow::Owned(key.to_string()),
        value: Cow::Owned(value),
    }
}

fn add_arg(args: &mut Vec<PathArg>, name: &str, parent: Option<ParentLink>) -> String {
    if let Some(existing) = args.iter().find(|a| a.parent == parent && parent.is_some()) {
        return existing.name.clone();
    }
    let mut unique = sanitize(name);
    let mut n = 2;
    while args.iter().any(|a| a.name == unique) {
        unique = format!("{}_{n}", sanitize(name));
        n += 1;
    }
    args.push(PathArg {
        name: unique.clone(),
        parent,
    });
    unique
}

fn sanitize(name: &str) -> String {
    crate::emit::snake_text(name, "arg_")
}

fn is_type(m: &Mapping, kind: &str) -> bool {
    m.get("type").and_then(Value::as_str) == Some(kind)
}

fn resolve_param(name: &str, m: &Mapping) -> Result<ParentLink, String> {
    let get = |k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("`resolve` parameter `{name}` needs `{k}`"))
    };
    if let Some(extra) = m
        .keys()
        .map(scalar_text)
        .find(|k| !["type", "resource", "field"].contains(&k.as_str()))
    {
        return Err(format!(
            "`resolve` parameter `{name}` has an unknown key `{extra}`"
        ));
    }
    let field = get("field")?;
    Ok(ParentLink {
        resource: get("resource")?,
        selector: jsonpath::compile(&field)?,
        field,
    })
}

fn parent_placeholder(expr: &str) -> Result<Option<ParentLink>, String> {
    let Some(rest) = expr.strip_prefix("resources.") else {
        return Ok(None);
    };
    let Some((resource, field)) = rest.split_once('.') else {
        return Err(format!(
            "placeholder `{{{expr}}}` must be `resources.<parent>.<field>`"
        ));
    };
    Ok(Some(ParentLink {
        resource: resource.to_string(),
        selector: jsonpath::compile(field)?,
        field: field.to_string(),
    }))
}

enum Piece {
    Text(String),
    Placeholder(String),
}

/// Splits a `str.format` template into text and `{placeholder}`s; `{{`/`}}` are literal.
fn split_placeholders(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut expr = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(ch) => expr.push(ch),
                        None => return Err(format!("unclosed `{{` in `{template}`")),
                    }
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Placeholder(expr.trim().to_string()));
            }
            '}' => {
                return Err(format!(
                    "single `}}` in `{template}`; write `}}}}` for a literal brace"
                ));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Escapes literal braces for the runtime's placeholder filler.
fn escape(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// A YAML scalar as Python's `str()` renders it on the wire (`True`, `None`, `1.5`).
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// Headers: static values, or parent placeholders like parameters.
pub fn bind_headers(
    headers: Option<&Mapping>,
    bound: &mut BoundRequest,
) -> Result<Vec<Param>, String> {
    let mut out = Vec::new();
    for (k, v) in headers.into_iter().flatten() {
        let key = scalar_text(k);
        let text = match v {
            Value::String(s) => bind_text(&key, s, bound)?,
            Value::Null => continue,
            Value::Mapping(_) if reference(v).is_some() => bound.reference(v).unwrap_or_default(),
            Value::Mapping(_) | Value::Sequence(_) => {
                return Err(format!(
                    "header `{key}` must be a string, or a `{{secret: name}}` / `{{config: name}}` reference"
                ));
            }
            other => escape(&scalar_text(other)),
        };
        out.push(param(&key, text));
    }
    Ok(out)
}

/// A JSON body: every string and key has its placeholders bound like a parameter's, so a
/// parent field used only in the body makes the resource a child, as in dlt. A string that is
/// one placeholder names its argument after the key it sits under.
pub fn bind_json(value: &Value, bound: &mut BoundRequest) -> Result<Value, String> {
    bind_json_at("json", value, bound)
}

fn bind_json_at(key: &str, value: &Value, bound: &mut BoundRequest) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => Value::String(bind_text(key, s, bound)?),
        Value::Sequence(items) => Value::Sequence(
            items
                .iter()
                .map(|item| bind_json_at(key, item, bound))
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(_) if reference(value).is_some() => {
            Value::String(bound.reference(value).unwrap_or_default())
        }
        Value::Mapping(map) => {
            let mut out = Mapping::new();
            for (k, v) in map {
                let name = scalar_text(k);
                let k = match k {
                    Value::String(s) => Value::String(bind_text(&name, s, bound)?),
                    other => other.clone(),
                };
                out.insert(k, bind_json_at(&name, v, bound)?);
            }
            Value::Mapping(out)
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests;
