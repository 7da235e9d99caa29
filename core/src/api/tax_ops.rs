//! `tax` and `validate_tax_id` as documents.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiVersion, Operation};
use crate::error::Result;
use crate::model::{Customer, TaxCategory, TaxRounding, TaxRule};
use crate::money::{Currency, RoundingMode};
use crate::tax::{self, Seller, TaxComputation, TaxIdCheck, TaxPolicy, TaxTable, TaxableLine};
use crate::wire;

/// Determine and compute the taxes of a document's lines.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct TaxRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The seller: country, subdivision, VAT numbers.
    pub seller: Seller,
    /// The customer billed.
    pub customer: Customer,
    /// The lines to tax.
    pub lines: Vec<TaxLineRequest>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// The tax point (invoice date): rules in force on it apply.
    #[serde(deserialize_with = "wire::date")]
    pub date: NaiveDate,
    /// The tax table; several taxes on one line are computed in this order.
    #[serde(default)]
    pub rules: Vec<TaxRule>,
    /// Line amounts include tax.
    #[serde(default)]
    pub prices_include_tax: bool,
    /// `per_line` (default) or `per_document`.
    #[serde(default)]
    pub tax_rounding: TaxRounding,
    /// Rounding mode; default `half_away_from_zero`.
    #[serde(default)]
    pub rounding_mode: RoundingMode,
}

/// One line of a [`TaxRequest`].
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct TaxLineRequest {
    /// Unique in the request.
    pub id: String,
    /// Net amount (gross when prices include tax), at most the currency's minor units; negative for a credit.
    #[serde(deserialize_with = "wire::decimal")]
    pub amount: Decimal,
    /// The category of the supply for domestic rules (`reduced`, `zero`, `exempt`…); default `standard`.
    #[serde(default)]
    pub category: Option<TaxCategory>,
}

/// Per line the determination and taxes; per rule the totals; the document's totals.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaxResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// Currency, price basis, rounding policy and mode applied.
    #[serde(flatten)]
    pub policy: TaxPolicy,
    /// The tax point.
    pub date: NaiveDate,
    /// Lines, rule totals, net, tax, gross and the explanation.
    #[serde(flatten)]
    pub computation: TaxComputation,
}

/// The `tax` operation.
pub struct Tax;

impl Operation for Tax {
    const NAME: &'static str = "tax";
    type Request = TaxRequest;
    type Response = TaxResponse;

    fn run(r: TaxRequest) -> Result<TaxResponse> {
        let table = TaxTable::new(&r.rules).map_err(|e| e.under("rules"))?;
        r.currency.require_minor_units().map_err(|e| e.at("currency"))?;
        let place = tax::place_of_supply(&r.seller, &r.customer, r.date)?;
        let lines = r
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                // A line's error is the line's (`lines[0].category`); one about the customer stays the customer's.
                let determination = place
                    .determine(l.category, r.date, &table)
                    .map_err(|e| if e.path.starts_with("customer.") { e } else { e.under(&format!("lines[{i}]")) })?;
                Ok(TaxableLine { id: l.id.clone(), amount: l.amount, determination })
            })
            .collect::<Result<Vec<_>>>()?;
        let policy = TaxPolicy {
            currency: r.currency,
            prices_include_tax: r.prices_include_tax,
            tax_rounding: r.tax_rounding,
            rounding_mode: r.rounding_mode,
        };
        let computation = tax::compute(&lines, &policy).map_err(|e| e.under("lines"))?;
        Ok(TaxResponse { api_version: ApiVersion, policy, date: r.date, computation })
    }
}

/// Check a VAT/GST number's format and check digits.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ValidateTaxIdRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The number as written (`DE 136 695 976`, `CHE-107.787.577 MWST`).
    pub tax_id: String,
    /// Whose number it is (ISO 3166-1, or a VAT prefix such as `EL`), when the text has no prefix.
    #[serde(default)]
    pub country: Option<String>,
}

/// Validity, country, normalized form and the reason when invalid.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ValidateTaxIdResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The outcome.
    #[serde(flatten)]
    pub check: TaxIdCheck,
}

/// The `validate_tax_id` operation.
pub struct ValidateTaxId;

impl Operation for ValidateTaxId {
    const NAME: &'static str = "validate_tax_id";
    type Request = ValidateTaxIdRequest;
    type Response = ValidateTaxIdResponse;

    fn run(r: ValidateTaxIdRequest) -> Result<ValidateTaxIdResponse> {
        Ok(ValidateTaxIdResponse {
            api_version: ApiVersion,
            check: tax::validate_tax_id(&r.tax_id, r.country.as_deref()),
        })
    }
}
