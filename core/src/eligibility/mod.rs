//! Billing eligibility (SPEC §6): for each timesheet entry and expense of a
//! batch, whether it is billed in this run, every reason it is not, and the
//! rated amount of the part that is.
//!
//! Every record ends in exactly one status: `eligible`, `partially_eligible`
//! (split at the contract's not-to-exceed), `exception`, or `deferred` (dated
//! outside the period). Results are in input order and do not depend on it:
//! the cap is consumed in date order, reasons are listed in [`Reason::ALL`]
//! order.
//!
//! ```
//! use billable::eligibility::{assess, Period, Run, Status, Reason};
//! use billable::model::{Contract, Customer, Project, RateCard, TimesheetEntry, Worker};
//! use billable::rates::{MasterData, RateOptions, Tables};
//!
//! let workers: Vec<Worker> = serde_json::from_str(r#"[{"id": "w1", "name": "Ada", "role": "consultant",
//!     "employment": {"status": "active", "start": "2020-01-01"}, "approver_for": ["p1"]}]"#).unwrap();
//! let customers: Vec<Customer> = serde_json::from_str(r#"[{"id": "c1", "name": "Acme", "country": "US",
//!     "billing_currency": "USD", "status": "active"}]"#).unwrap();
//! let contracts: Vec<Contract> = serde_json::from_str(r#"[{"id": "k1", "customer_id": "c1", "currency": "USD",
//!     "billing_type": "time_and_materials", "start": "2026-01-01", "rate_card_id": "rc",
//!     "billing_schedule": "monthly"}]"#).unwrap();
//! let projects: Vec<Project> = serde_json::from_str(r#"[{"id": "p1", "contract_id": "k1", "status": "closed"}]"#).unwrap();
//! let cards: Vec<RateCard> = serde_json::from_str(r#"[{"id": "rc", "currency": "USD", "rules": [{"id": "d", "rate": "100"}]}]"#).unwrap();
//! let entries: Vec<TimesheetEntry> = serde_json::from_str(r#"[{"id": "e1", "worker_id": "w1", "project_id": "p1",
//!     "date": "2026-03-02", "hours": "2", "status": "submitted", "approved_by": "w1"}]"#).unwrap();
//!
//! let master = MasterData::new(Tables { workers: &workers, customers: &customers, contracts: &contracts,
//!     projects: &projects, rate_cards: &cards })?;
//! let run = Run { period: Period { start: "2026-03-01".parse().unwrap(), end: "2026-03-31".parse().unwrap() }, ..Run::default() };
//! let out = assess(&master, &entries, &[], &run, &RateOptions::default())?;
//! let codes: Vec<Reason> = out.entries[0].reasons.iter().map(|f| f.code).collect();
//! assert_eq!(out.entries[0].status, Status::Exception);
//! assert_eq!(codes, [Reason::NotApproved, Reason::SelfApproved, Reason::ProjectClosed]);
//! # Ok::<(), billable::Error>(())
//! ```

mod cap;
mod checks;
mod reason;

use std::borrow::Cow;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use reason::{Finding, Reason};

use crate::error::{Code, Error, Result};
use crate::model::{Expense, TimesheetEntry};
use crate::money::Currency;
use crate::rates::{self, FxApplied, IdMap, MasterData, Parts, RateOptions, RatedLine};
use crate::wire;

/// The run's period; both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Period {
    /// First day.
    #[serde(deserialize_with = "wire::date", serialize_with = "wire::write_date")]
    pub start: NaiveDate,
    /// Last day.
    #[serde(deserialize_with = "wire::date", serialize_with = "wire::write_date")]
    pub end: NaiveDate,
}

impl Default for Period {
    fn default() -> Self {
        Period { start: NaiveDate::MIN, end: NaiveDate::MAX }
    }
}

impl Period {
    /// True when `date` is inside the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// The kind of a billed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A timesheet entry.
    #[default]
    Entry,
    /// An expense.
    Expense,
}

/// A record already invoiced: its kind, id and the version billed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerRecord {
    /// Entry (default) or expense.
    #[serde(default)]
    pub kind: RecordKind,
    /// The record's id.
    pub id: String,
    /// The version invoiced.
    pub version: u64,
}

