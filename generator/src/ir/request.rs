//! Binds a resource's path and parameters the way dlt does: static `{name}` path params are
//! substituted from `params`, `{resources.<parent>.<field>}` placeholders and legacy `resolve`
//! params become parent-bound arguments, and a path param nothing binds becomes a required
//! argument of the generated method.

use std::borrow::Cow;

use restgen_runtime::descriptor::Param;
use serde_yaml::{Mapping, Value};

use super::issue::Issue;
use super::{ParentLink, PathArg, Site, jsonpath};

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
}

/// The `{incremental.*}` values the runtime supplies.
const INCREMENTAL_VALUES: &[&str] = &[
    "incremental.start_value",
    "incremental.last_value",
    "incremental.initial_value",
    "incremental.end_value",
];

/// Checks an `{incremental.*}` placeholder and keeps it for the runtime. An issue is about
/// the scalar the placeholder is in, at its column.
fn incremental_placeholder(expr: &str, at: usize, bound: &BoundRequest) -> Result<String, Issue> {
    if !bound.incremental {
        return Err(Issue::new(format!(
            "placeholder `{{{expr}}}` is not bound: it needs an `incremental` block on the endpoint"
        ))
        .column(at)
        .label("no `incremental` block binds this")
        .help("add `incremental: {cursor_path: <field>, initial_value: ..}` to the endpoint"));
    }
    if !INCREMENTAL_VALUES.contains(&expr) {
        let names: Vec<&str> = INCREMENTAL_VALUES
            .iter()
            .map(|v| v.trim_start_matches("incremental."))
            .collect();
        let asked = expr.trim_start_matches("incremental.");
        return Err(Issue::new(format!(
            "placeholder `{{{expr}}}` is not bound: `{asked}` is not an incremental value"
        ))
        .column(at)
        .label(format!(
            "expected incremental.{}",
            names.join(", incremental.")
        ))
        .maybe_help(
            crate::spec::diagnostic::closest(asked, &names)
                .map(|c| format!("did you mean `{{incremental.{c}}}`?")),
        ));
    }
    Ok(format!("{{{expr}}}"))
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
    for piece in split_placeholders(path).map_err(in_path)? {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Placeholder(expr, at) => {
                let site = Site {
                    at: vec![crate::spec::span::Seg::Key("path".into())],
                    column: Some(at),
                };
                if let Some(link) = parent_placeholder(&expr, at).map_err(in_path)? {
                    let arg = add_arg(&mut bound.args, &link.default_arg_name(), Some(link), site);
                    out.push_str(&format!("{{{arg}}}"));
                } else if expr.starts_with("incremental.") {
                    out.push_str(&incremental_placeholder(&expr, at, &bound).map_err(in_path)?);
                } else if expr.contains('.') {
                    return Err(Issue::new(format!(
                        "placeholder `{{{expr}}}` is not bound: a dotted name must start with \
                         `resources.` or `incremental.`"
                    ))
                    .column(at)
                    .label("not a valid name")
                    .note(
                        "a path placeholder is a `params` key, `{resources.<parent>.<field>}` \
                         or `{incremental.start_value}`; any other name becomes an argument",
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
                                    crate::spec::span::Seg::Key("params".into()),
                                    crate::spec::span::Seg::Key(expr.clone()),
                                    crate::spec::span::Seg::Key("resource".into()),
                                ],
                                column: None,
                            };
                            let arg = add_arg(&mut bound.args, &expr, Some(link), site);
                            out.push_str(&format!("{{{arg}}}"));
                        }
                        Value::Mapping(_) | Value::Sequence(_) => {
                            return Err(Issue::new(format!(
                                "path parameter `{expr}` must be a scalar or a `resolve` reference"
                            ))
                            .label("used in the path, so it must be one value")
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
        at: [
            crate::spec::span::Seg::Key("params".into()),
            crate::spec::span::Seg::Key(key.to_string()),
        ]
        .into_iter()
        .chain(index.map(crate::spec::span::Seg::Index))
        .collect(),
        column: None,
    };
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
            return Err(Issue::new(format!(
                "incremental parameter `{key}` is not supported by restgen yet"
            ))
            .key()
            .label("the legacy `type: incremental` parameter")
            .help("use an `incremental` block on the endpoint and `{incremental.start_value}`"));
        }
        Value::Mapping(_) => {
            return Err(Issue::new(format!(
                "parameter `{key}` is a mapping; only `type: resolve` and `type: incremental` \
                 mappings are allowed"
            ))
            .label("expected a scalar, a list or a `type: resolve` mapping"));
        }
        Value::String(s) => {
            let text = bind_text(key, s, bound, site(None))?;
            bound.params.push(param(key, text));
        }
        other => bound.params.push(param(key, escape(&scalar_text(other)))),
    }
    Ok(())
}

/// Rewrites `{resources.p.f}` in a parameter value to an argument placeholder; an issue is
/// located at the value, at the placeholder's column.
fn bind_text(key: &str, text: &str, bound: &mut BoundRequest, site: Site) -> Result<String, Issue> {
    let pieces = split_placeholders(text)?;
    let sole = pieces.len() == 1;
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(&escape(&t)),
            Piece::Placeholder(expr, at) => {
                if expr.starts_with("incremental.") {
                    out.push_str(&incremental_placeholder(&expr, at, bound)?);
                    continue;
                }
                let Some(link) = parent_placeholder(&expr, at)? else {
                    return Err(Issue::new(format!(
                        "placeholder `{{{expr}}}` in `{key}` is not bound: only \
                         `{{resources.<parent>.<field>}}` and `{{incremental.*}}` can be used here"
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

fn param(key: &str, value: String) -> Param {
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
        parent,
        site,
    });
    unique
}

fn sanitize(name: &str) -> String {
    let snake = heck::ToSnakeCase::to_snake_case(name);
    let cleaned: String = snake
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() || cleaned.starts_with(|c: char| c.is_ascii_digit()) {
        format!("arg_{cleaned}")
    } else {
        cleaned
    }
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

/// `{resources.<parent>.<field>}` written at character `at` of its scalar.
fn parent_placeholder(expr: &str, at: usize) -> Result<Option<ParentLink>, Issue> {
    let Some(rest) = expr.strip_prefix("resources.") else {
        return Ok(None);
    };
    let Some((resource, field)) = rest.split_once('.') else {
        return Err(Issue::new(format!(
            "placeholder `{{{expr}}}` must be `{{resources.<parent>.<field>}}`"
        ))
        .column(at)
        .label("no field named after the parent"));
    };
    // the field starts after `{`, `resources.`, the parent's name and a dot
    let field_at = at + 1 + "resources.".len() + resource.chars().count() + 1;
    let selector = jsonpath::compile(field).map_err(|e| {
        Issue::new(format!(
            "the field of placeholder `{{{expr}}}` is not a valid JSONPath: {}",
            e.what
        ))
        .column(field_at + e.at)
        .label(e.what)
    })?;
    Ok(Some(ParentLink {
        resource: resource.to_string(),
        selector,
        field: field.to_string(),
    }))
}

enum Piece {
    Text(String),
    /// The placeholder's expression and the character offset of its `{`.
    Placeholder(String, usize),
}

/// Splits a `str.format` template into text and `{placeholder}`s; `{{`/`}}` are literal.
fn split_placeholders(template: &str) -> Result<Vec<Piece>, Issue> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().enumerate().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut expr = String::new();
                loop {
                    match chars.next() {
                        Some((_, '}')) => break,
                        Some((_, ch)) => expr.push(ch),
                        None => {
                            return Err(Issue::new("a placeholder's `{` is never closed")
                                .column(at)
                                .label("unclosed `{`")
                                .help("close it with `}`, or write a literal brace as `{{`"));
                        }
                    }
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Placeholder(expr.trim().to_string(), at));
            }
            '}' => {
                return Err(Issue::new("a single `}` outside a placeholder")
                    .column(at)
                    .label("single `}`")
                    .help("write `}}` for a literal brace"));
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

/// Headers: static values, or parent placeholders like parameters. An issue is located
/// relative to the endpoint.
pub fn bind_headers(
    headers: Option<&Mapping>,
    bound: &mut BoundRequest,
) -> Result<Vec<Param>, Issue> {
    let mut out = Vec::new();
    for (k, v) in headers.into_iter().flatten() {
        let key = scalar_text(k);
        let site = Site {
            at: vec![
                crate::spec::span::Seg::Key("headers".into()),
                crate::spec::span::Seg::Key(key.clone()),
            ],
            column: None,
        };
        let text = match v {
            Value::String(s) => {
                bind_text(&key, s, bound, site).map_err(|e| e.under(&key).under("headers"))?
            }
            Value::Null => continue,
            other => escape(&scalar_text(other)),
        };
        out.push(param(&key, text));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn bind(path: &str, params: Option<&Mapping>) -> Result<BoundRequest, Issue> {
        super::bind(path, params, false)
    }

    #[test]
    fn incremental_placeholders_need_the_block() {
        let params = mapping("{since: '{incremental.start_value}'}");
        let b = super::bind("/x", Some(&params), true).unwrap();
        assert_eq!(b.params[0].value, "{incremental.start_value}");
        assert!(bind("/x", Some(&params)).is_err());
        let bad = mapping("{since: '{incremental.start}'}");
        assert!(super::bind("/x", Some(&bad), true).is_err());
    }

    fn mapping(yaml: &str) -> Mapping {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn static_path_param_is_substituted_and_removed() {
        let b = bind("orgs/{org}/x", Some(&mapping("{org: acme, a: 1}"))).unwrap();
        assert_eq!(b.path, "orgs/acme/x");
        assert_eq!(b.params, vec![param("a", "1".into())]);
        assert!(b.args.is_empty());
    }

    #[test]
    fn resolve_param_becomes_parent_argument() {
        let b = bind(
            "/signature_requests/{sign_req}/followers",
            Some(&mapping(
                "{sign_req: {type: resolve, resource: signature_requests, field: id}, limit: 100}",
            )),
        )
        .unwrap();
        assert_eq!(b.path, "/signature_requests/{sign_req}/followers");
        assert_eq!(b.params, vec![param("limit", "100".into())]);
        assert_eq!(b.args[0].name, "sign_req");
        assert_eq!(
            b.args[0].parent.as_ref().unwrap().resource,
            "signature_requests"
        );
    }

    #[test]
    fn unbound_path_param_is_an_argument() {
        let b = bind("/x/{thing_id}", None).unwrap();
        assert_eq!(b.args.len(), 1);
        assert!(b.args[0].parent.is_none());
    }

    #[test]
    fn query_placeholder_and_wire_forms() {
        let b = bind(
            "/contacts",
            Some(&mapping("{contact_book: '{resources.contact_books.id}', q: 'id:{resources.contact_books.id}', flag: true, none: null, tags: [a, b]}")),
        )
        .unwrap();
        let shown: Vec<_> = b
            .params
            .iter()
            .map(|p| format!("{}={}", p.name, p.value))
            .collect();
        assert_eq!(
            shown,
            [
                "contact_book={contact_book}",
                "q=id:{contact_book}",
                "flag=True",
                "tags=a",
                "tags=b"
            ]
        );
        assert_eq!(b.args.len(), 1);
    }

    #[test]
    fn errors() {
        assert!(
            bind(
                "/x",
                Some(&mapping("{p: {type: resolve, resource: a, field: id}}"))
            )
            .is_err()
        );
        assert!(bind("/x", Some(&mapping("{p: '{other.thing}'}"))).is_err());
        assert!(bind("/x/{a.b}", None).is_err());
    }
}
