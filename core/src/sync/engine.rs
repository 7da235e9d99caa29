//! The state of one `apply_events` call: the records and the seen ledger
//! indexed for lookups, the decision for each event, the audit chain, and the
//! response built in a defined order (no hash order reaches the output).

use std::hash::{BuildHasher, BuildHasherDefault};

use hashbrown::hash_table::{Entry, HashTable, OccupiedEntry, VacantEntry};
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde_json::Value;

use super::apply::{Applied, SyncPolicy, SyncRecord};
use super::audit::{HistoryEntry, anchor_digest};
use super::digest::Digest;
use super::events::{DataView, EventView, fingerprint_bytes, read_event};
use super::exceptions::{
    APPROVAL_CONTEXT_MISMATCH, APPROVER_NOT_AUTHORIZED, Counters, Reason, SELF_APPROVAL, classify_reasons,
    exception_queue,
};
use super::ledger::{SeenEntry, SeenLedger};
use super::lifecycle::{Action, Guard, RecordKind, State, candidates};
use super::outcome::{EventOutcome, Outcome};
use super::text::Text;
use crate::error::{Code, Error, Result};
use crate::rates::{IdHasher, IdMap};

/// The outcome of an event that did not read.
/// The newer of the two times; on the same instant the one held already, so the offset it is
/// written with does not depend on where a sequence of events was cut into calls.
fn later(held: Option<DateTime<FixedOffset>>, time: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    match held {
        Some(h) if h >= time => h,
        _ => time,
    }
}

pub(super) fn invalid(index: usize, error: Error) -> EventOutcome {
    EventOutcome {
        index,
        event_id: None,
        subject: None,
        correlation_id: None,
        outcome: Outcome::Invalid { error: Box::new(error.under(&format!("events[{index}]"))) },
    }
}

/// A position in the call's records or remembered events, as the hash tables hold it: 32
/// bits halve the tables (16 MB → 8 MB of slots for a million events), and a call holds far
/// fewer than 2^32 of either (`Engine::apply` turns away an event past that bound).
type Pos = u32;

/// The most records or remembered events one call can hold.
const MAX_POSITIONS: usize = Pos::MAX as usize;

/// The `Pos` of position `i`, which callers have checked is at most `MAX_POSITIONS`.
fn pos(i: usize) -> Pos {
    Pos::try_from(i).unwrap_or(Pos::MAX)
}

/// The state of one call: the ledger half and the records half, apart so that an event's
/// slot in the ledger can be held while its record is decided. Records and the ledger's keys
/// are found through hash tables; records are sorted by id once when the response is built,
/// and the ledger is returned in the order remembered, so no hash order reaches the output.
pub(super) struct Engine<'p> {
    ledger: Ledger,
    book: Book<'p>,
    /// Scratch space for canonical forms and hashing.
    pub(super) buf: Vec<u8>,
}

/// The seen ledger of the call.
struct Ledger {
    /// source → index in `seen`.
    sources: IdMap<String, usize>,
    /// The index in `seen` of the source named last (events mostly come from one source).
    last_source: usize,
    /// Per source (by `sources`): (source, id → index in `remembered`). The table holds
    /// positions only; the ids are compared and rehashed from `remembered`.
    seen: Vec<(Text, HashTable<Pos>)>,
    /// The remembered events as the ledger returns them, in the order they were first
    /// remembered: the ledger passed in, then this call's in the order of their events. An
    /// expired entry whose key comes again stays where it is (the response leaves it out, as
    /// it leaves out every expired entry) and the new one is appended.
    remembered: Vec<SeenEntry>,
    newest: Option<DateTime<FixedOffset>>,
    /// `None`: the retention is longer than any time span, nothing expires.
    retention: Option<TimeDelta>,
    /// The capacity of the first source's ids when the ledger passed in is empty.
    first_source_capacity: usize,
}

/// The records of the call and what deciding an event needs.
struct Book<'p> {
    /// Records in arrival order (input first, then created ones). During the call their
    /// lifecycle fields, reasons and history live in `hot`, at the same positions; `finish`
    /// puts them back.
    records: Vec<SyncRecord>,
    /// What deciding an event reads and writes of each record, at the record's position.
    hot: Vec<Hot>,
    /// Positions in `hot` and `records`, found by the record id (compared with `hot[i].id`).
    record_index: HashTable<Pos>,
    /// Event types and actors seen in this call, shared by the history entries.
    names: IdMap<Text, ()>,
    /// The event type and the actor named last (events mostly come in runs of one type by
    /// one actor), checked before `names`.
    last_type: Text,
    last_actor: Text,
    /// project → approvers.
    approvers: BTreeMap<&'p str, BTreeSet<&'p str>>,
    transient: &'p [String],
}

