//! Forecast revenue (SPEC §10) per contract or opportunity per month:
//! allocated hours × the hourly rate rate application gives × probability
//! (tentative opportunity allocations) or 1, converted to a reporting
//! currency.
//!
//! The rate comes from [`rates::rate`] itself: each allocated day becomes a
//! synthetic approved one-hour entry of the allocation's worker on its
//! project, dated that day, and the line's `hourly_rate` (the rule that
//! matched by SPEC §5 precedence, card FX, day rates ÷ hours per day) prices
//! the day's hours. An opportunity's allocations are priced as a project
//! `opportunity:<id>` under the opportunity's `contract_id`, or under a
//! contract `opportunity:<id>` of the opportunity's customer on its
//! `rate_card_id`, in the card's currency. Overtime premiums and duration
//! rounding do not apply to planned hours.
//!
//! Revenue follows the rated line's purpose (SPEC §5.9), as an invoice would
//! bill it: only time-and-materials labour ([`Purpose::Billing`]) on a
//! billable project is revenue. Fixed-fee and retainer labour
//! ([`Purpose::Wip`]) is valued at the rate as work in progress
//! (`wip_amount`), outside `amount`: its revenue comes from milestones or the
//! retainer. Non-billable labour (a `non_billable` contract, or a project with
//! `billable: false`) is [`Purpose::Cost`]: hours only. Every hour stays in
//! the row's `committed_hours`/`tentative_hours`; `non_revenue_hours` says
//! how many of them are not revenue.
//!
//! Amounts are kept unrounded until a row is reported: `amount` and
//! `weighted_amount` round to the currency's minor units half away from
//! zero. The reporting conversion uses the FX table and policy with the rate
//! on or before the month's last day (or a fixed `fx_date`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use super::Plan;
use super::period::{last_of_month, month_label};
use crate::error::{Code, Error, Result};
use crate::model::{
    Allocation, AllocationStatus, ApprovalStatus, Contract, Customer, Opportunity, Project, RateCard, TimesheetEntry,
};
use crate::money::{Currency, Money, RoundingMode, checked, convert, overflow, round_to_scale};
use crate::rates::{self, MasterData, Purpose, RateOptions, Tables};

/// What a forecast reads besides the plan.
#[derive(Debug, Clone, Copy)]
pub struct ForecastInputs<'a> {
    /// Contracts (ERP).
    pub contracts: &'a [Contract],
    /// Projects (PSA).
    pub projects: &'a [Project],
    /// Rate cards.
    pub rate_cards: &'a [RateCard],
    /// Customers.
    pub customers: &'a [Customer],
    /// Opportunities (CRM), for probability and pricing of their allocations.
    pub opportunities: &'a [Opportunity],
    /// FX table and policy (card → contract and contract → reporting), holidays.
    pub options: &'a RateOptions,
    /// The currency the forecast is reported in.
    pub reporting_currency: Currency,
    /// Convert every month at this date; absent: at each month's last day.
    pub fx_date: Option<NaiveDate>,
}

/// A rate that priced some of a row's hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct RateUsed {
    /// The rate card.
    pub rate_card_id: String,
    /// The rule that matched.
    pub rule_id: String,
    /// Per hour, in the row's currency.
    pub hourly_rate: Decimal,
    /// Hours priced at it.
    pub hours: Decimal,
    /// What these hours are worth to the firm: `billing` (revenue, in `amount`), `wip` (fixed-fee or retainer
    /// work in progress, in `wip_amount`) or `cost` (non-billable: hours only).
    pub purpose: Purpose,
}

/// The row in the reporting currency.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Reporting {
    /// Reporting currency.
    pub currency: Currency,
    /// `amount` converted.
    pub amount: Decimal,
    /// `weighted_amount` converted (from the unrounded weighted amount).
    pub weighted_amount: Decimal,
    /// `wip_amount` converted.
    pub wip_amount: Decimal,
    /// The rate applied (row currency → reporting currency).
    pub fx_rate: Decimal,
    /// Conversion date asked.
    pub fx_date: NaiveDate,
    /// Date of the table rate used.
    pub fx_as_of: NaiveDate,
    /// `identity`, `direct`, `inverse` or `triangulated`.
    pub fx_method: String,
}

