//! Billable hours of one entry (SPEC §5.6, §5.8): the contract's duration
//! rounding first, then a write-up or write-down, which replaces the result.
//!
//! An adjustment is a person's deliberate number, so it is taken as given:
//! it is neither rounded to the increment nor raised to the minimum. The
//! recorded hours always stay on the line.

use std::borrow::Cow;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use crate::error::Result;
use crate::model::{Adjustment, DurationRounding, DurationRoundingMode};
use crate::money::{RoundingMode, round_to_increment};
use crate::wire;

/// The duration rounding applied to an entry.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RoundingApplied {
    /// The step, in hours.
    #[serde(serialize_with = "wire::write_decimal")]
    pub increment: Decimal,
    /// `up`, `nearest` (halves away from zero) or `down`.
    pub mode: DurationRoundingMode,
    /// The per-entry minimum, when the contract sets one.
    #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Decimal>,
    /// True when the minimum raised the rounded hours.
    pub minimum_applied: bool,
}

/// Whether an adjustment raised or lowered the hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// More hours billed than rounding gave.
    WriteUp,
    /// Fewer hours billed than rounding gave.
    WriteDown,
    /// The same hours, with a reason on record.
    Unchanged,
}

/// A write-up or write-down and its reason.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AdjustmentApplied<'a> {
    /// Write-up, write-down or unchanged, against the rounded hours.
    pub kind: AdjustmentKind,
    /// The hours billed instead.
    #[serde(serialize_with = "wire::write_decimal")]
    pub billable_hours: Decimal,
    /// Why, as given.
    pub reason: Cow<'a, str>,
}

/// An entry's hours before and after rounding and adjustment.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Hours<'a> {
    /// As recorded on the entry.
    #[serde(serialize_with = "wire::write_decimal")]
    pub recorded: Decimal,
    /// After duration rounding (equal to `recorded` without a policy).
    #[serde(serialize_with = "wire::write_decimal")]
    pub rounded: Decimal,
    /// What is rated: `rounded`, or the adjustment's hours when there is one.
    #[serde(serialize_with = "wire::write_decimal")]
    pub billable: Decimal,
    /// The rounding applied, if the contract has a policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounding: Option<RoundingApplied>,
    /// The write-up or write-down, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<AdjustmentApplied<'a>>,
}

impl Hours<'_> {
    /// The same hours owning their strings.
    pub fn into_owned(self) -> Hours<'static> {
        Hours {
            adjustment: self.adjustment.map(|a| AdjustmentApplied { reason: Cow::Owned(a.reason.into_owned()), ..a }),
            ..self
        }
    }
}

/// Round `hours` under `policy`: to the increment in the policy's direction
/// (`nearest` uses half away from zero), then up to the minimum.
///
/// ```
/// use billable::model::{DurationRounding, DurationRoundingMode};
/// use billable::rates::round_duration;
/// let quarter = DurationRounding { increment: "0.25".parse().unwrap(), mode: DurationRoundingMode::Up, minimum: None };
/// assert_eq!(round_duration("7.55".parse().unwrap(), &quarter).unwrap().0.to_string(), "7.75");
/// ```
pub fn round_duration(hours: Decimal, policy: &DurationRounding) -> Result<(Decimal, RoundingApplied)> {
    let mode = match policy.mode {
        DurationRoundingMode::Up => RoundingMode::Up,
        DurationRoundingMode::Nearest => RoundingMode::HalfAwayFromZero,
        DurationRoundingMode::Down => RoundingMode::Down,
    };
    let stepped = round_to_increment(hours, policy.increment, mode)?;
    let (rounded, minimum_applied) = match policy.minimum {
        Some(min) if stepped < min => (min, true),
        _ => (stepped, false),
    };
    let applied =
        RoundingApplied { increment: policy.increment, mode: policy.mode, minimum: policy.minimum, minimum_applied };
    Ok((rounded, applied))
}

/// The billable hours of an entry of `recorded` hours.
pub(crate) fn billable_hours<'a>(
    recorded: Decimal,
    policy: Option<&DurationRounding>,
    adjustment: Option<&'a Adjustment>,
) -> Result<Hours<'a>> {
    let (rounded, rounding) = match policy {
        Some(p) => {
            let (r, applied) = round_duration(recorded, p)?;
            (r, Some(applied))
        }
        None => (recorded, None),
    };
    let adjustment = adjustment.map(|a| AdjustmentApplied {
        kind: match a.billable_hours.cmp(&rounded) {
            std::cmp::Ordering::Greater => AdjustmentKind::WriteUp,
            std::cmp::Ordering::Less => AdjustmentKind::WriteDown,
            std::cmp::Ordering::Equal => AdjustmentKind::Unchanged,
        },
        billable_hours: a.billable_hours,
        reason: Cow::Borrowed(a.reason.as_str()),
    });
    let billable = adjustment.as_ref().map_or(rounded, |a| a.billable_hours);
    Ok(Hours { recorded, rounded, billable, rounding, adjustment })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn policy(inc: &str, mode: DurationRoundingMode, min: Option<&str>) -> DurationRounding {
        DurationRounding { increment: d(inc), mode, minimum: min.map(d) }
    }

    #[test]
    fn quarter_hours_in_each_direction() {
        use DurationRoundingMode::*;
        // 7.55 / 0.25 = 30.2 steps: up → 31 × 0.25 = 7.75; nearest → 30 → 7.50; down → 30 → 7.50.
        assert_eq!(round_duration(d("7.55"), &policy("0.25", Up, None)).unwrap().0, d("7.75"));
        assert_eq!(round_duration(d("7.55"), &policy("0.25", Nearest, None)).unwrap().0.to_string(), "7.50");
        assert_eq!(round_duration(d("7.55"), &policy("0.25", Down, None)).unwrap().0.to_string(), "7.50");
        // 7.625 / 0.25 = 30.5 steps, a tie: nearest goes away from zero → 31 → 7.75.
        assert_eq!(round_duration(d("7.625"), &policy("0.25", Nearest, None)).unwrap().0.to_string(), "7.75");
        // 7.5 is already on the grid: unchanged in every direction.
        assert_eq!(round_duration(d("7.5"), &policy("0.25", Up, None)).unwrap().0.to_string(), "7.50");
    }

    #[test]
    fn minimum_per_entry() {
        // 0.2 h up to 0.25 h, then raised to the 1 h minimum.
        let (h, applied) = round_duration(d("0.2"), &policy("0.25", DurationRoundingMode::Up, Some("1"))).unwrap();
        assert_eq!((h, applied.minimum_applied), (d("1"), true));
    }

    #[test]
    fn adjustment_replaces_rounded_hours_and_keeps_reason() {
        let adj = Adjustment { billable_hours: d("6"), reason: "learning time written off".into() };
        // Recorded 7.55, rounded up to 7.75, written down to 6 (not rounded again).
        let h = billable_hours(d("7.55"), Some(&policy("0.25", DurationRoundingMode::Up, None)), Some(&adj)).unwrap();
        assert_eq!((h.recorded, h.rounded, h.billable), (d("7.55"), d("7.75"), d("6")));
        let a = h.adjustment.unwrap();
        assert_eq!((a.kind, a.reason.as_ref()), (AdjustmentKind::WriteDown, "learning time written off"));
    }
}
