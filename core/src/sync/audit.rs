//! The tamper-evident audit trail: every history entry carries the hash of the
//! entry before it (`prev_hash`) and its own `hash`, SHA-256 hex over the
//! entry's canonical JSON followed by `prev_hash`. The first entry's
//! `prev_hash` is the record's anchor: SHA-256 hex of
//! `{"id":"<record id>","kind":"<kind>"}`, so a history cannot be moved to
//! another record.

use chrono::{DateTime, FixedOffset, Timelike};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::apply::SyncRecord;
use super::digest::Digest;
use super::events::{whole_number, write_json_string};
use super::lifecycle::{RecordKind, State};
use super::text::Text;
use crate::error::{Code, Error, Result};
use crate::wire;

/// One step in a record's append-only history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HistoryEntry {
    /// The event that made the step.
    pub event_id: Text,
    /// The event's source.
    pub source: Text,
    /// The event's type.
    pub event_type: Text,
    /// The state before (absent on the entry that created the record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<State>,
    /// The state after.
    pub to: State,
    /// The record's version after the step (1 for the entry that created it).
    #[serde(deserialize_with = "whole_number")]
    pub version: u64,
    /// The event's time (input instant; no clock is read).
    #[serde(deserialize_with = "wire::instant")]
    #[schemars(with = "String")]
    pub at: DateTime<FixedOffset>,
    /// Who did it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Text>,
    /// The correlation id the event carried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Text>,
    /// Reason codes, on a step into `exceptioned`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// The previous entry's `hash` (the record's anchor for the first entry).
    pub prev_hash: Digest,
    /// SHA-256 hex of this entry's canonical JSON (without `prev_hash` and `hash`) followed by `prev_hash`.
    pub hash: Digest,
}

impl HistoryEntry {
    /// The hash this entry should carry given its `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let mut buf = Vec::with_capacity(320);
        self.hash_into(&mut buf).to_string()
    }

    fn hash_into(&self, buf: &mut Vec<u8>) -> Digest {
        // The canonical JSON of the entry without `prev_hash` and `hash`: keys in sorted order,
        // absent options and an empty `reasons` left out as the entry serializes them (a test
        // checks this against the generic canonical writer).
        // Every key is written with a comma before it, and the first comma becomes the opening
        // brace (`at` is always there, so the buffer is never empty by then).
        buf.clear();
        if let Some(actor) = &self.actor {
            buf.extend_from_slice(b",\"actor\":");
            write_json_string(actor, buf);
        }
        buf.extend_from_slice(b",\"at\":");
        write_instant(&self.at, buf);
        if let Some(correlation_id) = &self.correlation_id {
            buf.extend_from_slice(b",\"correlation_id\":");
            write_json_string(correlation_id, buf);
        }
        buf.extend_from_slice(b",\"event_id\":");
        write_json_string(&self.event_id, buf);
        buf.extend_from_slice(b",\"event_type\":");
        write_json_string(&self.event_type, buf);
        if let Some(from) = self.from {
            buf.extend_from_slice(b",\"from\":\"");
            buf.extend_from_slice(from.as_str().as_bytes());
            buf.push(b'"');
        }
        if !self.reasons.is_empty() {
            buf.extend_from_slice(b",\"reasons\":");
            for (i, r) in self.reasons.iter().enumerate() {
                buf.push(if i == 0 { b'[' } else { b',' });
                write_json_string(r, buf);
            }
            buf.push(b']');
        }
        buf.extend_from_slice(b",\"source\":");
        write_json_string(&self.source, buf);
        buf.extend_from_slice(b",\"to\":\"");
        buf.extend_from_slice(self.to.as_str().as_bytes());
        buf.extend_from_slice(b"\",\"version\":");
        write_whole_number(self.version, buf);
        buf.push(b'}');
        buf[0] = b'{';
        self.prev_hash.write_to(buf);
        Digest::sha256(buf)
    }

    /// Set `prev_hash` and `hash`, chaining this entry after `prev_hash`.
    pub(crate) fn seal(&mut self, prev_hash: Digest, buf: &mut Vec<u8>) {
        self.prev_hash = prev_hash;
        self.hash = self.hash_into(buf);
    }
}

/// Write `n` in decimal, as `u64`'s `Display` does.
fn write_whole_number(n: u64, buf: &mut Vec<u8>) {
    let (digits, start) = wire::decimal_digits(n);
    buf.extend_from_slice(&digits[start..]);
}

