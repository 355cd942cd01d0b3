//! A problem found while resolving, with where it is: a path relative to the node being
//! resolved (a paginator, an auth block, an endpoint), grown as it is handed up, and turned
//! into a located diagnostic once the resolver knows whose node it was.

use crate::spec::span::Seg;

/// One problem, located relative to the node it was found in. Boxed: it travels in the
/// `Err` of every resolving function, whose `Ok` is usually small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue(Box<IssueBody>);

impl std::ops::Deref for Issue {
    type Target = IssueBody;
    fn deref(&self) -> &IssueBody {
        &self.0
    }
}

impl std::ops::DerefMut for Issue {
    fn deref_mut(&mut self) -> &mut IssueBody {
        &mut self.0
    }
}

/// What an [`Issue`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueBody {
    /// The path from the node being resolved to the offending node.
    pub at: Vec<Seg>,
    /// A character offset inside the offending scalar (a template's or a JSONPath's).
    pub column: Option<usize>,
    /// Whether to point at the key rather than the value.
    pub on_key: bool,
    /// What is wrong.
    pub message: String,
    /// Whether the message starts with the offending key's name once it is known
    /// (`` `data_selector` is not a valid JSONPath``).
    named: bool,
    /// Text under the caret.
    pub label: String,
    /// `help:` lines.
    pub help: Vec<String>,
    /// `note:` lines.
    pub notes: Vec<String>,
    /// Other places (relative like `at`) with their labels.
    pub also: Vec<(Vec<Seg>, String)>,
}

impl Issue {
    /// An issue about the node being resolved itself.
    pub fn new(message: impl Into<String>) -> Self {
        Issue(Box::new(IssueBody {
            at: Vec::new(),
            column: None,
            on_key: false,
            message: message.into(),
            named: false,
            label: String::new(),
            help: Vec::new(),
            notes: Vec::new(),
            also: Vec::new(),
        }))
    }

    /// An issue whose message reads after the offending key's name (`is not a valid
    /// JSONPath`), which the first [`Issue::under`] supplies.
    pub fn about_key(message: impl Into<String>) -> Self {
        let mut issue = Issue::new(message);
        issue.named = true;
        issue
    }

    /// The same issue seen from the parent node, which holds it under `key`.
    pub fn under(mut self, key: &str) -> Self {
        self.at.insert(0, Seg::Key(key.to_string()));
        for (path, _) in &mut self.also {
            path.insert(0, Seg::Key(key.to_string()));
        }
        if self.named {
            self.message = format!("`{key}` {}", self.message);
            self.named = false;
        }
        self
    }

    /// The same issue seen from the parent list, which holds it at `index`.
    pub fn under_index(mut self, index: usize) -> Self {
        self.at.insert(0, Seg::Index(index));
        for (path, _) in &mut self.also {
            path.insert(0, Seg::Index(index));
        }
        self
    }

    /// Moves the issue to the child `key` of where it is (the node is known more precisely).
    pub fn at_key(mut self, key: &str) -> Self {
        self.at.push(Seg::Key(key.to_string()));
        self
    }

    /// Points at a character inside the offending scalar.
    pub fn column(mut self, column: usize) -> Self {
        self.column = Some(column);
        self
    }

    /// Points at the key rather than the value.
    pub fn key(mut self) -> Self {
        self.on_key = true;
        self
    }

    /// The label under the caret.
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.label = text.into();
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

    /// Adds another place, relative to where the issue is now.
    pub fn also(mut self, key: &str, text: impl Into<String>) -> Self {
        self.also
            .push((vec![Seg::Key(key.to_string())], text.into()));
        self
    }
}

impl From<String> for Issue {
    fn from(message: String) -> Self {
        Issue::new(message)
    }
}

impl From<&str> for Issue {
    fn from(message: &str) -> Self {
        Issue::new(message)
    }
}

impl From<super::template::TemplateError> for Issue {
    fn from(e: super::template::TemplateError) -> Self {
        Issue::about_key(format!("is not a supported template: {}", e.what))
            .column(e.at)
            .label(e.what)
            .note(format!(
                "templates read {} (docs/dialect.md, Expressions)",
                super::template::SUPPORTED
            ))
    }
}

impl From<super::jsonpath::JsonPathError> for Issue {
    fn from(e: super::jsonpath::JsonPathError) -> Self {
        Issue::about_key(format!("is not a valid JSONPath: {}", e.what))
            .column(e.at)
            .label(e.what)
            .note(
                "restgen's JSONPath: `data`, `$.a.b`, `a[0]`, `a[*].id`, `['@odata.next']`, \
                 `..id`",
            )
    }
}
