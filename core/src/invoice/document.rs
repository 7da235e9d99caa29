//! What an invoice run returns: draft invoices, the exception queue, the
//! deferred records, the new ledger, counters and the reconciliation.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use super::ledger::{LedgerLine, SourceKind};
use super::windows::Period;
use crate::api::ApiVersion;
use crate::eligibility::{ExpenseLine, Finding};
use crate::money::Currency;
use crate::rates::RatedLine;
use crate::tax::{Determination, RuleRef};
use crate::wire;

/// The run's output.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InvoiceRunResponse<'a> {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The run's period.
    pub period: Period,
    /// The invoice date (the date of the request's `as_of`).
    #[serde(serialize_with = "wire::write_date")]
    pub invoice_date: NaiveDate,
    /// Draft invoices, in numbering order.
    pub invoices: Vec<Invoice<'a>>,
    /// Records not billed that need attention, by kind then input order.
    pub exceptions: Vec<QueueItem>,
    /// Records not due yet, by kind then input order.
    pub deferred: Vec<QueueItem>,
    /// The request's ledger with this run's lines appended.
    pub ledger: Vec<LedgerLine>,
    /// The sequence number the next run starts from.
    pub next_number: u64,
    /// Counts and totals for dashboards.
    pub counters: Counters,
    /// `in = invoiced + exceptioned + deferred`, per kind.
    pub reconciliation: Vec<Reconciliation>,
}

/// One draft invoice.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Invoice<'a> {
    /// Prefix + sequence.
    pub number: String,
    /// The customer billed.
    pub customer_id: String,
    /// The contract billed (the first, under customer grouping).
    pub contract_id: String,
    /// Every contract with a line on the invoice.
    pub contract_ids: Vec<String>,
    /// The project, under project grouping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Invoice currency (the contract currency).
    pub currency: Currency,
    /// The billing window the invoice covers.
    pub period: Period,
    /// Invoice date.
    #[serde(serialize_with = "wire::write_date")]
    pub date: NaiveDate,
    /// The lines, in a fixed order: credits, labour, expenses, milestones, retainers.
    pub lines: Vec<InvoiceLine<'a>>,
    /// Tax per rule (or per untaxed category), with its note.
    pub tax_lines: Vec<TaxLine>,
    /// Sum of the lines' net amounts.
    #[serde(serialize_with = "wire::write_decimal")]
    pub subtotal: Decimal,
    /// Sum of the tax lines.
    #[serde(serialize_with = "wire::write_decimal")]
    pub tax_total: Decimal,
    /// Cash rounding (EN 16931 BT-114): `total - (subtotal + tax_total)`.
    #[serde(serialize_with = "wire::write_decimal")]
    pub rounding: Decimal,
    /// `subtotal + tax_total + rounding`.
    #[serde(serialize_with = "wire::write_decimal")]
    pub total: Decimal,
    /// The tax treatment of the invoice and why.
    pub tax_determination: Determination,
    /// Every record version billed or credited.
    pub sources: Vec<SourceRef>,
}

/// What a line bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Reverses a line of an earlier invoice for a record that changed.
    Credit,
    /// Hours.
    Labour,
    /// Re-billed expenses.
    Expense,
    /// An accepted milestone.
    Milestone,
    /// A retainer window.
    Retainer,
}

/// One invoice line.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InvoiceLine<'a> {
    /// `<invoice>-<n>`, 1-based.
    pub id: String,
    /// What the line bills.
    pub kind: LineKind,
    /// Text for the invoice.
    pub description: String,
    /// Hours (labour, credits of labour); absent otherwise.
    #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Decimal>,
    /// The hourly rate, when every hour on the line has the same one.
    #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Decimal>,
    /// The amount as priced (gross when the contract quotes tax-inclusive prices).
    #[serde(serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
    /// Net amount after any tax back-out.
    #[serde(serialize_with = "wire::write_decimal")]
    pub net: Decimal,
    /// The line's taxes.
    pub taxes: Vec<LineTax>,
    /// Records on the line, each with its amount and explanation.
    pub sources: Vec<LineSource<'a>>,
}

