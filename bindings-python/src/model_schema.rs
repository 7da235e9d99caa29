//! The JSON Schema of each canonical record type, so the Python suite can
//! check that the typed classes mirror the Rust model field for field.

use billable::model::*;
use billable::money::{FxPolicy, FxRate, Money};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;

macro_rules! model_schemas {
    ($($ty:ident),* $(,)?) => {
        /// The JSON Schema of the canonical record type `name` (`"Worker"`);
        /// `KeyError` for a name that is not one.
        #[pyfunction]
        pub fn _model_schema(py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
            let schema = match name {
                $(stringify!($ty) => schemars::schema_for!($ty).to_value(),)*
                _ => return Err(PyKeyError::new_err(name.to_string())),
            };
            Ok(crate::convert::to_python(py, &schema)?.unbind())
        }
    };
}

model_schemas!(
    Money,
    FxRate,
    FxPolicy,
    Worker,
    Employment,
    Skill,
    ScheduleVersion,
    WeekHours,
    Customer,
    Contract,
    DurationRounding,
    OvertimePolicy,
    ExpensePolicy,
    Retainer,
    Project,
    Task,
    Milestone,
    RateCard,
    RateRule,
    TimesheetEntry,
    Adjustment,
    Expense,
    TaxRule,
    Opportunity,
    DemandLine,
    Allocation,
);
