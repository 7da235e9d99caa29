//! The operations as Python functions: one line per operation in
//! [`operations!`], each a thin call of the core.
//!
//! A call reads the operation's typed request straight from the Python values
//! ([`crate::deserializer`]) with the GIL held, runs the core with the GIL
//! released when the request is large enough for that to pay ([`DETACH_AT`]),
//! and writes the typed response straight to Python values
//! ([`crate::serializer`]) with the GIL held. JSON text (`str`/`bytes`) is read
//! by the core's JSON reader into the same typed request.
//!
//! The reference path (Python values → `serde_json::Value` in
//! [`crate::convert`], the core's `api::call_value`, `Value` → Python) decides
//! every request the direct reader refuses: a malformed request gets exactly
//! its error (code, message, path, and which problem comes first), and a
//! request the direct reader cannot take for any other reason still gets its
//! answer.

use billable::api::{self, Codec, Operation};
use billable::{Code, Error};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::convert::Refusal;
use crate::deserializer::{Mismatch, Walk, from_python};
use crate::errors::to_py_err;
use crate::serializer::{Failure, to_python};

/// Requests holding at least this many values run with the GIL released, so
/// other Python threads run meanwhile. Below it the core call takes about as
/// long as handing the GIL over and back, so the GIL is kept.
pub const DETACH_AT: usize = 64;

/// Run a core call, releasing the GIL when `size` (values in the request, or
/// bytes / 8 for JSON text) says the work is worth it.
fn run<T: Send>(py: Python<'_>, size: usize, f: impl FnOnce() -> T + Send) -> T {
    if size >= DETACH_AT { py.detach(f) } else { f() }
}

/// One call of an operation from Python, handed to the core's dispatcher,
/// which calls [`Codec::call`] with the operation's types.
struct Direct<'a, 'py> {
    py: Python<'py>,
    request: &'a Bound<'py, PyAny>,
}

/// What a direct call gives: the response, or a sign that the reference path
/// must decide this request.
enum Outcome {
    Done(PyResult<Py<PyAny>>),
    Reference,
}

impl Codec for Direct<'_, '_> {
    type Output = Outcome;

    fn call<O: Operation>(self) -> Outcome {
        let py = self.py;
        let response = if let Some(text) = json_text(self.request) {
            match text {
                Ok(text) => run(py, text.len() / 8, || billable::wire::from_json::<O::Request>(text).and_then(O::run)),
                Err(e) => Err(e),
            }
        } else {
            let mut walk = Walk::default();
            match from_python::<O::Request>(self.request, &mut walk) {
                Ok(request) => run(py, walk.size, move || O::run(request)),
                // An exception the caller's code raised that is not about the document goes on as it is.
                Err(Mismatch { raised: Some(e), .. }) => return Outcome::Done(Err(e)),
                Err(_) => return Outcome::Reference,
            }
        };
        match response {
            Ok(response) => match to_python(py, &response) {
                Ok(out) => Outcome::Done(Ok(out.unbind())),
                Err(Failure::Python(e)) => Outcome::Done(Err(e)),
                Err(Failure::Shape(_)) => Outcome::Reference,
            },
            Err(e) => Outcome::Done(Err(to_py_err(py, &e))),
        }
    }
}

/// The request as JSON text, if it is a `str` or `bytes`.
fn json_text<'a>(request: &'a Bound<'_, PyAny>) -> Option<Result<&'a str, Error>> {
    if let Ok(text) = request.cast::<PyString>() {
        return Some(text.to_str().map_err(|e| Error::new(Code::InvalidJson, e.to_string())));
    }
    if let Ok(bytes) = request.cast::<PyBytes>() {
        return Some(
            std::str::from_utf8(bytes.as_bytes())
                .map_err(|e| Error::new(Code::InvalidJson, format!("the request bytes are not UTF-8: {e}"))),
        );
    }
    None
}

/// The document form from Python: request in (a mapping, str or bytes), plain
/// Python response out, or the category's exception.
pub fn call_document(py: Python<'_>, operation: &str, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    match api::with_operation(operation, Direct { py, request }) {
        Ok(Outcome::Done(out)) => out,
        Ok(Outcome::Reference) => call_reference(py, operation, request),
        Err(e) => Err(to_py_err(py, &e)),
    }
}

/// The direct path alone, for tests: `None` where the reference path would
/// decide the request (the direct reader refused it).
#[pyfunction]
pub fn _call_direct(py: Python<'_>, operation: &str, request: &Bound<'_, PyAny>) -> PyResult<Option<Py<PyAny>>> {
    match api::with_operation(operation, Direct { py, request }) {
        Ok(Outcome::Done(out)) => out.map(Some),
        Ok(Outcome::Reference) => Ok(None),
        Err(e) => Err(to_py_err(py, &e)),
    }
}

