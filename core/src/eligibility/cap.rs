//! The contract's not-to-exceed (SPEC §6 `cap_exceeded`).
//!
//! The cap covers everything billed under the contract, labour and
//! expenses. What is left = not-to-exceed − invoiced to date. Records that
//! pass every other check consume it in date order, entries before expenses
//! on one date, then by id, so the split does not depend on input order. The
//! record that crosses the cap is split: the part up to the cap is billed,
//! the rest is held with `cap_exceeded`; later records are held whole.

use rust_decimal::Decimal;

use super::{Billable, ContractInvoiced, EntryAssessment, ExpenseAssessment, Finding, Held, Reason, Status};
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
    invoiced: &[ContractInvoiced],
) -> Result<()> {
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
    // Each contract writes only its own records, so the map's order never shows.
    for (c, mut records) in queue {
        let contract = master.contracts[c as usize].contract;
        let Some(cap) = contract.not_to_exceed else { continue };
        let already = before.get(contract.id.as_str()).copied().unwrap_or(Decimal::ZERO);
        let mut left = cap.checked_sub(already).ok_or_else(overflow)?;
        records.sort_unstable();
        for (_, kind, _, i) in records {
            let (billable, held, status) = match kind {
                0 => (&mut out_entries[i].billable, &mut out_entries[i].held, &mut out_entries[i].status),
                _ => (&mut out_expenses[i].billable, &mut out_expenses[i].held, &mut out_expenses[i].status),
            };
            let Some(b) = billable.as_mut() else { continue };
            if b.amount <= left {
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
