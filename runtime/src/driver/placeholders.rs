//! Python `str.format` placeholders (`{name}`) in paths, parameters, headers and JSON bodies,
//! bound from a call's arguments.

use crate::error::Error;

/// Fills placeholders in every string (and key) of a JSON body.
pub(crate) fn fill_json(
    value: &mut serde_json::Value,
    args: &[(String, String)],
) -> Result<(), Error> {
    match value {
        serde_json::Value::String(text) => *text = fill_placeholders(text, args, false)?,
        serde_json::Value::Array(items) => {
            for item in items {
                fill_json(item, args)?;
            }
        }
        serde_json::Value::Object(map) => {
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

/// Python `str.format` for the `{name}` placeholders of a path, parameter or body: `{{` and
/// `}}` are literal braces; a name that is not bound is an error. Path values are
/// percent-encoded as one segment.
pub fn fill_placeholders(
    template: &str,
    args: &[(String, String)],
    encode: bool,
) -> Result<String, Error> {
    if !template.contains(['{', '}']) {
        return Ok(template.to_string());
    }
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(pos) = rest.find(['{', '}']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err(Error::Invalid(format!("unmatched `}}` in `{template}`")));
        }
        let end = tail
            .find('}')
            .ok_or_else(|| Error::Invalid(format!("unclosed `{{` in `{template}`")))?;
        let name = &tail[1..end];
        let value = args
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| Error::Invalid(format!("no value for `{{{name}}}` in `{template}`")))?;
        if encode {
            out.extend(
                url::form_urlencoded::byte_serialize(value.as_bytes())
                    .map(|s| if s == "+" { "%20" } else { s }),
            );
        } else {
            out.push_str(value);
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_and_escape() {
        let args = vec![("id".to_string(), "a b/c".to_string())];
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
}
