//! A rated line: what one timesheet entry is worth, and every reason why.

use std::borrow::Cow;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use super::duration::Hours;
use super::matching::{Candidates, Scope};
use super::overtime::{HourBlock, Premium};
use crate::error::Result;
use crate::model::{BillingType, RateUnit};
use crate::money::{Currency, Money, RoundingMode, overflow, round_to_scale};
use crate::wire;

/// What a line's amount is for (SPEC §5.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Time-and-materials labour: billable revenue.
    Billing,
    /// Fixed-fee or retainer labour: valued for cost and work in progress; revenue comes from milestones or the retainer.
    Wip,
    /// Labour on a non-billable contract: valued for cost only.
    Cost,
}

impl Purpose {
    /// The purpose of labour under a contract of `billing_type`.
    pub fn of(billing_type: BillingType) -> Purpose {
        match billing_type {
            BillingType::TimeAndMaterials => Purpose::Billing,
            BillingType::FixedFee | BillingType::Retainer => Purpose::Wip,
            BillingType::NonBillable => Purpose::Cost,
        }
    }
}

/// The rule that priced the line.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RuleApplied<'a> {
    /// The contract's rate card.
    pub rate_card_id: Cow<'a, str>,
    /// The selected rule.
    pub rule_id: Cow<'a, str>,
    /// Its scope.
    pub scope: Scope,
    /// Its score (`scope × 2 + worker named`).
    pub score: u8,
    /// The rate as written on the card.
    #[serde(serialize_with = "wire::write_decimal")]
    pub rate: Decimal,
    /// The card's currency.
    pub currency: Currency,
    /// Per hour or per day.
    pub unit: RateUnit,
    /// The contract's hours per day, for a day rate (the hourly rate is `rate / hours_per_day`).
    #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
    pub hours_per_day: Option<Decimal>,
}

/// How an FX conversion was done (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FxMethod {
    /// A direct table rate.
    Direct,
    /// The inverse of the opposite pair.
    Inverse,
    /// Through the policy's pivot currency.
    Triangulated,
}

/// The FX rate used to bring an amount into the line's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FxApplied {
    /// The currency converted from.
    pub from: Currency,
    /// The line's currency.
    pub to: Currency,
    /// Units of `to` per unit of `from` (the product of the path's legs).
    #[serde(serialize_with = "wire::write_decimal")]
    pub rate: Decimal,
    /// The conversion date asked for: the entry's date, the invoice date or the period end, as the contract's
    /// `fx_date` (or else the caller's) says.
    #[serde(serialize_with = "wire::write_date")]
    pub date: NaiveDate,
    /// The table date of the rate used (the oldest leg's).
    #[serde(serialize_with = "wire::write_date")]
    pub as_of: NaiveDate,
    /// Direct, inverse or triangulated.
    pub method: FxMethod,
    /// The table rates an amount is converted with, when a leg is an inverted one (`rate` is then their
    /// quotient cut to 28 digits): amounts are multiplied by `multiply_by` and divided by `divide_by`, the
    /// division last, so that they equal `convert`'s to the cent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factors: Option<FxFactors>,
}

/// The exact form of an FX rate that inverts a table rate: `multiply_by / divide_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FxFactors {
    /// The product of the direct legs' table rates (1 for an inverse alone).
    #[serde(serialize_with = "wire::write_decimal")]
    pub multiply_by: Decimal,
    /// The product of the inverted legs' table rates.
    #[serde(serialize_with = "wire::write_decimal")]
    pub divide_by: Decimal,
}

impl FxApplied {
    /// `value` in the line's currency, unrounded: × `rate`, or × `multiply_by` ÷ `divide_by`.
    pub(crate) fn apply(&self, value: Decimal) -> Result<Decimal> {
        match self.factors {
            None => value.checked_mul(self.rate),
            Some(f) => value.checked_mul(f.multiply_by).and_then(|v| v.checked_div(f.divide_by)),
        }
        .ok_or_else(overflow)
    }
}