/// The part of a record that an event reads and writes, kept together during the call. With
/// 100,000 records every record an event names is a cache miss; reading the id, the version,
/// the state and the hash to chain to from one place, instead of from the index entry, the
/// record and the record's last history entry, makes that one miss instead of four.
struct Hot {
    id: Text,
    version: u64,
    state: State,
    kind: RecordKind,
    failed_in: Option<State>,
    /// The hash the next history entry chains to; `None` before the first entry (the anchor).
    last_hash: Option<Digest>,
    reasons: Vec<Reason>,
    history: Vec<HistoryEntry>,
}

impl Hot {
    /// Take the record's lifecycle fields, reasons and history out of `record`.
    fn take(record: &mut SyncRecord) -> Self {
        let history = std::mem::take(&mut record.history);
        Hot {
            id: Text::from(record.id.as_str()),
            version: record.version,
            state: record.state,
            kind: record.kind,
            failed_in: record.failed_in,
            last_hash: history.last().map(|h| h.hash.clone()),
            reasons: std::mem::take(&mut record.reasons),
            history,
        }
    }

    /// Put them back.
    fn restore(self, record: &mut SyncRecord) {
        record.version = self.version;
        record.state = self.state;
        record.failed_in = self.failed_in;
        record.reasons = self.reasons;
        record.history = self.history;
    }
}

/// The facts of the record that the decision needs, read before anything changes.
struct Current {
    version: u64,
    state: Option<State>,
    kind: Option<RecordKind>,
    failed_in: Option<State>,
    violations: Vec<Reason>,
}

