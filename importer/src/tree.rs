//! The config as the importer understood it: plain data (the YAML it becomes), each value
//! with its location in the input and the comments that were written next to it.

use crate::source::Loc;

/// One value of the config.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it starts in the input.
    pub at: Loc,
    /// Comments written around it.
    pub comments: Comments,
}

/// Comments attached to a value (or to the dict entry holding it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comments {
    /// Own-line comments before it.
    pub before: Vec<String>,
    /// Comments at the end of its (first) line.
    pub trailing: Vec<String>,
    /// For a dict or list: own-line comments after its last item, inside it.
    pub inner_end: Vec<String>,
}

impl Comments {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.before.is_empty() && self.trailing.is_empty() && self.inner_end.is_empty()
    }
}

/// The value kinds a spec can hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `None` / `null`.
    Null,
    /// `True` / `False`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A list (or tuple).
    List(Vec<Node>),
    /// A dict, in the order written.
    Dict(Vec<Entry>),
    /// `dlt.secrets["name"]`.
    Secret(String),
    /// `dlt.config["name"]`.
    Config(String),
    /// A value built in code that the user has to write: the code, shortened.
    FillIn(String),
}

/// One `key: value` of a dict.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key is in the input.
    pub key_at: Loc,
    /// The value (its comments include the ones written before the key).
    pub value: Node,
}

impl Node {
    /// A node without comments.
    pub fn new(value: Value, at: Loc) -> Node {
        Node {
            value,
            at,
            comments: Comments::default(),
        }
    }

    /// The value under `key`, when this is a dict.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Dict(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The value under `key`, to change it, when this is a dict.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Dict(entries) => entries
                .iter_mut()
                .find(|e| e.key == key)
                .map(|e| &mut e.value),
            _ => None,
        }
    }

    /// Removes the entry `key` of a dict and returns it.
    pub fn take(&mut self, key: &str) -> Option<Entry> {
        let Value::Dict(entries) = &mut self.value else {
            return None;
        };
        let index = entries.iter().position(|e| e.key == key)?;
        Some(entries.remove(index))
    }

    /// Renames the entry `from` of a dict to `to`, in place; `false` when there is no `from`
    /// or already a `to`.
    pub fn rename(&mut self, from: &str, to: &str) -> bool {
        let Value::Dict(entries) = &mut self.value else {
            return false;
        };
        if entries.iter().any(|e| e.key == to) {
            return false;
        }
        match entries.iter_mut().find(|e| e.key == from) {
            Some(entry) => {
                entry.key = to.to_string();
                true
            }
            None => false,
        }
    }

    /// Adds `key: value` at the end of a dict (replacing an entry of that key).
    pub fn set(&mut self, key: &str, value: Node) {
        let Value::Dict(entries) = &mut self.value else {
            return;
        };
        let key_at = value.at;
        match entries.iter_mut().find(|e| e.key == key) {
            Some(entry) => entry.value = value,
            None => entries.push(Entry {
                key: key.to_string(),
                key_at,
                value,
            }),
        }
    }

    /// The items, to change them, when this is a list.
    pub fn items_mut(&mut self) -> &mut [Node] {
        match &mut self.value {
            Value::List(items) => items,
            _ => &mut [],
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries, when this is a dict.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Dict(entries) => entries,
            _ => &[],
        }
    }

    /// The items, when this is a list.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::List(items) => items,
            _ => &[],
        }
    }

    /// Every `FillIn` below (and at) this node, in order.
    pub fn fill_ins(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        self.walk(&mut |n| {
            if matches!(n.value, Value::FillIn(_)) {
                out.push(n);
            }
        });
        out
    }

    /// Calls `f` on this node and every node below it, depth first, in order.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        match &self.value {
            Value::List(items) => items.iter().for_each(|n| n.walk(f)),
            Value::Dict(entries) => entries.iter().for_each(|e| e.value.walk(f)),
            _ => {}
        }
    }

    /// The value as JSON (secrets, config references and fill-ins in their YAML map form),
    /// for comparing with what the YAML reads back as.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        let reference = |key: &str, name: &str| {
            J::Object(serde_json::Map::from_iter([(
                key.to_string(),
                J::String(name.to_string()),
            )]))
        };
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::List(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Dict(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
            Value::Secret(name) => reference("secret", name),
            Value::Config(name) => reference("config", name),
            Value::FillIn(code) => reference("fill_in", code),
        }
    }
}
