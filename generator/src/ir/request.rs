//! Binds a resource's path and parameters the way dlt does: static `{name}` path params are
//! substituted from `params`, `{resources.<parent>.<field>}` placeholders and legacy `resolve`
//! params become parent-bound arguments, and a path param nothing binds becomes a required
//! argument of the generated method.

use std::borrow::Cow;

use restgen_runtime::descriptor::Param;
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
                                    Seg::Key("params".into()),
                                    Seg::Key(expr.clone()),
                                    Seg::Key("resource".into()),
                                ],
                                ..Site::default()
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
        at: [Seg::Key("params".into()), Seg::Key(key.to_string())]
            .into_iter()
            .chain(index.map(Seg::Index))
            .collect(),
        ..Site::default()
    };
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

/// Rewrites `{resources.p.f}` in a parameter value to an argument placeholder; an issue is
/// located at the value, at the placeholder's column.
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
                let Some(link) = placeholder::parent(&expr, at)? else {
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
        parent,
        site,
    });
    unique
}

fn sanitize(name: &str) -> String {
    crate::emit::snake_text(name, "arg_")
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
    fn a_header_must_be_text() {
        let headers = mapping("{X-Token: {secret: token}}");
        let e = super::super::headers::bind_headers(Some(&headers), &mut BoundRequest::default())
            .unwrap_err();
        assert!(
            e.message.contains("header `X-Token` must be a string"),
            "{e:?}"
        );
        // located at the header's value
        assert_eq!(
            e.at,
            [Seg::Key("headers".into()), Seg::Key("X-Token".into())]
        );
        let (sent, issues) =
            super::super::headers::client_headers(Some(&mapping("{A: '{x}', B: null, C: [1]}")));
        assert_eq!(sent, [param("A", "{{x}}".into())]);
        assert_eq!(issues.len(), 1);
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
    fn json_body_placeholders_bind_parent_fields() {
        let mut b = bind("posts/{resources.posts.id}/x", None).unwrap();
        let json: Value = serde_yaml::from_str(
            "{owner: '{resources.posts.meta.owner}', text: 'by {resources.posts.meta.owner}', \
             same: '{resources.posts.id}', lit: '{{x}}', n: 1}",
        )
        .unwrap();
        let bound = bind_json(&json, &mut b).unwrap();
        assert_eq!(
            serde_json::to_string(&bound).unwrap(),
            r#"{"owner":"{owner}","text":"by {owner}","same":"{posts_id}","lit":"{{x}}","n":1}"#
        );
        let names: Vec<_> = b.args.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["posts_id", "owner"]);
        let bad: Value = serde_yaml::from_str("{q: '{other.thing}'}").unwrap();
        assert!(bind_json(&bad, &mut b).is_err());
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
