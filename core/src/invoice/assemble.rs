//! One invoice from its items: lines in a fixed order, taxes, cash rounding,
//! totals that reconcile, and the ledger lines it adds.

use std::collections::BTreeSet;
use std::ops::Range;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::document::*;
use super::ledger::{LedgerLine, LedgerTax};
use super::request::LineGrouping;
use super::run::{InvoiceKey, Item};
use crate::error::Result;
use crate::model::Contract;
use crate::money::{cash_round, overflow, round_to_scale, with_scale};
use crate::tax::{self, TaxPolicy};

#[allow(clippy::too_many_arguments)]
pub(super) fn build_invoice<'a>(
    number: String,
    key: InvoiceKey,
    members: &[u32],
    items: &mut [Option<Item<'a>>],
    contract: &Contract,
    determination: tax::Determination,
    date: NaiveDate,
    line_grouping: LineGrouping,
    ledger: &mut Vec<LedgerLine>,
    contracts: &[Contract],
) -> Result<Invoice<'a>> {
    // Lines in a fixed order: credits, labour, expenses, milestones, retainers; within a kind by group, then date, id.
    // The items (`members`: their positions in `items`, in the order the draft got them) are sorted by position (a
    // stable sort, so ties keep the order of the draft, as sorting the items themselves would): an item is a few
    // hundred bytes, and a sort shifting items copies them many times.
    let mut order: Vec<u32> = members.to_vec();
    {
        let key = |k: u32| items[k as usize].as_ref().map(|a| (a.line, &a.group, a.date, &a.id, a.version));
        order.sort_by(|&a, &b| key(a).cmp(&key(b)));
    }
    // A line is a run of consecutive items in that order: its range in `order`.
    let mut runs: Vec<Range<usize>> = Vec::with_capacity(order.len());
    for (k, &i) in order.iter().enumerate() {
        let Some(item) = &items[i as usize] else { continue };
        let joins = match (runs.last(), line_grouping) {
            (Some(run), LineGrouping::RoleTask) => items[order[run.start] as usize]
                .as_ref()
                .is_some_and(|first| first.line == item.line && item.group.is_some() && first.group == item.group),
            _ => false,
        };
        match runs.last_mut() {
            Some(run) if joins => run.end = k + 1,
            _ => runs.push(k..k + 1),
        }
    }

    // What the invoice charges, on every ledger row it writes: a later credit must reverse the same.
    let charged = LedgerTax { category: determination.category, rule_ids: determination.rule_ids.clone() };
    let mut contract_ids: BTreeSet<&str> = BTreeSet::new();
    // The contract last added: the items of an invoice mostly share one, and adding it again changes nothing.
    let mut last_contract: Option<usize> = None;
    let mut sources: Vec<SourceRef> = Vec::with_capacity(order.len());
    let mut built = Vec::with_capacity(runs.len());
    let mut taxable = Vec::with_capacity(runs.len());
    // Taken out one by one, in line order.
    let slots = items;
    for (n, run) in runs.into_iter().enumerate() {
        let members = &order[run];
        let (kind, description, amount, hours, unit_price) = {
            let member = |k: &u32| slots[*k as usize].as_ref();
            let Some(first) = members.first().and_then(member) else { continue };
            let amount = members
                .iter()
                .filter_map(member)
                .try_fold(Decimal::ZERO, |acc, m| acc.checked_add(m.amount))
                .ok_or_else(overflow)?;
            // The hours of a run whose items all have hours (`Option`'s `sum`, checked).
            let mut hours = Some(Decimal::ZERO);
            for h in members.iter().filter_map(member).map(|m| m.hours) {
                hours = match (hours, h) {
                    (Some(sum), Some(h)) => Some(sum.checked_add(h).ok_or_else(overflow)?),
                    _ => None,
                };
            }
            // Every item of a run has its first item's group (that is how a run grows), so one rate for the line.
            let unit_price = match (first.line, &first.group) {
                (LineKind::Labour, Some((_, _, rate))) => Some(rate.normalize()),
                _ => None,
            };
            (first.line, first.description.render(), amount, hours, unit_price)
        };
        let id = line_id(&number, n + 1);
        let mut line_sources = Vec::with_capacity(members.len());
        for m in members.iter().filter_map(|k| slots[*k as usize].take()) {
            let c = &contracts[m.contract];
            if last_contract != Some(m.contract) {
                contract_ids.insert(&c.id);
                last_contract = Some(m.contract);
            }
            // The line source keeps the id borrowed from the request; the invoice's list and the ledger own theirs.
            sources.push(SourceRef { kind: m.kind, id: m.id.to_string(), version: m.version });
            ledger.push(LedgerLine {
                kind: m.kind,
                id: m.id.to_string(),
                version: m.version,
                contract_id: c.id.clone(),
                invoice_number: number.clone(),
                amount: m.amount,
                currency: c.currency,
                hours: m.hours,
                credits: match &m.explanation {
                    Explanation::Credit { invoice_number, .. } => Some(invoice_number.clone()),
                    _ => None,
                },
                tax: Some(charged.clone()),
            });
            line_sources.push(LineSource {
                kind: m.kind,
                id: m.id,
                version: m.version,
                amount: m.amount,
                hours: m.hours,
                late: m.late,
                explanation: m.explanation,
            });
        }
        taxable.push(amount);
        built.push(InvoiceLine {
            id,
            kind,
            description,
            quantity: hours,
            unit_price,
            amount,
            net: amount,
            taxes: Vec::new(),
            sources: line_sources,
        });
    }

    let policy = TaxPolicy {
        currency: contract.currency,
        prices_include_tax: contract.prices_include_tax,
        tax_rounding: contract.tax_rounding,
        rounding_mode: contract.rounding_mode,
    };
    let (line_taxes, totals, net, tax) = tax::compute_shared(&taxable, &determination, &policy)?;
    for (line, taxes) in built.iter_mut().zip(line_taxes) {
        line.net = taxes.net;
        line.taxes =
            taxes.taxes.into_iter().map(|t| LineTax { rule: t.rule, base: t.base, amount: t.amount }).collect();
    }
    let tax_lines = totals.into_iter().map(|t| TaxLine { rule: t.rule, base: t.base, amount: t.amount }).collect();
    let before_rounding = net.checked_add(tax).ok_or_else(overflow)?;
    let (total, rounding) = match contract.cash_rounding {
        Some(increment) => {
            let (rounded, difference) = cash_round(before_rounding, increment, contract.rounding_mode)?;
            let scale = contract.currency.require_minor_units()?;
            (
                round_to_scale(rounded, scale, contract.rounding_mode)?,
                round_to_scale(difference, scale, contract.rounding_mode)?,
            )
        }
        None => (before_rounding, Decimal::ZERO),
    };
    let scale = contract.currency.require_minor_units()?;
    sources.sort_unstable();
    sources.dedup();
    let contract_ids: Vec<String> = contract_ids.into_iter().map(str::to_string).collect();
    Ok(Invoice {
        number,
        customer_id: key.customer_id,
        contract_id: contract_ids.first().cloned().unwrap_or_default(),
        contract_ids,
        project_id: (!key.project_id.is_empty()).then_some(key.project_id),
        currency: contract.currency,
        period: key.window,
        date,
        lines: built,
        tax_lines,
        subtotal: with_scale(net, scale)?,
        tax_total: with_scale(tax, scale)?,
        rounding: with_scale(rounding, scale)?,
        total: with_scale(total, scale)?,
        tax_determination: determination,
        sources,
    })
}

