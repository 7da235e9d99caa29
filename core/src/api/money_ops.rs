//! `round`, `allocate` and `convert` as documents.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiVersion, Operation};
use crate::error::{Code, Error, Result};
use crate::money::{self, Conversion, Currency, FxLeg, FxPolicy, FxRate, FxTable, Money, RoundingMode};
use crate::wire;

/// Round an amount to a currency's minor units, to a scale, or to a cash increment.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct RoundRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The amount to round.
    #[serde(deserialize_with = "wire::decimal")]
    pub amount: Decimal,
    /// Round to this currency's minor units.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Round to this many decimal places (when no currency is given).
    #[serde(default)]
    pub scale: Option<u32>,
    /// Round to a multiple of this increment (cash rounding, CHF 0.05); with a
    /// `currency`, a whole number of its minor units, and the result has its places.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub increment: Option<Decimal>,
    /// Rounding mode; default `half_away_from_zero`.
    #[serde(default)]
    pub mode: RoundingMode,
}

/// The rounded amount and the difference from the original.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RoundResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The rounded amount.
    pub amount: Decimal,
    /// The currency, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Decimal places of the result.
    pub scale: u32,
    /// The increment, for cash rounding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub increment: Option<Decimal>,
    /// The mode applied.
    pub mode: RoundingMode,
    /// The amount as given.
    pub original: Decimal,
    /// `amount - original` (for cash rounding, the invoice's `rounding` amount).
    pub difference: Decimal,
}

/// The `round` operation.
pub struct Round;

impl Operation for Round {
    const NAME: &'static str = "round";
    type Request = RoundRequest;
    type Response = RoundResponse;

    fn run(r: RoundRequest) -> Result<RoundResponse> {
        // The amount is the only input left when a failure names no field (an overflow).
        let on_amount = |e: Error| if e.path.is_empty() { e.at("amount") } else { e };
        let (amount, difference) = match (r.increment, r.currency, r.scale) {
            (Some(inc), currency, None) => {
                // With a currency the increment must sit on its minor units, and the result has its places.
                if let Some(c) = currency {
                    money::check_increment(c, inc).map_err(|e| e.at("increment"))?;
                }
                let (rounded, difference) = money::cash_round(r.amount, inc, r.mode).map_err(|e| e.at("increment"))?;
                match currency.and_then(Currency::minor_units) {
                    Some(units) => (money::with_scale(rounded, units).map_err(on_amount)?, difference),
                    None => (rounded, difference),
                }
            }
            (None, Some(c), None) => {
                let scale = c.require_minor_units().map_err(|e| e.at("currency"))?;
                // An amount too large to write with the currency's places is out of range, as in
                // `allocate` and `tax`.
                let rounded = money::round_to_scale(r.amount, scale, r.mode).map_err(|e| match e.code {
                    Code::ArithmeticOverflow => money::scale_error(r.amount, scale, "").at("amount"),
                    _ => on_amount(e),
                })?;
                (rounded, difference(rounded, r.amount).map_err(on_amount)?)
            }
            (None, None, Some(scale)) => {
                let rounded = money::round_to_scale(r.amount, scale, r.mode).map_err(|e| e.at("scale"))?;
                (rounded, difference(rounded, r.amount).map_err(on_amount)?)
            }
            (increment, _, _) => {
                // None given: the first way is named; `scale` beside another: `scale`.
                let path = if increment.is_none() && r.scale.is_none() { "currency" } else { "scale" };
                return Err(Error::new(
                    Code::InvalidValue,
                    "give exactly one of `currency`, `scale` or `increment` (with an optional `currency`)",
                )
                .at(path));
            }
        };
        Ok(RoundResponse {
            api_version: ApiVersion,
            scale: amount.scale(),
            amount,
            currency: r.currency,
            increment: r.increment,
            mode: r.mode,
            original: r.amount,
            difference,
        })
    }
}

fn difference(rounded: Decimal, original: Decimal) -> Result<Decimal> {
    let d = rounded.checked_sub(original).ok_or_else(money::overflow)?;
    money::with_scale(d, rounded.scale().max(original.scale()))
}

/// Split an amount by ratios (largest remainder in minor units).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct AllocateRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The amount to split.
    #[serde(deserialize_with = "wire::decimal")]
    pub amount: Decimal,
    /// Split in this currency's minor units.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Split in units of this many decimal places (when no currency is given).
    #[serde(default)]
    pub scale: Option<u32>,
    /// Non-negative ratios, not all zero.
    #[serde(deserialize_with = "wire::decimals")]
    pub ratios: Vec<Decimal>,
}

/// The shares, in ratio order, summing to the amount exactly.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AllocateResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The currency, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The shares and how the leftover units were handed out.
    #[serde(flatten)]
    pub allocation: money::Allocation,
}

/// The `allocate` operation.
pub struct Allocate;

impl Operation for Allocate {
    const NAME: &'static str = "allocate";
    type Request = AllocateRequest;
    type Response = AllocateResponse;

    fn run(r: AllocateRequest) -> Result<AllocateResponse> {
        let scale = match (r.currency, r.scale) {
            (Some(c), None) => c.require_minor_units().map_err(|e| e.at("currency"))?,
            (None, Some(s)) if s <= 28 => s,
            (None, Some(s)) => {
                return Err(Error::new(Code::InvalidValue, format!("scale {s} is more than 28")).at("scale"));
            }
            (currency, _) => {
                let path = if currency.is_some() { "scale" } else { "currency" };
                return Err(Error::new(Code::InvalidValue, "give exactly one of `currency` or `scale`").at(path));
            }
        };
        let allocation = money::allocate(r.amount, scale, &r.ratios)?;
        Ok(AllocateResponse { api_version: ApiVersion, currency: r.currency, allocation })
    }
}

/// Convert money with an FX table and a policy.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ConvertRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// What to convert.
    pub amount: Money,
    /// Target currency.
    pub to: Currency,
    /// The conversion date: the latest rate on or before it is used.
    #[serde(deserialize_with = "wire::date")]
    pub date: NaiveDate,
    /// The FX table.
    pub rates: Vec<FxRate>,
    /// Inverse, pivot and rounding policy.
    #[serde(default)]
    pub policy: FxPolicy,
}

/// The converted amount with the rate, its date and the path used.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConvertResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The converted amount, rounded to the target's minor units.
    pub converted: Money,
    /// Before rounding.
    pub unrounded: Decimal,
    /// Effective rate.
    pub rate: Decimal,
    /// Oldest rate date used.
    pub as_of: NaiveDate,
    /// `identity`, `direct`, `inverse` or `triangulated`.
    pub method: String,
    /// The table rows used.
    pub path: Vec<FxLeg>,
    /// Rounding mode applied.
    pub rounding_mode: RoundingMode,
}

/// The `convert` operation.
pub struct Convert;

impl Operation for Convert {
    const NAME: &'static str = "convert";
    type Request = ConvertRequest;
    type Response = ConvertResponse;

    fn run(r: ConvertRequest) -> Result<ConvertResponse> {
        let table = FxTable::new(&r.rates).map_err(|e| e.under("rates"))?;
        let Conversion { converted, unrounded, rate, as_of, method, path, rounding_mode } =
            money::convert(r.amount, r.to, r.date, &table, &r.policy)?;
        Ok(ConvertResponse { api_version: ApiVersion, converted, unrounded, rate, as_of, method, path, rounding_mode })
    }
}
