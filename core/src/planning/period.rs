//! Reporting periods: days, ISO weeks and calendar months, clipped to the
//! planning period, as index ranges on the capacity grid.

use chrono::{Datelike, Days, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::DateRange;

/// How finely a report breaks the planning period down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Each day.
    Day,
    /// Each ISO week (Monday to Sunday), labelled `2026-W10`.
    Week,
    /// Each calendar month, labelled `2026-03`.
    Month,
    /// The whole period, labelled `start..end`.
    Range,
}

/// A reporting period as grid indices `from..to` (exclusive end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bucket {
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub from: usize,
    pub to: usize,
}

/// The label of the ISO week holding `date` (`2026-W10`).
pub fn week_label(date: NaiveDate) -> String {
    let w = date.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The label of the month holding `date` (`2026-03`).
pub fn month_label(date: NaiveDate) -> String {
    format!("{}-{:02}", date.year(), date.month())
}

/// The buckets of `period` at `granularity`; `offset` is the grid index of `period.start`.
pub(crate) fn buckets(period: DateRange, granularity: Granularity, offset: usize) -> Vec<Bucket> {
    let index = |d: NaiveDate| offset + (d - period.start).num_days() as usize;
    let mut out = Vec::new();
    let mut start = period.start;
    while start <= period.end {
        let (label, natural_end) = match granularity {
            Granularity::Day => (start.to_string(), start),
            Granularity::Week => {
                let sunday = start + Days::new(u64::from(6 - start.weekday().num_days_from_monday()));
                (week_label(start), sunday)
            }
            Granularity::Month => (month_label(start), last_of_month(start)),
            Granularity::Range => (format!("{}..{}", period.start, period.end), period.end),
        };
        let end = natural_end.min(period.end);
        out.push(Bucket { label, start, end, from: index(start), to: index(end) + 1 });
        match end.succ_opt() {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

/// The last day of `date`'s month.
pub(crate) fn last_of_month(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_and_months_are_clipped_to_the_period() {
        // 2026-03-04 is a Wednesday; 2026-04-02 a Thursday.
        let p = DateRange::new(d("2026-03-04"), d("2026-04-02"));
        let weeks = buckets(p, Granularity::Week, 2);
        // W10 from Wed 03-04 to Sun 03-08 (5 days), then W11..W13 whole, then W14 Mon 03-30..Thu 04-02.
        assert_eq!(weeks.len(), 5);
        assert_eq!(
            (weeks[0].label.as_str(), weeks[0].end, weeks[0].from, weeks[0].to),
            ("2026-W10", d("2026-03-08"), 2, 7)
        );
        assert_eq!(
            (weeks[4].label.as_str(), weeks[4].start, weeks[4].end),
            ("2026-W14", d("2026-03-30"), d("2026-04-02"))
        );
        let months = buckets(p, Granularity::Month, 2);
        // March from the 4th (28 days), April 1st and 2nd.
        assert_eq!(months.iter().map(|b| b.to - b.from).collect::<Vec<_>>(), [28, 2]);
    }
}
