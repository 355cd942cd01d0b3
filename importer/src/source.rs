//! Where an input's text came from: the file as the user named it, the Python code blocks
//! of a document, and the way back from a byte offset in a block to the file's own line and
//! column, so every note and error points into the file the user has open.

use std::fmt;

use restgen::Diagnostic;

/// How an input is read, chosen from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Python file: the whole text is one block.
    Python,
    /// A JSON file holding the config dict (possibly wrapped in an object).
    Json,
    /// A markdown-like document (`.md`, `.txt`): its ```` ```python ```` blocks.
    Document,
}

impl Kind {
    /// The kind for a file name: `.json` is JSON, `.md`/`.markdown`/`.txt` a document,
    /// anything else Python.
    pub fn from_path(path: &str) -> Kind {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Kind::Json
        } else if [".md", ".markdown", ".txt"]
            .iter()
            .any(|ext| lower.ends_with(ext))
        {
            Kind::Document
        } else {
            Kind::Python
        }
    }
}

/// A 1-based line and column in the input file; `0:0` when unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Loc {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// The input: its shown name and text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file as shown in messages.
    pub file: String,
    /// The whole text of the file.
    pub text: String,
    /// How it is read.
    pub kind: Kind,
}

/// A stretch of code inside the input: the whole file, or one fenced block of a document.
#[derive(Debug, Clone)]
pub struct Block {
    /// The code, with the fence's indentation removed.
    pub code: String,
    /// The file line of the code's first line.
    first_line: usize,
    /// Per code line: how many leading characters were removed.
    removed: Vec<usize>,
    /// Byte offset of each code line's start.
    line_starts: Vec<usize>,
}

impl Block {
    /// The whole text as one block.
    pub fn whole(text: &str) -> Block {
        Block::new(text.to_string(), 1, Vec::new())
    }

    fn new(code: String, first_line: usize, removed: Vec<usize>) -> Block {
        let line_starts = std::iter::once(0)
            .chain(code.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Block {
            code,
            first_line,
            removed,
            line_starts,
        }
    }

    /// The file location of a byte offset in the code.
    pub fn loc(&self, offset: usize) -> Loc {
        let offset = offset.min(self.code.len());
        let index = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(index).copied().unwrap_or(0);
        let chars = self
            .code
            .get(start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        Loc {
            line: self.first_line + index,
            column: chars + 1 + self.removed.get(index).copied().unwrap_or(0),
        }
    }

    /// The file line where the block starts.
    pub fn first_line(&self) -> usize {
        self.first_line
    }
}

impl Source {
    /// A source of the kind its name says.
    pub fn new(file: &str, text: String) -> Source {
        Source {
            file: file.to_string(),
            kind: Kind::from_path(file),
            text,
        }
    }

    /// The code blocks to search: the whole file, or a document's Python blocks in order.
    pub fn blocks(&self) -> Vec<Block> {
        match self.kind {
            Kind::Python | Kind::Json => vec![Block::whole(&self.text)],
            Kind::Document => python_blocks(&self.text),
        }
    }

    /// An error at `at`.
    pub fn error(&self, at: Loc, message: String) -> Diagnostic {
        if at.line == 0 {
            return Diagnostic::unlocated(&self.file, message);
        }
        Diagnostic::error(&self.file, &self.text, at.line, at.column, message)
    }

    /// A note at `at` about the construct `code` (see [`Note::code`]).
    pub fn note(&self, at: Loc, code: &'static str, message: String) -> Note {
        Note {
            file: self.file.clone(),
            at,
            code,
            message,
        }
    }
}

/// A remark about the input that did not stop the import: a construct that is not valid
/// dlt and how it was read, a value left for the user to fill in, a dropped key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The input file, as shown.
    pub file: String,
    /// Where the construct is.
    pub at: Loc,
    /// The construct, as a stable name to group notes by: `auth.basic`,
    /// `paginator.stop_condition`, `endpoint.record_filter`, `python.fill_in`...
    pub code: &'static str,
    /// What it is and how it was interpreted, in plain words.
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.line == 0 {
            write!(f, "note: {}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "note: {}:{}:{}: {}",
                self.file, self.at.line, self.at.column, self.message
            )
        }
    }
}

/// The fenced Python blocks of a markdown-like document (```` ```python ````, ```` ```py ````,
/// also `~~~`), each with its position in the document. An unclosed block runs to the end.
fn python_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = text.split('\n').enumerate();
    while let Some((index, line)) = lines.next() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let Some(fence) = fence_of(trimmed) else {
            continue;
        };
        let info = trimmed[fence.len()..].trim().to_ascii_lowercase();
        let is_python = matches!(
            info.split_whitespace().next(),
            Some("python" | "py" | "python3")
        );
        let mut code = Vec::new();
        let mut removed = Vec::new();
        for (_, inner) in lines.by_ref() {
            let inner_trimmed = inner.trim_start();
            if closes(inner_trimmed, fence) {
                break;
            }
            let strip = inner.len() - inner_trimmed.len();
            let strip = strip.min(indent);
            code.push(&inner[strip..]);
            removed.push(inner[..strip].chars().count());
        }
        if is_python {
            blocks.push(Block::new(code.join("\n"), index + 2, removed));
        }
    }
    blocks
}

/// Whether a line closes the block opened by `fence`: the same character, at least as many,
/// and nothing else on the line.
fn closes(trimmed: &str, fence: &str) -> bool {
    fence_of(trimmed).is_some_and(|close| {
        close.len() >= fence.len()
            && close.starts_with(&fence[..1])
            && trimmed.trim_end().len() == close.len()
    })
}

/// The fence (three or more backticks or tildes) a line starts with.
fn fence_of(trimmed: &str) -> Option<&str> {
    let ch = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let run = trimmed.chars().take_while(|c| *c == ch).count();
    (run >= 3).then(|| &trimmed[..run])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_document_positions() {
        let doc = "# T\n\n```python\nx = 1\n  y = {'a': 1}\n```\ntext\n  ```py\n  z = 2\n  ```\n```json\n{}\n```\n";
        let blocks = python_blocks(doc);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].code, "x = 1\n  y = {'a': 1}");
        assert_eq!(blocks[0].loc(0), Loc { line: 4, column: 1 });
        let y = blocks[0].code.find('y').unwrap();
        assert_eq!(blocks[0].loc(y), Loc { line: 5, column: 3 });
        assert_eq!(blocks[1].code, "z = 2");
        assert_eq!(blocks[1].loc(4), Loc { line: 9, column: 7 });
    }

    #[test]
    fn columns_count_characters() {
        let block = Block::whole("'é': 1\n");
        assert_eq!(block.loc(5), Loc { line: 1, column: 5 });
    }

    #[test]
    fn kinds() {
        assert_eq!(Kind::from_path("a/b.JSON"), Kind::Json);
        assert_eq!(Kind::from_path("seed.txt"), Kind::Document);
        assert_eq!(Kind::from_path("x.md"), Kind::Document);
        assert_eq!(Kind::from_path("x.py"), Kind::Python);
    }
}
