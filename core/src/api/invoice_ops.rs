//! `invoice_run` as a document.

use super::Operation;
use crate::error::Result;
use crate::invoice::{InvoiceRunRequest, InvoiceRunResponse, invoice_run};

/// The `invoice_run` operation.
pub struct InvoiceRun;

impl Operation for InvoiceRun {
    const NAME: &'static str = "invoice_run";
    type Request = InvoiceRunRequest;
    type Response = InvoiceRunResponse;

    fn run(request: InvoiceRunRequest) -> Result<InvoiceRunResponse> {
        invoice_run(&request)
    }
}
