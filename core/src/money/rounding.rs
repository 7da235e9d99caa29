//! Rounding modes named by behaviour (SPEC §4) and rounding to a scale or an increment.

use rust_decimal::{Decimal, RoundingStrategy};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};

/// How to round a value that lies between two representable results.
///
/// The default is [`RoundingMode::HalfAwayFromZero`] (commercial rounding).
/// `rust_decimal`'s own default is banker's rounding; billable never relies on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Ties to the even neighbour (banker's rounding).
    HalfEven,
    /// Ties away from zero (commercial rounding).
    #[default]
    HalfAwayFromZero,
    /// Ties toward zero.
    HalfTowardZero,
    /// Ties toward positive infinity.
    HalfUp,
    /// Always away from zero.
    Up,
    /// Always toward zero (truncation).
    Down,
    /// Always toward positive infinity.
    Ceiling,
    /// Always toward negative infinity.
    Floor,
}

impl RoundingMode {
    /// Every mode, in the order SPEC §4 names them.
    pub const ALL: [RoundingMode; 8] = [
        RoundingMode::HalfEven,
        RoundingMode::HalfAwayFromZero,
        RoundingMode::HalfTowardZero,
        RoundingMode::HalfUp,
        RoundingMode::Up,
        RoundingMode::Down,
        RoundingMode::Ceiling,
        RoundingMode::Floor,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundingMode::HalfEven => "half_even",
            RoundingMode::HalfAwayFromZero => "half_away_from_zero",
            RoundingMode::HalfTowardZero => "half_toward_zero",
            RoundingMode::HalfUp => "half_up",
            RoundingMode::Up => "up",
            RoundingMode::Down => "down",
            RoundingMode::Ceiling => "ceiling",
            RoundingMode::Floor => "floor",
        }
    }

    fn strategy(self, value: Decimal) -> RoundingStrategy {
        match self {
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfTowardZero => RoundingStrategy::MidpointTowardZero,
            // Ties toward +infinity: away from zero above zero, toward zero below.
            RoundingMode::HalfUp if value.is_sign_negative() => RoundingStrategy::MidpointTowardZero,
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::Up => RoundingStrategy::AwayFromZero,
            RoundingMode::Down => RoundingStrategy::ToZero,
            RoundingMode::Ceiling => RoundingStrategy::ToPositiveInfinity,
            RoundingMode::Floor => RoundingStrategy::ToNegativeInfinity,
        }
    }
}

/// Round `value` to `scale` decimal places with `mode`; the result always has
/// exactly `scale` places (`10` to 2 places is `10.00`).
///
/// ```
/// use billable::money::{round_to_scale, RoundingMode};
/// use rust_decimal::Decimal;
/// let v: Decimal = "10.005".parse().unwrap();
/// assert_eq!(round_to_scale(v, 2, RoundingMode::HalfAwayFromZero).unwrap().to_string(), "10.01");
/// assert_eq!(round_to_scale(v, 2, RoundingMode::HalfEven).unwrap().to_string(), "10.00");
/// ```
pub fn round_to_scale(value: Decimal, scale: u32, mode: RoundingMode) -> Result<Decimal> {
    if scale > 28 {
        return Err(Error::new(
            Code::InvalidValue,
            format!("scale {scale} is more than the 28 places a decimal holds"),
        ));
    }
    if let Some(rounded) = round_small(value, scale, mode) {
        return Ok(rounded);
    }
    let rounded = value.round_dp_with_strategy(scale, mode.strategy(value));
    with_scale(rounded, scale)
}

