//! The run itself: dedupe the input, assess every record, add milestones and
//! retainers, group into invoices, tax and total them, number them, and
//! account for every record.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::accounts::{Accounts, Subject};
use super::assemble::{build_invoice, push_digits};
use super::cap_base::{Rates, cap_base, explain_converted};
use super::checks::{
    check_ledger_rows, check_milestones, check_next_number, check_numbering, check_retainers, superseded_by_invoiced,
};
use super::credit::{self, Books, Placement, credit};
use super::document::*;
use super::ledger::{LedgerIndex, SourceKind};
use super::request::{BeforePeriod, FxDate, Grouping, InvoiceRunRequest};
use super::taxing::CustomerTax;
use super::windows::{Period, clipped_window};
use super::{retainers, taxing};
use crate::eligibility::{self, Finding, Reason, RecordKind, Run, Status};
use crate::error::{Code, Error, Result};
use crate::model::{Contract, Customer, CustomerStatus, MilestoneStatus, TaxRounding};
use crate::money::{FxTable, round_to_scale};
use crate::rates::{Holidays, IdMap, MasterData, RateOptions, Tables};
use crate::tax::TaxTable;

/// Where an input record ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Invoiced,
    Exception,
    Deferred,
}

/// A billed item waiting for its invoice. It borrows from the request; only
/// what reaches the response is copied, once, when its line is built.
pub(super) struct Item<'a> {
    pub(super) kind: SourceKind,
    /// Input index (entries, expenses, milestones) or window index (retainers); credits share their record's.
    pub(super) index: usize,
    pub(super) id: Cow<'a, str>,
    pub(super) version: u64,
    pub(super) contract: usize,
    pub(super) project_id: Option<&'a str>,
    pub(super) date: NaiveDate,
    pub(super) amount: Decimal,
    pub(super) hours: Option<Decimal>,
    pub(super) late: bool,
    pub(super) line: LineKind,
    /// Labour: (role, task, hourly rate); expenses: category; others: own line.
    pub(super) group: Option<(&'a str, &'a str, Decimal)>,
    pub(super) description: Description<'a>,
    pub(super) explanation: Explanation<'a>,
}

/// The text of the line an item starts, rendered only for the first item of each line.
pub(super) enum Description<'a> {
    /// `<role with spaces> — <task name or id>`.
    Labour { role: &'a str, task: Option<&'a str> },
    /// `Expenses — <category>`.
    Expense(&'a str),
    /// Credits, milestones, retainers: written when the item is made.
    Text(String),
}

impl Description<'_> {
    /// Written piece by piece rather than with `format!` and `str::replace` (once per line, tens of thousands of
    /// times a run): the same text, one allocation.
    pub(super) fn render(&self) -> String {
        const DASH: &str = " — ";
        match self {
            Description::Labour { role, task } => {
                let mut text = String::with_capacity(role.len() + task.map_or(0, |t| DASH.len() + t.len()));
                // `role.replace('_', " ")`.
                for (k, word) in role.split('_').enumerate() {
                    if k > 0 {
                        text.push(' ');
                    }
                    text.push_str(word);
                }
                if let Some(task) = task {
                    text.push_str(DASH);
                    text.push_str(task);
                }
                text
            }
            Description::Expense(category) => {
                const EXPENSES: &str = "Expenses — ";
                let mut text = String::with_capacity(EXPENSES.len() + category.len());
                text.push_str(EXPENSES);
                text.push_str(category);
                text
            }
            Description::Text(text) => text.clone(),
        }
    }
}

/// The invoice an item lands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InvoiceKey {
    pub(super) customer_id: String,
    pub(super) contract_id: String,
    pub(super) project_id: String,
    pub(super) currency: String,
    pub(super) window: Period,
}

/// [`InvoiceKey`] with each id replaced by its rank among the ids of its kind
/// (the empty id ranks first), so keys order exactly as the strings would:
/// customer, contract, project, currency, window. That order numbers the invoices.
type DraftKey = (u32, u32, u32, &'static str, Period);

/// The ranks of ids in string order, the empty id included.
struct Ranks<'a>(crate::rates::IdMap<&'a str, u32>);

