//! Over-allocation (SPEC §10): the days where a worker's allocations exceed
//! capacity, merged into ranges, each with its worst daily shortfall.
//!
//! A range runs over consecutive over-allocated days, and across days in
//! between that have neither capacity nor allocated hours (a weekend, a
//! holiday nobody is booked on), so a two-week overbooking is one range, not
//! two. A day with capacity that is not over ends the range.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Plan, hours_out};
use crate::error::Result;

/// Which allocations count toward the load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OverAllocationPolicy {
    /// Count tentative allocations as well as committed ones (default true).
    #[serde(default = "yes")]
    pub include_tentative: bool,
}

fn yes() -> bool {
    true
}

impl Default for OverAllocationPolicy {
    fn default() -> Self {
        OverAllocationPolicy { include_tentative: true }
    }
}

/// A range of days over capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct OverRange {
    /// First day over.
    pub start: NaiveDate,
    /// Last day over.
    pub end: NaiveDate,
    /// Days in the range that are over capacity.
    pub days_over: usize,
    /// The largest `allocated - capacity` of a day in the range.
    pub worst_shortfall: Decimal,
    /// The first day with the worst shortfall.
    pub worst_date: NaiveDate,
    /// The shortfalls summed over the range.
    pub total_shortfall: Decimal,
}

/// Merge ranges that overlap or touch (one ends the day before the other
/// starts) into one, keeping the worst shortfall (earliest date on a tie)
/// and summing days and totals. The result is sorted by start and merging
/// it again changes nothing.
///
/// Overlapping inputs are summed as given: pass ranges of distinct days.
pub fn merge(mut ranges: Vec<OverRange>) -> Vec<OverRange> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<OverRange> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end + Days::new(1) => {
                last.end = last.end.max(r.end);
                last.days_over += r.days_over;
                last.total_shortfall += r.total_shortfall;
                if r.worst_shortfall > last.worst_shortfall
                    || r.worst_shortfall == last.worst_shortfall && r.worst_date < last.worst_date
                {
                    last.worst_shortfall = r.worst_shortfall;
                    last.worst_date = r.worst_date;
                }
            }
            _ => out.push(r),
        }
    }
    out
}

impl Plan<'_, '_> {
    /// Every worker's over-allocated ranges in the period (workers without
    /// any are left out; [`OverAllocation::workers_checked`] counts all).
    pub fn over_allocation(&self, policy: &OverAllocationPolicy) -> Result<OverAllocation> {
        let grid = self.grid;
        let mut workers = Vec::new();
        for (w, worker) in grid.workers.iter().enumerate() {
            let committed = &self.load.committed[w];
            let tentative = &self.load.tentative[w];
            if committed.is_empty() && (tentative.is_empty() || !policy.include_tentative) {
                continue;
            }
            let capacity = &grid.rows[w].capacity;
            let mut ranges: Vec<OverRange> = Vec::new();
            let mut open: Option<OverRange> = None;
            for (d, &cap) in capacity.iter().enumerate().skip(grid.offset).take(grid.len) {
                let mut load = committed.get(d).copied().unwrap_or_default();
                if policy.include_tentative {
                    load += tentative.get(d).copied().unwrap_or_default();
                }
                let over = load - cap;
                if over > Decimal::ZERO {
                    let date = grid.date(d);
                    match &mut open {
                        Some(r) => {
                            r.end = date;
                            r.days_over += 1;
                            r.total_shortfall += over;
                            if over > r.worst_shortfall {
                                r.worst_shortfall = over;
                                r.worst_date = date;
                            }
                        }
                        None => {
                            let r = OverRange {
                                start: date,
                                end: date,
                                days_over: 1,
                                worst_shortfall: over,
                                worst_date: date,
                                total_shortfall: over,
                            };
                            open = Some(r);
                        }
                    }
                } else if !(load.is_zero() && cap.is_zero())
                    && let Some(r) = open.take()
                {
                    ranges.push(r);
                }
            }
            if let Some(r) = open {
                ranges.push(r);
            }
            if ranges.is_empty() {
                continue;
            }
            for r in &mut ranges {
                r.worst_shortfall = hours_out(r.worst_shortfall)?;
                r.total_shortfall = hours_out(r.total_shortfall)?;
            }
            workers.push(WorkerOverAllocation { worker_id: worker.id.clone(), ranges: merge(ranges) });
        }
        Ok(OverAllocation { workers_checked: grid.workers.len(), include_tentative: policy.include_tentative, workers })
    }
}

/// Over-allocated workers and their ranges.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct OverAllocation {
    /// Workers looked at.
    pub workers_checked: usize,
    /// Whether tentative allocations counted.
    pub include_tentative: bool,
    /// Workers with at least one range, in input order.
    pub workers: Vec<WorkerOverAllocation>,
}

/// One worker's over-allocated ranges.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WorkerOverAllocation {
    /// The worker.
    pub worker_id: String,
    /// Ranges, by start.
    pub ranges: Vec<OverRange>,
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn range() -> impl Strategy<Value = OverRange> {
        (0u64..60, 0u64..5, 1i64..500).prop_map(|(s, len, worst)| {
            let start = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + Days::new(s);
            OverRange {
                start,
                end: start + Days::new(len),
                days_over: len as usize + 1,
                worst_shortfall: Decimal::new(worst, 2),
                worst_date: start,
                total_shortfall: Decimal::new(worst * (len as i64 + 1), 2),
            }
        })
    }

    proptest! {
        /// Merging is idempotent: the merged ranges neither overlap nor touch.
        #[test]
        fn merging_twice_changes_nothing(ranges in proptest::collection::vec(range(), 0..12)) {
            let once = merge(ranges);
            prop_assert_eq!(merge(once.clone()), once.clone());
            for pair in once.windows(2) {
                prop_assert!(pair[0].end + Days::new(1) < pair[1].start);
            }
        }
    }
}
