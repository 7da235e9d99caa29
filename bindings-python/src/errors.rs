//! The Python exception hierarchy, declared once, and the one mapping from a
//! billable [`Error`] to it (ADR 002, ADR 003).
//!
//! `BillableError` carries `.code`, `.message`, `.path` and `.details`; each
//! [`Category`] of code has its own subclass, so a caller can catch a family
//! without listing codes. A new category fails to compile here until it has a
//! class.

use billable::{Category, Error};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyType;

create_exception!(
    billable,
    BillableError,
    PyException,
    "A billable error: `.code` (stable snake_case text), `.message`, `.path` of the field at fault \
     (empty for the whole document) and `.details` (a dict of structured facts, or None)."
);
create_exception!(
    billable,
    ValidationError,
    BillableError,
    "The document or a record in it is malformed: fix the input (category `validation`)."
);
create_exception!(
    billable,
    ConfigurationError,
    BillableError,
    "Tables or master data do not determine an answer: a missing or ambiguous rule (category `configuration`)."
);
create_exception!(
    billable,
    CurrencyError,
    BillableError,
    "Currency, FX or arithmetic range problems (category `currency`)."
);
create_exception!(billable, TaxError, BillableError, "Tax determination or tax-id problems (category `tax`).");
create_exception!(
    billable,
    StateError,
    BillableError,
    "A record is not in a state that allows the requested change (category `state`)."
);
create_exception!(
    billable,
    IdempotencyConflictError,
    BillableError,
    "The same idempotency key arrived with a different payload (category `idempotency`)."
);
create_exception!(
    billable,
    WebhookVerificationError,
    BillableError,
    "An inbound webhook failed verification (category `webhook`)."
);

/// The exception class for a category.
fn class_of(py: Python<'_>, category: Category) -> Bound<'_, PyType> {
    match category {
        Category::Validation => py.get_type::<ValidationError>(),
        Category::Configuration => py.get_type::<ConfigurationError>(),
        Category::Currency => py.get_type::<CurrencyError>(),
        Category::Tax => py.get_type::<TaxError>(),
        Category::State => py.get_type::<StateError>(),
        Category::Idempotency => py.get_type::<IdempotencyConflictError>(),
        Category::Webhook => py.get_type::<WebhookVerificationError>(),
    }
}

/// The Python exception for a billable error: the category's class, its
/// `str()` the error's display (`unknown_currency: ... (at currency)`), with
/// `.code`, `.message`, `.path` and `.details` set.
pub fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    build(py, error).unwrap_or_else(|e| e)
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let exception = class_of(py, error.category()).call1((error.to_string(),))?;
    exception.setattr("code", error.code.as_str())?;
    exception.setattr("message", &error.message)?;
    exception.setattr("path", &error.path)?;
    let details = match &error.details {
        Some(details) => crate::convert::to_python(py, details)?,
        None => py.None().into_bound(py),
    };
    exception.setattr("details", details)?;
    Ok(PyErr::from_value(exception))
}

/// Add the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("BillableError", py.get_type::<BillableError>())?;
    m.add("ValidationError", py.get_type::<ValidationError>())?;
    m.add("ConfigurationError", py.get_type::<ConfigurationError>())?;
    m.add("CurrencyError", py.get_type::<CurrencyError>())?;
    m.add("TaxError", py.get_type::<TaxError>())?;
    m.add("StateError", py.get_type::<StateError>())?;
    m.add("IdempotencyConflictError", py.get_type::<IdempotencyConflictError>())?;
    m.add("WebhookVerificationError", py.get_type::<WebhookVerificationError>())?;
    Ok(())
}
