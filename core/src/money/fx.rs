//! Currency conversion with an FX table and a policy (SPEC §4).
//!
//! The rate used is the one with the latest `as_of` on or before the
//! conversion date. A direct rate (base = from, quote = to) is preferred; an
//! inverse is derived only when there is no direct rate on that date and the
//! policy allows it; triangulation goes through one pivot currency when the
//! policy names one. No rate is `fx_rate_missing`, never a guess.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Currency, Money, RoundingMode, overflow};
use crate::error::{Code, Error, Result};
use crate::wire;

/// One row of an FX table: `1 base = rate quote`, valid from `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FxRate {
    /// The currency being priced.
    pub base: Currency,
    /// The currency the price is in.
    pub quote: Currency,
    /// Units of `quote` for one unit of `base`; greater than zero.
    #[serde(deserialize_with = "wire::decimal", serialize_with = "wire::write_decimal")]
    pub rate: Decimal,
    /// The date the rate applies from.
    #[serde(deserialize_with = "wire::date", serialize_with = "wire::write_date")]
    pub as_of: NaiveDate,
    /// Where the rate came from (ECB, a bank, the ERP).
    #[serde(default)]
    pub source: String,
}

/// What a conversion may do beyond a direct rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct FxPolicy {
    /// Derive `1 / rate` from the opposite pair when no direct rate exists.
    pub allow_inverse: bool,
    /// Convert through this currency when no direct (or allowed inverse) rate exists.
    pub pivot: Option<Currency>,
    /// Mode for rounding the result to the target currency's minor units.
    pub rounding_mode: RoundingMode,
}

/// One step of a conversion path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FxLeg {
    /// Currency converted from in this step.
    pub from: Currency,
    /// Currency converted to in this step.
    pub to: Currency,
    /// Effective rate of this step (`to` per `from`); for an inverse, `1 / table rate`.
    #[serde(serialize_with = "wire::write_decimal")]
    pub rate: Decimal,
    /// The table row's rate as written.
    #[serde(serialize_with = "wire::write_decimal")]
    pub table_rate: Decimal,
    /// The table row's date.
    #[serde(serialize_with = "wire::write_date")]
    pub as_of: NaiveDate,
    /// The table row's source.
    pub source: String,
    /// True when the table row was the opposite pair and was inverted.
    pub inverted: bool,
}

/// The result of a conversion, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Conversion {
    /// The converted amount, rounded to the target currency's minor units.
    pub converted: Money,
    /// The converted amount before rounding.
    #[serde(serialize_with = "wire::write_decimal")]
    pub unrounded: Decimal,
    /// The effective rate from the source to the target currency (product of the legs).
    #[serde(serialize_with = "wire::write_decimal")]
    pub rate: Decimal,
    /// The oldest `as_of` among the rates used.
    #[serde(serialize_with = "wire::write_date")]
    pub as_of: NaiveDate,
    /// `direct`, `inverse`, `triangulated` or `identity`.
    pub method: String,
    /// Every table row used, in order.
    pub path: Vec<FxLeg>,
    /// The rounding mode applied to the result.
    pub rounding_mode: RoundingMode,
}

/// An FX table indexed for lookups by pair and date.
#[derive(Debug, Clone, Default)]
pub struct FxTable {
    /// (base, quote) -> rows sorted by `as_of`.
    by_pair: BTreeMap<(Currency, Currency), Vec<FxRate>>,
}

impl FxTable {
    /// Index `rates`. A rate that is not positive is `invalid_value`; two rows
    /// for the same pair and date with different rates are `ambiguous_fx_rate`
    /// (the caller should pass one source per pair).
    pub fn new(rates: &[FxRate]) -> Result<FxTable> {
        let mut by_pair: BTreeMap<(Currency, Currency), Vec<FxRate>> = BTreeMap::new();
        for (i, r) in rates.iter().enumerate() {
            if r.rate <= Decimal::ZERO {
                return Err(Error::new(Code::InvalidValue, format!("FX rate {} must be greater than zero", r.rate))
                    .at(format!("[{i}].rate")));
            }
            if r.base == r.quote {
                return Err(Error::new(Code::InvalidValue, format!("FX rate from {} to itself", r.base))
                    .at(format!("[{i}].quote")));
            }
            by_pair.entry((r.base, r.quote)).or_default().push(r.clone());
        }
        for rows in by_pair.values_mut() {
            rows.sort_by_key(|r| r.as_of); // stable: input order within a date
            for pair in rows.windows(2) {
                if pair[0].as_of == pair[1].as_of && pair[0].rate != pair[1].rate {
                    // The path names the input row that disagrees with one before it.
                    let at = rates
                        .iter()
                        .position(|x| {
                            (x.base, x.quote, x.as_of) == (pair[1].base, pair[1].quote, pair[1].as_of)
                                && x.rate != pair[0].rate
                        })
                        .unwrap_or(0);
                    return Err(Error::new(
                        Code::AmbiguousFxRate,
                        format!(
                            "{}/{} has two rates on {}: {} ({}) and {} ({})",
                            pair[0].base,
                            pair[0].quote,
                            pair[0].as_of,
                            pair[0].rate,
                            pair[0].source,
                            pair[1].rate,
                            pair[1].source
                        ),
                    )
                    .at(format!("[{at}].rate")));
                }
            }
        }
        Ok(FxTable { by_pair })
    }