/// `<invoice number>-<n>`, as `format!("{number}-{n}")` writes it, without the formatting machinery (once per line).
pub(super) fn line_id(number: &str, n: usize) -> String {
    let mut id = String::with_capacity(number.len() + 1 + 20);
    id.push_str(number);
    id.push('-');
    push_digits(&mut id, n as u64, 0);
    id
}

/// Append `n` in decimal, left-padded with zeros to `width` digits (`{:0width$}`).
pub(super) fn push_digits(out: &mut String, n: u64, width: usize) {
    let (digits, start) = crate::wire::decimal_digits(n);
    for _ in (digits.len() - start)..width {
        out.push('0');
    }
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The hand-written digits are the formatter's, padded or not.
        #[test]
        fn digits_agree_with_format(n in any::<u64>(), width in 0usize..25, number in "[A-Z0-9-]{0,12}") {
            let mut padded = String::new();
            push_digits(&mut padded, n, width);
            prop_assert_eq!(padded, format!("{n:0width$}"));
            let n = n as usize;
            prop_assert_eq!(line_id(&number, n), format!("{number}-{n}"));
        }
    }

    #[test]
    fn digits_by_hand() {
        assert_eq!(line_id("INV-0041", 12), "INV-0041-12");
        let mut s = String::from("B-");
        push_digits(&mut s, 7, 4);
        assert_eq!(s, "B-0007");
        push_digits(&mut s, 0, 0);
        assert_eq!(s, "B-00070");
    }
}
