//! Compiles the JSONPath subset restgen supports into the runtime's `Selector`, at generation
//! time, so a bad selector is a located generation error and never a runtime surprise.

use std::borrow::Cow;

use restgen_runtime::selector::{Selector, Step};

/// Why a JSONPath does not compile: where (a character offset) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPathError {
    /// The path as written.
    pub path: String,
    /// The character offset of the problem.
    pub at: usize,
    /// What is wrong there.
    pub what: String,
}

impl std::fmt::Display for JsonPathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid JSONPath `{}` at column {}: {}",
            self.path,
            self.at + 1,
            self.what
        )
    }
}

impl From<JsonPathError> for String {
    fn from(e: JsonPathError) -> String {
        e.to_string()
    }
}

/// Compiles `path` (`data`, `$.a.b`, `a[0]`, `a[*].id`, `['@odata.nextLink']`, `..id`).
/// Filters and functions are rejected with the column they start at.
pub fn compile(path: &str) -> Result<Selector, JsonPathError> {
    let chars: Vec<char> = path.chars().collect();
    let mut steps = Vec::new();
    let mut i;
    let err = |at: usize, what: &str| JsonPathError {
        path: path.to_string(),
        at,
        what: what.to_string(),
    };
    if chars.first() == Some(&'$') {
        i = 1;
    } else if chars.is_empty() {
        return Err(err(0, "the path is empty"));
    } else {
        // a bare path starts with a field name, `*` or `[`
        let (name, next) = read_name(&chars, 0);
        if name.is_empty() && chars.first() != Some(&'[') {
            return Err(err(0, "expected a field name, `$` or `[`"));
        }
        if name == "*" {
            steps.push(Step::Wildcard);
        } else if !name.is_empty() {
            steps.push(field(&name));
        }
        i = next;
    }
    while i < chars.len() {
        match chars[i] {
            '.' if chars.get(i + 1) == Some(&'.') => {
                let at = i + 2;
                match chars.get(at) {
                    Some('[') => {
                        let (step, next) = bracket(&chars, at).map_err(|(a, w)| err(a, w))?;
                        let Step::Field(name) = step else {
                            return Err(err(at, "after `..` only a field name is supported"));
                        };
                        steps.push(Step::Descendant(name));
                        i = next;
                    }
                    Some('*') => {
                        return Err(err(at, "`..*` (every value at any depth) is not supported"));
                    }
                    _ => {
                        let (name, next) = read_name(&chars, at);
                        if name.is_empty() {
                            return Err(err(at, "expected a field name after `..`"));
                        }
                        steps.push(Step::Descendant(Cow::Owned(name)));
                        i = next;
                    }
                }
            }
            '.' => {
                if chars.get(i + 1) == Some(&'*') {
                    steps.push(Step::Wildcard);
                    i += 2;
                    continue;
                }
                let (name, next) = read_name(&chars, i + 1);
                if name.is_empty() {
                    return Err(err(i + 1, "expected a field name after `.`"));
                }
                steps.push(field(&name));
                i = next;
            }
            '[' => {
                let (step, next) = bracket(&chars, i).map_err(|(a, w)| err(a, w))?;
                steps.push(step);
                i = next;
            }
            '`' => return Err(err(i, "JSONPath functions are not supported")),
            other => return Err(err(i, &format!("unexpected `{other}`"))),
        }
    }
    Ok(Selector {
        steps: Cow::Owned(steps),
    })
}

/// The step written in brackets at `open` (`[*]`, `[0]`, `['name']`), and where it ends.
/// A quoted name may hold any character; `\'` and `\\` escape the quote and the backslash.
fn bracket(chars: &[char], open: usize) -> Result<(Step, usize), (usize, &'static str)> {
    let mut j = open + 1;
    while chars.get(j) == Some(&' ') {
        j += 1;
    }
    if let Some(&quote) = chars.get(j).filter(|c| matches!(c, '\'' | '"')) {
        let mut name = String::new();
        j += 1;
        loop {
            match chars.get(j) {
                None => return Err((open, "`[` is never closed")),
                Some('\\') => {
                    let Some(&escaped) = chars.get(j + 1) else {
                        return Err((open, "`[` is never closed"));
                    };
                    name.push(escaped);
                    j += 2;
                }
                Some(&c) if c == quote => {
                    j += 1;
                    break;
                }
                Some(&c) => {
                    name.push(c);
                    j += 1;
                }
            }
        }
        while chars.get(j) == Some(&' ') {
            j += 1;
        }
        if chars.get(j) != Some(&']') {
            return Err((j, "expected `]` after the quoted name"));
        }
        return Ok((field(&name), j + 1));
    }
    let close = chars[open..]
        .iter()
        .position(|c| *c == ']')
        .map(|p| p + open)
        .ok_or((open, "`[` is never closed"))?;
    let inner: String = chars[open + 1..close].iter().collect();
    let inner = inner.trim();
    let step = if inner == "*" {
        Step::Wildcard
    } else if let Ok(index) = inner.parse::<i64>() {
        Step::Index(index)
    } else if inner.starts_with('?') || inner.starts_with('(') {
        return Err((open, "filters and script expressions are not supported"));
    } else {
        return Err((
            open + 1,
            "expected `*`, an index or a quoted name inside `[]`",
        ));
    };
    Ok((step, close + 1))
}

fn field(name: &str) -> Step {
    Step::Field(Cow::Owned(name.to_string()))
}

fn read_name(chars: &[char], start: usize) -> (String, usize) {
    let mut end = start;
    while end < chars.len() && !matches!(chars[end], '.' | '[' | ']' | '`' | ' ') {
        end += 1;
    }
    (chars[start..end].iter().collect(), end)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn show(path: &str) -> String {
        compile(path)
            .map(|s| s.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn compiles_supported_forms() {
        assert_eq!(show("data"), "$['data']");
        assert_eq!(show("meta.next_cursor"), "$['meta']['next_cursor']");
        assert_eq!(show("$"), "$");
        assert_eq!(show("$.results.items[0]"), "$['results']['items'][0]");
        assert_eq!(show("data[*].id"), "$['data'][*]['id']");
        assert_eq!(show("['@odata.nextLink']"), "$['@odata.nextLink']");
        assert_eq!(show("$..id"), "$..['id']");
        assert_eq!(show("a.*"), "$['a'][*]");
        assert_eq!(show("*"), "$[*]");
        assert_eq!(show("$..['a b']"), "$..['a b']");
        assert_eq!(show(r"['it\'s']"), r"$['it\'s']");
        assert_eq!(show("['a]b']"), "$['a]b']");
    }

    #[test]
    fn rejects_with_column() {
        assert_eq!(
            show("data[?(@.id > 1)]"),
            "invalid JSONPath `data[?(@.id > 1)]` at column 5: filters and script expressions are not supported"
        );
        assert_eq!(
            show("a["),
            "invalid JSONPath `a[` at column 2: `[` is never closed"
        );
        assert_eq!(
            show("a.."),
            "invalid JSONPath `a..` at column 4: expected a field name after `..`"
        );
    }
}
