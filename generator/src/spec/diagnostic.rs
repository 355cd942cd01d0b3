//! Located diagnostics: `file:line:column`, the offending line with a caret, what was
//! expected, and a did-you-mean for misspelled keys and type names.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Generation fails.
    Error,
    /// Shown, generation goes on.
    Warning,
}

/// One located message about a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as given to the loader.
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
    /// The source line, for the caret display.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error at a position of `text` (the file's contents).
    pub fn error(file: &str, text: &str, line: usize, column: usize, message: String) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_string(),
            line,
            column,
            message,
            source_line: line
                .checked_sub(1)
                .and_then(|i| text.lines().nth(i))
                .map(str::to_string),
        }
    }

    /// An error about a whole file or a place without a known position.
    pub fn unlocated(file: &str, message: String) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_string(),
            line: 0,
            column: 0,
            message,
            source_line: None,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.line == 0 {
            return write!(f, "{kind}: {}: {}", self.file, self.message);
        }
        writeln!(
            f,
            "{kind}: {}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(source) = &self.source_line {
            let gutter = self.line.to_string().len();
            writeln!(f, "{:gutter$} |", "")?;
            writeln!(f, "{} | {}", self.line, source)?;
            write!(
                f,
                "{:gutter$} | {}^",
                "",
                " ".repeat(self.column.saturating_sub(1))
            )?;
        }
        Ok(())
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
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
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
    }

    #[test]
    fn renders_caret() {
        let d = Diagnostic::error(
            "a.yaml",
            "x: 1\nbad: 2\n",
            2,
            1,
            "unknown field `bad`".into(),
        );
        assert_eq!(
            d.to_string(),
            "error: a.yaml:2:1: unknown field `bad`\n  |\n2 | bad: 2\n  | ^"
        );
    }
}
