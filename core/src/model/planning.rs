//! Demand and supply for resource planning: opportunities (CRM) and allocations (PSA).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::party::Skill;
use crate::money::Money;
use crate::wire;

/// A sales opportunity (CRM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Opportunity {
    /// Unique among opportunities.
    pub id: String,
    /// Bumped on each change.
    #[serde(default = "super::engagement::first_version")]
    pub version: u64,
    /// The customer.
    pub customer_id: String,
    /// CRM stage (`qualified`, `proposal`, `closed_won`, ...).
    pub stage: String,
    /// Probability of winning, 0 to 100.
    #[serde(deserialize_with = "wire::decimal")]
    pub probability: Decimal,
    /// Expected first day of work.
    #[serde(deserialize_with = "wire::date")]
    pub expected_start: NaiveDate,
    /// Expected last day of work.
    #[serde(deserialize_with = "wire::date")]
    pub expected_end: NaiveDate,
    /// Expected value, as the CRM records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// The contract the work would be done under, for forecast pricing (rate application as for a project of
    /// that contract); optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// The rate card that prices the work when there is no `contract_id` (a contract in the card's currency is
    /// assumed); optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_card_id: Option<String>,
    /// Staffing the opportunity needs.
    #[serde(default)]
    pub demand: Vec<DemandLine>,
}

/// A role needed for an opportunity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DemandLine {
    /// Role needed.
    pub role: String,
    /// Skills needed, each at a minimum level.
    #[serde(default)]
    pub skills: Vec<Skill>,
    /// Hours per week.
    #[serde(deserialize_with = "wire::decimal")]
    pub hours_per_week: Decimal,
    /// First day.
    #[serde(deserialize_with = "wire::date")]
    pub start: NaiveDate,
    /// Last day (inclusive).
    #[serde(deserialize_with = "wire::date")]
    pub end: NaiveDate,
}

/// A worker's planned time on a project or opportunity (PSA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Allocation {
    /// Unique among allocations.
    pub id: String,
    /// Who.
    pub worker_id: String,
    /// On a project (exactly one of `project_id` and `opportunity_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// On an opportunity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity_id: Option<String>,
    /// First day.
    #[serde(deserialize_with = "wire::date")]
    pub start: NaiveDate,
    /// Last day (inclusive).
    #[serde(deserialize_with = "wire::date")]
    pub end: NaiveDate,
    /// Hours per week.
    #[serde(deserialize_with = "wire::decimal")]
    pub hours_per_week: Decimal,
    /// Status.
    pub status: AllocationStatus,
}

/// Status of an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AllocationStatus {
    /// Pencilled in.
    Tentative,
    /// Confirmed.
    Committed,
    /// Given back.
    Released,
}
