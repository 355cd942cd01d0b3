//! Writes the config as YAML in the style of the committed specs: keys in the order written,
//! comments kept, block style with short scalar lists in flow style, blank lines between
//! top-level sections and between resources. Each output line remembers the input location
//! it came from, so a complaint about the YAML can point back into the input.

use crate::source::Loc;
use crate::tree::{Node, Value};

/// The YAML text and, per line, the input location it came from.
#[derive(Debug, Clone)]
pub struct Emitted {
    /// The text.
    pub text: String,
    /// `origins[i]` is the input location of output line `i + 1`.
    pub origins: Vec<Option<Loc>>,
}

/// Flow lists longer than this are written in block style.
const FLOW_WIDTH: usize = 60;

struct Writer {
    lines: Vec<(String, Option<Loc>)>,
}

impl Writer {
    fn line(&mut self, text: String, at: Option<Loc>) {
        self.lines.push((text, at));
    }

    fn comments(&mut self, indent: usize, comments: &[String], at: Loc) {
        for c in comments {
            let pad = " ".repeat(indent);
            if c.is_empty() {
                self.line(format!("{pad}#"), Some(at));
            } else {
                self.line(format!("{pad}# {c}"), Some(at));
            }
        }
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|(l, _)| !l.is_empty()) {
            self.line(String::new(), None);
        }
    }

    /// `prefix` (`key:` or `-`) followed by `node`, at `indent`; `spaced` puts blank lines
    /// between the items of a list of dicts.
    fn value(&mut self, indent: usize, prefix: &str, node: &Node, spaced: bool) {
        let pad = " ".repeat(indent);
        let trailing = trailing(node);
        if let Value::FillIn(_) = node.value {
            self.line(
                format!(
                    "{pad}# FILL IN (input line {}): replace the fill_in below, as the import notes say",
                    node.at.line
                ),
                Some(node.at),
            );
        }
        // top-level lists (resources) are always written one item per line
        let block_list = spaced && !node.items().is_empty();
        if let Some(inline) = inline(node).filter(|_| !block_list) {
            self.line(format!("{pad}{prefix} {inline}{trailing}"), Some(node.at));
            return;
        }
        match &node.value {
            Value::Dict(entries) if prefix == "-" => {
                // `- key: value`, the other keys under the first one
                for (i, entry) in entries.iter().enumerate() {
                    if i > 0 {
                        self.comments(indent + 2, &entry.value.comments.before, entry.value.at);
                    }
                    let start = self.lines.len();
                    self.value(
                        indent + 2,
                        &format!("{}:", key(&entry.key)),
                        &entry.value,
                        false,
                    );
                    if i == 0
                        && let Some((line, _)) = self.lines[start..]
                            .iter_mut()
                            .find(|(l, _)| !l.trim_start().starts_with('#'))
                    {
                        line.replace_range(indent..indent + 2, "- ");
                        line.push_str(&trailing);
                    }
                }
                self.comments(indent + 2, &node.comments.inner_end, node.at);
            }
            Value::Dict(entries) => {
                self.line(format!("{pad}{prefix}{trailing}"), Some(node.at));
                self.entries(
                    indent + 2,
                    entries.iter().map(|e| (e.key.as_str(), &e.value)),
                    false,
                );
                self.comments(indent + 2, &node.comments.inner_end, node.at);
            }
            Value::List(items) => {
                let item_indent = indent + 2;
                self.line(format!("{pad}{prefix}{trailing}"), Some(node.at));
                let spaced = spaced && items.iter().all(|i| matches!(i.value, Value::Dict(_)));
                for (i, item) in items.iter().enumerate() {
                    if spaced && i > 0 {
                        self.blank();
                    }
                    self.comments(item_indent, &item.comments.before, item.at);
                    if let Value::Dict(entries) = &item.value
                        && let Some(first) = entries.first()
                    {
                        self.comments(item_indent, &first.value.comments.before, first.value.at);
                    }
                    self.value(item_indent, "-", item, false);
                }
                self.comments(item_indent, &node.comments.inner_end, node.at);
            }
            _ => {}
        }
    }

    fn entries<'n>(
        &mut self,
        indent: usize,
        entries: impl Iterator<Item = (&'n str, &'n Node)>,
        top: bool,
    ) {
        for (i, (k, value)) in entries.enumerate() {
            if top && i > 0 {
                self.blank();
            }
            self.comments(indent, &value.comments.before, value.at);
            self.value(indent, &format!("{}:", key(k)), value, top);
        }
    }
}

/// The comments at the end of a node's line, as ` # a # b`.
fn trailing(node: &Node) -> String {
    node.comments
        .trailing
        .iter()
        .map(|c| format!(" # {c}"))
        .collect()
}

/// Writes `root` (a dict) as a YAML document after the `header` comment lines.
pub fn emit(root: &Node, header: &[String]) -> Emitted {
    let mut w = Writer { lines: Vec::new() };
    for h in header {
        w.line(
            if h.is_empty() {
                "#".into()
            } else {
                format!("# {h}")
            },
            None,
        );
    }
    if !header.is_empty() {
        w.blank();
    }
    w.comments(0, &root.comments.before, root.at);
    w.entries(
        0,
        root.entries().iter().map(|e| (e.key.as_str(), &e.value)),
        true,
    );
    w.comments(0, &root.comments.inner_end, root.at);
    let mut text = String::new();
    let mut origins = Vec::new();
    for (line, at) in w.lines {
        text.push_str(line.trim_end());
        text.push('\n');
        origins.push(at);
    }
    Emitted { text, origins }
}

