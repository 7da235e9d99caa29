//! The contract's not-to-exceed (SPEC §6 `cap_exceeded`).
//!
//! The cap covers everything billed under the contract, labour and
//! expenses. What is left = not-to-exceed − invoiced to date. Records that
//! pass every other check consume it in date order, entries before expenses
//! on one date, then by id, so the split does not depend on input order. The
//! record that crosses the cap is split: the part up to the cap is billed,
//! the rest is held with `cap_exceeded`; later records are held whole.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Billable, EntryAssessment, ExpenseAssessment, Finding, Held, Reason, RecordKind, Run, Status};
use crate::error::Result;
use crate::model::{Expense, TimesheetEntry};
use crate::money::{RoundingMode, checked, overflow, round_to_scale};
use crate::rates::{IdMap, LinePart, MasterData, Parts};

/// Split `parts` so that the billed ones sum to `budget` (which is below their total).
fn cut(parts: &[LinePart], budget: Decimal) -> Result<(Parts, Decimal)> {
    let mut left = budget;
    let mut out = Parts::new();
    let mut hours = Decimal::ZERO;
    for p in parts {
        if left <= Decimal::ZERO {
            break;
        }
        if p.amount <= left {
            left = checked::sub(left, p.amount)?;
            hours = checked::add(hours, p.hours)?;
            out.push(p.clone());
        } else {
            let share = p.hours.checked_mul(left).and_then(|h| h.checked_div(p.amount)).ok_or_else(overflow)?;
            let share = round_to_scale(share, 2, RoundingMode::HalfAwayFromZero)?;
            hours = checked::add(hours, share)?;
            out.push(LinePart { hours: share, unrounded: left, amount: left, ..p.clone() });
            left = Decimal::ZERO;
        }
    }
    Ok((out, hours))
}