/// Write `at` as a JSON string exactly as chrono serializes it (RFC 3339, `Z` for a zero
/// offset, fractional seconds only when present). The usual instant (a year from 0 to 9999,
/// whole seconds, an offset of whole minutes) is written here; any other through chrono.
fn write_instant(at: &DateTime<FixedOffset>, buf: &mut Vec<u8>) {
    let local = at.naive_local();
    let offset = at.offset().local_minus_utc();
    // The date as the response documents write it (years 0 to 9999).
    let date = wire::date_text(&local.date());
    let Some(date) = date.filter(|_| local.nanosecond() == 0 && offset % 60 == 0) else {
        // chrono's own serialization; writing to a Vec cannot fail.
        serde_json::to_writer(&mut *buf, at).unwrap_or(());
        return;
    };
    // `"YYYY-MM-DDTHH:MM:SS` then `Z"` or `+HH:MM"`, built in place and written at once.
    let mut text = *b"\"0000-00-00T00:00:00+00:00\"";
    let two = |text: &mut [u8; 27], at: usize, n: u32| {
        text[at] = b'0' + (n / 10 % 10) as u8;
        text[at + 1] = b'0' + (n % 10) as u8;
    };
    text[1..11].copy_from_slice(&date);
    two(&mut text, 12, local.hour());
    two(&mut text, 15, local.minute());
    two(&mut text, 18, local.second());
    if offset == 0 {
        text[20] = b'Z';
        text[21] = b'"';
        buf.extend_from_slice(&text[..22]);
        return;
    }
    text[20] = if offset < 0 { b'-' } else { b'+' };
    let minutes = offset.unsigned_abs() / 60;
    two(&mut text, 21, minutes / 60);
    two(&mut text, 24, minutes % 60);
    buf.extend_from_slice(&text);
}

/// The `prev_hash` of a record's first entry: SHA-256 hex of
/// `{"id":"<id>","kind":"<kind>"}`.
///
/// ```
/// use billable::sync::{anchor_hash, RecordKind};
/// assert_eq!(anchor_hash(RecordKind::Timesheet, "ts-1"), billable::sync::sha256_hex(br#"{"id":"ts-1","kind":"timesheet"}"#));
/// ```
pub fn anchor_hash(kind: RecordKind, id: &str) -> String {
    anchor_digest(kind, id).to_string()
}

/// [`anchor_hash`] as a digest.
pub(crate) fn anchor_digest(kind: RecordKind, id: &str) -> Digest {
    let mut buf = Vec::with_capacity(48 + id.len());
    buf.extend_from_slice(b"{\"id\":");
    write_json_string(id, &mut buf);
    buf.extend_from_slice(b",\"kind\":");
    write_json_string(kind.as_str(), &mut buf);
    buf.push(b'}');
    Digest::sha256(&buf)
}

/// Check a record's history chain and that its last entry agrees with the
/// record's state and version. With `expected_head` (the last `hash` you kept
/// elsewhere), a history cut short at its end is caught too.
///
/// The error is `history_tampered` at `history[i]`, `i` being the first entry
/// that does not verify (`history[len]` when the end is missing or disagrees
/// with the record); `details` holds `index`, `problem` and the hashes.
///
/// ```
/// use billable::sync::{apply_events, verify_history, SeenLedger, SyncPolicy};
/// let submit = serde_json::json!({
///     "specversion": "1.0", "id": "e1", "source": "psa", "type": "timesheet.submitted", "subject": "ts-1",
///     "time": "2026-03-02T09:00:00+01:00", "data": {"worker_id": "w1", "project_id": "p1"}
/// });
/// let out = apply_events(vec![], SeenLedger::default(), vec![submit], &SyncPolicy::default())?;
/// let mut record = out.records[0].clone();
/// assert!(verify_history(&record, None).is_ok());
/// record.history[0].actor = Some("mallory".into());
/// let err = verify_history(&record, None).unwrap_err();
/// assert_eq!((err.code.as_str(), err.path.as_str()), ("history_tampered", "history[0]"));
/// # Ok::<(), billable::Error>(())
/// ```
pub fn verify_history(record: &SyncRecord, expected_head: Option<&str>) -> Result<()> {
    let mut buf = Vec::with_capacity(320);
    let mut prev = anchor_digest(record.kind, &record.id);
    for (i, entry) in record.history.iter().enumerate() {
        if entry.prev_hash != prev {
            let (expected, found) = (prev.to_string(), entry.prev_hash.to_string());
            return Err(tampered(i, "prev_hash does not match the entry before it", &expected, &found));
        }
        let computed = entry.hash_into(&mut buf);
        if entry.hash != computed {
            let (expected, found) = (computed.to_string(), entry.hash.to_string());
            return Err(tampered(i, "hash does not match the entry's content", &expected, &found));
        }
        prev = computed;
    }
    let len = record.history.len();
    let (state, version) = record.history.last().map_or((None, 0), |e| (Some(e.to), e.version));
    if state != Some(record.state) || version != record.version {
        return Err(tampered(
            len,
            "the last entry does not end in the record's state and version",
            &format!("{}@{}", record.state, record.version),
            &format!("{}@{version}", state.map_or("none", State::as_str)),
        ));
    }
    if let Some(head) = expected_head.filter(|h| prev != *h) {
        return Err(tampered(len, "the last hash is not the expected head", head, &prev.to_string()));
    }
    Ok(())
}

