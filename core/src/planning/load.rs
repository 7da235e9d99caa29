//! Allocation load: each allocation's hours per week spread over the days of
//! the worker's week (`docs/planning.md`, "Spreading an allocation").
//!
//! For each ISO week an allocation touches, its `hours_per_week` is split
//! over the seven days of that week in proportion to the hours the schedule
//! in force gives each day (the standard week, employed or not), with the
//! largest-remainder method in hundredths of an hour (more places when the
//! allocation's hours have more), so the week's shares sum to
//! `hours_per_week` exactly. A week whose schedule gives no hours at all is
//! split evenly over Monday to Friday. Only the days inside the allocation's
//! dates keep their share: an allocation from a Wednesday gets the
//! Wednesday-to-Sunday part of its week, a pro-rata share. An allocation
//! none of whose days has a share (it lies only on days off, such as a
//! weekend) would lose its hours that way: its own days in each week it
//! touches share that week's `hours_per_week` evenly instead, so the hours
//! show up as load on days without capacity, that is as over-allocation.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::capacity::{CapacityGrid, monday_on_or_before, version_on};
use crate::error::{Code, Error, Result};
use crate::model::{Allocation, AllocationStatus, ScheduleVersion};
use crate::money::allocate;

/// Committed and tentative hours per worker per grid day.
#[derive(Debug, Clone)]
pub(crate) struct Load {
    pub committed: Vec<Vec<Decimal>>,
    pub tentative: Vec<Vec<Decimal>>,
    /// Allocations (indices) per worker, not released.
    pub by_worker: Vec<Vec<u32>>,
}

/// A week's split cache: the weights and `hours_per_week` it was made for.
#[derive(Default)]
pub(crate) struct Spreader {
    last: Option<([Decimal; 7], Decimal, [Decimal; 7])>,
}

impl Spreader {
    /// The shares of `hours` over a week with `weights` (Monday first).
    fn split(&mut self, weights: [Decimal; 7], hours: Decimal) -> Result<[Decimal; 7]> {
        if let Some((w, h, shares)) = &self.last
            && *w == weights
            && *h == hours
        {
            return Ok(*shares);
        }
        let weights = if weights.iter().all(|w| w.is_zero()) {
            let one = Decimal::ONE;
            let zero = Decimal::ZERO;
            [one, one, one, one, one, zero, zero]
        } else {
            weights
        };
        let scale = hours.scale().max(2);
        let split = allocate(hours, scale, &weights)?;
        let mut shares = [Decimal::ZERO; 7];
        for (s, v) in shares.iter_mut().zip(split.shares) {
            *s = v;
        }
        self.last = Some((weights, hours, shares));
        Ok(shares)
    }

    /// Call `f(day, hours)` for every grid day of `allocation` (worker row `w`) with a share.
    pub fn spread(
        &mut self,
        grid: &CapacityGrid<'_>,
        w: usize,
        allocation: &Allocation,
        mut f: impl FnMut(usize, Decimal),
    ) -> Result<()> {
        let grid_end = grid.date(grid.days - 1);
        let from = allocation.start.max(grid.first);
        let to = allocation.end.min(grid_end);
        if from > to {
            return Ok(());
        }
        let (Some(a), Some(b)) = (grid.day(from), grid.day(to)) else { return Ok(()) };
        let standard = &grid.rows[w].standard;
        // An allocation lying only on days off would get no hours at all: its own days carry each week's hours.
        let off_days_only = !has_scheduled_day(&grid.workers[w].schedule, allocation.start, allocation.end);
        let mut monday = a - a % 7;
        while monday <= b {
            let mut weights = [Decimal::ZERO; 7];
            if off_days_only {
                for (k, weight) in weights.iter_mut().enumerate() {
                    let date = grid.date(monday + k);
                    if allocation.start <= date && date <= allocation.end {
                        *weight = Decimal::ONE;
                    }
                }
            } else {
                weights.copy_from_slice(&standard[monday..monday + 7]);
            }
            let shares = self.split(weights, allocation.hours_per_week)?;
            for (k, share) in shares.iter().enumerate() {
                let d = monday + k;
                if d >= a && d <= b && !share.is_zero() {
                    f(d, *share);
                }
            }
            monday += 7;
        }
        Ok(())
    }
}