impl<'a> Ranks<'a> {
    fn new(ids: impl Iterator<Item = &'a str>) -> Self {
        let mut sorted: Vec<&'a str> = ids.chain(std::iter::once("")).collect();
        sorted.sort_unstable();
        sorted.dedup();
        Ranks(sorted.into_iter().enumerate().map(|(i, id)| (id, i as u32)).collect())
    }

    fn of(&self, id: &str) -> u32 {
        self.0.get(id).copied().unwrap_or(0)
    }
}

/// Run the invoice run over `req`. Pure and deterministic: the same request
/// gives the same response, byte for byte once serialized.
///
/// The response borrows the rated lines' ids from `req` (nothing is copied
/// to explain an amount); [`InvoiceRunResponse::into_owned`] detaches it.
pub fn invoice_run(req: &InvoiceRunRequest) -> Result<InvoiceRunResponse<'_>> {
    let period = Period::new(req.period.start, req.period.end).map_err(|e| e.at("period"))?;
    let invoice_date = req.as_of.date_naive();
    let master = MasterData::new(Tables {
        workers: &req.workers,
        customers: &req.customers,
        contracts: &req.contracts,
        projects: &req.projects,
        rate_cards: &req.rate_cards,
    })?;
    check_retainers(&req.contracts)?;
    check_milestones(&req.milestones)?;
    check_numbering(req)?;
    check_ledger_rows(&req.ledger)?;
    let customers: BTreeMap<&str, &Customer> = req.customers.iter().map(|c| (c.id.as_str(), c)).collect();
    let contracts: BTreeMap<&str, usize> = req.contracts.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let tax_table = TaxTable::new(&req.tax_rules).map_err(|e| e.under("tax_rules"))?;
    let options = RateOptions {
        holidays: Holidays::new(&req.holidays),
        fx: FxTable::new(&req.fx_rates).map_err(|e| e.under("fx_rates"))?,
        fx_policy: req.policy.fx,
        fx_date: match req.policy.fx_date {
            FxDate::EntryDate => None,
            FxDate::InvoiceDate => Some(invoice_date),
            FxDate::PeriodEnd => Some(period.end),
        },
        invoice_date: Some(invoice_date),
        period_end: Some(period.end),
    };
    let ledger = LedgerIndex::new(&req.ledger);

    let mut out = Accounts::new(req);
    // At most one item per entry, expense and milestone, plus credits and retainer windows (rare): room for the
    // first three at once, rather than growing (and copying) a vector of items of a few hundred bytes each.
    let mut items: Vec<Item> = Vec::with_capacity(req.entries.len() + req.expenses.len() + req.milestones.len());

    // 1. Duplicates in the input: the first copy of an id+version is used, older versions give way to the newest.
    let entry_keep = dedupe(req.entries.iter().map(|e| (e.id.as_str(), e.version)));
    let expense_keep = dedupe(req.expenses.iter().map(|x| (x.id.as_str(), x.version)));
    for (i, e) in req.entries.iter().enumerate() {
        if let Err(reason) = entry_keep[i] {
            out.queue(
                Subject::new(SourceKind::Entry, i, &e.id, e.version, e.date, None),
                vec![duplicate_finding(reason)],
            );
        }
    }
    for (i, x) in req.expenses.iter().enumerate() {
        if let Err(reason) = expense_keep[i] {
            let subject = Subject::new(SourceKind::Expense, i, &x.id, x.version, x.date, None);
            out.queue(subject, vec![duplicate_finding(reason)]);
        }
    }
    let entry_index: Vec<usize> = (0..req.entries.len()).filter(|i| entry_keep[*i].is_ok()).collect();
    let expense_index: Vec<usize> = (0..req.expenses.len()).filter(|i| expense_keep[*i].is_ok()).collect();
    let entries: Cow<'_, [_]> = if entry_index.len() == req.entries.len() {
        Cow::Borrowed(&req.entries[..])
    } else {
        Cow::Owned(entry_index.iter().map(|i| req.entries[*i].clone()).collect())
    };
    let expenses: Cow<'_, [_]> = if expense_index.len() == req.expenses.len() {
        Cow::Borrowed(&req.expenses[..])
    } else {
        Cow::Owned(expense_index.iter().map(|i| req.expenses[*i].clone()).collect())
    };

    // 2. Eligibility and rating. What a changed record will credit stops counting toward the cap once it is billed.
    let records = ledger.records();
    // What each capped contract invoiced before, in its currency (rows in another converted at the invoice date).
    let rates = Rates { table: &options.fx, policy: &options.fx_policy, date: invoice_date };
    let cap = cap_base(&req.ledger, &req.contracts, &contracts, &rates)?;
    let replaced = (entries.iter().enumerate())
        .map(|(k, e)| (RecordKind::Entry, SourceKind::Entry, k, e.id.as_str(), e.version))
        .chain(
            expenses
                .iter()
                .enumerate()
                .map(|(k, x)| (RecordKind::Expense, SourceKind::Expense, k, x.id.as_str(), x.version)),
        );
    let books = Books { ledger: &ledger, contracts: &req.contracts, by_id: &contracts };
    let mut taxes = CustomerTax::new(req, &customers, invoice_date, &tax_table);
    let (released, blocked) = credit::before_cap(&books, &mut taxes, replaced)?;
    let eligibility_period = match req.policy.before_period {
        BeforePeriod::Bill => eligibility::Period { start: NaiveDate::MIN, end: period.end },
        BeforePeriod::Defer => eligibility::Period { start: period.start, end: period.end },
    };
    let run = Run {
        period: eligibility_period,
        ledger: &records,
        invoiced: &cap.totals,
        released: &released,
        blocked: &blocked,
        cap_unknown: &cap.unchecked,
    };
    // The rated lines borrow their ids from the request; when duplicates made a copy of the input, from the copy,
    // which does not outlive the run, so then they are copied out (rare: duplicates are bad input).
    let assessment = match (&entries, &expenses) {
        (Cow::Borrowed(entries), Cow::Borrowed(expenses)) => {
            eligibility::assess(&master, entries, expenses, &run, &options)?
        }
        _ => eligibility::assess(&master, &entries, &expenses, &run, &options)?.into_owned(),
    };

    for (k, mut a) in assessment.entries.into_iter().enumerate() {
        let i = entry_index[k];
        let e = &req.entries[i];
        let contract = a.line.as_ref().and_then(|l| master.contract_index(&l.contract_id)).map(|c| c as usize);
        let held = a.held.as_ref().map(|h| h.amount);
        if let Some(converted) = contract.and_then(|c| cap.converted.get(&c)) {
            explain_converted(&mut a.reasons, converted);
        }
        let item = match (a.status, a.billable, a.line, contract) {
            (Status::Eligible | Status::PartiallyEligible, Some(billable), Some(line), Some(c)) => {
                let role = master.worker(&e.worker_id).map_or("", |w| w.role.as_str());
                // The project by its index (ids are unique in the master data), its task by id.
                let task_name = e
                    .task_id
                    .as_ref()
                    .and_then(|t| {
                        let p = &master.projects[master.project_index(&e.project_id)? as usize];
                        p.tasks.get(t.as_str()).map(|&k| p.task(k))
                    })
                    .and_then(|t| t.name.as_deref());
                Some(Item {
                    kind: SourceKind::Entry,
                    index: i,
                    id: Cow::Borrowed(&e.id),
                    version: e.version,
                    contract: c,
                    project_id: Some(&e.project_id),
                    date: e.date,
                    amount: billable.amount,
                    hours: billable.hours,
                    late: e.date < period.start,
                    line: LineKind::Labour,
                    group: Some((role, e.task_id.as_deref().unwrap_or_default(), line.hourly_rate)),
                    description: Description::Labour { role, task: task_name.or(e.task_id.as_deref()) },
                    explanation: Explanation::Rated { line, held_at_cap: held },
                })
            }
            _ => None,
        };
        let subject = Subject::new(SourceKind::Entry, i, &e.id, e.version, e.date, contract.map(|c| &req.contracts[c]));
        settle(&mut out, &mut items, &books, subject, a.status, a.replaces_invoiced_version, a.reasons, held, item)?;
    }

    for (k, mut a) in assessment.expenses.into_iter().enumerate() {
        let i = expense_index[k];
        let x = &req.expenses[i];
        let contract = a.line.as_ref().and_then(|l| master.contract_index(&l.contract_id)).map(|c| c as usize);
        let held = a.held.as_ref().map(|h| h.amount);
        if let Some(converted) = contract.and_then(|c| cap.converted.get(&c)) {
            explain_converted(&mut a.reasons, converted);
        }
        let item = match (a.status, a.billable, a.line, contract) {
            (Status::Eligible | Status::PartiallyEligible, Some(billable), Some(line), Some(c)) => Some(Item {
                kind: SourceKind::Expense,
                index: i,
                id: Cow::Borrowed(&x.id),
                version: x.version,
                contract: c,
                project_id: Some(&x.project_id),
                date: x.date,
                amount: billable.amount,
                hours: None,
                late: x.date < period.start,
                line: LineKind::Expense,
                group: Some((&x.category, "", Decimal::ZERO)),
                description: Description::Expense(&x.category),
                explanation: Explanation::Expense { line: Box::new(line), held_at_cap: held },
            }),
            _ => None,
        };
        let subject =
            Subject::new(SourceKind::Expense, i, &x.id, x.version, x.date, contract.map(|c| &req.contracts[c]));
        settle(&mut out, &mut items, &books, subject, a.status, a.replaces_invoiced_version, a.reasons, held, item)?;
    }

    // 3. Milestones: accepted ones are billed once. Duplicates and older versions as for entries and expenses.
    let milestone_keep = dedupe(req.milestones.iter().map(|m| (m.id.as_str(), m.version)));
    for (i, m) in req.milestones.iter().enumerate() {
        if let Err(reason) = milestone_keep[i] {
            let subject = Subject::new(SourceKind::Milestone, i, &m.id, m.version, m.due, None);
            out.queue(subject, vec![duplicate_finding(reason)]);
            continue;
        }
        let Some(&c) = contracts.get(m.contract_id.as_str()) else {
            let f = Finding::new(Reason::UnknownReference, format!("no contract has id `{}`", m.contract_id));
            out.queue(Subject::new(SourceKind::Milestone, i, &m.id, m.version, m.due, None), vec![f]);
            continue;
        };
        let contract = &req.contracts[c];
        let mut reasons = Vec::new();
        if ledger.contains(SourceKind::Milestone, &m.id, m.version) || m.status == MilestoneStatus::Invoiced {
            reasons.push(Finding::new(Reason::AlreadyInvoiced, "this milestone version was invoiced before"));
        } else if let Some(newer) = ledger.latest_other_version(SourceKind::Milestone, &m.id, m.version)
            && newer > m.version
        {
            reasons.push(superseded_by_invoiced(newer));
        }
        if let Some(reason) = customer_reason(customers.get(contract.customer_id.as_str()).copied()) {
            reasons.push(reason);
        }
        if m.status == MilestoneStatus::Pending {
            reasons.push(Finding::new(Reason::NotAccepted, "the customer has not accepted the milestone yet"));
        }
        let deferred = m.status == MilestoneStatus::Pending && reasons.len() == 1;
        if !reasons.is_empty() {
            let place = if deferred { Place::Deferred } else { Place::Exception };
            out.queue_as(
                place,
                Subject::new(SourceKind::Milestone, i, &m.id, m.version, m.due, Some(contract)),
                reasons,
                None,
            );
            continue;
        }
        let scale = contract.currency.require_minor_units().map_err(|e| e.at(format!("contracts[{c}].currency")))?;
        let amount = round_to_scale(m.amount, scale, contract.rounding_mode)?;
        let date = m.due.clamp(period.start, period.end);
        if let Some(old) = ledger.latest_other_version(SourceKind::Milestone, &m.id, m.version) {
            let at = Placement { contract: c, project_id: None, date, late: false };
            match credit(&books, SourceKind::Milestone, i, &m.id, old, m.version, at)? {
                Ok(credit) => items.extend(credit),
                Err(finding) => {
                    let subject = Subject::new(SourceKind::Milestone, i, &m.id, m.version, m.due, Some(contract));
                    out.queue(subject, vec![finding]);
                    continue;
                }
            }
        }
        items.push(Item {
            kind: SourceKind::Milestone,
            index: i,
            id: Cow::Borrowed(&m.id),
            version: m.version,
            contract: c,
            project_id: None,
            date,
            amount,
            hours: None,
            late: false,
            line: LineKind::Milestone,
            group: None,
            description: Description::Text(format!(
                "Milestone {}{}",
                m.id,
                m.name.as_ref().map_or(String::new(), |n| format!(": {n}"))
            )),
            explanation: Explanation::Milestone { name: m.name.clone(), due: m.due },
        });
        out.place(SourceKind::Milestone, i, Place::Invoiced);
    }

    // 4. Retainers: each window of the schedule within the period, once; earlier windows sent back, late.
    retainers::bill(&retainers::Books { req, period, ledger: &ledger, customers: &customers }, &mut out, &mut items)?;

    // 5. Group into invoices, in numbering order.
    let grouping = req.policy.grouping;
    let customer_ranks = Ranks::new(req.contracts.iter().map(|c| c.customer_id.as_str()));
    let contract_ranks = Ranks::new(req.contracts.iter().map(|c| c.id.as_str()));
    let project_ranks = match grouping {
        Grouping::Project => Ranks::new(items.iter().filter_map(|i| i.project_id)),
        _ => Ranks::new(std::iter::empty()),
    };
    let contract_keys: Vec<(u32, u32)> =
        req.contracts.iter().map(|c| (customer_ranks.of(&c.customer_id), contract_ranks.of(&c.id))).collect();
    // Under customer grouping, a customer's contracts share an invoice only when they share the terms an invoice
    // is computed under (prices with or without tax, where tax is rounded, the rounding mode, cash rounding);
    // each set of terms is its own invoice, named by the lowest-ranked contract id that has it (input order does
    // not matter). Looked up only, never iterated into output.
    let mut terms_rank: IdMap<Terms<'_>, u32> = IdMap::default();
    for (c, (_, rank)) in req.contracts.iter().zip(&contract_keys) {
        let lowest = terms_rank.entry(invoice_terms(c)).or_insert(*rank);
        *lowest = (*lowest).min(*rank);
    }
    // The items stay where they are, each taken out once by the invoice it lands on. Each item's draft is found by
    // its key in a hash map; then the positions of every draft's items are laid out in one vector, draft after
    // draft, each draft's in the order its items were made (a counting sort: no vector per draft). The drafts are
    // put in numbering order once (the keys are distinct, so the order of the ordered map of drafts they replace).
    let mut keys: Vec<DraftKey> = Vec::new();
    let mut draft_of: IdMap<DraftKey, u32> = IdMap::default();
    let mut item_draft: Vec<u32> = Vec::with_capacity(items.len());
    for item in &items {
        let contract = &req.contracts[item.contract];
        let (customer, contract_rank) = contract_keys[item.contract];
        let anchor = item.date.clamp(period.start, period.end);
        let window = clipped_window(contract.billing_schedule, anchor, &period);
        let key: DraftKey = match grouping {
            Grouping::Contract => (customer, contract_rank, 0, contract.currency.code(), window),
            Grouping::Customer => (customer, terms_rank[&invoice_terms(contract)], 0, contract.currency.code(), period),
            Grouping::Project => (
                customer,
                contract_rank,
                project_ranks.of(item.project_id.unwrap_or("")),
                contract.currency.code(),
                window,
            ),
        };
        let d = *draft_of.entry(key).or_insert_with(|| {
            keys.push(key);
            (keys.len() - 1) as u32
        });
        item_draft.push(d);
    }
    // Where each draft's positions start (and the one before ends).
    let mut start = vec![0u32; keys.len() + 1];
    for d in &item_draft {
        start[*d as usize + 1] += 1;
    }
    for d in 1..start.len() {
        start[d] += start[d - 1];
    }
    let mut next = start.clone();
    let mut positions = vec![0u32; items.len()];
    for (k, d) in item_draft.iter().enumerate() {
        let at = &mut next[*d as usize];
        positions[*at as usize] = k as u32;
        *at += 1;
    }
    let mut drafts: Vec<(DraftKey, Range<usize>)> =
        keys.into_iter().enumerate().map(|(d, key)| (key, start[d] as usize..start[d + 1] as usize)).collect();
    drafts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut items: Vec<Option<Item>> = items.into_iter().map(Some).collect();

    // 6. Tax, totals, numbers: tax for every invoice first, so that a changed record is billed whole or not at all.
    let member_lists = drafts.iter().map(|(_, range)| &positions[range.clone()]);
    let (determinations, untaxed) = taxing::determine(member_lists, &items, &mut taxes, &ledger);
    let mut number = req.numbering.next;
    let mut invoices = Vec::new();
    // Room for a line per item at once, rather than growing (and copying) the ledger line by line.
    let mut new_ledger = Vec::with_capacity(req.ledger.len() + items.len());
    new_ledger.extend_from_slice(&req.ledger);
    for (((.., window), range), determination) in drafts.into_iter().zip(determinations) {
        let members = untaxed.keep(&positions[range], &items, req, &mut out);
        let (Some(Ok(determination)), Some(first)) =
            (determination, members.first().and_then(|k| items[*k as usize].as_ref()))
        else {
            continue;
        };
        let contract = &req.contracts[first.contract];
        let key = invoice_key(grouping, contract, first, window);
        let mut invoice_number = String::with_capacity(req.numbering.prefix.len() + 20);
        invoice_number.push_str(&req.numbering.prefix);
        push_digits(&mut invoice_number, number, req.numbering.width);
        // A run that issues a number starts past every number issued before under its prefix.
        if number == req.numbering.next {
            check_next_number(req)?;
        }
        number = number.checked_add(1).ok_or_else(|| {
            Error::new(Code::ArithmeticOverflow, format!("invoice numbers run past {}", u64::MAX)).at("numbering.next")
        })?;
        let invoice = build_invoice(
            invoice_number,
            key,
            &members,
            &mut items,
            contract,
            determination,
            invoice_date,
            req.policy.lines,
            &mut new_ledger,
            &req.contracts,
        )?;
        invoices.push(invoice);
    }

    out.finish(period, invoice_date, invoices, new_ledger, number)
}

