//! Checks of the invoice run's request that fail the whole run (SPEC §8 input): retainer terms, the numbering,
//! a ledger that bills or credits one version twice; and the finding of a version older than one invoiced.

use rust_decimal::Decimal;

use super::ledger::{LedgerLine, SourceKind};
use super::request::InvoiceRunRequest;
use crate::eligibility::{Finding, Reason};
use crate::error::{Code, Error, Result};
use crate::model::{BillingType, Contract, Milestone};
use crate::rates::IdMap;

/// A retainer bills its terms each window: without them it would bill nothing and say nothing, and a negative
/// amount would bill a credit nobody agreed to.
pub(super) fn check_retainers(contracts: &[Contract]) -> Result<()> {
    for (i, c) in contracts.iter().enumerate() {
        match &c.retainer {
            None if c.billing_type == BillingType::Retainer => {
                let message =
                    format!("retainer contract `{}` has no retainer terms (the amount billed each window)", c.id);
                return Err(Error::new(Code::MissingField, message).at(format!("contracts[{i}].retainer")));
            }
            Some(terms) if c.billing_type == BillingType::Retainer && terms.amount < Decimal::ZERO => {
                let message = format!("retainer amount {} must not be negative", terms.amount);
                return Err(Error::new(Code::InvalidValue, message).at(format!("contracts[{i}].retainer.amount")));
            }
            _ => {}
        }
    }
    Ok(())
}

/// A milestone's amount is what it bills: a negative one would bill a credit in silence. `validate` reports it too.
pub(super) fn check_milestones(milestones: &[Milestone]) -> Result<()> {
    match milestones.iter().position(|m| m.amount < Decimal::ZERO) {
        Some(i) => {
            let message = format!("milestone amount {} must not be negative", milestones[i].amount);
            Err(Error::new(Code::InvalidValue, message).at(format!("milestones[{i}].amount")))
        }
        None => Ok(()),
    }
}

/// The finding of a record older than a version already invoiced: a source sending stale data does not rewrite the
/// invoice.
pub(super) fn superseded_by_invoiced(newer: u64) -> Finding {
    Finding::new(Reason::Superseded, format!("version {newer} was invoiced before; an older version is not billed"))
}

/// The invoice number's width is bounded (a `u64` has at most 20 digits; a wider pad is a typo, and an
/// unbounded one would be an unbounded allocation).
pub(super) fn check_numbering(req: &InvoiceRunRequest) -> Result<()> {
    const MAX_WIDTH: usize = 32;
    if req.numbering.width > MAX_WIDTH {
        let message = format!("width {} is more than {MAX_WIDTH} digits", req.numbering.width);
        return Err(Error::new(Code::InvalidValue, message).at("numbering.width"));
    }
    Ok(())
}

/// The highest number earlier runs issued under the request's prefix: the ledger rows whose `invoice_number` is the
/// prefix and digits only (any width), as (number, first row carrying it). A number too long for `u64` is one no
/// run issues, and is not counted.
fn highest_issued(req: &InvoiceRunRequest) -> Option<(u64, usize)> {
    let prefix = req.numbering.prefix.as_str();
    let mut highest: Option<(u64, usize)> = None;
    for (i, l) in req.ledger.iter().enumerate() {
        let Some(digits) = l.invoice_number.strip_prefix(prefix) else { continue };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(n) = digits.parse::<u64>() else { continue };
        if highest.is_none_or(|(h, _)| n > h) {
            highest = Some((n, i));
        }
    }
    highest
}

/// A run that issues numbers must start past every number issued under its prefix: `next` at or below one would
/// issue it again, or number invoices out of sequence so that a later run issues it again (`duplicate_id` at
/// `numbering.next`, naming the row and the first `next` that works).
pub(super) fn check_next_number(req: &InvoiceRunRequest) -> Result<()> {
    let Some((h, i)) = highest_issued(req) else { return Ok(()) };
    let next = req.numbering.next;
    if next > h {
        return Ok(());
    }
    let number = &req.ledger[i].invoice_number;
    let fix = match h.checked_add(1) {
        Some(n) => format!("set it to {n} or more"),
        None => format!("no number after {number} fits; use another prefix"),
    };
    let message = format!(
        "numbering.next {next} is not past {number}, which an earlier run issued (ledger[{i}].invoice_number): \
         the run would issue a number twice or out of sequence; {fix}"
    );
    Err(Error::new(Code::DuplicateId, message).at("numbering.next"))
}

/// Each ledger row is one billing or one credit of a record version: the same (kind, id, version) billed twice, or
/// credited twice, is a corrupt ledger, and crediting from it would credit twice. Each amount is one its currency
/// can bill.
pub(super) fn check_ledger_rows(ledger: &[LedgerLine]) -> Result<()> {
    let mut seen: IdMap<(SourceKind, &str, u64, bool), usize> = IdMap::default();
    for (i, l) in ledger.iter().enumerate() {
        if let Some(first) = seen.insert((l.kind, l.id.as_str(), l.version, l.credits.is_some()), i) {
            let what = if l.credits.is_some() { "credited" } else { "billed" };
            let message = format!(
                "{} `{}` version {} is {what} twice (ledger[{first}] and here)",
                l.kind.as_str(),
                l.id,
                l.version
            );
            return Err(Error::new(Code::DuplicateId, message).at(format!("ledger[{i}]")));
        }
        // An amount its currency cannot bill (10.005 USD) would be credited, and count toward the cap, as such.
        let currency = l.currency;
        let Some(units) = currency.minor_units() else {
            let message = format!("{currency} has no minor unit in ISO 4217, so nothing is billed in it");
            return Err(Error::new(Code::NoMinorUnit, message).at(format!("ledger[{i}].currency")));
        };
        if l.amount.normalize().scale() > units {
            let message = format!("{} is finer than {currency}'s {units} decimal places", l.amount);
            return Err(Error::new(Code::InvalidValue, message).at(format!("ledger[{i}].amount")));
        }
    }
    Ok(())
}
