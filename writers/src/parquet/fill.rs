//! Records into arrow columns through `serde`: a [`Fill`] is a `Serializer` that appends what
//! a record serializes to the column builders, so a page of typed records reaches the columns
//! with no JSON value in between (JSON values serialize the same way and take the same road).
//!
//! Only what leaves the columns becomes a JSON value, kept by JSON pointer: a value that does
//! not fit its column (a misfit, for `_restgen_raw`), a key the shape has no column for (for
//! `_restgen_extra`), the record's own raw-values field, and whatever goes into a JSON text
//! column. Those are collected with `serde_json`'s own value serializer, so they read exactly
//! as `serde_json::to_value` of the record would have them.

use std::fmt::Write as _;

use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::columns::{Column, date_days, push_key, timestamp_micros};
use super::compound::{Collect, Compound, ListFill, StructFill};

pub(crate) type Error = serde_json::Error;

/// `serde_json`'s serializer into a `Value`, for what leaves the columns.
pub(crate) use serde_json::value::Serializer as Json;

/// The struct name `serde_json` gives a `RawValue`: its text is a value, not a struct's fields.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// What one record leaves beside its columns, by JSON pointer.
#[derive(Default)]
pub(crate) struct Leftovers {
    /// Values the shape has no column for.
    pub(crate) extra: Map<String, Value>,
    /// Values that did not fit their column.
    pub(crate) misfits: Map<String, Value>,
    /// The record's own raw-values field, as it serialized.
    pub(crate) raw: Option<Value>,
    /// The text of a `collect_str` value (timestamps, dates), reused from record to record.
    pub(crate) text: String,
}

/// Where a value sits in its record, as a chain up to the record: the JSON pointer is written
/// out only for a value kept aside, never for the values that fill their columns.
pub(crate) enum Path<'p> {
    /// The record itself (pointer `""`).
    Root,
    /// A field of the object at the parent path.
    Key(&'p Path<'p>, &'p str),
    /// An item of the array at the parent path.
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    /// The JSON pointer (RFC 6901).
    pub(crate) fn pointer(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.write(out);
                push_key(out, key);
            }
            Path::Index(parent, index) => {
                parent.write(out);
                let _ = write!(out, "/{index}");
            }
        }
    }
}

/// Appends one value to `column`: the `Serializer` of one column's cell.
pub(crate) struct Fill<'a> {
    pub(crate) column: &'a mut Column,
    pub(crate) left: &'a mut Leftovers,
    pub(crate) path: &'a Path<'a>,
}

/// A scalar as a record serialized it.
#[derive(Clone, Copy)]
enum Scalar<'s> {
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(&'s str),
}

impl Scalar<'_> {
    fn to_value(self) -> Value {
        match self {
            Scalar::Bool(v) => Value::Bool(v),
            Scalar::I64(v) => Value::from(v),
            Scalar::U64(v) => Value::from(v),
            Scalar::F64(v) => Value::from(v),
            Scalar::Str(v) => Value::String(v.to_string()),
        }
    }
}

/// Appends `value` to `column`, or a null and the value to the misfits.
fn scalar(column: &mut Column, left: &mut Leftovers, path: &Path<'_>, value: Scalar<'_>) {
    // as `serde_json::to_value` has them: a number JSON cannot write is null
    if matches!(value, Scalar::F64(v) if !v.is_finite()) {
        column.push_null();
        return;
    }
    let fits = match (&mut *column, value) {
        (Column::Bool(b), Scalar::Bool(v)) => {
            b.append_value(v);
            true
        }
        (Column::Int(b), Scalar::I64(v)) => {
            b.append_value(v);
            true
        }
        (Column::Int(b), Scalar::U64(v)) => i64::try_from(v).map(|v| b.append_value(v)).is_ok(),
        // as `Value::as_f64` reads them: integers widen to floats
        (Column::Float(b), Scalar::I64(v)) => {
            b.append_value(v as f64);
            true
        }
        (Column::Float(b), Scalar::U64(v)) => {
            b.append_value(v as f64);
            true
        }
        (Column::Float(b), Scalar::F64(v)) => {
            b.append_value(v);
            true
        }
        (Column::Text(b), Scalar::Str(v)) => {
            b.append_value(v);
            true
        }
        (Column::Json(b), value) => {
            b.append_value(value.to_value().to_string());
            true
        }
        (Column::Timestamp(b), Scalar::Str(v)) => {
            timestamp_micros(v).map(|v| b.append_value(v)).is_some()
        }
        (Column::Date(b), Scalar::Str(v)) => date_days(v).map(|v| b.append_value(v)).is_some(),
        _ => false,
    };
    if !fits {
        column.push_null();
        left.misfits.insert(path.pointer(), value.to_value());
    }
}

