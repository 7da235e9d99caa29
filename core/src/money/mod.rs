//! Money, currencies, rounding, allocation and FX (SPEC §4).
//!
//! Amounts are `rust_decimal::Decimal` throughout; intermediate products keep
//! full precision and rounding happens only where the contract says, with a
//! named [`RoundingMode`].

mod allocation;
mod currency;
mod fx;
mod iso4217;
mod rounding;

pub use allocation::{Allocation, allocate};
pub use currency::Currency;
pub(crate) use fx::factors as fx_factors;
pub use fx::{Conversion, FxLeg, FxPolicy, FxRate, FxTable, convert};
pub use rounding::{RoundingMode, round_to_increment, round_to_scale, with_scale};

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::wire;

/// An amount in one currency.
///
/// Arithmetic is only defined within one currency; mixing currencies is
/// `currency_mismatch`, and leaving the decimal range is `arithmetic_overflow`,
/// never a panic.
///
/// ```
/// use billable::money::{Currency, Money, RoundingMode};
/// let usd = Currency::parse("USD").unwrap();
/// let a = Money::new("10.005".parse().unwrap(), usd);
/// assert_eq!(a.round(RoundingMode::HalfEven).unwrap().amount.to_string(), "10.00");
/// let eur = Money::new("1".parse().unwrap(), Currency::parse("EUR").unwrap());
/// assert_eq!(a.checked_add(&eur).unwrap_err().code.as_str(), "currency_mismatch");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Money {
    /// The amount, as a decimal string on output.
    #[serde(deserialize_with = "wire::decimal", serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: Currency,
}

impl Money {
    /// `amount` in `currency`, unrounded.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero in `currency`, written with the currency's minor units.
    pub fn zero(currency: Currency) -> Self {
        let amount = with_scale(Decimal::ZERO, currency.minor_units().unwrap_or(0)).unwrap_or(Decimal::ZERO);
        Money { amount, currency }
    }

