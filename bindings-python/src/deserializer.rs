//! A serde `Deserializer` over Python values: an operation's typed request is
//! read straight from the caller's dicts and lists, with no `serde_json::Value`
//! in between.
//!
//! It applies exactly the conversion rules of [`crate::convert`] (the reference
//! path): a `dict` or other `Mapping` is a map (str keys), `list`/`tuple` a sequence, `str` a
//! string, `bool` a boolean, `None` null, an `int` within 64 bits an integer
//! (past it, its exact text), a `Decimal` its exact text, a `float` its `repr`,
//! a `date` `YYYY-MM-DD`, an aware `datetime` RFC 3339 text, an object with
//! `to_document()` its document. A value is visited the way serde_json's
//! `Value` deserializer visits the document the reference path builds
//! (non-negative integers as `u64`, negative ones as `i64`, strings as owned
//! text, null as unit), so a request read here equals the one read there.
//!
//! It does not produce the errors a caller sees: on any failure the call is
//! made again through the reference path, which decides the error (its code,
//! message, path and which of several problems is reported first), see
//! [`crate::operations`]. A failure here therefore only has to be detected,
//! including in values the request type ignores (they are walked all the
//! same, as the reference path converts them), and nesting past
//! [`crate::convert::MAX_DEPTH`].

use std::fmt;

use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateAccess, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};
use serde::de::{self, DeserializeSeed, IgnoredAny, IntoDeserializer, Visitor};

use crate::convert::{MAX_DEPTH, decimal_type, mapping_dict, passes_through, to_document_method, value_text};

/// Why a Python value could not be read as the request; the reference path
/// gives the caller the coded error. `raised` keeps an exception of the
/// caller's code that is not about the document (`KeyboardInterrupt`,
/// `MemoryError`: [`crate::convert::Refusal`]), which the call raises again
/// as it is instead of reading the request a second time.
#[derive(Debug)]
pub struct Mismatch {
    message: String,
    pub raised: Option<PyErr>,
}