/// The amount already invoiced against a contract, in the contract's currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContractInvoiced {
    /// The contract.
    pub contract_id: String,
    /// Invoiced so far (several rows for one contract add up).
    #[serde(deserialize_with = "wire::decimal", serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
}

/// What billing a changed record gives back under a not-to-exceed: the open
/// (billed, not yet credited) amount of its older version, which the record's
/// credit reverses when, and only when, the record is billed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Released<'a> {
    /// Entry or expense.
    pub kind: RecordKind,
    /// The record's position in the entries or expenses assessed.
    pub index: usize,
    /// The contract the older version was billed on.
    pub contract_id: &'a str,
    /// Its open amount, counted in `invoiced` for that contract.
    pub amount: Decimal,
}

/// A changed record whose credit cannot be issued in this run: its older version was billed on a contract the
/// request lacks, in another currency than the contract bills in now, or under another tax than its invoice would
/// charge, or that invoice's tax cannot be determined; or the ledger still bills a version older than the one it
/// replaces (credited or not), which no credit of this run would reverse. The record is not billed (that would bill it twice) and takes
/// no room under the not-to-exceed; `finding` joins its reasons (only when it would otherwise be billed).
#[derive(Debug, Clone, PartialEq)]
pub struct Blocked {
    /// Entry or expense.
    pub kind: RecordKind,
    /// The record's position in the entries or expenses assessed.
    pub index: usize,
    /// Why its credit cannot be issued.
    pub finding: Finding,
}

/// A contract with a not-to-exceed whose invoiced total is unknown (what it billed before cannot be brought into its
/// currency): its cap cannot be checked, so each of its records that would add to the total (a positive billable
/// amount) is held whole with `finding`; a refund or a zero amount passes, as it would past the cap.
#[derive(Debug, Clone, PartialEq)]
pub struct CapUnknown<'a> {
    /// The contract.
    pub contract_id: &'a str,
    /// Why its total is unknown.
    pub finding: Finding,
}

/// What an eligibility check reads besides master data and rating options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Run<'a> {
    /// The run's period.
    pub period: Period,
    /// Records invoiced before.
    pub ledger: &'a [LedgerRecord],
    /// Amounts invoiced before, per contract, for the not-to-exceed.
    pub invoiced: &'a [ContractInvoiced],
    /// Changed records' older versions still billed: their amounts stop
    /// counting toward the cap once the record is billed (see [`Released`]).
    pub released: &'a [Released<'a>],
    /// Changed records whose credit cannot be issued (see [`Blocked`]).
    pub blocked: &'a [Blocked],
    /// Capped contracts whose invoiced total is unknown (see [`CapUnknown`]); not in `invoiced`.
    pub cap_unknown: &'a [CapUnknown<'a>],
}

/// Where a record ends in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Billed in full.
    Eligible,
    /// Billed up to the contract's not-to-exceed; the rest is held with `cap_exceeded`.
    PartiallyEligible,
    /// Not billed: see the reasons.
    Exception,
    /// Dated outside the period: not due in this run (the other reasons are listed too).
    Deferred,
}

/// The part of a record billed in this run.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Billable {
    /// Amount billed, in the contract currency.
    #[serde(serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
    /// Hours billed (entries; for a cap split, the share of the cut part, to 2 places).
    #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
    pub hours: Option<Decimal>,
    /// The rated parts billed (entries), the last one cut at the cap when split.
    #[serde(skip_serializing_if = "Parts::is_empty")]
    pub parts: Parts,
}

/// The part of a record held back at the contract's not-to-exceed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Held {
    /// Amount held, in the contract currency.
    #[serde(serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
    /// Hours held (entries): the record's billable hours minus those billed.
    #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
    pub hours: Option<Decimal>,
    /// Always `cap_exceeded`.
    pub code: Reason,
}

