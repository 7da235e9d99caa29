//! Utilization (SPEC §10), per worker, per role and per period:
//!
//! - billable utilization = approved billable hours recorded ÷ capacity;
//! - committed, tentative and scheduled (committed + tentative) utilization =
//!   allocated hours of that status ÷ capacity.
//!
//! Ratios are decimals (0.8500 is 85 %) rounded to 4 places half-even, and
//! null when the capacity is 0. A role's ratio is the sum of its workers'
//! hours over the sum of their capacities (hours-weighted), not an average of
//! ratios.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use super::period::{Bucket, Granularity};
use super::{Plan, hours_out, ratio};
use crate::error::{Code, Error, Result};
use crate::model::{ApprovalStatus, TimesheetEntry};
use crate::money::checked;

/// Hours of one period, before ratios.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    capacity: Decimal,
    billable: Decimal,
    committed: Decimal,
    tentative: Decimal,
}

impl Sums {
    fn add(&mut self, o: &Sums) -> Result<()> {
        self.capacity = checked::add(self.capacity, o.capacity)?;
        self.billable = checked::add(self.billable, o.billable)?;
        self.committed = checked::add(self.committed, o.committed)?;
        self.tentative = checked::add(self.tentative, o.tentative)?;
        Ok(())
    }

    fn row(&self, b: &Bucket) -> Result<UtilizationRow> {
        Ok(UtilizationRow {
            period: b.label.clone(),
            start: b.start,
            end: b.end,
            capacity: hours_out(self.capacity)?,
            billable_hours: hours_out(self.billable)?,
            committed_hours: hours_out(self.committed)?,
            tentative_hours: hours_out(self.tentative)?,
            billable_utilization: ratio(self.billable, self.capacity)?,
            committed_utilization: ratio(self.committed, self.capacity)?,
            tentative_utilization: ratio(self.tentative, self.capacity)?,
            scheduled_utilization: ratio(checked::add(self.committed, self.tentative)?, self.capacity)?,
        })
    }
}

/// The checks `validate`, rate application and eligibility make of the same entries, before any is
/// counted: ids unique, hours in 0 < hours <= 24 (rate), each worker-day at most 24 hours, rejected entries
/// left out (eligibility).
fn check_entries(entries: &[TimesheetEntry]) -> Result<()> {
    crate::rates::unique_ids("entries", entries.iter().map(|e| e.id.as_str()))?;
    let mut worker_day: BTreeMap<(&str, NaiveDate), Decimal> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let bad = |message: String| Err(Error::new(Code::InvalidHours, message).at(format!("entries[{i}].hours")));
        if !crate::rates::hours_in_day(e.hours) {
            return bad(format!("hours {} must be above 0 and at most 24", e.hours));
        }
        if e.status == ApprovalStatus::Rejected {
            continue; // sent back: not part of the worker's day, as in eligibility
        }
        let total = worker_day.entry((e.worker_id.as_str(), e.date)).or_default();
        // Each term is at most 24, so the sum stays far inside the decimal range.
        *total += e.hours;
        if !crate::rates::hours_in_day(*total) {
            return bad(format!("`{}` records {} hours on {}, more than 24", e.worker_id, *total, e.date));
        }
    }
    Ok(())
}

