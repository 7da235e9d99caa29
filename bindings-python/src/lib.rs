//! `billable._native`: the Python extension module of billable.
//!
//! The binding is thin (ADR 001, ADR 003): Python values become JSON
//! documents in [`convert`], the core's document form runs them
//! ([`operations`]), and errors become the exception classes of [`errors`].
//! The typed classes (`billable.Money`, `billable.Worker`, ...) are pure
//! Python over these functions.

mod convert;
mod deserializer;
mod errors;
mod model_schema;
mod operations;
mod serializer;

use pyo3::prelude::*;

/// The extension module `billable._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("API_VERSION", billable::api::API_VERSION)?;
    m.add("OPERATIONS", pyo3::types::PyTuple::new(m.py(), billable::api::OPERATIONS)?)?;
    m.add("DETACH_AT", operations::DETACH_AT)?;
    m.add_function(wrap_pyfunction!(operations::call, m)?)?;
    m.add_function(wrap_pyfunction!(operations::call_json, m)?)?;
    m.add_function(wrap_pyfunction!(operations::_call_direct, m)?)?;
    m.add_function(wrap_pyfunction!(operations::_call_reference, m)?)?;
    m.add_function(wrap_pyfunction!(operations::_phases, m)?)?;
    operations::register(m)?;
    m.add_function(wrap_pyfunction!(model_schema::_model_schema, m)?)?;
    errors::register(m)?;
    Ok(())
}
