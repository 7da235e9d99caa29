//! What a contract has invoiced before, for its not-to-exceed (docs/invoice.md step 2): its ledger rows (entries and
//! expenses, net of credits) in the contract's currency. A row billed in another currency (the contract billed in
//! it before its currency changed, or a ledger imported from another system) is converted at the invoice date under
//! the request's FX policy; without a rate the contract's cap cannot be checked, and its records that would add to
//! its total wait for one.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::ledger::{LedgerLine, SourceKind};
use crate::eligibility::{CapUnknown, ContractInvoiced, Finding, Reason};
use crate::error::{Code, Error, Result};
use crate::model::Contract;
use crate::money::{Conversion, Currency, FxPolicy, FxTable, Money, checked, convert};

/// The invoiced totals of the request's contracts that have a not-to-exceed, and how each was reached.
pub(super) struct CapBase<'a> {
    /// Per contract, in its currency.
    pub(super) totals: Vec<ContractInvoiced>,
    /// The conversions in a contract's total, by the contract's position in the request, in currency order.
    pub(super) converted: BTreeMap<usize, Vec<(Money, Conversion)>>,
    /// Contracts whose rows in another currency have no rate: why their cap cannot be checked.
    pub(super) unchecked: Vec<CapUnknown<'a>>,
}

/// The FX table and policy conversions use, and the date they convert at.
pub(super) struct Rates<'a> {
    pub(super) table: &'a FxTable,
    pub(super) policy: &'a FxPolicy,
    pub(super) date: NaiveDate,
}

/// Sum the ledger's entry and expense rows per contract and currency (`arithmetic_overflow` at the row that leaves
/// the decimal range), then bring each contract's sums into its currency (a sum of zero needs no rate). Only
/// contracts in the request with a not-to-exceed are counted: no other total is read.
pub(super) fn cap_base<'a>(
    lines: &[LedgerLine],
    contracts: &'a [Contract],
    by_id: &BTreeMap<&str, usize>,
    rates: &Rates<'_>,
) -> Result<CapBase<'a>> {
    // (contract, currency) -> (sum, the last row in it).
    let mut sums: BTreeMap<(usize, Currency), (Decimal, usize)> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        if !matches!(l.kind, SourceKind::Entry | SourceKind::Expense) {
            continue;
        }
        let Some(&c) = by_id.get(l.contract_id.as_str()) else { continue };
        if contracts[c].not_to_exceed.is_none() {
            continue;
        }
        let (sum, last) = sums.entry((c, l.currency)).or_default();
        *sum = checked::add(*sum, l.amount).map_err(|e| e.at(format!("ledger[{i}].amount")))?;
        *last = i;
    }
    let mut base = CapBase { totals: Vec::new(), converted: BTreeMap::new(), unchecked: Vec::new() };
    let mut per: BTreeMap<usize, Decimal> = BTreeMap::new();
    // Per contract, the sums no rate converts: (sum, the conversion's error message).
    let mut missing: BTreeMap<usize, Vec<(Money, Error)>> = BTreeMap::new();
    for ((c, currency), (sum, last)) in sums {
        let contract = &contracts[c];
        let at = |e: Error| e.at(format!("ledger[{last}].amount"));
        let total = per.entry(c).or_default();
        if currency == contract.currency {
            *total = checked::add(*total, sum).map_err(at)?;
            continue;
        }
        if sum.is_zero() {
            continue;
        }
        let billed = Money::new(sum, currency);
        match convert(billed, contract.currency, rates.date, rates.table, rates.policy) {
            Ok(conversion) => {
                *total = checked::add(*total, conversion.converted.amount).map_err(at)?;
                base.converted.entry(c).or_default().push((billed, conversion));
            }
            Err(e) if e.code == Code::FxRateMissing => missing.entry(c).or_default().push((billed, e)),
            Err(e) => return Err(at(e)),
        }
    }
    for (c, unconverted) in &missing {
        let contract = &contracts[*c];
        let billed: Vec<String> = unconverted.iter().map(|(m, _)| format!("{} {}", m.amount, m.currency)).collect();
        let why: Vec<&str> = unconverted.iter().map(|(_, e)| e.message.as_str()).collect();
        let message = format!(
            "contract `{}` bills in {} and its ledger rows include {} billed before: its not-to-exceed cannot be \
             checked without converting them at the invoice date {}: {}",
            contract.id,
            contract.currency,
            billed.join(" and "),
            rates.date,
            why.join("; ")
        );
        let details: Vec<serde_json::Value> = unconverted
            .iter()
            .map(|(m, e)| serde_json::json!({ "billed": m, "missing": e.details.as_deref() }))
            .collect();
        let mut finding = Finding::new(Reason::FxRateMissing, message);
        finding.details = serde_json::json!({ "unconverted_before": details });
        base.unchecked.push(CapUnknown { contract_id: contract.id.as_str(), finding });
    }
    base.totals = per
        .into_iter()
        .filter(|(c, _)| !missing.contains_key(c))
        .map(|(c, amount)| ContractInvoiced { contract_id: contracts[c].id.clone(), amount })
        .collect();
    Ok(base)
}

/// Say, on a record's `cap_exceeded` finding, that the contract's invoiced total converts rows billed in another
/// currency, and how (each conversion in the finding's details, under `converted_before`).
pub(super) fn explain_converted(reasons: &mut [Finding], conversions: &[(Money, Conversion)]) {
    let Some(finding) = reasons.iter_mut().find(|f| f.code == Reason::CapExceeded) else { return };
    let said: Vec<String> = conversions
        .iter()
        .map(|(from, c)| {
            format!(
                "{} {} at {} ({}, as of {}) = {} {}",
                from.amount,
                from.currency,
                c.rate.normalize(),
                c.method,
                c.as_of,
                c.converted.amount,
                c.converted.currency
            )
        })
        .collect();
    finding.message.push_str("; invoiced before includes ");
    finding.message.push_str(&said.join(", "));
    let details: Vec<serde_json::Value> =
        conversions.iter().map(|(from, c)| serde_json::json!({ "billed": from, "conversion": c })).collect();
    finding.details = serde_json::json!({ "converted_before": details });
}
