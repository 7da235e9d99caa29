//! Rate application (SPEC §5): price timesheet entries against rate cards,
//! with duration rounding, write-ups and write-downs, overtime, weekend and
//! holiday premiums, FX, cost and margin, and the explanation of every number.
//!
//! Index the master data once with [`MasterData::new`], then [`rate`] a whole
//! batch: the result holds one outcome per entry, in input order.
//!
//! ```
//! use billable::model::{Contract, Project, RateCard, TimesheetEntry, Worker};
//! use billable::rates::{rate, MasterData, RateOptions, Tables};
//!
//! let workers: Vec<Worker> = serde_json::from_str(r#"[{"id": "w1", "name": "Ada", "role": "consultant",
//!     "employment": {"status": "active", "start": "2020-01-01"}}]"#).unwrap();
//! let contracts: Vec<Contract> = serde_json::from_str(r#"[{"id": "k1", "customer_id": "c1", "currency": "USD",
//!     "billing_type": "time_and_materials", "start": "2026-01-01", "rate_card_id": "rc",
//!     "billing_schedule": "monthly"}]"#).unwrap();
//! let projects: Vec<Project> = serde_json::from_str(r#"[{"id": "p1", "contract_id": "k1", "status": "open"}]"#).unwrap();
//! let cards: Vec<RateCard> = serde_json::from_str(r#"[{"id": "rc", "currency": "USD", "rules": [
//!     {"id": "default", "rate": "100.00"},
//!     {"id": "consultants-on-p1", "rate": "150.00", "role": "consultant", "project_id": "p1"}]}]"#).unwrap();
//! let entries: Vec<TimesheetEntry> = serde_json::from_str(r#"[{"id": "e1", "worker_id": "w1",
//!     "project_id": "p1", "date": "2026-03-02", "hours": "7.5", "status": "approved"}]"#).unwrap();
//!
//! let master = MasterData::new(Tables { workers: &workers, contracts: &contracts, projects: &projects,
//!     rate_cards: &cards, ..Tables::default() })?;
//! let lines = rate(&master, &entries, &RateOptions::default())?;
//! let line = lines[0].as_ref().unwrap();
//! // The project-level role rule (score 8) beats the card default (score 2): 7.5 h × 150.00.
//! assert_eq!((line.rule.rule_id.as_ref(), line.amount.to_string().as_str()), ("consultants-on-p1", "1125.00"));
//! # Ok::<(), billable::Error>(())
//! ```

mod duration;
mod line;
mod master;
mod matching;
mod overtime;
mod prepare;

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

pub use duration::{AdjustmentApplied, AdjustmentKind, Hours, RoundingApplied, round_duration};
pub use line::{CostApplied, FxApplied, FxFactors, FxMethod, LinePart, Parts, Purpose, RatedLine, RuleApplied};
pub use master::{MasterData, Tables};
pub use matching::{Candidate, CandidateResult, Candidates, Dimension, Scope, score};
pub use overtime::{Holidays, HourBlock, Premium, allocate_week, iso_week};

pub(crate) use master::{IdHasher, IdMap, unique_ids};
pub(crate) use prepare::also_failing;
use prepare::{Caches, Prepared, prepare};

use crate::error::Result;
use crate::model::{ApprovalStatus, Contract, FxDate, RateUnit, TimesheetEntry};
use crate::money::{Currency, FxPolicy, FxTable, Money, convert, overflow, round_to_scale};

/// Everything besides master data that rating reads.
#[derive(Debug, Clone, Default)]
pub struct RateOptions {
    /// Holidays, for the holiday multiplier.
    pub holidays: Holidays,
    /// FX rates, for rate cards (and cost rates) in another currency than the contract.
    pub fx: FxTable,
    /// Inverse and pivot policy for FX (its rounding mode is not used: lines round with the contract's mode).
    pub fx_policy: FxPolicy,
    /// Convert at this date (an invoice date or period end) when the contract names no `fx_date`; `None`
    /// converts at each entry's date.
    pub fx_date: Option<NaiveDate>,
    /// The invoice date, for a contract whose `fx_date` is `invoice_date` (`None`: `fx_date`, else the record's date).
    pub invoice_date: Option<NaiveDate>,
    /// The period end, for a contract whose `fx_date` is `period_end` (`None`: `fx_date`, else the record's date).
    pub period_end: Option<NaiveDate>,
}