/// Where an assessed entry or expense ends: billed (with a credit for the
/// version it replaces, and its held part queued when split at the cap), or
/// queued as an exception or deferred.
#[allow(clippy::too_many_arguments)]
fn settle<'a>(
    out: &mut Accounts,
    items: &mut Vec<Item<'a>>,
    books: &Books<'a, '_>,
    subject: Subject<'_>,
    status: Status,
    replaces: Option<u64>,
    reasons: Vec<Finding>,
    held: Option<Decimal>,
    item: Option<Item<'a>>,
) -> Result<()> {
    match item {
        Some(item) => {
            if let Some(old) = replaces {
                let at = Placement {
                    contract: item.contract,
                    project_id: item.project_id,
                    date: item.date,
                    late: item.late,
                };
                match credit(books, item.kind, item.index, &item.id, old, item.version, at)? {
                    Ok(credit) => items.extend(credit),
                    Err(finding) => {
                        out.queue_as(Place::Exception, subject, vec![finding], None);
                        return Ok(());
                    }
                }
            }
            items.push(item);
            out.place(subject.kind, subject.index, Place::Invoiced);
            if status == Status::PartiallyEligible {
                out.queue_held(subject, reasons, held);
            }
        }
        None => {
            let place = if status == Status::Deferred { Place::Deferred } else { Place::Exception };
            out.queue_as(place, subject, reasons, held);
        }
    }
    Ok(())
}

