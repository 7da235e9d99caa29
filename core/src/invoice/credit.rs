//! Credits for records changed after invoicing (SPEC §8): what is still billed of the old version, reversed on
//! the contract that billed it, or the reason it cannot be.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::document::{Explanation, LineKind};
use super::ledger::{LedgerIndex, LedgerLine, SourceKind};
use super::run::{Description, Item};
use crate::eligibility::{Finding, Reason};
use crate::error::Result;
use crate::model::Contract;

/// Where a credit goes: with the new line it comes with, so that both land on the same invoice under every
/// grouping (the ledger does not keep an old line's project; under project grouping the credit follows the new
/// version's project).
pub(super) struct Placement<'a> {
    pub(super) contract: usize,
    pub(super) project_id: Option<&'a str>,
    pub(super) date: NaiveDate,
    pub(super) late: bool,
}

/// What placing a credit reads: the ledger, and the request's contracts by position and by id.
pub(super) struct Books<'a, 'b> {
    pub(super) ledger: &'b LedgerIndex<'a>,
    pub(super) contracts: &'a [Contract],
    pub(super) by_id: &'b BTreeMap<&'a str, usize>,
}

/// True when the credit of `billed` (a line of the version to reverse) has somewhere to go: its contract is in the
/// request and bills in the line's currency. [`credit`] queues the record otherwise, so that the cap pass gives
/// nothing back for it.
pub(super) fn placeable(contracts: &[Contract], by_id: &BTreeMap<&str, usize>, billed: &LedgerLine) -> bool {
    by_id.get(billed.contract_id.as_str()).is_some_and(|&c| contracts[c].currency == billed.currency)
}

/// The credit reversing what is still billed of `old`, for a record now billed at `version` (`None`: nothing of it
/// is still billed). It goes with the new line (`at`) when the old one was billed on the same contract, else on
/// the contract that billed it; a contract the request lacks, or one that bills in another currency now, leaves
/// the credit nowhere to go, and the record waits in the queue rather than be billed twice. A ledger whose lines
/// of `old` sum out of the decimal range is `arithmetic_overflow`.
pub(super) fn credit<'a>(
    books: &Books<'a, '_>,
    kind: SourceKind,
    index: usize,
    id: &str,
    old: u64,
    version: u64,
    at: Placement<'a>,
) -> Result<std::result::Result<Option<Item<'a>>, Finding>> {
    let Some(open) = books.ledger.open_amount(kind, id, old)? else { return Ok(Ok(None)) };
    let Placement { contract, project_id, date, late } = at;
    let (contract, project_id) = if books.contracts[contract].id == open.contract_id {
        (contract, project_id)
    } else {
        let Some(&billed) = books.by_id.get(open.contract_id) else {
            let message = format!(
                "version {old} was billed on contract `{}` (invoice {}), which is not in the request: its credit has nowhere to go",
                open.contract_id, open.invoice_number
            );
            return Ok(Err(Finding::new(Reason::UnknownReference, message)));
        };
        (billed, None)
    };
    let bills_in = books.contracts[contract].currency;
    if open.currency != bills_in {
        let message = format!(
            "version {old} was billed in {} (invoice {}) and contract `{}` bills in {bills_in} now: the credit cannot go on its invoice",
            open.currency, open.invoice_number, books.contracts[contract].id
        );
        return Ok(Err(Finding::new(Reason::CreditMismatch, message)));
    }
    Ok(Ok(Some(Item {
        kind,
        index,
        id: Cow::Owned(id.to_string()),
        version: old,
        contract,
        project_id,
        date,
        amount: -open.amount,
        hours: open.hours.map(|h| -h),
        late,
        line: LineKind::Credit,
        group: None,
        description: Description::Text(format!(
            "Credit: {} {} version {} on invoice {}",
            kind.as_str(),
            id,
            old,
            open.invoice_number
        )),
        explanation: Explanation::Credit {
            invoice_number: open.invoice_number.to_string(),
            replaced_by_version: version,
        },
    })))
}