/// The eligibility of one timesheet entry.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct EntryAssessment<'a> {
    /// The entry.
    pub entry_id: Cow<'a, str>,
    /// Its version.
    pub version: u64,
    /// Eligible, partially eligible, exception or deferred.
    pub status: Status,
    /// Every failing check, in [`Reason::ALL`] order.
    pub reasons: Vec<Finding>,
    /// True when there are reasons and every one is retryable.
    pub retryable: bool,
    /// The rated line, whenever rating succeeded (also for exceptions and work in progress).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<Box<RatedLine<'a>>>,
    /// The part billed in this run (eligible and partially eligible only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billable: Option<Billable>,
    /// The part held at the cap (partially eligible, or an exception with only `cap_exceeded`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<Held>,
    /// The latest other version of this entry in the ledger: the invoice run credits it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces_invoiced_version: Option<u64>,
}

/// An expense priced for re-billing: cost plus the contract's markup, in the contract currency.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExpenseLine<'a> {
    /// The contract billed.
    pub contract_id: Cow<'a, str>,
    /// The contract currency.
    pub currency: Currency,
    /// The expense as spent.
    pub cost: crate::money::Money,
    /// The contract's markup, in percent.
    #[serde(serialize_with = "wire::write_decimal")]
    pub markup_percent: Decimal,
    /// The FX rate, when spent in another currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fx: Option<FxApplied>,
    /// `cost × (1 + markup / 100)` (× FX), at full precision.
    #[serde(serialize_with = "wire::write_decimal")]
    pub unrounded: Decimal,
    /// Rounded to the contract currency with the contract's rounding mode.
    #[serde(serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
}

impl ExpenseLine<'_> {
    /// The line with its contract id copied.
    pub fn into_owned(self) -> ExpenseLine<'static> {
        ExpenseLine { contract_id: Cow::Owned(self.contract_id.into_owned()), ..self }
    }
}

/// The eligibility of one expense.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExpenseAssessment<'a> {
    /// The expense.
    pub expense_id: Cow<'a, str>,
    /// Its version.
    pub version: u64,
    /// Eligible, partially eligible, exception or deferred.
    pub status: Status,
    /// Every failing check, in [`Reason::ALL`] order.
    pub reasons: Vec<Finding>,
    /// True when there are reasons and every one is retryable.
    pub retryable: bool,
    /// The priced expense, whenever pricing succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<ExpenseLine<'a>>,
    /// The part billed in this run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billable: Option<Billable>,
    /// The part held at the cap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<Held>,
    /// The latest other version of this expense in the ledger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces_invoiced_version: Option<u64>,
}

/// How many records ended where: `entries + expenses = eligible + partially_eligible + exception + deferred`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Counts {
    /// Entries received.
    pub entries: usize,
    /// Expenses received.
    pub expenses: usize,
    /// Billed in full.
    pub eligible: usize,
    /// Split at a cap.
    pub partially_eligible: usize,
    /// In the exception queue.
    pub exception: usize,
    /// Not due in this run.
    pub deferred: usize,
}

/// The eligibility of a batch: one result per record, in input order.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Assessment<'a> {
    /// One per entry.
    pub entries: Vec<EntryAssessment<'a>>,
    /// One per expense.
    pub expenses: Vec<ExpenseAssessment<'a>>,
    /// The reconciliation.
    pub counts: Counts,
}

impl Assessment<'_> {
    /// The same assessment owning its strings (for a response document).
    pub fn into_owned(self) -> Assessment<'static> {
        Assessment {
            entries: self
                .entries
                .into_iter()
                .map(|e| EntryAssessment {
                    entry_id: Cow::Owned(e.entry_id.into_owned()),
                    line: e.line.map(|l| Box::new(l.into_owned())),
                    ..e
                })
                .collect(),
            expenses: self
                .expenses
                .into_iter()
                .map(|x| ExpenseAssessment {
                    expense_id: Cow::Owned(x.expense_id.into_owned()),
                    line: x.line.map(ExpenseLine::into_owned),
                    ..x
                })
                .collect(),
            counts: self.counts,
        }
    }
}

