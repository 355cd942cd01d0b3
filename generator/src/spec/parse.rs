//! Parsing a config into the closed serde model, reporting every error of the file in one
//! run. serde stops at the first error, so the document is split into its parts (`client`,
//! `resource_defaults`, each resource) and each part is retried after removing the node an
//! error was about, until it parses; the errors found on the way are located through the
//! span index and explained in the spec's words.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};

use super::diagnostic::{Diagnostic, did_you_mean, one_of};
use super::explain::{Found, Problem, classify, explain};
use super::model::{ClientConfig, ResourceBase, ResourceEntry, SourceConfig};
use super::span::{NodeKind, Seg, SpanIndex, YamlPath};

/// How many times one part is retried; each retry removes one node, and no real part has
/// this many errors.
const MAX_RETRIES: usize = 64;

/// The keys of the document root.
const ROOT_KEYS: &[&str] = &["client", "resource_defaults", "resources"];

/// A config file, parsed as far as it goes.
#[derive(Debug, Clone)]
pub struct ParsedConfig {
    /// The config with every resource that parsed; `None` when the document's shape,
    /// `client` or `resource_defaults` did not parse (nothing can be checked further).
    pub config: Option<SourceConfig>,
    /// For each resource of `config`, its index in the file's `resources` list.
    pub resource_index: Vec<usize>,
    /// Names of the resources that did not parse; others may still name them as parents.
    pub broken_resources: Vec<String>,
    /// Where every node is.
    pub spans: SpanIndex,
    /// The file's text.
    pub source: Arc<str>,
    /// The document as YAML values (`Null` when it is not YAML).
    pub document: Value,
    /// Every error found.
    pub errors: Vec<Diagnostic>,
}

/// Parses the config file `file` with contents `text`.
pub fn parse(file: &str, text: &str) -> ParsedConfig {
    let source: Arc<str> = Arc::from(text);
    let spans = SpanIndex::parse(text);
    let mut parser = PartParser {
        file,
        source: source.clone(),
        spans: &spans,
        errors: Vec::new(),
    };
    let parsed = parser.document(text);
    let (config, resource_index, broken_resources, document) = match parsed {
        Some(parts) => parts,
        None => (None, Vec::new(), Vec::new(), Value::Null),
    };
    let errors = parser.errors;
    ParsedConfig {
        config,
        resource_index,
        broken_resources,
        spans,
        source,
        document,
        errors,
    }
}

type Parts = (Option<SourceConfig>, Vec<usize>, Vec<String>, Value);

struct PartParser<'a> {
    file: &'a str,
    source: Arc<str>,
    spans: &'a SpanIndex,
    errors: Vec<Diagnostic>,
}

