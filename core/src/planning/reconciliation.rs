//! Reconciliation of the three views of an opportunity (SPEC §10): the CRM
//! (its amount, dates and demand), the PSA (its allocations) and the ERP
//! (the forecast priced from them). Every difference beyond the tolerance is
//! listed with both values.
//!
//! Checks, per opportunity that is not released:
//!
//! | field | left (view) | right (view) | tolerance |
//! |---|---|---|---|
//! | `amount` | `amount` converted to the reporting currency (crm) | forecast `amount` summed, reporting currency (erp) | `amount`, `percent` |
//! | `hours` | demand lines' hours in the period, `hours_per_week × days / 7` (crm) | allocated hours in the period (psa) | `hours`, `percent` |
//! | `priced_hours` | allocated hours in the period (psa) | hours the forecast priced (erp) | `hours`, `percent` |
//! | `start` | `expected_start` (crm) | earliest allocation start (psa) | `days` |
//! | `end` | `expected_end` (crm) | latest allocation end (psa) | `days` |
//!
//! A difference is within tolerance when it is within *any* limit given
//! (absolute, or percent of the left value); with no limit given only equal
//! values agree. A value one view has and the other lacks is always listed.
//! The CRM amount converts at the forecast's fixed `fx_date`, or else at the
//! period's last day; when it cannot be converted (no rate), or a forecast row
//! of the opportunity has no reporting amount, the `amount` difference is
//! listed with that side null and the conversion's `error` (also when the
//! other side has no value either), and the other opportunities are still
//! compared.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::demand::{DemandState, StagePolicy};
use super::forecast::Forecast;
use super::load::Spreader;
use super::{Plan, hours_out};
use crate::error::{Error, Result};
use crate::model::{AllocationStatus, Opportunity};
use crate::money::{FxPolicy, FxTable, RoundingMode, checked, convert, round_to_scale};
use crate::wire;

/// How far the views may disagree.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tolerance {
    /// Absolute amount, in the reporting currency.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// Absolute hours.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub hours: Option<Decimal>,
    /// Percent of the left (CRM, or PSA for `priced_hours`) value, for amounts and hours.
    #[serde(default, deserialize_with = "wire::opt_decimal", skip_serializing_if = "Option::is_none")]
    pub percent: Option<Decimal>,
    /// Days, for dates (default 0).
    #[serde(default)]
    pub days: u32,
}

/// A system's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// The CRM: the opportunity.
    Crm,
    /// The PSA: allocations.
    Psa,
    /// The ERP: the forecast.
    Erp,
}

/// Two views disagreeing beyond the tolerance.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Difference {
    /// The opportunity.
    pub opportunity_id: String,
    /// `amount`, `hours`, `priced_hours`, `start` or `end`.
    pub field: String,
    /// The first view.
    pub left_view: View,
    /// Its value (decimal or date text); null when the view has none.
    pub left: Option<String>,
    /// The second view.
    pub right_view: View,
    /// Its value.
    pub right: Option<String>,
    /// `right - left` (days for dates), when both exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<Decimal>,
    /// The difference as a percent of `left`, 2 places half-even, when `left` is not 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<Decimal>,
    /// Why a view has no value although its system holds one: the CRM amount or a forecast row
    /// could not be converted to the reporting currency (`fx_rate_missing`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

/// The differences found.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Reconciliation {
    /// The tolerance applied.
    pub tolerance: Tolerance,
    /// Opportunities compared.
    pub opportunities_checked: usize,
    /// The differences, by opportunity (input order), then field.
    pub differences: Vec<Difference>,
}