/// Decide the eligibility of every entry and expense of a batch.
///
/// Document-level problems fail the whole call: a reversed period
/// (`invalid_period`) or two entries (or two expenses) with one id
/// (`duplicate_id`). Everything about one record is a [`Finding`] on it.
pub fn assess<'a>(
    master: &MasterData<'a>,
    entries: &'a [TimesheetEntry],
    expenses: &'a [Expense],
    run: &Run<'_>,
    options: &RateOptions,
) -> Result<Assessment<'a>> {
    if run.period.start > run.period.end {
        return Err(Error::new(
            Code::InvalidPeriod,
            format!("the period starts {} but ends {}", run.period.start, run.period.end),
        )
        .at("period"));
    }
    let entry_ids = rates::unique_ids("entries", entries.iter().map(|e| e.id.as_str()))?;
    rates::unique_ids("expenses", expenses.iter().map(|x| x.id.as_str()))?;
    let ledger = Ledger::new(run.ledger, &entry_ids);
    drop(entry_ids);
    let resolved = rates::resolve(master, entries);
    let day_totals = checks::WorkerDays::new(entries, &resolved);
    let mut out_entries: Vec<EntryAssessment<'a>> = Vec::with_capacity(entries.len());
    // Each line goes straight into its assessment: no vector of lines in between.
    rates::rate_each(master, entries, &resolved, options, Box::new, |i, line| {
        out_entries.push(checks::entry(
            master,
            i,
            &entries[i],
            resolved[i],
            line,
            &day_totals,
            &ledger,
            &run.period,
            options,
        ));
    });
    let mut out_expenses: Vec<ExpenseAssessment<'a>> =
        expenses.iter().map(|x| checks::expense(master, x, &ledger, &run.period, options)).collect();
    block(&mut out_entries, &mut out_expenses, run.blocked);
    cap::apply(master, entries, &resolved, expenses, &mut out_entries, &mut out_expenses, run)?;

    let mut counts = Counts { entries: entries.len(), expenses: expenses.len(), ..Counts::default() };
    let statuses = out_entries.iter().map(|e| e.status).chain(out_expenses.iter().map(|x| x.status));
    for s in statuses {
        match s {
            Status::Eligible => counts.eligible += 1,
            Status::PartiallyEligible => counts.partially_eligible += 1,
            Status::Exception => counts.exception += 1,
            Status::Deferred => counts.deferred += 1,
        }
    }
    Ok(Assessment { entries: out_entries, expenses: out_expenses, counts })
}

/// The ledger indexed by (kind, id); its entry records also by the position
/// of the batch's entry with that id, found from the ledger's side (the
/// ledger is usually much smaller than the batch), so checking an entry
/// needs no second hash of its id.
pub(crate) struct Ledger<'a> {
    versions: IdMap<(RecordKind, &'a str), Vec<u64>>,
    entries: IdMap<u32, Vec<u64>>,
}

