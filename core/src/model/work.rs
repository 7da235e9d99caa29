//! Recorded work: timesheet entries and expenses (PSA).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::engagement::first_version;
use crate::money::Money;
use crate::wire;

/// Approval status of an entry or expense.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// Being written.
    Draft,
    /// Waiting for approval.
    Submitted,
    /// Approved: may be billed.
    Approved,
    /// Sent back; returns as a new version.
    Rejected,
}

/// Time a worker recorded on a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TimesheetEntry {
    /// Unique among entries.
    pub id: String,
    /// Bumped on each change; the ledger records id + version.
    #[serde(default = "first_version")]
    pub version: u64,
    /// Who worked.
    pub worker_id: String,
    /// On what.
    pub project_id: String,
    /// Optional task within the project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The worker's local day.
    #[serde(deserialize_with = "wire::date")]
    pub date: NaiveDate,
    /// Hours recorded, 0 < hours <= 24.
    #[serde(deserialize_with = "wire::decimal")]
    pub hours: Decimal,
    /// The worker marked it billable.
    #[serde(default = "yes")]
    pub billable: bool,
    /// Approval status.
    pub status: ApprovalStatus,
    /// Who approved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Write-up or write-down of the billable hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<Adjustment>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

fn yes() -> bool {
    true
}

/// Replaces an entry's billable hours and says why (SPEC §5.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Adjustment {
    /// The hours to bill instead of the recorded ones.
    #[serde(deserialize_with = "wire::decimal")]
    pub billable_hours: Decimal,
    /// Why, shown on the invoice line's explanation.
    pub reason: String,
}

/// Money a worker spent on a project (PSA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Expense {
    /// Unique among expenses.
    pub id: String,
    /// Bumped on each change.
    #[serde(default = "first_version")]
    pub version: u64,
    /// Who spent it.
    pub worker_id: String,
    /// On what.
    pub project_id: String,
    /// When.
    #[serde(deserialize_with = "wire::date")]
    pub date: NaiveDate,
    /// Cost, in the currency paid.
    pub amount: Money,
    /// Category (`travel`, `lodging`, `meals`).
    pub category: String,
    /// May be re-billed.
    #[serde(default = "yes")]
    pub billable: bool,
    /// Approval status.
    pub status: ApprovalStatus,
    /// Who approved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// A receipt is attached.
    #[serde(default)]
    pub receipt: bool,
}