/// Hours of the line at one multiplier, and their amount.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LinePart {
    /// Hours in this part.
    #[serde(serialize_with = "wire::write_decimal")]
    pub hours: Decimal,
    /// Multiplier (1 for normal hours).
    #[serde(serialize_with = "wire::write_decimal")]
    pub multiplier: Decimal,
    /// Why: normal, daily, weekly, weekend or holiday.
    pub premium: Premium,
    /// Premiums that also applied with no higher multiplier.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outranked: Vec<Premium>,
    /// `hours × rate × multiplier` (× FX, ÷ hours per day for a day rate), at full precision.
    #[serde(serialize_with = "wire::write_decimal")]
    pub unrounded: Decimal,
    /// `unrounded` rounded to the currency's minor units with the contract's rounding mode.
    #[serde(serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
}

/// The parts of a line (or of its billed share): a list of [`LinePart`]s
/// that keeps the usual single part inline, without an allocation. It
/// dereferences to `[LinePart]` and serializes as a list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parts(PartsRepr);

#[derive(Debug, Clone, Default, PartialEq)]
enum PartsRepr {
    #[default]
    Empty,
    One(LinePart),
    Many(Vec<LinePart>),
}

impl Parts {
    /// No parts.
    pub const fn new() -> Self {
        Parts(PartsRepr::Empty)
    }

    /// Add `part` at the end.
    pub fn push(&mut self, part: LinePart) {
        match &mut self.0 {
            PartsRepr::Many(v) => v.push(part),
            PartsRepr::Empty => self.0 = PartsRepr::One(part),
            PartsRepr::One(_) => {
                if let PartsRepr::One(first) = std::mem::take(&mut self.0) {
                    self.0 = PartsRepr::Many(vec![first, part]);
                }
            }
        }
    }

    /// True when there is no part.
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// The parts as a slice.
    pub fn as_slice(&self) -> &[LinePart] {
        match &self.0 {
            PartsRepr::Empty => &[],
            PartsRepr::One(p) => std::slice::from_ref(p),
            PartsRepr::Many(v) => v,
        }
    }
}

impl std::ops::Deref for Parts {
    type Target = [LinePart];
    fn deref(&self) -> &[LinePart] {
        self.as_slice()
    }
}

impl From<Vec<LinePart>> for Parts {
    fn from(v: Vec<LinePart>) -> Self {
        v.into_iter().collect()
    }
}

impl FromIterator<LinePart> for Parts {
    fn from_iter<I: IntoIterator<Item = LinePart>>(iter: I) -> Self {
        let mut out = Parts::new();
        for p in iter {
            out.push(p);
        }
        out
    }
}

impl Serialize for Parts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.as_slice().serialize(serializer)
    }
}

impl JsonSchema for Parts {
    fn inline_schema() -> bool {
        <Vec<LinePart>>::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Vec<LinePart>>::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        <Vec<LinePart>>::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Vec<LinePart>>::json_schema(generator)
    }
}

/// The worker's cost of the line.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CostApplied {
    /// The worker's cost rate per hour.
    pub rate: Money,
    /// Hours costed: the recorded hours (rounding, adjustments and premiums change the price, not the cost).
    #[serde(serialize_with = "wire::write_decimal")]
    pub hours: Decimal,
    /// `hours × rate` in the line's currency, rounded like the line; absent when no FX rate converts it.
    #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// The FX rate, when the cost rate is in another currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fx: Option<FxApplied>,
}

/// One timesheet entry rated: amount, cost, margin and the full explanation.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RatedLine<'a> {
    /// The entry.
    pub entry_id: Cow<'a, str>,
    /// The entry's version.
    pub version: u64,
    /// Who worked.
    pub worker_id: Cow<'a, str>,
    /// The project.
    pub project_id: Cow<'a, str>,
    /// The task, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<Cow<'a, str>>,
    /// The project's contract.
    pub contract_id: Cow<'a, str>,
    /// The entry date.
    #[serde(serialize_with = "wire::write_date")]
    pub date: NaiveDate,
    /// The contract currency: every amount on the line is in it.
    pub currency: Currency,
    /// True only for time-and-materials labour; fixed-fee, retainer and non-billable labour is not revenue.
    pub revenue: bool,
    /// Billing, work in progress, or cost.
    pub purpose: Purpose,
    /// The rule that priced the line.
    pub rule: RuleApplied<'a>,
    /// Every candidate rule with its score and what became of it.
    pub candidates: Candidates<'a>,
    /// Hours recorded, rounded, and billed, with the rounding and adjustment applied.
    pub hours: Hours<'a>,
    /// The FX rate, when the rate card's currency is not the contract's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fx: Option<FxApplied>,
    /// The hourly rate in the line's currency (rate × FX ÷ hours per day), at full precision.
    #[serde(serialize_with = "wire::write_decimal")]
    pub hourly_rate: Decimal,
    /// The line by multiplier: normal hours first, then premiums.
    pub parts: Parts,
    /// The contract's rounding mode, applied to each part.
    pub rounding_mode: RoundingMode,
    /// The sum of the parts' rounded amounts.
    #[serde(serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
    /// The worker's cost, when the worker has a cost rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostApplied>,
    /// `amount - cost.amount`, when the cost is known.
    #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
    pub margin: Option<Decimal>,
}