/// One tax on one line.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LineTax {
    /// The rule.
    #[serde(flatten)]
    pub rule: RuleRef,
    /// Amount taxed.
    #[serde(serialize_with = "wire::write_decimal")]
    pub base: Decimal,
    /// Tax (unrounded under `per_document`, where only the tax lines are rounded).
    #[serde(serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
}

/// A record on a line.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LineSource<'a> {
    /// Record kind.
    pub kind: SourceKind,
    // Borrowed from the request until `InvoiceRunResponse::into_owned` (the doc line is the schema's description).
    /// Record id.
    pub id: Cow<'a, str>,
    /// Version billed (or credited).
    pub version: u64,
    /// The record's share of the line.
    #[serde(serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
    /// Hours (entries).
    #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
    pub hours: Option<Decimal>,
    /// Dated before the period: billed late.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
    /// Why the amount is what it is.
    pub explanation: Explanation<'a>,
}

/// The explanation of a record's amount.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Explanation<'a> {
    /// Rate application: rule, candidates, hours, multipliers, FX, cost.
    Rated {
        /// The rated line.
        line: Box<RatedLine<'a>>,
        /// Hours and amount held back at the not-to-exceed, if the entry was split.
        #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
        held_at_cap: Option<Decimal>,
    },
    /// Expense: cost, markup, FX.
    Expense {
        /// The priced expense.
        line: Box<ExpenseLine<'a>>,
        /// Amount held at the not-to-exceed, if split.
        #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
        held_at_cap: Option<Decimal>,
    },
    /// The milestone's amount as agreed.
    Milestone {
        /// Milestone name.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Due date.
        #[serde(serialize_with = "wire::write_date")]
        due: NaiveDate,
    },
    /// The retainer's amount for the window.
    Retainer {
        /// The window billed.
        window: Period,
    },
    /// Reverses what an earlier invoice billed for an older version.
    Credit {
        /// The invoice reversed.
        invoice_number: String,
        /// The version that replaces it.
        replaced_by_version: u64,
    },
}

/// A record version on an invoice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct SourceRef {
    /// Record kind.
    pub kind: SourceKind,
    /// Record id.
    pub id: String,
    /// Version.
    pub version: u64,
}

/// Tax per rule on an invoice.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaxLine {
    /// The rule (or untaxed category) and its note.
    #[serde(flatten)]
    pub rule: RuleRef,
    /// Sum of the bases.
    #[serde(serialize_with = "wire::write_decimal")]
    pub base: Decimal,
    /// The tax.
    #[serde(serialize_with = "wire::write_decimal")]
    pub amount: Decimal,
}

/// A record in the exception queue or deferred.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QueueItem {
    /// Record kind.
    pub kind: SourceKind,
    /// Record id.
    pub id: String,
    /// Version.
    pub version: u64,
    /// The contract, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// The record's date (entries, expenses) or due date (milestones).
    #[serde(serialize_with = "wire::write_opt_date", skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Every reason, in a fixed order.
    pub reasons: Vec<Finding>,
    /// True when every reason can clear without editing the record (a table or master-data fix, or time).
    pub retryable: bool,
    /// For a record split at the not-to-exceed: the amount held (the rest was invoiced).
    #[serde(serialize_with = "wire::write_opt_decimal", skip_serializing_if = "Option::is_none")]
    pub held_amount: Option<Decimal>,
}

/// Counters for dashboards.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Counters {
    /// Invoices drafted.
    pub invoices: usize,
    /// Lines on them.
    pub lines: usize,
    /// Credit lines.
    pub credits: usize,
    /// Records billed late (dated before the period).
    pub late: usize,
    /// Exception-queue items per reason code (a record with two reasons counts under both).
    pub exceptions_by_reason: BTreeMap<String, usize>,
    /// Deferred items per reason code.
    pub deferred_by_reason: BTreeMap<String, usize>,
    /// Invoice totals per currency.
    pub totals_by_currency: BTreeMap<String, CurrencyTotals>,
}