/// The weights a week from `monday` is spread by: the hours of the schedule in force each day, or, in a week
/// whose schedule gives no hours at all, Monday to Friday evenly (as [`Spreader`] splits it).
fn week_weights(schedule: &[ScheduleVersion], monday: NaiveDate) -> [Decimal; 7] {
    let mut weights = [Decimal::ZERO; 7];
    for (k, weight) in weights.iter_mut().enumerate() {
        let date = monday + Days::new(k as u64);
        if let Some(v) = version_on(schedule, date) {
            *weight = v.hours.days()[k].1;
        }
    }
    if weights.iter().all(|w| w.is_zero()) {
        for weight in &mut weights[..5] {
            *weight = Decimal::ONE;
        }
    }
    weights
}

/// True when some day of `start..=end` gets a share of its week by the schedule: false for an allocation that
/// lies only on days off (a weekend, a part-timer's free day). Whatever the period, so the answer does not depend
/// on it. Every whole ISO week has a weighted day, so at most the two partial weeks of a range are looked at.
fn has_scheduled_day(schedule: &[ScheduleVersion], start: NaiveDate, end: NaiveDate) -> bool {
    let mut monday = monday_on_or_before(start);
    while monday <= end {
        let sunday = monday + Days::new(6);
        if start <= monday && sunday <= end {
            return true;
        }
        let weights = week_weights(schedule, monday);
        for (k, weight) in weights.iter().enumerate() {
            let date = monday + Days::new(k as u64);
            if start <= date && date <= end && !weight.is_zero() {
                return true;
            }
        }
        match sunday.succ_opt() {
            Some(next) => monday = next,
            None => break,
        }
    }
    false
}

/// The worker's grid row of an allocation (`unknown_reference` at `path.worker_id`).
pub(crate) fn worker_row(grid: &CapacityGrid<'_>, allocation: &Allocation, path: &str) -> Result<usize> {
    let w = grid.worker_index(&allocation.worker_id).ok_or_else(|| {
        Error::new(Code::UnknownReference, format!("no worker has id `{}`", allocation.worker_id))
            .at(format!("{path}.worker_id"))
    })?;
    Ok(w as usize)
}

/// What `validate` refuses of allocations (its first problem): dates reversed (`invalid_period` at
/// `allocations[i]`; a range longer than the period is fine, it is clipped), hours per week outside 0 to
/// 168 (`invalid_hours` at `allocations[i].hours_per_week`), not exactly one of `project_id` and
/// `opportunity_id` (`invalid_value` at `allocations[i]`), two with one id (`duplicate_id`, which would
/// load the worker twice).
pub(crate) fn check_allocations(allocations: &[Allocation]) -> Result<()> {
    super::validated(super::RecordsOf { allocations: Some(allocations), ..Default::default() })
}

impl Load {
    /// Spread every allocation that is not released over the grid.
    pub fn new(grid: &CapacityGrid<'_>, allocations: &[Allocation]) -> Result<Load> {
        check_allocations(allocations)?;
        let n = grid.rows.len();
        let mut committed = vec![Vec::new(); n];
        let mut tentative = vec![Vec::new(); n];
        let mut by_worker = vec![Vec::new(); n];
        let mut spreader = Spreader::default();
        for (i, a) in allocations.iter().enumerate() {
            let path = format!("allocations[{i}]");
            let w = worker_row(grid, a, &path)?;
            let target = match a.status {
                AllocationStatus::Committed => &mut committed[w],
                AllocationStatus::Tentative => &mut tentative[w],
                AllocationStatus::Released => continue,
            };
            by_worker[w].push(i as u32);
            if target.is_empty() {
                *target = vec![Decimal::ZERO; grid.days];
            }
            spreader.spread(grid, w, a, |d, h| target[d] += h).map_err(|e| e.under(&path))?;
        }
        Ok(Load { committed, tentative, by_worker })
    }

    /// Committed hours of worker `w` on day `d`.
    #[inline]
    pub fn committed(&self, w: usize, d: usize) -> Decimal {
        self.committed[w].get(d).copied().unwrap_or(Decimal::ZERO)
    }

    /// Tentative hours of worker `w` on day `d`.
    #[inline]
    pub fn tentative(&self, w: usize, d: usize) -> Decimal {
        self.tentative[w].get(d).copied().unwrap_or(Decimal::ZERO)
    }
}