/// One contract's or opportunity's month.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ForecastRow {
    /// The contract, for allocations on projects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// The opportunity, for allocations on opportunities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opportunity_id: Option<String>,
    /// `2026-03`.
    pub month: String,
    /// The contract's (or priced opportunity's) currency.
    pub currency: Currency,
    /// Committed hours priced.
    pub committed_hours: Decimal,
    /// Tentative hours priced.
    pub tentative_hours: Decimal,
    /// Of `committed_hours + tentative_hours`, the hours that are not revenue: fixed-fee, retainer or
    /// non-billable labour.
    pub non_revenue_hours: Decimal,
    /// Revenue: hours × rate of the revenue hours (time and materials on a billable project), committed and
    /// tentative, rounded to minor units.
    pub amount: Decimal,
    /// The opportunity's probability (percent) applied to tentative hours; absent for contracts (factor 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<Decimal>,
    /// `committed amount + tentative amount × probability / 100`, unrounded.
    pub weighted_unrounded: Decimal,
    /// `weighted_unrounded` rounded to minor units.
    pub weighted_amount: Decimal,
    /// Fixed-fee and retainer hours × rate (work in progress, not revenue), unweighted, rounded to minor units;
    /// in the row's currency only.
    pub wip_amount: Decimal,
    /// The rates that priced the hours.
    pub rates: Vec<RateUsed>,
    /// In the reporting currency, unless the FX rate is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting: Option<Reporting>,
    /// Why there is no reporting amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fx_error: Option<Error>,
}

/// Allocated hours that could not be priced (never dropped silently).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Unpriced {
    /// The allocation.
    pub allocation_id: String,
    /// Days in the period with the error.
    pub days: usize,
    /// Their hours.
    pub hours: Decimal,
    /// The error (its first occurrence).
    pub error: Error,
}

/// The forecast.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Forecast {
    /// Reporting currency.
    pub reporting_currency: Currency,
    /// By contracts then opportunities, by id, by month.
    pub rows: Vec<ForecastRow>,
    /// Hours that could not be priced.
    pub unpriced: Vec<Unpriced>,
}

/// Who a row belongs to: contracts sort before opportunities.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Subject {
    Contract(String),
    Opportunity(String),
}

#[derive(Default)]
struct Acc {
    currency: Option<Currency>,
    committed_hours: Decimal,
    tentative_hours: Decimal,
    committed_amount: Decimal,
    tentative_amount: Decimal,
    non_revenue_hours: Decimal,
    wip_amount: Decimal,
    /// Hours by (card, rule, hourly rate, purpose rank: billing, wip, cost).
    rates: BTreeMap<(String, String, Decimal, u8), Decimal>,
    month_end: Option<NaiveDate>,
}

/// The forecast of `plan` (see the module docs). Free function form of [`Plan::forecast`].
pub fn forecast(plan: &Plan<'_, '_>, inputs: &ForecastInputs<'_>) -> Result<Forecast> {
    plan.forecast(inputs)
}

/// Purposes in the order a row lists its rates: revenue first.
const PURPOSES: [Purpose; 3] = [Purpose::Billing, Purpose::Wip, Purpose::Cost];

fn rank(purpose: Purpose) -> u8 {
    PURPOSES.iter().position(|p| *p == purpose).unwrap_or(0) as u8
}

fn synthetic_id(opp: &str) -> String {
    format!("opportunity:{opp}")
}

fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::new(Code::InvalidValue, e.to_string()))
}

