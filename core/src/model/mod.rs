//! The canonical model (SPEC §3): one serde type per entity, snake_case JSON,
//! money and quantities as decimal strings, dates as `YYYY-MM-DD`.
//!
//! [`validate()`] checks a set of records and returns every problem with its
//! path, not only the first.

mod engagement;
mod party;
mod planning;
mod rate_card;
mod tax_rule;
pub(crate) mod validate;
mod work;

pub use engagement::{
    BillingSchedule, BillingType, Contract, DurationRounding, DurationRoundingMode, ExpensePolicy, FxDate, Milestone,
    MilestoneStatus, OvertimePolicy, Project, ProjectStatus, Retainer, Task, TaxRounding,
};
pub use party::{Customer, CustomerStatus, Employment, EmploymentStatus, ScheduleVersion, Skill, WeekHours, Worker};
pub(crate) use party::{is_country_code, is_subdivision_code, is_subdivision_of};
pub use planning::{Allocation, AllocationStatus, DemandLine, Opportunity};
pub use rate_card::{RateCard, RateRule, RateUnit};
pub use tax_rule::{TaxCategory, TaxRule};
pub use validate::{RawRecords, Records, parse_records, validate};
pub use work::{Adjustment, ApprovalStatus, Expense, TimesheetEntry};
