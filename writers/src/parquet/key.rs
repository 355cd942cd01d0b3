//! The text of a map key, for an object's fields to find their column by.

use serde::ser::{self, Impossible, Serialize, Serializer};
use serde_json::Value;

use super::fill::{Error, Json};

/// A map key's text, as `serde_json` writes keys: a string as it is; numbers, booleans and
/// chars as `serde_json` spells them (asked of it: such keys are rare); anything else is
/// refused, as `serde_json` refuses it.
pub(crate) struct KeyText<'a>(pub(crate) &'a mut String);

fn key_must_be_a_string() -> Error {
    ser::Error::custom("key must be a string")
}

/// `key` as `serde_json` writes it as an object key.
fn key_text<T: ?Sized + Serialize>(key: &T) -> Result<String, Error> {
    let mut map = Json.serialize_map(Some(1))?;
    ser::SerializeMap::serialize_entry(&mut map, key, &())?;
    match ser::SerializeMap::end(map)? {
        Value::Object(map) => map.into_iter().next().map(|(k, _)| k),
        _ => None,
    }
    .ok_or_else(key_must_be_a_string)
}

/// The key serializer's methods for scalars `serde_json` spells as keys.
macro_rules! key_as_text {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<(), Error> {
            self.0.push_str(&key_text(&v)?);
            Ok(())
        })*
    };
}

/// The key serializer's methods for values `serde_json` refuses as keys.
macro_rules! key_refused {
    ($($method:ident$(<$t:ident>)?($($arg:ident: $ty:ty),*) -> $ok:ty),* $(,)?) => {
        $(fn $method$(<$t: ?Sized + Serialize>)?(self, $($arg: $ty),*) -> Result<$ok, Error> {
            let _ = ($($arg,)*);
            Err(key_must_be_a_string())
        })*
    };
}

impl Serializer for KeyText<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.push_str(v);
        Ok(())
    }
    key_as_text!(
        serialize_bool: bool, serialize_char: char, serialize_f32: f32, serialize_f64: f64,
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128,
    );
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    key_refused!(
        serialize_bytes(v: &[u8]) -> (),
        serialize_none() -> (),
        serialize_some<T>(v: &T) -> (),
        serialize_unit() -> (),
        serialize_unit_struct(name: &'static str) -> (),
        serialize_newtype_variant<T>(name: &'static str, index: u32, variant: &'static str, v: &T) -> (),
        serialize_seq(len: Option<usize>) -> Impossible<(), Error>,
        serialize_tuple(len: usize) -> Impossible<(), Error>,
        serialize_tuple_struct(name: &'static str, len: usize) -> Impossible<(), Error>,
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Impossible<(), Error>,
        serialize_map(len: Option<usize>) -> Impossible<(), Error>,
        serialize_struct(name: &'static str, len: usize) -> Impossible<(), Error>,
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Impossible<(), Error>,
    );
}
