//! Located diagnostics: `file:line:column`, the offending lines with a caret under the
//! exact place, what was expected, and a did-you-mean for misspelled keys and type names.
//! Rendering is annotate-snippets' (rustc's own renderer), so the layout is the one Rust
//! users already read every day.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::span::{line_column, offset_of};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Generation fails.
    Error,
    /// Shown, generation goes on.
    Warning,
}

/// A marked range of the file, with what it says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Byte range in the file's text.
    pub span: Range<usize>,
    /// Text shown next to the marker (may be empty).
    pub text: String,
}

/// One located message about a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as given to the loader.
    pub file: String,
    /// 1-based line of the primary label, 0 when unknown.
    pub line: usize,
    /// 1-based column (in characters) of the primary label, 0 when unknown.
    pub column: usize,
    /// What is wrong (the title line).
    pub message: String,
    /// The place the message is about.
    pub label: Option<Label>,
    /// Other places that explain it ("first defined here").
    pub context: Vec<Label>,
    /// Suggestions (`did you mean ..?`), shown as `= help:` lines.
    pub help: Vec<String>,
    /// What was expected and why, shown as `= note:` lines.
    pub notes: Vec<String>,
    /// The file's text, for the snippet; shared by every diagnostic of the file.
    pub source: Option<Arc<str>>,
}

