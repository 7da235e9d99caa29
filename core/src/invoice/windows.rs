//! Billing windows: the slices of a run's period a contract's schedule bills
//! separately (SPEC §8). Weekly windows are ISO weeks (Monday to Sunday),
//! semi-monthly windows are the 1st–15th and the 16th–end of month, monthly
//! windows are calendar months; milestone contracts have one window, the
//! whole period. Windows are clipped to the run's period.

use chrono::{Datelike, Days, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::model::BillingSchedule;
use crate::wire;

/// A date range, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Period {
    /// First day.
    #[serde(deserialize_with = "wire::date", serialize_with = "wire::write_date")]
    pub start: NaiveDate,
    /// Last day (inclusive).
    #[serde(deserialize_with = "wire::date", serialize_with = "wire::write_date")]
    pub end: NaiveDate,
}

impl Period {
    /// A period, or `invalid_period` when `start` is after `end`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Period> {
        if start > end {
            return Err(Error::new(Code::InvalidPeriod, format!("period starts {start} but ends {end}")));
        }
        Ok(Period { start, end })
    }

    /// True when `date` lies in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// The window of `schedule` that holds `date`, unclipped.
pub fn window_of(schedule: BillingSchedule, date: NaiveDate, period: &Period) -> Period {
    match schedule {
        BillingSchedule::Weekly => {
            let monday = date - Days::new(u64::from(date.weekday().num_days_from_monday()));
            Period { start: monday, end: monday + Days::new(6) }
        }
        BillingSchedule::SemiMonthly if date.day() <= 15 => {
            Period { start: date.with_day(1).unwrap_or(date), end: date.with_day(15).unwrap_or(date) }
        }
        BillingSchedule::SemiMonthly => Period { start: date.with_day(16).unwrap_or(date), end: month_end(date) },
        BillingSchedule::Monthly => Period { start: date.with_day(1).unwrap_or(date), end: month_end(date) },
        BillingSchedule::Milestone => *period,
    }
}

/// The window of `schedule` holding `date`, clipped to `period`.
pub fn clipped_window(schedule: BillingSchedule, date: NaiveDate, period: &Period) -> Period {
    let w = window_of(schedule, date, period);
    Period { start: w.start.max(period.start), end: w.end.min(period.end) }
}

/// Every window of `schedule` that overlaps `period`, clipped to it, in date order.
pub fn windows(schedule: BillingSchedule, period: &Period) -> Vec<Period> {
    let mut out = Vec::new();
    let mut day = period.start;
    while day <= period.end {
        let w = clipped_window(schedule, day, period);
        out.push(w);
        match w.end.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

fn month_end(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn p(a: &str, b: &str) -> Period {
        Period::new(d(a), d(b)).unwrap()
    }

    #[test]
    fn monthly_and_semi_monthly() {
        let march = p("2026-03-01", "2026-03-31");
        assert_eq!(windows(BillingSchedule::Monthly, &march), [march]);
        assert_eq!(
            windows(BillingSchedule::SemiMonthly, &march),
            [p("2026-03-01", "2026-03-15"), p("2026-03-16", "2026-03-31")]
        );
        // February 2028 is a leap month: the second half ends on the 29th.
        let feb = p("2028-02-01", "2028-02-29");
        assert_eq!(windows(BillingSchedule::SemiMonthly, &feb)[1], p("2028-02-16", "2028-02-29"));
    }

    #[test]
    fn weekly_windows_are_iso_weeks_clipped_to_the_period() {
        // March 2026 starts on a Sunday: the first window is that Sunday alone (week 2026-W09),
        // then Mon 2nd–Sun 8th, 9–15, 16–22, 23–29, and Mon 30th–Tue 31st.
        let w = windows(BillingSchedule::Weekly, &p("2026-03-01", "2026-03-31"));
        assert_eq!(w.len(), 6);
        assert_eq!(w[0], p("2026-03-01", "2026-03-01"));
        assert_eq!(w[1], p("2026-03-02", "2026-03-08"));
        assert_eq!(w[5], p("2026-03-30", "2026-03-31"));
        // 2027-01-01 is a Friday in ISO week 2026-W53, whose Monday is 2026-12-28.
        assert_eq!(window_of(BillingSchedule::Weekly, d("2027-01-01"), &w[0]), p("2026-12-28", "2027-01-03"));
    }

    #[test]
    fn milestone_contracts_have_one_window() {
        let q = p("2026-01-01", "2026-03-31");
        assert_eq!(windows(BillingSchedule::Milestone, &q), [q]);
        assert_eq!(Period::new(d("2026-02-01"), d("2026-01-01")).unwrap_err().code, Code::InvalidPeriod);
    }
}
