//! serde's error messages, read back into what went wrong (an unknown key, a wrong type, a
//! missing key ...), so a diagnostic can point at the exact node and say in the spec's own
//! words what was expected. serde has no structured errors, only these stable formats.

use super::diagnostic::{did_you_mean, one_of};

/// What a deserialization error says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `unknown field `x`, expected ...`.
    UnknownField {
        /// The key written.
        name: String,
        /// The keys allowed.
        expected: Vec<String>,
    },
    /// `unknown variant `x`, expected ...`.
    UnknownVariant {
        /// The value written.
        name: String,
        /// The values allowed.
        expected: Vec<String>,
    },
    /// `missing field `x``.
    MissingField(String),
    /// `invalid type: <found>, expected <expected>` (or `invalid value`).
    WrongType {
        /// What was found.
        found: Found,
        /// What serde expected, in serde's words.
        expected: String,
        /// `invalid value` (the right type, a value out of range) rather than `invalid type`.
        value: bool,
    },
    /// `duplicate field `x``.
    DuplicateField(String),
    /// Anything else: our own visitors' messages.
    Other(String),
}

/// The value serde found, as its message describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A scalar with its text (`string "ten"`, `integer `5``, `boolean `true``).
    Scalar {
        /// The kind, in the spec's words (`the string`, `the integer`).
        kind: &'static str,
        /// The text as written.
        text: String,
    },
    /// An empty value (`key:` with nothing after it, or `null`).
    Null,
    /// A mapping.
    Mapping,
    /// A list.
    Sequence,
    /// Something else, in serde's words.
    Other(String),
}

impl Found {
    /// How a message names it: `the string "ten"`, `a list`, `null`.
    pub fn describe(&self) -> String {
        match self {
            Found::Scalar { kind, text } if *kind == "the string" => format!("{kind} {text:?}"),
            Found::Scalar { kind, text } => format!("{kind} {text}"),
            Found::Null => "an empty value (null)".into(),
            Found::Mapping => "a mapping".into(),
            Found::Sequence => "a list".into(),
            Found::Other(other) => other.clone(),
        }
    }
}

/// Reads serde's message.
pub fn classify(message: &str) -> Problem {
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((name, expected)) = rest.split_once('`')
    {
        return Problem::UnknownField {
            name: name.to_string(),
            expected: backticked(expected),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `")
        && let Some((name, expected)) = rest.split_once('`')
    {
        return Problem::UnknownVariant {
            name: name.to_string(),
            expected: backticked(expected),
        };
    }
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return Problem::MissingField(name.to_string());
    }
    if let Some(name) = message
        .strip_prefix("duplicate field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return Problem::DuplicateField(name.to_string());
    }
    for (prefix, value) in [("invalid type: ", false), ("invalid value: ", true)] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((found, expected)) = rest.rsplit_once(", expected ")
        {
            return Problem::WrongType {
                found: found_of(found),
                expected: expected.to_string(),
                value,
            };
        }
    }
    Problem::Other(message.to_string())
}

/// The names in backticks of serde's "expected one of `a`, `b`".
fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// serde's `Unexpected` as displayed: `string "x"`, `integer `5``, `map`, `unit value`.
fn found_of(text: &str) -> Found {
    let scalar = |kind: &'static str, text: &str| Found::Scalar {
        kind,
        text: text.to_string(),
    };
    if let Some(s) = text.strip_prefix("string ") {
        // serde writes the string with Debug quoting
        let unquoted =
            serde_json::from_str::<String>(s).unwrap_or_else(|_| s.trim_matches('"').to_string());
        return scalar("the string", &unquoted);
    }
    for (prefix, kind) in [
        ("integer `", "the integer"),
        ("floating point `", "the number"),
        ("boolean `", "the boolean"),
        ("character `", "the character"),
    ] {
        if let Some(value) = text.strip_prefix(prefix).and_then(|r| r.strip_suffix('`')) {
            return scalar(kind, value);
        }
    }
    match text {
        "unit value" | "Option value" => Found::Null,
        "map" => Found::Mapping,
        "sequence" => Found::Sequence,
        other => Found::Other(other.to_string()),
    }
}

/// serde's name of an expected type, in the spec's words.
pub fn expected_in_words(expected: &str) -> String {
    match expected {
        "u64" | "u32" | "usize" => "a non-negative integer".into(),
        "u16" => "an integer from 0 to 65535".into(),
        "u8" => "an integer from 0 to 255".into(),
        "i64" | "i32" => "an integer".into(),
        "f64" | "f32" => "a number".into(),
        "a sequence" => "a list".into(),
        "a YAML mapping" | "a map" => "a mapping".into(),
        "a boolean" => "`true` or `false`".into(),
        "internally tagged enum PaginatorKind" => "a paginator mapping with `type`".into(),
        other => match other.strip_prefix("struct ") {
            Some(name) => struct_in_words(name).into(),
            None => other.to_string(),
        },
    }
}

/// The section a serde struct stands for.
fn struct_in_words(name: &str) -> &'static str {
    match name {
        "SourceConfig" => "a mapping with `client` and `resources`",
        "ClientConfig" => "a mapping with `base_url` (the client section)",
        "ResourceBase" => "a resource mapping (`name`, `endpoint`, ...)",
        "Endpoint" => "an endpoint mapping (`path`, `params`, ...)",
        "ErrorHandler" => "a mapping (`retry_on_status_codes`, `max_retries`, ...)",
        "AuthSpec" => "an auth mapping (`type`, `token`, ...)",
        _ => "a mapping",
    }
}