fn duplicate_finding(reason: Reason) -> Finding {
    match reason {
        Reason::Superseded => Finding::new(reason, "a newer version of this record is in the same input"),
        _ => Finding::new(reason, "this id and version appear earlier in the input; the first copy is used"),
    }
}

/// For each record: `Ok(())` to keep it, or why not (an earlier identical copy, or a newer version).
fn dedupe<'a>(records: impl Iterator<Item = (&'a str, u64)>) -> Vec<Result<(), Reason>> {
    let records: Vec<(&str, u64)> = records.collect();
    // Looked up only: the verdicts come out in input order.
    let mut newest: IdMap<&str, u64> = IdMap::default();
    newest.reserve(records.len());
    for (id, v) in &records {
        let slot = newest.entry(id).or_insert(*v);
        *slot = (*slot).max(*v);
    }
    // The usual input: every id once. Then no record has a newer version or an earlier copy, and every one is kept
    // without the second pass (a lookup and an insert per record).
    if newest.len() == records.len() {
        return vec![Ok(()); records.len()];
    }
    verdicts(&records, &newest)
}

/// The verdicts of [`dedupe`] given the newest version of each id.
fn verdicts(records: &[(&str, u64)], newest: &IdMap<&str, u64>) -> Vec<Result<(), Reason>> {
    let mut seen: IdMap<(&str, u64), ()> = IdMap::default();
    seen.reserve(records.len());
    records
        .iter()
        .map(|(id, v)| {
            if newest.get(id).is_some_and(|n| n > v) {
                Err(Reason::Superseded)
            } else if seen.insert((id, *v), ()).is_some() {
                Err(Reason::DuplicateRecord)
            } else {
                Ok(())
            }
        })
        .collect()
}

