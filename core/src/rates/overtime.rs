//! Overtime, weekend and holiday premiums (SPEC §5.7).
//!
//! The algorithm, for one worker's entries under one contract in one ISO
//! week, taken in order of date, then input order (see `docs/rates.md`):
//!
//! 1. Each entry's billable hours are split at the daily threshold: the
//!    hours that keep the day's running total at or below it are *within the
//!    day*, the rest are *past the day*. Later entries take the overtime.
//! 2. Hours within the day on a Saturday, Sunday or holiday get the highest
//!    of the weekend and holiday multipliers that the policy sets; those of
//!    them past the weekly threshold get the weekly multiplier when it is
//!    higher. They do not count toward the week.
//! 3. Other hours within the day are normal; they count toward the weekly
//!    threshold, and those past it get the weekly multiplier.
//! 4. Hours past the day get the highest of the daily, weekend and holiday
//!    multipliers that apply, and of the weekly one once the week's normal
//!    hours have reached its threshold. They do not count toward the week.
//!
//! So each hour gets the highest multiplier that applies to it (SPEC §5.7).
//!
//! Multipliers never multiply each other (no stacking), and hours at a daily,
//! weekend or holiday premium never count toward the weekly threshold (no
//! pyramiding). A threshold without its multiplier, or a multiplier without
//! its threshold, has no effect.

use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use crate::error::Result;
use crate::model::OvertimePolicy;
use crate::money::overflow;
use crate::wire;

/// Why a block of hours carries its multiplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Premium {
    /// No premium: multiplier 1.
    Normal,
    /// Past the daily threshold.
    Daily,
    /// Past the weekly threshold (normal hours only).
    Weekly,
    /// On a Saturday or Sunday.
    Weekend,
    /// On a holiday from the request's list.
    Holiday,
}

/// Hours of one entry at one multiplier.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct HourBlock {
    /// Hours in the block.
    #[serde(serialize_with = "wire::write_decimal")]
    pub hours: Decimal,
    /// The multiplier applied (1 for normal hours).
    #[serde(serialize_with = "wire::write_decimal")]
    pub multiplier: Decimal,
    /// The premium that gave the multiplier.
    pub premium: Premium,
    /// Other premiums that applied to these hours with a multiplier no higher (they do not stack).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outranked: Vec<Premium>,
}

/// Holidays, sorted, for lookup by date.
#[derive(Debug, Clone, Default)]
pub struct Holidays(Vec<NaiveDate>);

impl Holidays {
    /// The holidays in `dates` (any order, duplicates allowed).
    pub fn new(dates: &[NaiveDate]) -> Self {
        let mut v = dates.to_vec();
        v.sort_unstable();
        v.dedup();
        Holidays(v)
    }

    /// True when `date` is a holiday.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.0.binary_search(&date).is_ok()
    }
}

fn pair(threshold: Option<Decimal>, multiplier: Option<Decimal>) -> Option<(Decimal, Decimal)> {
    threshold.zip(multiplier)
}

/// The premium with the highest multiplier among `applicable` (ties go to
/// the earlier one: holiday, weekend, daily, weekly), and the others.
fn best(applicable: &[(Premium, Decimal)]) -> Option<(Premium, Decimal, Vec<Premium>)> {
    let mut winner = *applicable.first()?;
    for &(p, m) in &applicable[1..] {
        if m > winner.1 {
            winner = (p, m);
        }
    }
    let others = applicable.iter().filter(|(p, _)| *p != winner.0).map(|(p, _)| *p).collect();
    Some((winner.0, winner.1, others))
}

/// `hours` at the highest of the day premiums, the daily multiplier and the weekly one (in
/// that order of precedence on a tie).
fn best_block(
    hours: Decimal,
    day_premiums: &[(Premium, Decimal)],
    daily: Option<Decimal>,
    weekly: Option<(Decimal, Decimal)>,
) -> Option<HourBlock> {
    let mut applicable = day_premiums.to_vec();
    applicable.extend(daily.map(|m| (Premium::Daily, m)));
    applicable.extend(weekly.map(|(_, m)| (Premium::Weekly, m)));
    best(&applicable).map(|(p, m, others)| block(hours, m, p, others))
}

