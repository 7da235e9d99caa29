//! Capacity (SPEC §10): each worker's hours per local day, from the
//! effective-dated weekday schedule in force, less holidays and leave, and
//! zero on days outside employment.
//!
//! The grid holds one vector per worker indexed by day offset, over the
//! planning period widened to whole ISO weeks (Monday to Sunday) so that a
//! week's hours can be spread over the whole week even when the period starts
//! or ends mid-week. Reports clip to the period.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::period::{Bucket, Granularity, buckets};
use super::{DateRange, hours_out};
use crate::error::{Code, Error, Result};
use crate::model::{ScheduleVersion, Worker};
use crate::wire;

/// The longest planning period, in days (ten years): the grid holds a vector per worker per day.
pub const MAX_DAYS: i64 = 3_660;

/// Time off for one worker over a range of days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Leave {
    /// Who is away.
    pub worker_id: String,
    /// First day away.
    #[serde(deserialize_with = "wire::date")]
    pub start: NaiveDate,
    /// Last day away (inclusive).
    #[serde(deserialize_with = "wire::date")]
    pub end: NaiveDate,
    /// Hours away on each day of the range (a partial day); absent for whole days.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub hours: Option<Decimal>,
    /// Why (`vacation`, `sick`), echoed nowhere in the numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A public holiday: for every worker, or only for workers of one country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Holiday {
    /// The local date.
    #[serde(deserialize_with = "wire::date")]
    pub date: NaiveDate,
    /// ISO 3166-1 alpha-2 country; absent: a holiday for everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Name, shown on the day it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What capacity is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    /// The planning period (inclusive).
    pub period: DateRange,
    /// Workers, with their schedules and employment.
    pub workers: &'a [Worker],
    /// Leave.
    pub leave: &'a [Leave],
    /// Holidays.
    pub holidays: &'a [Holiday],
}

/// One worker's days on the grid.
#[derive(Debug, Clone, Default)]
pub(crate) struct WorkerDays {
    /// Hours of the schedule in force, employed or not: the weights a week's allocation is spread by.
    pub standard: Vec<Decimal>,
    /// `standard` on days employed, else 0.
    pub scheduled: Vec<Decimal>,
    /// Scheduled hours lost to a holiday.
    pub holiday: Vec<Decimal>,
    /// Scheduled hours lost to leave (after holidays).
    pub leave: Vec<Decimal>,
    /// `scheduled - holiday - leave`, never negative.
    pub capacity: Vec<Decimal>,
}

/// Capacity of every worker for every day of the period widened to whole ISO weeks.
///
/// ```
/// use billable::model::Worker;
/// use billable::planning::{Calendar, CapacityGrid, DateRange};
/// let workers: Vec<Worker> = serde_json::from_str(r#"[{"id": "w1", "name": "Ada", "role": "consultant",
///     "employment": {"status": "active", "start": "2020-01-01"},
///     "schedule": [{"effective_from": "2020-01-01", "hours": {"mon": 8, "tue": 8, "wed": 8, "thu": 8, "fri": 8}}]}]"#).unwrap();
/// let period = DateRange::new("2026-03-02".parse().unwrap(), "2026-03-08".parse().unwrap());
/// let grid = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &[], holidays: &[] })?;
/// // Monday to Friday at 8 h, the weekend at 0: 40 h.
/// assert_eq!(grid.capacity("w1", "2026-03-02".parse().unwrap()).unwrap().to_string(), "8");
/// assert_eq!(grid.total_capacity("w1").unwrap().to_string(), "40");
/// # Ok::<(), billable::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CapacityGrid<'a> {
    pub(crate) period: DateRange,
    /// Monday on or before the period's start: day 0 of every vector.
    pub(crate) first: NaiveDate,
    /// Days on the grid (a multiple of 7).
    pub(crate) days: usize,
    /// Index of the period's first day.
    pub(crate) offset: usize,
    /// Days in the period.
    pub(crate) len: usize,
    pub(crate) workers: &'a [Worker],
    pub(crate) index: BTreeMap<&'a str, u32>,
    pub(crate) rows: Vec<WorkerDays>,
    /// Holiday names by (worker, day), for the day report.
    holiday_names: BTreeMap<(u32, usize), &'a str>,
}

