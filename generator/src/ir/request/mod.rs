//! Binds a resource's path and parameters the way dlt does: static `{name}` path params are
//! substituted from `params`, `{resources.<parent>.<field>}` placeholders and legacy `resolve`
//! params become parent-bound arguments, and a path param nothing binds becomes a required
//! argument of the generated method. The client's secrets and settings (`{secret: name}`,
//! `{config.name}`) become placeholders the runtime fills from the client's values.

use std::borrow::Cow;

use restgen_runtime::descriptor::{Computed, Param, ValueRef};
use serde_yaml::{Mapping, Value};

use super::issue::Issue;
use super::placeholder::{self, Piece, escape};
use super::{ParentLink, PathArg, Site, jsonpath};
use crate::spec::span::Seg;

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
    /// Templates sent in parameters, headers, the path or the body (`{expr: ..}`), the `N`th
    /// as the placeholder `{expr.N}` the runtime fills when a run starts.
    pub computed: Vec<Computed>,
}

impl BoundRequest {
    /// The placeholder of the client's secret or setting `value`, noting the value.
    pub(super) fn value(&mut self, value: ValueRef) -> String {
        let text = placeholder::value_text(&value);
        if !self.values.contains(&value) {
            self.values.push(value);
        }
        text
    }
}

/// A declared query parameter with a plain value (no placeholder), which the generated
/// client offers a typed setter for.
#[derive(Debug, Clone, PartialEq)]
pub struct SettableParam {
    /// The parameter name on the wire.
    pub name: String,
    /// Its typed setter's name, settled once (`names::settle_resources`).
    pub setter: String,
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

/// Binds `path` and `params`; an issue is located relative to the endpoint.
pub fn bind(
    path: &str,
    params: Option<&Mapping>,
    incremental: bool,
) -> Result<BoundRequest, Issue> {
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
    let in_path = |e: Issue| e.under("path");
    for piece in placeholder::split(path).map_err(in_path)? {
        match piece {
            // literal braces stay escaped: the runtime parses the path as a template again
            Piece::Text(t) => out.push_str(&escape(&t)),
            Piece::Placeholder(expr, at) => {
                let site = Site {
                    at: vec![Seg::Key("path".into())],
                    column: Some(at),
                    on_key: false,
                };
                if let Some(link) = placeholder::parent(&expr, at).map_err(in_path)? {
                    let arg = add_arg(&mut bound.args, &link.default_arg_name(), Some(link), site);
                    out.push_str(&format!("{{{arg}}}"));
                } else if expr.starts_with("incremental.") {
                    out.push_str(
                        &placeholder::incremental(&expr, at, bound.incremental).map_err(in_path)?,
                    );
                } else if let Some(value) = placeholder::value(&expr, at).map_err(in_path)? {
                    out.push_str(&bound.value(value));
                } else if expr.contains('.') {
                    return Err(Issue::new(format!(
                        "placeholder `{{{expr}}}` is not bound: a dotted name must start with \
                         `resources.`, `incremental.`, `config.` or `secrets.`"
                    ))
                    .column(at)
                    .label("not a valid name")
                    .note(
                        "a path placeholder is a `params` key, `{resources.<parent>.<field>}`, \
                         `{incremental.start_value}` or `{config.<name>}`; any other name becomes \
                         an argument",
                    )
                    .under("path"));
                } else if let Some(i) = params.iter().position(|(k, _)| *k == expr) {
                    used[i] = true;
                    match &params[i].1 {
                        Value::Mapping(m) if is_type(m, "resolve") => {
                            let link = resolve_param(&expr, m)
                                .map_err(|e| e.under(&expr).under("params"))?;
                            // the parent is named at `resource:`
                            let site = Site {
                                at: vec![
                                    Seg::Key("params".into()),
                                    Seg::Key(expr.clone()),
                                    Seg::Key("resource".into()),
                                ],
                                ..Site::default()
                            };
                            let arg = add_arg(&mut bound.args, &expr, Some(link), site);
                            out.push_str(&format!("{{{arg}}}"));
                        }
                        value @ (Value::Mapping(_) | Value::Sequence(_)) => {
                            if let Some(named) = placeholder::reference(value) {
                                out.push_str(&bound.value(named));
                                continue;
                            }
                            if let Some(text) = bound.computed(value) {
                                let in_param = |e: Issue| e.under(&expr).under("params");
                                out.push_str(&text.map_err(in_param)?);
                                continue;
                            }
                            return Err(Issue::new(format!(
                                "path parameter `{expr}` must be a scalar, a `resolve` reference \
                                 or a `{{secret: name}}` / `{{config: name}}` reference"
                            ))
                            .label("used in the path, so it must be one value")
                            .maybe_help(placeholder::reference_typo(value))
                            .under(&expr)
                            .under("params"));
                        }
                        value => out.push_str(&escape(&scalar_text(value))),
                    }
                } else {
                    // nothing binds it: the caller passes it
                    let arg = add_arg(&mut bound.args, &expr, None, site);
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
        bind_param(key, value, &mut bound).map_err(|e| e.under(key).under("params"))?;
    }
    Ok(bound)
}

/// Binds one query parameter; an issue is located relative to its value.
fn bind_param(key: &str, value: &Value, bound: &mut BoundRequest) -> Result<(), Issue> {
    let site = |index: Option<usize>| Site {
        at: [Seg::Key("params".into()), Seg::Key(key.to_string())]
            .into_iter()
            .chain(index.map(Seg::Index))
            .collect(),
        ..Site::default()
    };
    if let Some(kind) = settable_kind(value) {
        bound.settable.push(SettableParam {
            name: key.to_string(),
            setter: String::new(),
            kind,
            declared: serde_json::to_string(value).unwrap_or_default(),
        });
    }
    if let Some(named) = placeholder::reference(value) {
        let text = bound.value(named);
        bound.params.push(param(key, text));
        return Ok(());
    }
    if let Some(text) = bound.computed(value) {
        bound.params.push(param(key, text?));
        return Ok(());
    }
    match value {
        Value::Null => {}
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                if matches!(item, Value::Mapping(_) | Value::Sequence(_)) {
                    return Err(
                        Issue::new(format!("list parameter `{key}` must hold scalars"))
                            .label("a nested value")
                            .under_index(i),
                    );
                }
                let text = bind_text(key, &scalar_text(item), bound, site(Some(i)))
                    .map_err(|e| e.under_index(i))?;
                bound.params.push(param(key, text));
            }
        }
        Value::Mapping(m) if is_type(m, "resolve") => {
            return Err(Issue::new(format!(
                "`resolve` parameter `{key}` is not used in the path"
            ))
            .key()
            .label("never placed in the path")
            .help(format!(
                "use it in the path as `{{{key}}}`, or reference the parent in a query \
                 parameter with `{{resources.<parent>.<field>}}`"
            )));
        }
        Value::Mapping(m) if is_type(m, "incremental") => {
            // `incremental::split_param` takes them all out before binding
            return Err(Issue::new(format!(
                "incremental parameter `{key}`: only one is allowed per endpoint"
            ))
            .key()
            .label("a second incremental parameter")
            .help("keep one, or move the cursor to the endpoint's `incremental` block"));
        }
        Value::Mapping(_) => {
            return Err(Issue::new(format!(
                "parameter `{key}` is a mapping; only `type: resolve` and `type: incremental` \
                 mappings, `{{secret: name}}` / `{{config: name}}` references and \
                 `{{expr: <template>}}` are allowed"
            ))
            .label("expected a scalar, a list, a reference or a `type: resolve` mapping")
            .maybe_help(placeholder::reference_typo(value)));
        }
        Value::String(s) => {
            let text = bind_text(key, s, bound, site(None))?;
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

/// Rewrites `{resources.p.f}` in a parameter value to an argument placeholder, and a plain
/// `{name}` to an argument of its name; an issue is located at the value, at the
/// placeholder's column.
pub(super) fn bind_text(
    key: &str,
    text: &str,
    bound: &mut BoundRequest,
    site: Site,
) -> Result<String, Issue> {
    let pieces = placeholder::split(text)?;
    let sole = pieces.len() == 1;
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(&escape(&t)),
            Piece::Placeholder(expr, at) => {
                if expr.starts_with("incremental.") {
                    out.push_str(&placeholder::incremental(&expr, at, bound.incremental)?);
                    continue;
                }
                if let Some(value) = placeholder::value(&expr, at)? {
                    out.push_str(&bound.value(value));
                    continue;
                }
                let Some(link) = placeholder::parent(&expr, at)? else {
                    if placeholder::is_name(&expr) {
                        // nothing binds it: the caller passes it, as a path parameter
                        let site = Site {
                            column: Some(at),
                            ..site.clone()
                        };
                        let arg = add_arg(&mut bound.args, &expr, None, site);
                        out.push_str(&format!("{{{arg}}}"));
                        continue;
                    }
                    return Err(Issue::new(format!(
                        "placeholder `{{{expr}}}` in `{key}` is not bound: only \
                         `{{resources.<parent>.<field>}}`, `{{incremental.*}}`, \
                         `{{config.<name>}}`, `{{secrets.<name>}}` or a name can be used here"
                    ))
                    .column(at)
                    .label("nothing binds this")
                    .help("write literal braces doubled: `{{` and `}}`"));
                };
                let name = if sole {
                    key.to_string()
                } else {
                    link.default_arg_name()
                };
                let site = Site {
                    column: Some(at),
                    ..site.clone()
                };
                let arg = add_arg(&mut bound.args, &name, Some(link), site);
                out.push_str(&format!("{{{arg}}}"));
            }
        }
    }
    Ok(out)
}

pub(super) fn param(key: &str, value: String) -> Param {
    Param {
        name: Cow::Owned(key.to_string()),
        value: Cow::Owned(value),
    }
}

fn add_arg(args: &mut Vec<PathArg>, name: &str, parent: Option<ParentLink>, site: Site) -> String {
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
        rust: String::new(),
        parent,
        site,
    });
    unique
}

fn sanitize(name: &str) -> String {
    crate::ir::rust_names::snake_text(name, "arg_")
}

fn is_type(m: &Mapping, kind: &str) -> bool {
    m.get("type").and_then(Value::as_str) == Some(kind)
}

/// A legacy `resolve` parameter; an issue is located relative to its mapping.
fn resolve_param(name: &str, m: &Mapping) -> Result<ParentLink, Issue> {
    let get = |k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                Issue::new(format!("`resolve` parameter `{name}` needs `{k}`"))
                    .key()
                    .label(format!("no `{k}` here"))
                    .note("a `resolve` parameter is `{type: resolve, resource: <parent>, field: <field>}`")
            })
    };
    if let Some(extra) = m
        .keys()
        .map(scalar_text)
        .find(|k| !["type", "resource", "field"].contains(&k.as_str()))
    {
        let keys = ["type", "resource", "field"];
        return Err(Issue::new(format!(
            "`resolve` parameter `{name}` has an unknown key `{extra}`"
        ))
        .at_key(&extra)
        .key()
        .label("unknown key")
        .maybe_help(crate::spec::diagnostic::did_you_mean(&extra, &keys)));
    }
    let field = get("field")?;
    Ok(ParentLink {
        resource: get("resource")?,
        selector: jsonpath::compile(&field).map_err(|e| Issue::from(e).under("field"))?,
        field,
    })
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

