//! The checks of SPEC §6 for one entry or one expense, all of them, so the
//! result lists every failing reason and not only the first.

use std::borrow::Cow;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Billable, EntryAssessment, ExpenseAssessment, ExpenseLine, Finding, Ledger, Period, Reason, RecordKind};
use crate::error::{Error, Result};
use crate::model::{
    ApprovalStatus, BillingType, Contract, CustomerStatus, Expense, Project, ProjectStatus, TimesheetEntry,
};
use crate::money::{overflow, round_to_scale};
use crate::rates::{self, IdMap, MasterData, Parts, RateOptions, RatedLine};

/// Recorded hours per worker and day, over the entries whose own hours are
/// valid, with each entry's worker-day found once: worker-days are keyed by
/// the worker's index when the worker is known (no string hashing), by the
/// id otherwise, and every entry keeps the position of its day's total.
pub(crate) struct WorkerDays {
    /// Per entry: the position of its worker-day's total (`u32::MAX` when its hours are not valid).
    slot: Vec<u32>,
    totals: Vec<Decimal>,
}

impl WorkerDays {
    pub(crate) fn new(entries: &[TimesheetEntry], resolved: &[(Option<u32>, Option<u32>)]) -> Self {
        let mut known: IdMap<(u32, NaiveDate), u32> = IdMap::default();
        known.reserve(entries.len());
        let mut unknown: IdMap<(&str, NaiveDate), u32> = IdMap::default();
        let mut slot = Vec::with_capacity(entries.len());
        let mut totals: Vec<Decimal> = Vec::new();
        for (e, (worker, _)) in entries.iter().zip(resolved) {
            // A rejected entry was sent back (it returns as a new version): its hours are not the worker's day.
            if !rates::hours_in_day(e.hours) || e.status == ApprovalStatus::Rejected {
                slot.push(u32::MAX);
                continue;
            }
            let next = totals.len() as u32;
            let s = match worker {
                Some(w) => *known.entry((*w, e.date)).or_insert(next),
                None => *unknown.entry((e.worker_id.as_str(), e.date)).or_insert(next),
            };
            if s == next {
                totals.push(Decimal::ZERO + e.hours);
            } else {
                totals[s as usize] += e.hours;
            }
            slot.push(s);
        }
        WorkerDays { slot, totals }
    }

    /// The total of the worker-day of the entry at `index`, when its own hours are valid.
    fn total(&self, index: usize) -> Option<Decimal> {
        self.totals.get(self.slot[index] as usize).copied()
    }
}

/// Collects findings without repeating a reason.
struct Findings(Vec<Finding>);

impl Findings {
    fn add(&mut self, code: Reason, message: impl FnOnce() -> String) {
        if !self.0.iter().any(|f| f.code == code) {
            self.0.push(Finding::new(code, message()));
        }
    }

    fn add_error(&mut self, error: &Error) {
        let code = Reason::from_error(error);
        if !self.0.iter().any(|f| f.code == code) {
            let mut f = Finding::new(code, error.message.clone());
            f.details = error.details.as_deref().cloned().unwrap_or_default();
            self.0.push(f);
        }
    }

    fn done(mut self) -> Vec<Finding> {
        self.0.sort_by_key(|f| f.code);
        self.0
    }
}

/// The references a record resolves through.
struct Context<'a> {
    project: Option<&'a Project>,
    contract: Option<&'a Contract>,
}

/// The `not_approved` message: `status is <status>, not approved`, written out.
fn not_approved(status: ApprovalStatus) -> &'static str {
    match status {
        ApprovalStatus::Draft => "status is draft, not approved",
        ApprovalStatus::Submitted => "status is submitted, not approved",
        ApprovalStatus::Approved => "status is approved, not approved",
        ApprovalStatus::Rejected => "status is rejected, not approved",
    }
}

/// A billing type's wire name, written out (a unit test pins it to the wire's).
fn billing_type_name(t: BillingType) -> &'static str {
    match t {
        BillingType::TimeAndMaterials => "time_and_materials",
        BillingType::FixedFee => "fixed_fee",
        BillingType::Retainer => "retainer",
        BillingType::NonBillable => "non_billable",
    }
}