/// Where a message's words come from: a friendly title, the label under the caret, and
/// the help and note lines. `what` names the setting (`endpoint.paginator.limit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// The title, without the resource context.
    pub title: String,
    /// The label at the caret.
    pub label: String,
    /// `help:` lines.
    pub help: Vec<String>,
    /// `note:` lines.
    pub notes: Vec<String>,
}

/// Explains a problem about the node named `what` (a path such as `endpoint` or
/// `endpoint.paginator.type`); an empty `what` is the node `whole` names (`a resource`).
pub fn explain(problem: &Problem, what: &str, whole: &str) -> Explained {
    let shown = if what.is_empty() {
        whole.to_string()
    } else {
        format!("`{what}`")
    };
    let mut out = Explained {
        title: String::new(),
        label: String::new(),
        help: Vec::new(),
        notes: Vec::new(),
    };
    match problem {
        Problem::UnknownField { name, expected } => {
            let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
            out.title = if what.is_empty() {
                format!("unknown key `{name}`")
            } else {
                format!("unknown key `{name}` in {shown}")
            };
            out.label = "unknown key".into();
            out.help.extend(did_you_mean(name, &expected));
            if expected.is_empty() {
                out.notes.push(format!("{shown} takes no keys"));
            } else {
                out.notes
                    .push(format!("{shown} takes {}", one_of(&expected)));
            }
        }
        Problem::UnknownVariant { name, expected } => {
            let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
            let kind = if what.ends_with("paginator.type") || what.ends_with("paginator") {
                "paginator type"
            } else {
                "value"
            };
            out.title = format!("unknown {kind} `{name}` for {shown}");
            out.label = format!("expected {}", one_of(&expected));
            out.help.extend(did_you_mean(name, &expected));
        }
        Problem::MissingField(name) => {
            out.title = format!("{shown} is missing `{name}`");
            out.label = format!("`{name}` is required here");
            if name == "type" && what.ends_with("paginator") {
                out.notes.push(
                    "a paginator written as a mapping names its kind with `type:` (`cursor`, \
                     `offset`, `page_number`, `json_link`, `header_link`, `header_cursor`, \
                     `single_page` or `auto`)"
                        .into(),
                );
            }
        }
        Problem::DuplicateField(name) => {
            out.title = format!("`{name}` is given twice in {shown}");
            out.label = "given again here".into();
        }
        Problem::WrongType {
            found,
            expected,
            value,
        } => {
            let expected = expected_in_words(expected);
            out.title = if *value {
                format!("{shown} must be {expected}, found {}", found.describe())
            } else {
                format!("{shown} must be {expected}, not {}", found.describe())
            };
            out.label = format!("expected {expected}");
            if let Found::Scalar { kind, text } = found
                && *kind == "the string"
                && text.parse::<f64>().is_ok()
            {
                out.help
                    .push("remove the quotes: a quoted number is a string in YAML".into());
            }
        }
        Problem::Other(message) => {
            let (title, label, notes) = other_in_words(message);
            out.title = format!("{shown}: {title}");
            out.label = label;
            out.notes.extend(notes);
        }
    }
    out
}

/// Our own visitors' messages and serde's untagged-enum message, in the spec's words: the
/// title, the label and notes.
fn other_in_words(message: &str) -> (String, String, Vec<String>) {
    if message.starts_with("data did not match any variant of untagged enum DataSelector") {
        return (
            "expected a JSONPath string or a list of field names".into(),
            "expected a JSONPath or a list of field names".into(),
            vec![
                "`data_selector: data.items` or `data_selector: [data, items]`; `[]` is the \
                 response root"
                    .into(),
            ],
        );
    }
    (message.to_string(), "here".into(), Vec::new())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_serde_messages() {
        assert_eq!(
            classify("unknown field `pathh`, expected one of `path`, `method`"),
            Problem::UnknownField {
                name: "pathh".into(),
                expected: vec!["path".into(), "method".into()],
            }
        );
        assert_eq!(
            classify("invalid type: string \"ten\", expected u64"),
            Problem::WrongType {
                found: Found::Scalar {
                    kind: "the string",
                    text: "ten".into()
                },
                expected: "u64".into(),
                value: false,
            }
        );
        assert_eq!(
            classify("invalid value: integer `-1`, expected u64"),
            Problem::WrongType {
                found: Found::Scalar {
                    kind: "the integer",
                    text: "-1".into()
                },
                expected: "u64".into(),
                value: true,
            }
        );
        assert_eq!(
            classify("missing field `base_url`"),
            Problem::MissingField("base_url".into())
        );
        assert_eq!(classify("whatever"), Problem::Other("whatever".into()));
    }

    #[test]
    fn explains_in_the_specs_words() {
        let e = explain(
            &classify("unknown variant `cursr`, expected one of `cursor`, `offset`"),
            "endpoint.paginator.type",
            "the spec",
        );
        assert_eq!(
            e.title,
            "unknown paginator type `cursr` for `endpoint.paginator.type`"
        );
        assert_eq!(e.help, ["did you mean `cursor`?"]);
        let e = explain(
            &classify("invalid type: string \"10\", expected u64"),
            "limit",
            "the spec",
        );
        assert_eq!(
            e.title,
            "`limit` must be a non-negative integer, not the string \"10\""
        );
        assert_eq!(e.help.len(), 1);
    }
}