/// The reconciliation of `opportunities` against `plan`'s allocations and `forecast`.
pub fn reconcile(
    plan: &Plan<'_, '_>,
    forecast: &Forecast,
    opportunities: &[Opportunity],
    policy: &StagePolicy,
    fx: (&FxTable, &FxPolicy),
    fx_date: Option<NaiveDate>,
    tolerance: &Tolerance,
) -> Result<Reconciliation> {
    super::check_opportunities(opportunities)?;
    let grid = plan.grid;
    let period = grid.period;
    let mut differences = Vec::new();
    let mut checked = 0;
    let mut spreader = Spreader::default();
    let reporting = forecast.reporting_currency;
    for (o, opp) in opportunities.iter().enumerate() {
        if policy.state(&opp.stage).map_err(|e| e.at(format!("opportunities[{o}].stage")))? == DemandState::Release {
            continue;
        }
        checked += 1;
        let mut diff =
            |field: &str, left_view, left: Option<String>, right_view, right: Option<String>, d, p, error| {
                differences.push(Difference {
                    opportunity_id: opp.id.clone(),
                    field: field.to_string(),
                    left_view,
                    left,
                    right_view,
                    right,
                    difference: d,
                    percent: p,
                    error,
                })
            };
        // ERP: the forecast's rows of this opportunity.
        let rows: Vec<_> =
            forecast.rows.iter().filter(|r| r.opportunity_id.as_deref() == Some(opp.id.as_str())).collect();
        let erp_error = rows.iter().find_map(|r| r.fx_error.clone());
        let erp_amount = if rows.is_empty() || rows.iter().any(|r| r.reporting.is_none()) {
            None
        } else {
            // The value of the work the deal is priced at: revenue, and work in progress of fixed-fee and retainer
            // contracts (whose revenue comes from milestones or the retainer, not from the hours).
            let mut sum = Decimal::ZERO;
            for r in rows.iter().filter_map(|r| r.reporting.as_ref()) {
                sum = checked::add(sum, checked::add(r.amount, r.wip_amount)?)?;
            }
            Some(sum)
        };
        let priced = rows
            .iter()
            .try_fold(Decimal::ZERO, |s, r| checked::add(s, checked::add(r.committed_hours, r.tentative_hours)?))?;
        // PSA: the opportunity's allocations not released.
        let mut allocated = Decimal::ZERO;
        let mut first: Option<NaiveDate> = None;
        let mut last: Option<NaiveDate> = None;
        for a in plan
            .allocations
            .iter()
            .filter(|a| a.status != AllocationStatus::Released && a.opportunity_id.as_deref() == Some(opp.id.as_str()))
        {
            first = Some(first.map_or(a.start, |f| f.min(a.start)));
            last = Some(last.map_or(a.end, |l| l.max(a.end)));
            if let Some(w) = grid.worker_index(&a.worker_id) {
                spreader.spread(grid, w as usize, a, |d, h| {
                    if (grid.offset..grid.offset + grid.len).contains(&d) {
                        allocated += h;
                    }
                })?;
            }
        }
        // CRM.
        let (crm_amount, crm_error) = match &opp.amount {
            Some(m) => match convert(*m, reporting, fx_date.unwrap_or(period.end), fx.0, fx.1) {
                Ok(c) => (Some(c.converted.amount), None),
                Err(e) => (None, Some(e.at(format!("opportunities[{o}].amount")))),
            },
            None => (None, None),
        };
        let mut demand = Decimal::ZERO;
        for l in &opp.demand {
            let s = l.start.max(period.start);
            let e = l.end.min(period.end);
            let hours = if s > e {
                Decimal::ZERO
            } else {
                let days = Decimal::from((e - s).num_days() + 1);
                checked::div(checked::mul(l.hours_per_week, days)?, Decimal::from(7))?
            };
            demand = checked::add(demand, hours)?;
        }
        let demand = hours_out(demand)?;
        let allocated = hours_out(allocated)?;
        let quantities = [
            ("amount", View::Crm, crm_amount, View::Erp, erp_amount, tolerance.amount, crm_error.or(erp_error)),
            ("hours", View::Crm, Some(demand), View::Psa, Some(allocated), tolerance.hours, None),
            ("priced_hours", View::Psa, Some(allocated), View::Erp, Some(hours_out(priced)?), tolerance.hours, None),
        ];
        for (field, lv, l, rv, r, abs, error) in quantities {
            match (l, r) {
                (Some(l), Some(r)) => {
                    let d = checked::sub(r, l)?;
                    let pct = if l.is_zero() {
                        None
                    } else {
                        let p = checked::div(checked::mul(d, Decimal::ONE_HUNDRED)?, l)?;
                        Some(round_to_scale(p, 2, RoundingMode::HalfEven)?)
                    };
                    if !within(d, l, abs, tolerance.percent)? {
                        diff(field, lv, Some(l.to_string()), rv, Some(r.to_string()), Some(d), pct, None);
                    }
                }
                // Neither view has a value: nothing to compare, unless a conversion failed on the way.
                (None, None) if error.is_none() => {}
                (l, r) => diff(field, lv, l.map(|x| x.to_string()), rv, r.map(|x| x.to_string()), None, None, error),
            }
        }
        for (field, crm, psa) in [("start", opp.expected_start, first), ("end", opp.expected_end, last)] {
            match psa {
                Some(p) => {
                    let days = (p - crm).num_days();
                    if days.unsigned_abs() > u64::from(tolerance.days) {
                        diff(
                            field,
                            View::Crm,
                            Some(crm.to_string()),
                            View::Psa,
                            Some(p.to_string()),
                            Some(Decimal::from(days)),
                            None,
                            None,
                        );
                    }
                }
                None => diff(field, View::Crm, Some(crm.to_string()), View::Psa, None, None, None, None),
            }
        }
    }
    Ok(Reconciliation { tolerance: tolerance.clone(), opportunities_checked: checked, differences })
}

/// True when `d` is within any limit given; with none, only when it is 0.
fn within(d: Decimal, base: Decimal, abs: Option<Decimal>, percent: Option<Decimal>) -> Result<bool> {
    let mag = d.abs();
    Ok(match (abs, percent) {
        (None, None) => mag.is_zero(),
        _ if abs.is_some_and(|a| mag <= a) => true,
        _ => match percent {
            Some(p) => checked::mul(mag, Decimal::ONE_HUNDRED)? <= checked::mul(p, base.abs())?,
            None => false,
        },
    })
}