/// A project status's wire name, written out.
fn project_status_name(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Open => "open",
        ProjectStatus::Closed => "closed",
        ProjectStatus::OnHold => "on_hold",
    }
}

/// A customer status's wire name, written out.
fn customer_status_name(s: CustomerStatus) -> &'static str {
    match s {
        CustomerStatus::Active => "active",
        CustomerStatus::BillingHold => "billing_hold",
        CustomerStatus::Inactive => "inactive",
    }
}

/// Checks common to entries and expenses: approval, employment, project, contract, customer.
#[allow(clippy::too_many_arguments)]
fn common<'a>(
    master: &MasterData<'a>,
    f: &mut Findings,
    status: ApprovalStatus,
    approved_by: Option<&str>,
    (worker_id, worker): (&str, Option<u32>),
    (project_id, project): (&str, Option<u32>),
    date: NaiveDate,
) -> Context<'a> {
    if status != ApprovalStatus::Approved {
        f.add(Reason::NotApproved, || not_approved(status).into());
    }
    match approved_by {
        Some(a) => {
            if a == worker_id {
                // Written without `format!` (a third of a typical batch is self-approved): the same text.
                f.add(Reason::SelfApproved, || ["approved by the worker `", a, "` themself"].concat());
            }
            // A known project lists its approvers' ids: no lookup of the approver by id.
            let authorized = match project {
                Some(p) => master.projects[p as usize].approvers.contains(&a),
                None => master.worker(a).is_some_and(|w| w.approver_for.iter().any(|p| p == project_id)),
            };
            if !authorized {
                f.add(Reason::ApproverNotAuthorized, || format!("`{a}` is not an approver for project `{project_id}`"));
            }
        }
        None if status == ApprovalStatus::Approved => {
            f.add(Reason::ApproverNotAuthorized, || "approved, but no approver is named".into());
        }
        None => {}
    }
    match worker.map(|w| master.workers[w as usize]) {
        None => f.add(Reason::UnknownReference, || format!("no worker has id `{worker_id}`")),
        Some(w) if !w.employment.employed_on(date) => {
            f.add(Reason::WorkerNotEmployed, || format!("`{worker_id}` is not employed on {date}"))
        }
        Some(_) => {}
    }
    let project = project.map(|i| &master.projects[i as usize]);
    let Some(pref) = project else {
        f.add(Reason::UnknownReference, || format!("no project has id `{project_id}`"));
        return Context { project: None, contract: None };
    };
    let p = pref.project;
    if p.status != ProjectStatus::Open {
        f.add(Reason::ProjectClosed, || {
            ["project `", project_id, "` is ", project_status_name(p.status), ", not open"].concat()
        });
    }
    let Some(cref) = pref.contract.map(|c| &master.contracts[c as usize]) else {
        f.add(Reason::UnknownReference, || format!("project `{project_id}`'s contract `{}` is absent", p.contract_id));
        return Context { project: Some(p), contract: None };
    };
    let k = cref.contract;
    if date < k.start || k.end.is_some_and(|end| date > end) {
        f.add(Reason::ContractInactive, || format!("{date} is outside contract `{}`'s dates", k.id));
    }
    match cref.customer.map(|c| master.customers[c as usize]) {
        None => {
            f.add(Reason::UnknownReference, || format!("contract `{}`'s customer `{}` is absent", k.id, k.customer_id))
        }
        Some(c) if c.status != CustomerStatus::Active => {
            f.add(Reason::CustomerOnHold, || ["customer `", &c.id, "` is ", customer_status_name(c.status)].concat())
        }
        Some(_) => {}
    }
    Context { project: Some(p), contract: Some(k) }
}

