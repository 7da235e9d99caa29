//! The conversion rules between Python values and JSON documents, in one place
//! (ADR 003), and the reference path that applies them: Python values become a
//! `serde_json::Value` for `billable::api::call_value`, and the response
//! `Value` becomes plain Python values. Calls read and write Python values
//! directly ([`crate::deserializer`], [`crate::serializer`]) by these same
//! rules; this path decides every request the direct reader refuses, so its
//! errors are the ones callers see.
//!
//! Python → document:
//! - `dict` (str keys), or any other `collections.abc.Mapping` → object, keeping insertion order;
//!   `list`/`tuple` → array;
//! - `str` → string; `bool` → boolean; `None` → null;
//! - `int` → a JSON number (past 64 bits: its exact text as a decimal string);
//! - `decimal.Decimal` → `str(d)` as a decimal string (exact; NaN/Infinity are `non_finite_number`);
//! - `float` → `repr(f)`, its shortest round-trip text, as a decimal string (NaN/inf are `non_finite_number`);
//! - `datetime.datetime` → RFC 3339 text; it must carry an offset (naive is `invalid_instant`);
//! - `datetime.date` → `YYYY-MM-DD`;
//! - any object with a `to_document()` method (the typed classes) → its document.
//!
//! Anything else is `invalid_type`, with the path of the value at fault.
//! Decimals travel as JSON numbers holding their exact text (see
//! [`decimal_text`]), so nothing passes through a binary float.
//! A `str`/`bytes` request is JSON text and goes to the core's JSON form.
//!
//! Document → Python: objects → `dict`, arrays → `list`, strings → `str`
//! (decimal strings stay strings, so `json.dumps` of the result is the JSON
//! form byte for byte), integers → `int`, booleans, null → `None`.

use billable::{Code, Error};
use pyo3::exceptions::{PyAttributeError, PyException, PyKeyError, PyMemoryError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyBytes, PyDate, PyDateAccess, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};
use serde_json::{Map, Number, Value};

/// A request as Python hands it over.
pub enum Request<'a> {
    /// A `str` or `bytes` holding a whole JSON document: the core's JSON form
    /// reads it (with its exact numbers and its error mapping).
    Json(&'a str),
    /// A Python value converted by `to_value`.
    Document(Document),
}

/// A request converted to a document, with the number of values it holds
/// (what decides whether a call is long enough to release the GIL).
pub struct Document {
    /// The request document.
    pub value: Value,
    /// Values (objects, arrays and scalars) in the document.
    pub size: usize,
}

/// Why a value could not be read: a coded error for the caller, or an exception
/// the caller's own code raised while it was read (`to_document()`, a
/// `tzinfo`, a mapping's methods) that is not about the document:
/// `KeyboardInterrupt`, `SystemExit` and whatever else is not an `Exception`,
/// and `MemoryError`. Those go on as they are, never as a `ValidationError`.
pub enum Refusal {
    /// The document is at fault: the coded error, with the path of the value.
    Document(Error),
    /// The exception to raise again, unchanged.
    Raised(PyErr),
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        Refusal::Document(error)
    }
}

impl Refusal {
    /// The same refusal, for the value under `key` (`e.under(key)` on a coded error).
    fn under(self, key: &str) -> Self {
        match self {
            Refusal::Document(e) => Refusal::Document(e.under(key)),
            raised => raised,
        }
    }
}

/// True for an exception a conversion must let through rather than report as
/// the document's fault (see [`Refusal`]).
pub(crate) fn passes_through(py: Python<'_>, err: &PyErr) -> bool {
    !err.is_instance_of::<PyException>(py) || err.is_instance_of::<PyMemoryError>(py)
}

/// `obj.to_document`, if `obj` has it: `None` when the lookup raises `AttributeError`, or `KeyError` on a mapping (an
/// attribute-dict whose `__getattr__` reads its items), which is read as its items as before. Any other exception of
/// the lookup (a property, a `__getattr__`) is the caller's to see.
pub(crate) fn to_document_method<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = obj.py();
    match obj.getattr("to_document") {
        Ok(method) => Ok(Some(method)),
        Err(e) if e.is_instance_of::<PyAttributeError>(py) => Ok(None),
        Err(e) if e.is_instance_of::<PyKeyError>(py) && is_mapping(obj)? => Ok(None),
        Err(e) => Err(e),
    }
}

/// True when `obj` is a `collections.abc.Mapping`. The `isinstance` check can run the caller's code (`__class__`,
/// an ABC's subclass hooks), and its exceptions reach the caller: pyo3's own mapping cast would print and drop them.
fn is_mapping(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    static MAPPING: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    obj.is_instance(MAPPING.import(obj.py(), "collections.abc", "Mapping")?)
}

