//! Step 4: retainers. Each window of a retainer contract's schedule inside the period is billed once (ledger id
//! `<contract>@<window start>`); a window an earlier run queued (the customer was on hold, its invoice could not be
//! taxed) is billed late when the caller sends its id back in `retainer_windows`, as a queued entry is billed late
//! when its source sends it again.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::accounts::{Accounts, Subject};
use super::document::{Explanation, LineKind};
use super::ledger::{LedgerIndex, SourceKind};
use super::request::InvoiceRunRequest;
use super::run::{Description, Item, Place, customer_reason};
use super::windows::{Period, window_of, windows};
use crate::eligibility::{Finding, Reason};
use crate::error::{Code, Error, Result};
use crate::model::{BillingSchedule, BillingType, Contract, Customer};
use crate::money::round_to_scale;
use crate::wire;

/// What billing a window reads.
pub(super) struct Books<'a, 'b> {
    pub(super) req: &'a InvoiceRunRequest,
    pub(super) period: Period,
    pub(super) ledger: &'b LedgerIndex<'a>,
    pub(super) customers: &'b BTreeMap<&'a str, &'a Customer>,
}

/// Bill every retainer window of the period, then the earlier windows the request sends back.
pub(super) fn bill<'a>(books: &Books<'a, '_>, out: &mut Accounts, items: &mut Vec<Item<'a>>) -> Result<()> {
    let (req, period) = (books.req, books.period);
    for (c, contract) in req.contracts.iter().enumerate() {
        if contract.billing_type != BillingType::Retainer || contract.retainer.is_none() {
            continue;
        }
        for window in windows(contract.billing_schedule, &period) {
            if window.end < contract.start || contract.end.is_some_and(|end| window.start > end) {
                continue;
            }
            // The whole window's start, not the period's cut of it: a week two runs share is one id, billed once.
            let id = format!("{}@{}", contract.id, window_of(contract.billing_schedule, window.start, &period).start);
            if books.ledger.contains(SourceKind::Retainer, &id, 1) {
                continue;
            }
            bill_window(books, c, id, window, false, out, items)?;
        }
    }
    let mut sent: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, id) in req.retainer_windows.iter().enumerate() {
        let path = || format!("retainer_windows[{i}]");
        if let Some(first) = sent.insert(id.as_str(), i) {
            let message = format!("`{id}` is sent twice (retainer_windows[{first}] and here)");
            return Err(Error::new(Code::DuplicateId, message).at(path()));
        }
        // A window the period bills itself (a week from the last run's period reaching into this one) is billed
        // once, by the period.
        let Some((c, window)) = earlier_window(req, period, id).map_err(|e| e.at(path()))? else { continue };
        if books.ledger.contains(SourceKind::Retainer, id, 1) {
            let index = out.retainer_window(id);
            let finding = Finding::new(Reason::AlreadyInvoiced, "this retainer window is in the ledger");
            let subject =
                Subject::new(SourceKind::Retainer, index, id.as_str(), 1, window.start, Some(&req.contracts[c]));
            out.queue(subject, vec![finding]);
            continue;
        }
        bill_window(books, c, id.clone(), window, true, out, items)?;
    }
    Ok(())
}

/// The contract and window of `id` (`<contract>@<window start>`, the start a strict `YYYY-MM-DD`, so that one
/// window has one id), a window of a retainer contract's schedule that starts before the period and lies within
/// the contract's dates; `None` for a window that reaches into the period, which the period bills itself.
fn earlier_window(req: &InvoiceRunRequest, period: Period, id: &str) -> Result<Option<(usize, Period)>> {
    let bad = |why: String| Error::new(Code::InvalidValue, format!("retainer window `{id}`: {why}"));
    let Some((contract_id, start)) = id.rsplit_once('@') else {
        return Err(bad("not `<contract id>@<window start>`".to_string()));
    };
    let start = wire::parse_date(start).map_err(|e| {
        let message = format!("retainer window `{id}`: {}", e.message);
        Error::new(e.code, message)
    })?;
    let Some(c) = req.contracts.iter().position(|k| k.id == contract_id) else {
        let message = format!("retainer window `{id}`: no contract has id `{contract_id}`");
        return Err(Error::new(Code::UnknownReference, message));
    };
    let contract: &Contract = &req.contracts[c];
    if contract.billing_type != BillingType::Retainer {
        return Err(bad(format!("contract `{contract_id}` is not a retainer contract")));
    }
    if contract.billing_schedule == BillingSchedule::Milestone {
        return Err(bad(format!(
            "contract `{contract_id}` bills its retainer once per run period, which has no window of its own to \
             send back: run that period again"
        )));
    }
    let window = window_of(contract.billing_schedule, start, &period);
    if window.start != start {
        return Err(bad(format!("{start} is not the first day of a window of the contract's schedule")));
    }
    if window.start > period.end {
        return Err(bad(format!("the window starts {}, after the period", window.start)));
    }
    if window.end < contract.start || contract.end.is_some_and(|end| window.start > end) {
        return Err(bad("the window lies outside the contract's dates".to_string()));
    }
    Ok((window.end < period.start).then_some((c, window)))
}

/// Bill one window of contract `c`, or queue it when its customer cannot be billed.
fn bill_window<'a>(
    books: &Books<'a, '_>,
    c: usize,
    id: String,
    window: Period,
    late: bool,
    out: &mut Accounts,
    items: &mut Vec<Item<'a>>,
) -> Result<()> {
    let contract = &books.req.contracts[c];
    let Some(terms) = &contract.retainer else { return Ok(()) };
    let index = out.retainer_window(&id);
    if let Some(reason) = customer_reason(books.customers.get(contract.customer_id.as_str()).copied()) {
        out.queue(Subject::new(SourceKind::Retainer, index, id, 1, window.start, Some(contract)), vec![reason]);
        return Ok(());
    }
    let scale = contract.currency.require_minor_units().map_err(|e| e.at(format!("contracts[{c}].currency")))?;
    items.push(Item {
        kind: SourceKind::Retainer,
        index,
        version: 1,
        contract: c,
        project_id: None,
        date: window.start,
        amount: round_to_scale(terms.amount, scale, contract.rounding_mode)?,
        hours: None,
        late,
        line: LineKind::Retainer,
        group: None,
        description: Description::Text(format!(
            "{} {} to {}",
            terms.description.as_deref().unwrap_or("Retainer"),
            window.start,
            window.end
        )),
        explanation: Explanation::Retainer { window },
        id: Cow::Owned(id),
    });
    out.place(SourceKind::Retainer, index, Place::Invoiced);
    Ok(())
}
