//! The sync-state machine (SPEC §9): every finance-impacting record (a
//! timesheet entry or an expense) moves through one lifecycle, driven by
//! CloudEvents, with idempotency, replay protection, a hash-chained audit
//! history, an exception queue and inbound webhook verification.
//!
//! - [`lifecycle`](TRANSITIONS): states, actions and the transition table (data).
//! - [`apply_events`]: one outcome per event; records, the seen ledger, the exception
//!   queue and counters come back. [`apply_event_texts`]: the same over the events' JSON
//!   texts, without a `serde_json::Value` per event.
//! - [`verify_history`]: the audit chain check.
//! - [`verify_webhook`]: Standard Webhooks signatures.
//!
//! The decisions SPEC leaves open are written down in `docs/sync.md`.

mod apply;
mod audit;
mod digest;
mod engine;
mod events;
mod exceptions;
mod ledger;
mod lifecycle;
mod outcome;
mod scan;
mod text;
mod webhook;

pub(crate) use apply::apply_event_documents;
pub use apply::{
    Applied, DEFAULT_RETENTION_SECONDS, EventDocument, SyncPolicy, SyncRecord, apply_event_texts, apply_events,
};
pub use audit::{HistoryEntry, anchor_hash, verify_history};
pub use digest::Digest;
pub use events::{
    CloudEvent, EventData, KNOWN_TYPES, ParsedEvent, ReasonInput, fingerprint, parse_event, sha256_hex,
    write_canonical_json,
};
pub use exceptions::{
    APPROVAL_CONTEXT_MISMATCH, APPROVER_NOT_AUTHORIZED, Counters, ExceptionQueue, QueueItem, Reason, SELF_APPROVAL,
    TRANSIENT_REASONS, classify_reasons, exception_queue,
};
pub use ledger::{SeenEntry, SeenLedger};
pub use lifecycle::{Action, Guard, RecordKind, State, TRANSITIONS, Transition, candidates, lifecycle_mermaid};
pub use outcome::{EventOutcome, Outcome, OutcomeKind};
pub use text::Text;
pub use webhook::{VerifiedWebhook, WEBHOOK_TOLERANCE_SECONDS, sign_webhook, verify_webhook};

#[cfg(test)]
mod scenarios;
