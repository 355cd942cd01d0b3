//! Turns resolver issues into located diagnostics. A resource's settings may be written in
//! the resource or inherited from `resource_defaults`; an issue is shown where the setting
//! is actually written, and an inherited one once, naming the resources that inherit it.

use crate::spec::span::{NodeKind, Seg, YamlPath};
use crate::spec::{Diagnostic, LoadedSpec};

use super::issue::Issue;

/// An issue and the path it is written at.
#[derive(Debug, Clone)]
pub struct Located {
    /// Where the issue's node is written.
    pub base: YamlPath,
    /// The issue, relative to `base`.
    pub issue: Issue,
    /// The resource it was found resolving, if any.
    pub resource: Option<String>,
    /// Places elsewhere in the file (absolute paths, with a column inside the scalar).
    pub extra: Vec<(YamlPath, Option<usize>, String)>,
}

/// Locates issues against one loaded spec.
pub struct Locator<'a> {
    spec: &'a LoadedSpec,
}

impl<'a> Locator<'a> {
    /// A locator for `spec`.
    pub fn new(spec: &'a LoadedSpec) -> Self {
        Locator { spec }
    }

    /// The path of the resource at position `k` of the parsed config.
    pub fn resource_path(&self, k: usize) -> YamlPath {
        let index = self.spec.resource_index.get(k).copied().unwrap_or(k);
        YamlPath::root().key("resources").index(index)
    }

    /// Where an issue found resolving resource `k` is written: in the resource, or in
    /// `resource_defaults` when the setting is inherited from there.
    pub fn in_resource(&self, k: usize, name: &str, issue: Issue) -> Located {
        let resource = self.resource_path(k);
        let defaults = YamlPath::root().key("resource_defaults");
        let depth = |base: &YamlPath| {
            (0..=issue.at.len())
                .rev()
                .find(|&n| self.spec.spans.get(&base.join(&issue.at[..n])).is_some())
        };
        let written_in_resource = depth(&resource).unwrap_or(0);
        let written_in_defaults = depth(&defaults).unwrap_or(0);
        // `endpoint` alone in the defaults does not make a setting inherited
        let minimum = usize::from(matches!(issue.at.first(), Some(Seg::Key(k)) if k == "endpoint"));
        let base = if written_in_defaults > written_in_resource && written_in_defaults > minimum {
            defaults
        } else {
            resource
        };
        Located {
            base,
            issue,
            resource: Some(name.to_string()),
            extra: Vec::new(),
        }
    }

    /// Where the secret or setting `name` is first referenced: `{secret: name}`, a
    /// `{config.name}` / `{secrets.name}` placeholder, or `{name}` in the base URL.
    pub fn reference(&self, name: &str) -> YamlPath {
        let placeholders = [format!("{{config.{name}}}"), format!("{{secrets.{name}}}")];
        let in_base_url = format!("{{{name}}}");
        self.spec
            .spans
            .descendants(&YamlPath::root())
            .into_iter()
            .filter(|(p, n)| {
                let Some(text) = n.scalar.as_deref() else {
                    return false;
                };
                (matches!(p.last_key(), Some("secret" | "config")) && text == name)
                    || placeholders.iter().any(|t| text.contains(t.as_str()))
                    || (p.0.len() == 2
                        && p.last_key() == Some("base_url")
                        && text.contains(&in_base_url))
            })
            .map(|(p, n)| (n.value.start, p.clone()))
            .min()
            .map_or_else(YamlPath::root, |(_, p)| p)
    }

    /// An issue at an absolute place (`base` + the issue's own path).
    pub fn at(&self, base: YamlPath, issue: Issue) -> Located {
        Located {
            base,
            issue,
            resource: None,
            extra: Vec::new(),
        }
    }

    /// The diagnostics of `issues`: an issue inherited from the defaults by several
    /// resources is shown once.
    pub fn diagnostics(&self, issues: Vec<Located>) -> Vec<Diagnostic> {
        let defaults = YamlPath::root().key("resource_defaults");
        let mut merged: Vec<(Located, Vec<String>)> = Vec::new();
        for located in issues {
            if located.base.starts_with(&defaults)
                && let Some((_, users)) = merged.iter_mut().find(|(m, _)| {
                    m.base == located.base
                        && m.issue.at == located.issue.at
                        && m.issue.message == located.issue.message
                })
            {
                users.extend(located.resource.clone());
                continue;
            }
            let users = located.resource.clone().into_iter().collect();
            merged.push((located, users));
        }
        merged
            .into_iter()
            .map(|(located, users)| self.diagnostic(&located, &users))
            .collect()
    }

