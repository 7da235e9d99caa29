//! A serde `Serializer` producing Python objects: an operation's typed
//! response becomes plain Python values directly, with no `serde_json::Value`
//! tree or JSON text in between.
//!
//! The values are those of the reference path (`serde_json::to_value`, then
//! [`crate::convert::to_python`]): structs and maps are `dict`s with their keys
//! in the order the JSON form writes them, sequences `list`s, strings `str`
//! (decimals serialize as strings, so they stay strings), integers `int`,
//! booleans, `None` for null and unit, a unit variant its name, any other
//! variant a one-entry `dict`. A `serde_json::Number` inside a response (in a
//! `serde_json::Value`) becomes an `int`, or a `float` read from its text, as
//! there. So `json.dumps` of the result is the JSON form, byte for byte.

use std::fmt;

use pyo3::BoundObject;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use serde::ser::{self, Serialize};

/// The name serde_json gives the one-field struct it serializes an
/// arbitrary-precision number as.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Why a response could not be written as Python values.
#[derive(Debug)]
pub enum Failure {
    /// Python raised (out of memory, say).
    Python(PyErr),
    /// The response has a shape a document cannot hold (a key that is not a
    /// string, say); the reference path reports it.
    Shape(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Python(e) => write!(f, "{e}"),
            Failure::Shape(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Failure {}

impl ser::Error for Failure {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Failure::Shape(msg.to_string())
    }
}

impl From<PyErr> for Failure {
    fn from(err: PyErr) -> Self {
        Failure::Python(err)
    }
}

/// Write `value` as Python objects.
pub fn to_python<'py, T: Serialize>(py: Python<'py>, value: &T) -> Result<Bound<'py, PyAny>, Failure> {
    // This thread's names from earlier responses; a call made meanwhile (from
    // a finalizer run by an allocation, say) starts with none and is forgotten.
    let mut names = Names { py, slots: NAMES.take() };
    if names.slots.is_empty() {
        names.slots.resize_with(SLOTS, || None);
    }
    let out = value.serialize(Writer { py, names: &mut names });
    NAMES.set(names.slots);
    out
}

/// Slots in the names cache: more than the field and variant names of any response.
const SLOTS: usize = 1024;

/// A cached name: its address and length, and the Python string.
type Slot = Option<(usize, usize, Py<PyString>)>;

thread_local! {
    /// Field and variant names as Python strings, made once per thread: they
    /// are `&'static str`, so their address and length identify them. Direct
    /// mapped by address; a clash just makes the string again.
    static NAMES: std::cell::Cell<Vec<Slot>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The names known to this response's writer.
struct Names<'py> {
    py: Python<'py>,
    slots: Vec<Slot>,
}

impl<'py> Names<'py> {
    fn get(&mut self, name: &'static str) -> Bound<'py, PyString> {
        let (address, len) = (name.as_ptr() as usize, name.len());
        let slot = &mut self.slots[((address >> 3) ^ (address >> 13) ^ len) % SLOTS];
        match slot {
            Some((a, l, text)) if *a == address && *l == len => text.bind(self.py).clone(),
            _ => {
                let text = PyString::intern(self.py, name);
                *slot = Some((address, len, text.clone().unbind()));
                text
            }
        }
    }
}

struct Writer<'a, 'py> {
    py: Python<'py>,
    names: &'a mut Names<'py>,
}

type Out<'py> = Result<Bound<'py, PyAny>, Failure>;

fn int<'py>(py: Python<'py>, v: impl IntoPyObject<'py>) -> Out<'py> {
    Ok(v.into_pyobject(py).map_err(Into::into)?.into_any().into_bound())
}

/// A `serde_json::Number`'s text as [`crate::convert::to_python`] reads it.
fn number<'py>(py: Python<'py>, text: &str) -> Out<'py> {
    if let Ok(i) = text.parse::<i64>() {
        return int(py, i);
    }
    if let Ok(u) = text.parse::<u64>() {
        return int(py, u);
    }
    let integral = text.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit());
    let ty = if integral { py.get_type::<PyInt>() } else { py.get_type::<PyFloat>() };
    Ok(ty.call1((text,))?)
}

fn one_entry<'py>(py: Python<'py>, key: &str, value: Bound<'py, PyAny>) -> Out<'py> {
    let dict = PyDict::new(py);
    dict.set_item(PyString::new(py, key), value)?;
    Ok(dict.into_any())
}