/// Totals of one currency's invoices.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct CurrencyTotals {
    /// Invoices in the currency.
    pub invoices: usize,
    /// Sum of subtotals.
    #[serde(serialize_with = "wire::write_decimal")]
    pub subtotal: Decimal,
    /// Sum of taxes.
    #[serde(serialize_with = "wire::write_decimal")]
    pub tax: Decimal,
    /// Sum of cash roundings.
    #[serde(serialize_with = "wire::write_decimal")]
    pub rounding: Decimal,
    /// Sum of totals.
    #[serde(serialize_with = "wire::write_decimal")]
    pub total: Decimal,
}

/// The reconciliation of one kind of input record.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Reconciliation {
    /// Record kind.
    pub kind: SourceKind,
    /// Records received.
    #[serde(rename = "in")]
    pub received: usize,
    /// Billed in full or in part (a record split at the cap counts here; its held part is also queued).
    pub invoiced: usize,
    /// In the exception queue only.
    pub exceptioned: usize,
    /// Not due yet.
    pub deferred: usize,
    /// `in == invoiced + exceptioned + deferred`.
    pub balanced: bool,
}

impl InvoiceRunResponse<'_> {
    /// The response with every borrowed id copied: free of the request's lifetime.
    pub fn into_owned(self) -> InvoiceRunResponse<'static> {
        InvoiceRunResponse {
            invoices: self.invoices.into_iter().map(Invoice::into_owned).collect(),
            api_version: self.api_version,
            period: self.period,
            invoice_date: self.invoice_date,
            exceptions: self.exceptions,
            deferred: self.deferred,
            ledger: self.ledger,
            next_number: self.next_number,
            counters: self.counters,
            reconciliation: self.reconciliation,
        }
    }
}

impl Invoice<'_> {
    /// The invoice with every borrowed id copied.
    pub fn into_owned(self) -> Invoice<'static> {
        Invoice {
            lines: self
                .lines
                .into_iter()
                .map(|l| InvoiceLine {
                    sources: l.sources.into_iter().map(LineSource::into_owned).collect(),
                    id: l.id,
                    kind: l.kind,
                    description: l.description,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    amount: l.amount,
                    net: l.net,
                    taxes: l.taxes,
                })
                .collect(),
            number: self.number,
            customer_id: self.customer_id,
            contract_id: self.contract_id,
            contract_ids: self.contract_ids,
            project_id: self.project_id,
            currency: self.currency,
            period: self.period,
            date: self.date,
            tax_lines: self.tax_lines,
            subtotal: self.subtotal,
            tax_total: self.tax_total,
            rounding: self.rounding,
            total: self.total,
            tax_determination: self.tax_determination,
            sources: self.sources,
        }
    }
}

impl LineSource<'_> {
    /// The source with every borrowed id copied.
    pub fn into_owned(self) -> LineSource<'static> {
        let explanation = match self.explanation {
            Explanation::Rated { line, held_at_cap } => {
                Explanation::Rated { line: Box::new(line.into_owned()), held_at_cap }
            }
            Explanation::Expense { line, held_at_cap } => {
                Explanation::Expense { line: Box::new(line.into_owned()), held_at_cap }
            }
            Explanation::Milestone { name, due } => Explanation::Milestone { name, due },
            Explanation::Retainer { window } => Explanation::Retainer { window },
            Explanation::Credit { invoice_number, replaced_by_version } => {
                Explanation::Credit { invoice_number, replaced_by_version }
            }
        };
        LineSource {
            kind: self.kind,
            id: Cow::Owned(self.id.into_owned()),
            version: self.version,
            amount: self.amount,
            hours: self.hours,
            late: self.late,
            explanation,
        }
    }
}
