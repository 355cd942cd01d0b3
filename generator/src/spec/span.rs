//! Where every node of a YAML (or JSON) document is. serde_yaml keeps no positions for
//! values, so a span-aware parse (saphyr-parser) runs beside it and indexes each node by
//! its path (`resources[0].endpoint.paginator`); errors found on the serde model, during
//! deserialization or afterwards, are located through that path.

use std::collections::BTreeMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::limits::{Budget, Refusal, parser_refusal};
pub use super::yaml_path::{Seg, YamlPath};

/// What kind of node sits at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A plain scalar (`limit: ten`).
    Plain,
    /// A quoted or block scalar.
    Quoted,
    /// A mapping.
    Mapping,
    /// A sequence.
    Sequence,
    /// An alias (`*anchor`); what it stands for is not indexed again.
    Alias,
}

/// One indexed node: its key (when it is a mapping value) and its value, as byte ranges of
/// the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The key's span, for a mapping value.
    pub key: Option<Range<usize>>,
    /// The value's span.
    pub value: Range<usize>,
    /// The kind of value.
    pub kind: NodeKind,
    /// A scalar's text as parsed.
    pub scalar: Option<String>,
    /// The style a scalar was written in (to map a column inside it back to the file).
    style: Option<ScalarStyle>,
}

/// A key written twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The path of the key (its first occurrence is the indexed one).
    pub path: YamlPath,
    /// The first occurrence's span.
    pub first: Range<usize>,
    /// The repeated key's span.
    pub again: Range<usize>,
}

/// Every node of the first document of a text, by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanIndex {
    nodes: BTreeMap<YamlPath, Node>,
    /// Keys written twice in one mapping.
    pub duplicates: Vec<DuplicateKey>,
    /// The parser's error, when the text is not YAML: its byte offset and message.
    pub error: Option<(usize, String)>,
    /// Why indexing stopped before the end, when the text nests too deep or its aliases
    /// stand for too much: the spec must not be read further (see [`super::limits`]).
    pub refused: Option<Refusal>,
    text_len: usize,
}

/// An open collection while indexing.
enum Frame {
    Map {
        path: YamlPath,
        start: usize,
        key_span: Option<Range<usize>>,
        /// The pending key, once read (`None` while a key is expected).
        pending: Option<(String, Range<usize>)>,
    },
    Seq {
        path: YamlPath,
        start: usize,
        key_span: Option<Range<usize>>,
        next: usize,
    },
    /// A complex mapping key (a map or a list used as a key), skipped with its depth.
    Skip(usize),
}

