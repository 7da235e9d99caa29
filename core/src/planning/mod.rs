//! Resource planning (SPEC §10): capacity, demand from CRM stages,
//! utilization, over-allocation, skill gaps, forecast revenue and the
//! reconciliation of the CRM, PSA and ERP views.
//!
//! Build a [`CapacityGrid`] once from the workers, leave and holidays of a
//! planning period, spread the allocations over it with [`Plan::new`], then
//! ask for any report. Dates are the workers' local dates; nothing reads a
//! clock. The decisions SPEC leaves open are in `docs/planning.md`.
//!
//! ```
//! use billable::model::{Allocation, Worker};
//! use billable::planning::{Calendar, CapacityGrid, DateRange, OverAllocationPolicy, Plan};
//! let workers: Vec<Worker> = serde_json::from_str(r#"[{"id": "w1", "name": "Ada", "role": "consultant",
//!     "employment": {"status": "active", "start": "2020-01-01"},
//!     "schedule": [{"effective_from": "2020-01-01", "hours": {"mon": 8, "tue": 8, "wed": 8, "thu": 8, "fri": 8}}]}]"#).unwrap();
//! let allocations: Vec<Allocation> = serde_json::from_str(r#"[
//!     {"id": "a1", "worker_id": "w1", "project_id": "p1", "start": "2026-03-02", "end": "2026-03-08", "hours_per_week": 30, "status": "committed"},
//!     {"id": "a2", "worker_id": "w1", "project_id": "p2", "start": "2026-03-02", "end": "2026-03-08", "hours_per_week": 20, "status": "tentative"}]"#).unwrap();
//! let period = DateRange::new("2026-03-02".parse().unwrap(), "2026-03-08".parse().unwrap());
//! let grid = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &[], holidays: &[] })?;
//! let plan = Plan::new(&grid, &allocations)?;
//! // 30 h and 20 h a week over five 8-hour days: 6 + 4 = 10 h a day, 2 h over on each of Monday to Friday.
//! let over = plan.over_allocation(&OverAllocationPolicy::default())?;
//! let range = &over.workers[0].ranges[0];
//! assert_eq!((range.start.to_string(), range.end.to_string(), range.worst_shortfall.to_string()),
//!            ("2026-03-02".into(), "2026-03-06".into(), "2.00".into()));
//! # Ok::<(), billable::Error>(())
//! ```

mod capacity;
mod demand;
mod forecast;
mod load;
mod overallocation;
mod period;
mod reconciliation;
mod skills;
mod utilization;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use capacity::{
    Calendar, CapacityGrid, CapacityReport, DayCapacity, Holiday, Leave, MAX_DAYS, PeriodCapacity, WorkerCapacity,
    version_on,
};
pub use demand::{
    AllocationChange, AuditEntry, ChangeAction, ChangeTarget, DemandChange, DemandChangeRequest, DemandState,
    StagePolicy, demand_change,
};
pub use forecast::{Forecast, ForecastInputs, ForecastRow, RateUsed, Reporting, Unpriced, forecast};
pub(crate) use load::check_allocations;
pub use overallocation::{OverAllocation, OverAllocationPolicy, OverRange, WorkerOverAllocation, merge};
pub use period::{Granularity, month_label, week_label};
pub use reconciliation::{Difference, Reconciliation, Tolerance, View, reconcile};
pub use skills::{Candidate, GapStatus, SkillGap, SkillGaps};
pub use utilization::EntryCounts;
pub use utilization::{RoleUtilization, Utilization, UtilizationRow, WorkerUtilization};

use crate::error::{Code, Error, Result};
use crate::model::{Allocation, Opportunity};
use crate::money::{RoundingMode, round_to_scale};
use crate::wire;
use load::Load;

/// A range of local dates, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub struct DateRange {
    /// First day.
    #[serde(deserialize_with = "wire::date")]
    pub start: NaiveDate,
    /// Last day (inclusive).
    #[serde(deserialize_with = "wire::date")]
    pub end: NaiveDate,
}