impl RateOptions {
    /// The date a record of `contract` dated `date` converts at: the contract's `fx_date` when it names one,
    /// else this call's.
    pub fn conversion_date(&self, contract: &Contract, date: NaiveDate) -> NaiveDate {
        let fallback = self.fx_date.unwrap_or(date);
        match contract.fx_date {
            None => fallback,
            Some(FxDate::EntryDate) => date,
            Some(FxDate::InvoiceDate) => self.invoice_date.unwrap_or(fallback),
            Some(FxDate::PeriodEnd) => self.period_end.unwrap_or(fallback),
        }
    }
}

/// The FX rate from `from` to `to` on `date` under the options' table and policy.
pub(crate) fn fx_applied(from: Currency, to: Currency, date: NaiveDate, options: &RateOptions) -> Result<FxApplied> {
    let c = convert(Money::new(Decimal::ONE, from), to, date, &options.fx, &options.fx_policy)?;
    let method = match c.method.as_str() {
        "inverse" => FxMethod::Inverse,
        "triangulated" => FxMethod::Triangulated,
        _ => FxMethod::Direct,
    };
    let (multiply_by, divide_by) = crate::money::fx_factors(&c.path)?;
    let factors = (divide_by != Decimal::ONE).then_some(FxFactors { multiply_by, divide_by });
    Ok(FxApplied { from, to, rate: c.rate, date, as_of: c.as_of, method, factors })
}

/// `hours <= 24`, by mantissa and scale (no rescaling `Decimal` comparison).
#[inline]
pub(crate) fn at_most_a_day(hours: Decimal) -> bool {
    if hours.is_sign_negative() {
        return true;
    }
    // 24 × 10^28 fits an i128; a `Decimal`'s scale is at most 28.
    hours.mantissa() <= 24 * POW10[hours.scale() as usize]
}

/// 10^0 to 10^28: every power a `Decimal`'s scale can ask for.
const POW10: [i128; 29] = {
    let mut out = [1i128; 29];
    let mut i = 1;
    while i < 29 {
        out[i] = out[i - 1] * 10;
        i += 1;
    }
    out
};

/// `0 < hours <= 24`: the hours a timesheet entry (or a worker's day) may hold.
#[inline]
pub(crate) fn hours_in_day(hours: Decimal) -> bool {
    !hours.is_sign_negative() && !hours.is_zero() && at_most_a_day(hours)
}

/// The worker and project index of each entry (`None` when absent), looked up once per batch.
pub(crate) fn resolve(master: &MasterData<'_>, entries: &[TimesheetEntry]) -> Vec<(Option<u32>, Option<u32>)> {
    entries.iter().map(|e| (master.worker_index(&e.worker_id), master.project_index(&e.project_id))).collect()
}

/// Rate every entry of a batch. One outcome per entry, in input order; an
/// entry that cannot be rated gets its error (`invalid_hours`,
/// `unknown_reference`, `rate_missing`, `ambiguous_rate`, `fx_rate_missing`,
/// ...) with the path of the entry's field, and never stops the others.
///
/// Overtime thresholds see the hours of the entries in this batch only: pass
/// a worker's whole week to get weekly thresholds right.
///
/// Two entries with one id (the same entry delivered twice, or two versions
/// of it) fail the whole call with `duplicate_id` at `entries[i].id`, as in
/// [`assess`](crate::eligibility::assess): their hours would both count
/// toward the worker's daily and weekly thresholds and push the overtime
/// onto other entries. Keep the newest version of each entry before rating.
pub fn rate<'a>(
    master: &MasterData<'a>,
    entries: &'a [TimesheetEntry],
    options: &RateOptions,
) -> Result<Vec<Result<RatedLine<'a>>>> {
    unique_ids("entries", entries.iter().map(|e| e.id.as_str()))?;
    Ok(rate_resolved(master, entries, &resolve(master, entries), options))
}

