//! Step one of rating an entry (docs/rates.md): its hours checked, its worker, project,
//! contract, card and task looked up, its rule chosen and its FX rate found, with the caches
//! a batch shares. [`also_failing`] runs the independent steps again after a failure, so
//! eligibility lists every reason (SPEC §6).

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::duration::{self, Hours};
use super::line::FxApplied;
use super::matching::{self, CandidateSpec, Candidates, Subject};
use super::{IdMap, MasterData, RateOptions, fx_applied, hours_in_day};
use crate::error::{Code, Error, Result};
use crate::model::TimesheetEntry;
use crate::money::Currency;

/// An entry resolved against master data, rule chosen and hours known.
pub(super) struct Prepared<'a> {
    pub worker: u32,
    pub contract: u32,
    pub rule: u32,
    pub card: u32,
    pub candidates: Candidates<'a>,
    pub hours: Hours<'a>,
    pub fx: Option<FxApplied>,
}

fn unknown(path: &str, message: String) -> Error {
    Error::new(Code::UnknownReference, message).at(path)
}

/// Per-batch caches: candidate sets by (worker, project, task) and FX by (from, to, date).
#[derive(Default)]
pub(super) struct Caches {
    candidates: IdMap<(u32, u32, u32), Arc<[CandidateSpec]>>,
    /// The buffer a candidate set is built in before it is shared.
    scratch: Vec<CandidateSpec>,
    fx: IdMap<(Currency, Currency, NaiveDate), Result<FxApplied>>,
}

impl Caches {
    pub(super) fn fx(
        &mut self,
        from: Currency,
        to: Currency,
        date: NaiveDate,
        options: &RateOptions,
    ) -> Result<FxApplied> {
        self.fx.entry((from, to, date)).or_insert_with(|| fx_applied(from, to, date, options)).clone()
    }
}

pub(super) fn prepare<'a>(
    master: &MasterData<'a>,
    e: &'a TimesheetEntry,
    resolved: (Option<u32>, Option<u32>),
    options: &RateOptions,
    caches: &mut Caches,
) -> Result<Prepared<'a>> {
    check_hours(e)?;
    let refs = references(master, e, resolved)?;
    let (rule, candidates) = choose_rule(master, &refs, e, caches)?;
    let contract_ref = master.contracts[refs.contract as usize].contract;
    let hours = duration::billable_hours(e.hours, contract_ref.duration_rounding.as_ref(), e.adjustment.as_ref())
        .map_err(|err| err.at("hours"))?;
    let fx = fx_for(master, &refs, e, options, caches)?;
    Ok(Prepared { worker: refs.worker, contract: refs.contract, rule, card: refs.card, candidates, hours, fx })
}

/// The problems rating `e` meets past `first`, the error [`prepare`] stopped at: SPEC §6 wants
/// every failing reason. The rule and the FX rate do not depend on the hours, nor on each other,
/// so hours out of range still show a missing rule, and a missing rule a missing FX rate, and
/// the caller fixes both systems at once.
pub(crate) fn also_failing(
    master: &MasterData<'_>,
    e: &TimesheetEntry,
    resolved: (Option<u32>, Option<u32>),
    options: &RateOptions,
    first: &Error,
) -> Vec<Error> {
    let mut more = Vec::new();
    let hours_first = first.code == Code::InvalidHours;
    if !(hours_first || matches!(first.code, Code::RateMissing | Code::AmbiguousRate)) {
        return more;
    }
    let refs = match references(master, e, resolved) {
        Ok(refs) => refs,
        // Hours checked first hid a missing worker, project, card or task.
        Err(err) => {
            if hours_first {
                more.push(err);
            }
            return more;
        }
    };
    let mut caches = Caches::default();
    if hours_first && let Err(err) = choose_rule(master, &refs, e, &mut caches) {
        more.push(err);
    }
    if let Err(err) = fx_for(master, &refs, e, options, &mut caches) {
        more.push(err);
    }
    more
}