/// A JSON body: every string and key has its placeholders bound like a parameter's, so a
/// parent field used only in the body makes the resource a child, as in dlt. A string that is
/// one placeholder names its argument after the key it sits under. An issue is located
/// relative to the endpoint.
pub fn bind_json(value: &Value, bound: &mut BoundRequest) -> Result<Value, Issue> {
    bind_json_at("json", value, bound, &[Seg::Key("json".into())]).map_err(|e| e.under("json"))
}

/// Binds `value`, which is at `at` from the endpoint; an issue is located relative to it.
fn bind_json_at(
    key: &str,
    value: &Value,
    bound: &mut BoundRequest,
    at: &[Seg],
) -> Result<Value, Issue> {
    if let Some(named) = placeholder::reference(value) {
        return Ok(Value::String(bound.value(named)));
    }
    if let Some(text) = bound.computed(value) {
        return Ok(Value::String(text?));
    }
    Ok(match value {
        Value::String(s) => {
            let site = Site {
                at: at.to_vec(),
                ..Site::default()
            };
            Value::String(bind_text(key, s, bound, site)?)
        }
        Value::Sequence(items) => Value::Sequence(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let path = [at, &[Seg::Index(i)]].concat();
                    bind_json_at(key, item, bound, &path).map_err(|e| e.under_index(i))
                })
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(map) => {
            let mut out = Mapping::new();
            for (k, v) in map {
                let name = scalar_text(k);
                let path = [at, &[Seg::Key(name.clone())]].concat();
                let k = match k {
                    Value::String(s) => {
                        let site = Site {
                            at: path.clone(),
                            on_key: true,
                            ..Site::default()
                        };
                        let text =
                            bind_text(&name, s, bound, site).map_err(|e| e.key().under(&name))?;
                        Value::String(text)
                    }
                    other => other.clone(),
                };
                let v = bind_json_at(&name, v, bound, &path).map_err(|e| e.under(&name))?;
                out.insert(k, v);
            }
            Value::Mapping(out)
        }
        other => other.clone(),
    })
}

mod computed;

pub use computed::template_of;

#[cfg(test)]
mod tests;
