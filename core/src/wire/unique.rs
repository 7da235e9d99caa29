//! Reading a JSON value with every object's keys checked. serde_json's own
//! `Value` keeps the last of two equal keys in silence, while a struct that
//! serde derives refuses them (`duplicate field`). The operations that read a
//! record through a `Value` first (`validate`, `rate`, `eligibility`, the
//! events of `apply_events`) read it here, so that a document another system
//! might read as its *first* `"hours"` is refused everywhere instead of being
//! billed on the last.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::NUMBER_TOKEN;
use crate::error::{Code, Error};

/// A key that appears twice in one object: the object's path inside the value read
/// (`contracts[0]`, empty for the value itself) and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repeated {
    pub object: String,
    pub key: String,
}

impl Repeated {
    /// The error for it: `invalid_value` at the key's path inside the value read.
    pub(crate) fn error(&self) -> Error {
        let path = crate::error::join_path(&self.object, &self.key);
        Error::new(Code::InvalidValue, twice(&self.key)).at(path)
    }
}

/// What a repeated key's error says, whichever reader found it.
pub(crate) fn twice(key: &str) -> String {
    format!("`{key}` appears twice in one object; a key may appear only once")
}

/// Read a value whatever the deserializer, noting the first repeated key (the value keeps
/// the last of the two, as `Value` does; the caller refuses it).
pub(crate) fn read_checked<'de, D: Deserializer<'de>>(d: D) -> Result<(Value, Option<Repeated>), D::Error> {
    let state = RefCell::new(State::default());
    let value = Seed { state: &state }.deserialize(d)?;
    Ok((value, state.into_inner().repeated))
}

/// Where the reader is (the keys and indices above the value being read) and the first
/// repeated key found.
#[derive(Default)]
struct State {
    path: Vec<Segment>,
    repeated: Option<Repeated>,
}

enum Segment {
    Key(String),
    Index(usize),
}

impl State {
    fn note(&mut self, key: &str) {
        if self.repeated.is_none() {
            let mut object = String::new();
            for segment in &self.path {
                match segment {
                    Segment::Key(k) => {
                        if !object.is_empty() {
                            object.push('.');
                        }
                        object.push_str(k);
                    }
                    Segment::Index(i) => object.push_str(&format!("[{i}]")),
                }
            }
            self.repeated = Some(Repeated { object, key: key.to_string() });
        }
    }
}

#[derive(Clone, Copy)]
struct Seed<'s> {
    state: &'s RefCell<State>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn number<E: de::Error>(text: &str) -> Result<Value, E> {
    text.parse::<Number>().map(Value::Number).map_err(|_| E::custom(format!("`{text}` is not a JSON number")))
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        number(&v.to_string())
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        number(&v.to_string())
    }
    // No `visit_f64`: the readers here hand numbers over with their text (serde_json's
    // `arbitrary_precision`, the Python binding alike); a binary float is refused.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            self.state.borrow_mut().path.push(Segment::Index(items.len()));
            let item = seq.next_element_seed(self);
            self.state.borrow_mut().path.pop();
            match item? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.is_empty() && key == NUMBER_TOKEN {
                // serde_json with `arbitrary_precision` hands a number over as a one-entry map.
                let text: String = map.next_value()?;
                return number(&text);
            }
            self.state.borrow_mut().path.push(Segment::Key(key));
            let value = map.next_value_seed(self);
            let popped = self.state.borrow_mut().path.pop();
            let (Some(Segment::Key(key)), value) = (popped, value?) else {
                return Err(de::Error::custom("the reader lost its place in the document"));
            };
            if object.contains_key(&key) {
                self.state.borrow_mut().note(&key);
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// `#[serde(deserialize_with = "wire::unique_keys")]` for a map field: a key given twice is
/// `invalid_value` at that key (`policy.approvers.p1`), where serde's own map reader keeps the
/// last copy in silence.
pub(crate) fn unique_keys<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Keys<V>(PhantomData<V>);
    impl<'de, V: Deserialize<'de>> Visitor<'de> for Keys<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    // `classify` joins the key to the map's path.
                    return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Keys(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Value, Option<Repeated>) {
        let mut de = serde_json::Deserializer::from_str(text);
        read_checked(&mut de).unwrap()
    }

    #[test]
    fn the_first_repeated_key_is_named_with_its_object_path() {
        let (value, repeated) = read(r#"{"a": [{"x": 1}, {"h": "2", "b": {}, "h": "9"}], "c": {"d": 1, "d": 2}}"#);
        // The value keeps the last copy, as serde_json's `Value` does; the caller refuses it.
        assert_eq!(value["a"][1]["h"], "9");
        let repeated = repeated.unwrap();
        assert_eq!((repeated.object.as_str(), repeated.key.as_str()), ("a[1]", "h"));
        let e = repeated.error();
        assert_eq!((e.code, e.path.as_str()), (Code::InvalidValue, "a[1].h"));
        assert_eq!(read(r#"{"k": 1, "k": 2}"#).1.unwrap().error().path, "k");
    }

    #[test]
    fn values_without_repeats_read_as_serde_json_reads_them() {
        let text = r#"{"n": 12.50, "big": 123456789012345678901234567890, "e": -1e-3, "s": "x", "t": true,
                       "z": null, "l": [1, [2, {"q": {}}]], "o": {"b": 1, "a": 2}}"#;
        let (value, repeated) = read(text);
        assert!(repeated.is_none());
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(value, plain);
        assert_eq!(serde_json::to_string(&value).unwrap(), serde_json::to_string(&plain).unwrap());
    }

    #[test]
    fn equal_keys_in_different_objects_are_not_repeats() {
        assert!(read(r#"{"a": {"id": 1}, "b": {"id": 1}, "id": [{"id": 2}, {"id": 3}]}"#).1.is_none());
    }
}