impl SpanIndex {
    /// Indexes `text`. A text that is not YAML gives the nodes read before the error, and
    /// the error.
    pub fn parse(text: &str) -> SpanIndex {
        let offsets = CharOffsets::new(text);
        let mut index = SpanIndex {
            text_len: text.len(),
            ..SpanIndex::default()
        };
        let mut stack: Vec<Frame> = Vec::new();
        let mut budget = Budget::default();
        let mut parser = Parser::new_from_str(text);
        let mut started = false;
        while let Some(event) = parser.next_event() {
            let (event, span) = match event {
                Ok(e) => e,
                Err(e) => {
                    let at = offsets.byte(e.marker().index());
                    index.refused = parser_refusal(e.info(), at);
                    index.error = Some((at, e.info().to_string()));
                    break;
                }
            };
            let range = offsets.range(&span);
            match event {
                Event::DocumentStart(_) if started => break,
                Event::DocumentStart(_) => started = true,
                Event::DocumentEnd | Event::StreamEnd => {
                    if stack.is_empty() && started {
                        break;
                    }
                }
                Event::Scalar(value, style, anchor, _) => {
                    budget.scalar(anchor);
                    let kind = if style == ScalarStyle::Plain {
                        NodeKind::Plain
                    } else {
                        NodeKind::Quoted
                    };
                    let node = Node {
                        key: None,
                        value: range,
                        kind,
                        scalar: Some(value.to_string()),
                        style: Some(style),
                    };
                    index.leaf(&mut stack, node, &value);
                }
                Event::Alias(id) => {
                    if let Err(refusal) = budget.alias(id, &range) {
                        index.refused = Some(refusal);
                        break;
                    }
                    let node = Node {
                        key: None,
                        value: range,
                        kind: NodeKind::Alias,
                        scalar: None,
                        style: None,
                    };
                    // an alias used as a key: its text is not known here
                    index.leaf(&mut stack, node, "*");
                }
                Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                    if let Err(refusal) = budget.open(anchor, &range) {
                        index.refused = Some(refusal);
                        break;
                    }
                    let is_map = matches!(event, Event::MappingStart(..));
                    if let Some(Frame::Skip(depth)) = stack.last_mut() {
                        *depth += 1;
                        continue;
                    }
                    let place = match stack.last_mut() {
                        None => Some((YamlPath::root(), None)),
                        // a map or a list used as a key
                        Some(Frame::Map { pending: None, .. }) => None,
                        Some(Frame::Map {
                            path,
                            pending: Some((key, key_span)),
                            ..
                        }) => Some((path.key(key), Some(key_span.clone()))),
                        Some(Frame::Seq { path, next, .. }) => Some((path.index(*next), None)),
                        Some(Frame::Skip(_)) => None,
                    };
                    let Some((path, key_span)) = place else {
                        stack.push(Frame::Skip(1));
                        continue;
                    };
                    stack.push(if is_map {
                        Frame::Map {
                            path,
                            start: range.start,
                            key_span,
                            pending: None,
                        }
                    } else {
                        Frame::Seq {
                            path,
                            start: range.start,
                            key_span,
                            next: 0,
                        }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    budget.close();
                    let Some(frame) = stack.pop() else { continue };
                    let (path, start, key_span, kind) = match frame {
                        Frame::Skip(depth) if depth > 1 => {
                            stack.push(Frame::Skip(depth - 1));
                            continue;
                        }
                        Frame::Skip(_) => {
                            // the complex key is done: its value comes next, under `?`
                            if let Some(Frame::Map { pending, .. }) = stack.last_mut() {
                                *pending = Some(("?".into(), range.clone()));
                            }
                            continue;
                        }
                        Frame::Map {
                            path,
                            start,
                            key_span,
                            ..
                        } => (path, start, key_span, NodeKind::Mapping),
                        Frame::Seq {
                            path,
                            start,
                            key_span,
                            ..
                        } => (path, start, key_span, NodeKind::Sequence),
                    };
                    let end = trim_end(text, start, range.end);
                    index.insert(
                        path,
                        Node {
                            key: key_span,
                            value: start..end,
                            kind,
                            scalar: None,
                            style: None,
                        },
                    );
                    advance(&mut stack);
                }
                Event::StreamStart | Event::Nothing => {}
            }
        }
        index
    }

    /// A scalar or alias: a key of the open mapping, or a value at the place the stack
    /// says (recorded, then the parent moves on).
    fn leaf(&mut self, stack: &mut [Frame], mut node: Node, text: &str) {
        let path = match stack.last_mut() {
            None => YamlPath::root(),
            Some(Frame::Skip(_)) => return,
            Some(Frame::Map { pending, .. }) if pending.is_none() => {
                *pending = Some((text.to_string(), node.value.clone()));
                return;
            }
            Some(Frame::Map { path, pending, .. }) => {
                let Some((key, key_span)) = pending else {
                    return;
                };
                node.key = Some(key_span.clone());
                path.key(key)
            }
            Some(Frame::Seq { path, next, .. }) => path.index(*next),
        };
        self.insert(path, node);
        advance(stack);
    }

    fn insert(&mut self, path: YamlPath, node: Node) {
        if let Some(first) = self.nodes.get(&path) {
            if let (Some(first), Some(again)) = (first.key.clone(), node.key.clone()) {
                self.duplicates.push(DuplicateKey { path, first, again });
            }
            return;
        }
        self.nodes.insert(path, node);
    }

    /// The node at `path`.
    pub fn get(&self, path: &YamlPath) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// The node at `path`, or at its nearest indexed ancestor (and that ancestor's path).
    pub fn nearest(&self, path: &YamlPath) -> Option<(YamlPath, &Node)> {
        let mut current = path.clone();
        loop {
            if let Some(node) = self.nodes.get(&current) {
                return Some((current, node));
            }
            current.0.pop()?;
        }
    }

    /// The nodes under `path` (not `path` itself), shallowest first, then in path order.
    pub fn descendants(&self, path: &YamlPath) -> Vec<(&YamlPath, &Node)> {
        let mut found: Vec<(&YamlPath, &Node)> = self
            .nodes
            .range(path.clone()..)
            .take_while(|(p, _)| p.starts_with(path))
            .filter(|(p, _)| p.0.len() > path.0.len())
            .collect();
        found.sort_by_key(|(p, _)| p.0.len());
        found
    }

    /// The direct children of `path`, in path order.
    pub fn children(&self, path: &YamlPath) -> Vec<(&YamlPath, &Node)> {
        self.descendants(path)
            .into_iter()
            .filter(|(p, _)| p.0.len() == path.0.len() + 1)
            .collect()
    }

    /// The span to point at for `path`: the key for a mapping value (what a user reads as
    /// "this setting"), else the value; for a path not in the index, its nearest ancestor.
    pub fn key_or_value(&self, path: &YamlPath) -> Option<Range<usize>> {
        let (_, node) = self.nearest(path)?;
        Some(node.key.clone().unwrap_or_else(|| node.value.clone()))
    }

    /// The value's span at `path` (or its nearest ancestor's key or value).
    pub fn value(&self, path: &YamlPath) -> Option<Range<usize>> {
        match self.nodes.get(path) {
            Some(node) => Some(node.value.clone()),
            None => self.key_or_value(path),
        }
    }

    /// The byte offset in the text of the character `column` (0-based, in characters) of
    /// the scalar at `path`, when the scalar is written so that its characters map one to
    /// one onto the file (plain, or quoted without escapes, on one line).
    pub fn offset_in_scalar(&self, text: &str, path: &YamlPath, column: usize) -> Option<usize> {
        let node = self.nodes.get(path)?;
        let value = node.scalar.as_ref()?;
        let raw = text.get(node.value.clone())?;
        let inner = match node.style? {
            ScalarStyle::Plain => raw,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                raw.get(1..raw.len().checked_sub(1)?)?
            }
            _ => return None,
        };
        let quote = usize::from(node.style != Some(ScalarStyle::Plain));
        if inner == value {
            let at = value
                .char_indices()
                .nth(column)
                .map_or(value.len(), |(b, _)| b);
            return Some(node.value.start + quote + at);
        }
        // a single-quoted scalar whose only escapes are doubled quotes
        if node.style == Some(ScalarStyle::SingleQuoted) && inner.replace("''", "'") == *value {
            let mut raw_at = 0;
            let mut chars = inner.char_indices().peekable();
            for _ in 0..column {
                match chars.next() {
                    Some((_, '\'')) => {
                        chars.next();
                    }
                    Some(_) => {}
                    None => break,
                }
            }
            if let Some(&(b, _)) = chars.peek() {
                raw_at = b;
            } else if column > 0 {
                raw_at = inner.len();
            }
            return Some(node.value.start + 1 + raw_at);
        }
        None
    }

