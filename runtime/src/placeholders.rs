//! dlt's placeholder filling: Python `str.format` over a request's path, parameters, headers
//! and JSON body, with the values of the request's arguments, its parent's fields and its
//! incremental run.

use serde_json::Value;

use crate::error::Error;
use crate::paginate::wire_form;

/// The values placeholders are filled from, by name; a later binding of a name wins. Values
/// keep their JSON type so a JSON-body value that is one placeholder alone keeps it too.
pub type Args = [(String, Value)];

/// Python `str.format` for the `{name}` placeholders of a path, parameter or header: `{{` and
/// `}}` are literal braces; a name that is not bound is an error. Values render as Python's
/// `str()` does (`True`, `None`); path values are percent-encoded as one segment.
pub fn fill_placeholders(template: &str, args: &Args, encode: bool) -> Result<String, Error> {
    fill(template, args, encode, &mut |_, _| {})
}

/// [`fill_placeholders`] for the path of `resource`, where a value must fill a segment and
/// never change which segments there are: `/`, `?` and `#` in a value are percent-encoded,
/// and a segment a value fills that is empty, `.` or `..` (as sent, or once decoded by the
/// server, however many times; or between slashes a server decodes) is refused before any
/// request: `tickets/{id}/comments` with the id `..` would ask for `/comments`, credentials
/// and all.
pub fn fill_path(template: &str, args: &Args, resource: &str) -> Result<String, Error> {
    // the placeholders of each segment: `/` in values is encoded, so the template's slashes
    // are the filled path's
    let mut filled: Vec<(usize, String)> = Vec::new();
    let path = fill(template, args, true, &mut |out, name| {
        filled.push((out.matches('/').count(), name.to_string()));
    })?;
    for (index, segment) in path.split('/').enumerate() {
        let names: Vec<&str> = filled
            .iter()
            .filter(|(at, _)| *at == index)
            .map(|(_, name)| name.as_str())
            .collect();
        let Some(first) = names.first() else {
            continue;
        };
        if let Some(reason) = not_one_segment(segment) {
            return Err(Error::PathArgument {
                resource: resource.to_string(),
                argument: first.to_string(),
                reason,
            });
        }
    }
    Ok(path)
}

/// Why a filled path segment (as sent, percent-encoded) would not stay one segment.
fn not_one_segment(segment: &str) -> Option<String> {
    if segment.is_empty() {
        return Some("it is empty, which removes a segment of the path".into());
    }
    let mut text = segment.to_string();
    loop {
        if let Some(dots) = text.split(['/', '\\']).find(|p| *p == "." || *p == "..") {
            let how = if text == segment {
                String::new()
            } else {
                " once percent-decoded".to_string()
            };
            return Some(format!(
                "it reads as the dot segment `{dots}`{how}, which moves the request to another path"
            ));
        }
        let decoded = percent_decode(&text);
        if decoded == text {
            return None;
        }
        text = decoded;
    }
}

/// `%XX` escapes decoded, bytes that do not form UTF-8 replaced; anything else as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A piece of a `str.format` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text, `{{` and `}}` read as braces.
    Text(String),
    /// A placeholder: the text between its braces, as written, and the character offset of
    /// its `{` in the template.
    Placeholder {
        /// What is between the braces.
        name: &'a str,
        /// The character offset of the `{`.
        at: usize,
    },
}

/// Why a template does not parse, with the character offset of the brace at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateError {
    /// A `{` with no `}` after it.
    Unclosed {
        /// The character offset of the `{`.
        at: usize,
    },
    /// A single `}` outside a placeholder.
    StrayClose {
        /// The character offset of the `}`.
        at: usize,
    },
}

/// Splits a `str.format` template into text and placeholders: the one reading of templates,
/// which the generator checks specs with and the runtime fills requests with.
pub fn pieces(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.char_indices().enumerate().peekable();
    while let Some((at, (byte, c))) = chars.next() {
        let next = chars.peek().map(|(_, (_, c))| *c);
        match c {
            '{' | '}' if next == Some(c) => {
                chars.next();
                text.push(c);
            }
            '{' => {
                let start = byte + 1;
                let end = loop {
                    match chars.next() {
                        Some((_, (end, '}'))) => break end,
                        Some(_) => {}
                        None => return Err(TemplateError::Unclosed { at }),
                    }
                };
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Placeholder {
                    name: &template[start..end],
                    at,
                });
            }
            '}' => return Err(TemplateError::StrayClose { at }),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// The filling itself; `placed(out, name)` is told of each placeholder before its value is
/// appended to `out`.
fn fill(
    template: &str,
    args: &Args,
    encode: bool,
    placed: &mut dyn FnMut(&str, &str),
) -> Result<String, Error> {
    if !template.contains(['{', '}']) {
        return Ok(template.to_string());
    }
    let pieces = pieces(template).map_err(|e| {
        Error::Invalid(match e {
            TemplateError::StrayClose { .. } => format!("unmatched `}}` in `{template}`"),
            TemplateError::Unclosed { .. } => format!("unclosed `{{` in `{template}`"),
        })
    })?;
    let mut out = String::with_capacity(template.len());
    for piece in pieces {
        let name = match piece {
            Piece::Text(text) => {
                out.push_str(&text);
                continue;
            }
            Piece::Placeholder { name, .. } => name,
        };
        let value = wire_form(lookup(args, name, template)?);
        placed(&out, name);
        if encode {
            out.extend(
                url::form_urlencoded::byte_serialize(value.as_bytes())
                    .map(|s| if s == "+" { "%20" } else { s }),
            );
        } else {
            out.push_str(&value);
        }
    }
    Ok(out)
}

/// Fills placeholders in every string and key of a JSON body. A string that is one
/// placeholder and nothing else takes the value itself, type and all — dlt's
/// `preserve_type`: `{"id": "{id}"}` sends `{"id": 42}` for a numeric id, and `None` as `null`.
pub fn fill_json(value: &mut Value, args: &Args) -> Result<(), Error> {
    match value {
        Value::String(text) => match sole_placeholder(text) {
            Some(name) => *value = lookup(args, name, text)?.clone(),
            None => *text = fill_placeholders(text, args, false)?,
        },
        Value::Array(items) => {
            for item in items {
                fill_json(item, args)?;
            }
        }
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                fill_json(&mut item, args)?;
                map.insert(fill_placeholders(&key, args, false)?, item);
            }
        }
        _ => {}
    }
    Ok(())
}

