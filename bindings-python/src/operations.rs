//! The operations as Python functions: one line per operation in
//! [`operations!`], each a thin call of the core's document form.
//!
//! A call converts the request to a document with the GIL held, runs the core
//! with the GIL released when the request is large enough for that to pay
//! ([`DETACH_AT`]), and converts the response back with the GIL held.

use billable::Error;
use billable::api;
use pyo3::prelude::*;
use serde_json::Value;

use crate::convert::Request;
use crate::errors::to_py_err;

/// Requests holding at least this many values run with the GIL released, so
/// other Python threads run meanwhile. Below it the core call takes about as
/// long as handing the GIL over and back, so the GIL is kept.
pub const DETACH_AT: usize = 64;

/// Run a core call, releasing the GIL when `size` (values in the request, or
/// bytes / 8 for JSON text) says the work is worth it.
fn run<T: Send>(py: Python<'_>, size: usize, f: impl FnOnce() -> T + Send) -> T {
    if size >= DETACH_AT { py.detach(f) } else { f() }
}

/// The document form from Python: request in (dict, str or bytes), plain
/// Python response out, or the category's exception.
pub fn call_document(py: Python<'_>, operation: &str, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let name = api::canonical_name(operation).map_err(|e| to_py_err(py, &e))?;
    let response: Result<Value, Error> = match crate::convert::request(request).map_err(|e| to_py_err(py, &e))? {
        Request::Document(document) => run(py, document.size, move || api::call_value(name, document.value)),
        Request::Json(text) => run(py, text.len() / 8, || {
            api::call_json(name, text).and_then(|out| billable::wire::from_json::<Value>(&out))
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
    schema => "The JSON Schema of an operation's request or response.",
}