fn own(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

impl RatedLine<'_> {
    /// The same line owning its strings (for a response document).
    pub fn into_owned(self) -> RatedLine<'static> {
        RatedLine {
            entry_id: own(self.entry_id),
            worker_id: own(self.worker_id),
            project_id: own(self.project_id),
            task_id: self.task_id.map(own),
            contract_id: own(self.contract_id),
            rule: RuleApplied {
                rate_card_id: own(self.rule.rate_card_id),
                rule_id: own(self.rule.rule_id),
                ..self.rule
            },
            candidates: self.candidates.into_owned(),
            hours: self.hours.into_owned(),
            ..self
        }
    }
}

/// True when `d` is written `1` (mantissa 1, scale 0), as a normal block's multiplier is.
#[inline]
fn is_one(d: Decimal) -> bool {
    d.scale() == 0 && d == Decimal::ONE
}

/// Price `blocks` of hours at `rate`, divided last by `divisor` (the hours per
/// day of a day rate, times the table rate of an inverted FX leg), each block
/// rounded to `scale` places with `mode`.
pub(crate) fn price(
    blocks: impl IntoIterator<Item = HourBlock>,
    rate: Decimal,
    divisor: Option<Decimal>,
    scale: u32,
    mode: RoundingMode,
) -> Result<(Parts, Decimal)> {
    let mut total = Decimal::ZERO;
    let mut parts = Parts::new();
    for b in blocks {
        let mut unrounded = b.hours.checked_mul(rate).ok_or_else(overflow)?;
        // × 1 (normal hours) is skipped: `rust_decimal` multiplies by one to the same value, scale and sign.
        if !is_one(b.multiplier) {
            unrounded = unrounded.checked_mul(b.multiplier).ok_or_else(overflow)?;
        }
        if let Some(d) = divisor {
            unrounded = unrounded.checked_div(d).ok_or_else(overflow)?;
        }
        let amount = round_to_scale(unrounded, scale, mode)?;
        // The first part's amount is the total so far: 0 + amount is amount, at amount's scale.
        total = if parts.is_empty() { amount } else { total.checked_add(amount).ok_or_else(overflow)? };
        parts.push(LinePart {
            hours: b.hours,
            multiplier: b.multiplier,
            premium: b.premium,
            outranked: b.outranked,
            unrounded,
            amount,
        });
    }
    Ok((parts, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// What `price` skips changes nothing: `x × 1` is `x` and `0 + x` is `x`, in value, scale and sign,
        /// for any decimal (96-bit mantissas included).
        #[test]
        fn times_one_and_zero_plus_are_identities(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
            negative in any::<bool>(), scale in 0u32..=28) {
            let x = Decimal::from_parts(lo, mid, hi, negative, scale);
            let parts = |d: Decimal| (d.mantissa(), d.scale(), d.is_sign_negative());
            let times_one = x.checked_mul(Decimal::ONE).unwrap();
            // A zero product is `rust_decimal`'s zero whatever its operands: `price` only skips × 1 on a
            // product, which is already that zero when it is zero.
            if !x.is_zero() {
                prop_assert_eq!(parts(times_one), parts(x));
            }
            let product = x.checked_mul(Decimal::new(1, 2)).and_then(|p| p.checked_mul(Decimal::ONE));
            if let Some(p) = product {
                let once = x.checked_mul(Decimal::new(1, 2)).unwrap();
                prop_assert_eq!(parts(p), parts(once));
            }
            if !x.is_zero() || !negative {
                prop_assert_eq!(parts(Decimal::ZERO.checked_add(x).unwrap()), parts(x));
            }
        }
    }
}