impl<'a> Fill<'a> {
    fn scalar(self, value: Scalar<'_>) -> Result<(), Error> {
        scalar(self.column, self.left, self.path, value);
        Ok(())
    }

    pub(crate) fn null(self) -> Result<(), Error> {
        self.column.push_null();
        Ok(())
    }

    /// Appends a value collected whole (a JSON text column's, an enum variant's, a number
    /// past 64 bits): through the columns where its kind fits, else kept as a misfit.
    pub(crate) fn put(self, value: Value) -> Result<(), Error> {
        match (&mut *self.column, &value) {
            (_, Value::Null) => self.null(),
            (Column::Json(b), Value::Object(_) | Value::Array(_)) => {
                b.append_value(value.to_string());
                Ok(())
            }
            // filled as any record is: these never come back here
            (Column::Struct(_), Value::Object(_))
            | (Column::List { .. }, Value::Array(_))
            | (_, Value::Bool(_) | Value::Number(_) | Value::String(_)) => value.serialize(self),
            _ => {
                self.column.push_null();
                self.left.misfits.insert(self.path.pointer(), value);
                Ok(())
            }
        }
    }

    /// An object's fields into a struct column, or the object collected whole.
    fn object(self, len: Option<usize>, name: Option<&'static str>) -> Result<Compound<'a>, Error> {
        match (self.column, name == Some(RAW_VALUE_TOKEN)) {
            (Column::Struct(s), false) => {
                Ok(Compound::Struct(StructFill::new(s, self.left, self.path)))
            }
            (column, _) => {
                let collect = match name {
                    Some(name) => Json.serialize_struct(name, len.unwrap_or(0))?,
                    None => Json.serialize_map(len)?,
                };
                let fill = Fill {
                    column,
                    left: self.left,
                    path: self.path,
                };
                Ok(Compound::Collect(fill, Collect::Map(collect)))
            }
        }
    }

    /// An array's items into a list column, or the array collected whole.
    fn array(self, len: Option<usize>) -> Result<Compound<'a>, Error> {
        match self.column {
            Column::List {
                offsets,
                nulls,
                item,
                ..
            } => Ok(Compound::List(ListFill::new(
                item, offsets, nulls, self.left, self.path,
            ))),
            column => {
                let collect = Json.serialize_seq(len)?;
                let fill = Fill {
                    column,
                    left: self.left,
                    path: self.path,
                };
                Ok(Compound::Collect(fill, Collect::Seq(collect)))
            }
        }
    }
}

/// `Serializer` methods for integers, widened into a scalar of the kind named.
macro_rules! scalar_methods {
    ($kind:ident: $($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<(), Error> {
            self.scalar(Scalar::$kind(v.into()))
        })*
    };
}

/// `Serializer` methods for values taken as `serde_json` makes them.
macro_rules! collected_methods {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<(), Error> {
            self.put(Json.$method(v)?)
        })*
    };
}

impl<'a> Serializer for Fill<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.scalar(Scalar::Bool(v))
    }
    scalar_methods!(I64: serialize_i8: i8, serialize_i16: i16, serialize_i32: i32);
    scalar_methods!(U64: serialize_u8: u8, serialize_u16: u16, serialize_u32: u32);
    scalar_methods!(I64: serialize_i64: i64);
    scalar_methods!(U64: serialize_u64: u64);
    // past 64 bits, or single precision: as serde_json makes them values
    collected_methods!(serialize_i128: i128, serialize_u128: u128, serialize_f32: f32);
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.scalar(Scalar::F64(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.scalar(Scalar::Str(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.scalar(Scalar::Str(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.put(Json.serialize_bytes(v)?)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.null()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.null()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.null()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.scalar(Scalar::Str(variant))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.put(Json.serialize_newtype_variant(name, index, variant, value)?)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a>, Error> {
        self.array(len)
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.array(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.array(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        let collect = Json.serialize_tuple_variant(name, index, variant, len)?;
        Ok(Compound::Collect(self, Collect::TupleVariant(collect)))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a>, Error> {
        self.object(len, None)
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.object(Some(len), Some(name))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        let collect = Json.serialize_struct_variant(name, index, variant, len)?;
        Ok(Compound::Collect(self, Collect::StructVariant(collect)))
    }
    /// Timestamps and dates serialize as `Display`: written into a buffer kept across
    /// records, not a new `String` each.
    fn collect_str<T: ?Sized + std::fmt::Display>(self, value: &T) -> Result<(), Error> {
        let mut text = std::mem::take(&mut self.left.text);
        text.clear();
        let _ = write!(text, "{value}");
        scalar(self.column, self.left, self.path, Scalar::Str(&text));
        self.left.text = text;
        Ok(())
    }
}