impl DateRange {
    /// The range from `start` to `end`, both inclusive.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Self {
        DateRange { start, end }
    }

    /// Days in the range (0 when reversed).
    pub fn days(&self) -> usize {
        ((self.end - self.start).num_days() + 1).max(0) as usize
    }

    /// True when `date` is in the range.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// `invalid_period` at `path` when reversed or longer than [`MAX_DAYS`]: the planning period's check.
    /// Leave, allocations and demand lines may be longer (they are clipped to the period); only their order is
    /// checked, as `validate` checks it.
    pub(crate) fn check(&self, path: &str) -> Result<()> {
        if self.start > self.end {
            return Err(
                Error::new(Code::InvalidPeriod, format!("start {} is after end {}", self.start, self.end)).at(path)
            );
        }
        if (self.end - self.start).num_days() >= MAX_DAYS {
            return Err(Error::new(
                Code::InvalidPeriod,
                format!("{}..{} is longer than {MAX_DAYS} days", self.start, self.end),
            )
            .at(path));
        }
        Ok(())
    }
}

/// Hours as reported: two places, half-even (the spread is exact in hundredths, so this only pads).
pub(crate) fn hours_out(h: Decimal) -> Result<Decimal> {
    round_to_scale(h, 2, RoundingMode::HalfEven)
}

/// `part / whole` to 4 places, half-even; `None` when `whole` is 0 (no capacity, no ratio).
pub fn ratio(part: Decimal, whole: Decimal) -> Result<Option<Decimal>> {
    if whole.is_zero() {
        return Ok(None);
    }
    let q = part.checked_div(whole).ok_or_else(crate::money::overflow)?;
    round_to_scale(q, 4, RoundingMode::HalfEven).map(Some)
}

/// Opportunities as skill gaps, the forecast and reconciliation read them: what
/// `validate` reports of them is refused (its first problem): ids unique
/// (`duplicate_id` at `opportunities[i].id`), each probability 0 to 100
/// (`invalid_value` at `opportunities[i].probability`), expected dates in
/// order (`invalid_period` at `opportunities[i]`), each demand line's hours
/// per week 0 to 168 (`invalid_value` at
/// `opportunities[i].demand[k].hours_per_week`), dates in order
/// (`invalid_period` at `opportunities[i].demand[k]`) and skill levels 1 to 5
/// (`invalid_value` at `opportunities[i].demand[k].skills[j].level`).
pub(crate) fn check_opportunities(opportunities: &[Opportunity]) -> Result<()> {
    validated(RecordsOf { opportunities: Some(opportunities), ..RecordsOf::default() })
}

/// Records of some kinds, for [`validated`]; a kind left `None` is not checked, nor references into it.
#[derive(Default)]
pub(crate) struct RecordsOf<'a> {
    pub workers: Option<&'a [crate::model::Worker]>,
    pub opportunities: Option<&'a [Opportunity]>,
    pub allocations: Option<&'a [Allocation]>,
}

/// The first problem `validate` (`model::validate`) reports of `records`, as the error: the planning
/// reports refuse what `validate` refuses, with the same code and path, by calling its rules rather than
/// repeating them.
pub(crate) fn validated(records: RecordsOf<'_>) -> Result<()> {
    fn values<T: Serialize>(items: Option<&[T]>) -> Result<Option<Vec<serde_json::Value>>> {
        items
            .map(|list| {
                list.iter()
                    .map(|x| serde_json::to_value(x).map_err(|e| Error::new(Code::InvalidValue, e.to_string())))
                    .collect()
            })
            .transpose()
    }
    let raw = crate::model::RawRecords {
        workers: values(records.workers)?,
        opportunities: values(records.opportunities)?,
        allocations: values(records.allocations)?,
        ..crate::model::RawRecords::default()
    };
    match crate::model::validate(&raw).into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// A planning period with its allocations spread over the capacity grid:
/// what utilization, over-allocation and skill gaps read.
#[derive(Debug, Clone)]
pub struct Plan<'g, 'a> {
    pub(crate) grid: &'g CapacityGrid<'a>,
    pub(crate) allocations: &'a [Allocation],
    pub(crate) load: Load,
}

impl<'g, 'a> Plan<'g, 'a> {
    /// Spread `allocations` over `grid`. An allocation of an unknown worker
    /// is `unknown_reference`, reversed dates `invalid_period`, hours per week
    /// outside 0 to 168 `invalid_hours`, one naming both or neither of
    /// `project_id` and `opportunity_id` `invalid_value` (path
    /// `allocations[i]...`), as `validate` reports them.
    pub fn new(grid: &'g CapacityGrid<'a>, allocations: &'a [Allocation]) -> Result<Self> {
        let load = Load::new(grid, allocations)?;
        Ok(Plan { grid, allocations, load })
    }

    /// The capacity grid.
    pub fn grid(&self) -> &CapacityGrid<'a> {
        self.grid
    }
}

#[cfg(test)]
mod tests;
