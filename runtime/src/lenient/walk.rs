//! The walk of a record's JSON against its shape: scalars are coerced exactly where they can
//! be, and a value with no coercion is moved out of the record into the raw values, keyed by
//! its JSON pointer. Then, should `T` still refuse the record somewhere the shape did not
//! foresee, the value there is moved aside the same way (see [`move_aside`]).

use serde_json::{Map, Value};

use super::coerce::{Coercion, coerce};
use super::{Kind, RecordShape};

/// What the walk changed in one record.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// The field pattern of each value coerced (see [`super::FieldCounts`]).
    pub coerced: Vec<String>,
    /// The field pattern of each value kept raw.
    pub kept: Vec<String>,
    /// The values kept raw, by JSON pointer.
    pub raw: Map<String, Value>,
}

/// Where the walk is: the JSON pointer of the value, and its field pattern.
struct At {
    pointer: String,
    pattern: String,
}

impl At {
    fn child(&self, key: &str) -> At {
        let escaped = key.replace('~', "~0").replace('/', "~1");
        At {
            pointer: format!("{}/{escaped}", self.pointer),
            pattern: format!("{}/{escaped}", self.pattern),
        }
    }

    fn item(&self, index: usize) -> At {
        At {
            pointer: format!("{}/{index}", self.pointer),
            pattern: format!("{}/*", self.pattern),
        }
    }
}

/// Walks `record` against `shape`: coerces what it can, and moves what it cannot into the raw
/// values. A record that is not even of the record's kind is kept whole, at the pointer ``.
pub(crate) fn walk(shape: &RecordShape, record: &mut Value) -> Changes {
    let mut changes = Changes::default();
    let root = At {
        pointer: String::new(),
        pattern: String::new(),
    };
    if !check(shape, 0, record, &root, &mut changes) {
        let whole = std::mem::replace(record, Value::Object(Map::new()));
        changes.kept.push(String::new());
        changes.raw.insert(String::new(), whole);
    }
    changes
}

/// Whether `value` fits node `index` once coerced (it is then coerced in place); `false` when
/// it must be moved aside as a whole by the caller.
fn check(
    shape: &RecordShape,
    index: u32,
    value: &mut Value,
    at: &At,
    changes: &mut Changes,
) -> bool {
    let Some(node) = shape.nodes.get(index as usize) else {
        return true;
    };
    if value.is_null() {
        return node.nullable || matches!(node.kind, Kind::Any);
    }
    match &node.kind {
        Kind::Any => true,
        Kind::Scalar(wanted) => match coerce(*wanted, value) {
            Coercion::Fits => true,
            Coercion::To(coerced) => {
                *value = coerced;
                changes.coerced.push(at.pattern.clone());
                true
            }
            Coercion::No => false,
        },
        Kind::Array(item) => {
            if !value.is_array() {
                return false;
            }
            // An element cannot be taken out of a list without shifting the others, so one
            // that does not fit takes the whole list aside, as it was sent: what the walk
            // did inside it is undone, in the list and in the counts.
            let before = (
                value.clone(),
                changes.coerced.len(),
                changes.kept.len(),
                changes.raw.len(),
            );
            let Value::Array(items) = value else {
                return false;
            };
            for (i, element) in items.iter_mut().enumerate() {
                if !check(shape, *item, element, &at.item(i), changes) {
                    let (original, coerced, kept, raw) = before;
                    *value = original;
                    changes.coerced.truncate(coerced);
                    changes.kept.truncate(kept);
                    let added: Vec<String> = changes.raw.keys().skip(raw).cloned().collect();
                    for pointer in added {
                        changes.raw.shift_remove(&pointer);
                    }
                    return false;
                }
            }
            true
        }
        Kind::Object { fields, rest } => {
            let Value::Object(map) = value else {
                return false;
            };
            let mut aside = Vec::new();
            for (key, child) in map.iter_mut() {
                let node = match fields.binary_search_by(|f| (*f.name).cmp(key.as_str())) {
                    Ok(found) => Some(fields[found].node),
                    Err(_) => *rest,
                };
                let Some(node) = node else { continue };
                let child_at = at.child(key);
                if !check(shape, node, child, &child_at, changes) {
                    aside.push((key.clone(), child_at));
                }
            }
            for (key, child_at) in aside {
                let Some(child) = map.shift_remove(&key) else {
                    continue;
                };
                if child.is_null() {
                    // the field is optional in the type: a null it does not allow is absent
                    changes.coerced.push(child_at.pattern);
                } else {
                    changes.kept.push(child_at.pattern);
                    changes.raw.insert(child_at.pointer, child);
                }
            }
            true
        }
    }
}

/// One step of the path where decoding `T` failed.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// A field of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// Moves the value at `path` aside: the deepest object field on the path (an element cannot
/// leave its list) is taken out of the record and returned with its pointer and pattern. `None`
/// when the path names no object field of the record (the record itself failed).
pub(crate) fn move_aside(record: &mut Value, path: &[Step]) -> Option<(String, String, Value)> {
    // The last step that is an object field present in the record.
    let mut last_key = None;
    let mut current = &*record;
    for (i, step) in path.iter().enumerate() {
        let next = match (step, current) {
            (Step::Key(key), Value::Object(map)) => map.get(key),
            (Step::Index(index), Value::Array(items)) => items.get(*index),
            _ => None,
        };
        let Some(next) = next else { break };
        if matches!(step, Step::Key(_)) {
            last_key = Some(i);
        }
        current = next;
    }
    let last = last_key?;
    let mut at = At {
        pointer: String::new(),
        pattern: String::new(),
    };
    let mut parent = record;
    for step in &path[..last] {
        parent = match (step, parent) {
            (Step::Key(key), Value::Object(map)) => {
                at = at.child(key);
                map.get_mut(key)?
            }
            (Step::Index(index), Value::Array(items)) => {
                at = at.item(*index);
                items.get_mut(*index)?
            }
            _ => return None,
        };
    }
    let (Step::Key(key), Value::Object(map)) = (&path[last], parent) else {
        return None;
    };
    let value = map.shift_remove(key)?;
    let at = at.child(key);
    Some((at.pointer, at.pattern, value))
}