impl Plan<'_, '_> {
    /// Forecast revenue per contract or opportunity per month over the period.
    /// Opportunities with one id, or a probability outside 0 to 100, are
    /// refused (`duplicate_id`, `invalid_value`, path `opportunities[i]...`).
    pub fn forecast(&self, inputs: &ForecastInputs<'_>) -> Result<Forecast> {
        super::check_opportunities(inputs.opportunities)?;
        let grid = self.grid;
        let opportunities: BTreeMap<&str, &Opportunity> =
            inputs.opportunities.iter().map(|o| (o.id.as_str(), o)).collect();
        let opportunity_index: BTreeMap<&str, usize> =
            inputs.opportunities.iter().enumerate().map(|(j, o)| (o.id.as_str(), j)).collect();
        // The id an opportunity is priced under must not be one of the caller's: name the caller's record.
        let project_ids: Vec<&str> = inputs.projects.iter().map(|p| p.id.as_str()).collect();
        let contract_ids: Vec<&str> = inputs.contracts.iter().map(|k| k.id.as_str()).collect();
        let taken = |kind: &str, ids: &[&str], opp: &str| -> Result<()> {
            let synthetic = synthetic_id(opp);
            match ids.iter().position(|x| *x == synthetic) {
                Some(k) => Err(Error::new(
                    Code::DuplicateId,
                    format!(
                        "`{synthetic}` is the id the forecast prices opportunity `{opp}` under (opportunities[{}]); \
                         rename the {}",
                        opportunity_index.get(opp).copied().unwrap_or(0),
                        if kind == "projects" { "project" } else { "contract" }
                    ),
                )
                .at(format!("{kind}[{k}].id"))),
                None => Ok(()),
            }
        };
        let cards: BTreeMap<&str, &RateCard> = inputs.rate_cards.iter().map(|c| (c.id.as_str(), c)).collect();
        // Synthetic projects (and contracts) pricing each opportunity, or why it cannot be priced.
        let mut contracts = inputs.contracts.to_vec();
        let mut projects = inputs.projects.to_vec();
        let mut pricing: BTreeMap<&str, std::result::Result<(), Error>> = BTreeMap::new();
        for a in self.allocations.iter().filter(|a| a.status != AllocationStatus::Released) {
            let Some(id) = a.opportunity_id.as_deref().filter(|_| a.project_id.is_none()) else { continue };
            if pricing.contains_key(id) {
                continue;
            }
            let at = |field: &str| format!("opportunities[{}]{field}", opportunity_index.get(id).copied().unwrap_or(0));
            let outcome = match opportunities.get(id) {
                None => Err(Error::new(Code::UnknownReference, format!("no opportunity has id `{id}`"))),
                Some(o) => match (&o.contract_id, &o.rate_card_id) {
                    (Some(k), _) => {
                        taken("projects", &project_ids, id)?;
                        projects.push(parse(serde_json::json!({
                            "id": synthetic_id(id), "contract_id": k, "status": "open"}))?);
                        Ok(())
                    }
                    (None, Some(card)) => match cards.get(card.as_str()) {
                        Some(c) => {
                            taken("projects", &project_ids, id)?;
                            taken("contracts", &contract_ids, id)?;
                            contracts.push(parse(serde_json::json!({
                                "id": synthetic_id(id), "customer_id": o.customer_id, "currency": c.currency,
                                "billing_type": "time_and_materials", "start": o.expected_start,
                                "rate_card_id": card, "billing_schedule": "monthly"}))?);
                            projects.push(parse(serde_json::json!({
                                "id": synthetic_id(id), "contract_id": synthetic_id(id), "status": "open"}))?);
                            Ok(())
                        }
                        None => Err(Error::new(
                            Code::UnknownReference,
                            format!("opportunity `{id}` names rate card `{card}`, which is absent"),
                        )
                        .at(at(".rate_card_id"))),
                    },
                    (None, None) => Err(Error::new(
                        Code::RateMissing,
                        format!("opportunity `{id}` names neither a contract_id nor a rate_card_id to price it"),
                    )
                    .at(at(""))),
                },
            };
            pricing.insert(id, outcome);
        }
        // One synthetic one-hour entry per allocated day in the period.
        let mut entries: Vec<TimesheetEntry> = Vec::new();
        let mut meta: Vec<(u32, Decimal)> = Vec::new();
        let mut unpriced: BTreeMap<(u32, String), Unpriced> = BTreeMap::new();
        let mut spreader = super::load::Spreader::default();
        let window = grid.offset..grid.offset + grid.len;
        for (w, list) in self.load.by_worker.iter().enumerate() {
            for &i in list {
                let a = &self.allocations[i as usize];
                let mut days: Vec<(usize, Decimal)> = Vec::new();
                spreader.spread(grid, w, a, |d, h| {
                    if window.contains(&d) {
                        days.push((d, h));
                    }
                })?;
                let project = match (&a.project_id, &a.opportunity_id) {
                    (Some(p), _) => Ok(p.clone()),
                    (None, Some(o)) => match pricing.get(o.as_str()) {
                        Some(Ok(())) => Ok(synthetic_id(o)),
                        Some(Err(e)) => Err(e.clone()),
                        None => Err(Error::new(Code::UnknownReference, format!("no opportunity has id `{o}`"))),
                    },
                    (None, None) => Err(Error::new(
                        Code::MissingField,
                        format!("allocation `{}` names neither a project nor an opportunity", a.id),
                    )),
                };
                match project {
                    Ok(project_id) => {
                        for (d, h) in days {
                            entries.push(TimesheetEntry {
                                // By position: unique even when two allocations share an id.
                                id: format!("allocations[{i}]@{}", grid.date(d)),
                                version: 1,
                                worker_id: a.worker_id.clone(),
                                project_id: project_id.clone(),
                                task_id: None,
                                date: grid.date(d),
                                hours: Decimal::ONE,
                                billable: true,
                                status: ApprovalStatus::Approved,
                                approved_by: None,
                                adjustment: None,
                                notes: None,
                            });
                            meta.push((i, h));
                        }
                    }
                    Err(e) => {
                        let e = caller_error(e, i as usize, a, &opportunity_index);
                        for (_, h) in days {
                            note_unpriced(&mut unpriced, i, &a.id, h, &e)?;
                        }
                    }
                }
            }
        }
        let master = MasterData::new(Tables {
            workers: grid.workers,
            customers: inputs.customers,
            contracts: &contracts,
            projects: &projects,
            rate_cards: inputs.rate_cards,
        })?;
        let project_billable: BTreeMap<&str, bool> = projects.iter().map(|p| (p.id.as_str(), p.billable)).collect();
        let mut rows: BTreeMap<(Subject, String), Acc> = BTreeMap::new();
        for (outcome, (e, &(i, hours))) in
            rates::rate(&master, &entries, inputs.options)?.into_iter().zip(entries.iter().zip(&meta))
        {
            let a = &self.allocations[i as usize];
            let line = match outcome {
                Ok(line) => line,
                Err(err) => {
                    let err = caller_error(err, i as usize, a, &opportunity_index);
                    note_unpriced(&mut unpriced, i, &a.id, hours, &err)?;
                    continue;
                }
            };
            let subject = match (&a.project_id, &a.opportunity_id) {
                (None, Some(o)) => Subject::Opportunity(o.clone()),
                _ => Subject::Contract(line.contract_id.to_string()),
            };
            let acc = rows.entry((subject, month_label(e.date))).or_default();
            acc.month_end.get_or_insert(last_of_month(e.date));
            acc.currency.get_or_insert(line.currency);
            let value = hours.checked_mul(line.hourly_rate).ok_or_else(overflow)?;
            // Revenue as an invoice would bill it: the line's purpose, and no revenue from a non-billable project.
            let purpose = if project_billable.get(e.project_id.as_str()).copied().unwrap_or(true) {
                line.purpose
            } else {
                Purpose::Cost
            };
            let (sum_hours, sum_amount) = if a.status == AllocationStatus::Committed {
                (&mut acc.committed_hours, &mut acc.committed_amount)
            } else {
                (&mut acc.tentative_hours, &mut acc.tentative_amount)
            };
            *sum_hours = checked::add(*sum_hours, hours)?;
            match purpose {
                Purpose::Billing => *sum_amount = checked::add(*sum_amount, value)?,
                Purpose::Wip => {
                    acc.wip_amount = checked::add(acc.wip_amount, value)?;
                    acc.non_revenue_hours = checked::add(acc.non_revenue_hours, hours)?;
                }
                Purpose::Cost => acc.non_revenue_hours = checked::add(acc.non_revenue_hours, hours)?,
            }
            let rate_hours = acc
                .rates
                .entry((
                    line.rule.rate_card_id.to_string(),
                    line.rule.rule_id.to_string(),
                    line.hourly_rate,
                    rank(purpose),
                ))
                .or_default();
            *rate_hours = checked::add(*rate_hours, hours)?;
        }
        let mut out = Vec::with_capacity(rows.len());
        for ((subject, month), acc) in rows {
            out.push(self.row(subject, month, acc, &opportunities, inputs)?);
        }
        Ok(Forecast {
            reporting_currency: inputs.reporting_currency,
            rows: out,
            unpriced: unpriced.into_values().collect(),
        })
    }

