//! Step 6's first half: tax determined for every draft invoice before any is
//! issued, so that a record whose credit and new line fall on two invoices is
//! billed only when both can be taxed (docs/invoice.md step 3), never one half
//! of the pair.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::accounts::{Accounts, Subject};
use super::document::LineKind;
use super::ledger::{LedgerIndex, LedgerLine, SourceKind};
use super::request::InvoiceRunRequest;
use super::run::Item;
use crate::eligibility::{Finding, Reason};
use crate::error::{Code, Error, Result};
use crate::model::Customer;
use crate::tax::{self, Determination, TaxTable};

/// The records with an item on an invoice whose tax cannot be determined, with that invoice's finding.
#[derive(Default)]
pub(super) struct Untaxed(BTreeMap<(SourceKind, usize), Finding>);

/// Each customer's tax determination for the run, worked out once: it depends on the seller, the customer, the
/// invoice date and the table, which are the same for every invoice of the run.
pub(super) struct CustomerTax<'a> {
    req: &'a InvoiceRunRequest,
    customers: &'a BTreeMap<&'a str, &'a Customer>,
    invoice_date: NaiveDate,
    tax_table: &'a TaxTable,
    known: BTreeMap<&'a str, Result<Determination>>,
}

impl<'a> CustomerTax<'a> {
    pub(super) fn new(
        req: &'a InvoiceRunRequest,
        customers: &'a BTreeMap<&'a str, &'a Customer>,
        invoice_date: NaiveDate,
        tax_table: &'a TaxTable,
    ) -> Self {
        CustomerTax { req, customers, invoice_date, tax_table, known: BTreeMap::new() }
    }

    /// The determination for `customer_id`'s invoices (`unknown_reference` when no customer has that id).
    pub(super) fn of(&mut self, customer_id: &'a str) -> &Result<Determination> {
        let CustomerTax { req, customers, invoice_date, tax_table, .. } = *self;
        self.known.entry(customer_id).or_insert_with(|| {
            customers
                .get(customer_id)
                .copied()
                .ok_or_else(|| Error::new(Code::UnknownReference, format!("no customer has id `{customer_id}`")))
                .and_then(|cu| tax::determine(&req.seller, cu, None, invoice_date, tax_table))
        })
    }
}

/// Each draft's determination (`None` for a draft with no item left), and the records they leave untaxed.
///
/// A credit must reverse the tax its invoice charged: when the ledger row it reverses says which tax that was and
/// this draft's determination is another (the rate changed, the customer became exempt), the record waits for a
/// person (`credit_mismatch`) rather than be credited at the wrong tax.
pub(super) fn determine<'m, 'a>(
    drafts: impl Iterator<Item = &'m [u32]>,
    items: &[Option<Item<'_>>],
    taxes: &mut CustomerTax<'a>,
    ledger: &LedgerIndex<'_>,
) -> (Vec<Option<Result<Determination>>>, Untaxed) {
    let mut untaxed = Untaxed::default();
    let req = taxes.req;
    let determinations = drafts
        .map(|members| {
            let first = members.first().and_then(|k| items[*k as usize].as_ref())?;
            let determination = taxes.of(&req.contracts[first.contract].customer_id);
            match determination {
                Err(e) => {
                    let finding = Finding::new(Reason::from_error(e), e.message.clone());
                    for item in members.iter().filter_map(|k| items[*k as usize].as_ref()) {
                        untaxed.0.insert((item.kind, item.index), finding.clone());
                    }
                }
                Ok(d) => {
                    let credits = members.iter().filter_map(|k| items[*k as usize].as_ref());
                    for item in credits.filter(|i| i.line == LineKind::Credit) {
                        let row = ledger.billed_row(item.kind, &item.id, item.version);
                        if let Some(finding) = row.and_then(|row| other_tax(row, d)) {
                            untaxed.0.insert((item.kind, item.index), finding);
                        }
                    }
                }
            }
            Some(determination.clone())
        })
        .collect();
    (determinations, untaxed)
}

/// Why the credit of `row` (the ledger row that billed the version to reverse) cannot go on an invoice taxed as
/// `d`: the row was taxed otherwise.
pub(super) fn other_tax(row: &LedgerLine, d: &Determination) -> Option<Finding> {
    if !taxed_otherwise(row, d) {
        return None;
    }
    let charged = row.tax.as_ref()?;
    let message = format!(
        "version {} was taxed as {} ({}) on invoice {}, and this invoice is taxed as {} ({}): its credit would not \
         reverse the tax charged; correct it by hand",
        row.version,
        charged.category.as_str(),
        rules_text(&charged.rule_ids),
        row.invoice_number,
        d.category.as_str(),
        rules_text(&d.rule_ids),
    );
    Some(Finding::new(Reason::CreditMismatch, message))
}

/// True when the ledger row says its invoice charged another tax than `d` (another category, or other rules,
/// whatever their order in the table); false for a row that does not say.
pub(super) fn taxed_otherwise(row: &LedgerLine, d: &Determination) -> bool {
    let Some(charged) = &row.tax else { return false };
    fn sorted(ids: &[String]) -> Vec<&str> {
        let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }
    charged.category != d.category || sorted(&charged.rule_ids) != sorted(&d.rule_ids)
}

fn rules_text(ids: &[String]) -> String {
    if ids.is_empty() { "no rule".to_string() } else { ids.join(", ") }
}

impl Untaxed {
    /// The draft's members that can still be billed. A record with an item on an invoice that cannot be taxed is
    /// queued once, by its own line (a credit is not a record of its own), and its other item leaves this invoice.
    pub(super) fn keep<'m>(
        &self,
        members: &'m [u32],
        items: &[Option<Item<'_>>],
        req: &InvoiceRunRequest,
        out: &mut Accounts,
    ) -> Cow<'m, [u32]> {
        if self.0.is_empty() {
            return Cow::Borrowed(members);
        }
        let mut kept = Vec::with_capacity(members.len());
        for &k in members {
            let Some(item) = items[k as usize].as_ref() else { continue };
            match self.0.get(&(item.kind, item.index)) {
                None => kept.push(k),
                Some(_) if item.line == LineKind::Credit => {}
                Some(finding) => {
                    let contract = Some(&req.contracts[item.contract]);
                    let subject =
                        Subject::new(item.kind, item.index, item.id.as_ref(), item.version, item.date, contract);
                    out.queue(subject, vec![finding.clone()]);
                }
            }
        }
        Cow::Owned(kept)
    }
}