    fn same_currency(&self, other: &Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::new(Code::CurrencyMismatch, format!("cannot combine {} with {}", self.currency, other.currency))
                .with_details(serde_json::json!({ "left": self.currency, "right": other.currency })))
        }
    }

    /// `self + other`, same currency only.
    pub fn checked_add(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        let amount = self.amount.checked_add(other.amount).ok_or_else(overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self - other`, same currency only.
    pub fn checked_sub(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        let amount = self.amount.checked_sub(other.amount).ok_or_else(overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × factor` (hours, a multiplier, a rate), unrounded.
    pub fn checked_mul(&self, factor: Decimal) -> Result<Money> {
        let amount = self.amount.checked_mul(factor).ok_or_else(overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// The negated amount (a credit).
    pub fn neg(&self) -> Money {
        let mut amount = -self.amount;
        if amount.is_zero() {
            amount.set_sign_positive(true);
        }
        Money::new(amount, self.currency)
    }

    /// Rounded to the currency's minor units with `mode`.
    pub fn round(&self, mode: RoundingMode) -> Result<Money> {
        let scale = self.currency.require_minor_units()?;
        Ok(Money::new(round_to_scale(self.amount, scale, mode)?, self.currency))
    }

    /// Sum of `items` in `currency` (an empty list is zero).
    pub fn sum<'a>(currency: Currency, items: impl IntoIterator<Item = &'a Money>) -> Result<Money> {
        items.into_iter().try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

pub(crate) fn overflow() -> Error {
    Error::new(Code::ArithmeticOverflow, "the result does not fit a 96-bit decimal")
}

/// Decimal arithmetic that leaves the decimal range as `arithmetic_overflow`
/// instead of panicking like `rust_decimal`'s operators and `Sum`; the same
/// values and scales as those otherwise.
pub(crate) mod checked {
    use rust_decimal::Decimal;

    use super::overflow;
    use crate::error::Result;

    /// `a + b`.
    pub(crate) fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
        a.checked_add(b).ok_or_else(overflow)
    }

    /// `a - b`.
    pub(crate) fn sub(a: Decimal, b: Decimal) -> Result<Decimal> {
        a.checked_sub(b).ok_or_else(overflow)
    }

    /// `a * b`.
    pub(crate) fn mul(a: Decimal, b: Decimal) -> Result<Decimal> {
        a.checked_mul(b).ok_or_else(overflow)
    }

    /// `a / b` (`b` not zero: dividing by zero is `arithmetic_overflow` too).
    pub(crate) fn div(a: Decimal, b: Decimal) -> Result<Decimal> {
        a.checked_div(b).ok_or_else(overflow)
    }

    /// The sum of `items`, 0 when empty (what `Iterator::sum` gives).
    pub(crate) fn sum(items: impl IntoIterator<Item = Decimal>) -> Result<Decimal> {
        items.into_iter().try_fold(Decimal::ZERO, add)
    }
}

/// Cash rounding (SPEC §4): `amount` rounded to a cash `increment` (CHF 0.05),
/// returned with the difference, which an invoice shows as its separate
/// `rounding` amount (EN 16931 BT-114). It never changes tax.
///
/// ```
/// use billable::money::{cash_round, RoundingMode};
/// let (rounded, diff) = cash_round("2.02".parse().unwrap(), "0.05".parse().unwrap(), RoundingMode::HalfAwayFromZero).unwrap();
/// assert_eq!((rounded.to_string(), diff.to_string()), ("2.00".into(), "-0.02".into()));
/// ```
pub fn cash_round(amount: Decimal, increment: Decimal, mode: RoundingMode) -> Result<(Decimal, Decimal)> {
    let rounded = round_to_increment(amount, increment, mode)?;
    let scale = rounded.scale().max(amount.scale());
    let difference = with_scale(rounded.checked_sub(amount).ok_or_else(overflow)?, scale)?;
    Ok((rounded, difference))
}

/// Why `amount` cannot be written with `scale` places: more places than that
/// (`invalid_value`), or too many digits once written so (`amount_out_of_range`).
/// `of` names whose places they are (` of USD`), or is empty.
pub(crate) fn scale_error(amount: Decimal, scale: u32, of: &str) -> Error {
    if amount.normalize().scale() > scale {
        Error::new(Code::InvalidValue, format!("{amount} has more than the {scale} decimal places{of}"))
    } else {
        Error::new(
            Code::AmountOutOfRange,
            format!("{amount} written with {scale} decimal places does not fit a 96-bit decimal"),
        )
    }
}

/// `invalid_increment` unless a cash `increment` is a whole number of
/// `currency`'s minor units (CHF 0.05 is; USD 0.015 and JPY 0.5 are not):
/// a total rounded to it must be an amount the currency can carry. A currency
/// without minor units (XAU) takes any positive increment.
pub fn check_increment(currency: Currency, increment: Decimal) -> Result<()> {
    if let Some(units) = currency.minor_units()
        && increment.normalize().scale() > units
    {
        return Err(Error::new(
            Code::InvalidIncrement,
            format!("increment {increment} is finer than {currency}'s {units} decimal places"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(a: &str, c: &str) -> Money {
        Money::new(a.parse().unwrap(), Currency::parse(c).unwrap())
    }

    #[test]
    fn arithmetic_within_one_currency() {
        assert_eq!(m("10.50", "EUR").checked_add(&m("0.25", "EUR")).unwrap(), m("10.75", "EUR"));
        assert_eq!(m("10.50", "EUR").checked_sub(&m("0.25", "EUR")).unwrap(), m("10.25", "EUR"));
        let e = m("1", "EUR").checked_add(&m("1", "USD")).unwrap_err();
        assert_eq!(e.code, Code::CurrencyMismatch);
    }

    #[test]
    fn overflow_is_an_error() {
        let big = Money::new(Decimal::MAX, Currency::parse("USD").unwrap());
        assert_eq!(big.checked_add(&big).unwrap_err().code, Code::ArithmeticOverflow);
        assert_eq!(big.checked_mul(Decimal::TWO).unwrap_err().code, Code::ArithmeticOverflow);
    }

    #[test]
    fn rounding_uses_the_currency() {
        assert_eq!(m("1000.5", "JPY").round(RoundingMode::HalfAwayFromZero).unwrap().amount.to_string(), "1001");
        assert_eq!(m("1.0005", "KWD").round(RoundingMode::HalfEven).unwrap().amount.to_string(), "1.000");
        assert_eq!(m("1", "XAU").round(RoundingMode::HalfEven).unwrap_err().code, Code::NoMinorUnit);
    }

    #[test]
    fn cash_rounding_reports_the_difference() {
        let hafz = RoundingMode::HalfAwayFromZero;
        let (r, d) = cash_round("2.02".parse().unwrap(), "0.05".parse().unwrap(), hafz).unwrap();
        assert_eq!((r.to_string(), d.to_string()), ("2.00".into(), "-0.02".into()));
        // 2.025 / 0.05 = 40.5 steps, a tie, away from zero: 41 steps = 2.05, difference +0.025.
        let (r, d) = cash_round("2.025".parse().unwrap(), "0.05".parse().unwrap(), hafz).unwrap();
        assert_eq!((r.to_string(), d.to_string()), ("2.05".into(), "0.025".into()));
    }
}