    fn row(
        &self,
        subject: Subject,
        month: String,
        acc: Acc,
        opportunities: &BTreeMap<&str, &Opportunity>,
        inputs: &ForecastInputs<'_>,
    ) -> Result<ForecastRow> {
        let currency = acc.currency.unwrap_or(inputs.reporting_currency);
        let scale = currency.require_minor_units()?;
        let mode = RoundingMode::HalfAwayFromZero;
        let (contract_id, opportunity_id, probability) = match subject {
            Subject::Contract(k) => (Some(k), None, None),
            Subject::Opportunity(o) => {
                let p = opportunities.get(o.as_str()).map(|x| x.probability);
                (None, Some(o), p)
            }
        };
        let factor = probability.map_or(Decimal::ONE, |p| p / Decimal::ONE_HUNDRED);
        let total = checked::add(acc.committed_amount, acc.tentative_amount)?;
        let weighted_unrounded = acc
            .tentative_amount
            .checked_mul(factor)
            .and_then(|t| t.checked_add(acc.committed_amount))
            .ok_or_else(overflow)?;
        let fx_date = inputs.fx_date.or(acc.month_end).unwrap_or(self.grid.period.end);
        let convert_both = || -> Result<Reporting> {
            let fx = &inputs.options;
            let a = convert(Money::new(total, currency), inputs.reporting_currency, fx_date, &fx.fx, &fx.fx_policy)?;
            let w = convert(
                Money::new(weighted_unrounded, currency),
                inputs.reporting_currency,
                fx_date,
                &fx.fx,
                &fx.fx_policy,
            )?;
            let wip = convert(
                Money::new(acc.wip_amount, currency),
                inputs.reporting_currency,
                fx_date,
                &fx.fx,
                &fx.fx_policy,
            )?;
            Ok(Reporting {
                currency: inputs.reporting_currency,
                amount: a.converted.amount,
                weighted_amount: w.converted.amount,
                wip_amount: wip.converted.amount,
                fx_rate: a.rate,
                fx_date,
                fx_as_of: a.as_of,
                fx_method: a.method,
            })
        };
        let (reporting, fx_error) = match convert_both() {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        };
        Ok(ForecastRow {
            contract_id,
            opportunity_id,
            month,
            currency,
            committed_hours: super::hours_out(acc.committed_hours)?,
            tentative_hours: super::hours_out(acc.tentative_hours)?,
            non_revenue_hours: super::hours_out(acc.non_revenue_hours)?,
            amount: round_to_scale(total, scale, mode)?,
            probability,
            weighted_unrounded,
            weighted_amount: round_to_scale(weighted_unrounded, scale, mode)?,
            wip_amount: round_to_scale(acc.wip_amount, scale, mode)?,
            rates: acc
                .rates
                .into_iter()
                .map(|((rate_card_id, rule_id, hourly_rate, purpose), hours)| RateUsed {
                    rate_card_id,
                    rule_id,
                    hourly_rate,
                    hours,
                    purpose: PURPOSES[purpose as usize],
                })
                .collect(),
            reporting,
            fx_error,
        })
    }
}

