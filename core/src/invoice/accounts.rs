//! Where every input record ended, the exception queue and the deferred
//! list, the counters and the reconciliation.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::document::*;
use super::ledger::{LedgerLine, SourceKind};
use super::request::InvoiceRunRequest;
use super::run::Place;
use super::windows::Period;
use crate::api::ApiVersion;
use crate::eligibility::{Finding, Reason};
use crate::error::Result;
use crate::model::Contract;
use crate::money::checked;

/// Every kind, in order; each at the position of its value.
const KINDS: [SourceKind; 4] = [SourceKind::Entry, SourceKind::Expense, SourceKind::Milestone, SourceKind::Retainer];

/// The record a queue item is about, borrowed until it is queued.
pub(super) struct Subject<'a> {
    pub(super) kind: SourceKind,
    /// Input index (or retainer window index), for ordering and the reconciliation.
    pub(super) index: usize,
    pub(super) id: Cow<'a, str>,
    pub(super) version: u64,
    pub(super) contract_id: Option<&'a str>,
    pub(super) date: Option<NaiveDate>,
}

impl<'a> Subject<'a> {
    pub(super) fn new(
        kind: SourceKind,
        index: usize,
        id: impl Into<Cow<'a, str>>,
        version: u64,
        date: NaiveDate,
        contract: Option<&'a Contract>,
    ) -> Subject<'a> {
        Subject { kind, index, id: id.into(), version, contract_id: contract.map(|c| c.id.as_str()), date: Some(date) }
    }
}

/// Where every record ended, and the queues.
pub(super) struct Accounts {
    /// Per kind, in [`KINDS`] order (a kind's position is its value): where each record ended.
    places: [Vec<Option<Place>>; 4],
    retainer_windows: Vec<String>,
    exceptions: Vec<(SourceKind, usize, QueueItem)>,
    deferred: Vec<(SourceKind, usize, QueueItem)>,
    /// Where in `exceptions` the held part of a record split at the not-to-exceed is, by
    /// (kind, index): a later failure of its billed part joins that item. A map, not a search of
    /// the queue, which made a run with many exceptions quadratic.
    held: BTreeMap<(SourceKind, usize), usize>,
}

impl Accounts {
    pub(super) fn new(req: &InvoiceRunRequest) -> Self {
        let places = [
            vec![None; req.entries.len()],
            vec![None; req.expenses.len()],
            vec![None; req.milestones.len()],
            Vec::new(),
        ];
        Accounts {
            places,
            retainer_windows: Vec::new(),
            exceptions: Vec::new(),
            deferred: Vec::new(),
            held: BTreeMap::new(),
        }
    }

    pub(super) fn retainer_window(&mut self, id: &str) -> usize {
        self.retainer_windows.push(id.to_string());
        self.places[SourceKind::Retainer as usize].push(None);
        self.retainer_windows.len() - 1
    }

    pub(super) fn place(&mut self, kind: SourceKind, index: usize, place: Place) {
        if let Some(slot) = self.places[kind as usize].get_mut(index) {
            *slot = Some(place);
        }
    }

    /// Queue a record as an exception.
    pub(super) fn queue(&mut self, subject: Subject<'_>, reasons: Vec<Finding>) {
        self.queue_as(Place::Exception, subject, reasons, None);
    }

    /// Queue a record: it ends in the exception queue or deferred.
    pub(super) fn queue_as(
        &mut self,
        place: Place,
        subject: Subject<'_>,
        reasons: Vec<Finding>,
        held: Option<Decimal>,
    ) {
        self.place(subject.kind, subject.index, place);
        self.push(place, subject, reasons, held);
    }

    /// Queue the held part of a record split at the not-to-exceed; the record itself counts as invoiced.
    pub(super) fn queue_held(&mut self, subject: Subject<'_>, reasons: Vec<Finding>, held: Option<Decimal>) {
        self.push(Place::Exception, subject, reasons, held);
    }

    fn push(&mut self, place: Place, subject: Subject<'_>, mut reasons: Vec<Finding>, held_amount: Option<Decimal>) {
        let Subject { kind, index, id, version, contract_id, date } = subject;
        // A record split at the not-to-exceed whose billed part then fails (its invoice cannot be
        // taxed) is one queue item: its held part's item takes the new reasons.
        if place == Place::Exception
            && let Some(&at) = self.held.get(&(kind, index))
        {
            let held = &mut self.exceptions[at].2;
            for f in reasons {
                if !held.reasons.iter().any(|r| r.code == f.code) {
                    held.reasons.push(f);
                }
            }
            held.reasons.sort_by_key(|f| f.code);
            held.retryable = held.reasons.iter().all(|f| f.retryable);
            return;
        }
        reasons.sort_by_key(|f| f.code);
        let retryable = !reasons.is_empty() && reasons.iter().all(|f| f.retryable);
        let (id, contract_id) = (id.into_owned(), contract_id.map(str::to_string));
        let item = QueueItem { kind, id, version, contract_id, date, reasons, retryable, held_amount };
        match place {
            Place::Deferred => self.deferred.push((kind, index, item)),
            _ => {
                if item.held_amount.is_some() {
                    self.held.entry((kind, index)).or_insert(self.exceptions.len());
                }
                self.exceptions.push((kind, index, item));
            }
        }
    }