/// The direct path's phases timed, for benchmarks: a dict of seconds
/// (`read`: Python values → typed request, `run`: the core, `write`: typed
/// response → Python values) and `values` (how many the request holds).
#[pyfunction]
pub fn _phases<'py>(
    py: Python<'py>,
    operation: &str,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    struct Phases<'a, 'py> {
        py: Python<'py>,
        request: &'a Bound<'py, PyAny>,
    }
    impl<'py> Codec for Phases<'_, 'py> {
        type Output = PyResult<Bound<'py, pyo3::types::PyDict>>;
        fn call<O: Operation>(self) -> Self::Output {
            let py = self.py;
            let refused =
                |what: &str| pyo3::exceptions::PyValueError::new_err(format!("the direct path refused {what}"));
            let start = std::time::Instant::now();
            let mut walk = Walk::default();
            let request = from_python::<O::Request>(self.request, &mut walk).map_err(|m| match m.raised {
                Some(e) => e,
                None => refused("the request"),
            })?;
            let read = start.elapsed().as_secs_f64();
            let start = std::time::Instant::now();
            let response = run(py, walk.size, move || O::run(request)).map_err(|e| to_py_err(py, &e))?;
            let ran = start.elapsed().as_secs_f64();
            let start = std::time::Instant::now();
            let out = to_python(py, &response).map_err(|_| refused("the response"))?;
            let write = start.elapsed().as_secs_f64();
            drop(out);
            let times = pyo3::types::PyDict::new(py);
            times.set_item("read", read)?;
            times.set_item("run", ran)?;
            times.set_item("write", write)?;
            times.set_item("values", walk.size)?;
            Ok(times)
        }
    }
    api::with_operation(operation, Phases { py, request }).map_err(|e| to_py_err(py, &e))?
}

/// The reference path alone, for tests.
#[pyfunction]
pub fn _call_reference(py: Python<'_>, operation: &str, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    call_reference(py, operation, request)
}

/// The reference path: Python values → `Value` → the core's document form →
/// `Value` → Python values.
fn call_reference(py: Python<'_>, operation: &str, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let name = api::canonical_name(operation).map_err(|e| to_py_err(py, &e))?;
    let request = match crate::convert::request(request) {
        Ok(request) => request,
        Err(Refusal::Document(e)) => return Err(to_py_err(py, &e)),
        Err(Refusal::Raised(e)) => return Err(e),
    };
    let response = match request {
        crate::convert::Request::Document(document) => {
            run(py, document.size, move || api::call_value(name, document.value))
        }
        crate::convert::Request::Json(text) => run(py, text.len() / 8, || {
            api::call_json(name, text).and_then(|out| billable::wire::from_json::<serde_json::Value>(&out))
        }),
    };
    match response {
        Ok(value) => Ok(crate::convert::to_python(py, &value)?.unbind()),
        Err(e) => Err(to_py_err(py, &e)),
    }
}

/// Run any operation by name on a request (dict, or JSON text as `str`/`bytes`).
#[pyfunction]
pub fn call(py: Python<'_>, operation: &str, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    call_document(py, operation, request)
}

/// Run any operation by name on JSON text; returns the response's JSON text,
/// the same bytes as the CLI writes.
#[pyfunction]
pub fn call_json(py: Python<'_>, operation: &str, request_json: &str) -> PyResult<String> {
    let name = api::canonical_name(operation).map_err(|e| to_py_err(py, &e))?;
    run(py, request_json.len() / 8, || api::call_json(name, request_json)).map_err(|e| to_py_err(py, &e))
}

/// One Python function per operation: `name => "docstring"`. The function is
/// `billable.<name>(request) -> dict`; add its entry to `_native.pyi` too.
macro_rules! operations {
    ($($name:ident => $doc:literal,)*) => {
        $(
            #[doc = $doc]
            #[doc = ""]
            #[doc = "The request is a dict (or a str/bytes JSON document); the response is a dict of plain values."]
            #[pyfunction]
            fn $name(py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                call_document(py, stringify!($name), request)
            }
        )*

        /// Add every operation's function to the module.
        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $( m.add_function(wrap_pyfunction!($name, m)?)?; )*
            Ok(())
        }
    };
}

operations! {
    round => "Round an amount to a currency's minor units, to a scale, or to a cash increment, with a named mode.",
    allocate => "Split an amount by ratios (largest remainder in minor units); the shares sum to the amount.",
    convert => "Convert money with an FX table and a policy; reports the rate, its date and the path used.",
    validate => "Validate canonical records; every problem with its code and path.",
    rate => "Rate timesheet entries against rate cards: rule matched and why, multipliers, rounding, FX, cost and margin.",
    eligibility => "Eligibility of entries and expenses for a period, with every reason code and the billable part.",
    tax => "Determine and compute taxes for lines, a seller and a customer.",
    validate_tax_id => "Check a VAT/GST number's format and check digits.",
    invoice_run => "The batch invoice run: invoices, exception queue, deferred records, the new ledger, counters and reconciliation.",
    apply_events => "Move records through the sync-state machine with CloudEvents: one outcome per event, records, seen ledger, exception queue, counters.",
    verify_history => "Verify the hash-chained audit history of records; names the first bad entry.",
    verify_webhook => "Verify a Standard Webhooks signature and timestamp against the caller's now.",
    plan => "Resource planning: capacity, utilization, over-allocation, skill gaps, forecast, reconciliation and demand from CRM stage changes.",
    schema => "The JSON Schema of an operation's request or response.",
}
