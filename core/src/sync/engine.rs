//! The state of one `apply_events` call: the records and the seen ledger
//! indexed for lookups, the decision for each event, the audit chain, and the
//! response built in a defined order (no hash order reaches the output).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde_json::Value;

use super::apply::{Applied, SyncPolicy, SyncRecord};
use super::audit::{HistoryEntry, anchor_hash};
use super::events::{DataView, EventView, fingerprint_bytes, hex, read_event};
use super::exceptions::{
    APPROVAL_CONTEXT_MISMATCH, APPROVER_NOT_AUTHORIZED, Counters, Reason, SELF_APPROVAL, classify_reasons,
    exception_queue,
};
use super::ledger::{SeenEntry, SeenLedger};
use super::lifecycle::{Action, Guard, RecordKind, State, candidates};
use super::outcome::{EventOutcome, Outcome};
use super::text::Text;
use crate::error::{Code, Error, Result};
use crate::rates::IdMap;

/// The outcome of an event that did not read.
pub(super) fn invalid(index: usize, error: Error) -> EventOutcome {
    EventOutcome {
        index,
        event_id: None,
        subject: None,
        correlation_id: None,
        outcome: Outcome::Invalid { error: error.under(&format!("events[{index}]")) },
    }
}

/// A remembered fingerprint: the digest (hex only in the response), or a text from the
/// ledger passed in that is not 64 lowercase hex digits, kept as given (it equals no
/// computed fingerprint, as before).
#[derive(PartialEq)]
enum Fingerprint {
    Digest([u8; 32]),
    Given(String),
}

impl Fingerprint {
    fn read(text: String) -> Self {
        match unhex(&text) {
            Some(digest) => Fingerprint::Digest(digest),
            None => Fingerprint::Given(text),
        }
    }

    fn to_hex(&self) -> String {
        match self {
            Fingerprint::Digest(d) => hex(d),
            Fingerprint::Given(text) => text.clone(),
        }
    }
}

/// What the ledger remembers of one event.
struct Remembered {
    /// The event's source, as an index into `Engine::seen`.
    source: usize,
    id: Text,
    fingerprint: Fingerprint,
    time: DateTime<FixedOffset>,
    subject: Text,
    outcome: Outcome,
}