/// [`round_to_scale`] in 64-bit integers, for the usual case of a value with
/// a few more places than `scale` and a mantissa under 2^64 (an amount of
/// hours × rate): the same result as `round_dp_with_strategy` followed by
/// [`with_scale`], exactly, without the 96-bit loop. `None` when the value
/// does not fit that case.
#[inline]
fn round_small(value: Decimal, scale: u32, mode: RoundingMode) -> Option<Decimal> {
    let places = value.scale().checked_sub(scale).filter(|p| (1..=19).contains(p))?;
    let magnitude = u64::try_from(value.mantissa().unsigned_abs()).ok()?;
    let unit = 10u64.pow(places);
    let (q, r) = (magnitude / unit, magnitude % unit);
    let negative = value.is_sign_negative();
    // `unit` is even, so `half` is exactly the midpoint.
    let half = unit / 2;
    let up = r != 0
        && match mode {
            RoundingMode::HalfEven => r > half || (r == half && q % 2 == 1),
            RoundingMode::HalfAwayFromZero => r >= half,
            RoundingMode::HalfTowardZero => r > half,
            RoundingMode::HalfUp => r > half || (r == half && !negative),
            RoundingMode::Up => true,
            RoundingMode::Down => false,
            RoundingMode::Ceiling => !negative,
            RoundingMode::Floor => negative,
        };
    let q = q + u64::from(up);
    let signed = if negative { -i128::from(q) } else { i128::from(q) };
    // A zero result is positive, as `with_scale` writes it.
    Some(Decimal::from_i128_with_scale(signed, scale))
}

/// `value` written with exactly `scale` places, padding with zeros. Never
/// drops digits: a value with more places than `scale` is an error.
pub fn with_scale(value: Decimal, scale: u32) -> Result<Decimal> {
    let mut out = value;
    if out.scale() < scale {
        let factor = 10i128.checked_pow(scale - out.scale()).ok_or_else(overflow)?;
        let mantissa = out.mantissa().checked_mul(factor).ok_or_else(overflow)?;
        out = Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| overflow())?;
    } else if out.scale() > scale {
        out = out.normalize();
        if out.scale() > scale {
            return Err(Error::new(Code::InvalidValue, format!("{value} has more than {scale} decimal places")));
        }
        return with_scale(out, scale);
    }
    if out.is_zero() {
        out.set_sign_positive(true);
    }
    Ok(out)
}

/// Round `value` to a multiple of `increment` (0.05 for CHF cash, 0.25 for
/// quarter hours) with `mode`. The result has the increment's scale.
///
/// ```
/// use billable::money::{round_to_increment, RoundingMode};
/// use rust_decimal::Decimal;
/// let v: Decimal = "2.025".parse().unwrap();
/// let step: Decimal = "0.05".parse().unwrap();
/// assert_eq!(round_to_increment(v, step, RoundingMode::HalfAwayFromZero).unwrap().to_string(), "2.05");
/// ```
pub fn round_to_increment(value: Decimal, increment: Decimal, mode: RoundingMode) -> Result<Decimal> {
    if increment <= Decimal::ZERO {
        return Err(Error::new(Code::InvalidIncrement, format!("increment {increment} must be greater than zero")));
    }
    if let Some(rounded) = increment_small(value, increment, mode) {
        return Ok(rounded);
    }
    increment_decimal(value, increment, mode)
}

/// [`round_to_increment`] through `rust_decimal`. The 28-digit quotient can land on a tie it
/// is not (`7.0249999999999999999999999999 / 0.05` rounds to `140.5`), so it only gives the
/// whole number of steps `q`; the exact remainder `r = |value| − q × increment` then decides,
/// by its place against half a step, whether the magnitude goes to `q` or `q + 1`.
fn increment_decimal(value: Decimal, increment: Decimal, mode: RoundingMode) -> Result<Decimal> {
    use std::cmp::Ordering;
    let negative = value.is_sign_negative();
    let magnitude = value.abs();
    let mut q = magnitude.checked_div(increment).ok_or_else(overflow)?.trunc();
    let mut r = checked_sub(magnitude, q.checked_mul(increment).ok_or_else(overflow)?)?;
    // The rounded quotient may have crossed a whole number: step back into 0 <= r < increment.
    if r.is_sign_negative() && !r.is_zero() {
        q = checked_sub(q, Decimal::ONE)?;
        r = r.checked_add(increment).ok_or_else(overflow)?;
    } else if r >= increment {
        q = q.checked_add(Decimal::ONE).ok_or_else(overflow)?;
        r = checked_sub(r, increment)?;
    }
    let away = !r.is_zero() && {
        let half = r.checked_mul(Decimal::TWO).ok_or_else(overflow)?.cmp(&increment);
        match mode {
            RoundingMode::Up => true,
            RoundingMode::Down => false,
            RoundingMode::Ceiling => !negative,
            RoundingMode::Floor => negative,
            RoundingMode::HalfAwayFromZero => half != Ordering::Less,
            RoundingMode::HalfTowardZero => half == Ordering::Greater,
            RoundingMode::HalfUp => half == Ordering::Greater || (half == Ordering::Equal && !negative),
            RoundingMode::HalfEven => {
                half == Ordering::Greater || (half == Ordering::Equal && q % Decimal::TWO == Decimal::ONE)
            }
        }
    };
    let whole = if away { q.checked_add(Decimal::ONE).ok_or_else(overflow)? } else { q };
    let mut result = whole.checked_mul(increment).ok_or_else(overflow)?;
    result.set_sign_negative(negative && !result.is_zero());
    with_scale(result, increment.scale())
}

