//! The invoice run (SPEC §8): billing windows, grouping, numbering, the ledger
//! of what was billed before, credits for changed records, and totals that
//! always reconcile.
//!
//! The order of everything in the output is defined (see `docs/invoice.md`):
//! invoices are numbered in the order of (customer, contract, project,
//! currency, window start); lines run credits, labour, expenses, milestones,
//! retainers; queues list records by kind, then input order.

mod accounts;
mod assemble;
mod cap_base;
mod checks;
mod credit;
mod document;
mod ledger;
mod request;
mod retainers;
mod run;
mod taxing;
mod windows;

pub use document::{
    Counters, CurrencyTotals, Explanation, Invoice, InvoiceLine, InvoiceRunResponse, LineKind, LineSource, LineTax,
    QueueItem, Reconciliation, SourceRef, TaxLine,
};
pub use ledger::{LedgerLine, LedgerTax, SourceKind};
pub use request::{BeforePeriod, FxDate, Grouping, InvoiceRunRequest, LineGrouping, Numbering, RunPolicy};
pub use run::invoice_run;
pub use windows::{Period, clipped_window, window_of, windows};
