//! Rate cards and their rules [ERP/PSA].

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::money::Currency;
use crate::wire;

/// A set of rate rules in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RateCard {
    /// Unique among rate cards.
    pub id: String,
    /// Currency of every rate on the card.
    pub currency: Currency,
    /// The rules; the most specific match wins (SPEC §5).
    pub rules: Vec<RateRule>,
}

/// A price for labour, matched by the dimensions it names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RateRule {
    /// Unique within the card.
    pub id: String,
    /// Price per unit in the card currency.
    #[serde(deserialize_with = "wire::decimal")]
    pub rate: Decimal,
    /// Unit the rate is quoted per.
    #[serde(default)]
    pub unit: RateUnit,
    /// Matches only this worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// Matches only workers with this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Matches only this task (scope 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// Matches only this project (scope 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Matches only this contract (scope 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// Matches only this customer (scope 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// First date the rule applies (inclusive).
    #[serde(default, deserialize_with = "wire::opt_date", skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<NaiveDate>,
    /// Last date the rule applies (inclusive).
    #[serde(default, deserialize_with = "wire::opt_date", skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<NaiveDate>,
}

impl RateRule {
    /// True when `date` is inside the rule's effective range (both ends inclusive).
    pub fn effective_on(&self, date: NaiveDate) -> bool {
        self.effective_from.is_none_or(|from| date >= from) && self.effective_to.is_none_or(|to| date <= to)
    }
}

/// Unit a rate is quoted per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RateUnit {
    /// Per hour.
    #[default]
    Hour,
    /// Per day of the contract's `hours_per_day`.
    Day,
}
