//! Strict decoding's check that every field the schema requires is present, at every depth,
//! read straight from the record's text with nothing allocated but the path of a failure.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Kind, RecordShape};

/// The pointer of the first required field missing from the record `text`, if any.
pub(crate) fn first_missing(shape: &RecordShape, text: &str) -> Option<String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut missing = None;
    // a body that is not JSON is the decoder's failure to report, not this check's
    let _ = Check {
        shape,
        node: 0,
        pointer: String::new(),
        missing: &mut missing,
    }
    .deserialize(&mut de);
    missing
}

/// Checks one value against node `node`; the first missing field lands in `missing`.
struct Check<'a> {
    shape: &'a RecordShape,
    node: u32,
    pointer: String,
    missing: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.shape.nodes.get(self.node as usize).map(|n| &n.kind) {
            Some(Kind::Object { .. } | Kind::Array(_)) => deserializer.deserialize_any(self),
            _ => deserializer.deserialize_ignored_any(IgnoredAny).map(|_| ()),
        }
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(Kind::Object { fields, rest }) =
            self.shape.nodes.get(self.node as usize).map(|n| &n.kind)
        else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let mut seen = vec![false; fields.len()];
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let found = fields.binary_search_by(|f| (*f.name).cmp(&key)).ok();
            let node = match found {
                Some(i) => {
                    seen[i] = true;
                    Some(fields[i].node)
                }
                None => *rest,
            };
            match node {
                Some(node) if self.missing.is_none() => map.next_value_seed(Check {
                    shape: self.shape,
                    node,
                    pointer: child(&self.pointer, &key),
                    missing: &mut *self.missing,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if self.missing.is_none()
            && let Some(field) = fields
                .iter()
                .zip(&seen)
                .find(|(f, seen)| f.required && !**seen)
        {
            *self.missing = Some(child(&self.pointer, &field.0.name));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let item = match self.shape.nodes.get(self.node as usize).map(|n| &n.kind) {
            Some(Kind::Array(item)) => Some(*item),
            _ => None,
        };
        let mut index = 0;
        loop {
            let more = match item {
                Some(node) if self.missing.is_none() => seq
                    .next_element_seed(Check {
                        shape: self.shape,
                        node,
                        pointer: format!("{}/{index}", self.pointer),
                        missing: &mut *self.missing,
                    })?
                    .is_some(),
                _ => seq.next_element::<IgnoredAny>()?.is_some(),
            };
            if !more {
                return Ok(());
            }
            index += 1;
        }
    }

    // every other value fits the check: its kind is the decoder's business
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// An object key, borrowed from the text unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}