impl<'a> CapacityGrid<'a> {
    /// Build the grid. A period whose start is after its end, or longer than
    /// [`MAX_DAYS`], is `invalid_period`; schedule hours outside 0 to 24 and
    /// leave hours outside (0, 24] are `invalid_hours`; two schedule versions
    /// from the same date are `invalid_value`; leave of an unknown worker is
    /// `unknown_reference`, reversed leave `invalid_period` (longer than the
    /// period is fine: it is clipped); a holiday country that is not ISO
    /// 3166-1 alpha-2 is `invalid_value`; and what `validate` reports of a
    /// worker is refused with its code (employment reversed, a terminated
    /// worker without `end`, a skill level outside 1 to 5, a bad country);
    /// each with the path of the field.
    pub fn new(calendar: &Calendar<'a>) -> Result<Self> {
        let period = calendar.period;
        period.check("period")?;
        let first = monday_on_or_before(period.start);
        let last = period.end + Days::new(u64::from(6 - period.end.weekday().num_days_from_monday()));
        let days = ((last - first).num_days() + 1) as usize;
        let offset = (period.start - first).num_days() as usize;
        let len = period.days();
        let mut index = BTreeMap::new();
        for (i, w) in calendar.workers.iter().enumerate() {
            if index.insert(w.id.as_str(), i as u32).is_some() {
                return Err(Error::new(Code::DuplicateId, format!("worker `{}` appears twice", w.id))
                    .at(format!("workers[{i}].id")));
            }
        }
        let mut rows = Vec::with_capacity(calendar.workers.len());
        for (i, w) in calendar.workers.iter().enumerate() {
            rows.push(worker_days(w, first, days).map_err(|e| e.under(&format!("workers[{i}]")))?);
        }
        let mut grid = CapacityGrid {
            period,
            first,
            days,
            offset,
            len,
            workers: calendar.workers,
            index,
            rows,
            holiday_names: BTreeMap::new(),
        };
        // What `validate` refuses of a worker (employment dates reversed, terminated without a last day, skill
        // levels outside 1 to 5, a country that is not ISO 3166-1) would otherwise be planned with.
        super::validated(super::RecordsOf { workers: Some(calendar.workers), ..Default::default() })?;
        grid.apply_holidays(calendar.holidays)?;
        grid.apply_leave(calendar.leave)?;
        for row in &mut grid.rows {
            for d in 0..days {
                row.capacity[d] = (row.scheduled[d] - row.holiday[d] - row.leave[d]).max(Decimal::ZERO);
            }
        }
        Ok(grid)
    }

    /// The planning period.
    pub fn period(&self) -> DateRange {
        self.period
    }

    /// The grid index of `date`, if it is on the grid.
    pub(crate) fn day(&self, date: NaiveDate) -> Option<usize> {
        let d = (date - self.first).num_days();
        (0..self.days as i64).contains(&d).then_some(d as usize)
    }

    /// The date of grid index `d`.
    pub(crate) fn date(&self, d: usize) -> NaiveDate {
        self.first + Days::new(d as u64)
    }

