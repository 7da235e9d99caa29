//! The exception queue: reason codes with their lane (retry as is, or a
//! person must act), the queue view per reason with the oldest first, and the
//! counters a dashboard shows.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::apply::SyncRecord;
use super::events::ReasonInput;
use super::lifecycle::{RecordKind, State};
use super::outcome::OutcomeKind;

/// Why a record is in the exception queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Reason {
    /// The reason code (`downstream_unavailable`, `rate_missing`, `self_approval`).
    pub code: String,
    /// True: transient, run the step again as it is (`record.retried`). False: a person must
    /// act first (fix data or a table, or decide), then retry, reject or revoke.
    pub retryable: bool,
}

/// Reason codes that are transient by default: the step can simply run again later.
pub const TRANSIENT_REASONS: &[&str] =
    &["connection_failed", "downstream_unavailable", "rate_limited", "record_locked", "timeout"];

/// Segregation of duties: the approver is the worker.
pub const SELF_APPROVAL: &str = "self_approval";
/// Segregation of duties: the approver is not authorized for the project.
pub const APPROVER_NOT_AUTHORIZED: &str = "approver_not_authorized";
/// The approval names another worker or project than the submitted record.
pub const APPROVAL_CONTEXT_MISMATCH: &str = "approval_context_mismatch";

/// Classify the reasons of a `record.failed` event: the event's own
/// `retryable` flag wins, then the caller's list of extra transient codes,
/// then [`TRANSIENT_REASONS`]; anything else needs a person.
///
/// ```
/// use billable::sync::{classify_reasons, ReasonInput};
/// let r = classify_reasons(&[ReasonInput::Code("timeout".into()), ReasonInput::Code("rate_missing".into())], &[]);
/// assert_eq!((r[0].retryable, r[1].retryable), (true, false));
/// ```
pub fn classify_reasons(reasons: &[ReasonInput], extra_transient: &[String]) -> Vec<Reason> {
    reasons
        .iter()
        .map(|r| {
            let code = r.code();
            let retryable = r
                .retryable()
                .unwrap_or_else(|| extra_transient.iter().any(|c| c == code) || TRANSIENT_REASONS.contains(&code));
            Reason { code: code.to_string(), retryable }
        })
        .collect()
}

/// One reason's queue: the records waiting with that reason, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ExceptionQueue {
    /// The reason code.
    pub reason: String,
    /// True when every record here waits only for a retry (see [`Reason::retryable`]).
    pub retryable: bool,
    /// The records, oldest exception first (then by record id).
    pub items: Vec<QueueItem>,
}

/// A record waiting in the exception queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct QueueItem {
    /// The record id.
    pub record_id: String,
    /// The record kind.
    pub kind: RecordKind,
    /// The state the step failed in; `record.retried` returns the record there.
    pub failed_in: Option<State>,
    /// When it entered the queue (the time of the failing event).
    #[schemars(with = "String")]
    pub since: DateTime<FixedOffset>,
    /// The record version (send it as `expected_version` with the retry).
    pub version: u64,
    /// The correlation id of the failing event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// All reason codes of the record (it appears once in each reason's queue).
    pub reasons: Vec<String>,
}

/// The exception queue, one queue per reason code (sorted by code), each oldest first.
///
/// ```
/// use billable::sync::{apply_events, exception_queue, SeenLedger, SyncPolicy};
/// let ev = |id: &str, ty: &str, t: &str, data: serde_json::Value| serde_json::json!({
///     "specversion": "1.0", "id": id, "source": "psa", "type": ty, "subject": "ts-1", "time": t, "data": data});
/// let events = vec![
///     ev("e1", "timesheet.submitted", "2026-03-02T09:00:00Z", serde_json::json!({"worker_id": "w1", "project_id": "p1"})),
///     ev("e2", "record.failed", "2026-03-02T10:00:00Z", serde_json::json!({"expected_version": 1, "reasons": ["timeout"]})),
/// ];
/// let out = apply_events(vec![], SeenLedger::default(), events, &SyncPolicy::default())?;
/// let queue = exception_queue(&out.records);
/// assert_eq!((queue[0].reason.as_str(), queue[0].retryable, queue[0].items[0].record_id.as_str()), ("timeout", true, "ts-1"));
/// # Ok::<(), billable::Error>(())
/// ```
pub fn exception_queue(records: &[SyncRecord]) -> Vec<ExceptionQueue> {
    let mut queues: BTreeMap<&str, ExceptionQueue> = BTreeMap::new();
    for record in records.iter().filter(|r| r.state == State::Exceptioned) {
        let Some(entry) = record.history.last() else { continue };
        for reason in &record.reasons {
            let queue = queues.entry(&reason.code).or_insert_with(|| ExceptionQueue {
                reason: reason.code.clone(),
                retryable: true,
                items: Vec::new(),
            });
            queue.retryable &= reason.retryable;
            queue.items.push(QueueItem {
                record_id: record.id.clone(),
                kind: record.kind,
                failed_in: record.failed_in,
                since: entry.at,
                version: record.version,
                correlation_id: entry.correlation_id.as_deref().map(str::to_string),
                reasons: record.reasons.iter().map(|r| r.code.clone()).collect(),
            });
        }
    }
    let mut out: Vec<ExceptionQueue> = queues.into_values().collect();
    for q in &mut out {
        q.items.sort_by(|a, b| a.since.cmp(&b.since).then_with(|| a.record_id.cmp(&b.record_id)));
    }
    out
}

/// Counts for dashboards: records per state and per exception reason (after
/// the batch), and this batch's outcomes per kind. Every state and outcome
/// kind is present, with 0 when none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Counters {
    /// Records per state.
    pub by_state: BTreeMap<State, usize>,
    /// Exceptioned records per reason code.
    pub by_reason: BTreeMap<String, usize>,
    /// This batch's event outcomes per kind.
    pub by_outcome: BTreeMap<OutcomeKind, usize>,
}

impl Counters {
    /// Count `records` and the kinds of this batch's outcomes.
    pub fn count(records: &[SyncRecord], outcomes: impl IntoIterator<Item = OutcomeKind>) -> Counters {
        let mut by_state: BTreeMap<State, usize> = State::ALL.iter().map(|s| (*s, 0)).collect();
        let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
        for r in records {
            *by_state.entry(r.state).or_default() += 1;
            if r.state == State::Exceptioned {
                for reason in &r.reasons {
                    *by_reason.entry(reason.code.clone()).or_default() += 1;
                }
            }
        }
        let mut by_outcome: BTreeMap<OutcomeKind, usize> = OutcomeKind::ALL.iter().map(|k| (*k, 0)).collect();
        for k in outcomes {
            *by_outcome.entry(k).or_default() += 1;
        }
        Counters { by_state, by_reason, by_outcome }
    }
}