/// The state of one call. Records and the ledger are kept in hash maps for the
/// lookups and sorted once, by id and by source then id, when the response is
/// built, so no hash order reaches the output.
pub(super) struct Engine<'p> {
    /// Records in arrival order (input first, then created ones).
    records: Vec<SyncRecord>,
    /// record id → index in `records`.
    record_index: IdMap<Text, usize>,
    /// source → index in `seen`.
    sources: IdMap<String, usize>,
    /// Per source (by `sources`): (source, id → index in `remembered`).
    seen: Vec<(Text, IdMap<Text, usize>)>,
    /// The remembered events, in the order first remembered.
    remembered: Vec<Remembered>,
    /// Event types and actors seen in this call, shared by the history entries.
    names: IdMap<Text, ()>,
    newest: Option<DateTime<FixedOffset>>,
    /// `None`: the retention is longer than any time span, nothing expires.
    retention: Option<TimeDelta>,
    /// project → approvers.
    approvers: BTreeMap<&'p str, BTreeSet<&'p str>>,
    transient: &'p [String],
    pub(super) buf: Vec<u8>,
    /// The capacity of the first source's ids when the ledger passed in is empty.
    first_source_capacity: usize,
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
    pub(super) fn new(
        records: Vec<SyncRecord>,
        seen: SeenLedger,
        policy: &'p SyncPolicy,
        events: usize,
    ) -> Result<Self> {
        let mut record_index = IdMap::default();
        // A batch creates at most one record per event; most batches create a few per ten events.
        record_index.reserve(records.len() + events / 8);
        for (i, r) in records.iter().enumerate() {
            if record_index.contains_key(r.id.as_str()) {
                return Err(Error::new(Code::DuplicateId, format!("record id `{}` appears twice", r.id))
                    .at(format!("records[{i}].id")));
            }
            record_index.insert(Text::from(r.id.as_str()), i);
        }
        let mut engine = Engine {
            records,
            record_index,
            sources: IdMap::default(),
            seen: Vec::new(),
            remembered: Vec::new(),
            names: IdMap::default(),
            newest: seen.newest_event_time,
            retention: i64::try_from(policy.retention_seconds).ok().and_then(TimeDelta::try_seconds),
            approvers: BTreeMap::new(),
            transient: &policy.transient_reasons,
            buf: Vec::with_capacity(512),
            first_source_capacity: 0,
        };
        for (i, e) in seen.entries.into_iter().enumerate() {
            engine.newest = Some(engine.newest.map_or(e.time, |n| n.max(e.time)));
            let source = engine.source_index(&e.source);
            if engine.seen[source].1.contains_key(&e.id) {
                return Err(Error::new(Code::DuplicateId, format!("event id `{}` appears twice in the ledger", e.id))
                    .at(format!("seen.entries[{i}].id")));
            }
            let fingerprint = Fingerprint::read(e.fingerprint);
            let value =
                Remembered { source, id: e.id, fingerprint, time: e.time, subject: e.subject, outcome: e.outcome };
            engine.remember(value);
        }
        engine.remembered.reserve(events);
        // Each source's ids: at most one per event of the batch, sized for the first source
        // (or, with an empty ledger, the first source the batch names).
        match engine.seen.first_mut() {
            Some((_, ids)) => ids.reserve(events),
            None => engine.first_source_capacity = events,
        }
        for (project, ids) in &policy.approvers {
            engine.approvers.entry(project).or_default().extend(ids.iter().map(String::as_str));
        }
        for w in &policy.workers {
            for project in &w.approver_for {
                engine.approvers.entry(project).or_default().insert(&w.id);
            }
        }
        Ok(engine)
    }

    /// The ids remembered for `source`, created empty when the source is new.
    /// Remember an event, in place of what was remembered under its key (an expired entry).
    fn remember(&mut self, value: Remembered) {
        let next = self.remembered.len();
        match self.seen[value.source].1.entry(value.id.clone()) {
            Entry::Occupied(slot) => self.remembered[*slot.get()] = value,
            Entry::Vacant(slot) => {
                slot.insert(next);
                self.remembered.push(value);
            }
        }
    }

    /// The index of `source` in `seen`, created empty when the source is new.
    fn source_index(&mut self, source: &str) -> usize {
        match self.sources.get(source) {
            Some(&i) => i,
            None => {
                let i = self.seen.len();
                self.sources.insert(source.to_string(), i);
                let capacity = std::mem::take(&mut self.first_source_capacity);
                self.seen.push((Text::from(source), IdMap::with_capacity_and_hasher(capacity, Default::default())));
                i
            }
        }
    }

    /// `name` as a shared text: one allocation per distinct name in the call.
    fn name(&mut self, name: &str) -> Text {
        match self.names.get_key_value(name) {
            Some((text, ())) => text.clone(),
            None => {
                let text = Text::from(name);
                self.names.insert(text.clone(), ());
                text
            }
        }
    }

    /// The record id `subject` as a shared text: the record's key when it exists.
    fn subject(&self, subject: &str) -> Text {
        match self.record_index.get_key_value(subject) {
            Some((text, _)) => text.clone(),
            None => Text::from(subject),
        }
    }

    /// Entries older than this are forgotten.
    fn cutoff(&self) -> Option<DateTime<FixedOffset>> {
        self.newest?.checked_sub_signed(self.retention?)
    }

    pub(super) fn apply_value(&mut self, index: usize, value: Value) -> EventOutcome {
        let fingerprint = fingerprint_bytes(&value, &mut self.buf);
        match read_event(value) {
            Ok(parsed) => self.apply(index, fingerprint, Ok(parsed.view())),
            Err(e) => invalid(index, e),
        }
    }

    pub(super) fn apply(
        &mut self,
        index: usize,
        fingerprint: [u8; 32],
        event: Result<(EventView, Option<RecordKind>, Action)>,
    ) -> EventOutcome {
        let (event, kind, action) = match event {
            Ok(e) => e,
            Err(e) => return invalid(index, e),
        };
        self.newest = Some(self.newest.map_or(event.time, |n| n.max(event.time)));
        let cutoff = self.cutoff();
        let first = self.sources.get(event.source).and_then(|&s| self.seen[s].1.get(event.id));
        let first = first.map(|&i| &self.remembered[i]);
        let outcome = match first.filter(|r| cutoff.is_none_or(|c| r.time >= c)) {
            Some(first) if first.fingerprint == Fingerprint::Digest(fingerprint) => {
                Outcome::Duplicate { first: Box::new(first.outcome.clone()) }
            }
            Some(first) => Outcome::IdempotencyConflict {
                first_fingerprint: first.fingerprint.to_hex(),
                fingerprint: hex(&fingerprint),
            },
            None => {
                let (id, correlation_id) = (Text::from(event.id), event.correlationid.map(Text::from));
                let outcome = self.decide(&event, kind, action, &id, &correlation_id);
                let subject = self.subject(event.subject);
                if outcome.is_final() {
                    let value = Remembered {
                        source: self.source_index(event.source),
                        id: id.clone(),
                        fingerprint: Fingerprint::Digest(fingerprint),
                        time: event.time,
                        subject: subject.clone(),
                        outcome: outcome.clone(),
                    };
                    self.remember(value);
                }
                return EventOutcome { index, event_id: Some(id), subject: Some(subject), correlation_id, outcome };
            }
        };
        EventOutcome {
            index,
            event_id: Some(Text::from(event.id)),
            subject: Some(self.subject(event.subject)),
            correlation_id: event.correlationid.map(Text::from),
            outcome,
        }
    }

    fn current(&self, record: Option<usize>, data: &DataView, action: Action) -> Current {
        match record.map(|i| &self.records[i]) {
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

    /// Decide the event and apply it.
    fn decide(
        &mut self,
        event: &EventView,
        kind: Option<RecordKind>,
        action: Action,
        id: &Text,
        correlation_id: &Option<Text>,
    ) -> Outcome {
        let data = &event.data;
        let record = self.record_index.get(event.subject).copied();
        let current = self.current(record, data, action);
        let expected = data.expected_version.unwrap_or(0);
        if expected < current.version {
            return Outcome::StaleEvent { expected_version: expected, record_version: current.version };
        }
        if expected > current.version {
            return Outcome::OutOfOrder { expected_version: expected, record_version: current.version };
        }
        let illegal = |message: String, event: &EventView| Outcome::IllegalTransition {
            state: current.state,
            event_type: event.event_type.to_string(),
            message,
        };
        if let (Some(record_kind), Some(event_kind)) = (current.kind, kind)
            && record_kind != event_kind
        {
            let message = format!(
                "`{}` is about a {} but record `{}` is a {}",
                event.event_type,
                event_kind.as_str(),
                event.subject,
                record_kind.as_str()
            );
            return illegal(message, event);
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
            return illegal(illegal_message(current.state, action, event), event);
        };
        let to = transition.to;
        let reasons = match (to, action) {
            (State::Exceptioned, Action::Fail) => classify_reasons(&data.reasons, self.transient),
            (State::Exceptioned, _) => current.violations,
            _ => Vec::new(),
        };
        let index = match record {
            Some(i) => i,
            None => {
                let Some(kind) = kind else { return illegal(illegal_message(None, action, event), event) };
                let i = self.records.len();
                self.records.push(SyncRecord::new(event.subject.to_string(), kind));
                self.record_index.insert(Text::from(event.subject), i);
                i
            }
        };
        let actor = match (data.actor, action) {
            (Some(a), _) => Some(a),
            (None, Action::Approve) => data.approver_id,
            (None, _) => None,
        };
        let actor = actor.map(|a| self.name(a));
        let source_index = self.source_index(event.source);
        let source = self.seen[source_index].0.clone();
        let event_type = self.name(event.event_type);
        let record = &mut self.records[index];
        match action {
            Action::Submit => {
                record.worker_id = data.worker_id.map(str::to_string);
                record.project_id = data.project_id.map(str::to_string);
                record.approved_by = None;
            }
            Action::Approve if to == State::Approved => record.approved_by = data.approver_id.map(str::to_string),
            Action::RevokeApproval => record.approved_by = None,
            _ => {}
        }
        let from = current.state;
        record.failed_in = if to == State::Exceptioned { from } else { None };
        record.state = to;
        record.version += 1;
        let prev_hash = match record.history.last() {
            Some(last) => last.hash.clone(),
            None => Text::from(anchor_hash(record.kind, &record.id)),
        };
        let mut entry = HistoryEntry {
            event_id: id.clone(),
            source,
            event_type,
            from,
            to,
            version: record.version,
            at: event.time,
            actor,
            correlation_id: correlation_id.clone(),
            reasons: reasons.iter().map(|r| r.code.clone()).collect(),
            prev_hash: Text::default(),
            hash: Text::default(),
        };
        entry.seal(prev_hash, &mut self.buf);
        record.history.push(entry);
        let outcome = match (to, from) {
            (State::Exceptioned, Some(from)) => {
                Outcome::Exceptioned { from, version: record.version, reasons: reasons.clone() }
            }
            _ => Outcome::Applied { from, to, version: record.version },
        };
        record.reasons = reasons;
        outcome
    }

    pub(super) fn finish(self, outcomes: Vec<EventOutcome>) -> Applied {
        let cutoff = self.cutoff();
        // Sources by name, then ids: sort (source rank, id) positions, then move the entries out.
        let mut by_name: Vec<usize> = (0..self.seen.len()).collect();
        by_name.sort_unstable_by(|&a, &b| self.seen[a].0.cmp(&self.seen[b].0));
        let mut rank = vec![0; self.seen.len()];
        for (r, &s) in by_name.iter().enumerate() {
            rank[s] = r;
        }
        // Collected in place (same element type): no second allocation.
        let mut kept: Vec<Remembered> =
            self.remembered.into_iter().filter(|r| cutoff.is_none_or(|c| r.time >= c)).collect();
        for r in &mut kept {
            r.source = rank[r.source];
        }
        let sources: Vec<Text> = by_name.iter().map(|&s| self.seen[s].0.clone()).collect();
        let entries = sorted_by_key(kept, |r| r.source, |r| r.id.as_str())
            .into_iter()
            .map(|r| SeenEntry {
                source: sources[r.source].clone(),
                id: r.id,
                fingerprint: match r.fingerprint {
                    Fingerprint::Digest(d) => hex(&d),
                    Fingerprint::Given(text) => text,
                },
                time: r.time,
                subject: r.subject,
                outcome: r.outcome,
            })
            .collect();
        let records = sorted_by_key(self.records, |_| 0, |r| r.id.as_str());
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

/// `items` in the order of their keys (`group` then `key`, unique), sorting positions rather
/// than moving the large items around. Each position carries the key's first 16 bytes as a
/// number, so most comparisons do not reach the text.
fn sorted_by_key<T>(items: Vec<T>, group: impl Fn(&T) -> usize, key: impl Fn(&T) -> &str) -> Vec<T> {
    let mut order: Vec<(usize, u128, usize)> =
        items.iter().enumerate().map(|(i, item)| (group(item), prefix(key(item)), i)).collect();
    order.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| key(&items[a.2]).cmp(key(&items[b.2]))));
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.into_iter().filter_map(|(_, _, i)| slots[i].take()).collect()
}

/// The first 16 bytes of `text`, zero-padded, as a big-endian number: when two prefixes
/// differ, they order as the texts' bytes do (a tie is decided by the texts).
fn prefix(text: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let head = &text.as_bytes()[..text.len().min(16)];
    bytes[..head.len()].copy_from_slice(head);
    u128::from_be_bytes(bytes)
}

/// The 32 bytes of a fingerprint written as 64 lowercase hex digits.
fn unhex(text: &str) -> Option<[u8; 32]> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
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
    data: &DataView,
    approvers: &BTreeMap<&str, BTreeSet<&str>>,
) -> Vec<Reason> {
    let approver = data.approver_id.unwrap_or_default();
    let differs = |given: Option<&str>, kept: &Option<String>| given.is_some() && given != kept.as_deref();
    let mut codes = Vec::new();
    if differs(data.worker_id, &record.worker_id) || differs(data.project_id, &record.project_id) {
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

fn illegal_message(state: Option<State>, action: Action, event: &EventView) -> String {
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
