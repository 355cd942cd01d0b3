//! One pass over a page, for the common shape: records in an array at a path of field names
//! (`data`, `results.items`), paging values at named root fields (`next_cursor`, `total`,
//! `meta.next`). The general path reads a page three or four times over (the whole page as a
//! raw value, the root's fields, the array's items, the root's fields again for each
//! paginator lookup), each a full scan at parsing speed, as costly together as decoding the
//! records. This scan reads the page once, checking all of it as JSON as the general path
//! does, and keeps only the records and the root fields the paginator reads.
//!
//! It is only used where it gives the same result: the paginator is handed a root holding
//! exactly the fields it can read, and [`ScanPlan::new`] declines any paginator that may read
//! more (the whole response, an unnamed field, the records' own field, auto-detection). Any
//! page whose shape is not the common one (a root that is not an object, records that are
//! one object rather than a list, invalid JSON) makes [`ScanPlan::scan`] decline too, and the
//! driver takes the general path, which reports errors exactly as before.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::descriptor::{CursorSource, PaginatorConfig, Text};
use crate::expr::{Expr, Literal, Var};
use crate::selector::{RawRecords, Selector, Step, record_spans};

/// A page scanned where it was received, in a form that can travel to the task that reads it
/// in order: the records as byte ranges of the page, and the root the paginator sees.
#[derive(Debug)]
pub struct Located {
    /// Where each record is in the page.
    pub spans: Vec<Range<usize>>,
    /// A root holding each field the paginator reads, with its last value.
    pub root: Box<RawValue>,
}

/// How to scan the pages of one run, when a single pass gives the general path's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanPlan {
    /// The data selector's field names, at least one.
    path: Vec<Text>,
    /// The root fields the paginator reads; never the first field of `path`.
    wanted: Vec<Text>,
}

/// What one scan found.
#[derive(Debug)]
pub struct Scanned<'a> {
    /// The records: the items of the array at the data path (none when it is missing or null).
    pub records: Vec<&'a RawValue>,
    /// A root holding each field the paginator reads, with its last value, in page order.
    pub root: Box<RawValue>,
}

impl ScanPlan {
    /// A plan for records at `selector`, paged by `paginator`; `None` when a single pass
    /// might not give the general path's result.
    pub fn new(selector: &Selector, paginator: &PaginatorConfig) -> Option<ScanPlan> {
        let path = selector
            .steps
            .iter()
            .map(|step| match step {
                Step::Field(name) => Some(name.clone()),
                _ => None,
            })
            .collect::<Option<Vec<Text>>>()?;
        let first = path.first()?;
        let wanted = body_fields(paginator)?;
        if wanted.contains(first) {
            return None;
        }
        Some(ScanPlan { path, wanted })
    }

    /// Scans `text`; `None` when the page is not of the common shape or not valid JSON, and
    /// the general path must read it.
    pub fn scan<'a>(&self, text: &'a str) -> Option<Scanned<'a>> {
        let mut de = serde_json::Deserializer::from_str(text);
        let level = Level {
            path: &self.path,
            wanted: &self.wanted,
        };
        let scanned = level.deserialize(&mut de).ok()?;
        de.end().ok()?;
        let Found { at, fields } = scanned?;
        let records = match at {
            At::Missing | At::Null => Vec::new(),
            At::Items(items) => items,
            At::Other => return None,
        };
        let mut root = String::from("{");
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                root.push(',');
            }
            root.push_str(&serde_json::to_string(key).ok()?);
            root.push(':');
            root.push_str(value.get());
        }
        root.push('}');
        Some(Scanned {
            records,
            root: RawValue::from_string(root).ok()?,
        })
    }
}

impl ScanPlan {
    /// [`ScanPlan::scan`] of a page's bytes, kept as ranges: for a page received on one task
    /// and read on another. `None` as for `scan`, and when the bytes are not UTF-8.
    pub fn locate(&self, body: &[u8]) -> Option<Located> {
        let text = std::str::from_utf8(body).ok()?;
        let scanned = self.scan(text)?;
        let records = RawRecords {
            items: scanned.records,
        };
        Some(Located {
            spans: record_spans(text, &records),
            root: scanned.root,
        })
    }
}