impl Diagnostic {
    /// A diagnostic about a whole file, or a place without a known position.
    pub fn new(severity: Severity, file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: file.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            label: None,
            context: Vec::new(),
            help: Vec::new(),
            notes: Vec::new(),
            source: None,
        }
    }

    /// An error about a whole file or a place without a known position.
    pub fn unlocated(file: &str, message: String) -> Self {
        Diagnostic::new(Severity::Error, file, message)
    }

    /// A warning about a whole file or a place without a known position.
    pub fn warning(file: &str, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, file, message)
    }

    /// An error at a 1-based line and column of `text` (the file's contents); line 0 means
    /// the position is unknown.
    pub fn error(file: &str, text: &str, line: usize, column: usize, message: String) -> Self {
        let diagnostic = Diagnostic::unlocated(file, message);
        if line == 0 {
            return diagnostic;
        }
        let at = offset_of(text, line, column.max(1));
        diagnostic.in_source(Arc::from(text)).at(at..at, "")
    }

    /// Attaches the file's text, which the spans of [`Diagnostic::at`] index into.
    pub fn in_source(mut self, source: Arc<str>) -> Self {
        self.source = Some(source);
        self
    }

    /// Sets the primary place (a byte range of the source) and its label.
    pub fn at(mut self, span: Range<usize>, text: impl Into<String>) -> Self {
        let span = self.clamp(span);
        if let Some(source) = &self.source {
            (self.line, self.column) = line_column(source, span.start);
        }
        self.label = Some(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Adds a secondary place.
    pub fn also(mut self, span: Range<usize>, text: impl Into<String>) -> Self {
        let span = self.clamp(span);
        self.context.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Adds a `help:` line.
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help.push(text.into());
        self
    }

    /// Adds a `help:` line when there is one (a did-you-mean).
    pub fn maybe_help(mut self, text: Option<String>) -> Self {
        self.help.extend(text);
        self
    }

    /// Adds a `note:` line.
    pub fn note(mut self, text: impl Into<String>) -> Self {
        self.notes.push(text.into());
        self
    }

    /// A span inside the source, on character boundaries, so rendering cannot fail on it.
    fn clamp(&self, span: Range<usize>) -> Range<usize> {
        let Some(source) = &self.source else {
            return span;
        };
        let floor = |mut at: usize| {
            at = at.min(source.len());
            while !source.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let start = floor(span.start);
        let end = floor(span.end.max(start));
        start..end
    }

    /// The diagnostic as text, with terminal colors when `styled`.
    pub fn render(&self, styled: bool) -> String {
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(self.message.as_str()));
        match (&self.source, &self.label) {
            (Some(source), Some(label)) => {
                let mut snippet = Snippet::source(&**source)
                    .path(self.file.as_str())
                    .annotation(
                        AnnotationKind::Primary
                            .span(label.span.clone())
                            .label(non_empty(&label.text)),
                    );
                for context in &self.context {
                    snippet = snippet.annotation(
                        AnnotationKind::Context
                            .span(context.span.clone())
                            .label(non_empty(&context.text)),
                    );
                }
                group = group.element(snippet);
            }
            _ if self.line > 0 => {
                group = group.element(
                    Origin::path(self.file.as_str())
                        .line(self.line)
                        .char_column(self.column),
                );
            }
            _ => group = group.element(Origin::path(self.file.as_str())),
        }
        for help in &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        for note in &self.notes {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        renderer.render(&[group])
    }
}

fn non_empty(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// Every diagnostic of one run, errors and warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// How many errors there are.
    pub fn error_count(&self) -> usize {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Errors before warnings; `first` (the config) before other files, files by name,
    /// then by position in the file, a file's unlocated diagnostics first. The order does
    /// not depend on the order in which checks ran.
    pub fn sort(&mut self, first: &str) {
        let key = |d: &Diagnostic| {
            (
                d.severity == Severity::Warning,
                d.file != first,
                d.file.clone(),
                d.line,
                d.column,
            )
        };
        self.0.sort_by_key(key);
    }

    /// All diagnostics as text, with terminal colors when `styled`, one blank line apart.
    pub fn render(&self, styled: bool) -> String {
        self.0
            .iter()
            .map(|d| d.render(styled))
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl From<Box<Diagnostic>> for Diagnostics {
    fn from(d: Box<Diagnostic>) -> Self {
        Diagnostics(vec![*d])
    }
}

/// Adds "did you mean `x`?" to serde's "unknown field/variant `a`, expected one of `b`, `c`".
pub fn with_suggestion(message: &str) -> String {
    let Some(rest) = message
        .split_once("unknown field `")
        .or_else(|| message.split_once("unknown variant `"))
        .map(|(_, rest)| rest)
    else {
        return message.to_string();
    };
    let Some((unknown, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match closest(unknown, &candidates) {
        Some(best) => format!("{message}; did you mean `{best}`?"),
        None => message.to_string(),
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" for the candidate closest to `word`, if any is close.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// `a`, `b` or `c`: candidates as a readable list.
pub fn one_of(candidates: &[&str]) -> String {
    match candidates {
        [] => "nothing".into(),
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} or `{last}`",
            init.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_key() {
        let m = with_suggestion("unknown field `pathh`, expected one of `path`, `method`");
        assert!(m.ends_with("did you mean `path`?"), "{m}");
        let m = with_suggestion("unknown variant `cursr`, expected one of `single_page`, `cursor`");
        assert!(m.ends_with("did you mean `cursor`?"), "{m}");
        let m = with_suggestion("unknown field `zzz`, expected `path`");
        assert!(!m.contains("did you mean"), "{m}");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
    }

    #[test]
    fn renders_caret_and_help() {
        let d = Diagnostic::unlocated("a.yaml", "unknown key `bad`".into())
            .in_source(Arc::from("x: 1\nbad: 2\n"))
            .at(5..8, "not a key here")
            .help("did you mean `bar`?");
        assert_eq!((d.line, d.column), (2, 1));
        assert_eq!(
            d.to_string(),
            "error: unknown key `bad`\n --> a.yaml:2:1\n  |\n2 | bad: 2\n  | ^^^ not a key here\n  |\n  = help: did you mean `bar`?"
        );
    }

    #[test]
    fn spans_out_of_range_are_clamped() {
        let d = Diagnostic::unlocated("a.yaml", "x".into())
            .in_source(Arc::from("é"))
            .at(1..99, "")
            .also(std::ops::Range { start: 7, end: 3 }, "");
        assert_eq!(d.label.as_ref().unwrap().span, 0..2);
        assert_eq!(d.context[0].span, 2..2);
        assert!(!d.to_string().is_empty());
    }

    #[test]
    fn unlocated_names_the_file() {
        let d = Diagnostic::unlocated("s/a.json", "cannot read".into());
        assert_eq!(d.to_string(), "error: cannot read\n--> s/a.json");
    }
}
