//! Contracts (ERP), projects (PSA) and milestones, with the contract's billing policies.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::money::{Currency, RoundingMode};
use crate::wire;

/// An engagement with a customer (ERP).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Contract {
    /// Unique among contracts.
    pub id: String,
    /// The customer billed.
    pub customer_id: String,
    /// Currency of the contract's invoices.
    pub currency: Currency,
    /// How revenue is earned.
    pub billing_type: BillingType,
    /// First day of the contract.
    #[serde(deserialize_with = "wire::date")]
    pub start: NaiveDate,
    /// Last day of the contract (inclusive), if any.
    #[serde(default, deserialize_with = "wire::opt_date", skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    /// The rate card used to price labour.
    pub rate_card_id: String,
    /// Cap on what may be billed over the contract's life, in the contract currency.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub not_to_exceed: Option<Decimal>,
    /// Invoice cadence.
    pub billing_schedule: BillingSchedule,
    /// Rounding of each entry's hours before rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_rounding: Option<DurationRounding>,
    /// Overtime, weekend and holiday premiums.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overtime: Option<OvertimePolicy>,
    /// How expenses are re-billed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expense_policy: Option<ExpensePolicy>,
    /// Where tax is rounded.
    #[serde(default)]
    pub tax_rounding: TaxRounding,
    /// Rounding mode for line amounts, taxes and totals.
    #[serde(default)]
    pub rounding_mode: RoundingMode,
    /// Cash-rounding increment for invoice totals (CHF 0.05).
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub cash_rounding: Option<Decimal>,
    /// Hours in a billable day, for day rates (default 8).
    #[serde(default = "default_hours_per_day", deserialize_with = "wire::decimal")]
    pub hours_per_day: Decimal,
    /// Prices on the rate card include tax; the net is backed out.
    #[serde(default)]
    pub prices_include_tax: bool,
    /// For a retainer: the amount billed each billing window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retainer: Option<Retainer>,
    /// The date amounts in another currency are converted at (SPEC §4: the contract chooses): each record's own
    /// date, the invoice date or the period end. Absent: the caller's choice (the invoice run's `policy.fx_date`;
    /// the `rate` and `eligibility` operations' `fx_date`, else each record's date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fx_date: Option<FxDate>,
}

/// The date conversions use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FxDate {
    /// Each entry's or expense's own date.
    EntryDate,
    /// The invoice date (the date of `as_of`).
    InvoiceDate,
    /// The last day of the period.
    PeriodEnd,
}

/// A retainer's terms: a fixed amount billed each window of the contract's schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Retainer {
    /// Amount per billing window, in the contract currency.
    #[serde(deserialize_with = "wire::decimal")]
    pub amount: Decimal,
    /// Text for the invoice line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn default_hours_per_day() -> Decimal {
    Decimal::from(8)
}

/// How a contract earns revenue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingType {
    /// Hours and expenses are billed as worked.
    TimeAndMaterials,
    /// A fixed price billed by milestones.
    FixedFee,
    /// A recurring amount on the billing schedule.
    Retainer,
    /// Internal or pro-bono work: nothing is billed.
    NonBillable,
}

/// Invoice cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingSchedule {
    /// ISO weeks.
    Weekly,
    /// 1st–15th and 16th–end of month.
    SemiMonthly,
    /// Calendar months.
    Monthly,
    /// When milestones are accepted.
    Milestone,
}

/// Rounding of an entry's hours before rating (SPEC §5.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DurationRounding {
    /// Step in hours (0.1, 0.25).
    #[serde(deserialize_with = "wire::decimal")]
    pub increment: Decimal,
    /// Direction.
    pub mode: DurationRoundingMode,
    /// Minimum billed hours per entry, after rounding.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Decimal>,
}

/// Direction of duration rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DurationRoundingMode {
    /// To the next increment.
    Up,
    /// To the nearest increment, halves up.
    Nearest,
    /// To the previous increment.
    Down,
}

/// Overtime and premium policy (SPEC §5.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OvertimePolicy {
    /// Hours per worker per local day before the daily premium applies.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub daily_threshold: Option<Decimal>,
    /// Multiplier for hours past the daily threshold.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub daily_multiplier: Option<Decimal>,
    /// Hours per worker per ISO week before the weekly premium applies.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub weekly_threshold: Option<Decimal>,
    /// Multiplier for hours past the weekly threshold.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub weekly_multiplier: Option<Decimal>,
    /// Multiplier for every hour on Saturday and Sunday.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub weekend_multiplier: Option<Decimal>,
    /// Multiplier for every hour on a holiday.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub holiday_multiplier: Option<Decimal>,
}

/// How expenses are re-billed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExpensePolicy {
    /// Markup on cost, in percent (10 = cost × 1.10).
    #[serde(default, deserialize_with = "wire::decimal")]
    pub markup_percent: Decimal,
    /// Expenses without a receipt are not billable.
    #[serde(default)]
    pub receipt_required: bool,
}

/// Where tax is rounded (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaxRounding {
    /// Round each line's tax.
    #[default]
    PerLine,
    /// Sum unrounded tax per rule and round once per rule.
    PerDocument,
}

/// A project (PSA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Project {
    /// Unique among projects.
    pub id: String,
    /// The contract the project bills under.
    pub contract_id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether work on the project is billable at all.
    #[serde(default = "yes")]
    pub billable: bool,
    /// Project status.
    pub status: ProjectStatus,
    /// Tasks, each billable or not.
    #[serde(default)]
    pub tasks: Vec<Task>,
}

fn yes() -> bool {
    true
}

/// Status of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// Work is recorded and billed.
    Open,
    /// Finished: nothing more is billed.
    Closed,
    /// Paused.
    OnHold,
}

/// A task within a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Task {
    /// Unique within the project.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether work on the task is billable.
    #[serde(default = "yes")]
    pub billable: bool,
}

/// A contract milestone [PSA/ERP], billed once when accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Milestone {
    /// Unique among milestones.
    pub id: String,
    /// Version, bumped on each change.
    #[serde(default = "first_version")]
    pub version: u64,
    /// The contract it belongs to.
    pub contract_id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Amount in the contract currency.
    #[serde(deserialize_with = "wire::decimal")]
    pub amount: Decimal,
    /// Due date.
    #[serde(deserialize_with = "wire::date")]
    pub due: NaiveDate,
    /// Status.
    pub status: MilestoneStatus,
}

pub(crate) fn first_version() -> u64 {
    1
}

/// Status of a milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    /// Not yet accepted by the customer.
    Pending,
    /// Accepted: billable.
    Accepted,
    /// Already invoiced.
    Invoiced,
}
