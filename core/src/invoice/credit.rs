//! Credits for records changed after invoicing (SPEC §8): what is still billed of the old version, reversed on
//! the contract that billed it, or the reason it cannot be.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::document::{Explanation, LineKind};
use super::ledger::{LedgerIndex, LedgerLine, SourceKind};
use super::run::{Description, Item};
use super::taxing::{CustomerTax, other_tax};
use crate::eligibility::{Blocked, Finding, Reason, RecordKind, Released};
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

/// Before eligibility, what each changed record's credit means (docs/invoice.md step 3): the old amount it gives
/// back under the not-to-exceed once billed, or why it cannot be credited, which keeps the record from being billed
/// (its contract is not in the request or bills in another currency now, its invoice cannot be taxed, or would be
/// taxed otherwise than the line it reverses), so that it takes no room under the cap and its queue item says why.
/// The version checked is the one [`credit`] reverses (eligibility's `replaces_invoiced_version`): the newest other
/// version in the ledger, when older. A ledger that still bills another, older version too (one this library did not
/// write) holds the record for a person (`credit_mismatch`): one credit would leave that version billed beside the
/// new one.
pub(super) fn before_cap<'a: 't, 't, 'r>(
    books: &Books<'a, '_>,
    taxes: &mut CustomerTax<'t>,
    replaced: impl Iterator<Item = (RecordKind, SourceKind, usize, &'r str, u64)>,
) -> Result<(Vec<Released<'a>>, Vec<Blocked>)> {
    let (mut released, mut blocked) = (Vec::new(), Vec::new());
    for (kind, source, index, id, version) in replaced {
        let Some(old) = books.ledger.latest_other_version(source, id, version).filter(|o| *o < version) else {
            continue;
        };
        // Whether or not `old` is still billed: with it credited already, the new version would bill with no credit.
        if let Some(other) = books.ledger.also_open(source, id, old)? {
            blocked.push(Blocked { kind, index, finding: billed_twice(other, old) });
            continue;
        }
        let Some(open) = books.ledger.open_amount(source, id, old)? else { continue };
        let Some(billed) = books.ledger.billed_row(source, id, old) else { continue };
        let why = unplaceable(books.contracts, books.by_id, billed).or_else(|| {
            // Placeable: the contract that billed it is in the request.
            let customer = &books.contracts[*books.by_id.get(billed.contract_id.as_str())?].customer_id;
            match taxes.of(customer) {
                Err(e) => Some(Finding::new(Reason::from_error(e), e.message.clone())),
                Ok(d) => other_tax(billed, d),
            }
        });
        match why {
            Some(finding) => blocked.push(Blocked { kind, index, finding }),
            None => {
                released.push(Released { kind, index, contract_id: billed.contract_id.as_str(), amount: open.amount })
            }
        }
    }
    Ok((released, blocked))
}

/// The finding of a record whose ledger still bills `older` (its billed row), a version before `old`, the one the new
/// version replaces.
fn billed_twice(older: &LedgerLine, old: u64) -> Finding {
    let (version, invoice) = (older.version, &older.invoice_number);
    let message = format!(
        "the ledger still bills version {version} (invoice {invoice}), older than version {old} that this one \
         replaces: a record is billed at one version at a time, and a credit reverses only what version {old} still \
         bills, so version {version} would stay billed beside the new one; credit version {version} in the ledger and \
         send the record again"
    );
    Finding::new(Reason::CreditMismatch, message)
}

/// Why the credit of version `old`, billed by `billed` (its ledger row), has nowhere to go, if so: the contract that
/// billed it is not in the request (`unknown_reference`, retryable), or bills in another currency now
/// (`credit_mismatch`). [`credit`] and the invoice run's check before eligibility both ask this.
pub(super) fn unplaceable(
    contracts: &[Contract],
    by_id: &BTreeMap<&str, usize>,
    billed: &LedgerLine,
) -> Option<Finding> {
    let (old, invoice) = (billed.version, &billed.invoice_number);
    let Some(&c) = by_id.get(billed.contract_id.as_str()) else {
        let message = format!(
            "version {old} was billed on contract `{}` (invoice {invoice}), which is not in the request: its credit has \
             nowhere to go",
            billed.contract_id
        );
        return Some(Finding::new(Reason::UnknownReference, message));
    };
    let bills_in = contracts[c].currency;
    (billed.currency != bills_in).then(|| {
        let message = format!(
            "version {old} was billed in {} (invoice {invoice}) and contract `{}` bills in {bills_in} now: the credit \
             cannot go on its invoice",
            billed.currency, contracts[c].id
        );
        Finding::new(Reason::CreditMismatch, message)
    })
}

/// The credit reversing what is still billed of `old`, for a record now billed at `version` (`None`: nothing of it
/// is still billed). It goes with the new line (`at`) when the old one was billed on the same contract, else on
/// the contract that billed it; a contract the request lacks, or one that bills in another currency now, leaves
/// the credit nowhere to go, and the record waits in the queue rather than be billed twice; so does a ledger that
/// still bills a version older than `old` too (`credit_mismatch`). A ledger whose lines of `old` sum out of the
/// decimal range is `arithmetic_overflow`.
pub(super) fn credit<'a>(
    books: &Books<'a, '_>,
    kind: SourceKind,
    index: usize,
    id: &str,
    old: u64,
    version: u64,
    at: Placement<'a>,
) -> Result<std::result::Result<Option<Item<'a>>, Finding>> {
    // (Entries and expenses were held before the cap; a milestone is checked here.)
    if let Some(other) = books.ledger.also_open(kind, id, old)? {
        return Ok(Err(billed_twice(other, old)));
    }
    let Some(open) = books.ledger.open_amount(kind, id, old)? else { return Ok(Ok(None)) };
    let Some(billed) = books.ledger.billed_row(kind, id, old) else { return Ok(Ok(None)) };
    if let Some(finding) = unplaceable(books.contracts, books.by_id, billed) {
        return Ok(Err(finding));
    }
    let Placement { contract, project_id, date, late } = at;
    // Placeable: the contract that billed it is in the request.
    let (contract, project_id) = match books.by_id.get(open.contract_id) {
        Some(&billed) if billed != contract => (billed, None),
        _ => (contract, project_id),
    };
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