/// `error` with a path into the caller's request: rate application names the fields of the synthetic entry
/// of allocation `i` (`project_id`, `worker_id`, ...), which the caller never sent. An error that already
/// names a field of the request (`opportunities[j]...`) is kept.
fn caller_error(error: Error, i: usize, a: &Allocation, opportunity_index: &BTreeMap<&str, usize>) -> Error {
    if error.path.starts_with("opportunities[") {
        return error;
    }
    let on_opportunity = a.project_id.is_none();
    let path = match (error.path.as_str(), &a.opportunity_id) {
        // The project an opportunity is priced as bills under its `contract_id`.
        ("project_id", Some(o)) if on_opportunity => match opportunity_index.get(o.as_str()) {
            Some(j) => format!("opportunities[{j}].contract_id"),
            None => format!("allocations[{i}].opportunity_id"),
        },
        ("", Some(_)) if on_opportunity && error.code == Code::UnknownReference => {
            format!("allocations[{i}].opportunity_id")
        }
        ("project_id", _) => format!("allocations[{i}].project_id"),
        ("worker_id", _) => format!("allocations[{i}].worker_id"),
        _ => format!("allocations[{i}]"),
    };
    error.at(path)
}

fn note_unpriced(
    map: &mut BTreeMap<(u32, String), Unpriced>,
    i: u32,
    id: &str,
    hours: Decimal,
    error: &Error,
) -> Result<()> {
    let u = map.entry((i, error.code.as_str().to_string())).or_insert_with(|| Unpriced {
        allocation_id: id.to_string(),
        days: 0,
        hours: Decimal::ZERO,
        error: error.clone(),
    });
    u.days += 1;
    u.hours = checked::add(u.hours, hours)?;
    Ok(())
}