fn block(hours: Decimal, multiplier: Decimal, premium: Premium, outranked: Vec<Premium>) -> HourBlock {
    HourBlock { hours, multiplier, premium, outranked }
}

/// Split each of one worker-week's entries into blocks. `items` are
/// `(date, billable hours)` in the order they take hours (date, then input
/// order); the result has one list of blocks per item, normal hours first.
pub fn allocate_week(
    policy: &OvertimePolicy,
    holidays: &Holidays,
    items: &[(NaiveDate, Decimal)],
) -> Result<Vec<Vec<HourBlock>>> {
    let daily = pair(policy.daily_threshold, policy.daily_multiplier);
    let weekly = pair(policy.weekly_threshold, policy.weekly_multiplier);
    let mut out = Vec::with_capacity(items.len());
    let mut day: Option<NaiveDate> = None;
    let mut day_used = Decimal::ZERO;
    let mut week_normal = Decimal::ZERO;
    for &(date, hours) in items {
        if day != Some(date) {
            day = Some(date);
            day_used = Decimal::ZERO;
        }
        let mut day_premiums: Vec<(Premium, Decimal)> = Vec::new();
        if let Some(m) = policy.holiday_multiplier
            && holidays.contains(date)
        {
            day_premiums.push((Premium::Holiday, m));
        }
        if let Some(m) = policy.weekend_multiplier
            && matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        {
            day_premiums.push((Premium::Weekend, m));
        }
        let within = match daily {
            Some((t, _)) => (t - day_used).max(Decimal::ZERO).min(hours),
            None => hours,
        };
        let past = hours - within;
        day_used = day_used.checked_add(hours).ok_or_else(overflow)?;

        // The hours within the day split at the weekly threshold: `under` keep the week's
        // normal hours at or below it, `over` are past it (and so may take the weekly premium).
        let under = match weekly {
            Some((t, _)) => (t - week_normal).max(Decimal::ZERO).min(within),
            None => within,
        };
        let over = within - under;
        let mut blocks = Vec::with_capacity(2);
        if day_premiums.is_empty() {
            // Normal hours: they count toward the week, and those past the threshold are weekly.
            week_normal = week_normal.checked_add(within).ok_or_else(overflow)?;
            if under > Decimal::ZERO || hours.is_zero() {
                blocks.push(block(under, Decimal::ONE, Premium::Normal, Vec::new()));
            }
            if let Some((_, m)) = weekly
                && over > Decimal::ZERO
            {
                blocks.push(block(over, m, Premium::Weekly, Vec::new()));
            }
        } else {
            // At a day premium: they do not count toward the week (no pyramiding), but those
            // past the threshold get the weekly multiplier when it is the higher.
            if (under > Decimal::ZERO || hours.is_zero())
                && let Some((p, m, others)) = best(&day_premiums)
            {
                blocks.push(block(under, m, p, others));
            }
            if over > Decimal::ZERO
                && let Some(b) = best_block(over, &day_premiums, None, weekly)
            {
                // The same premium on both sides of the threshold is one block (one rounding).
                match blocks.last_mut() {
                    Some(last) if last.premium == b.premium && last.multiplier == b.multiplier => {
                        last.hours = last.hours.checked_add(b.hours).ok_or_else(overflow)?;
                        for p in b.outranked {
                            if !last.outranked.contains(&p) {
                                last.outranked.push(p);
                            }
                        }
                    }
                    _ => blocks.push(b),
                }
            }
        }
        if past > Decimal::ZERO
            && let Some((_, m)) = daily
        {
            // Past the day, and past the week too when the week's normal hours have reached
            // its threshold: the highest of every premium that applies.
            let weekly_here = weekly.filter(|(t, _)| week_normal >= *t);
            blocks.extend(best_block(past, &day_premiums, Some(m), weekly_here));
        }
        out.push(blocks);
    }
    Ok(out)
}