fn checked_sub(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_sub(b).ok_or_else(overflow)
}

/// Below this, a value and an increment brought to one scale take the
/// integer path of [`round_to_increment`].
const SMALL_STEP: u64 = 1_000_000_000_000;

/// [`round_to_increment`] in 64-bit integers, when the value and the
/// (positive) increment, written at the larger of their two scales, are both
/// under 10^12 (quarter hours, cash steps): the exact quotient and remainder
/// instead of the 28-digit decimal quotient. `None` otherwise.
///
/// Why the result is the same: the decimal path rounds the quotient
/// `V / I = q + r / I` to 28 significant digits before rounding it to a
/// whole number. With `q < 10^12` that keeps at least 16 places after the
/// point, and a remainder `r` that is not 0 and not exactly half of `I`
/// lies at least `1 / (2 I) > 10^-13` from every whole number and every
/// midpoint, so the 28-digit quotient is on the same side of each: both
/// paths pick the same neighbour. A zero remainder or an exact half is a
/// terminating quotient, which the decimal path holds exactly. The result is
/// `q' × increment` at the increment's scale, a zero always positive, as
/// [`with_scale`] writes it. A property test compares the two paths in every mode.
#[inline]
fn increment_small(value: Decimal, increment: Decimal, mode: RoundingMode) -> Option<Decimal> {
    let (vs, is) = (value.scale(), increment.scale());
    let scale = vs.max(is);
    let widen = |m: i128, from: u32| -> Option<u64> {
        let m = u64::try_from(m.unsigned_abs()).ok().filter(|&m| m < SMALL_STEP)?;
        let m = m.checked_mul(10u64.checked_pow(scale - from)?)?;
        (m < SMALL_STEP).then_some(m)
    };
    let v = widen(value.mantissa(), vs)?;
    let i = widen(increment.mantissa(), is)?;
    if i == 0 {
        return None;
    }
    let (q, r) = (v / i, v % i);
    let negative = value.is_sign_negative();
    let half = (2 * r).cmp(&i);
    let up = r != 0
        && match mode {
            RoundingMode::HalfEven => half.is_gt() || (half.is_eq() && q % 2 == 1),
            RoundingMode::HalfAwayFromZero => half.is_ge(),
            RoundingMode::HalfTowardZero => half.is_gt(),
            RoundingMode::HalfUp => half.is_gt() || (half.is_eq() && !negative),
            RoundingMode::Up => true,
            RoundingMode::Down => false,
            RoundingMode::Ceiling => !negative,
            RoundingMode::Floor => negative,
        };
    let steps = q + u64::from(up);
    // Both factors are under 10^12: the product fits an i128 and a decimal's 96 bits.
    let magnitude = i128::from(steps) * increment.mantissa();
    let signed = if negative { -magnitude } else { magnitude };
    Some(Decimal::from_i128_with_scale(signed, is))
}