/// [`rate`] with the entries' worker and project already resolved (see [`resolve`]).
pub(crate) fn rate_resolved<'a>(
    master: &MasterData<'a>,
    entries: &'a [TimesheetEntry],
    resolved: &[(Option<u32>, Option<u32>)],
    options: &RateOptions,
) -> Vec<Result<RatedLine<'a>>> {
    let mut out = Vec::with_capacity(entries.len());
    rate_each(master, entries, resolved, options, |line| line, |_, line| out.push(line));
    out
}

/// [`rate_resolved`] handing each entry's outcome to `each` (with the entry's
/// index, in input order) as soon as it is priced, so a caller that keeps
/// the line elsewhere never holds a vector of them.
///
/// Only the entries under an overtime policy need the others of their week
/// before they can be priced: they are prepared first and split into hour
/// blocks per worker, contract and ISO week. Every other entry is prepared
/// and priced in one go, in the same pass that hands out the results.
///
/// `wrap` takes each line where it is built (a caller that boxes its lines
/// boxes them there, and moves a pointer from then on).
pub(crate) fn rate_each<'a, T>(
    master: &MasterData<'a>,
    entries: &'a [TimesheetEntry],
    resolved: &[(Option<u32>, Option<u32>)],
    options: &RateOptions,
    wrap: impl Fn(RatedLine<'a>) -> T + Copy,
    mut each: impl FnMut(usize, Result<T>),
) {
    let mut caches = Caches::default();
    let has_overtime = |(_, project): (Option<u32>, Option<u32>)| {
        project
            .and_then(|p| master.projects[p as usize].contract)
            .is_some_and(|c| master.contracts[c as usize].contract.overtime.is_some())
    };
    // The input positions of the entries under a policy, and their preparations, in input order.
    let at: Vec<usize> = (0..entries.len()).filter(|&i| has_overtime(resolved[i])).collect();
    let early: Vec<Result<Prepared<'a>>> =
        at.iter().map(|&i| prepare(master, &entries[i], resolved[i], options, &mut caches)).collect();
    let blocks = premiums(master, entries, &at, &early, options);
    // Only the positions are peeked at: a preparation is moved once, into `finish`.
    let mut at = at.into_iter().peekable();
    let mut early = early.into_iter().zip(blocks);
    for (i, (e, &r)) in entries.iter().zip(resolved).enumerate() {
        let line = match at.next_if_eq(&i).and_then(|_| early.next()) {
            Some((p, b)) => p.and_then(|p| finish(master, e, p, b?, options, &mut caches, wrap)),
            // Without a policy, `finish` prices one normal block.
            None => prepare(master, e, r, options, &mut caches)
                .and_then(|p| finish(master, e, p, Vec::new(), options, &mut caches, wrap)),
        };
        each(i, line);
    }
}

