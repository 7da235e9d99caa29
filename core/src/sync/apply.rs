//! `apply_events`: move records through the lifecycle, one event at a time,
//! with deduplication (`source` + `id` and a payload fingerprint), optimistic
//! concurrency (`expected_version`), the guards, and the audit chain. Every
//! event gets exactly one outcome; the call itself fails only when the records
//! or the seen ledger passed in are inconsistent.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, TimeDelta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::audit::{HistoryEntry, anchor_hash};
use super::events::{CloudEvent, EventData, ParsedEvent, fingerprint, parse_event, whole_number};
use super::exceptions::{
    APPROVAL_CONTEXT_MISMATCH, APPROVER_NOT_AUTHORIZED, Counters, ExceptionQueue, Reason, SELF_APPROVAL,
    classify_reasons, exception_queue,
};
use super::ledger::{SeenEntry, SeenLedger};
use super::lifecycle::{Action, Guard, RecordKind, State, candidates};
use super::outcome::{EventOutcome, Outcome};
use crate::error::{Code, Error, Result};
use crate::model::Worker;

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
    #[serde(default)]
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
/// Each event gets one [`Outcome`]; a malformed event is an `invalid` outcome,
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
    let mut engine = Engine::new(records, seen, policy)?;
    // Pushed one by one: a collect over `events.into_iter()` would reuse the input's
    // allocation and then reallocate it, which costs more than a fresh vector.
    let mut outcomes = Vec::with_capacity(events.len());
    for (index, event) in events.into_iter().enumerate() {
        outcomes.push(engine.apply(index, event));
    }
    Ok(engine.finish(outcomes))
}

/// What the ledger remembers of one event.
struct Remembered {
    fingerprint: String,
    time: DateTime<FixedOffset>,
    subject: String,
    outcome: Outcome,
}

struct Engine<'p> {
    records: BTreeMap<String, SyncRecord>,
    /// source → id → remembered.
    seen: BTreeMap<String, BTreeMap<String, Remembered>>,
    newest: Option<DateTime<FixedOffset>>,
    /// `None`: the retention is longer than any time span, nothing expires.
    retention: Option<TimeDelta>,
    /// project → approvers.
    approvers: BTreeMap<&'p str, BTreeSet<&'p str>>,
    transient: &'p [String],
    buf: Vec<u8>,
}

/// The facts of the record that the decision needs, read before anything changes.
struct Current {
    version: u64,
    state: Option<State>,
    kind: Option<RecordKind>,
    failed_in: Option<State>,
    violations: Vec<Reason>,
}

impl<'p> Engine<'p> {
    fn new(records: Vec<SyncRecord>, seen: SeenLedger, policy: &'p SyncPolicy) -> Result<Self> {
        let mut by_id = BTreeMap::new();
        for (i, r) in records.into_iter().enumerate() {
            if by_id.contains_key(&r.id) {
                return Err(Error::new(Code::DuplicateId, format!("record id `{}` appears twice", r.id))
                    .at(format!("records[{i}].id")));
            }
            by_id.insert(r.id.clone(), r);
        }
        let mut remembered: BTreeMap<String, BTreeMap<String, Remembered>> = BTreeMap::new();
        let mut newest = seen.newest_event_time;
        for (i, e) in seen.entries.into_iter().enumerate() {
            newest = Some(newest.map_or(e.time, |n| n.max(e.time)));
            let ids = remembered.entry(e.source).or_default();
            if ids.contains_key(&e.id) {
                return Err(Error::new(Code::DuplicateId, format!("event id `{}` appears twice in the ledger", e.id))
                    .at(format!("seen.entries[{i}].id")));
            }
            let value = Remembered { fingerprint: e.fingerprint, time: e.time, subject: e.subject, outcome: e.outcome };
            ids.insert(e.id, value);
        }
        let mut approvers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (project, ids) in &policy.approvers {
            approvers.entry(project).or_default().extend(ids.iter().map(String::as_str));
        }
        for w in &policy.workers {
            for project in &w.approver_for {
                approvers.entry(project).or_default().insert(&w.id);
            }
        }
        let retention = i64::try_from(policy.retention_seconds).ok().and_then(TimeDelta::try_seconds);
        Ok(Engine {
            records: by_id,
            seen: remembered,
            newest,
            retention,
            approvers,
            transient: &policy.transient_reasons,
            buf: Vec::with_capacity(512),
        })
    }

    /// Entries older than this are forgotten.
    fn cutoff(&self) -> Option<DateTime<FixedOffset>> {
        self.newest?.checked_sub_signed(self.retention?)
    }