impl PartParser<'_> {
    fn error(&self, span: std::ops::Range<usize>, title: String, label: &str) -> Diagnostic {
        Diagnostic::unlocated(self.file, title)
            .in_source(self.source.clone())
            .at(span, label)
    }

    fn document(&mut self, text: &str) -> Option<Parts> {
        if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            let error = self
                .error(0..0, "the spec is empty".into(), "")
                .note("a spec is a mapping with `client` (at least `base_url`) and `resources`");
            self.errors.push(error);
            return None;
        }
        // serde_yaml is not given a document the span index stopped reading: it would build
        // the deep or expanded value before its own limits applied
        if let Some(refusal) = &self.spans.refused {
            let error = super::limits::diagnostic(refusal, self.file, &self.source);
            self.errors.push(error);
            return None;
        }
        let document: Value = match serde_yaml::from_str(text) {
            Ok(document) => document,
            Err(e) => {
                self.syntax_error(text, &e);
                return None;
            }
        };
        let Value::Mapping(root) = &document else {
            let start = self.spans.value(&YamlPath::root()).map_or(0, |s| s.start);
            let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            let error = self
                .error(
                    start..end,
                    format!(
                        "the spec must be a mapping with `client` and `resources`, not {}",
                        kind_of(&document)
                    ),
                    "expected a mapping",
                )
                .note("a spec starts with `client:` (at least `base_url`) and `resources:`");
            self.errors.push(error);
            return None;
        };
        let markers = super::fill_in::markers(&document);
        if !markers.is_empty() {
            for (at, code) in markers {
                self.fill_in_error(&at, &code);
            }
            return None;
        }
        let root_path = YamlPath::root();
        for key in root.keys() {
            let name = key_text(key);
            if !ROOT_KEYS.contains(&name.as_str()) {
                let span = self
                    .spans
                    .key_or_value(&root_path.key(&name))
                    .unwrap_or(0..0);
                let mut error = self
                    .error(
                        span,
                        format!("unknown key `{name}` at the top level"),
                        "unknown key",
                    )
                    .note(format!("the top level takes {}", one_of(ROOT_KEYS)));
                if let Some(help) = did_you_mean(&name, ROOT_KEYS) {
                    error = error.help(help);
                }
                self.errors.push(error);
            }
        }
        let mut complete = true;
        for required in ["client", "resources"] {
            if root.get(required).is_none() {
                let error = self
                    .error(
                        self.spans
                            .value(&root_path)
                            .map_or(0..0, |s| s.start..s.start),
                        format!("the spec has no `{required}`"),
                        &format!("`{required}` is required at the top level"),
                    )
                    .note(
                        "a spec is a mapping with `client` (at least `base_url`) and `resources`",
                    );
                self.errors.push(error);
                complete = false;
            }
        }
        let client: Option<ClientConfig> = root
            .get("client")
            .and_then(|v| self.part(v, &root_path.key("client")));
        let defaults: Option<Option<ResourceBase>> = match root.get("resource_defaults") {
            None | Some(Value::Null) => Some(None),
            Some(v) => self.part(v, &root_path.key("resource_defaults")).map(Some),
        };
        let mut resources = Vec::new();
        let mut resource_index = Vec::new();
        let mut broken = Vec::new();
        match root.get("resources") {
            None => {}
            Some(Value::Sequence(entries)) if entries.is_empty() => {
                let path = root_path.key("resources");
                let error = self
                    .error(
                        self.spans.key_or_value(&path).unwrap_or(0..0),
                        "`resources` is empty: a spec needs at least one resource".into(),
                        "no resources",
                    )
                    .help("add `- name: <resource>` entries with an `endpoint`");
                self.errors.push(error);
                complete = false;
            }
            Some(Value::Sequence(entries)) => {
                for (i, entry) in entries.iter().enumerate() {
                    let path = root_path.key("resources").index(i);
                    match self.part::<ResourceEntry>(entry, &path) {
                        Some(resource) => {
                            resources.push(resource);
                            resource_index.push(i);
                        }
                        None => broken.extend(resource_name(entry)),
                    }
                }
            }
            Some(other) => {
                let path = root_path.key("resources");
                let error = self
                    .error(
                        self.spans.key_or_value(&path).unwrap_or(0..0),
                        format!("`resources` must be a list, not {}", kind_of(other)),
                        "expected a list of resources",
                    )
                    .note("each entry is a resource name (`- posts`) or a mapping with `name` and `endpoint`");
                self.errors.push(error);
                complete = false;
            }
        }
        let config = match (client, defaults) {
            (Some(client), Some(resource_defaults)) if complete => Some(SourceConfig {
                client,
                resource_defaults,
                resources,
            }),
            _ => None,
        };
        Some((config, resource_index, broken, document.clone()))
    }

    /// A YAML syntax error, or keys written twice (serde_yaml refuses those without a
    /// position; the span index has them all).
    /// An importer's `{fill_in: code}` marker that was not replaced.
    fn fill_in_error(&mut self, at: &YamlPath, code: &str) {
        let span = self
            .spans
            .key_or_value(&at.key(super::fill_in::KEY))
            .unwrap_or(0..0);
        let (context, inner) = describe(at, self.spans);
        let error = self
            .error(
                span,
                format!("{context}`{inner}` is still a `fill_in` left by the importer"),
                "replace this with the value it stands for",
            )
            .note(format!(
                "it stands for `{code}`, which the Python config built in code"
            ))
            .note(
                "`cargo xtask import` writes `{fill_in: <code>}` where a value was built in \
                 code (an auth object, a callable, a variable); a spec needs the data itself",
            );
        self.errors.push(error);
    }

    fn syntax_error(&mut self, text: &str, e: &serde_yaml::Error) {
        if !self.spans.duplicates.is_empty() {
            for duplicate in &self.spans.duplicates {
                let error = self
                    .error(
                        duplicate.again.clone(),
                        format!("`{}` is written twice", duplicate.path),
                        "written again here",
                    )
                    .also(duplicate.first.clone(), "first written here");
                self.errors.push(error);
            }
            return;
        }
        let message = e.to_string();
        // "found X at line L column C, while scanning Y at line M column N"
        let (problem, context) = match message.split_once(", while ") {
            Some((problem, context)) => (problem, Some(context)),
            None => (message.as_str(), None),
        };
        let (problem, _) = split_position(problem);
        let at = e.location().map_or(0, |l| l.index()).min(text.len());
        let mut error = self.error(at..at, format!("YAML syntax error: {problem}"), problem);
        if text.get(at..).is_some_and(|rest| rest.starts_with('\t')) {
            error = error.help("YAML does not allow tabs for indentation; indent with spaces");
        } else if problem.starts_with("mapping values are not allowed") {
            error = error.help(
                "check this line's indentation against the lines above, or quote a value \
                 that contains `: `",
            );
        }
        if let Some(context) = context {
            let (what, position) = split_position(context);
            if let Some((line, column)) = position {
                let offset = super::span::offset_of(text, line, column);
                error = error.also(offset..offset, format!("while {what} that starts here"));
            }
        }
        if let Some((offset, _)) = &self.spans.error
            && e.location().is_none()
        {
            error = error.at(*offset..*offset, problem);
        }
        self.errors.push(error);
    }

    /// Deserializes one part, retrying after each error without the node it was about.
    fn part<T: DeserializeOwned>(&mut self, value: &Value, base: &YamlPath) -> Option<T> {
        let mut current = value.clone();
        let mut removed: Vec<YamlPath> = Vec::new();
        // keys a did-you-mean offered: the same key missing is not news
        let mut suggested: Vec<YamlPath> = Vec::new();
        let mut shifts = Shifts::default();
        let mut clean = true;
        for _ in 0..MAX_RETRIES {
            let error = match serde_path_to_error::deserialize::<_, T>(current.clone()) {
                Ok(parsed) => return clean.then_some(parsed),
                Err(e) => e,
            };
            clean = false;
            let mut relative = Vec::new();
            for segment in error.path().iter() {
                match segment {
                    serde_path_to_error::Segment::Seq { index } => {
                        relative.push(Seg::Index(*index))
                    }
                    serde_path_to_error::Segment::Map { key } => {
                        relative.push(Seg::Key(key.clone()))
                    }
                    serde_path_to_error::Segment::Enum { variant } => {
                        relative.push(Seg::Key(variant.clone()))
                    }
                    serde_path_to_error::Segment::Unknown => break,
                }
            }
            let problem = classify(&error.into_inner().to_string());
            let at = base.join(&shifts.original(&relative));
            // a key we removed after reporting its value is not missing again, nor is a
            // key a did-you-mean already offered; a map-level complaint after one of its
            // keys was removed is that removal's echo
            let echo = match &problem {
                Problem::MissingField(name) => {
                    removed.contains(&at.key(name)) || suggested.contains(&at.key(name))
                }
                Problem::Other(_) => removed.iter().any(|r| r.parent() == at),
                _ => false,
            };
            if echo {
                if !remove(&mut current, &relative, &mut shifts) {
                    return None;
                }
                removed.push(at);
                continue;
            }
            let target = self.target(&problem, &at);
            if let Problem::UnknownField { name, expected } = &problem {
                let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
                if let Some(close) = super::diagnostic::closest(name, &expected) {
                    suggested.push(target.parent().key(close));
                }
            }
            self.report(&problem, &target);
            let mut target_relative = relative.clone();
            target_relative.extend_from_slice(&target.0[at.0.len()..]);
            if target_relative.is_empty() || !remove(&mut current, &target_relative, &mut shifts) {
                return None;
            }
            removed.push(target);
        }
        None
    }

    /// The node an error is about: serde stops at the enclosing map inside tagged enums,
    /// so the key or value it names is looked for below that place.
    fn target(&self, problem: &Problem, at: &YamlPath) -> YamlPath {
        let below = |matches: &dyn Fn(&YamlPath, &super::span::Node) -> bool| {
            self.spans
                .descendants(at)
                .into_iter()
                .find(|(p, n)| matches(p, n))
                .map(|(p, _)| p.clone())
        };
        let found = match problem {
            Problem::UnknownField { name, .. } | Problem::DuplicateField(name) => {
                below(&|p, _| p.last_key() == Some(name.as_str()))
            }
            Problem::UnknownVariant { name, .. } => {
                if self.scalar_is(at, name) {
                    None
                } else {
                    below(&|_, n| n.scalar.as_deref() == Some(name.as_str()))
                }
            }
            Problem::WrongType { found, .. } => {
                let node_matches = |n: &super::span::Node| match found {
                    Found::Scalar { text, .. } => n.scalar.as_deref() == Some(text.as_str()),
                    Found::Null => {
                        matches!(
                            n.scalar.as_deref(),
                            Some("" | "~" | "null" | "Null" | "NULL")
                        )
                    }
                    Found::Mapping => n.kind == NodeKind::Mapping,
                    Found::Sequence => n.kind == NodeKind::Sequence,
                    Found::Other(_) => false,
                };
                match self.spans.get(at) {
                    Some(node) if node_matches(node) => None,
                    _ => below(&|_, n| node_matches(n)),
                }
            }
            Problem::MissingField(_) | Problem::Other(_) => None,
        };
        found.unwrap_or_else(|| at.clone())
    }

    fn scalar_is(&self, at: &YamlPath, text: &str) -> bool {
        self.spans
            .get(at)
            .is_some_and(|n| n.scalar.as_deref() == Some(text))
    }

    fn report(&mut self, problem: &Problem, target: &YamlPath) {
        let (context, relative) = describe(target, self.spans);
        let what = match problem {
            // about the map the key is (or should be) in
            Problem::UnknownField { .. } | Problem::DuplicateField(_) => {
                YamlPath(relative.0[..relative.0.len().saturating_sub(1)].to_vec())
            }
            _ => relative,
        };
        let whole = if context.is_empty() {
            "the spec"
        } else {
            "a resource"
        };
        let explained = explain(problem, &what.to_string(), whole);
        let span = match problem {
            Problem::UnknownField { .. }
            | Problem::DuplicateField(_)
            | Problem::MissingField(_)
            | Problem::Other(_) => self.spans.key_or_value(target),
            Problem::UnknownVariant { .. } | Problem::WrongType { .. } => self.spans.value(target),
        }
        .unwrap_or(0..0);
        let mut error = self.error(
            span,
            format!("{context}{}", explained.title),
            &explained.label,
        );
        for help in explained.help {
            error = error.help(help);
        }
        for note in explained.notes {
            error = error.note(note);
        }
        self.errors.push(error);
    }
}

