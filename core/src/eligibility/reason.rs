//! Reason codes (SPEC §6): why a record is not billed in this run.

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::{Code, Error};

macro_rules! reasons {
    ($( $(#[doc = $doc:literal])* $variant:ident = $text:literal, retryable: $retry:literal, )*) => {
        /// Why a record is not billed (or not wholly billed) in a run. The
        /// JSON form is the stable snake_case code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Reason {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Reason {
            /// Every reason, in the order results list them (SPEC §6's table order, then the additions).
            pub const ALL: &'static [Reason] = &[ $( Reason::$variant, )* ];

            /// The stable snake_case code.
            pub const fn as_str(self) -> &'static str {
                match self { $( Reason::$variant => $text, )* }
            }

            /// Whether the same record (same id and version) can pass later
            /// without being edited: after a master-data or table fix, or
            /// with time. See `docs/eligibility.md` for each answer.
            pub const fn retryable(self) -> bool {
                match self { $( Reason::$variant => $retry, )* }
            }
        }
    };
}

reasons! {
    /// The record's status is not `approved` (an approval arrives as a new version).
    NotApproved = "not_approved", retryable: false,
    /// The worker approved their own record.
    SelfApproved = "self_approved", retryable: false,
    /// The approver is not listed as approver for the project (or an approved record names no approver).
    ApproverNotAuthorized = "approver_not_authorized", retryable: true,
    /// The entry, its task or its project (or, for an expense, the expense, its project or contract) is not billable.
    NotBillable = "not_billable", retryable: false,
    /// The project is not `open`.
    ProjectClosed = "project_closed", retryable: true,
    /// The record's date is outside the contract's dates.
    ContractInactive = "contract_inactive", retryable: true,
    /// The contract does not bill hours (fixed fee, retainer, non-billable): the labour is work in progress only.
    ContractNotHourly = "contract_not_hourly", retryable: false,
    /// The customer is not `active`.
    CustomerOnHold = "customer_on_hold", retryable: true,
    /// The worker was not employed on the record's date.
    WorkerNotEmployed = "worker_not_employed", retryable: true,
    /// No rate rule matches.
    RateMissing = "rate_missing", retryable: true,
    /// Two rate rules match with the same best score.
    AmbiguousRate = "ambiguous_rate", retryable: true,
    /// No FX rate converts into the contract currency.
    FxRateMissing = "fx_rate_missing", retryable: true,
    /// This id and version is already in the ledger.
    AlreadyInvoiced = "already_invoiced", retryable: false,
    /// The contract's not-to-exceed is reached: the part past it is held.
    CapExceeded = "cap_exceeded", retryable: true,
    /// The date is outside the run's period: deferred, not an exception.
    OutsidePeriod = "outside_period", retryable: true,
    /// Hours outside 0 < hours <= 24 for the entry or its worker-day.
    InvalidHours = "invalid_hours", retryable: false,
    /// The contract's expense policy requires a receipt and the expense has none.
    ReceiptMissing = "receipt_missing", retryable: false,
    /// The record names a worker, project, task, contract, customer or rate card the request does not hold.
    UnknownReference = "unknown_reference", retryable: true,
    /// Rating failed for another reason (arithmetic overflow, a currency without minor units); see the message.
    RatingFailed = "rating_failed", retryable: false,
    /// The same record (id and version) appears more than once in the input; the first copy is used.
    DuplicateRecord = "duplicate_record", retryable: false,
    /// The credit of the version this one replaces cannot be issued as the ledger says: it was billed in another
    /// currency than its contract bills in now, the invoice it would go on is taxed otherwise than the line it
    /// reverses, or the ledger still bills an older version too. Nothing is billed until a person sorts it out.
    CreditMismatch = "credit_mismatch", retryable: false,
    /// A newer version of the record is in the same input, or was invoiced before; only the newest is billed.
    Superseded = "superseded", retryable: false,
    /// A milestone not yet accepted by the customer: not due yet.
    NotAccepted = "not_accepted", retryable: true,
    /// The customer's (or seller's) tax id fails validation where the tax treatment depends on it.
    InvalidTaxId = "invalid_tax_id", retryable: true,
    /// No tax rule covers the invoice's jurisdiction and category on its date.
    TaxRuleMissing = "tax_rule_missing", retryable: true,
}

impl Reason {
    /// The reason for a rating error.
    pub fn from_error(error: &Error) -> Reason {
        match error.code {
            Code::RateMissing => Reason::RateMissing,
            Code::AmbiguousRate => Reason::AmbiguousRate,
            Code::FxRateMissing => Reason::FxRateMissing,
            Code::InvalidHours => Reason::InvalidHours,
            Code::UnknownReference => Reason::UnknownReference,
            Code::InvalidTaxId => Reason::InvalidTaxId,
            Code::TaxRuleMissing => Reason::TaxRuleMissing,
            _ => Reason::RatingFailed,
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One failing check of one record.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Finding {
    /// The reason code.
    pub code: Reason,
    /// Whether the same record can pass later without being edited.
    pub retryable: bool,
    /// What failed, for a person.
    pub message: String,
    /// Structured facts, e.g. the tied rule ids of an `ambiguous_rate`.
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}

impl Finding {
    /// A finding with the reason's own retryability.
    pub fn new(code: Reason, message: impl Into<String>) -> Finding {
        Finding { code, retryable: code.retryable(), message: message.into(), details: serde_json::Value::Null }
    }
}