impl<'a, 'py> ser::Serializer for Writer<'a, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failure;
    type SerializeSeq = Seq<'a, 'py>;
    type SerializeTuple = Seq<'a, 'py>;
    type SerializeTupleStruct = Seq<'a, 'py>;
    type SerializeTupleVariant = Seq<'a, 'py>;
    type SerializeMap = Map<'a, 'py>;
    type SerializeStruct = Map<'a, 'py>;
    type SerializeStructVariant = Map<'a, 'py>;

    fn serialize_bool(self, v: bool) -> Out<'py> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn serialize_i8(self, v: i8) -> Out<'py> {
        int(self.py, v)
    }
    fn serialize_i16(self, v: i16) -> Out<'py> {
        int(self.py, v)
    }
    fn serialize_i32(self, v: i32) -> Out<'py> {
        int(self.py, v)
    }
    fn serialize_i64(self, v: i64) -> Out<'py> {
        int(self.py, v)
    }
    fn serialize_i128(self, v: i128) -> Out<'py> {
        int(self.py, v)
    }
    fn serialize_u8(self, v: u8) -> Out<'py> {
        int(self.py, v)
    }
    fn serialize_u16(self, v: u16) -> Out<'py> {
        int(self.py, v)
    }
    fn serialize_u32(self, v: u32) -> Out<'py> {
        int(self.py, v)
    }
    fn serialize_u64(self, v: u64) -> Out<'py> {
        int(self.py, v)
    }
    fn serialize_u128(self, v: u128) -> Out<'py> {
        int(self.py, v)
    }
    fn serialize_f32(self, v: f32) -> Out<'py> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Out<'py> {
        // As `serde_json::to_value`: a non-finite float is null.
        if v.is_finite() { Ok(PyFloat::new(self.py, v).into_any()) } else { Ok(self.py.None().into_bound(self.py)) }
    }
    fn serialize_char(self, v: char) -> Out<'py> {
        Ok(PyString::new(self.py, v.encode_utf8(&mut [0; 4])).into_any())
    }
    fn serialize_str(self, v: &str) -> Out<'py> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn serialize_bytes(self, v: &[u8]) -> Out<'py> {
        Ok(PyList::new(self.py, v)?.into_any())
    }
    fn serialize_none(self) -> Out<'py> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Out<'py> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Out<'py> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Out<'py> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Out<'py> {
        Ok(self.names.get(variant).into_any())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Out<'py> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Out<'py> {
        let py = self.py;
        let inner = value.serialize(Writer { py, names: &mut *self.names })?;
        one_entry(py, variant, inner)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'a, 'py>, Failure> {
        Ok(Seq { py: self.py, names: self.names, items: Vec::with_capacity(len.unwrap_or(0)), variant: None })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a, 'py>, Failure> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq<'a, 'py>, Failure> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Seq<'a, 'py>, Failure> {
        Ok(Seq { py: self.py, names: self.names, items: Vec::with_capacity(len), variant: Some(variant) })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'a, 'py>, Failure> {
        Ok(Map { dict: PyDict::new(self.py), py: self.py, names: self.names, key: None, kind: MapKind::Plain })
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Map<'a, 'py>, Failure> {
        let kind = if name == NUMBER_TOKEN { MapKind::Number(None) } else { MapKind::Plain };
        Ok(Map { dict: PyDict::new(self.py), py: self.py, names: self.names, key: None, kind })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Map<'a, 'py>, Failure> {
        let kind = MapKind::Variant(variant);
        Ok(Map { dict: PyDict::new(self.py), py: self.py, names: self.names, key: None, kind })
    }
}

/// A sequence being written: a `list`, or `{variant: list}` for a tuple variant.
pub struct Seq<'a, 'py> {
    py: Python<'py>,
    names: &'a mut Names<'py>,
    items: Vec<Bound<'py, PyAny>>,
    variant: Option<&'static str>,
}

impl<'py> Seq<'_, 'py> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failure> {
        self.items.push(value.serialize(Writer { py: self.py, names: &mut *self.names })?);
        Ok(())
    }
    fn finish(self) -> Out<'py> {
        let list = PyList::new(self.py, self.items)?.into_any();
        match self.variant {
            Some(variant) => one_entry(self.py, variant, list),
            None => Ok(list),
        }
    }
}

impl<'py> ser::SerializeSeq for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failure;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failure> {
        self.push(value)
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

impl<'py> ser::SerializeTuple for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failure;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failure> {
        self.push(value)
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

impl<'py> ser::SerializeTupleStruct for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failure;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failure> {
        self.push(value)
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

impl<'py> ser::SerializeTupleVariant for Seq<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failure;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failure> {
        self.push(value)
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

