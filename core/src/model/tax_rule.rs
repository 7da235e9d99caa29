//! Tax rules: rates per jurisdiction and category, effective-dated.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::wire;

/// A tax rate in a jurisdiction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TaxRule {
    /// Unique among tax rules.
    pub id: String,
    /// ISO 3166-1 country (`DE`) or ISO 3166-2 subdivision (`CA-QC`).
    pub jurisdiction: String,
    /// Tax category.
    pub category: TaxCategory,
    /// Rate in percent (19 = 19 %).
    #[serde(deserialize_with = "wire::decimal")]
    pub rate: Decimal,
    /// Computed on the base plus the taxes before it.
    #[serde(default)]
    pub compound: bool,
    /// Display name (`VAT`, `GST`, `QST`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First date the rule applies (inclusive).
    #[serde(default, deserialize_with = "wire::opt_date", skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<NaiveDate>,
    /// Last date the rule applies (inclusive).
    #[serde(default, deserialize_with = "wire::opt_date", skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<NaiveDate>,
}

/// Tax category of a supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaxCategory {
    /// The standard rate.
    Standard,
    /// A reduced rate.
    Reduced,
    /// Taxable at 0 %.
    Zero,
    /// Exempt from tax.
    Exempt,
    /// The customer accounts for the tax (EU B2B cross-border).
    ReverseCharge,
    /// Not taxable in the seller's tax area.
    OutOfScope,
}

impl TaxCategory {
    /// The snake_case name, as written in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            TaxCategory::Standard => "standard",
            TaxCategory::Reduced => "reduced",
            TaxCategory::Zero => "zero",
            TaxCategory::Exempt => "exempt",
            TaxCategory::ReverseCharge => "reverse_charge",
            TaxCategory::OutOfScope => "out_of_scope",
        }
    }
}