impl<'a> Ledger<'a> {
    fn new(records: &'a [LedgerRecord], entry_ids: &IdMap<&str, u32>) -> Self {
        let mut versions: IdMap<(RecordKind, &'a str), Vec<u64>> = IdMap::default();
        let mut entries: IdMap<u32, Vec<u64>> = IdMap::default();
        for r in records {
            if r.kind == RecordKind::Entry {
                if let Some(&i) = entry_ids.get(r.id.as_str()) {
                    entries.entry(i).or_default().push(r.version);
                }
            } else {
                versions.entry((r.kind, r.id.as_str())).or_default().push(r.version);
            }
        }
        Ledger { versions, entries }
    }

    /// (already invoiced at this version, latest other version invoiced).
    pub(crate) fn lookup(&self, kind: RecordKind, id: &str, version: u64) -> (bool, Option<u64>) {
        Self::found(self.versions.get(&(kind, id)), version)
    }

    /// [`Ledger::lookup`] for the batch's entry at `index`.
    pub(crate) fn lookup_entry(&self, index: usize, version: u64) -> (bool, Option<u64>) {
        if self.entries.is_empty() {
            return (false, None);
        }
        Self::found(self.entries.get(&(index as u32)), version)
    }

    fn found(versions: Option<&Vec<u64>>, version: u64) -> (bool, Option<u64>) {
        match versions {
            None => (false, None),
            Some(v) => (v.contains(&version), v.iter().copied().filter(|x| *x != version).max()),
        }
    }
}

/// Add each blocked record's finding to its reasons, before the cap: a record with a finding is not billed. Only
/// a record that would be billed is blocked: one already held by another finding, or deferred, has its credit
/// checked in the run that bills it.
fn block(entries: &mut [EntryAssessment<'_>], expenses: &mut [ExpenseAssessment<'_>], blocked: &[Blocked]) {
    for b in blocked {
        let found = match b.kind {
            RecordKind::Entry => {
                entries.get_mut(b.index).map(|a| (&mut a.reasons, &mut a.status, &mut a.retryable, &mut a.billable))
            }
            RecordKind::Expense => {
                expenses.get_mut(b.index).map(|a| (&mut a.reasons, &mut a.status, &mut a.retryable, &mut a.billable))
            }
        };
        let Some((reasons, status, retryable, billable)) = found else { continue };
        if *status != Status::Eligible {
            continue;
        }
        reasons.push(b.finding.clone());
        *status = status_of(reasons);
        *retryable = self::retryable(reasons);
        *billable = None;
    }
}

/// Status from the findings (before the cap).
pub(crate) fn status_of(reasons: &[Finding]) -> Status {
    if reasons.is_empty() {
        Status::Eligible
    } else if reasons.iter().any(|f| f.code == Reason::OutsidePeriod) {
        Status::Deferred
    } else {
        Status::Exception
    }
}

pub(crate) fn retryable(reasons: &[Finding]) -> bool {
    !reasons.is_empty() && reasons.iter().all(|f| f.retryable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Customer, TimesheetEntry};
    use crate::rates::Tables;
    use crate::rates::fixtures::*;
    use serde_json::json;

    fn customers() -> Vec<Customer> {
        serde_json::from_value(
            json!([{"id": "c1", "name": "Acme", "country": "US", "billing_currency": "USD", "status": "active"}]),
        )
        .unwrap()
    }

    /// (id, status, reasons, billed, held) per entry, by id.
    type Summary = Vec<(String, Status, Vec<Reason>, Option<Decimal>, Option<Decimal>)>;

    fn summary(a: &Assessment<'_>) -> Summary {
        let mut v: Vec<_> = a
            .entries
            .iter()
            .map(|e| {
                (
                    e.entry_id.to_string(),
                    e.status,
                    e.reasons.iter().map(|f| f.code).collect(),
                    e.billable.as_ref().map(|b| b.amount),
                    e.held.as_ref().map(|h| h.amount),
                )
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// The fixture firm's master data and a March run (`k-cap` has 250.00 invoiced), handed to `f`.
    fn with_firm<R>(f: impl FnOnce(&MasterData<'_>, &Run<'_>) -> R) -> R {
        let (w, cu, k, p, c) =
            (workers(), customers(), contracts(serde_json::Value::Null), projects(), cards("100.00"));
        let master =
            MasterData::new(Tables { workers: &w, customers: &cu, contracts: &k, projects: &p, rate_cards: &c })
                .unwrap();
        let period = Period { start: "2026-03-01".parse().unwrap(), end: "2026-03-31".parse().unwrap() };
        let invoiced = [ContractInvoiced { contract_id: "k-cap".into(), amount: "250.00".parse().unwrap() }];
        f(&master, &Run { period, ledger: &[], invoiced: &invoiced, released: &[], blocked: &[], cap_unknown: &[] })
    }

    fn assess_all(entries: &[TimesheetEntry]) -> Summary {
        with_firm(|master, run| summary(&assess(master, entries, &[], run, &RateOptions::default()).unwrap()))
    }

    #[test]
    fn cap_split_by_hand() {
        // k-cap: 1000.00 cap, 250.00 invoiced → 750.00 left. 03-02 5 h = 500.00 eligible (250.00 left);
        // 03-03 4 h = 400.00 → 250.00 billed, 150.00 held.
        let out = assess_all(&[entry("b", "p-cap", "2026-03-03", "4"), entry("a", "p-cap", "2026-03-02", "5")]);
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        assert_eq!(out[0], ("a".into(), Status::Eligible, vec![], d("500.00"), None));
        assert_eq!(
            out[1],
            ("b".into(), Status::PartiallyEligible, vec![Reason::CapExceeded], d("250.00"), d("150.00"))
        );
    }

    /// A repeated id fails the call at the first position that repeats one, naming where the id
    /// was first: `b` repeats at 3 before `a` repeats at 4.
    #[test]
    fn a_cap_left_past_the_decimal_range_is_an_overflow_error() {
        // Not-to-exceed at the decimal maximum less a refund (−200.00) is more than a decimal holds.
        let request = json!({"period": {"start": "2026-03-01", "end": "2026-03-31"},
            "workers": [{"id": "w2", "name": "W2", "role": "consultant", "employment": {"status": "active", "start": "2020-01-01"}},
                {"id": "boss", "name": "B", "role": "manager", "employment": {"status": "active", "start": "2020-01-01"},
                    "approver_for": ["p"]}],
            "customers": customers(),
            "contracts": [{"id": "k", "customer_id": "c1", "currency": "USD", "billing_type": "time_and_materials",
                "start": "2026-01-01", "rate_card_id": "rc", "billing_schedule": "monthly",
                "not_to_exceed": "79228162514264337593543950335"}],
            "projects": [{"id": "p", "contract_id": "k", "status": "open"}],
            "rate_cards": [{"id": "rc", "currency": "USD", "rules": [{"id": "std", "rate": "100.00"}]}],
            "expenses": [{"id": "x1", "worker_id": "w2", "project_id": "p", "date": "2026-03-03",
                "amount": {"amount": "-200.00", "currency": "USD"}, "category": "travel", "status": "approved",
                "approved_by": "boss", "receipt": true}]});
        let e = crate::api::call_json("eligibility", &request.to_string()).unwrap_err();
        assert_eq!(e.code.as_str(), "arithmetic_overflow");
    }

    #[test]
    fn duplicate_id_names_the_first_repeat() {
        let ids = ["a", "b", "c", "b", "a"];
        let entries: Vec<TimesheetEntry> = ids.iter().map(|id| entry(id, "p1", "2026-03-02", "1")).collect();
        with_firm(|master, run| {
            let err = assess(master, &entries, &[], run, &RateOptions::default()).unwrap_err();
            assert_eq!(err.code, Code::DuplicateId);
            assert_eq!(err.message, "`b` is also the id of entries[1]");
            assert_eq!(err.path, "entries[3].id");
            assert!(assess(master, &entries[..3], &[], run, &RateOptions::default()).is_ok());
        });
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_entry() -> impl Strategy<Value = (&'static str, &'static str, u32, bool, &'static str)> {
            (
                proptest::sample::select(vec!["p1", "p-closed", "p-cap"]),
                proptest::sample::select(vec!["2026-02-27", "2026-03-02", "2026-03-03", "2026-03-31"]),
                1u32..13,
                any::<bool>(),
                proptest::sample::select(vec!["boss", "w1"]),
            )
        }

        proptest! {
            /// Status, reasons, billed and held amounts of every record are the same in any input order
            /// (the cap is consumed in date order, then id).
            #[test]
            fn eligibility_does_not_depend_on_input_order(
                specs in proptest::collection::vec(any_entry(), 1..8), seed in any::<u64>(),
            ) {
                let entries: Vec<TimesheetEntry> = specs
                    .iter()
                    .enumerate()
                    .map(|(i, (p, date, quarter_hours, approved, approver))| {
                        let mut e = entry(&format!("e{i}"), p, date, &Decimal::new(i64::from(*quarter_hours) * 25, 2).to_string());
                        if !approved {
                            e.status = crate::model::ApprovalStatus::Submitted;
                        }
                        e.approved_by = Some((*approver).to_string());
                        e
                    })
                    .collect();
                let mut shuffled = entries.clone();
                let n = shuffled.len();
                shuffled.rotate_left((seed as usize) % n);
                if seed % 2 == 0 {
                    shuffled.reverse();
                }
                prop_assert_eq!(assess_all(&entries), assess_all(&shuffled));
            }
        }
    }
}