/// The root fields a paginator reads from a response body, or `None` when it may read more
/// than named fields (the whole body, a computed key, any depth, or a body it has yet to
/// detect its kind from).
fn body_fields(paginator: &PaginatorConfig) -> Option<Vec<Text>> {
    let mut fields = Vec::new();
    let selector = |s: &Selector, fields: &mut Vec<Text>| match s.steps.first() {
        Some(Step::Field(name)) => {
            fields.push(name.clone());
            Some(())
        }
        _ => None,
    };
    match paginator {
        // Rust code may read any part of the body
        PaginatorConfig::Auto | PaginatorConfig::Custom { .. } => return None,
        PaginatorConfig::SinglePage
        | PaginatorConfig::HeaderLink { .. }
        | PaginatorConfig::HeaderCursor { .. } => {}
        PaginatorConfig::JsonLink { next_url_path } => selector(next_url_path, &mut fields)?,
        PaginatorConfig::Cursor(c) => {
            match &c.source {
                CursorSource::Path(path) => selector(path, &mut fields)?,
                CursorSource::LastRecord(_) => {}
                CursorSource::Template(expr) => expr_fields(expr, &mut fields)?,
            }
            if let Some(path) = &c.has_more_path {
                selector(path, &mut fields)?;
            }
            if let Some(stop) = &c.stop_condition {
                expr_fields(stop, &mut fields)?;
            }
        }
        PaginatorConfig::Offset(c) => {
            for path in c.total_path.iter().chain(&c.has_more_path) {
                selector(path, &mut fields)?;
            }
        }
        PaginatorConfig::PageNumber(c) => {
            for path in c.total_path.iter().chain(&c.has_more_path) {
                selector(path, &mut fields)?;
            }
        }
    }
    Some(fields)
}

/// Adds the root fields `expr` reads through `response.get("name")` (or `response.name`,
/// `response["name"]`); `None` when it uses `response` in any other way.
fn expr_fields(expr: &Expr, fields: &mut Vec<Text>) -> Option<()> {
    match expr {
        Expr::Var(Var::Response) => None,
        Expr::Var(_) | Expr::Lit(_) | Expr::Config(_) => Some(()),
        Expr::Get(operands) => {
            let rest = match operands.as_ref() {
                [
                    Expr::Var(Var::Response),
                    Expr::Lit(Literal::Str(name)),
                    rest @ ..,
                ] => {
                    fields.push(name.clone());
                    rest
                }
                all => all,
            };
            rest.iter().try_for_each(|e| expr_fields(e, fields))
        }
        Expr::Not(operands)
        | Expr::And(operands)
        | Expr::Or(operands)
        | Expr::Cmp(_, operands)
        | Expr::In(operands)
        | Expr::Defined(operands)
        | Expr::List(operands)
        | Expr::Call(_, operands) => operands.iter().try_for_each(|e| expr_fields(e, fields)),
    }
}

/// What the data path led to.
enum At<'a> {
    /// No field of that name (or a step into something that is not an object).
    Missing,
    /// `null`: no records.
    Null,
    /// An array: its items are the records.
    Items(Vec<&'a RawValue>),
    /// Anything else (one record that is not a list): the general path handles it.
    Other,
}

/// An object level of the scan: what the rest of the path led to, and the wanted fields.
struct Found<'a> {
    at: At<'a>,
    fields: Vec<(Cow<'a, str>, &'a RawValue)>,
}

/// Scans one object level; gives `None` when the value is not an object.
struct Level<'p> {
    path: &'p [Text],
    wanted: &'p [Text],
}

impl<'de> DeserializeSeed<'de> for Level<'_> {
    type Value = Option<Found<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Level<'_> {
    type Value = Option<Found<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut at = None;
        let mut fields: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            // A key that occurs again replaces what its earlier occurrence gave, as in Python's
            // `json.loads` and a selector's field step: the last value wins.
            if self.path.first().is_some_and(|p| *p == key) {
                at = Some(match &self.path[1..] {
                    [] => map.next_value_seed(Target)?,
                    rest => map
                        .next_value_seed(Level {
                            path: rest,
                            wanted: &[],
                        })?
                        .map_or(At::Missing, |inner| inner.at),
                });
            } else if self.wanted.contains(&key) {
                let value: &'de RawValue = map.next_value()?;
                match fields.iter_mut().find(|(k, _)| *k == key) {
                    Some(field) => field.1 = value,
                    None => fields.push((key, value)),
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Some(Found {
            at: at.unwrap_or(At::Missing),
            fields,
        }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// The value at the end of the data path.
struct Target;

impl<'de> DeserializeSeed<'de> for Target {
    type Value = At<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Target {
    type Value = At<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            items.push(item);
        }
        Ok(At::Items(items))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(At::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(At::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(At::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(At::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(At::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(At::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(At::Other)
    }
}

#[cfg(test)]
mod tests;