    fn apply(&mut self, index: usize, value: Value) -> EventOutcome {
        let fingerprint = fingerprint(&value, &mut self.buf);
        let ParsedEvent { event, data, kind, action } = match parse_event(value) {
            Ok(p) => p,
            Err(e) => {
                let error = e.under(&format!("events[{index}]"));
                return EventOutcome {
                    index,
                    event_id: None,
                    subject: None,
                    correlation_id: None,
                    outcome: Outcome::Invalid { error },
                };
            }
        };
        self.newest = Some(self.newest.map_or(event.time, |n| n.max(event.time)));
        let cutoff = self.cutoff();
        let first = self.seen.get(&event.source).and_then(|ids| ids.get(&event.id));
        let outcome = match first.filter(|r| cutoff.is_none_or(|c| r.time >= c)) {
            Some(first) if first.fingerprint == fingerprint => {
                Outcome::Duplicate { first: Box::new(first.outcome.clone()) }
            }
            Some(first) => Outcome::IdempotencyConflict { first_fingerprint: first.fingerprint.clone(), fingerprint },
            None => {
                let outcome = self.decide(&event, &data, kind, action);
                if outcome.is_final() {
                    self.remember(&event, fingerprint, outcome.clone());
                }
                outcome
            }
        };
        EventOutcome {
            index,
            event_id: Some(event.id),
            subject: Some(event.subject),
            correlation_id: event.correlationid,
            outcome,
        }
    }

    fn remember(&mut self, event: &CloudEvent, fingerprint: String, outcome: Outcome) {
        if !self.seen.contains_key(&event.source) {
            self.seen.insert(event.source.clone(), BTreeMap::new());
        }
        if let Some(ids) = self.seen.get_mut(&event.source) {
            let value = Remembered { fingerprint, time: event.time, subject: event.subject.clone(), outcome };
            ids.insert(event.id.clone(), value);
        }
    }

    fn current(&self, event: &CloudEvent, data: &EventData, action: Action) -> Current {
        match self.records.get(&event.subject) {
            None => Current { version: 0, state: None, kind: None, failed_in: None, violations: Vec::new() },
            Some(r) => Current {
                version: r.version,
                state: Some(r.state),
                kind: Some(r.kind),
                failed_in: r.failed_in,
                violations: if action == Action::Approve {
                    segregation_of_duties(r, data, &self.approvers)
                } else {
                    Vec::new()
                },
            },
        }
    }