/// The ledger and period checks, given the record's ledger lookup.
fn ledger_and_period(
    f: &mut Findings,
    (invoiced, other): (bool, Option<u64>),
    period: &Period,
    id: &str,
    version: u64,
    date: NaiveDate,
) -> Option<u64> {
    if invoiced {
        f.add(Reason::AlreadyInvoiced, || format!("`{id}` version {version} is in the ledger"));
    } else if let Some(newer) = other.filter(|o| *o > version) {
        // A source sending an older version than the one invoiced does not rewrite the invoice.
        f.add(Reason::Superseded, || format!("`{id}` version {newer} was invoiced before; version {version} is older"));
    }
    if !period.contains(date) {
        // A run that bills earlier work has no start (`NaiveDate::MIN`): then the message names only the end.
        f.add(Reason::OutsidePeriod, || {
            if period.start == NaiveDate::MIN {
                format!("{date} is after the period's end, {}", period.end)
            } else {
                format!("{date} is outside {} to {}", period.start, period.end)
            }
        });
    }
    // Only an older version is replaced (and credited).
    other.filter(|o| *o < version)
}

/// Every check of SPEC §6 for one entry, given its rating.
#[allow(clippy::too_many_arguments)]
pub(crate) fn entry<'a>(
    master: &MasterData<'a>,
    index: usize,
    e: &'a TimesheetEntry,
    (worker, project): (Option<u32>, Option<u32>),
    line: Result<Box<RatedLine<'a>>>,
    day_totals: &WorkerDays,
    ledger: &Ledger<'_>,
    period: &Period,
    options: &RateOptions,
) -> EntryAssessment<'a> {
    let mut f = Findings(Vec::new());
    let ctx = common(
        master,
        &mut f,
        e.status,
        e.approved_by.as_deref(),
        (&e.worker_id, worker),
        (&e.project_id, project),
        e.date,
    );
    let task_billable = match (&e.task_id, ctx.project) {
        (Some(t), Some(p)) => p.tasks.iter().find(|x| &x.id == t).is_none_or(|x| x.billable),
        _ => true,
    };
    if !e.billable || ctx.project.is_some_and(|p| !p.billable) || !task_billable {
        let which = if !e.billable {
            "the entry"
        } else if !task_billable {
            "the task"
        } else {
            "the project"
        };
        f.add(Reason::NotBillable, || format!("{which} is not billable"));
    }
    if let Some(k) = ctx.contract
        && k.billing_type != BillingType::TimeAndMaterials
    {
        f.add(Reason::ContractNotHourly, || {
            [
                "contract `",
                &k.id,
                "` is ",
                billing_type_name(k.billing_type),
                ": hours are work in progress, not revenue",
            ]
            .concat()
        });
    }
    if !rates::hours_in_day(e.hours) {
        f.add(Reason::InvalidHours, || format!("hours {} must be above 0 and at most 24", e.hours));
    } else if let Some(total) = day_totals.total(index)
        && !rates::at_most_a_day(total)
    {
        f.add(Reason::InvalidHours, || format!("`{}` records {total} hours on {}, more than 24", e.worker_id, e.date));
    }
    let line = match line {
        Ok(l) => Some(l),
        Err(err) => {
            f.add_error(&err);
            for more in rates::also_failing(master, e, (worker, project), options, &err) {
                f.add_error(&more);
            }
            None
        }
    };
    let found = ledger.lookup_entry(index, e.version);
    let replaces = ledger_and_period(&mut f, found, period, &e.id, e.version, e.date);
    let reasons = f.done();
    let status = super::status_of(&reasons);
    let billable = match (&line, status) {
        (Some(l), super::Status::Eligible) => {
            Some(Billable { amount: l.amount, hours: Some(l.hours.billable), parts: l.parts.clone() })
        }
        _ => None,
    };
    EntryAssessment {
        entry_id: Cow::Borrowed(&e.id),
        version: e.version,
        status,
        retryable: super::retryable(&reasons),
        reasons,
        line,
        billable,
        held: None,
        replaces_invoiced_version: replaces,
    }
}

