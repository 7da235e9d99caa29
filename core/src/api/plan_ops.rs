//! `plan` as a document: shared inputs at the top, one optional sub-request
//! per report, one response section per sub-request asked.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiVersion, Operation};
use crate::error::{Code, Error, Result};
use crate::model::{Allocation, Contract, Customer, Opportunity, Project, RateCard, TimesheetEntry, Worker};
use crate::money::{Currency, FxPolicy, FxRate, FxTable};
use crate::planning::{
    Calendar, CapacityGrid, CapacityReport, DateRange, DemandChange, DemandChangeRequest, DemandState, Forecast,
    ForecastInputs, Granularity, Holiday, Leave, OverAllocation, OverAllocationPolicy, Plan as Planner, Reconciliation,
    SkillGaps, StagePolicy, Tolerance, Utilization, demand_change, reconcile,
};
use crate::rates::{Holidays, RateOptions};
use crate::wire;

fn capacity_default() -> Vec<Granularity> {
    vec![Granularity::Day, Granularity::Week, Granularity::Month]
}

fn utilization_default() -> Vec<Granularity> {
    vec![Granularity::Week, Granularity::Month, Granularity::Range]
}

/// The `capacity` sub-request.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct CapacityAsk {
    /// Which breakdowns: `day`, `week`, `month` (default all three); the whole period is always given.
    #[serde(default = "capacity_default")]
    pub granularity: Vec<Granularity>,
}

/// The `utilization` sub-request.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct UtilizationAsk {
    /// Which breakdowns: `week`, `month`, `range` (default all three).
    #[serde(default = "utilization_default")]
    pub granularity: Vec<Granularity>,
}

/// The `skill_gaps` sub-request (no options: `{}`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct SkillGapsAsk {}

/// The `forecast` sub-request.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ForecastAsk {
    /// Report in this currency.
    pub reporting_currency: Currency,
    /// Convert every month at this date (a budget rate); absent: at each month's last day.
    #[serde(default, deserialize_with = "wire::opt_date")]
    pub fx_date: Option<NaiveDate>,
}

/// The `reconciliation` sub-request (needs `forecast`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct ReconciliationAsk {
    /// How far the views may disagree.
    #[serde(default)]
    pub tolerance: Tolerance,
}

/// Resource planning over a period: ask for any of the sections.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PlanRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The planning period, both ends inclusive (needed by every section but `demand_change`).
    #[serde(default)]
    pub period: Option<DateRange>,
    /// Workers (HRIS), with schedules, employment, skills and country.
    #[serde(default)]
    pub workers: Vec<Worker>,
    /// Leave, full or partial days.
    #[serde(default)]
    pub leave: Vec<Leave>,
    /// Holidays, for everyone or one country.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    /// Allocations (PSA).
    #[serde(default)]
    pub allocations: Vec<Allocation>,
    /// Timesheet entries, for billable utilization.
    #[serde(default)]
    pub entries: Vec<TimesheetEntry>,
    /// Opportunities (CRM).
    #[serde(default)]
    pub opportunities: Vec<Opportunity>,
    /// Contracts (ERP), for the forecast.
    #[serde(default)]
    pub contracts: Vec<Contract>,
    /// Projects (PSA), for the forecast.
    #[serde(default)]
    pub projects: Vec<Project>,
    /// Rate cards, for the forecast.
    #[serde(default)]
    pub rate_cards: Vec<RateCard>,
    /// Customers.
    #[serde(default)]
    pub customers: Vec<Customer>,
    /// FX table, for the forecast.
    #[serde(default)]
    pub fx_rates: Vec<FxRate>,
    /// Inverse and pivot policy, and the rounding of converted amounts.
    #[serde(default)]
    pub fx_policy: FxPolicy,
    /// Stage → demand rows added to (or replacing rows of) the default policy.
    #[serde(default, deserialize_with = "crate::wire::unique_keys")]
    pub stage_policy: BTreeMap<String, DemandState>,
    /// Capacity per worker by day, week and month.
    #[serde(default)]
    pub capacity: Option<CapacityAsk>,
    /// Utilization per worker and role.
    #[serde(default)]
    pub utilization: Option<UtilizationAsk>,
    /// Over-allocated ranges.
    #[serde(default)]
    pub over_allocation: Option<OverAllocationPolicy>,
    /// Demand lines no one can fill.
    #[serde(default)]
    pub skill_gaps: Option<SkillGapsAsk>,
    /// Forecast revenue per contract or opportunity per month.
    #[serde(default)]
    pub forecast: Option<ForecastAsk>,
    /// CRM, PSA and ERP views compared.
    #[serde(default)]
    pub reconciliation: Option<ReconciliationAsk>,
    /// An opportunity's stage change.
    #[serde(default)]
    pub demand_change: Option<DemandChangeRequest>,
}

