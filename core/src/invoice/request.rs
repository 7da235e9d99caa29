//! What an invoice run reads: the period, the as-of instant, master data,
//! records, tables, the ledger of earlier runs, numbering and the policy.

use chrono::{DateTime, FixedOffset, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ledger::LedgerLine;
use super::windows::Period;
use crate::api::ApiVersion;
use crate::model::{Contract, Customer, Expense, Milestone, Project, RateCard, TaxRule, TimesheetEntry, Worker};
use crate::money::{FxPolicy, FxRate};
use crate::tax::Seller;
use crate::wire;

/// The batch invoice run's input (SPEC §8).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct InvoiceRunRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The run's period (both ends inclusive).
    pub period: Period,
    /// The run's instant: its date is the invoice date (tax point, FX date under `invoice_date`).
    #[serde(deserialize_with = "wire::instant")]
    #[schemars(with = "String")]
    pub as_of: DateTime<FixedOffset>,
    /// The firm issuing the invoices.
    pub seller: Seller,
    /// Master data.
    pub workers: Vec<Worker>,
    #[allow(missing_docs)]
    pub customers: Vec<Customer>,
    #[allow(missing_docs)]
    pub contracts: Vec<Contract>,
    #[allow(missing_docs)]
    pub projects: Vec<Project>,
    #[allow(missing_docs)]
    pub rate_cards: Vec<RateCard>,
    /// Timesheet entries to bill.
    #[serde(default)]
    pub entries: Vec<TimesheetEntry>,
    /// Expenses to re-bill.
    #[serde(default)]
    pub expenses: Vec<Expense>,
    /// Milestones of fixed-fee contracts.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// FX table.
    #[serde(default)]
    pub fx_rates: Vec<FxRate>,
    /// Tax table.
    #[serde(default)]
    pub tax_rules: Vec<TaxRule>,
    /// Holidays, for holiday premiums.
    #[serde(default, deserialize_with = "wire::dates")]
    pub holidays: Vec<NaiveDate>,
    /// Everything invoiced by earlier runs (the `ledger` of the last response).
    #[serde(default)]
    pub ledger: Vec<LedgerLine>,
    /// Retainer windows of earlier periods to bill now, late: the ids an earlier run's exception queue gave them
    /// (`K1@2026-03-01`, when the customer was on hold). A run bills only its own period's windows otherwise.
    #[serde(default)]
    pub retainer_windows: Vec<String>,
    /// Invoice numbers: prefix and the next sequence number.
    pub numbering: Numbering,
    /// Grouping, lines, FX and late-record policy.
    #[serde(default)]
    pub policy: RunPolicy,
}

/// Invoice numbering: `prefix` + the sequence, zero-padded to `width` digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Numbering {
    /// Text before the number (`NW-2026-`).
    #[serde(default)]
    pub prefix: String,
    /// The next sequence number to use.
    pub next: u64,
    /// Minimum digits (`4` gives `0001`); 0 for none.
    #[serde(default = "default_width")]
    pub width: usize,
}

fn default_width() -> usize {
    4
}

/// How the run groups, prices and dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct RunPolicy {
    /// One invoice per contract (default), per customer or per project, and per billing window.
    pub grouping: Grouping,
    /// Lines per (role, task, rate) (default), or one line per entry.
    pub lines: LineGrouping,
    /// The date FX rates are taken at, for the contracts that do not choose their own (`Contract::fx_date`).
    pub fx_date: FxDate,
    /// Inverse and pivot policy for conversions.
    pub fx: FxPolicy,
    /// What happens to records dated before the period that were never invoiced.
    pub before_period: BeforePeriod,
}

impl Default for RunPolicy {
    fn default() -> Self {
        RunPolicy {
            grouping: Grouping::Contract,
            lines: LineGrouping::RoleTask,
            fx_date: FxDate::PeriodEnd,
            fx: FxPolicy { allow_inverse: true, pivot: None, rounding_mode: Default::default() },
            before_period: BeforePeriod::Bill,
        }
    }
}

/// What one invoice holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// One invoice per contract and billing window.
    Contract,
    /// One invoice per customer and currency for the whole period.
    Customer,
    /// One invoice per project and billing window (milestones and retainers: per contract).
    Project,
}

/// How entries become lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineGrouping {
    /// One line per (role, task, hourly rate); expenses one line per category.
    RoleTask,
    /// One line per entry and per expense.
    Entry,
}

pub use crate::model::FxDate;

/// Records dated before the period start that no run has invoiced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BeforePeriod {
    /// Bill them now, marked `late` (default): deferring them would never bill them.
    Bill,
    /// Defer them with `outside_period`, as for records after the period.
    Defer,
}