/// The name in a template that is exactly `{name}`; `{{x}}` is an escaped literal, not one.
fn sole_placeholder(template: &str) -> Option<&str> {
    let name = template.strip_prefix('{')?.strip_suffix('}')?;
    (!name.is_empty() && !name.contains(['{', '}'])).then_some(name)
}

/// The value bound to `name`, the latest binding first.
fn lookup<'a>(args: &'a Args, name: &str, template: &str) -> Result<&'a Value, Error> {
    args.iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .ok_or_else(|| Error::Invalid(format!("no value for `{{{name}}}` in `{template}`")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn a_template_reads_as_text_and_placeholders_with_character_offsets() {
        use super::{Piece, TemplateError, pieces};
        assert_eq!(
            pieces("é/{{x}}/{ id }/{a{b}").unwrap(),
            [
                Piece::Text("é/{x}/".into()),
                Piece::Placeholder {
                    name: " id ",
                    at: 8
                },
                Piece::Text("/".into()),
                Piece::Placeholder {
                    name: "a{b",
                    at: 15
                },
            ]
        );
        assert_eq!(pieces("ü{open"), Err(TemplateError::Unclosed { at: 1 }));
        assert_eq!(pieces("ü}"), Err(TemplateError::StrayClose { at: 1 }));
        assert_eq!(pieces(""), Ok(Vec::new()));
    }

    #[test]
    fn placeholders_fill_and_escape() {
        let args = args(&[("id", json!("a b/c"))]);
        assert_eq!(
            fill_placeholders("x/{id}/y", &args, true).unwrap(),
            "x/a%20b%2Fc/y"
        );
        assert_eq!(
            fill_placeholders("posts/{{{id}}}", &args, false).unwrap(),
            "posts/{a b/c}"
        );
        assert!(fill_placeholders("{missing}", &args, false).is_err());
    }

    /// Conformance case 25: dlt's `test_expand_placeholders`.
    #[test]
    fn conformance_25_interpolation() {
        let ids = args(&[("id", json!(1)), ("id2", json!(2))]);
        let mut body = json!({"dict": {"b": {"c": "{id}"}, "list": ["{id}", "{id2}"]}});
        fill_json(&mut body, &ids).unwrap();
        assert_eq!(body, json!({"dict": {"b": {"c": 1}, "list": [1, 2]}}));

        let answer = args(&[("id", json!(42))]);
        assert_eq!(
            fill_placeholders("posts/{{{id}}}", &ids, false).unwrap(),
            "posts/{1}"
        );
        assert_eq!(
            fill_placeholders("{id}{id}", &answer, false).unwrap(),
            "4242"
        );
        let mut sole = json!("{id}");
        fill_json(&mut sole, &answer).unwrap();
        assert_eq!(sole, json!(42));
    }

    #[test]
    fn json_sole_placeholders_keep_type_and_mixed_ones_render_python_str() {
        let values = args(&[
            ("flag", json!(true)),
            ("none", Value::Null),
            ("n", json!(2.5)),
        ]);
        let mut body = json!({
            "flag": "{flag}",
            "none": "{none}",
            "n": "{n}",
            "text": "f={flag} n={none}",
            "literal": "{{flag}}",
            "{flag}": 1,
        });
        fill_json(&mut body, &values).unwrap();
        assert_eq!(
            body,
            json!({
                "flag": true,
                "none": null,
                "n": 2.5,
                "text": "f=True n=None",
                "literal": "{flag}",
                "True": 1,
            })
        );
        let mut unbound = json!({"x": "{nope}"});
        assert!(fill_json(&mut unbound, &values).is_err());
    }

    #[test]
    fn a_path_value_fills_one_segment_or_is_refused() {
        let path = |value: Value| fill_path("t/{id}/c", &args(&[("id", value)]), "r");
        assert_eq!(path(json!("a/b?c#d")).unwrap(), "t/a%2Fb%3Fc%23d/c");
        assert_eq!(path(json!(7)).unwrap(), "t/7/c");
        assert_eq!(path(json!("...")).unwrap(), "t/.../c");
        for hostile in [
            "..",
            ".",
            "",
            "%2e%2e",
            "%2E",
            "%25%32%65%25%32%65",
            "a/../b",
            "..\\x",
        ] {
            let err = path(json!(hostile)).unwrap_err();
            assert!(
                matches!(&err, Error::PathArgument { resource, argument, .. }
                    if resource == "r" && argument == "id"),
                "{hostile}: {err:?}"
            );
        }
        // two values that make a dot segment together; a value beside template text does not
        let two = args(&[("a", json!(".")), ("b", json!("."))]);
        assert!(fill_path("x/{a}{b}/y", &two, "r").is_err());
        assert_eq!(fill_path("x/{a}json", &two, "r").unwrap(), "x/.json");
        // a segment of the template itself is not an argument's to answer for
        assert_eq!(fill_path("/./x/{a}y", &two, "r").unwrap(), "/./x/.y");
    }
}
