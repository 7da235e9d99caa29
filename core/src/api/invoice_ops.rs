//! `invoice_run` as a document.

use super::Operation;
use crate::error::Result;
use crate::invoice::{InvoiceRunRequest, InvoiceRunResponse, invoice_run};
use crate::wire;

/// The `invoice_run` operation.
pub struct InvoiceRun;

impl Operation for InvoiceRun {
    const NAME: &'static str = "invoice_run";
    type Request = InvoiceRunRequest;
    type Response = InvoiceRunResponse<'static>;

    fn run(request: InvoiceRunRequest) -> Result<InvoiceRunResponse<'static>> {
        invoice_run(&request).map(InvoiceRunResponse::into_owned)
    }

    /// Serializes the response while it still borrows from the request: no copy of its ids.
    fn run_json(request: InvoiceRunRequest) -> Result<String> {
        wire::to_json(&invoice_run(&request)?)
    }
}