fn tampered(index: usize, problem: &str, expected: &str, found: &str) -> Error {
    Error::new(Code::HistoryTampered, format!("history entry {index}: {problem}"))
        .at(format!("history[{index}]"))
        .with_details(serde_json::json!({"index": index, "problem": problem, "expected": expected, "found": found}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: u64, from: Option<State>, to: State) -> HistoryEntry {
        HistoryEntry {
            // An id that needs escaping, and a non-ASCII one.
            event_id: if i == 2 { format!("e{i}\n\"q\"\\").into() } else { format!("é{i}").into() },
            source: "psa".into(),
            event_type: "x".into(),
            from,
            to,
            version: i,
            at: wire::parse_instant("2026-03-02T09:00:00+01:00").unwrap(),
            actor: i.is_multiple_of(2).then(|| "ann".into()),
            correlation_id: Some("c-1".into()),
            reasons: if to == State::Exceptioned { vec!["timeout".into()] } else { vec![] },
            prev_hash: Digest::from_bytes([0; 32]),
            hash: Digest::from_bytes([0; 32]),
        }
    }

    #[test]
    fn hashed_form_is_the_canonical_json_of_the_entry() {
        for e in [entry(1, None, State::Submitted), entry(2, Some(State::Submitted), State::Exceptioned)] {
            let mut v = serde_json::to_value(&e).unwrap();
            v.as_object_mut().unwrap().remove("prev_hash");
            v.as_object_mut().unwrap().remove("hash");
            let mut canonical = Vec::new();
            super::super::events::write_canonical_json(&v, &mut canonical);
            let mut sealed = e.clone();
            sealed.seal("ab".repeat(32).into(), &mut Vec::new());
            canonical.extend_from_slice("ab".repeat(32).as_bytes());
            assert_eq!(sealed.hash, super::super::events::sha256_hex(&canonical));
        }
    }

    #[test]
    fn instants_and_numbers_are_written_as_chrono_and_display_write_them() {
        for text in [
            "2026-03-02T09:00:00+01:00",
            "2026-03-02T09:00:00Z",
            "2026-03-02T09:00:00-00:00",
            "0001-01-01T00:00:00-05:30",
            "9999-12-31T23:59:59+14:00",
            "2026-03-02T09:00:00.5+01:00",
            "2026-03-02T09:00:00.000001-03:00",
            "2026-03-02T09:00:00.123456789Z",
            "2026-03-02T09:00:00+01:00:30",
            "2016-12-31T23:59:60Z",
        ] {
            let Ok(at) = DateTime::parse_from_rfc3339(text) else { continue };
            let mut ours = Vec::new();
            write_instant(&at, &mut ours);
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&at).unwrap(), "{text}");
        }
        // Years outside 0 to 9999 (chrono writes a sign and five or more digits), and year 0.
        let offset = FixedOffset::east_opt(3600).unwrap();
        for year in [-1, 0, 10_000, 262_142] {
            let local = chrono::NaiveDate::from_ymd_opt(year, 6, 1).unwrap().and_hms_opt(8, 30, 0).unwrap();
            let at = local.and_local_timezone(offset).unwrap();
            let mut ours = Vec::new();
            write_instant(&at, &mut ours);
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&at).unwrap(), "{year}");
        }
        for n in [0, 7, 10, 99, 1_000_000, u64::MAX] {
            let mut ours = Vec::new();
            write_whole_number(n, &mut ours);
            assert_eq!(String::from_utf8(ours).unwrap(), n.to_string());
        }
    }

    #[test]
    fn anchor_is_the_hash_of_the_canonical_id_and_kind() {
        for id in ["ts-1", "quote\"and\\back\tslash"] {
            let mut canonical = Vec::new();
            let doc = serde_json::json!({"kind": "expense", "id": id});
            super::super::events::write_canonical_json(&doc, &mut canonical);
            assert_eq!(anchor_hash(RecordKind::Expense, id), super::super::events::sha256_hex(&canonical));
        }
    }

    #[test]
    fn hash_covers_every_field() {
        let mut e = entry(1, None, State::Submitted);
        e.seal(anchor_hash(RecordKind::Timesheet, "r").into(), &mut Vec::new());
        let base = e.compute_hash();
        let edits: [fn(&mut HistoryEntry); 9] = [
            |e| e.event_id = format!("{}x", e.event_id).into(),
            |e| e.source = format!("{}x", e.source).into(),
            |e| e.event_type = format!("{}x", e.event_type).into(),
            |e| e.from = Some(State::Rejected),
            |e| e.to = State::Approved,
            |e| e.version += 1,
            |e| e.actor = Some("eve".into()),
            |e| e.correlation_id = None,
            |e| e.reasons.push("r".into()),
        ];
        for edit in edits {
            let mut x = e.clone();
            edit(&mut x);
            assert_ne!(x.compute_hash(), base);
        }
        let mut x = e.clone();
        x.prev_hash = "0".repeat(64).into();
        assert_ne!(x.compute_hash(), base);
    }
}