/// Read the request argument of an operation.
pub fn request<'a>(obj: &'a Bound<'_, PyAny>) -> Result<Request<'a>, Refusal> {
    if let Ok(text) = obj.cast::<PyString>() {
        return text.to_str().map(Request::Json).map_err(|e| Error::new(Code::InvalidJson, e.to_string()).into());
    }
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return std::str::from_utf8(bytes.as_bytes())
            .map(Request::Json)
            .map_err(|e| Error::new(Code::InvalidJson, format!("the request bytes are not UTF-8: {e}")).into());
    }
    let mut walk = Walk { size: 0, depth: 0 };
    let value = to_value(obj, &mut walk)?;
    Ok(Request::Document(Document { value, size: walk.size }))
}

/// How deep documents may nest: serde_json's own limit for JSON text, and a
/// bound that turns a self-containing list (`a.append(a)`) into an error
/// instead of a stack overflow.
pub(crate) const MAX_DEPTH: usize = 128;

/// Where a conversion stands: values seen so far and the current nesting.
struct Walk {
    size: usize,
    depth: usize,
}

impl Walk {
    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::new(Code::InvalidValue, format!("the document nests deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }
}

/// Convert one Python value to a JSON value.
fn to_value(obj: &Bound<'_, PyAny>, walk: &mut Walk) -> Result<Value, Refusal> {
    walk.size += 1;
    let py = obj.py();
    if let Ok(s) = obj.cast::<PyString>() {
        return s.to_str().map(|s| Value::String(s.to_owned())).map_err(|e| invalid(py, Code::InvalidValue, e));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        walk.enter()?;
        let mut map = Map::with_capacity(dict.len());
        // A copy: converting a value can run Python code (`to_document()`, a `tzinfo`, another thread
        // while that code runs) that changes the dict, and iterating a changing dict panics.
        let dict = dict.copy().map_err(|e| invalid(py, Code::InvalidValue, e))?;
        for (key, item) in dict.iter() {
            let key = key.cast::<PyString>().map_err(|_| {
                Error::new(Code::InvalidType, format!("document keys are str; found a key of type {}", type_name(&key)))
            })?;
            let key = key.to_str().map_err(|e| invalid(py, Code::InvalidValue, e))?;
            let value = to_value(&item, walk).map_err(|e| e.under(key))?;
            map.insert(key.to_owned(), value);
        }
        walk.depth -= 1;
        return Ok(Value::Object(map));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        walk.enter()?;
        let mut items = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            items.push(to_value(&item, walk).map_err(|e| e.under(&format!("[{i}]")))?);
        }
        walk.depth -= 1;
        return Ok(Value::Array(items));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    // bool before int: `True` is an `int` too.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(Number::from(i)));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(Number::from(u)));
        }
        let text =
            value_text(obj, &py.get_type::<PyInt>(), "__repr__").map_err(|e| invalid(py, Code::InvalidValue, e))?;
        return Ok(decimal_text(text.to_str().map_err(|e| invalid(py, Code::InvalidValue, e))?)?);
    }
    let decimal = decimal_type(py).map_err(|e| invalid(py, Code::InvalidValue, e))?;
    if obj.is_instance(decimal).map_err(|e| invalid(py, Code::InvalidValue, e))? {
        let text = value_text(obj, decimal, "__str__").map_err(|e| invalid(py, Code::InvalidValue, e))?;
        return Ok(decimal_text(text.to_str().map_err(|e| invalid(py, Code::InvalidValue, e))?)?);
    }
    if let Ok(float) = obj.cast::<PyFloat>() {
        return float_value(float);
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        walk.enter()?;
        let mut items = Vec::with_capacity(tuple.len());
        for (i, item) in tuple.iter().enumerate() {
            items.push(to_value(&item, walk).map_err(|e| e.under(&format!("[{i}]")))?);
        }
        walk.depth -= 1;
        return Ok(Value::Array(items));
    }
    // datetime before date: a `datetime` is a `date` too.
    if obj.is_instance_of::<PyDateTime>() {
        return instant(obj);
    }
    if let Ok(date) = obj.cast::<PyDate>() {
        return Ok(Value::String(format!("{:04}-{:02}-{:02}", date.get_year(), date.get_month(), date.get_day())));
    }
    if let Some(to_document) = to_document_method(obj).map_err(|e| invalid(py, Code::InvalidValue, e))? {
        let document = to_document.call0().map_err(|e| invalid(py, Code::InvalidValue, e))?;
        walk.size -= 1;
        walk.enter()?;
        let value = to_value(&document, walk);
        walk.depth -= 1;
        return value;
    }
    // Any other mapping (`MappingProxyType`, a `collections.abc.Mapping` of the caller's) reads as the dict
    // of its items, in their order.
    if let Some(dict) = mapping_dict(obj).map_err(|e| invalid(py, Code::InvalidValue, e))? {
        walk.size -= 1;
        return to_value(dict.as_any(), walk);
    }
    Err(Refusal::Document(Error::new(
        Code::InvalidType,
        format!(
            "a value of type {} cannot be part of a document (use dict, list, tuple, str, int, \
             decimal.Decimal, float, bool, None, datetime.date or an aware datetime.datetime)",
            type_name(obj)
        ),
    )))
}