    pub(super) fn finish<'a>(
        mut self,
        period: Period,
        invoice_date: NaiveDate,
        invoices: Vec<Invoice<'a>>,
        ledger: Vec<LedgerLine>,
        next_number: u64,
    ) -> Result<InvoiceRunResponse<'a>> {
        // Queues: by kind, then input order; one record's items keep their order.
        self.exceptions.sort_by_key(|(k, i, _)| (*k, *i));
        self.deferred.sort_by_key(|(k, i, _)| (*k, *i));
        let mut counters = Counters { invoices: invoices.len(), ..Counters::default() };
        for inv in &invoices {
            counters.lines += inv.lines.len();
            counters.credits += inv.lines.iter().filter(|l| l.kind == LineKind::Credit).count();
            counters.late += inv.lines.iter().flat_map(|l| &l.sources).filter(|s| s.late).count();
            let t = counters.totals_by_currency.entry(inv.currency.code().to_string()).or_default();
            t.invoices += 1;
            t.subtotal = checked::add(t.subtotal, inv.subtotal)?;
            t.tax = checked::add(t.tax, inv.tax_total)?;
            t.rounding = checked::add(t.rounding, inv.rounding)?;
            t.total = checked::add(t.total, inv.total)?;
        }
        counters.exceptions_by_reason = count(&self.exceptions);
        counters.deferred_by_reason = count(&self.deferred);
        let reconciliation = self
            .places
            .iter()
            .zip(KINDS)
            .map(|(places, kind)| {
                let count = |p: Place| places.iter().filter(|x| **x == Some(p)).count();
                let (invoiced, exceptioned, deferred) =
                    (count(Place::Invoiced), count(Place::Exception), count(Place::Deferred));
                Reconciliation {
                    kind,
                    received: places.len(),
                    invoiced,
                    exceptioned,
                    deferred,
                    balanced: places.len() == invoiced + exceptioned + deferred,
                }
            })
            .collect();
        Ok(InvoiceRunResponse {
            api_version: ApiVersion,
            period,
            invoice_date,
            invoices,
            exceptions: self.exceptions.into_iter().map(|(_, _, q)| q).collect(),
            deferred: self.deferred.into_iter().map(|(_, _, q)| q).collect(),
            ledger,
            next_number,
            counters,
            reconciliation,
        })
    }
}

/// Items per reason code (an item with two reasons counts under both). Counted per reason in an array, then
/// written as the map of codes: the same map as counting into it directly, without looking a code up per reason.
fn count(queue: &[(SourceKind, usize, QueueItem)]) -> BTreeMap<String, usize> {
    let mut counts = [0usize; Reason::ALL.len()];
    for (_, _, q) in queue {
        for r in &q.reasons {
            counts[r.code as usize] += 1;
        }
    }
    Reason::ALL.iter().zip(counts).filter(|(_, n)| *n > 0).map(|(r, n)| (r.as_str().to_string(), n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The array count is the map count: each reason at its position in `Reason::ALL`, so every code lands in its
    /// own slot, whatever the mix of reasons.
    #[test]
    fn count_by_reason_agrees_with_counting_codes() {
        assert!(Reason::ALL.iter().enumerate().all(|(k, r)| *r as usize == k));
        // The places per kind, likewise, and in the order the reconciliation lists the kinds.
        assert!(KINDS.iter().enumerate().all(|(k, kind)| *kind as usize == k) && KINDS.is_sorted());
        let item = |reasons: &[Reason]| QueueItem {
            kind: SourceKind::Entry,
            id: "e1".into(),
            version: 1,
            contract_id: None,
            date: None,
            reasons: reasons.iter().map(|r| Finding::new(*r, "x")).collect(),
            retryable: false,
            held_amount: None,
        };
        let mut queue: Vec<(SourceKind, usize, QueueItem)> =
            Reason::ALL.iter().enumerate().map(|(k, _)| (SourceKind::Entry, k, item(&Reason::ALL[k..]))).collect();
        queue.push((SourceKind::Expense, 0, item(&[])));
        let mut expected: BTreeMap<String, usize> = BTreeMap::new();
        for (_, _, q) in &queue {
            for r in &q.reasons {
                *expected.entry(r.code.as_str().to_string()).or_default() += 1;
            }
        }
        assert_eq!(count(&queue), expected);
        assert_eq!(count(&queue).get(Reason::ALL[1].as_str()), Some(&2));
        assert!(count(&[]).is_empty());
    }
}