enum MapKind<'py> {
    Plain,
    /// `{variant: {...}}` for a struct variant.
    Variant(&'static str),
    /// serde_json's arbitrary-precision number, and its text once written.
    Number(Option<Bound<'py, PyAny>>),
}

/// A map or struct being written as a `dict`.
pub struct Map<'a, 'py> {
    dict: Bound<'py, PyDict>,
    py: Python<'py>,
    names: &'a mut Names<'py>,
    key: Option<Bound<'py, PyAny>>,
    kind: MapKind<'py>,
}

impl<'py> Map<'_, 'py> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Failure> {
        let value = value.serialize(Writer { py: self.py, names: &mut *self.names })?;
        if let MapKind::Number(text) = &mut self.kind {
            *text = Some(value);
            return Ok(());
        }
        self.dict.set_item(self.names.get(key), value)?;
        Ok(())
    }
    fn finish(self) -> Out<'py> {
        match self.kind {
            MapKind::Plain => Ok(self.dict.into_any()),
            MapKind::Variant(variant) => one_entry(self.py, variant, self.dict.into_any()),
            MapKind::Number(Some(text)) => {
                let text = text.cast_into::<PyString>().map_err(|_| Failure::Shape("a number without text".into()))?;
                number(self.py, text.to_str()?)
            }
            MapKind::Number(None) => Err(Failure::Shape("a number without text".into())),
        }
    }
}

impl<'py> ser::SerializeMap for Map<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failure;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Failure> {
        self.key = Some(key.serialize(KeyWriter { py: self.py })?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failure> {
        let key = self.key.take().ok_or_else(|| Failure::Shape("a map value before its key".into()))?;
        let value = value.serialize(Writer { py: self.py, names: &mut *self.names })?;
        self.dict.set_item(key, value)?;
        Ok(())
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

impl<'py> ser::SerializeStruct for Map<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failure;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Failure> {
        self.field(key, value)
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

impl<'py> ser::SerializeStructVariant for Map<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failure;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Failure> {
        self.field(key, value)
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

/// A map key, as serde_json's `to_value` writes keys: strings, and integers,
/// booleans, characters and unit variants as their text; anything else is refused.
struct KeyWriter<'py> {
    py: Python<'py>,
}

impl<'py> KeyWriter<'py> {
    fn text(self, text: &str) -> Out<'py> {
        Ok(PyString::new(self.py, text).into_any())
    }
    fn refuse(what: &str) -> Failure {
        Failure::Shape(format!("a map key must be a string, not {what}"))
    }
}

impl<'py> ser::Serializer for KeyWriter<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failure;
    type SerializeSeq = ser::Impossible<Bound<'py, PyAny>, Failure>;
    type SerializeTuple = ser::Impossible<Bound<'py, PyAny>, Failure>;
    type SerializeTupleStruct = ser::Impossible<Bound<'py, PyAny>, Failure>;
    type SerializeTupleVariant = ser::Impossible<Bound<'py, PyAny>, Failure>;
    type SerializeMap = ser::Impossible<Bound<'py, PyAny>, Failure>;
    type SerializeStruct = ser::Impossible<Bound<'py, PyAny>, Failure>;
    type SerializeStructVariant = ser::Impossible<Bound<'py, PyAny>, Failure>;

    fn serialize_bool(self, v: bool) -> Out<'py> {
        self.text(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Out<'py> {
        self.text(&v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Out<'py> {
        self.text(&v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Out<'py> {
        self.text(&v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Out<'py> {
        self.text(&v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Out<'py> {
        self.text(&v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Out<'py> {
        self.text(&v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Out<'py> {
        self.text(&v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Out<'py> {
        self.text(&v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Out<'py> {
        self.text(&v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Out<'py> {
        self.text(&v.to_string())
    }
    fn serialize_f32(self, _v: f32) -> Out<'py> {
        Err(Self::refuse("a float"))
    }
    fn serialize_f64(self, _v: f64) -> Out<'py> {
        Err(Self::refuse("a float"))
    }
    fn serialize_char(self, v: char) -> Out<'py> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Out<'py> {
        self.text(v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Out<'py> {
        Err(Self::refuse("bytes"))
    }
    fn serialize_none(self) -> Out<'py> {
        Err(Self::refuse("null"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Out<'py> {
        Err(Self::refuse("an option"))
    }
    fn serialize_unit(self) -> Out<'py> {
        Err(Self::refuse("unit"))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Out<'py> {
        Err(Self::refuse("unit"))
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Out<'py> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Out<'py> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Out<'py> {
        Err(Self::refuse("a variant with content"))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Failure> {
        Err(Self::refuse("a sequence"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Failure> {
        Err(Self::refuse("a tuple"))
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct, Failure> {
        Err(Self::refuse("a tuple"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Failure> {
        Err(Self::refuse("a variant with content"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Failure> {
        Err(Self::refuse("a map"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, Failure> {
        Err(Self::refuse("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Failure> {
        Err(Self::refuse("a variant with content"))
    }
}
