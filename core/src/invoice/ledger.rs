//! The ledger: every record version an invoice run billed or credited. A run
//! reads the ledger of earlier runs and returns it with its own lines added;
//! feeding that back bills nothing twice.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::eligibility::{LedgerRecord, RecordKind};
use crate::error::Result;
use crate::model::TaxCategory;
use crate::money::{Currency, checked};
use crate::rates::IdMap;
use crate::wire;

/// What kind of record a ledger line bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A timesheet entry.
    Entry,
    /// An expense.
    Expense,
    /// A milestone.
    Milestone,
    /// One window of a retainer (`id` is `<contract>@<window start>`).
    Retainer,
}

impl SourceKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Entry => "entry",
            SourceKind::Expense => "expense",
            SourceKind::Milestone => "milestone",
            SourceKind::Retainer => "retainer",
        }
    }
}

/// One record version billed (positive amount) or credited (negative) on an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerLine {
    /// Record kind.
    pub kind: SourceKind,
    /// Record id.
    pub id: String,
    /// Record version billed or credited.
    pub version: u64,
    /// The contract billed.
    pub contract_id: String,
    /// The invoice the line is on.
    pub invoice_number: String,
    /// Net amount billed (negative for a credit), in `currency`.
    #[serde(deserialize_with = "wire::decimal", serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
    /// The contract currency.
    pub currency: Currency,
    /// Hours billed (entries), negative for a credit.
    #[serde(
        default,
        deserialize_with = "wire::opt_decimal",
        serialize_with = "wire::write_opt_decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub hours: Option<Decimal>,
    /// For a credit: the invoice whose line it reverses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<String>,
    /// The tax the invoice charged on it: a credit must reverse that tax, so a record whose credit would be taxed
    /// otherwise waits for a person (`credit_mismatch`). Absent on rows written before billable kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<LedgerTax>,
}

/// The tax an invoice charged on a ledger line: its category and the rules applied (a rule id names one rate; a
/// table keeps a changed rate as a new rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerTax {
    /// The category determined.
    pub category: TaxCategory,
    /// The rules applied, in table order (none for an untaxed category without rules).
    pub rule_ids: Vec<String>,
}

/// The ledger indexed for a run.
pub(crate) struct LedgerIndex<'a> {
    /// (kind, id) -> lines, in ledger order. Looked up only, never iterated into output.
    by_record: IdMap<(SourceKind, &'a str), Vec<&'a LedgerLine>>,
}

impl<'a> LedgerIndex<'a> {
    pub(crate) fn new(lines: &'a [LedgerLine]) -> Self {
        let mut by_record: IdMap<(SourceKind, &'a str), Vec<&'a LedgerLine>> = IdMap::default();
        for l in lines {
            by_record.entry((l.kind, l.id.as_str())).or_default().push(l);
        }
        LedgerIndex { by_record }
    }

    /// The versions eligibility treats as invoiced: every entry and expense
    /// version the ledger holds, credited or not (a credited version sent
    /// again is still `already_invoiced`: it was replaced, not reopened).
    pub(crate) fn records(&self) -> Vec<LedgerRecord> {
        let mut out = Vec::new();
        for ((kind, id), lines) in &self.by_record {
            let kind = match kind {
                SourceKind::Entry => RecordKind::Entry,
                SourceKind::Expense => RecordKind::Expense,
                _ => continue,
            };
            let mut versions: BTreeMap<u64, ()> = BTreeMap::new();
            for l in lines {
                versions.insert(l.version, ());
            }
            for v in versions.keys() {
                out.push(LedgerRecord { kind, id: (*id).to_string(), version: *v });
            }
        }
        // In (kind, id, version) order, whatever the index's order.
        out.sort_unstable_by(|a, b| (a.kind, &a.id, a.version).cmp(&(b.kind, &b.id, b.version)));
        out
    }

    /// What is still billed of `version` (its lines net of credits, negative for a refund), to
    /// reverse when a newer version arrives: (amount, hours, the invoice that billed it).
    /// `arithmetic_overflow` when its lines sum out of the decimal range.
    pub(crate) fn open_amount(&self, kind: SourceKind, id: &str, version: u64) -> Result<Option<OpenAmount<'a>>> {
        let Some(lines) = self.by_record.get(&(kind, id)) else { return Ok(None) };
        let of_version = || lines.iter().filter(|l| l.version == version);
        let amount = checked::sum(of_version().map(|l| l.amount))?;
        // Zero: credited in full, or billed nothing. A negative amount (a refund billed) is still
        // billed, and its credit is positive.
        if amount.is_zero() {
            return Ok(None);
        }
        let mut hours = None;
        for h in of_version().filter_map(|l| l.hours) {
            hours = Some(match hours {
                Some(sum) => checked::add(sum, h)?,
                None => h,
            });
        }
        // The line that billed it (a credit names the invoice it reverses).
        let Some(first) = of_version().find(|l| l.credits.is_none()) else { return Ok(None) };
        Ok(Some(OpenAmount { amount, hours, invoice_number: &first.invoice_number, contract_id: &first.contract_id }))
    }

    /// A version older than `old` whose billed row is still billed too, if any (first in ledger order). This library
    /// never writes such a ledger (each version is billed with the credit of the one before), but one kept or
    /// imported elsewhere can hold it, and crediting `old` alone would leave that version billed with the new one.
    pub(crate) fn also_open(&self, kind: SourceKind, id: &str, old: u64) -> Result<Option<&'a LedgerLine>> {
        let Some(lines) = self.by_record.get(&(kind, id)) else { return Ok(None) };
        for row in lines.iter().copied().filter(|l| l.version < old && l.credits.is_none()) {
            if self.open_amount(kind, id, row.version)?.is_some() {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }

    /// The newest version of the record in the ledger other than `version`.
    pub(crate) fn latest_other_version(&self, kind: SourceKind, id: &str, version: u64) -> Option<u64> {
        self.by_record.get(&(kind, id))?.iter().map(|l| l.version).filter(|v| *v != version).max()
    }

    /// The row that billed (kind, id, version), not a credit of it.
    pub(crate) fn billed_row(&self, kind: SourceKind, id: &str, version: u64) -> Option<&'a LedgerLine> {
        self.by_record.get(&(kind, id))?.iter().copied().find(|l| l.version == version && l.credits.is_none())
    }

    /// True when (kind, id, version) has been billed.
    pub(crate) fn contains(&self, kind: SourceKind, id: &str, version: u64) -> bool {
        self.by_record.get(&(kind, id)).is_some_and(|ls| ls.iter().any(|l| l.version == version))
    }
}

/// The part of a billed version not yet credited.
pub(crate) struct OpenAmount<'a> {
    pub(crate) amount: Decimal,
    pub(crate) hours: Option<Decimal>,
    pub(crate) invoice_number: &'a str,
    /// The contract it was billed on: the credit goes there.
    pub(crate) contract_id: &'a str,
}