/// One section per sub-request asked.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// Capacity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacityReport>,
    /// Utilization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utilization: Option<Utilization>,
    /// Over-allocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_allocation: Option<OverAllocation>,
    /// Skill gaps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skill_gaps: Option<SkillGaps>,
    /// Forecast.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<Forecast>,
    /// Reconciliation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<Reconciliation>,
    /// Demand change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demand_change: Option<DemandChange>,
}

/// The `plan` operation.
pub struct Plan;

impl Operation for Plan {
    const NAME: &'static str = "plan";
    type Request = PlanRequest;
    type Response = PlanResponse;

    fn run(r: PlanRequest) -> Result<PlanResponse> {
        let policy = StagePolicy::with(&r.stage_policy);
        let mut out = PlanResponse {
            api_version: ApiVersion,
            capacity: None,
            utilization: None,
            over_allocation: None,
            skill_gaps: None,
            forecast: None,
            reconciliation: None,
            demand_change: None,
        };
        // Checked here so that the error's path is not put under `demand_change`: what `validate` refuses of an
        // allocation (reversed, hours, both or neither of project and opportunity, one id twice), and, when the
        // request sends workers, an allocation of an unknown worker (`demand_change` needs no workers).
        crate::planning::check_allocations(&r.allocations)?;
        if let Some(change) = &r.demand_change {
            if !r.workers.is_empty() {
                let known: BTreeSet<&str> = r.workers.iter().map(|w| w.id.as_str()).collect();
                if let Some((i, a)) =
                    r.allocations.iter().enumerate().find(|(_, a)| !known.contains(a.worker_id.as_str()))
                {
                    return Err(Error::new(Code::UnknownReference, format!("no worker has id `{}`", a.worker_id))
                        .at(format!("allocations[{i}].worker_id")));
                }
            }
            out.demand_change =
                Some(demand_change(change, &r.allocations, &policy).map_err(|e| e.under("demand_change"))?);
        }
        let needs_period = r.capacity.is_some()
            || r.utilization.is_some()
            || r.over_allocation.is_some()
            || r.skill_gaps.is_some()
            || r.forecast.is_some()
            || r.reconciliation.is_some();
        if !needs_period {
            return Ok(out);
        }
        let period = r.period.ok_or_else(|| {
            Error::new(
                Code::MissingField,
                "`period` is needed for capacity, utilization, over-allocation, skill gaps and forecast",
            )
            .at("period")
        })?;
        let grid =
            CapacityGrid::new(&Calendar { period, workers: &r.workers, leave: &r.leave, holidays: &r.holidays })?;
        if let Some(ask) = &r.capacity {
            out.capacity = Some(grid.report(&ask.granularity)?);
        }
        let plan = Planner::new(&grid, &r.allocations)?;
        if let Some(ask) = &r.utilization {
            out.utilization = Some(plan.utilization(&r.entries, &ask.granularity)?);
        }
        if let Some(policy) = &r.over_allocation {
            out.over_allocation = Some(plan.over_allocation(policy)?);
        }
        if r.skill_gaps.is_some() {
            out.skill_gaps = Some(plan.skill_gaps(&r.opportunities, &policy)?);
        }
        if r.reconciliation.is_some() && r.forecast.is_none() {
            return Err(Error::new(
                Code::MissingField,
                "`reconciliation` compares against the forecast: ask for `forecast` too",
            )
            .at("forecast"));
        }
        if let Some(ask) = &r.forecast {
            let options = RateOptions {
                holidays: Holidays::new(&r.holidays.iter().map(|h| h.date).collect::<Vec<_>>()),
                fx: FxTable::new(&r.fx_rates).map_err(|e| e.under("fx_rates"))?,
                fx_policy: r.fx_policy,
                fx_date: ask.fx_date,
                invoice_date: None,
                period_end: None,
            };
            let forecast = plan.forecast(&ForecastInputs {
                contracts: &r.contracts,
                projects: &r.projects,
                rate_cards: &r.rate_cards,
                customers: &r.customers,
                opportunities: &r.opportunities,
                options: &options,
                reporting_currency: ask.reporting_currency,
                fx_date: ask.fx_date,
            })?;
            if let Some(rec) = &r.reconciliation {
                out.reconciliation = Some(reconcile(
                    &plan,
                    &forecast,
                    &r.opportunities,
                    &policy,
                    (&options.fx, &options.fx_policy),
                    ask.fx_date,
                    &rec.tolerance,
                )?);
            }
            out.forecast = Some(forecast);
        }
        Ok(out)
    }
}