    /// The row for `base`/`quote` with the latest `as_of` on or before `date`.
    pub fn lookup(&self, base: Currency, quote: Currency, date: NaiveDate) -> Option<&FxRate> {
        let rows = self.by_pair.get(&(base, quote))?;
        let n = rows.partition_point(|r| r.as_of <= date);
        // Several rows on one date carry the same rate; take the first given.
        let last = rows.get(n.checked_sub(1)?)?;
        rows[..n].iter().find(|r| r.as_of == last.as_of)
    }

    fn leg(&self, from: Currency, to: Currency, date: NaiveDate, allow_inverse: bool) -> Result<Option<FxLeg>> {
        if let Some(r) = self.lookup(from, to, date) {
            return Ok(Some(FxLeg {
                from,
                to,
                rate: r.rate,
                table_rate: r.rate,
                as_of: r.as_of,
                source: r.source.clone(),
                inverted: false,
            }));
        }
        if allow_inverse && let Some(r) = self.lookup(to, from, date) {
            let rate = Decimal::ONE.checked_div(r.rate).ok_or_else(overflow)?;
            return Ok(Some(FxLeg {
                from,
                to,
                rate,
                table_rate: r.rate,
                as_of: r.as_of,
                source: r.source.clone(),
                inverted: true,
            }));
        }
        Ok(None)
    }
}

/// Convert `amount` into `to` at `date` under `policy`.
///
/// ```
/// use billable::money::{convert, Currency, FxPolicy, FxRate, FxTable, Money};
/// let eur = Currency::parse("EUR").unwrap();
/// let usd = Currency::parse("USD").unwrap();
/// let table = FxTable::new(&[FxRate {
///     base: eur, quote: usd, rate: "1.0850".parse().unwrap(),
///     as_of: "2026-03-30".parse().unwrap(), source: "ECB".into(),
/// }]).unwrap();
/// let c = convert(Money::new("100.00".parse().unwrap(), eur), usd, "2026-03-31".parse().unwrap(), &table, &FxPolicy::default()).unwrap();
/// assert_eq!(c.converted.amount.to_string(), "108.50");
/// ```
pub fn convert(amount: Money, to: Currency, date: NaiveDate, table: &FxTable, policy: &FxPolicy) -> Result<Conversion> {
    let from = amount.currency;
    let (method, path) = if from == to {
        ("identity", Vec::new())
    } else if let Some(leg) = table.leg(from, to, date, policy.allow_inverse)? {
        (if leg.inverted { "inverse" } else { "direct" }, vec![leg])
    } else {
        let via = policy.pivot.filter(|p| *p != from && *p != to);
        let legs = match via {
            Some(p) => {
                match (table.leg(from, p, date, policy.allow_inverse)?, table.leg(p, to, date, policy.allow_inverse)?) {
                    (Some(a), Some(b)) => Some(vec![a, b]),
                    _ => None,
                }
            }
            None => None,
        };
        match legs {
            Some(legs) => ("triangulated", legs),
            None => return Err(missing(from, to, date, policy)),
        }
    };
    // Multiply by the direct legs' table rates, then divide by the inverted ones': one division, last, so
    // that a quotient that ends (151.61 / 1.4 × 0.7 = 75.805) is not first cut to 28 digits (75.80499…).
    let (multiply_by, divide_by) = factors(&path)?;
    let value = amount.amount.checked_mul(multiply_by).ok_or_else(overflow)?;
    let value = if divide_by == Decimal::ONE { value } else { value.checked_div(divide_by).ok_or_else(overflow)? };
    let mut rate = Decimal::ONE;
    for leg in &path {
        rate = rate.checked_mul(leg.rate).ok_or_else(overflow)?;
    }
    let converted = Money::new(value, to).round(policy.rounding_mode)?;
    let as_of = path.iter().map(|l| l.as_of).min().unwrap_or(date);
    Ok(Conversion {
        converted,
        unrounded: value,
        rate,
        as_of,
        method: method.to_string(),
        path,
        rounding_mode: policy.rounding_mode,
    })
}

