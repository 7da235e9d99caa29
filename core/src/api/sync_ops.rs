//! `apply_events`, `verify_history` and `verify_webhook` as documents (SPEC §9, §11).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiVersion, Operation};
use crate::error::{Code, Error, Result};
use crate::sync::{self, Applied, CloudEvent, EventDocument, SeenLedger, SyncPolicy, SyncRecord};
use crate::wire;

/// Apply a batch of CloudEvents to records.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ApplyEventsRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The records as the previous call returned them (empty to start).
    #[serde(default)]
    pub records: Vec<SyncRecord>,
    /// The seen ledger as the previous call returned it (empty to start).
    #[serde(default)]
    pub seen: SeenLedger,
    /// CloudEvents 1.0 documents, applied in order. Each is read on its own: a malformed one
    /// (a key twice in one of its objects included) gets an `invalid` outcome and the others
    /// still apply.
    #[schemars(with = "Vec<CloudEvent>")]
    pub events: Vec<EventDocument>,
    /// Retention of the seen ledger, approvers, transient reason codes.
    #[serde(default)]
    pub policy: SyncPolicy,
}

/// One outcome per event, the records and ledger to keep, the exception queue and counters.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ApplyEventsResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// Outcomes, records, seen ledger, exception queue, counters.
    #[serde(flatten)]
    pub applied: Applied,
}

/// The `apply_events` operation.
pub struct ApplyEvents;

impl Operation for ApplyEvents {
    const NAME: &'static str = "apply_events";
    type Request = ApplyEventsRequest;
    type Response = ApplyEventsResponse;

    fn run(r: ApplyEventsRequest) -> Result<ApplyEventsResponse> {
        let applied = sync::apply_event_documents(r.records, r.seen, r.events, &r.policy)?;
        Ok(ApplyEventsResponse { api_version: ApiVersion, applied })
    }
}

/// Check the audit chains of records.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct VerifyHistoryRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The records to check.
    pub records: Vec<SyncRecord>,
    /// The last `hash` of a record's history as kept elsewhere, by record id: catches a
    /// history cut short at its end.
    #[serde(default, deserialize_with = "wire::unique_keys")]
    pub expected_heads: BTreeMap<String, String>,
}

/// Each record's verdict.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerifyHistoryResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// True when every history verifies.
    pub valid: bool,
    /// One verdict per record, in request order.
    pub records: Vec<HistoryVerdict>,
    /// The ids `expected_heads` names that no record of the request has: a record deleted whole (then `valid` is
    /// false).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// One record's verdict.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HistoryVerdict {
    /// The record id.
    pub id: String,
    /// Number of history entries.
    pub entries: usize,
    /// The last entry's hash (keep it to detect a history cut short later).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// True when the history verifies.
    pub valid: bool,
    /// `history_tampered` at `records[i].history[j]`, the first entry that does not verify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

/// The `verify_history` operation.
pub struct VerifyHistory;

impl Operation for VerifyHistory {
    const NAME: &'static str = "verify_history";
    type Request = VerifyHistoryRequest;
    type Response = VerifyHistoryResponse;

    fn run(r: VerifyHistoryRequest) -> Result<VerifyHistoryResponse> {
        // One verdict per record id: two records with one id would let a forged one stand beside the real one.
        let mut ids = std::collections::BTreeSet::new();
        for (i, record) in r.records.iter().enumerate() {
            if !ids.insert(record.id.as_str()) {
                let message = format!("record id `{}` appears twice", record.id);
                return Err(Error::new(Code::DuplicateId, message).at(format!("records[{i}].id")));
            }
        }
        let missing: Vec<String> = r.expected_heads.keys().filter(|id| !ids.contains(id.as_str())).cloned().collect();
        let records: Vec<HistoryVerdict> = r
            .records
            .iter()
            .enumerate()
            .map(|(i, record)| {
                let expected = r.expected_heads.get(&record.id).map(String::as_str);
                let error = sync::verify_history(record, expected).err().map(|e| e.under(&format!("records[{i}]")));
                HistoryVerdict {
                    id: record.id.clone(),
                    entries: record.history.len(),
                    head: record.history.last().map(|e| e.hash.to_string()),
                    valid: error.is_none(),
                    error,
                }
            })
            .collect();
        let valid = missing.is_empty() && records.iter().all(|v| v.valid);
        Ok(VerifyHistoryResponse { api_version: ApiVersion, valid, records, missing })
    }
}

/// Verify an inbound webhook with the Standard Webhooks scheme.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct VerifyWebhookRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The endpoint secret, `whsec_` followed by base64.
    pub secret: String,
    /// The request headers (at least `webhook-id`, `webhook-timestamp`, `webhook-signature`;
    /// names in any case).
    #[serde(deserialize_with = "wire::unique_keys")]
    pub headers: BTreeMap<String, String>,
    /// The raw request body, byte for byte as received.
    pub payload: String,
    /// The caller's current time (RFC 3339); the timestamp must be within 5 minutes of it.
    #[serde(deserialize_with = "wire::instant")]
    #[schemars(with = "String")]
    pub now: DateTime<FixedOffset>,
}

/// A verified webhook (a failed check is an error document: `webhook_malformed`,
/// `webhook_timestamp_out_of_tolerance` or `webhook_signature_invalid`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerifyWebhookResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// Always true: a failed check is an error.
    pub valid: bool,
    /// The `webhook-id` header.
    pub webhook_id: String,
    /// The `webhook-timestamp` header, seconds since the Unix epoch.
    pub timestamp: i64,
    /// Which of the space-separated signatures matched (0-based).
    pub signature_index: usize,
}

/// The `verify_webhook` operation.
pub struct VerifyWebhook;

impl Operation for VerifyWebhook {
    const NAME: &'static str = "verify_webhook";
    type Request = VerifyWebhookRequest;
    type Response = VerifyWebhookResponse;

    fn run(r: VerifyWebhookRequest) -> Result<VerifyWebhookResponse> {
        let headers = r.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let verified = sync::verify_webhook(&r.secret, headers, r.payload.as_bytes(), r.now)
            .map_err(|e| if e.path == "secret" { e } else { e.under("headers") })?;
        Ok(VerifyWebhookResponse {
            api_version: ApiVersion,
            valid: true,
            webhook_id: verified.webhook_id,
            timestamp: verified.timestamp,
            signature_index: verified.signature_index,
        })
    }
}