/// The hour blocks of the prepared entries under an overtime policy (`at`:
/// their input positions, `early`: their preparations, both in input order):
/// split by the policy of their contract, per worker, contract and ISO week.
/// One result per item of `early`.
fn premiums(
    master: &MasterData<'_>,
    entries: &[TimesheetEntry],
    at: &[usize],
    early: &[Result<Prepared<'_>>],
    options: &RateOptions,
) -> Vec<Result<Vec<HourBlock>>> {
    let mut out: Vec<Result<Vec<HourBlock>>> = (0..early.len()).map(|_| Ok(Vec::new())).collect();
    // Every entry under a policy as one integer, (worker, contract) above (date, position in `early`), sorted:
    // each (worker, contract) is one run, its entries by date, then input order (positions in `early` follow
    // input order), so each of its ISO weeks is a run too. A sort of integers instead of a map of vectors:
    // no allocation per group, and the cheapest comparisons.
    let day = |date: NaiveDate| (i64::from(date.num_days_from_ce()) - i64::from(i32::MIN)) as u128;
    let mut keyed: Vec<u128> = Vec::with_capacity(early.len());
    for (k, (i, p)) in at.iter().zip(early).enumerate() {
        if let Ok(p) = p
            && let Some(policy) = &master.contracts[p.contract as usize].contract.overtime
        {
            // A rejected entry was sent back (it returns as a new version), so it does not push others into
            // overtime, as it does not count toward the worker's 24-hour day in eligibility: it is split alone.
            if entries[*i].status == ApprovalStatus::Rejected {
                out[k] = allocate_week(policy, &options.holidays, &[(entries[*i].date, p.hours.billable)])
                    .map(|mut split| split.pop().unwrap_or_default());
                continue;
            }
            let who = (u128::from(p.worker) << 32) | u128::from(p.contract);
            keyed.push((who << 64) | (day(entries[*i].date) << 32) | k as u128);
        }
    }
    keyed.sort_unstable();
    let position = |key: u128| (key & u128::from(u32::MAX)) as usize;
    let week = |key: u128| (key >> 64, iso_week(entries[at[position(key)]].date));
    let mut items: Vec<(NaiveDate, Decimal)> = Vec::new();
    // Each group writes only its own entries' slots.
    for group in keyed.chunk_by(|&a, &b| week(a) == week(b)) {
        let contract = ((group[0] >> 64) & u128::from(u32::MAX)) as usize;
        let Some(policy) = &master.contracts[contract].contract.overtime else { continue };
        items.clear();
        items.extend(group.iter().map(|&key| {
            let k = position(key);
            (entries[at[k]].date, early[k].as_ref().map_or(Decimal::ZERO, |p| p.hours.billable))
        }));
        match allocate_week(policy, &options.holidays, &items) {
            Ok(split) => {
                for (&key, b) in group.iter().zip(split) {
                    out[position(key)] = Ok(b);
                }
            }
            Err(e) => {
                for &key in group {
                    out[position(key)] = Err(e.clone());
                }
            }
        }
    }
    out
}

fn finish<'a, T>(
    master: &MasterData<'a>,
    e: &'a TimesheetEntry,
    p: Prepared<'a>,
    blocks: Vec<HourBlock>,
    options: &RateOptions,
    caches: &mut Caches,
    wrap: impl Fn(RatedLine<'a>) -> T,
) -> Result<T> {
    let cref = &master.contracts[p.contract as usize];
    let contract = cref.contract;
    let card = &master.cards[p.card as usize];
    let rule = card.rule(p.rule);
    let currency = contract.currency;
    let scale = currency.require_minor_units()?;
    let mode = contract.rounding_mode;
    // The card's rate in the line currency, and what the parts divide by last: the hours per day of a day
    // rate and the table rate of an inverted FX leg (so that 100.97 / 1.2 × 3 h is 252.425, not 252.42499…).
    let hours_per_day = (rule.unit == RateUnit::Day).then_some(contract.hours_per_day);
    let (rate_here, inverted) = match p.fx.as_ref().map(|fx| (fx, fx.factors)) {
        Some((_, Some(f))) => (rule.rate.checked_mul(f.multiply_by).ok_or_else(overflow)?, Some(f.divide_by)),
        Some((fx, None)) => (fx.apply(rule.rate)?, None),
        None => (rule.rate, None),
    };
    let divisor = match (hours_per_day, inverted) {
        (Some(hpd), Some(d)) => Some(hpd.checked_mul(d).ok_or_else(overflow)?),
        (hpd, d) => hpd.or(d),
    };
    let hourly_rate = match divisor {
        Some(d) => rate_here.checked_div(d).ok_or_else(overflow)?,
        None => rate_here,
    };
    let (parts, amount) = if contract.overtime.is_none() {
        let normal = HourBlock {
            hours: p.hours.billable,
            multiplier: Decimal::ONE,
            premium: Premium::Normal,
            outranked: Vec::new(),
        };
        line::price([normal], rate_here, divisor, scale, mode)?
    } else {
        line::price(blocks, rate_here, divisor, scale, mode)?
    };
    let worker = master.workers[p.worker as usize];
    let cost = match worker.cost_rate {
        Some(cost_rate) => {
            let fx = if cost_rate.currency != currency {
                let date = options.conversion_date(contract, e.date);
                caches.fx(cost_rate.currency, currency, date, options).ok()
            } else {
                None
            };
            let known = cost_rate.currency == currency || fx.is_some();
            let amount = if known {
                let raw = e.hours.checked_mul(cost_rate.amount).ok_or_else(overflow)?;
                let raw = match &fx {
                    Some(fx) => fx.apply(raw)?,
                    None => raw,
                };
                Some(round_to_scale(raw, scale, mode)?)
            } else {
                None
            };
            Some(CostApplied { rate: cost_rate, hours: e.hours, amount, fx })
        }
        None => None,
    };
    let margin = match cost.as_ref().and_then(|c| c.amount) {
        Some(c) => Some(amount.checked_sub(c).ok_or_else(overflow)?),
        None => None,
    };
    let purpose = Purpose::of(contract.billing_type);
    Ok(wrap(RatedLine {
        entry_id: Cow::Borrowed(&e.id),
        version: e.version,
        worker_id: Cow::Borrowed(&e.worker_id),
        project_id: Cow::Borrowed(&e.project_id),
        task_id: e.task_id.as_deref().map(Cow::Borrowed),
        contract_id: Cow::Borrowed(&contract.id),
        date: e.date,
        currency,
        revenue: purpose == Purpose::Billing,
        purpose,
        rule: RuleApplied {
            rate_card_id: Cow::Borrowed(&card.card.id),
            rule_id: Cow::Borrowed(&rule.id),
            scope: Scope::of(rule),
            score: score(rule),
            rate: rule.rate,
            currency: card.card.currency,
            unit: rule.unit,
            hours_per_day,
        },
        candidates: p.candidates,
        hours: p.hours,
        fx: p.fx,
        hourly_rate,
        parts,
        rounding_mode: mode,
        amount,
        cost,
        margin,
    }))
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A small firm for unit and property tests.
    use crate::model::{Contract, Project, RateCard, TimesheetEntry, Worker};
    use serde_json::json;

    pub fn workers() -> Vec<Worker> {
        serde_json::from_value(json!([
            {"id": "w1", "name": "Ada", "role": "consultant", "employment": {"status": "active", "start": "2020-01-01"}},
            {"id": "boss", "name": "Bo", "role": "manager", "employment": {"status": "active", "start": "2020-01-01"},
             "approver_for": ["p1", "p-closed", "p-cap"]}
        ]))
        .unwrap()
    }

    /// k1: `overtime` as given; k-cap: not-to-exceed 1000.00.
    pub fn contracts(overtime: serde_json::Value) -> Vec<Contract> {
        serde_json::from_value(json!([
            {"id": "k1", "customer_id": "c1", "currency": "USD", "billing_type": "time_and_materials", "start": "2026-01-01",
             "rate_card_id": "rc", "billing_schedule": "monthly", "overtime": overtime},
            {"id": "k-cap", "customer_id": "c1", "currency": "USD", "billing_type": "time_and_materials", "start": "2026-01-01",
             "rate_card_id": "rc", "billing_schedule": "monthly", "not_to_exceed": "1000.00"}
        ]))
        .unwrap()
    }

    pub fn projects() -> Vec<Project> {
        serde_json::from_value(json!([
            {"id": "p1", "contract_id": "k1", "status": "open"},
            {"id": "p-closed", "contract_id": "k1", "status": "closed"},
            {"id": "p-cap", "contract_id": "k-cap", "status": "open"}
        ]))
        .unwrap()
    }

    pub fn cards(rate: &str) -> Vec<RateCard> {
        serde_json::from_value(json!([{"id": "rc", "currency": "USD", "rules": [{"id": "std", "rate": rate}]}]))
            .unwrap()
    }

    pub fn entry(id: &str, project: &str, date: &str, hours: &str) -> TimesheetEntry {
        serde_json::from_value(json!({"id": id, "worker_id": "w1", "project_id": project, "date": date, "hours": hours,
            "status": "approved", "approved_by": "boss"}))
        .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::error::Code;
    use serde_json::json;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// SPEC §4: the contract chooses the conversion date; a contract that names none takes the caller's
    /// (`fx_date`, else the record's own date). A choice the call cannot honour (the `rate` operation has no
    /// invoice date or period) falls back the same way.
    #[test]
    fn conversion_date_is_the_contracts_choice_then_the_callers() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let mut k = contracts(serde_json::Value::Null).remove(0);
        let entry = day("2026-03-02");
        let run = RateOptions {
            fx_date: Some(day("2026-03-31")),
            invoice_date: Some(day("2026-04-01")),
            period_end: Some(day("2026-03-31")),
            ..RateOptions::default()
        };
        let rate_op = RateOptions { fx_date: Some(day("2026-03-15")), ..RateOptions::default() };
        let cases = [
            (None, &run, "2026-03-31"),
            (Some(FxDate::EntryDate), &run, "2026-03-02"),
            (Some(FxDate::InvoiceDate), &run, "2026-04-01"),
            (Some(FxDate::PeriodEnd), &run, "2026-03-31"),
            (None, &rate_op, "2026-03-15"),
            (Some(FxDate::EntryDate), &rate_op, "2026-03-02"),
            (Some(FxDate::InvoiceDate), &rate_op, "2026-03-15"),
            (Some(FxDate::PeriodEnd), &RateOptions::default(), "2026-03-02"),
        ];
        for (choice, options, expected) in cases {
            k.fx_date = choice;
            assert_eq!(options.conversion_date(&k, entry), day(expected), "{choice:?}");
        }
    }

    #[test]
    fn daily_overtime_day_total() {
        let (w, k, p, c) = (
            workers(),
            contracts(json!({"daily_threshold": "8", "daily_multiplier": "1.5"})),
            projects(),
            cards("100.00"),
        );
        let master =
            MasterData::new(Tables { workers: &w, contracts: &k, projects: &p, rate_cards: &c, ..Tables::default() })
                .unwrap();
        let entries = [entry("a", "p1", "2026-03-02", "6"), entry("b", "p1", "2026-03-02", "4")];
        let lines: Vec<_> =
            rate(&master, &entries, &RateOptions::default()).unwrap().into_iter().map(Result::unwrap).collect();
        // 6 × 100.00 = 600.00; then 2 × 100.00 = 200.00 and 2 × 150.00 = 300.00 → 1100.00 for the day.
        assert_eq!(lines[0].amount, d("600.00"));
        assert_eq!(lines[1].parts.iter().map(|x| x.amount).collect::<Vec<_>>(), [d("200.00"), d("300.00")]);
        assert_eq!(lines[0].amount + lines[1].amount, d("1100.00"));
    }

    #[test]
    fn ladder_scores() {
        let rule = |j: serde_json::Value| score(&serde_json::from_value(j).unwrap());
        // task 5×2+1, project 4×2, contract 3×2+1, customer 2×2, card default 1×2.
        assert_eq!(rule(json!({"id": "a", "rate": "1", "task_id": "t", "worker_id": "w"})), 11);
        assert_eq!(rule(json!({"id": "a", "rate": "1", "project_id": "p", "role": "r"})), 8);
        assert_eq!(rule(json!({"id": "a", "rate": "1", "contract_id": "k", "worker_id": "w"})), 7);
        assert_eq!(rule(json!({"id": "a", "rate": "1", "customer_id": "c"})), 4);
        assert_eq!(rule(json!({"id": "a", "rate": "1"})), 2);
    }

    #[test]
    fn duplicate_worker_ids_fail_the_batch() {
        let mut w = workers();
        w.push(w[0].clone());
        let err = MasterData::new(Tables { workers: &w, ..Tables::default() }).unwrap_err();
        assert_eq!((err.code, err.path.as_str()), (Code::DuplicateId, "workers[2].id"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const POLICY: &str = r#"{"daily_threshold": "8", "daily_multiplier": "1.5", "weekly_threshold": "40",
            "weekly_multiplier": "1.5", "weekend_multiplier": "2", "holiday_multiplier": "2.5"}"#;

        /// The amounts (rounded, unrounded) of every line for `hours` entries on one date.
        fn day_amounts(rate_cents: i64, date: &str, hours: &[Decimal], rounding: bool) -> (Decimal, Decimal) {
            let mut k = contracts(serde_json::from_str(POLICY).unwrap());
            if rounding {
                k[0].duration_rounding = serde_json::from_value(json!({"increment": "0.25", "mode": "up"})).unwrap();
            }
            let (w, p, c) = (workers(), projects(), cards(&Decimal::new(rate_cents, 2).to_string()));
            let master = MasterData::new(Tables {
                workers: &w,
                contracts: &k,
                projects: &p,
                rate_cards: &c,
                ..Tables::default()
            })
            .unwrap();
            let entries: Vec<_> =
                hours.iter().enumerate().map(|(i, h)| entry(&format!("e{i}"), "p1", date, &h.to_string())).collect();
            let options =
                RateOptions { holidays: Holidays::new(&["2026-12-25".parse().unwrap()]), ..RateOptions::default() };
            rate(&master, &entries, &options)
                .unwrap()
                .into_iter()
                .map(Result::unwrap)
                .fold((Decimal::ZERO, Decimal::ZERO), |acc, l| {
                    (acc.0 + l.amount, acc.1 + l.parts.iter().map(|x| x.unrounded).sum::<Decimal>())
                })
        }

        fn quarters(max: i64) -> impl Strategy<Value = Decimal> {
            (1..=max).prop_map(|q| Decimal::new(q * 25, 2))
        }

        fn any_day() -> impl Strategy<Value = &'static str> {
            // A Monday, a Saturday and a holiday (Friday 2026-12-25).
            proptest::sample::select(vec!["2026-03-02", "2026-03-07", "2026-12-25"])
        }

        proptest! {
            /// Splitting an entry into two with the same total, in the same place, never changes the day's
            /// amount. Quarter hours × a rate divisible by 4 cents × 1.5/2/2.5 is exact to the cent, so the
            /// rounded amounts agree too, not only the unrounded ones.
            #[test]
            fn splitting_an_entry_keeps_the_day_amount(
                hours in proptest::collection::vec(quarters(24), 1..4),
                at in 0usize..4, cut in 1i64..24, rate in 10i64..800, date in any_day(),
            ) {
                let at = at % hours.len();
                let h = hours[at];
                let first = Decimal::new(cut * 25, 2);
                prop_assume!(first < h);
                prop_assume!(hours.iter().copied().sum::<Decimal>() <= Decimal::from(24));
                let mut split = hours.clone();
                split[at] = first;
                split.insert(at + 1, h - first);
                let whole = day_amounts(rate * 4 * 100, date, &hours, false);
                let parts = day_amounts(rate * 4 * 100, date, &split, false);
                prop_assert_eq!(whole, parts);
            }

            /// More hours never bill less, with duration rounding and every premium in play.
            #[test]
            fn amount_is_monotone_in_hours(
                before in proptest::collection::vec(quarters(16), 0..3),
                h in 1i64..1200, extra in 1i64..400, rate in 100i64..30_000, date in any_day(),
            ) {
                let less = Decimal::new(h, 2);
                let more = Decimal::new(h + extra, 2);
                prop_assume!(before.iter().copied().sum::<Decimal>() + more <= Decimal::from(24));
                let mut a = before.clone();
                a.push(less);
                let mut b = before;
                b.push(more);
                prop_assert!(day_amounts(rate, date, &a, true).0 <= day_amounts(rate, date, &b, true).0);
            }
        }
    }
}