/// Where a decided event is remembered when its outcome is final.
enum Slot<'m> {
    /// A new key.
    New(VacantEntry<'m, Pos>),
    /// The key of an expired entry: the key is moved to the new entry.
    Expired(OccupiedEntry<'m, Pos>),
}

impl<'p> Engine<'p> {
    pub(super) fn new(
        records: Vec<SyncRecord>,
        seen: SeenLedger,
        policy: &'p SyncPolicy,
        events: usize,
    ) -> Result<Self> {
        // A batch creates at most one record per event; most batches create a few per ten events.
        let expected_records = records.len() + events / 8;
        let mut record_index = HashTable::with_capacity(expected_records);
        let mut hot = Vec::with_capacity(expected_records);
        let mut records = records;
        if records.len() > MAX_POSITIONS || seen.entries.len() > MAX_POSITIONS {
            let (path, what) = if records.len() > MAX_POSITIONS {
                ("records", "records")
            } else {
                ("seen.entries", "remembered events")
            };
            return Err(Error::new(Code::InvalidValue, format!("a call holds at most {MAX_POSITIONS} {what}")).at(path));
        }
        for (i, r) in records.iter_mut().enumerate() {
            let Entry::Vacant(slot) = record_entry(&mut record_index, &hot, &r.id) else {
                return Err(Error::new(Code::DuplicateId, format!("record id `{}` appears twice", r.id))
                    .at(format!("records[{i}].id")));
            };
            slot.insert(pos(i));
            hot.push(Hot::take(r));
        }
        records.reserve(expected_records - records.len());
        let mut ledger = Ledger {
            sources: IdMap::default(),
            last_source: usize::MAX,
            seen: Vec::new(),
            remembered: Vec::new(),
            newest: seen.newest_event_time,
            retention: i64::try_from(policy.retention_seconds).ok().and_then(TimeDelta::try_seconds),
            first_source_capacity: 0,
        };
        // The ledger passed in is the start of the one returned (its vector reused).
        let entries = seen.entries;
        for (i, e) in entries.iter().enumerate() {
            ledger.newest = Some(later(ledger.newest, e.time));
            let source = ledger.source_index(&e.source);
            let Entry::Vacant(slot) = entry(&mut ledger.seen[source].1, &entries, &e.id) else {
                return Err(Error::new(Code::DuplicateId, format!("event id `{}` appears twice in the ledger", e.id))
                    .at(format!("seen.entries[{i}].id")));
            };
            slot.insert(pos(i));
        }
        ledger.remembered = entries;
        ledger.remembered.reserve(events);
        // Each source's ids: at most one per event of the batch, sized for the first source
        // (or, with an empty ledger, the first source the batch names).
        match ledger.seen.first_mut() {
            Some((_, ids)) => {
                let remembered = &ledger.remembered;
                ids.reserve(events, |&i| hash_id(id_at(remembered, i)));
            }
            None => ledger.first_source_capacity = events,
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
        let book = Book {
            records,
            hot,
            record_index,
            names: IdMap::default(),
            last_type: Text::default(),
            last_actor: Text::default(),
            approvers,
            transient: &policy.transient_reasons,
        };
        Ok(Engine { ledger, book, buf: Vec::with_capacity(512) })
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
        let Engine { ledger, book, buf } = self;
        if ledger.remembered.len() >= MAX_POSITIONS || book.records.len() >= MAX_POSITIONS {
            let message = format!("a call holds at most {MAX_POSITIONS} records and remembered events; cut the batch");
            return invalid(index, Error::new(Code::InvalidValue, message));
        }
        ledger.newest = Some(later(ledger.newest, event.time));
        let source = ledger.source_index(event.source);
        let correlation_id = event.correlationid.map(Text::from);
        let Ledger { seen, remembered, newest, retention, .. } = ledger;
        let (source_text, ids) = &mut seen[source];
        // One probe of the source's ids: the slot found is where a final outcome is remembered.
        let (id, slot) = match entry(ids, remembered, event.id) {
            Entry::Occupied(known) => {
                let at = *known.get() as usize;
                let cutoff = cutoff(*newest, *retention);
                match Some(&remembered[at]).filter(|r| cutoff.is_none_or(|c| r.time >= c)) {
                    // The same payload: the same id, and the same subject unless the ledger
                    // passed in says otherwise.
                    Some(first) if first.fingerprint.bytes() == Some(&fingerprint) => {
                        let subject = if first.subject == event.subject {
                            first.subject.clone()
                        } else {
                            book.subject(event.subject)
                        };
                        let outcome = Outcome::Duplicate { first: Box::new(first.outcome.clone()) };
                        let event_id = Some(first.id.clone());
                        return EventOutcome { index, event_id, subject: Some(subject), correlation_id, outcome };
                    }
                    Some(first) => {
                        let outcome = Outcome::IdempotencyConflict {
                            first_fingerprint: first.fingerprint.to_string().into(),
                            fingerprint: Digest::from_bytes(fingerprint).to_string().into(),
                        };
                        let (event_id, subject) = (Some(first.id.clone()), Some(book.subject(event.subject)));
                        return EventOutcome { index, event_id, subject, correlation_id, outcome };
                    }
                    None => (remembered[at].id.clone(), Slot::Expired(known)),
                }
            }
            Entry::Vacant(new) => (Text::from(event.id), Slot::New(new)),
        };
        let (outcome, subject) = book.decide(&event, kind, action, source_text, &id, &correlation_id, buf);
        let outcome = match outcome {
            Outcome::Invalid { error } => {
                Outcome::Invalid { error: Box::new((*error).under(&format!("events[{index}]"))) }
            }
            decided => decided,
        };
        if outcome.is_final() {
            let value = SeenEntry {
                source: source_text.clone(),
                id: id.clone(),
                fingerprint: Digest::from_bytes(fingerprint),
                time: event.time,
                subject: subject.clone(),
                outcome: outcome.clone(),
            };
            match slot {
                Slot::New(new) => {
                    new.insert(pos(remembered.len()));
                }
                Slot::Expired(mut known) => *known.get_mut() = pos(remembered.len()),
            }
            remembered.push(value);
        }
        EventOutcome { index, event_id: Some(id), subject: Some(subject), correlation_id, outcome }
    }

    pub(super) fn finish(self, outcomes: Vec<EventOutcome>) -> Applied {
        let Engine { ledger, book, .. } = self;
        let cutoff = ledger.cutoff();
        drop(ledger.seen);
        // In place: the remembered entries are already in the ledger's order.
        let mut entries = ledger.remembered;
        if let Some(cutoff) = cutoff {
            entries.retain(|r| r.time >= cutoff);
        }
        drop(book.record_index);
        let (mut records, hot) = (book.records, book.hot);
        let order = sorted_positions(hot.iter().map(|h| h.id.as_str()), |i| hot[i].id.as_str());
        for (record, hot) in records.iter_mut().zip(hot) {
            hot.restore(record);
        }
        let mut slots: Vec<Option<SyncRecord>> = records.into_iter().map(Some).collect();
        let records: Vec<SyncRecord> = order.into_iter().filter_map(|i| slots[i].take()).collect();
        drop(slots);
        let counters = Counters::count(&records, outcomes.iter().map(|o| o.outcome.kind()));
        Applied {
            exception_queue: exception_queue(&records),
            counters,
            outcomes,
            records,
            seen: SeenLedger { newest_event_time: ledger.newest, entries },
        }
    }
}

impl Ledger {
    /// The index of `source` in `seen`, created empty when the source is new.
    fn source_index(&mut self, source: &str) -> usize {
        if let Some((last, _)) = self.seen.get(self.last_source)
            && last.as_str() == source
        {
            return self.last_source;
        }
        let i = match self.sources.get(source) {
            Some(&i) => i,
            None => {
                let i = self.seen.len();
                self.sources.insert(source.to_string(), i);
                let capacity = std::mem::take(&mut self.first_source_capacity);
                self.seen.push((Text::from(source), HashTable::with_capacity(capacity)));
                i
            }
        };
        self.last_source = i;
        i
    }

    /// Entries older than this are forgotten.
    fn cutoff(&self) -> Option<DateTime<FixedOffset>> {
        cutoff(self.newest, self.retention)
    }
}

impl Book<'_> {
    /// `name` as a shared text: one allocation per distinct name in the call. `last` is the
    /// name of the same role (type or actor) given last, returned without a lookup when it is
    /// `name` again.
    fn name(names: &mut IdMap<Text, ()>, last: &mut Text, name: &str) -> Text {
        if last.as_str() != name {
            *last = match names.get_key_value(name) {
                Some((text, ())) => text.clone(),
                None => {
                    let text = Text::from(name);
                    names.insert(text.clone(), ());
                    text
                }
            };
        }
        last.clone()
    }

    /// The record id `subject` as a shared text: the record's key when it exists.
    fn subject(&self, subject: &str) -> Text {
        match self.find(subject) {
            Some(i) => self.hot[i].id.clone(),
            None => Text::from(subject),
        }
    }

    /// The position of record `id`.
    fn find(&self, id: &str) -> Option<usize> {
        self.record_index.find(hash_id(id), |&i| self.hot[i as usize].id.as_str() == id).map(|&i| i as usize)
    }

    fn current(&self, record: Option<usize>, data: &DataView, action: Action) -> Current {
        match record {
            None => Current { version: 0, state: None, kind: None, failed_in: None, violations: Vec::new() },
            Some(i) => {
                let hot = &self.hot[i];
                Current {
                    version: hot.version,
                    state: Some(hot.state),
                    kind: Some(hot.kind),
                    failed_in: hot.failed_in,
                    // Only an approval reads the record itself (its worker and project).
                    violations: if action == Action::Approve {
                        segregation_of_duties(&self.records[i], data, &self.approvers)
                    } else {
                        Vec::new()
                    },
                }
            }
        }
    }

    /// Decide the event and apply it; with the outcome, the record id as a shared text
    /// (the record's key when the record exists or was created).
    #[allow(clippy::too_many_arguments)]
    fn decide(
        &mut self,
        event: &EventView,
        kind: Option<RecordKind>,
        action: Action,
        source: &Text,
        id: &Text,
        correlation_id: &Option<Text>,
        buf: &mut Vec<u8>,
    ) -> (Outcome, Text) {
        let data = &event.data;
        let (record, subject) = match self.find(event.subject) {
            Some(i) => (Some(i), self.hot[i].id.clone()),
            None => (None, Text::from(event.subject)),
        };
        let current = self.current(record, data, action);
        let expected = data.expected_version.unwrap_or(0);
        if expected < current.version {
            return (Outcome::StaleEvent { expected_version: expected, record_version: current.version }, subject);
        }
        if expected > current.version {
            return (Outcome::OutOfOrder { expected_version: expected, record_version: current.version }, subject);
        }
        if current.version == u64::MAX {
            // The version would wrap to 0, where old events match again.
            let message =
                format!("record `{}` is at version {}, the largest: it cannot move on", event.subject, u64::MAX);
            let error = Error::new(Code::ArithmeticOverflow, message).at("data.expected_version");
            return (Outcome::Invalid { error: Box::new(error) }, subject);
        }
        let illegal = |message: String, event: &EventView| Outcome::IllegalTransition {
            state: current.state,
            event_type: event.event_type.into(),
            message: message.into(),
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
            return (illegal(message, event), subject);
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
            return (illegal(illegal_message(current.state, action, event), event), subject);
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
                let Some(kind) = kind else {
                    return (illegal(illegal_message(None, action, event), event), subject);
                };
                let i = self.records.len();
                let mut record = SyncRecord::new(event.subject.to_string(), kind);
                let mut hot = Hot::take(&mut record);
                // Room for a whole lifecycle (submitted, approved, enriched, validated, posted,
                // invoiced) with one failure and its retry, so a history is allocated once
                // instead of growing from four entries to eight.
                hot.history.reserve_exact(LIFECYCLE_ENTRIES);
                self.records.push(record);
                self.hot.push(hot);
                let hot = &self.hot;
                self.record_index.insert_unique(hash_id(event.subject), pos(i), |&j| hash_id(&hot[j as usize].id));
                i
            }
        };
        let actor = match (data.actor, action) {
            (Some(a), _) => Some(a),
            (None, Action::Approve) => data.approver_id,
            (None, _) => None,
        };
        let actor = actor.map(|a| Self::name(&mut self.names, &mut self.last_actor, a));
        let source = source.clone();
        let event_type = Self::name(&mut self.names, &mut self.last_type, event.event_type);
        match action {
            Action::Submit => {
                let record = &mut self.records[index];
                record.worker_id = data.worker_id.map(str::to_string);
                record.project_id = data.project_id.map(str::to_string);
                record.approved_by = None;
            }
            Action::Approve if to == State::Approved => {
                self.records[index].approved_by = data.approver_id.map(str::to_string);
            }
            Action::RevokeApproval => self.records[index].approved_by = None,
            _ => {}
        }
        let record = &mut self.hot[index];
        let from = current.state;
        record.failed_in = if to == State::Exceptioned { from } else { None };
        record.state = to;
        record.version += 1;
        let prev_hash = match record.last_hash.take() {
            Some(last) => last,
            None => anchor_digest(record.kind, &record.id),
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
            prev_hash: Digest::from_bytes([0; 32]),
            hash: Digest::from_bytes([0; 32]),
        };
        entry.seal(prev_hash, buf);
        record.last_hash = Some(entry.hash.clone());
        record.history.push(entry);
        let outcome = match (to, from) {
            (State::Exceptioned, Some(from)) => {
                Outcome::Exceptioned { from, version: record.version, reasons: reasons.clone() }
            }
            _ => Outcome::Applied { from, to, version: record.version },
        };
        record.reasons = reasons;
        (outcome, subject)
    }
}

