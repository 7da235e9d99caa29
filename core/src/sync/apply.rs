//! `apply_events`: move records through the lifecycle, one event at a time,
//! with deduplication (`source` + `id` and a payload fingerprint), optimistic
//! concurrency (`expected_version`), the guards, and the audit chain. Every
//! event gets exactly one outcome; the call itself fails only when the records
//! or the seen ledger passed in are inconsistent.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::audit::HistoryEntry;
use super::engine::{Engine, invalid};
use super::events::{check, whole_number};
use super::exceptions::{Counters, ExceptionQueue, Reason};
use super::ledger::SeenLedger;
use super::lifecycle::{RecordKind, State};
use super::outcome::EventOutcome;
use super::scan::{ScannedEvent, Scanner};
use crate::error::{Code, Error, Result};
use crate::model::Worker;
use crate::wire;

/// A finance-impacting record as the sync-state machine keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SyncRecord {
    /// The record id (the events' `subject`), unique across kinds.
    pub id: String,
    /// Timesheet or expense.
    pub kind: RecordKind,
    /// Where it stands.
    pub state: State,
    /// Bumped by every applied event: the number of history entries. Events
    /// name the version they expect in `data.expected_version`.
    #[serde(deserialize_with = "whole_number")]
    pub version: u64,
    /// The worker, from the latest submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// The project, from the latest submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// The approver of the standing approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// When exceptioned: the state the step failed in (`record.retried` returns it there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_in: Option<State>,
    /// When exceptioned: why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    /// The append-only, hash-chained history.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// The caller's settings and tables for `apply_events`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SyncPolicy {
    /// How long the seen ledger remembers an event id, in seconds of event time
    /// before the newest event time seen (no clock is read). Default 7 days.
    #[serde(default = "default_retention", deserialize_with = "whole_number")]
    pub retention_seconds: u64,
    /// Who may approve for which project: `{project_id: [approver ids]}`.
    #[serde(default, deserialize_with = "wire::unique_keys")]
    pub approvers: BTreeMap<String, Vec<String>>,
    /// Workers; each one's `approver_for` projects count as in `approvers`.
    #[serde(default)]
    pub workers: Vec<Worker>,
    /// Reason codes to treat as transient besides the built-in ones.
    #[serde(default)]
    pub transient_reasons: Vec<String>,
}

/// Seven days, in seconds.
pub const DEFAULT_RETENTION_SECONDS: u64 = 7 * 24 * 3600;

fn default_retention() -> u64 {
    DEFAULT_RETENTION_SECONDS
}

impl Default for SyncPolicy {
    fn default() -> Self {
        SyncPolicy {
            retention_seconds: DEFAULT_RETENTION_SECONDS,
            approvers: BTreeMap::new(),
            workers: Vec::new(),
            transient_reasons: Vec::new(),
        }
    }
}

/// What `apply_events` returns.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Applied {
    /// One per event, in input order.
    pub outcomes: Vec<EventOutcome>,
    /// Every record, updated, sorted by id.
    pub records: Vec<SyncRecord>,
    /// The seen ledger to pass to the next call.
    pub seen: SeenLedger,
    /// The exception queue after the batch.
    pub exception_queue: Vec<ExceptionQueue>,
    /// Counts for dashboards.
    pub counters: Counters,
}

/// Apply a batch of CloudEvents (as JSON documents) to `records`, in order.
///
/// Each event gets one [`Outcome`](super::Outcome); a malformed event is an `invalid` outcome,
/// never an error of the call. The call fails only when `records` or `seen`
/// hold a duplicate key (`duplicate_id`). Cutting a sequence of events into
/// batches does not change any outcome, as long as each call gets the records
/// and seen ledger the previous call returned.
///
/// ```
/// use billable::sync::{apply_events, Outcome, SeenLedger, State, SyncPolicy};
/// let ev = |id: &str, ty: &str, data: serde_json::Value| serde_json::json!({
///     "specversion": "1.0", "id": id, "source": "psa", "type": ty, "subject": "ts-1",
///     "time": "2026-03-02T09:00:00+01:00", "data": data, "correlationid": "run-7"});
/// let mut policy = SyncPolicy::default();
/// policy.approvers.insert("p1".into(), vec!["mgr".into()]);
/// let events = vec![
///     ev("e1", "timesheet.submitted", serde_json::json!({"worker_id": "w1", "project_id": "p1"})),
///     ev("e2", "timesheet.approved", serde_json::json!({"expected_version": 1, "approver_id": "mgr"})),
///     ev("e2", "timesheet.approved", serde_json::json!({"expected_version": 1, "approver_id": "mgr"})),
///     ev("e3", "record.posted", serde_json::json!({"expected_version": 2})),
/// ];
/// let out = apply_events(vec![], SeenLedger::default(), events, &policy)?;
/// assert_eq!(out.outcomes[1].outcome, Outcome::Applied { from: Some(State::Submitted), to: State::Approved, version: 2 });
/// assert!(matches!(out.outcomes[2].outcome, Outcome::Duplicate { .. }));
/// assert!(matches!(out.outcomes[3].outcome, Outcome::IllegalTransition { state: Some(State::Approved), .. }));
/// assert_eq!(out.records[0].history[1].correlation_id.as_deref(), Some("run-7"));
/// # Ok::<(), billable::Error>(())
/// ```
pub fn apply_events(
    records: Vec<SyncRecord>,
    seen: SeenLedger,
    events: Vec<Value>,
    policy: &SyncPolicy,
) -> Result<Applied> {
    apply_read(records, seen, events.into_iter().map(Ok), policy)
}

