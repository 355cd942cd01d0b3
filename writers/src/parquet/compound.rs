//! The objects and arrays a record serializes, as a [`Fill`] receives them: an object's fields
//! into a struct column's children, an array's items into a list column, anything else
//! collected as a JSON value first (`serde_json`'s own compound serializers) and then put.

use serde::ser::{self, Serialize, Serializer};

use super::columns::{Column, Struct, push_key};
use super::fill::{Error, Fill, Json, Leftovers, Path};
use super::key::KeyText;

/// An object or array being filled.
pub(crate) enum Compound<'a> {
    /// An object's fields into a struct column's children.
    Struct(StructFill<'a>),
    /// An array's items into a list column.
    List(ListFill<'a>),
    /// Collected as a JSON value, then [`Fill::put`].
    Collect(Fill<'a>, Collect),
}

/// `serde_json`'s value serializer part-way through a compound value.
pub(crate) enum Collect {
    Seq(<Json as Serializer>::SerializeSeq),
    TupleVariant(<Json as Serializer>::SerializeTupleVariant),
    Map(<Json as Serializer>::SerializeMap),
    StructVariant(<Json as Serializer>::SerializeStructVariant),
}

/// An object's fields going into a struct column.
pub(crate) struct StructFill<'a> {
    s: &'a mut Struct,
    left: &'a mut Leftovers,
    path: &'a Path<'a>,
}

impl<'a> StructFill<'a> {
    /// Starts filling an object into `s`.
    pub(crate) fn new(s: &'a mut Struct, left: &'a mut Leftovers, path: &'a Path<'a>) -> Self {
        s.next = 0;
        s.seen.fill(false);
        StructFill { s, left, path }
    }

    /// One field: into its child, or, with no child for it (or a second value for the same
    /// key), into `_restgen_extra`; the record's raw-values field is kept aside.
    fn field<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        let s = &mut *self.s;
        match s.index(key) {
            Some(at) if !s.seen[at] => {
                s.seen[at] = true;
                let path = Path::Key(self.path, &s.keys[at]);
                value.serialize(Fill {
                    column: &mut s.children[at],
                    left: self.left,
                    path: &path,
                })
            }
            _ if s.raw_field.as_deref() == Some(key) => {
                self.left.raw = Some(serde_json::to_value(value)?);
                Ok(())
            }
            _ => {
                let value = serde_json::to_value(value)?;
                let mut pointer = self.path.pointer();
                push_key(&mut pointer, key);
                self.left.extra.insert(pointer, value);
                Ok(())
            }
        }
    }

    /// The children the object did not name are null.
    fn end(self) {
        for (child, seen) in self.s.children.iter_mut().zip(&self.s.seen) {
            if !seen {
                child.push_null();
            }
        }
        self.s.nulls.append_non_null();
    }
}

/// An array's items going into a list column.
pub(crate) struct ListFill<'a> {
    item: &'a mut Column,
    offsets: &'a mut Vec<i32>,
    nulls: &'a mut arrow_buffer::NullBufferBuilder,
    left: &'a mut Leftovers,
    path: &'a Path<'a>,
    count: usize,
}

impl<'a> ListFill<'a> {
    /// Starts filling an array into a list column's parts.
    pub(crate) fn new(
        item: &'a mut Column,
        offsets: &'a mut Vec<i32>,
        nulls: &'a mut arrow_buffer::NullBufferBuilder,
        left: &'a mut Leftovers,
        path: &'a Path<'a>,
    ) -> Self {
        ListFill {
            item,
            offsets,
            nulls,
            left,
            path,
            count: 0,
        }
    }

    fn item<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        let path = Path::Index(self.path, self.count);
        self.count += 1;
        value.serialize(Fill {
            column: self.item,
            left: self.left,
            path: &path,
        })
    }

    fn end(self) {
        let end = self.offsets.last().copied().unwrap_or(0);
        let len = i32::try_from(self.count).unwrap_or(i32::MAX);
        self.offsets.push(end.saturating_add(len));
        self.nulls.append_non_null();
    }
}

/// A compound method called on a compound of another kind: `serde` never does this.
fn out_of_order() -> Error {
    ser::Error::custom("a value serialized its parts out of order")
}

impl Compound<'_> {
    fn item<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        match self {
            Compound::List(list) => list.item(value),
            Compound::Collect(_, Collect::Seq(seq)) => {
                ser::SerializeSeq::serialize_element(seq, value)
            }
            _ => Err(out_of_order()),
        }
    }

    fn end(self) -> Result<(), Error> {
        match self {
            Compound::Struct(s) => {
                s.end();
                Ok(())
            }
            Compound::List(list) => {
                list.end();
                Ok(())
            }
            Compound::Collect(fill, collect) => {
                let value = match collect {
                    Collect::Seq(c) => ser::SerializeSeq::end(c)?,
                    Collect::TupleVariant(c) => ser::SerializeTupleVariant::end(c)?,
                    Collect::Map(c) => ser::SerializeMap::end(c)?,
                    Collect::StructVariant(c) => ser::SerializeStructVariant::end(c)?,
                };
                fill.put(value)
            }
        }
    }
}

/// The three ways serde hands over an array's items, all one here.
macro_rules! array_compound {
    ($($trait:ident::$method:ident),*) => {
        $(impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
                self.item(value)
            }
            fn end(self) -> Result<(), Error> {
                Compound::end(self)
            }
        })*
    };
}

array_compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        match self {
            Compound::Collect(_, Collect::TupleVariant(c)) => c.serialize_field(value),
            _ => Err(out_of_order()),
        }
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        match self {
            Compound::Struct(fill) => {
                fill.s.key.clear();
                key.serialize(KeyText(&mut fill.s.key))
            }
            Compound::Collect(_, Collect::Map(c)) => c.serialize_key(key),
            _ => Err(out_of_order()),
        }
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        match self {
            Compound::Struct(fill) => {
                let key = std::mem::take(&mut fill.s.key);
                let result = fill.field(&key, value);
                fill.s.key = key;
                result
            }
            Compound::Collect(_, Collect::Map(c)) => c.serialize_value(value),
            _ => Err(out_of_order()),
        }
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        match self {
            Compound::Struct(fill) => fill.field(key, value),
            Compound::Collect(_, Collect::Map(c)) => {
                ser::SerializeStruct::serialize_field(c, key, value)
            }
            _ => Err(out_of_order()),
        }
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        match self {
            Compound::Collect(_, Collect::StructVariant(c)) => c.serialize_field(key, value),
            _ => Err(out_of_order()),
        }
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}