/// Entries older than the newest event time less the retention are forgotten.
fn cutoff(newest: Option<DateTime<FixedOffset>>, retention: Option<TimeDelta>) -> Option<DateTime<FixedOffset>> {
    newest?.checked_sub_signed(retention?)
}

/// The slot of record id `id` in the table of positions into `hot`.
fn record_entry<'m>(table: &'m mut HashTable<Pos>, hot: &[Hot], id: &str) -> Entry<'m, Pos> {
    table.entry(hash_id(id), |&i| hot[i as usize].id.as_str() == id, |&i| hash_id(&hot[i as usize].id))
}

/// The slot of event id `id` in a source's table of positions into `remembered`.
fn entry<'m>(table: &'m mut HashTable<Pos>, remembered: &[SeenEntry], id: &str) -> Entry<'m, Pos> {
    table.entry(hash_id(id), |&i| id_at(remembered, i) == id, |&i| hash_id(id_at(remembered, i)))
}

/// The id of the remembered event at `i`.
fn id_at(remembered: &[SeenEntry], i: Pos) -> &str {
    remembered[i as usize].id.as_str()
}

/// The hash of an event id in the seen tables, or of a record id in the record table.
fn hash_id(id: &str) -> u64 {
    BuildHasherDefault::<IdHasher>::default().hash_one(id)
}