    fn diagnostic(&self, located: &Located, users: &[String]) -> Diagnostic {
        let issue = &located.issue;
        let path = self.written_at(located.base.join(&issue.at));
        let context = match (located.base.0.first(), users) {
            (Some(Seg::Key(k)), _) if k == "resource_defaults" => "resource_defaults: ".to_string(),
            (_, [name, ..]) => format!("resource `{name}`: "),
            (Some(Seg::Key(k)), []) if k == "client" => "client: ".to_string(),
            _ => String::new(),
        };
        let (span, label) = self.span(&path, issue.column, issue.on_key, &issue.label);
        let mut diagnostic = Diagnostic::unlocated(
            &self.spec.config_file,
            format!("{context}{}", issue.message),
        )
        .in_source(self.spec.source.clone())
        .at(span.unwrap_or(0..0), label);
        for (also, text) in &issue.also {
            let also_path = located.base.join(also);
            if let Some(span) = self.point(&also_path, true) {
                diagnostic = diagnostic.also(span, text.clone());
            }
        }
        for (path, column, text) in &located.extra {
            let path = self.written_at(path.clone());
            let (span, text) = self.span(&path, *column, false, text);
            if let Some(span) = span {
                diagnostic = diagnostic.also(span, text);
            }
        }
        for help in &issue.help {
            diagnostic = diagnostic.help(help.clone());
        }
        for note in &issue.notes {
            diagnostic = diagnostic.note(note.clone());
        }
        if located
            .base
            .starts_with(&YamlPath::root().key("resource_defaults"))
            && !users.is_empty()
        {
            let names: Vec<String> = users.iter().map(|u| format!("`{u}`")).collect();
            diagnostic = diagnostic.note(format!(
                "inherited by resource{} {}",
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            ));
        }
        diagnostic
    }

    /// A resource's `endpoint.path` written in short: `endpoint: /items` or `- items` (the
    /// name is the path) hold the path in the scalar itself.
    fn written_at(&self, path: YamlPath) -> YamlPath {
        let spans = &self.spec.spans;
        if spans.get(&path).is_some() || path.last_key() != Some("path") {
            return path;
        }
        let mut parent = path.parent();
        loop {
            match spans.get(&parent) {
                Some(node) if node.scalar.is_some() => return parent,
                Some(_) => return path,
                None if parent.0.is_empty() => return path,
                None => parent = parent.parent(),
            }
        }
    }

    /// The span of the node at `path` (of character `column` inside it, when given), and
    /// the label, which names the character when the scalar's escapes hide it.
    fn span(
        &self,
        path: &YamlPath,
        column: Option<usize>,
        on_key: bool,
        label: &str,
    ) -> (Option<std::ops::Range<usize>>, String) {
        let spans = &self.spec.spans;
        let text = &self.spec.config_text;
        match column {
            Some(column) => match spans.offset_in_scalar(text, path, column) {
                Some(at) => {
                    let width = text
                        .get(at..)
                        .and_then(|t| t.chars().next())
                        .map_or(0, char::len_utf8);
                    (Some(at..at + width), label.to_string())
                }
                // the scalar is written with escapes: mark all of it
                None => (
                    spans.value(path),
                    format!("{label} (at character {} of the value)", column + 1),
                ),
            },
            None => (self.point(path, on_key), label.to_string()),
        }
    }

    /// Where to point for a node: a scalar's value, a collection's key (what a reader sees
    /// as "this setting"), or the key when asked for.
    pub fn point(&self, path: &YamlPath, on_key: bool) -> Option<std::ops::Range<usize>> {
        let spans = &self.spec.spans;
        let (found, node) = spans.nearest(path)?;
        let exact = found == *path;
        let scalar = matches!(node.kind, NodeKind::Plain | NodeKind::Quoted);
        if exact && scalar && !on_key {
            return Some(node.value.clone());
        }
        if let Some(key) = &node.key {
            return Some(key.clone());
        }
        // a list entry or the root: its first line, not the whole block
        let text = &self.spec.config_text;
        let start = node.value.start;
        let line_end = text
            .get(start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(node.value.end, |n| start + n);
        Some(start..line_end.min(node.value.end).max(start))
    }
}
