//! Splitting an amount by ratios with the largest-remainder method (SPEC §4).

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use super::overflow;
use crate::error::{Code, Error, Result};

/// The shares of an allocation and how they were found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Allocation {
    /// One share per ratio, in ratio order, at the amount's scale. They sum to the amount exactly.
    pub shares: Vec<Decimal>,
    /// The amount in minor units (units of the last decimal place).
    pub minor_units: Decimal,
    /// Minor units left over after flooring every share.
    pub leftover_units: Decimal,
    /// Indices of the shares that received one leftover unit each, in the order they received it.
    pub leftover_to: Vec<usize>,
}

/// Split `amount` (already at `scale` places) by `ratios`: floor every share in
/// minor units, then hand the leftover units one each to the largest
/// remainders, ties to the earlier share. All integer arithmetic, so exact.
///
/// ```
/// use billable::money::allocate;
/// // 11.00 by [1,1,1]: 1100 units / 3 = 366 r 2 each; 2 units left go to shares 0 and 1.
/// let a = allocate("11.00".parse().unwrap(), 2, &["1".parse().unwrap(); 3]).unwrap();
/// assert_eq!(a.shares.iter().map(|s| s.to_string()).collect::<Vec<_>>(), ["3.67", "3.67", "3.66"]);
/// ```
pub fn allocate(amount: Decimal, scale: u32, ratios: &[Decimal]) -> Result<Allocation> {
    if ratios.is_empty() {
        return Err(Error::new(Code::InvalidRatios, "at least one ratio is needed").at("ratios"));
    }
    if let Some(i) = ratios.iter().position(|r| r.is_sign_negative() && !r.is_zero()) {
        return Err(
            Error::new(Code::InvalidRatios, format!("ratio {} is negative", ratios[i])).at(format!("ratios[{i}]"))
        );
    }
    let amount = super::with_scale(amount, scale).map_err(|_| super::scale_error(amount, scale, "").at("amount"))?;
    // Ratios as integer weights on one common scale.
    let ratio_scale = ratios.iter().map(|r| r.scale()).max().unwrap_or(0);
    let weights = ratios
        .iter()
        .map(|r| {
            let factor = 10i128.checked_pow(ratio_scale - r.scale()).ok_or_else(overflow)?;
            r.mantissa().checked_mul(factor).ok_or_else(overflow)
        })
        .collect::<Result<Vec<i128>>>()?;
    let total_weight = weights.iter().try_fold(0i128, |acc, w| acc.checked_add(*w)).ok_or_else(overflow)?;
    if total_weight == 0 {
        return Err(Error::new(Code::InvalidRatios, "ratios sum to zero").at("ratios"));
    }

    let units = amount.mantissa();
    let magnitude = units.abs();
    let mut floors = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for w in &weights {
        let product = magnitude.checked_mul(*w).ok_or_else(overflow)?;
        floors.push(product / total_weight);
        remainders.push(product % total_weight);
    }
    let leftover = magnitude - floors.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; ties to the earlier share (stable sort keeps index order).
    order.sort_by(|a, b| remainders[*b].cmp(&remainders[*a]));
    let leftover_to: Vec<usize> = order.into_iter().take(leftover as usize).collect();
    for i in &leftover_to {
        floors[*i] += 1;
    }
    let sign = if units < 0 { -1 } else { 1 };
    let shares = floors
        .into_iter()
        .map(|f| {
            let mut d = Decimal::from_i128_with_scale(sign * f, scale);
            d.set_sign_positive(d.is_zero() || sign > 0);
            d
        })
        .collect();
    Ok(Allocation {
        shares,
        minor_units: Decimal::from_i128_with_scale(units, 0),
        leftover_units: Decimal::from_i128_with_scale(leftover, 0),
        leftover_to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn shares(amount: &str, scale: u32, ratios: &[&str]) -> Vec<String> {
        let ratios: Vec<Decimal> = ratios.iter().map(|r| d(r)).collect();
        allocate(d(amount), scale, &ratios).unwrap().shares.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn eleven_dollars_three_ways() {
        // 1100 units × 1/3 = 366.67 each: floors 366 ×3 = 1098, 2 left over.
        // Remainders are equal (2 each), so the earlier shares take them: 367, 367, 366.
        assert_eq!(shares("11.00", 2, &["1", "1", "1"]), ["3.67", "3.67", "3.66"]);
    }

    #[test]
    fn ten_units_by_15_25_60() {
        // 10 × 15/100 = 1.5, 10 × 25/100 = 2.5, 10 × 60/100 = 6.0: floors 1, 2, 6 = 9, 1 left.
        // Remainders .5, .5, 0: the tie goes to the earlier share: [2, 2, 6].
        assert_eq!(shares("10", 0, &["15", "25", "60"]), ["2", "2", "6"]);
        assert_eq!(shares("0.10", 2, &["0.15", "0.25", "0.6"]), ["0.02", "0.02", "0.06"]);
    }

    #[test]
    fn yen_have_no_minor_units() {
        // 1000 / 3 = 333.33: floors 333 ×3 = 999, 1 left to the first share.
        assert_eq!(shares("1000", 0, &["1", "1", "1"]), ["334", "333", "333"]);
    }

    #[test]
    fn negative_amounts_mirror_positive_ones() {
        assert_eq!(shares("-11.00", 2, &["1", "1", "1"]), ["-3.67", "-3.67", "-3.66"]);
        assert_eq!(shares("0.01", 2, &["1", "1"]), ["0.01", "0.00"]);
    }

    #[test]
    fn bad_ratios_are_errors() {
        assert_eq!(allocate(d("1"), 2, &[]).unwrap_err().code, Code::InvalidRatios);
        assert_eq!(allocate(d("1"), 2, &[d("0"), d("0")]).unwrap_err().code, Code::InvalidRatios);
        let e = allocate(d("1"), 2, &[d("1"), d("-1")]).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::InvalidRatios, "ratios[1]"));
        assert_eq!(allocate(d("1.005"), 2, &[d("1")]).unwrap_err().code, Code::InvalidValue);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn shares_sum_to_the_amount(
                units in -10_i64.pow(12)..10_i64.pow(12),
                scale in 0u32..5,
                ratios in proptest::collection::vec((0u32..10_000, 0u32..4), 1..12),
            ) {
                prop_assume!(ratios.iter().any(|(m, _)| *m > 0));
                let ratios: Vec<Decimal> = ratios.iter().map(|(m, s)| Decimal::new(i64::from(*m), *s)).collect();
                let amount = Decimal::new(units, scale);
                let a = allocate(amount, scale, &ratios).unwrap();
                prop_assert_eq!(a.shares.iter().copied().sum::<Decimal>(), amount);
                // Every share is within one minor unit of its exact proportion.
                let total: Decimal = ratios.iter().copied().sum();
                for (share, r) in a.shares.iter().zip(&ratios) {
                    let exact = amount * r / total;
                    prop_assert!((*share - exact).abs() < Decimal::new(1, scale));
                }
            }
        }
    }
}