/// The positions of `keys` (unique) in the order of the keys. Each position carries the key's
/// first 16 bytes as two numbers, so most comparisons do not reach the text (`key` gives the
/// text of a position).
fn sorted_positions<'k>(keys: impl Iterator<Item = &'k str>, key: impl Fn(usize) -> &'k str) -> Vec<usize> {
    let mut order: Vec<(u64, u64, usize)> = keys
        .enumerate()
        .map(|(i, text)| {
            let (hi, lo) = prefix(text);
            (hi, lo, i)
        })
        .collect();
    order.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| key(a.2).cmp(key(b.2))));
    order.into_iter().map(|(.., i)| i).collect()
}

/// The first 16 bytes of `text`, zero-padded, as two big-endian numbers: when two prefixes
/// differ, they order as the texts' bytes do (a tie is decided by the texts).
fn prefix(text: &str) -> (u64, u64) {
    let mut bytes = [0u8; 16];
    let head = &text.as_bytes()[..text.len().min(16)];
    bytes[..head.len()].copy_from_slice(head);
    let (hi, lo) = bytes.split_at(8);
    let number = |half: &[u8]| u64::from_be_bytes(half.try_into().unwrap_or_default());
    (number(hi), number(lo))
}

/// The history entries a new record has room for (see `decide`).
const LIFECYCLE_ENTRIES: usize = 8;

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