/// The context of an error ("resource `items`: ") and the path inside it.
pub fn describe(target: &YamlPath, spans: &SpanIndex) -> (String, YamlPath) {
    match target.0.as_slice() {
        [Seg::Key(resources), Seg::Index(i), rest @ ..] if resources == "resources" => {
            let entry = YamlPath::root().key("resources").index(*i);
            let name = spans
                .get(&entry.key("name"))
                .or_else(|| spans.get(&entry).filter(|n| n.scalar.is_some()))
                .and_then(|n| n.scalar.clone())
                .filter(|n| !n.is_empty());
            let context = match name {
                Some(name) => format!("resource `{name}`: "),
                None => format!("resources[{i}]: "),
            };
            (context, YamlPath(rest.to_vec()))
        }
        _ => (String::new(), target.clone()),
    }
}

/// A resource entry's name, when it has one that is a string.
fn resource_name(entry: &Value) -> Option<String> {
    match entry {
        Value::String(name) => Some(name.clone()),
        Value::Mapping(m) => m.get("name").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// A YAML key as the path shows it.
fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => "null".into(),
        _ => "?".into(),
    }
}

/// How a message names a value's kind.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "an empty value",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// Splits "did not find X at line 2 column 3" into the text and the position.
fn split_position(text: &str) -> (&str, Option<(usize, usize)>) {
    let Some((what, position)) = text.rsplit_once(" at line ") else {
        return (text, None);
    };
    let parsed = position.split_once(" column ").and_then(|(line, column)| {
        let column: String = column.chars().take_while(char::is_ascii_digit).collect();
        Some((line.parse().ok()?, column.parse().ok()?))
    });
    (what, parsed)
}