fn overflow() -> Error {
    Error::new(Code::ArithmeticOverflow, "the result does not fit a 96-bit decimal")
}

#[cfg(test)]
mod tests {
    use super::*;
    use RoundingMode::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn r(v: &str, scale: u32, mode: RoundingMode) -> String {
        round_to_scale(d(v), scale, mode).unwrap().to_string()
    }

    #[test]
    fn named_cases_from_the_issue() {
        assert_eq!(r("1.2250", 2, HalfEven), "1.22"); // tie, 2 is even
        assert_eq!(r("10.005", 2, HalfAwayFromZero), "10.01");
        assert_eq!(r("10.005", 2, HalfEven), "10.00"); // tie, 0 is even
        assert_eq!(r("-0.015", 2, HalfUp), "-0.01"); // tie toward +inf
    }

    /// 2.5 and -2.5 to 0 places under every mode: the whole table of ties.
    #[test]
    fn ties_on_both_signs_for_every_mode() {
        let table = [
            (HalfEven, "2", "-2"),
            (HalfAwayFromZero, "3", "-3"),
            (HalfTowardZero, "2", "-2"),
            (HalfUp, "3", "-2"),
            (Up, "3", "-3"),
            (Down, "2", "-2"),
            (Ceiling, "3", "-2"),
            (Floor, "2", "-3"),
        ];
        for (mode, pos, neg) in table {
            assert_eq!(r("2.5", 0, mode), pos, "{mode:?} 2.5");
            assert_eq!(r("-2.5", 0, mode), neg, "{mode:?} -2.5");
        }
        // Ties at 2 places on both signs: 0.125 / -0.125.
        let table = [
            (HalfEven, "0.12", "-0.12"),
            (HalfAwayFromZero, "0.13", "-0.13"),
            (HalfTowardZero, "0.12", "-0.12"),
            (HalfUp, "0.13", "-0.12"),
            (Up, "0.13", "-0.13"),
            (Down, "0.12", "-0.12"),
            (Ceiling, "0.13", "-0.12"),
            (Floor, "0.12", "-0.13"),
        ];
        for (mode, pos, neg) in table {
            assert_eq!(r("0.125", 2, mode), pos, "{mode:?} 0.125");
            assert_eq!(r("-0.125", 2, mode), neg, "{mode:?} -0.125");
        }
    }

    #[test]
    fn non_ties_differ_only_for_directed_modes() {
        // 2.4: nearest modes go to 2; up/ceiling go to 3.
        for mode in [HalfEven, HalfAwayFromZero, HalfTowardZero, HalfUp, Down, Floor] {
            assert_eq!(r("2.4", 0, mode), "2", "{mode:?}");
        }
        for mode in [Up, Ceiling] {
            assert_eq!(r("2.4", 0, mode), "3", "{mode:?}");
        }
    }

    #[test]
    fn results_carry_the_scale_and_no_negative_zero() {
        assert_eq!(r("10", 2, HalfEven), "10.00");
        assert_eq!(r("-0.001", 2, HalfAwayFromZero), "0.00");
        assert_eq!(with_scale(d("1.50"), 1).unwrap().to_string(), "1.5");
        assert_eq!(with_scale(d("1.55"), 1).unwrap_err().code, Code::InvalidValue);
        // More places than a decimal holds, past 10^38 (an i128) too: an error, not a panic.
        assert_eq!(with_scale(d("1"), 29).unwrap_err().code, Code::ArithmeticOverflow);
        assert_eq!(with_scale(d("1"), 40).unwrap_err().code, Code::ArithmeticOverflow);
    }