/// The ISO week of `date` as (ISO year, week): 2027-01-01 is in 2026-W53.
pub fn iso_week(date: NaiveDate) -> (i32, u32) {
    let w = date.iso_week();
    (w.year(), w.week())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn shape(blocks: &[HourBlock]) -> Vec<(String, String, Premium)> {
        blocks.iter().map(|b| (b.hours.to_string(), b.multiplier.to_string(), b.premium)).collect()
    }
    fn daily_weekly() -> OvertimePolicy {
        OvertimePolicy {
            daily_threshold: Some(d("8")),
            daily_multiplier: Some(d("1.5")),
            weekly_threshold: Some(d("40")),
            weekly_multiplier: Some(d("1.5")),
            weekend_multiplier: None,
            holiday_multiplier: None,
        }
    }

    #[test]
    fn later_entry_takes_the_daily_overtime() {
        // 6 h then 4 h on Monday 2026-03-02, threshold 8: the second entry is 2 normal + 2 at 1.5.
        let out = allocate_week(
            &daily_weekly(),
            &Holidays::default(),
            &[(day("2026-03-02"), d("6")), (day("2026-03-02"), d("4"))],
        )
        .unwrap();
        assert_eq!(shape(&out[0]), [("6".into(), "1".into(), Premium::Normal)]);
        assert_eq!(
            shape(&out[1]),
            [("2".into(), "1".into(), Premium::Normal), ("2".into(), "1.5".into(), Premium::Daily)]
        );
    }

    #[test]
    fn no_pyramiding_over_five_nine_hour_days() {
        // Mon–Fri 9 h each: 8 normal + 1 daily each day; the week's normal hours are 5 × 8 = 40,
        // not past the 40 h weekly threshold, so no weekly premium at all.
        let items: Vec<_> = (2..=6).map(|n| (day(&format!("2026-03-0{n}")), d("9"))).collect();
        let out = allocate_week(&daily_weekly(), &Holidays::default(), &items).unwrap();
        for blocks in &out {
            assert_eq!(
                shape(blocks),
                [("8".into(), "1".into(), Premium::Normal), ("1".into(), "1.5".into(), Premium::Daily)]
            );
        }
    }

    #[test]
    fn weekly_premium_on_normal_hours_past_forty() {
        // Mon–Fri 8 h, then Saturday 4 h without a weekend multiplier: 40 normal, then 4 weekly.
        let mut items: Vec<_> = (2..=6).map(|n| (day(&format!("2026-03-0{n}")), d("8"))).collect();
        items.push((day("2026-03-07"), d("4")));
        let out = allocate_week(&daily_weekly(), &Holidays::default(), &items).unwrap();
        assert_eq!(shape(&out[5]), [("4".into(), "1.5".into(), Premium::Weekly)]);
    }

    #[test]
    fn weekend_outranks_daily_without_stacking() {
        // Saturday 2026-03-07, 10 h, weekend 2.0, daily 8 × 1.5: every hour at 2.0 (not 3.0).
        let policy = OvertimePolicy { weekend_multiplier: Some(d("2.0")), ..daily_weekly() };
        let out = allocate_week(&policy, &Holidays::default(), &[(day("2026-03-07"), d("10"))]).unwrap();
        assert_eq!(
            shape(&out[0]),
            [("8".into(), "2.0".into(), Premium::Weekend), ("2".into(), "2.0".into(), Premium::Weekend)]
        );
        assert_eq!(out[0][1].outranked, [Premium::Daily]);
    }

    #[test]
    fn a_day_premium_never_lowers_the_weekly_premium() {
        // Mon–Fri 8 h (40 normal), then Saturday. Weekly 40 × 1.5, weekend 1.25: Saturday's
        // hours are past the weekly threshold, and 1.5 is the highest that applies (SPEC §5.7).
        // It was 1.25: adding a weekend premium lowered the bill.
        let mut items: Vec<_> = (2..=6).map(|n| (day(&format!("2026-03-0{n}")), d("8"))).collect();
        items.push((day("2026-03-07"), d("4")));
        let policy = OvertimePolicy { weekend_multiplier: Some(d("1.25")), ..daily_weekly() };
        let out = allocate_week(&policy, &Holidays::default(), &items).unwrap();
        assert_eq!(shape(&out[5]), [("4".into(), "1.5".into(), Premium::Weekly)]);
        assert_eq!(out[5][0].outranked, [Premium::Weekend]);

        // Daily 8 × 1.25, weekly 40 × 1.5, no weekend premium: a 10 h Saturday after 40 normal
        // hours is 8 weekly + 2 past the day, and those 2 are past the week too: 1.5, not 1.25.
        let policy = OvertimePolicy { daily_multiplier: Some(d("1.25")), ..daily_weekly() };
        items[5].1 = d("10");
        let out = allocate_week(&policy, &Holidays::default(), &items).unwrap();
        assert_eq!(
            shape(&out[5]),
            [("8".into(), "1.5".into(), Premium::Weekly), ("2".into(), "1.5".into(), Premium::Weekly)]
        );
        assert_eq!(out[5][1].outranked, [Premium::Daily]);
    }

    #[test]
    fn one_premium_across_the_weekly_threshold_is_one_block() {
        // Weekly 40 × 1.1, weekend 1.25: Mon–Thu 9.9 h (39.6 normal), Saturday 0.8 h. 0.4 h are
        // under the threshold and 0.4 h past it, both at weekend 1.25: one block of 0.8 h, so
        // 0.8 × 100.01 × 1.25 = 100.01 is rounded once (two blocks gave 50.01 + 50.01).
        let mut items: Vec<_> = (2..=5).map(|n| (day(&format!("2026-03-0{n}")), d("9.9"))).collect();
        items.push((day("2026-03-07"), d("0.8")));
        let policy = OvertimePolicy {
            daily_threshold: None,
            daily_multiplier: None,
            weekly_multiplier: Some(d("1.1")),
            weekend_multiplier: Some(d("1.25")),
            ..daily_weekly()
        };
        let out = allocate_week(&policy, &Holidays::default(), &items).unwrap();
        assert_eq!(shape(&out[4]), [("0.8".into(), "1.25".into(), Premium::Weekend)]);
        assert_eq!(out[4][0].outranked, [Premium::Weekly]);
    }

    #[test]
    fn premium_hours_under_the_weekly_threshold_do_not_count_toward_it() {
        // Mon–Thu 8 h (32 normal), Saturday 10 h, Sunday 2 h; weekend 1.25, daily 8 × 1.25,
        // weekly 40 × 1.5. Saturday: 8 within the day, all under the weekly threshold (32 + 8 = 40)
        // at 1.25 weekend; they do not count, so the week stays at 32 and the 2 past the day are
        // 1.25 (weekend before daily on a tie). Sunday's 2 h are still under the threshold: 1.25.
        let mut items: Vec<_> = (2..=5).map(|n| (day(&format!("2026-03-0{n}")), d("8"))).collect();
        items.push((day("2026-03-07"), d("10")));
        items.push((day("2026-03-08"), d("2")));
        let policy =
            OvertimePolicy { weekend_multiplier: Some(d("1.25")), daily_multiplier: Some(d("1.25")), ..daily_weekly() };
        let out = allocate_week(&policy, &Holidays::default(), &items).unwrap();
        assert_eq!(
            shape(&out[4]),
            [("8".into(), "1.25".into(), Premium::Weekend), ("2".into(), "1.25".into(), Premium::Weekend)]
        );
        assert_eq!(out[4][1].outranked, [Premium::Daily]);
        assert_eq!(shape(&out[5]), [("2".into(), "1.25".into(), Premium::Weekend)]);
    }

    #[test]
    fn holiday_multiplier_from_the_list() {
        let policy =
            OvertimePolicy { holiday_multiplier: Some(d("2.5")), weekend_multiplier: Some(d("2")), ..daily_weekly() };
        let holidays = Holidays::new(&[day("2026-12-25")]);
        let out = allocate_week(&policy, &holidays, &[(day("2026-12-25"), d("3"))]).unwrap();
        assert_eq!(shape(&out[0]), [("3".into(), "2.5".into(), Premium::Holiday)]);
    }

    #[test]
    fn iso_weeks_cross_the_year() {
        assert_eq!(iso_week(day("2027-01-01")), (2026, 53));
        assert_eq!(iso_week(day("2027-01-04")), (2027, 1));
        assert_eq!(iso_week(day("2025-12-29")), (2026, 1));
    }
}