    /// Index of the worker with `id`.
    pub(crate) fn worker_index(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// Capacity of worker `id` on `date` (on the grid), in hours.
    pub fn capacity(&self, id: &str, date: NaiveDate) -> Option<Decimal> {
        let w = self.worker_index(id)?;
        Some(self.rows[w as usize].capacity[self.day(date)?])
    }

    /// Capacity of worker `id` over the whole period, in hours.
    pub fn total_capacity(&self, id: &str) -> Option<Decimal> {
        let w = self.worker_index(id)?;
        Some(self.rows[w as usize].capacity[self.offset..self.offset + self.len].iter().sum())
    }

    /// The period's buckets of one granularity, as grid index ranges.
    pub(crate) fn buckets(&self, granularity: Granularity) -> Vec<Bucket> {
        buckets(self.period, granularity, self.offset)
    }

    fn apply_holidays(&mut self, holidays: &'a [Holiday]) -> Result<()> {
        // A country `UK` or `gb` would match no worker's (ISO) country, and the holiday would be lost silently.
        for (i, h) in holidays.iter().enumerate() {
            if let Some(c) = &h.country
                && !crate::model::is_country_code(c)
            {
                return Err(Error::new(Code::InvalidValue, format!("`{c}` is not an ISO 3166-1 alpha-2 country code"))
                    .at(format!("holidays[{i}].country")));
            }
        }
        for h in holidays {
            let Some(d) = self.day(h.date) else { continue };
            if !self.period.contains(h.date) {
                continue;
            }
            for (w, worker) in self.workers.iter().enumerate() {
                let applies = h.country.as_deref().is_none_or(|c| worker.country.as_deref() == Some(c));
                if applies {
                    let row = &mut self.rows[w];
                    row.holiday[d] = row.scheduled[d];
                    self.holiday_names.entry((w as u32, d)).or_insert(h.name.as_deref().unwrap_or("holiday"));
                }
            }
        }
        Ok(())
    }

    fn apply_leave(&mut self, leave: &[Leave]) -> Result<()> {
        let full = Decimal::from(24);
        for (i, l) in leave.iter().enumerate() {
            let path = format!("leave[{i}]");
            let w = self.worker_index(&l.worker_id).ok_or_else(|| {
                Error::new(Code::UnknownReference, format!("no worker has id `{}`", l.worker_id))
                    .at(format!("{path}.worker_id"))
            })?;
            // Reversed is refused; a range longer than the period is clipped to it (only the period has a limit).
            if l.start > l.end {
                return Err(
                    Error::new(Code::InvalidPeriod, format!("leave starts {} but ends {}", l.start, l.end)).at(path)
                );
            }
            let hours = match l.hours {
                Some(h) if h <= Decimal::ZERO || h > full => {
                    return Err(Error::new(
                        Code::InvalidHours,
                        format!("leave hours {h} must be above 0 and at most 24"),
                    )
                    .at(format!("{path}.hours")));
                }
                Some(h) => h,
                None => full,
            };
            let from = l.start.max(self.period.start);
            let to = l.end.min(self.period.end);
            if from > to {
                continue;
            }
            let (Some(a), Some(b)) = (self.day(from), self.day(to)) else { continue };
            let row = &mut self.rows[w as usize];
            for d in a..=b {
                let available = row.scheduled[d] - row.holiday[d] - row.leave[d];
                row.leave[d] += hours.min(available).max(Decimal::ZERO);
            }
        }
        Ok(())
    }

    /// The per-worker capacity report for the granularities asked.
    pub fn report(&self, granularities: &[Granularity]) -> Result<CapacityReport> {
        let wanted = |g| granularities.contains(&g);
        let weeks = if wanted(Granularity::Week) { self.buckets(Granularity::Week) } else { Vec::new() };
        let months = if wanted(Granularity::Month) { self.buckets(Granularity::Month) } else { Vec::new() };
        let range = self.buckets(Granularity::Range);
        let mut workers = Vec::with_capacity(self.workers.len());
        for (w, worker) in self.workers.iter().enumerate() {
            let row = &self.rows[w];
            let sums = |bs: &[Bucket]| bs.iter().map(|b| row.sum(b)).collect::<Result<Vec<_>>>();
            let days = if wanted(Granularity::Day) {
                (self.offset..self.offset + self.len).map(|d| self.day_capacity(w, d)).collect::<Result<_>>()?
            } else {
                Vec::new()
            };
            workers.push(WorkerCapacity {
                worker_id: worker.id.clone(),
                role: worker.role.clone(),
                days,
                weeks: sums(&weeks)?,
                months: sums(&months)?,
                total: row.sum(&range[0])?,
            });
        }
        Ok(CapacityReport { workers })
    }

    fn day_capacity(&self, w: usize, d: usize) -> Result<DayCapacity> {
        let worker = &self.workers[w];
        let row = &self.rows[w];
        let date = self.date(d);
        Ok(DayCapacity {
            date,
            employed: worker.employment.employed_on(date),
            schedule_from: version_on(&worker.schedule, date).map(|v| v.effective_from),
            scheduled: hours_out(row.scheduled[d])?,
            holiday: hours_out(row.holiday[d])?,
            holiday_name: self.holiday_names.get(&(w as u32, d)).map(|s| s.to_string()),
            leave: hours_out(row.leave[d])?,
            capacity: hours_out(row.capacity[d])?,
        })
    }
}

impl WorkerDays {
    /// The sums of one bucket.
    fn sum(&self, b: &Bucket) -> Result<PeriodCapacity> {
        let s = |v: &[Decimal]| hours_out(v[b.from..b.to].iter().sum());
        Ok(PeriodCapacity {
            period: b.label.clone(),
            start: b.start,
            end: b.end,
            scheduled: s(&self.scheduled)?,
            holiday: s(&self.holiday)?,
            leave: s(&self.leave)?,
            capacity: s(&self.capacity)?,
        })
    }
}

/// Monday of the ISO week holding `date`.
pub(crate) fn monday_on_or_before(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// The schedule version in force on `date`: the latest `effective_from` on or before it.
pub fn version_on(schedule: &[ScheduleVersion], date: NaiveDate) -> Option<&ScheduleVersion> {
    schedule.iter().filter(|v| v.effective_from <= date).max_by_key(|v| v.effective_from)
}

/// The worker's standard and scheduled hours for `days` days from Monday `first`.
fn worker_days(worker: &Worker, first: NaiveDate, days: usize) -> Result<WorkerDays> {
    let day = Decimal::from(24);
    let mut versions: Vec<(usize, &ScheduleVersion)> = worker.schedule.iter().enumerate().collect();
    versions.sort_by_key(|(_, v)| v.effective_from);
    for pair in versions.windows(2) {
        if pair[0].1.effective_from == pair[1].1.effective_from {
            return Err(Error::new(
                Code::InvalidValue,
                format!("two schedule versions take effect on {}", pair[1].1.effective_from),
            )
            .at(format!("schedule[{}].effective_from", pair[1].0)));
        }
    }
    for (i, v) in &versions {
        for (name, h) in v.hours.days() {
            if h.is_sign_negative() && !h.is_zero() || h > day {
                return Err(Error::new(Code::InvalidHours, format!("{name} hours {h} must be between 0 and 24"))
                    .at(format!("schedule[{i}].hours.{name}")));
            }
        }
    }
    let mut row = WorkerDays {
        standard: vec![Decimal::ZERO; days],
        scheduled: vec![Decimal::ZERO; days],
        holiday: vec![Decimal::ZERO; days],
        leave: vec![Decimal::ZERO; days],
        capacity: vec![Decimal::ZERO; days],
    };
    // Walk the days with a pointer into the sorted versions.
    let mut next = 0;
    let mut current: Option<[Decimal; 7]> = None;
    let employment = &worker.employment;
    for d in 0..days {
        let date = first + Days::new(d as u64);
        while next < versions.len() && versions[next].1.effective_from <= date {
            current = Some(versions[next].1.hours.days().map(|(_, h)| h));
            next += 1;
        }
        if let Some(week) = &current {
            let h = week[d % 7];
            row.standard[d] = h;
            if employment.employed_on(date) {
                row.scheduled[d] = h;
            }
        }
    }
    Ok(row)
}

/// Capacity per worker, by day, ISO week and month, and over the whole period.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CapacityReport {
    /// One per worker, in input order.
    pub workers: Vec<WorkerCapacity>,
}

/// One worker's capacity.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WorkerCapacity {
    /// The worker.
    pub worker_id: String,
    /// The worker's role.
    pub role: String,
    /// Each day of the period, when asked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<DayCapacity>,
    /// Each ISO week (clipped to the period), when asked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weeks: Vec<PeriodCapacity>,
    /// Each calendar month (clipped to the period), when asked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub months: Vec<PeriodCapacity>,
    /// The whole period.
    pub total: PeriodCapacity,
}

/// One day's capacity and why.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DayCapacity {
    /// The local date.
    pub date: NaiveDate,
    /// Within the employment dates.
    pub employed: bool,
    /// `effective_from` of the schedule version in force, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_from: Option<NaiveDate>,
    /// Hours the schedule gives the weekday (0 when not employed).
    pub scheduled: Decimal,
    /// Hours lost to a holiday.
    pub holiday: Decimal,
    /// The holiday's name, when the day is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holiday_name: Option<String>,
    /// Hours lost to leave.
    pub leave: Decimal,
    /// `scheduled - holiday - leave`.
    pub capacity: Decimal,
}

/// Capacity summed over a week, a month or the whole period.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PeriodCapacity {
    /// `2026-W10`, `2026-03`, or `2026-03-01..2026-03-31` for the whole period.
    pub period: String,
    /// First day counted (clipped to the planning period).
    pub start: NaiveDate,
    /// Last day counted.
    pub end: NaiveDate,
    /// Scheduled hours.
    pub scheduled: Decimal,
    /// Hours lost to holidays.
    pub holiday: Decimal,
    /// Hours lost to leave.
    pub leave: Decimal,
    /// `scheduled - holiday - leave`.
    pub capacity: Decimal,
}