impl Mismatch {
    fn new(message: String) -> Self {
        Mismatch { message, raised: None }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Mismatch {}

impl de::Error for Mismatch {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Mismatch::new(msg.to_string())
    }
}

impl From<PyErr> for Mismatch {
    fn from(err: PyErr) -> Self {
        let message = err.to_string();
        let raised = Python::attach(|py| passes_through(py, &err)).then_some(err);
        Mismatch { message, raised }
    }
}

/// Values read so far (what decides whether the run releases the GIL) and the
/// current nesting.
#[derive(Default)]
pub struct Walk {
    /// Values (maps, sequences and scalars) visited.
    pub size: usize,
    depth: usize,
}

impl Walk {
    fn enter(&mut self) -> Result<(), Mismatch> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Mismatch::new(format!("the document nests deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }
}

/// Read `T` from a Python value.
pub fn from_python<T: de::DeserializeOwned>(obj: &Bound<'_, PyAny>, walk: &mut Walk) -> Result<T, Mismatch> {
    T::deserialize(Value { obj, walk })
}

/// One Python value being read.
struct Value<'a, 'py> {
    obj: &'a Bound<'py, PyAny>,
    walk: &'a mut Walk,
}

impl<'a, 'py> Value<'a, 'py> {
    fn nested<R>(self, f: impl FnOnce(&mut Walk) -> Result<R, Mismatch>) -> Result<R, Mismatch> {
        self.walk.enter()?;
        let out = f(self.walk);
        self.walk.depth -= 1;
        out
    }
}

/// Text that the reference path turns into a decimal string: NaN and infinities are refused.
/// The key serde_json (`arbitrary_precision`) hands a number over with, as a one-entry map.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A number with its exact text (a `Decimal`, a `float`'s `repr`, an `int` past 64 bits),
/// handed over as serde_json hands a JSON number: the map `{NUMBER_TOKEN: text}`. The core's
/// decimal reader and `serde_json::Value` read it as that number, digits and all, as they read
/// the same number in JSON text; a string field refuses it, as it refuses a JSON number.
struct NumberText<'t>(Option<&'t str>);

impl<'de> de::MapAccess<'de> for NumberText<'_> {
    type Error = Mismatch;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Mismatch> {
        match self.0 {
            Some(_) => seed.deserialize(NUMBER_TOKEN.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Mismatch> {
        let text = self.0.take().unwrap_or_default();
        seed.deserialize(text.into_deserializer())
    }
}

fn finite_text(text: &str) -> Result<&str, Mismatch> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("nan") || lower.contains("inf") {
        return Err(Mismatch::new(format!("`{text}` is not a finite number")));
    }
    Ok(text)
}

impl<'de> de::Deserializer<'de> for Value<'_, '_> {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        self.walk.size += 1;
        let obj = self.obj;
        if let Ok(s) = obj.cast::<PyString>() {
            return visitor.visit_str(s.to_str()?);
        }
        if let Ok(dict) = obj.cast::<PyDict>() {
            // A copy: reading a value can run Python code that changes the dict (see `convert::to_value`).
            let dict = dict.copy()?;
            return self.nested(|walk| {
                let mut access = DictAccess { items: dict.iter(), left: dict.len(), value: None, walk };
                let out = visitor.visit_map(&mut access)?;
                match access.left {
                    0 => Ok(out),
                    left => Err(de::Error::invalid_length(left, &"fewer elements in map")),
                }
            });
        }
        if let Ok(list) = obj.cast::<PyList>() {
            return self.nested(|walk| {
                let mut access = ListAccess { list, next: 0, walk };
                let out = visitor.visit_seq(&mut access)?;
                match access.list.len() - access.next.min(access.list.len()) {
                    0 => Ok(out),
                    left => Err(de::Error::invalid_length(left, &"fewer elements in array")),
                }
            });
        }
        if obj.is_none() {
            return visitor.visit_unit();
        }
        // bool before int: `True` is an `int` too.
        if let Ok(b) = obj.cast::<PyBool>() {
            return visitor.visit_bool(b.is_true());
        }
        if obj.is_instance_of::<PyInt>() {
            if let Ok(i) = obj.extract::<i64>() {
                return if i >= 0 { visitor.visit_u64(i as u64) } else { visitor.visit_i64(i) };
            }
            if let Ok(u) = obj.extract::<u64>() {
                return visitor.visit_u64(u);
            }
            let text = value_text(obj, &obj.py().get_type::<PyInt>(), "__repr__")?;
            return visitor.visit_map(NumberText(Some(finite_text(text.to_str()?)?)));
        }
        let decimal = decimal_type(obj.py())?;
        if obj.is_instance(decimal)? {
            let text = value_text(obj, decimal, "__str__")?;
            return visitor.visit_map(NumberText(Some(finite_text(text.to_str()?)?)));
        }
        if let Ok(float) = obj.cast::<PyFloat>() {
            let x = float.value();
            if !x.is_finite() {
                return Err(Mismatch::new(format!("{x} is not a finite number")));
            }
            let repr = if float.is_exact_instance_of::<PyFloat>() {
                float.repr()?
            } else {
                PyFloat::new(obj.py(), x).repr()?
            };
            return visitor.visit_map(NumberText(Some(finite_text(repr.to_str()?)?)));
        }
        if let Ok(tuple) = obj.cast::<PyTuple>() {
            let list = PyList::new(obj.py(), tuple.iter())?;
            return self.nested(|walk| {
                let mut access = ListAccess { list: &list, next: 0, walk };
                let out = visitor.visit_seq(&mut access)?;
                match access.list.len() - access.next.min(access.list.len()) {
                    0 => Ok(out),
                    left => Err(de::Error::invalid_length(left, &"fewer elements in array")),
                }
            });
        }
        // datetime before date: a `datetime` is a `date` too.
        if obj.is_instance_of::<PyDateTime>() {
            if obj.call_method0("utcoffset")?.is_none() {
                return Err(Mismatch::new("a naive datetime has no offset".to_string()));
            }
            let text = obj.call_method0("isoformat")?;
            let text = text.cast::<PyString>().map_err(|_| Mismatch::new("isoformat() gave no str".to_string()))?;
            return visitor.visit_str(text.to_str()?);
        }
        if let Ok(date) = obj.cast::<PyDate>() {
            let text = format!("{:04}-{:02}-{:02}", date.get_year(), date.get_month(), date.get_day());
            return visitor.visit_str(&text);
        }
        if let Some(to_document) = to_document_method(obj)? {
            let document = to_document.call0()?;
            self.walk.size -= 1;
            return self.nested(|walk| Value { obj: &document, walk }.deserialize_any(visitor));
        }
        if let Some(dict) = mapping_dict(obj)? {
            self.walk.size -= 1;
            return Value { obj: dict.as_any(), walk: self.walk }.deserialize_any(visitor);
        }
        Err(Mismatch::new(format!("a value of type {} cannot be part of a document", type_name(obj.get_type()))))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        if self.obj.is_none() {
            self.walk.size += 1;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        // As serde_json's `Value`: a string is a unit variant, a one-entry
        // object a variant with content; an object from `to_document()` too.
        let obj = self.obj;
        if let Ok(s) = obj.cast::<PyString>() {
            self.walk.size += 1;
            return visitor.visit_enum(s.to_str()?.into_deserializer());
        }
        if let Ok(dict) = obj.cast::<PyDict>() {
            if dict.len() != 1 {
                return Err(Mismatch::new("an enum as an object has exactly one key".to_string()));
            }
            self.walk.size += 1;
            return self.nested(|walk| {
                let (key, value) = dict.iter().next().ok_or_else(|| Mismatch::new("the dict changed".to_string()))?;
                let key = key.cast_into::<PyString>().map_err(|_| Mismatch::new("a key is not a str".to_string()))?;
                visitor.visit_enum(Variant { key: key.to_str()?, value: Value { obj: &value, walk } })
            });
        }
        Err(Mismatch::new("an enum is a string or a one-entry object".to_string()))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        // Walk it all the same: the reference path converts every value.
        self.deserialize_any(IgnoredAny)?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// A dict's entries as a serde map; keys must be `str`.
struct DictAccess<'a, 'py> {
    items: pyo3::types::iter::BoundDictIterator<'py>,
    left: usize,
    value: Option<Bound<'py, PyAny>>,
    walk: &'a mut Walk,
}

impl<'de> de::MapAccess<'de> for &mut DictAccess<'_, '_> {
    type Error = Mismatch;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Mismatch> {
        let Some((key, value)) = self.items.next() else { return Ok(None) };
        self.left -= 1;
        let key = key.cast_into::<PyString>().map_err(|_| Mismatch::new("document keys are str".to_string()))?;
        self.value = Some(value);
        seed.deserialize(Key(key.to_str()?)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Mismatch> {
        let value = self.value.take().ok_or_else(|| Mismatch::new("a value before its key".to_string()))?;
        seed.deserialize(Value { obj: &value, walk: self.walk })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// A list's items as a serde sequence.
struct ListAccess<'a, 'b, 'py> {
    list: &'b Bound<'py, PyList>,
    next: usize,
    walk: &'a mut Walk,
}

impl<'de> de::SeqAccess<'de> for &mut ListAccess<'_, '_, '_> {
    type Error = Mismatch;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Mismatch> {
        if self.next >= self.list.len() {
            return Ok(None);
        }
        let item = self.list.get_item(self.next)?;
        self.next += 1;
        seed.deserialize(Value { obj: &item, walk: self.walk }).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.list.len().saturating_sub(self.next))
    }
}

/// A dict key: a string, or the name of a unit variant (as serde_json's map keys).
struct Key<'a>(&'a str);

impl<'de> de::Deserializer<'de> for Key<'_> {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_str(self.0)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An enum written as a one-entry object: `{"variant": content}`.
struct Variant<'a, 'k, 'py> {
    key: &'k str,
    value: Value<'a, 'py>,
}

impl<'de, 'a, 'k, 'py> de::EnumAccess<'de> for Variant<'a, 'k, 'py> {
    type Error = Mismatch;
    type Variant = Value<'a, 'py>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Value<'a, 'py>), Mismatch> {
        let variant = seed.deserialize(Key(self.key))?;
        Ok((variant, self.value))
    }
}

impl<'de> de::VariantAccess<'de> for Value<'_, '_> {
    type Error = Mismatch;

    fn unit_variant(self) -> Result<(), Mismatch> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Mismatch> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Mismatch> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

fn type_name(ty: Bound<'_, PyType>) -> String {
    ty.name().map(|n| n.to_string()).unwrap_or_else(|_| "object".to_string())
}