impl Plan<'_, '_> {
    /// Utilization per worker and per role for the granularities asked
    /// (`week`, `month`, `range`; `day` is ignored here). `entries` are the
    /// timesheet entries: only approved billable ones dated in the period
    /// count, by their recorded hours; the others are counted in
    /// [`Utilization::entries`]. Every entry is checked, counted or not: an
    /// entry of an unknown worker is `unknown_reference` at
    /// `entries[i].worker_id`, a repeated id `duplicate_id` at `entries[i].id`,
    /// and hours outside 0 < hours <= 24, or a worker-day above 24 hours,
    /// `invalid_hours` at `entries[i].hours` (the entry that crosses 24) — as
    /// `validate`, rate application and eligibility say of the same entries.
    pub fn utilization(&self, entries: &[TimesheetEntry], granularities: &[Granularity]) -> Result<Utilization> {
        check_entries(entries)?;
        let grid = self.grid;
        let n = grid.rows.len();
        let mut billable: Vec<Vec<Decimal>> = vec![Vec::new(); n];
        let mut counts = EntryCounts::default();
        for (i, e) in entries.iter().enumerate() {
            let w = grid.worker_index(&e.worker_id).ok_or_else(|| {
                Error::new(Code::UnknownReference, format!("no worker has id `{}`", e.worker_id))
                    .at(format!("entries[{i}].worker_id"))
            })? as usize;
            if !grid.period.contains(e.date) {
                counts.outside_period += 1;
            } else if e.status != ApprovalStatus::Approved || !e.billable {
                counts.not_approved_billable += 1;
            } else if let Some(d) = grid.day(e.date) {
                counts.counted += 1;
                let row = &mut billable[w];
                if row.is_empty() {
                    *row = vec![Decimal::ZERO; grid.days];
                }
                row[d] = checked::add(row[d], e.hours)?;
            }
        }
        let mut kinds: Vec<(Granularity, Vec<Bucket>)> = Vec::new();
        for g in [Granularity::Week, Granularity::Month, Granularity::Range] {
            if granularities.contains(&g) {
                kinds.push((g, grid.buckets(g)));
            }
        }
        let mut workers = Vec::with_capacity(n);
        // Per role: the sums of each bucket of each granularity.
        let mut roles: BTreeMap<&str, (usize, Vec<Vec<Sums>>)> = BTreeMap::new();
        for (w, worker) in grid.workers.iter().enumerate() {
            let capacity = &grid.rows[w].capacity;
            let (committed, tentative, actual) = (&self.load.committed[w], &self.load.tentative[w], &billable[w]);
            let sum = |v: &[Decimal], b: &Bucket| {
                if v.is_empty() { Ok(Decimal::ZERO) } else { checked::sum(v[b.from..b.to].iter().copied()) }
            };
            let mut out = WorkerUtilization {
                worker_id: worker.id.clone(),
                role: worker.role.clone(),
                weeks: Vec::new(),
                months: Vec::new(),
                range: None,
            };
            let role = roles
                .entry(worker.role.as_str())
                .or_insert_with(|| (0, kinds.iter().map(|(_, bs)| vec![Sums::default(); bs.len()]).collect()));
            role.0 += 1;
            for (k, (g, bs)) in kinds.iter().enumerate() {
                let mut rows = Vec::with_capacity(bs.len());
                for (j, b) in bs.iter().enumerate() {
                    let s = Sums {
                        capacity: sum(capacity, b)?,
                        billable: sum(actual, b)?,
                        committed: sum(committed, b)?,
                        tentative: sum(tentative, b)?,
                    };
                    role.1[k][j].add(&s)?;
                    rows.push(s.row(b)?);
                }
                out.place(*g, rows);
            }
            workers.push(out);
        }
        let mut role_rows = Vec::with_capacity(roles.len());
        for (role, (count, sums)) in roles {
            let mut out = RoleUtilization {
                role: role.to_string(),
                workers: count,
                weeks: Vec::new(),
                months: Vec::new(),
                range: None,
            };
            for ((g, bs), s) in kinds.iter().zip(sums) {
                let rows = bs.iter().zip(&s).map(|(b, s)| s.row(b)).collect::<Result<Vec<_>>>()?;
                match g {
                    Granularity::Week => out.weeks = rows,
                    Granularity::Month => out.months = rows,
                    _ => out.range = rows.into_iter().next(),
                }
            }
            role_rows.push(out);
        }
        Ok(Utilization { workers, roles: role_rows, entries: counts })
    }
}

impl WorkerUtilization {
    fn place(&mut self, g: Granularity, rows: Vec<UtilizationRow>) {
        match g {
            Granularity::Week => self.weeks = rows,
            Granularity::Month => self.months = rows,
            _ => self.range = rows.into_iter().next(),
        }
    }
}

/// Utilization per worker and per role.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Utilization {
    /// One per worker, in input order.
    pub workers: Vec<WorkerUtilization>,
    /// One per role, by role name.
    pub roles: Vec<RoleUtilization>,
    /// What became of the timesheet entries.
    pub entries: EntryCounts,
}

/// Where every timesheet entry went: `counted + not_approved_billable + outside_period` = entries given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct EntryCounts {
    /// Approved, billable and in the period: their hours are the billable hours.
    pub counted: usize,
    /// In the period but not approved or not billable.
    pub not_approved_billable: usize,
    /// Dated outside the period.
    pub outside_period: usize,
}

/// One worker's utilization.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WorkerUtilization {
    /// The worker.
    pub worker_id: String,
    /// The worker's role.
    pub role: String,
    /// Each ISO week, when asked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weeks: Vec<UtilizationRow>,
    /// Each month, when asked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub months: Vec<UtilizationRow>,
    /// The whole period, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<UtilizationRow>,
}

/// One role's utilization: its workers' hours summed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RoleUtilization {
    /// The role.
    pub role: String,
    /// Workers with the role.
    pub workers: usize,
    /// Each ISO week, when asked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weeks: Vec<UtilizationRow>,
    /// Each month, when asked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub months: Vec<UtilizationRow>,
    /// The whole period, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<UtilizationRow>,
}

/// Hours and ratios of one period.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct UtilizationRow {
    /// `2026-W10`, `2026-03`, or `start..end` for the whole period.
    pub period: String,
    /// First day counted.
    pub start: NaiveDate,
    /// Last day counted.
    pub end: NaiveDate,
    /// Capacity hours.
    pub capacity: Decimal,
    /// Approved billable hours recorded.
    pub billable_hours: Decimal,
    /// Committed allocated hours.
    pub committed_hours: Decimal,
    /// Tentative allocated hours.
    pub tentative_hours: Decimal,
    /// `billable_hours / capacity`, 4 places half-even; null when capacity is 0.
    pub billable_utilization: Option<Decimal>,
    /// `committed_hours / capacity`.
    pub committed_utilization: Option<Decimal>,
    /// `tentative_hours / capacity`.
    pub tentative_utilization: Option<Decimal>,
    /// `(committed_hours + tentative_hours) / capacity`.
    pub scheduled_utilization: Option<Decimal>,
}
