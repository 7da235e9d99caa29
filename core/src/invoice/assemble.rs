//! One invoice from its items: lines in a fixed order, taxes, cash rounding,
//! totals that reconcile, and the ledger lines it adds.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::document::*;
use super::ledger::LedgerLine;
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
    mut items: Vec<Item<'a>>,
    contract: &Contract,
    determination: tax::Determination,
    date: NaiveDate,
    line_grouping: LineGrouping,
    ledger: &mut Vec<LedgerLine>,
    contracts: &[Contract],
) -> Result<Invoice<'a>> {
    // Lines in a fixed order: credits, labour, expenses, milestones, retainers; within a kind by group, then date, id.
    items.sort_by(|a, b| {
        (a.line, &a.group, a.date, &a.id, a.version).cmp(&(b.line, &b.group, b.date, &b.id, b.version))
    });
    let mut lines: Vec<(LineKind, String, Vec<Item<'a>>)> = Vec::new();
    for item in items {
        let joins = match (lines.last(), line_grouping) {
            (Some((kind, _, members)), LineGrouping::RoleTask) => {
                *kind == item.line && item.group.is_some() && members[0].group == item.group
            }
            _ => false,
        };
        if joins {
            if let Some(last) = lines.last_mut() {
                last.2.push(item);
            }
        } else {
            lines.push((item.line, item.description.render(), vec![item]));
        }
    }

    let mut contract_ids: BTreeSet<&str> = BTreeSet::new();
    let mut sources: Vec<SourceRef> = Vec::new();
    let mut built = Vec::with_capacity(lines.len());
    let mut taxable = Vec::with_capacity(lines.len());
    for (n, (kind, description, members)) in lines.into_iter().enumerate() {
        let id = format!("{number}-{}", n + 1);
        let amount = members.iter().try_fold(Decimal::ZERO, |acc, m| acc.checked_add(m.amount)).ok_or_else(overflow)?;
        let hours: Option<Decimal> = members.iter().map(|m| m.hours).sum();
        let unit_price = match (kind, &members[0].group) {
            (LineKind::Labour, Some((_, _, rate))) if members.iter().all(|m| m.group == members[0].group) => {
                Some(rate.normalize())
            }
            _ => None,
        };
        let mut line_sources = Vec::with_capacity(members.len());
        for m in members {
            let c = &contracts[m.contract];
            contract_ids.insert(&c.id);
            let id = m.id.into_owned();
            sources.push(SourceRef { kind: m.kind, id: id.clone(), version: m.version });
            ledger.push(LedgerLine {
                kind: m.kind,
                id: id.clone(),
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
            });
            line_sources.push(LineSource {
                kind: m.kind,
                id,
                version: m.version,
                amount: m.amount,
                hours: m.hours,
                late: m.late,
                explanation: m.explanation,
            });
        }
        taxable.push((id.clone(), amount));
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