    #[test]
    fn increments() {
        let hah = HalfAwayFromZero;
        assert_eq!(round_to_increment(d("2.02"), d("0.05"), hah).unwrap().to_string(), "2.00");
        assert_eq!(round_to_increment(d("2.025"), d("0.05"), hah).unwrap().to_string(), "2.05");
        assert_eq!(round_to_increment(d("7.55"), d("0.25"), Up).unwrap().to_string(), "7.75");
        assert_eq!(round_to_increment(d("7.55"), d("0.25"), hah).unwrap().to_string(), "7.50");
        assert_eq!(round_to_increment(d("1"), d("0"), hah).unwrap_err().code, Code::InvalidIncrement);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_mode() -> impl Strategy<Value = RoundingMode> {
            proptest::sample::select(RoundingMode::ALL.to_vec())
        }

        proptest! {
            /// The 64-bit fast path gives exactly (value, scale and sign) what the 96-bit rounding gives.
            #[test]
            fn fast_rounding_equals_rust_decimal(
                mantissa in prop_oneof![-100_000i64..100_000, any::<i64>()],
                value_scale in 0u32..22, scale in 0u32..8, mode in any_mode(),
            ) {
                let value = Decimal::new(mantissa, value_scale);
                let slow = with_scale(value.round_dp_with_strategy(scale, mode.strategy(value)), scale).unwrap();
                let fast = round_to_scale(value, scale, mode).unwrap();
                prop_assert_eq!((fast.mantissa(), fast.scale(), fast.is_sign_negative()),
                    (slow.mantissa(), slow.scale(), slow.is_sign_negative()));
            }

            /// The integer path of `round_to_increment` gives exactly (value, scale and sign) what the
            /// 28-digit decimal quotient gives, in every mode, on both signs, near ties and off the grid.
            #[test]
            fn fast_increment_equals_rust_decimal(
                mantissa in prop_oneof![-100_000i64..100_000, -10_i64.pow(13)..10_i64.pow(13), any::<i64>()],
                value_scale in 0u32..14,
                step in prop_oneof![1i64..1_000, 1i64..10_i64.pow(13)],
                step_scale in 0u32..14, mode in any_mode(),
            ) {
                let (value, increment) = (Decimal::new(mantissa, value_scale), Decimal::new(step, step_scale));
                let slow = increment_decimal(value, increment, mode);
                let fast = round_to_increment(value, increment, mode);
                match (fast, slow) {
                    (Ok(fast), Ok(slow)) => prop_assert_eq!(
                        (fast.mantissa(), fast.scale(), fast.is_sign_negative()),
                        (slow.mantissa(), slow.scale(), slow.is_sign_negative())
                    ),
                    (fast, slow) => prop_assert_eq!(fast.map_err(|e| e.code), slow.map_err(|e| e.code)),
                }
            }

            /// Exact ties and exact multiples, where the two paths are most likely to part.
            #[test]
            fn fast_increment_equals_rust_decimal_on_ties(
                steps in -10_000i64..10_000, step in 1i64..100_000, step_scale in 0u32..6,
                half in any::<bool>(), mode in any_mode(),
            ) {
                // steps × step (+ step / 2), written at one more place than the step.
                let mantissa = (steps * step * 10) + if half { step * 5 } else { 0 };
                let (value, increment) = (Decimal::new(mantissa, step_scale + 1), Decimal::new(step, step_scale));
                let slow = increment_decimal(value, increment, mode).unwrap();
                let fast = round_to_increment(value, increment, mode).unwrap();
                prop_assert_eq!((fast.mantissa(), fast.scale(), fast.is_sign_negative()),
                    (slow.mantissa(), slow.scale(), slow.is_sign_negative()));
            }

            #[test]
            fn rounding_is_idempotent(m in -10_i64.pow(15)..10_i64.pow(15), s in 0u32..8, to in 0u32..6, mode in any_mode()) {
                let v = Decimal::new(m, s);
                let once = round_to_scale(v, to, mode).unwrap();
                prop_assert_eq!(round_to_scale(once, to, mode).unwrap(), once);
            }

            #[test]
            fn rounding_moves_less_than_one_unit(m in -10_i64.pow(15)..10_i64.pow(15), s in 0u32..8, to in 0u32..6, mode in any_mode()) {
                let v = Decimal::new(m, s);
                let unit = Decimal::new(1, to);
                let rounded = round_to_scale(v, to, mode).unwrap();
                prop_assert!((rounded - v).abs() < unit);
            }
        }
    }
}