/// The node on one line, when it fits there: scalars, references, empty containers, and short
/// lists of scalars. Containers holding comments never fit.
fn inline(node: &Node) -> Option<String> {
    let has_comments = |n: &Node| !n.comments.before.is_empty() || !n.comments.inner_end.is_empty();
    match &node.value {
        Value::List(items) if items.is_empty() && !has_comments(node) => Some("[]".into()),
        Value::Dict(entries) if entries.is_empty() && !has_comments(node) => Some("{}".into()),
        Value::List(items) => {
            if has_comments(node) || items.iter().any(|i| !i.comments.is_empty()) {
                return None;
            }
            let parts = items.iter().map(scalar).collect::<Option<Vec<_>>>()?;
            let text = format!("[{}]", parts.join(", "));
            (text.len() <= FLOW_WIDTH).then_some(text)
        }
        Value::Dict(_) => None,
        _ => scalar(node),
    }
}

/// A scalar or reference, in a form valid both in block and in flow context.
fn scalar(node: &Node) -> Option<String> {
    Some(match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float(*f),
        Value::Str(s) => string(s),
        Value::Secret(name) => format!("{{secret: {}}}", string(name)),
        Value::Config(name) => format!("{{config: {}}}", string(name)),
        Value::FillIn(code) => format!("{{fill_in: {}}}", string(code)),
        Value::List(_) | Value::Dict(_) => return None,
    })
}

/// A node in flow style on one line, for messages.
pub fn flow(node: &Node) -> String {
    match &node.value {
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Value::Dict(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|e| format!("{}: {}", key(&e.key), flow(&e.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => scalar(node).unwrap_or_default(),
    }
}

fn float(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        }
    } else {
        format!("{f:?}")
    }
}

fn key(k: &str) -> String {
    string(k)
}

/// A string: plain when YAML reads it back as the same string in every context (and other
/// YAML versions would too), else single-quoted when it holds a double quote, else
/// double-quoted with escapes.
pub fn string(s: &str) -> String {
    if is_plain(s) {
        return s.to_string();
    }
    let printable = !s.chars().any(|c| c.is_control());
    if printable && s.contains('"') {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Words YAML 1.1 reads as booleans or null, which a plain scalar must not be.
const YAML11_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

fn is_plain(s: &str) -> bool {
    let safe_chars = s
        .chars()
        .all(|c| c.is_alphanumeric() || "_-./:$@ ()+=?&%,".contains(c));
    // A leading digit could be a number, a date or a time to some YAML reader.
    let first_ok = s.chars().next().is_some_and(|c| {
        (c.is_alphanumeric() && !c.is_ascii_digit()) || c == '_' || c == '/' || c == '$'
    });
    if !safe_chars
        || !first_ok
        || s.trim() != s
        || YAML11_WORDS.contains(&s.to_ascii_lowercase().as_str())
    {
        return false;
    }
    if s.contains(": ") || s.ends_with(':') || s.contains(", ") || s.contains(',') {
        return false;
    }
    // Whatever remains must read back as this very string (not a number or date) in block
    // and flow context.
    let reads_back = |doc: String| {
        serde_yaml::from_str::<serde_yaml::Value>(&doc)
            .ok()
            .is_some_and(|v| {
                v == serde_yaml::Value::Sequence(vec![serde_yaml::Value::String(s.into())])
            })
    };
    reads_back(format!("- {s}\n")) && reads_back(format!("[{s}]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_quote_only_when_needed() {
        assert_eq!(
            string("https://api.example.com/v3/"),
            "https://api.example.com/v3/"
        );
        assert_eq!(string("/v1/contacts"), "/v1/contacts");
        assert_eq!(string("meta.next_cursor"), "meta.next_cursor");
        assert_eq!(string("$"), "$");
        assert_eq!(string("{resources.books.id}"), "\"{resources.books.id}\"");
        assert_eq!(
            string("{{ response.get(\"a\", {}) }}"),
            "'{{ response.get(\"a\", {}) }}'"
        );
        assert_eq!(string("it's"), "\"it's\"");
        assert_eq!(string("true"), "\"true\"");
        assert_eq!(string("yes"), "\"yes\"");
        assert_eq!(string("100"), "\"100\"");
        assert_eq!(string("1.5"), "\"1.5\"");
        assert_eq!(string(""), "\"\"");
        assert_eq!(string("GenieKey "), "\"GenieKey \"");
        assert_eq!(string("a\nb"), "\"a\\nb\"");
        assert_eq!(string("a # b"), "\"a # b\"");
        assert_eq!(string("x: y"), "\"x: y\"");
        assert_eq!(string("2024-01-01"), "\"2024-01-01\"");
    }

    #[test]
    fn floats_stay_floats() {
        assert_eq!(float(2.0), "2.0");
        assert_eq!(float(0.5), "0.5");
    }
}