/// The product of the direct legs' table rates and the product of the inverted legs' table rates: a path
/// converts `x` to `x × multiply_by ÷ divide_by`.
pub(crate) fn factors(path: &[FxLeg]) -> Result<(Decimal, Decimal)> {
    let (mut multiply_by, mut divide_by) = (Decimal::ONE, Decimal::ONE);
    for leg in path {
        let product = if leg.inverted { &mut divide_by } else { &mut multiply_by };
        *product = product.checked_mul(leg.table_rate).ok_or_else(overflow)?;
    }
    Ok((multiply_by, divide_by))
}

fn missing(from: Currency, to: Currency, date: NaiveDate, policy: &FxPolicy) -> Error {
    let mut tried = vec![format!("{from}/{to}")];
    if policy.allow_inverse {
        tried.push(format!("{to}/{from} inverted"));
    }
    if let Some(p) = policy.pivot {
        tried.push(format!("via {p}"));
    }
    Error::new(
        Code::FxRateMissing,
        format!("no rate converts {from} to {to} on or before {date} (tried {})", tried.join(", ")),
    )
    .with_details(serde_json::json!({ "from": from, "to": to, "date": date, "tried": tried }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }
    fn rate(base: &str, quote: &str, r: &str, as_of: &str) -> FxRate {
        FxRate {
            base: c(base),
            quote: c(quote),
            rate: r.parse().unwrap(),
            as_of: as_of.parse().unwrap(),
            source: "test".into(),
        }
    }
    fn conv(amount: &str, from: &str, to: &str, date: &str, rates: &[FxRate], policy: FxPolicy) -> Result<Conversion> {
        let table = FxTable::new(rates)?;
        convert(Money::new(amount.parse().unwrap(), c(from)), c(to), date.parse().unwrap(), &table, &policy)
    }

    #[test]
    fn latest_rate_on_or_before_the_date() {
        let rates = [
            rate("EUR", "USD", "1.08", "2026-03-01"),
            rate("EUR", "USD", "1.10", "2026-03-31"),
            rate("EUR", "USD", "1.20", "2026-04-01"),
        ];
        // On 2026-03-31 the 03-31 row applies (inclusive): 100 × 1.10 = 110.00.
        let r = conv("100", "EUR", "USD", "2026-03-31", &rates, FxPolicy::default()).unwrap();
        assert_eq!(
            (r.converted.amount.to_string(), r.as_of.to_string(), r.method.as_str()),
            ("110.00".into(), "2026-03-31".into(), "direct")
        );
        // Before the first row: no rate.
        let e = conv("100", "EUR", "USD", "2026-02-28", &rates, FxPolicy::default()).unwrap_err();
        assert_eq!(e.code, Code::FxRateMissing);
    }

    #[test]
    fn inverse_only_when_allowed() {
        let rates = [rate("EUR", "GBP", "0.80", "2026-01-01")];
        assert_eq!(
            conv("100", "GBP", "EUR", "2026-01-02", &rates, FxPolicy::default()).unwrap_err().code,
            Code::FxRateMissing
        );
        let policy = FxPolicy { allow_inverse: true, ..FxPolicy::default() };
        // 100 GBP / 0.80 = 125.00 EUR, rate 1.25.
        let r = conv("100", "GBP", "EUR", "2026-01-02", &rates, policy).unwrap();
        assert_eq!(
            (r.converted.amount.to_string(), r.rate.to_string(), r.method.as_str()),
            ("125.00".into(), "1.25".into(), "inverse")
        );
        assert!(r.path[0].inverted);
    }

    #[test]
    fn triangulation_through_one_pivot() {
        let rates = [rate("EUR", "USD", "1.10", "2026-01-01"), rate("EUR", "JPY", "160", "2026-01-05")];
        let policy = FxPolicy { allow_inverse: true, pivot: Some(c("EUR")), ..FxPolicy::default() };
        // 1000 USD → EUR: 1000 / 1.10 = 909.0909...; → JPY: × 160 = 145454.5454... → 145455 JPY.
        let r = conv("1000", "USD", "JPY", "2026-01-10", &rates, policy).unwrap();
        assert_eq!(r.converted.amount.to_string(), "145455");
        assert_eq!(r.method, "triangulated");
        assert_eq!(r.as_of.to_string(), "2026-01-01");
        assert_eq!(r.path.len(), 2);
        // Without inverses, the USD→EUR leg does not exist.
        let policy = FxPolicy { allow_inverse: false, pivot: Some(c("EUR")), ..FxPolicy::default() };
        assert_eq!(conv("1000", "USD", "JPY", "2026-01-10", &rates, policy).unwrap_err().code, Code::FxRateMissing);
    }

    #[test]
    fn rounding_follows_the_policy() {
        let rates = [rate("USD", "EUR", "0.5", "2026-01-01")];
        // 0.01 × 0.5 = 0.005: half_even → 0.00, half_away_from_zero → 0.01.
        let even = FxPolicy { rounding_mode: RoundingMode::HalfEven, ..FxPolicy::default() };
        assert_eq!(
            conv("0.01", "USD", "EUR", "2026-01-01", &rates, even).unwrap().converted.amount.to_string(),
            "0.00"
        );
        assert_eq!(
            conv("0.01", "USD", "EUR", "2026-01-01", &rates, FxPolicy::default()).unwrap().converted.amount.to_string(),
            "0.01"
        );
    }

    #[test]
    fn table_errors() {
        assert_eq!(FxTable::new(&[rate("EUR", "USD", "0", "2026-01-01")]).unwrap_err().code, Code::InvalidValue);
        let two = [rate("EUR", "USD", "1.1", "2026-01-01"), rate("EUR", "USD", "1.2", "2026-01-01")];
        assert_eq!(FxTable::new(&two).unwrap_err().code, Code::AmbiguousFxRate);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn conversion_is_deterministic(units in 0i64..10_i64.pow(12), r in 1i64..10_i64.pow(8), inverse in any::<bool>()) {
                let rates = [FxRate { base: c("EUR"), quote: c("USD"), rate: Decimal::new(r, 6), as_of: "2026-01-01".parse().unwrap(), source: "p".into() }];
                let policy = FxPolicy { allow_inverse: true, ..FxPolicy::default() };
                let (from, to) = if inverse { ("USD", "EUR") } else { ("EUR", "USD") };
                let a = conv(&Decimal::new(units, 2).to_string(), from, to, "2026-02-01", &rates, policy).unwrap();
                let b = conv(&Decimal::new(units, 2).to_string(), from, to, "2026-02-01", &rates, policy).unwrap();
                prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
            }

            /// Through an inverted leg (alone, or with a direct one via the pivot), the result is the exact
            /// quotient rounded half away from zero, worked out here in integers. Dividing first, by the
            /// inverted rate, missed ties by a cent.
            #[test]
            fn an_inverted_leg_rounds_the_exact_quotient(cents in 1i64..10_i64.pow(10), inv in 1i64..10_i64.pow(7),
                inv_scale in 0u32..7, dir in 1i64..10_i64.pow(7), dir_scale in 0u32..7, through_pivot in any::<bool>(),
                tie in any::<bool>()) {
                // A tie, made on purpose (random amounts seldom are one), through the pivot: (2j + 1) × m cents at
                // EUR/USD 2md and EUR/GBP d is (2j + 1) / 2 cents, exactly half a cent.
                let (m, d) = (inv % 10_000 + 1, dir % 1_000 + 1);
                let (cents, inv, inv_scale, dir, dir_scale, through_pivot) = if tie {
                    ((2 * (cents % 10_000) + 1) * m, 2 * m * d, 0, d, 0, true)
                } else {
                    (cents, inv, inv_scale, dir, dir_scale, through_pivot)
                };
                let on = "2026-01-01".parse().unwrap();
                let row = |base: &str, quote: &str, r: Decimal| FxRate { base: c(base), quote: c(quote), rate: r, as_of: on, source: "p".into() };
                // EUR/USD is inverted to go USD → EUR; EUR/GBP is direct.
                let rates = [row("EUR", "USD", Decimal::new(inv, inv_scale)), row("EUR", "GBP", Decimal::new(dir, dir_scale))];
                let policy = FxPolicy { allow_inverse: true, pivot: Some(c("EUR")), ..FxPolicy::default() };
                let to = if through_pivot { "GBP" } else { "EUR" };
                let got = conv(&Decimal::new(cents, 2).to_string(), "USD", to, "2026-01-01", &rates, policy).unwrap();
                let pow = |k: u32| 10i128.pow(k);
                // In cents: cents × 10^inv_scale / inv (× dir / 10^dir_scale through the pivot).
                let (mut num, mut den) = (i128::from(cents) * pow(inv_scale), i128::from(inv));
                if through_pivot {
                    num *= i128::from(dir);
                    den *= pow(dir_scale);
                }
                let expected = (2 * num + den) / (2 * den); // half away from zero, both positive
                prop_assert_eq!(got.converted.amount, Decimal::from_i128_with_scale(expected, 2));
            }
        }
    }
}