    /// The length of the indexed text.
    pub fn text_len(&self) -> usize {
        self.text_len
    }
}

/// After a value: a mapping expects its next key, a sequence its next index.
fn advance(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Map { pending, .. }) => *pending = None,
        Some(Frame::Seq { next, .. }) => *next += 1,
        _ => {}
    }
}

/// A block collection ends where the next token starts; trailing blank space is not part
/// of it.
fn trim_end(text: &str, start: usize, end: usize) -> usize {
    let Some(slice) = text.get(start..end) else {
        return end.max(start);
    };
    start + slice.trim_end().len()
}

/// saphyr counts characters; diagnostics need byte offsets.
struct CharOffsets {
    bytes: Vec<usize>,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CharOffsets { bytes }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.bytes
            .get(char_index)
            .or_else(|| self.bytes.last())
            .copied()
            .unwrap_or(0)
    }

    fn range(&self, span: &Span) -> Range<usize> {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        start..end
    }
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut at = offset;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The byte offset of 1-based `line` and `column` (in characters), clamped to the text.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(nl) => start += nl + 1,
            None => return text.len(),
        }
    }
    let line_text = text[start..].split('\n').next().unwrap_or_default();
    start
        + line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(b, _)| b)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn path(segs: &[&str]) -> YamlPath {
        YamlPath(
            segs.iter()
                .map(|s| match s.parse() {
                    Ok(n) => Seg::Index(n),
                    Err(_) => Seg::Key(s.to_string()),
                })
                .collect(),
        )
    }

    const SPEC: &str = "client:\n  base_url: https://x\nresources:\n  - name: items\n    endpoint:\n      path: /items\n      params: {a: 1, b: [x, 'y']}\n  - plain\n";

    #[test]
    fn indexes_keys_and_values() {
        let index = SpanIndex::parse(SPEC);
        let at = |p: &[&str]| {
            let node = index.get(&path(p)).unwrap();
            (
                node.key.clone().map(|k| &SPEC[k]),
                &SPEC[node.value.clone()],
            )
        };
        assert_eq!(at(&["client", "base_url"]), (Some("base_url"), "https://x"));
        assert_eq!(at(&["resources", "0", "name"]), (Some("name"), "items"));
        assert_eq!(
            at(&["resources", "0", "endpoint", "params", "b", "1"]),
            (None, "'y'")
        );
        assert_eq!(at(&["resources", "1"]), (None, "plain"));
        assert_eq!(
            at(&["resources", "0", "endpoint", "params"]),
            (Some("params"), "{a: 1, b: [x, 'y']}")
        );
        assert!(index.error.is_none());
        assert!(index.duplicates.is_empty());
    }

    #[test]
    fn nearest_and_children() {
        let index = SpanIndex::parse(SPEC);
        let (found, _) = index
            .nearest(&path(&["resources", "0", "endpoint", "nope", "deeper"]))
            .unwrap();
        assert_eq!(found.to_string(), "resources[0].endpoint");
        let children: Vec<String> = index
            .children(&path(&["resources", "0", "endpoint"]))
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        assert_eq!(
            children,
            ["resources[0].endpoint.params", "resources[0].endpoint.path"]
        );
    }

    #[test]
    fn duplicates_and_errors() {
        let index = SpanIndex::parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(index.duplicates.len(), 1);
        assert_eq!(index.duplicates[0].again, 10..11);
        let broken = SpanIndex::parse("a: [1, 2\nb: 3\n");
        assert!(broken.error.is_some());
    }

    #[test]
    fn complex_keys_and_aliases_are_skipped_safely() {
        let index = SpanIndex::parse("? [a, b]\n: 1\nx: &anchor {k: v}\ny: *anchor\n");
        assert!(index.get(&path(&["x", "k"])).is_some());
        assert_eq!(index.get(&path(&["y"])).unwrap().kind, NodeKind::Alias);
    }

    #[test]
    fn column_inside_a_scalar() {
        let text = "a: 'it''s {{ x | y }}'\nb: plain | here\n";
        let index = SpanIndex::parse(text);
        let at = index.offset_in_scalar(text, &path(&["a"]), 8).unwrap();
        assert_eq!(&text[at..at + 1], "x");
        let at = index.offset_in_scalar(text, &path(&["b"]), 6).unwrap();
        assert_eq!(&text[at..at + 1], "|");
    }

    #[test]
    fn lines_and_columns() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (2, 2));
        assert_eq!(line_column(text, 8), (3, 1));
        assert_eq!(offset_of(text, 2, 3), 5);
        assert_eq!(offset_of(text, 9, 1), text.len());
    }
}