pub(crate) fn apply(
    master: &MasterData<'_>,
    entries: &[TimesheetEntry],
    resolved: &[(Option<u32>, Option<u32>)],
    expenses: &[Expense],
    out_entries: &mut [EntryAssessment<'_>],
    out_expenses: &mut [ExpenseAssessment<'_>],
    run: &Run<'_>,
) -> Result<()> {
    let (invoiced, released) = (run.invoiced, run.released);
    // (contract index) -> records passing every other check: (date, kind, id, position).
    let mut queue: IdMap<u32, Vec<(chrono::NaiveDate, u8, &str, usize)>> = IdMap::default();
    for (i, a) in out_entries.iter().enumerate() {
        if a.status != Status::Eligible {
            continue;
        }
        if a.line.is_none() {
            continue;
        }
        // A rated entry's project and contract are known: no lookup by id.
        let Some(c) = resolved[i].1.and_then(|p| master.projects[p as usize].contract) else { continue };
        if master.contracts[c as usize].contract.not_to_exceed.is_some() {
            queue.entry(c).or_default().push((entries[i].date, 0, entries[i].id.as_str(), i));
        }
    }
    for (i, a) in out_expenses.iter().enumerate() {
        if a.status != Status::Eligible {
            continue;
        }
        let Some(line) = &a.line else { continue };
        let Some(c) = master.contract_index(&line.contract_id) else { continue };
        if master.contracts[c as usize].contract.not_to_exceed.is_some() {
            queue.entry(c).or_default().push((expenses[i].date, 1, expenses[i].id.as_str(), i));
        }
    }
    if queue.is_empty() {
        return Ok(());
    }
    let mut before: IdMap<&str, Decimal> = IdMap::default();
    for (i, row) in invoiced.iter().enumerate() {
        let total = before.entry(row.contract_id.as_str()).or_default();
        *total = total.checked_add(row.amount).ok_or_else(|| overflow().at(format!("invoiced[{i}].amount")))?;
    }
    // A changed record's older version stops counting once the record is billed (its credit reverses it), so only
    // records that pass every other check give it back: at the record's own turn when it stays on its contract
    // (so the room is the record's first, and no record before it in the order spends it), up front when it moved
    // to a contract without a cap, and not at all when it moved to one with a cap, where it might be held whole
    // and nothing be credited.
    let mut at_turn: BTreeMap<(u8, usize), Decimal> = BTreeMap::new();
    for r in released {
        let (status, own) = match r.kind {
            RecordKind::Entry => (
                out_entries.get(r.index).map(|a| a.status),
                resolved.get(r.index).and_then(|x| x.1).and_then(|p| master.projects[p as usize].contract),
            ),
            RecordKind::Expense => (
                out_expenses.get(r.index).map(|a| a.status),
                out_expenses
                    .get(r.index)
                    .and_then(|a| a.line.as_ref())
                    .and_then(|l| master.contract_index(&l.contract_id)),
            ),
        };
        let (Some(Status::Eligible), Some(own)) = (status, own) else { continue };
        let own = master.contracts[own as usize].contract;
        if own.id == r.contract_id {
            let back = at_turn.entry((r.kind as u8, r.index)).or_default();
            *back = checked::add(*back, r.amount)?;
        } else if own.not_to_exceed.is_none()
            && let Some(total) = before.get_mut(r.contract_id)
        {
            *total = checked::sub(*total, r.amount)?;
        }
    }
    let unknown: IdMap<&str, &Finding> = run.cap_unknown.iter().map(|u| (u.contract_id, &u.finding)).collect();
    // Each contract writes only its own records, so the map's order never shows.
    for (c, mut records) in queue {
        let contract = master.contracts[c as usize].contract;
        let Some(cap) = contract.not_to_exceed else { continue };
        if let Some(finding) = unknown.get(contract.id.as_str()) {
            hold_unchecked(&records, finding, out_entries, out_expenses);
            continue;
        }
        let already = before.get(contract.id.as_str()).copied().unwrap_or(Decimal::ZERO);
        let mut left = cap.checked_sub(already).ok_or_else(overflow)?;
        records.sort_unstable();
        for (_, kind, _, i) in records {
            if let Some(back) = at_turn.get(&(kind, i)) {
                left = checked::add(left, *back)?;
            }
            let (billable, held, status) = match kind {
                0 => (&mut out_entries[i].billable, &mut out_entries[i].held, &mut out_entries[i].status),
                _ => (&mut out_expenses[i].billable, &mut out_expenses[i].held, &mut out_expenses[i].status),
            };
            let Some(b) = billable.as_mut() else { continue };
            // A credit (a negative expense) always passes: it brings the total back toward the cap.
            if b.amount <= left || b.amount <= Decimal::ZERO {
                left = checked::sub(left, b.amount)?;
                continue;
            }
            let total_hours = b.hours;
            let (parts, hours) =
                if kind == 0 { cut(&b.parts, left.max(Decimal::ZERO))? } else { (Parts::new(), Decimal::ZERO) };
            let held_amount = checked::sub(b.amount, left.max(Decimal::ZERO))?;
            *held =
                Some(Held { amount: held_amount, hours: total_hours.map(|t| t - hours), code: Reason::CapExceeded });
            let message = format!(
                "contract `{}` not-to-exceed {cap}: {already} invoiced before, {} left; {held_amount} held",
                contract.id,
                left.max(Decimal::ZERO)
            );
            if left > Decimal::ZERO {
                *billable = Some(Billable { amount: left, hours: total_hours.map(|_| hours), parts });
                *status = Status::PartiallyEligible;
            } else {
                *billable = None;
                *status = Status::Exception;
            }
            left = Decimal::ZERO;
            let finding = Finding::new(Reason::CapExceeded, message);
            let (reasons, retryable) = match kind {
                0 => (&mut out_entries[i].reasons, &mut out_entries[i].retryable),
                _ => (&mut out_expenses[i].reasons, &mut out_expenses[i].retryable),
            };
            reasons.push(finding);
            reasons.sort_by_key(|f| f.code);
            *retryable = super::retryable(reasons);
        }
    }
    Ok(())
}

/// Hold whole, with `finding`, each record of a capped contract whose invoiced total is unknown that would add to the
/// total; a refund or a zero amount passes, as it passes the cap.
fn hold_unchecked(
    records: &[(chrono::NaiveDate, u8, &str, usize)],
    finding: &Finding,
    out_entries: &mut [EntryAssessment<'_>],
    out_expenses: &mut [ExpenseAssessment<'_>],
) {
    for &(_, kind, _, i) in records {
        let (billable, status, reasons, retryable) = match kind {
            0 => {
                let a = &mut out_entries[i];
                (&mut a.billable, &mut a.status, &mut a.reasons, &mut a.retryable)
            }
            _ => {
                let a = &mut out_expenses[i];
                (&mut a.billable, &mut a.status, &mut a.reasons, &mut a.retryable)
            }
        };
        if billable.as_ref().is_none_or(|b| b.amount <= Decimal::ZERO) {
            continue;
        }
        *billable = None;
        *status = Status::Exception;
        reasons.push(finding.clone());
        reasons.sort_by_key(|f| f.code);
        *retryable = super::retryable(reasons);
    }
}