pub(super) fn customer_reason(customer: Option<&Customer>) -> Option<Finding> {
    match customer.map(|c| c.status) {
        Some(CustomerStatus::Active) => None,
        Some(_) => Some(Finding::new(Reason::CustomerOnHold, "the customer is not active for billing")),
        None => Some(Finding::new(Reason::UnknownReference, "the contract's customer is not in the request")),
    }
}

/// What an invoice of a customer is computed under: contracts that differ in these cannot share one.
type Terms<'a> = (&'a str, bool, TaxRounding, crate::money::RoundingMode, Option<Decimal>);

fn invoice_terms(c: &Contract) -> Terms<'_> {
    (c.customer_id.as_str(), c.prices_include_tax, c.tax_rounding, c.rounding_mode, c.cash_rounding)
}

/// The invoice of a draft, from its first item (every item of a draft gives the same key).
fn invoice_key(grouping: Grouping, contract: &Contract, item: &Item<'_>, window: Period) -> InvoiceKey {
    let base = InvoiceKey {
        customer_id: contract.customer_id.clone(),
        contract_id: contract.id.clone(),
        project_id: String::new(),
        currency: contract.currency.code().to_string(),
        window,
    };
    match grouping {
        Grouping::Contract => base,
        Grouping::Customer => InvoiceKey { contract_id: String::new(), ..base },
        Grouping::Project => InvoiceKey { project_id: item.project_id.unwrap_or_default().to_string(), ..base },
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// [`dedupe`] without its shortcut: the newest version of each id, then the verdicts.
    fn dedupe_in_full(records: &[(&str, u64)]) -> Vec<Result<(), Reason>> {
        let mut newest: IdMap<&str, u64> = IdMap::default();
        for (id, v) in records {
            let slot = newest.entry(id).or_insert(*v);
            *slot = (*slot).max(*v);
        }
        verdicts(records, &newest)
    }

    proptest! {
        /// The shortcut for inputs without a repeated id gives the verdicts of the full pass, repeated ids or not.
        #[test]
        fn dedupe_shortcut_agrees_with_the_full_pass(
            records in proptest::collection::vec((0u8..12, 1u64..4), 0..16),
            distinct in any::<bool>(),
        ) {
            let ids: Vec<String> = if distinct {
                (0..records.len()).map(|k| format!("e{k}")).collect()
            } else {
                records.iter().map(|(id, _)| format!("e{id}")).collect()
            };
            let records: Vec<(&str, u64)> = ids.iter().map(String::as_str).zip(records.iter().map(|r| r.1)).collect();
            prop_assert_eq!(dedupe(records.iter().copied()), dedupe_in_full(&records));
        }

        /// The line texts written piece by piece are the `format!` ones.
        #[test]
        fn descriptions_agree_with_format(role in "[a-z_é]{0,12}", task in proptest::option::of("[ a-zA-Z_—-]{0,12}")) {
            let labour = Description::Labour { role: &role, task: task.as_deref() };
            let expected = match &task {
                Some(task) => format!("{} — {task}", role.replace('_', " ")),
                None => role.replace('_', " "),
            };
            prop_assert_eq!(labour.render(), expected);
            prop_assert_eq!(Description::Expense(&role).render(), format!("Expenses — {role}"));
        }
    }

    #[test]
    fn dedupe_by_hand() {
        let records = [("a", 1), ("b", 2), ("a", 1), ("b", 3), ("c", 1)];
        let expected = vec![Ok(()), Err(Reason::Superseded), Err(Reason::DuplicateRecord), Ok(()), Ok(())];
        assert_eq!(dedupe(records.iter().copied()), expected);
        assert_eq!(dedupe([("a", 1), ("b", 1)].into_iter()), vec![Ok(()), Ok(())]);
    }

    #[test]
    fn descriptions_by_hand() {
        let labour = Description::Labour { role: "senior_developer", task: Some("API design") };
        assert_eq!(labour.render(), "senior developer — API design");
        assert_eq!(Description::Labour { role: "_qa__lead_", task: None }.render(), " qa  lead ");
        assert_eq!(Description::Expense("travel").render(), "Expenses — travel");
    }
}