/// The list indices removed so far, so later errors' paths (counted in the shortened
/// lists) map back to the file's own indices.
#[derive(Default)]
struct Shifts {
    /// Per list (by its path in current indices), the file indices removed from it.
    removed: BTreeMap<Vec<Seg>, Vec<usize>>,
}

impl Shifts {
    fn original(&self, path: &[Seg]) -> Vec<Seg> {
        let mut out = Vec::new();
        for (depth, seg) in path.iter().enumerate() {
            match seg {
                Seg::Index(current) => {
                    let mut index = *current;
                    if let Some(removed) = self.removed.get(&path[..depth]) {
                        for r in removed {
                            if *r <= index {
                                index += 1;
                            }
                        }
                    }
                    out.push(Seg::Index(index));
                }
                key => out.push(key.clone()),
            }
        }
        out
    }
}

/// Removes the node at `path` (current indices) from `value`; false when there is none.
fn remove(value: &mut Value, path: &[Seg], shifts: &mut Shifts) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut node = value;
    for seg in parents {
        let next = match (seg, node) {
            (Seg::Key(k), Value::Mapping(m)) => find_key(m, k).and_then(|key| m.get_mut(&key)),
            (Seg::Index(i), Value::Sequence(s)) => s.get_mut(*i),
            (_, Value::Tagged(t)) => Some(&mut t.value),
            _ => None,
        };
        let Some(next) = next else { return false };
        node = next;
    }
    match (last, node) {
        (Seg::Key(k), Value::Mapping(m)) => {
            find_key(m, k).is_some_and(|key| m.shift_remove(&key).is_some())
        }
        (Seg::Index(i), Value::Sequence(s)) if *i < s.len() => {
            s.remove(*i);
            let original = shifts.original(path);
            if let Some(Seg::Index(file_index)) = original.last() {
                let list = shifts.removed.entry(parents.to_vec()).or_default();
                list.push(*file_index);
                list.sort_unstable();
            }
            true
        }
        _ => false,
    }
}

fn find_key(map: &Mapping, key: &str) -> Option<Value> {
    map.keys().find(|k| key_text(k) == key).cloned()
}