/// [`apply_events`] over the events of a request document as they were read: an event that
/// could not be read as one (a key twice in one of its objects) gets its `invalid` outcome.
pub(crate) fn apply_event_documents(
    records: Vec<SyncRecord>,
    seen: SeenLedger,
    events: Vec<EventDocument>,
    policy: &SyncPolicy,
) -> Result<Applied> {
    apply_read(records, seen, events.into_iter().map(|e| e.0), policy)
}

/// Each event read, or why it could not be: its outcome, in order.
fn apply_read(
    records: Vec<SyncRecord>,
    seen: SeenLedger,
    events: impl ExactSizeIterator<Item = Result<Value>>,
    policy: &SyncPolicy,
) -> Result<Applied> {
    let mut engine = Engine::new(records, seen, policy, events.len())?;
    // Pushed one by one: a collect over the input's iterator would reuse its allocation and
    // then reallocate it, which costs more than a fresh vector.
    let mut outcomes = Vec::with_capacity(events.len());
    for (index, event) in events.enumerate() {
        outcomes.push(match event {
            Ok(value) => engine.apply_value(index, value),
            Err(error) => invalid(index, error),
        });
    }
    Ok(engine.finish(outcomes))
}

/// One event of an `apply_events` request document as it was read: the event, or why it
/// cannot be one. A key that appears twice in one of the event's objects makes it
/// unreadable (`invalid_value` at that key): `Value` would keep the last copy, and another
/// system reading the same text might keep the first. Reads from any JSON value; a
/// `serde_json::Value` converts into it.
#[derive(Debug, Clone)]
pub struct EventDocument(Result<Value>);

impl From<Value> for EventDocument {
    fn from(value: Value) -> Self {
        EventDocument(Ok(value))
    }
}

impl<'de> Deserialize<'de> for EventDocument {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let (value, repeated) = wire::read_checked(d)?;
        Ok(EventDocument(repeated.map_or(Ok(value), |r| Err(r.error()))))
    }
}

/// [`apply_events`] over the events' JSON texts: the same outcomes, records, ledger and
/// hashes as `apply_events` on the parsed documents, without building a
/// `serde_json::Value` per event (the faster entry point for a caller that holds text).
///
/// A text that is not JSON gets an `invalid` outcome with `invalid_json` at `events[i]`.
///
/// ```
/// use billable::sync::{apply_event_texts, apply_events, SeenLedger, SyncPolicy};
/// let texts = [
///     r#"{"specversion":"1.0","id":"e1","source":"psa","type":"timesheet.submitted","subject":"ts-1",
///         "time":"2026-03-02T09:00:00+01:00","data":{"worker_id":"w1","project_id":"p1"}}"#,
///     r#"{"specversion":"1.0","id":"e2","source":"psa","type":"record.posted","subject":"ts-1",
///         "time":"2026-03-02T10:00:00+01:00","data":{"expected_version":1}}"#,
///     "not json",
/// ];
/// let policy = SyncPolicy::default();
/// let out = apply_event_texts(vec![], SeenLedger::default(), texts, &policy)?;
/// assert_eq!(out.outcomes[2].outcome.kind(), billable::sync::OutcomeKind::Invalid);
/// let docs = texts[..2].iter().map(|t| serde_json::from_str(t).unwrap()).collect();
/// let same = apply_events(vec![], SeenLedger::default(), docs, &policy)?;
/// assert_eq!(out.records, same.records);
/// # Ok::<(), billable::Error>(())
/// ```
pub fn apply_event_texts<'t>(
    records: Vec<SyncRecord>,
    seen: SeenLedger,
    events: impl IntoIterator<Item = &'t str>,
    policy: &SyncPolicy,
) -> Result<Applied> {
    apply_texts(records, seen, &mut events.into_iter(), policy)
}

/// An event's text read as a document, its keys checked.
fn read_text(text: &str) -> serde_json::Result<EventDocument> {
    let mut de = serde_json::Deserializer::from_str(text);
    let document = EventDocument::deserialize(&mut de)?;
    de.end()?;
    Ok(document)
}

/// [`apply_event_texts`], compiled once in this crate.
fn apply_texts(
    records: Vec<SyncRecord>,
    seen: SeenLedger,
    events: &mut dyn Iterator<Item = &str>,
    policy: &SyncPolicy,
) -> Result<Applied> {
    let mut engine = Engine::new(records, seen, policy, events.size_hint().0)?;
    let mut scanner = Scanner::default();
    let mut outcomes = Vec::with_capacity(events.size_hint().0);
    for (index, text) in events.enumerate() {
        let outcome = match scanner.read(text, &mut engine.buf) {
            Some(ScannedEvent { event, specversion, fingerprint }) => {
                let checked = check(specversion, &event).map(|(kind, action)| (event, kind, action));
                engine.apply(index, fingerprint, checked)
            }
            None => match read_text(text) {
                Ok(EventDocument(Ok(value))) => engine.apply_value(index, value),
                Ok(EventDocument(Err(error))) => invalid(index, error),
                Err(e) => invalid(index, Error::new(Code::InvalidJson, format!("the event is not JSON: {e}"))),
            },
        };
        outcomes.push(outcome);
    }
    Ok(engine.finish(outcomes))
}