/// Every check that applies to an expense, and its price.
pub(crate) fn expense<'a>(
    master: &MasterData<'a>,
    x: &'a Expense,
    ledger: &Ledger<'_>,
    period: &Period,
    options: &RateOptions,
) -> ExpenseAssessment<'a> {
    let mut f = Findings(Vec::new());
    let resolved = (
        (x.worker_id.as_str(), master.worker_index(&x.worker_id)),
        (x.project_id.as_str(), master.project_index(&x.project_id)),
    );
    let ctx = common(master, &mut f, x.status, x.approved_by.as_deref(), resolved.0, resolved.1, x.date);
    let contract_bills = ctx.contract.is_none_or(|k| k.billing_type != BillingType::NonBillable);
    if !x.billable || ctx.project.is_some_and(|p| !p.billable) || !contract_bills {
        let which = if !x.billable {
            "the expense"
        } else if !contract_bills {
            "the contract"
        } else {
            "the project"
        };
        f.add(Reason::NotBillable, || format!("{which} is not billable"));
    }
    let policy = ctx.contract.and_then(|k| k.expense_policy.as_ref());
    if policy.is_some_and(|p| p.receipt_required) && !x.receipt {
        f.add(Reason::ReceiptMissing, || "the contract requires a receipt and none is attached".into());
    }
    let line = match ctx.contract.map(|k| price_expense(k, x, options)) {
        Some(Ok(l)) => Some(l),
        Some(Err(err)) => {
            f.add_error(&err);
            None
        }
        None => None,
    };
    let found = ledger.lookup(RecordKind::Expense, &x.id, x.version);
    let replaces = ledger_and_period(&mut f, found, period, &x.id, x.version, x.date);
    let reasons = f.done();
    let status = super::status_of(&reasons);
    let billable = match (&line, status) {
        (Some(l), super::Status::Eligible) => Some(Billable { amount: l.amount, hours: None, parts: Parts::new() }),
        _ => None,
    };
    ExpenseAssessment {
        expense_id: Cow::Borrowed(&x.id),
        version: x.version,
        status,
        retryable: super::retryable(&reasons),
        reasons,
        line,
        billable,
        held: None,
        replaces_invoiced_version: replaces,
    }
}

/// Cost plus markup, converted to the contract currency and rounded like a line.
fn price_expense<'a>(k: &'a Contract, x: &Expense, options: &RateOptions) -> Result<ExpenseLine<'a>> {
    let markup = k.expense_policy.as_ref().map_or(Decimal::ZERO, |p| p.markup_percent);
    let fx = if x.amount.currency != k.currency {
        let date = options.conversion_date(k, x.date);
        Some(rates::fx_applied(x.amount.currency, k.currency, date, options)?)
    } else {
        None
    };
    let factor = Decimal::ONE
        .checked_add(markup.checked_div(Decimal::ONE_HUNDRED).ok_or_else(overflow)?)
        .ok_or_else(overflow)?;
    let mut unrounded = x.amount.amount.checked_mul(factor).ok_or_else(overflow)?;
    if let Some(fx) = &fx {
        unrounded = fx.apply(unrounded)?;
    }
    let amount = round_to_scale(unrounded, k.currency.require_minor_units()?, k.rounding_mode)?;
    Ok(ExpenseLine {
        contract_id: Cow::Borrowed(&k.id),
        currency: k.currency,
        cost: x.amount,
        markup_percent: markup,
        fx,
        unrounded,
        amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire;

    #[test]
    fn written_out_names_are_the_wire_names() {
        use BillingType::*;
        for t in [TimeAndMaterials, FixedFee, Retainer, NonBillable] {
            assert_eq!(billing_type_name(t), wire::name_of(&t));
        }
        for s in [ProjectStatus::Open, ProjectStatus::Closed, ProjectStatus::OnHold] {
            assert_eq!(project_status_name(s), wire::name_of(&s));
        }
        for s in [CustomerStatus::Active, CustomerStatus::BillingHold, CustomerStatus::Inactive] {
            assert_eq!(customer_status_name(s), wire::name_of(&s));
        }
    }

    #[test]
    fn not_approved_messages_name_the_status_as_the_wire_does() {
        use ApprovalStatus::*;
        for status in [Draft, Submitted, Approved, Rejected] {
            assert_eq!(not_approved(status), format!("status is {}, not approved", wire::name_of(&status)));
        }
    }
}