fn check_hours(e: &TimesheetEntry) -> Result<()> {
    if !hours_in_day(e.hours) {
        return Err(
            Error::new(Code::InvalidHours, format!("hours {} must be above 0 and at most 24", e.hours)).at("hours")
        );
    }
    if let Some(a) = &e.adjustment
        && (a.billable_hours < Decimal::ZERO || a.billable_hours > Decimal::from(24))
    {
        return Err(Error::new(
            Code::InvalidHours,
            format!("adjusted hours {} must be between 0 and 24", a.billable_hours),
        )
        .at("adjustment.billable_hours"));
    }
    Ok(())
}

/// The entry's worker, project, contract, card and task, by index.
struct Refs {
    worker: u32,
    project: u32,
    contract: u32,
    card: u32,
    task: Option<u32>,
}

fn references(
    master: &MasterData<'_>,
    e: &TimesheetEntry,
    (worker, project): (Option<u32>, Option<u32>),
) -> Result<Refs> {
    let worker = worker.ok_or_else(|| unknown("worker_id", format!("no worker has id `{}`", e.worker_id)))?;
    let project = project.ok_or_else(|| unknown("project_id", format!("no project has id `{}`", e.project_id)))?;
    let pref = &master.projects[project as usize];
    let contract = pref.contract.ok_or_else(|| {
        unknown(
            "project_id",
            format!("project `{}` bills under contract `{}`, which is absent", e.project_id, pref.project.contract_id),
        )
    })?;
    let cref = &master.contracts[contract as usize];
    let card = cref.card.ok_or_else(|| {
        unknown(
            "project_id",
            format!("contract `{}` uses rate card `{}`, which is absent", cref.contract.id, cref.contract.rate_card_id),
        )
    })?;
    let task = match &e.task_id {
        Some(t) => Some(
            pref.task_index(t)
                .ok_or_else(|| unknown("task_id", format!("project `{}` has no task `{t}`", e.project_id)))?,
        ),
        None => None,
    };
    Ok(Refs { worker, project, contract, card, task })
}

fn choose_rule<'a>(
    master: &MasterData<'a>,
    refs: &Refs,
    e: &TimesheetEntry,
    caches: &mut Caches,
) -> Result<(u32, Candidates<'a>)> {
    let Refs { worker, project, contract, card, task } = *refs;
    let pref = &master.projects[project as usize];
    let cref = &master.contracts[contract as usize];
    let indexed = &master.cards[card as usize];
    let w = master.workers[worker as usize];
    let scratch = &mut caches.scratch;
    let specs = caches.candidates.entry((worker, project, task.unwrap_or(u32::MAX))).or_insert_with(|| {
        let [p, k, c, d] = pref.buckets;
        matching::candidates(
            indexed,
            &Subject {
                worker: w,
                worker_index: worker,
                role: master.worker_roles[worker as usize],
                task_id: task.map(|t| pref.task(t).id.as_str()),
                project_id: &pref.project.id,
                contract_id: &cref.contract.id,
                customer_id: &cref.contract.customer_id,
                buckets: [task.and_then(|t| pref.task_buckets[t as usize]), p, k, c, d],
            },
            scratch,
        );
        Arc::from(scratch.as_slice())
    });
    matching::select(indexed.card, specs, e.date)
}

/// The FX rate from the card's currency into the contract's, when they differ.
fn fx_for(
    master: &MasterData<'_>,
    refs: &Refs,
    e: &TimesheetEntry,
    options: &RateOptions,
    caches: &mut Caches,
) -> Result<Option<FxApplied>> {
    let contract = master.contracts[refs.contract as usize].contract;
    let card = master.cards[refs.card as usize].card;
    if card.currency == contract.currency {
        return Ok(None);
    }
    let date = options.conversion_date(contract, e.date);
    caches.fx(card.currency, contract.currency, date, options).map(Some)
}
