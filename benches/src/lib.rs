//! Deterministic input generators for billable's benchmarks.
//!
//! Generators take a seed and a size and always produce the same documents,
//! so a figure measured today can be measured again tomorrow on the same input.

pub mod invoice;
pub mod planning;
#[allow(clippy::inconsistent_digit_grouping)] // amounts in the generator are written as cents: 120_00 = 120.00
pub mod rates;
pub mod stopwatch;
pub mod sync;

use rust_decimal::Decimal;

/// A small linear congruential generator: deterministic, no dependencies,
/// good enough to spread benchmark inputs (not for anything else).
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Lcg(seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407))
    }

    /// The next value in `0..bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound.max(1)
    }

    /// A decimal with `scale` places below `10^digits / 10^scale`.
    pub fn decimal(&mut self, digits: u32, scale: u32) -> Decimal {
        Decimal::new(self.below(10u64.pow(digits)) as i64, scale)
    }
}
