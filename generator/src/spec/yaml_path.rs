//! Paths into a YAML or JSON document (`resources[0].endpoint.params["a.b"]`): how the
//! span index names its nodes, and how diagnostics name a setting.

use std::fmt;

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    /// A mapping key (a scalar key, as text).
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// A path from the document root: `resources[0].endpoint.params["a.b"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YamlPath(pub Vec<Seg>);

impl YamlPath {
    /// The root.
    pub fn root() -> Self {
        YamlPath(Vec::new())
    }

    /// This path with a key appended.
    pub fn key(&self, key: &str) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_string()));
        YamlPath(segs)
    }

    /// This path with an index appended.
    pub fn index(&self, index: usize) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        YamlPath(segs)
    }

    /// This path followed by `rest`.
    pub fn join(&self, rest: &[Seg]) -> Self {
        let mut segs = self.0.clone();
        segs.extend_from_slice(rest);
        YamlPath(segs)
    }

    /// The last key, if the path ends with one.
    pub fn last_key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Seg::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// The path without its last step (the root stays the root).
    pub fn parent(&self) -> Self {
        let mut segs = self.0.clone();
        segs.pop();
        YamlPath(segs)
    }

    /// Whether `self` is `other` or inside it.
    pub fn starts_with(&self, other: &YamlPath) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl fmt::Display for YamlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Index(n) => write!(f, "[{n}]")?,
                // keys that would read as path syntax are quoted
                Seg::Key(k)
                    if k.is_empty()
                        || k.contains(|c: char| {
                            c.is_whitespace() || matches!(c, '.' | '[' | ']' | '"')
                        }) =>
                {
                    write!(f, "[{k:?}]")?
                }
                Seg::Key(k) if i == 0 => f.write_str(k)?,
                Seg::Key(k) => write!(f, ".{k}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_display() {
        let p = YamlPath::root()
            .key("resources")
            .index(0)
            .key("params")
            .key("a.b");
        assert_eq!(p.to_string(), "resources[0].params[\"a.b\"]");
    }
}