/// A `collections.abc.Mapping` that is not a `dict`, as a new dict of its
/// items; `None` for anything else (a `dict` is read as it is).
pub(crate) fn mapping_dict<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyDict>>> {
    if !is_mapping(obj)? {
        return Ok(None);
    }
    // Its `keys()` and an item per key, in that order, as `PyDict_Update` reads a mapping (a cast to `PyMapping`
    // would check the ABC again, dropping errors; `dict(obj)` reads a mapping without `keys()` as pairs).
    let dict = PyDict::new(obj.py());
    for key in obj.call_method0("keys")?.try_iter()? {
        let key = key?;
        dict.set_item(&key, obj.get_item(&key)?)?;
    }
    Ok(Some(dict))
}

/// Exact decimal text (a `Decimal`, a `float`'s `repr`, an `int` past 64 bits)
/// as a JSON number holding that text (`arbitrary_precision`): what JSON text
/// with the same digits reads as, in a decimal field (the core reads a `Value`
/// through its text, `wire::from_value`, so no float is in between) and in a
/// free-form one alike (an event's `data`: `1.5` stays a number, and its
/// fingerprint is the one the JSON text gives). A string field refuses it, as
/// it refuses a number in JSON text.
fn decimal_text(text: &str) -> Result<Value, Error> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("nan") || lower.contains("inf") {
        return Err(Error::new(Code::NonFiniteNumber, format!("`{text}` is not a finite number")));
    }
    text.parse::<serde_json::Number>()
        .map(Value::Number)
        .map_err(|_| Error::new(Code::InvalidDecimal, format!("`{text}` is not a decimal number")))
}

/// A float through its shortest round-trip text (`repr`): `0.1` is `"0.1"`.
fn float_value(float: &Bound<'_, PyFloat>) -> Result<Value, Refusal> {
    let (py, x) = (float.py(), float.value());
    if !x.is_finite() {
        return Err(Error::new(
            Code::NonFiniteNumber,
            format!("{x} is not a finite number (NaN and infinities are not amounts)"),
        )
        .into());
    }
    // A float subclass may override `__repr__`; the text of the value itself is `float.__repr__`.
    let repr = if float.is_exact_instance_of::<PyFloat>() { float.repr() } else { PyFloat::new(py, x).repr() };
    let repr = repr.map_err(|e| invalid(py, Code::InvalidValue, e))?;
    Ok(decimal_text(repr.to_str().map_err(|e| invalid(py, Code::InvalidValue, e))?)?)
}

/// An aware `datetime` as RFC 3339 text; a naive one is refused.
fn instant(obj: &Bound<'_, PyAny>) -> Result<Value, Refusal> {
    let py = obj.py();
    let offset = obj.call_method0("utcoffset").map_err(|e| invalid(py, Code::InvalidInstant, e))?;
    if offset.is_none() {
        return Err(Error::new(
            Code::InvalidInstant,
            "a naive datetime has no offset; give it a tzinfo (datetime.timezone.utc, zoneinfo.ZoneInfo(...))",
        )
        .into());
    }
    let text = obj.call_method0("isoformat").map_err(|e| invalid(py, Code::InvalidInstant, e))?;
    let text = text.cast_into::<PyString>().map_err(|_| Error::new(Code::InvalidInstant, "isoformat() gave no str"))?;
    Ok(Value::String(text.to_str().map_err(|e| invalid(py, Code::InvalidInstant, e))?.to_owned()))
}

/// Convert a response document to plain Python values.
pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                // Past 64 bits, or not an integer: Python reads the exact text.
                let text = n.as_str();
                let integral = text.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit());
                if integral {
                    py.get_type::<PyInt>().call1((text,))?
                } else {
                    py.get_type::<PyFloat>().call1((text,))?
                }
            }
        }
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(PyString::new(py, key), to_python(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// The text of a number's value: `ty.method(obj)` (`int.__repr__`, `Decimal.__str__`), so that a subclass
/// whose `__str__` shows something else (`f"{self:.2f}"`) still gives its exact value.
pub(crate) fn value_text<'py>(
    obj: &Bound<'py, PyAny>,
    ty: &Bound<'py, PyType>,
    method: &str,
) -> PyResult<Bound<'py, PyString>> {
    if obj.get_type().is(ty) {
        return obj.str();
    }
    Ok(ty.getattr(method)?.call1((obj,))?.cast_into::<PyString>()?)
}

pub(crate) fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    DECIMAL.import(py, "decimal", "Decimal")
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".to_string())
}

/// A Python exception met while reading a value: a coded error, unless it is one to let through.
fn invalid(py: Python<'_>, code: Code, err: PyErr) -> Refusal {
    if passes_through(py, &err) {
        return Refusal::Raised(err);
    }
    Refusal::Document(Error::new(code, err.to_string()))
}