    fn decide(&mut self, event: &CloudEvent, data: &EventData, kind: Option<RecordKind>, action: Action) -> Outcome {
        let current = self.current(event, data, action);
        let expected = data.expected_version.unwrap_or(0);
        if expected < current.version {
            return Outcome::StaleEvent { expected_version: expected, record_version: current.version };
        }
        if expected > current.version {
            return Outcome::OutOfOrder { expected_version: expected, record_version: current.version };
        }
        let illegal = |message: String| Outcome::IllegalTransition {
            state: current.state,
            event_type: event.event_type.clone(),
            message,
        };
        if let (Some(record_kind), Some(event_kind)) = (current.kind, kind)
            && record_kind != event_kind
        {
            return illegal(format!(
                "`{}` is about a {} but record `{}` is a {}",
                event.event_type,
                event_kind.as_str(),
                event.subject,
                record_kind.as_str()
            ));
        }
        let holds = |guard: Guard| match guard {
            Guard::Always => true,
            Guard::SegregationOfDuties => current.violations.is_empty(),
            Guard::SegregationOfDutiesViolated => !current.violations.is_empty(),
            Guard::FailedIn(s) => current.failed_in == Some(s),
            Guard::FailedBeforePosting => {
                matches!(current.failed_in, Some(State::Approved | State::Enriched | State::Validated))
            }
        };
        let Some(transition) = candidates(current.state, action).find(|t| holds(t.guard)) else {
            return illegal(illegal_message(current.state, action, event));
        };
        let to = transition.to;
        let reasons = match (to, action) {
            (State::Exceptioned, Action::Fail) => classify_reasons(&data.reasons, self.transient),
            (State::Exceptioned, _) => current.violations,
            _ => Vec::new(),
        };
        if current.state.is_none() {
            let Some(kind) = kind else { return illegal(illegal_message(None, action, event)) };
            self.records.insert(event.subject.clone(), SyncRecord::new(event.subject.clone(), kind));
        }
        let Some(record) = self.records.get_mut(&event.subject) else {
            return illegal(illegal_message(None, action, event));
        };
        match action {
            Action::Submit => {
                record.worker_id.clone_from(&data.worker_id);
                record.project_id.clone_from(&data.project_id);
                record.approved_by = None;
            }
            Action::Approve if to == State::Approved => record.approved_by.clone_from(&data.approver_id),
            Action::RevokeApproval => record.approved_by = None,
            _ => {}
        }
        let from = current.state;
        record.failed_in = if to == State::Exceptioned { from } else { None };
        record.reasons.clone_from(&reasons);
        record.state = to;
        record.version += 1;
        let actor = match (&data.actor, action) {
            (Some(a), _) => Some(a.clone()),
            (None, Action::Approve) => data.approver_id.clone(),
            (None, _) => None,
        };
        let prev_hash = match record.history.last() {
            Some(last) => last.hash.clone(),
            None => anchor_hash(record.kind, &record.id),
        };
        let mut entry = HistoryEntry {
            event_id: event.id.clone(),
            source: event.source.clone(),
            event_type: event.event_type.clone(),
            from,
            to,
            version: record.version,
            at: event.time,
            actor,
            correlation_id: event.correlationid.clone(),
            reasons: reasons.iter().map(|r| r.code.clone()).collect(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        entry.seal(prev_hash, &mut self.buf);
        record.history.push(entry);
        match (to, from) {
            (State::Exceptioned, Some(from)) => Outcome::Exceptioned { from, version: record.version, reasons },
            _ => Outcome::Applied { from, to, version: record.version },
        }
    }

    fn finish(mut self, outcomes: Vec<EventOutcome>) -> Applied {
        if let Some(cutoff) = self.cutoff() {
            for ids in self.seen.values_mut() {
                ids.retain(|_, r| r.time >= cutoff);
            }
            self.seen.retain(|_, ids| !ids.is_empty());
        }
        let entries = self
            .seen
            .into_iter()
            .flat_map(|(source, ids)| {
                ids.into_iter().map(move |(id, r)| SeenEntry {
                    source: source.clone(),
                    id,
                    fingerprint: r.fingerprint,
                    time: r.time,
                    subject: r.subject,
                    outcome: r.outcome,
                })
            })
            .collect();
        let records: Vec<SyncRecord> = self.records.into_values().collect();
        let counters = Counters::count(&records, outcomes.iter().map(|o| o.outcome.kind()));
        Applied {
            exception_queue: exception_queue(&records),
            counters,
            outcomes,
            records,
            seen: SeenLedger { newest_event_time: self.newest, entries },
        }
    }
}

impl SyncRecord {
    fn new(id: String, kind: RecordKind) -> Self {
        SyncRecord {
            id,
            kind,
            state: State::Submitted,
            version: 0,
            worker_id: None,
            project_id: None,
            approved_by: None,
            failed_in: None,
            reasons: Vec::new(),
            history: Vec::new(),
        }
    }
}

/// The segregation-of-duties problems of an approval: the approval names
/// another worker or project than the submission, the approver is the worker,
/// or the approver is not listed for the project.
fn segregation_of_duties(
    record: &SyncRecord,
    data: &EventData,
    approvers: &BTreeMap<&str, BTreeSet<&str>>,
) -> Vec<Reason> {
    let approver = data.approver_id.as_deref().unwrap_or_default();
    let differs = |given: &Option<String>, kept: &Option<String>| given.is_some() && given != kept;
    let mut codes = Vec::new();
    if differs(&data.worker_id, &record.worker_id) || differs(&data.project_id, &record.project_id) {
        codes.push(APPROVAL_CONTEXT_MISMATCH);
    }
    if record.worker_id.as_deref() == Some(approver) {
        codes.push(SELF_APPROVAL);
    }
    let authorized =
        record.project_id.as_deref().and_then(|p| approvers.get(p)).is_some_and(|listed| listed.contains(approver));
    if !authorized {
        codes.push(APPROVER_NOT_AUTHORIZED);
    }
    codes.into_iter().map(|c| Reason { code: c.to_string(), retryable: false }).collect()
}

fn illegal_message(state: Option<State>, action: Action, event: &CloudEvent) -> String {
    let Some(state) = state else {
        return format!("record `{}` does not exist; a record starts with `*.submitted`", event.subject);
    };
    let hint = match (state, action) {
        (State::Exceptioned, Action::Retry) => "",
        (State::Exceptioned, _) => {
            "; an exceptioned record moves on by a retry, or by a revocation, rejection or reversal that fits the stage it failed in"
        }
        (_, Action::Post) => "; post only from validated",
        (_, Action::Invoice) => "; invoice only from posted",
        (_, Action::Enrich) => "; enrich only an approved record",
        (_, Action::Validate) => "; validate only an enriched record",
        (State::Posted | State::Invoiced, Action::RevokeApproval) => "; after posting, only a reversal is possible",
        (_, Action::RevokeApproval) => "; only an approved record that is not posted can lose its approval",
        (_, Action::Reverse) => "; only a posted or invoiced record can be reversed",
        (_, Action::Submit) => "; only a new or rejected record can be submitted",
        (_, Action::Approve | Action::Reject) => "; only a submitted record can be approved or rejected",
        (_, Action::Fail) => "; only a record in progress (submitted to posted) can fail",
        (_, Action::Retry) => "; only an exceptioned record can be retried",
    };
    format!("`{}` is not allowed in state `{state}`{hint}", event.event_type)
}
