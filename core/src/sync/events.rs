//! Inbound events: CloudEvents 1.0 JSON documents, read one by one so that a
//! malformed event becomes an outcome of its own, and their payload
//! fingerprint (SHA-256 over the canonical JSON form).

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::lifecycle::{Action, RecordKind};
use crate::error::{Code, Error, Result};
use crate::wire;

/// A CloudEvents 1.0 event as `apply_events` reads it. `subject` (the record
/// id) and `time` are optional in CloudEvents but required here. Other
/// attributes and extensions are allowed; they count in the fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CloudEvent {
    /// Must be `"1.0"`.
    pub specversion: String,
    /// Event id, unique within its `source`.
    pub id: String,
    /// Producer of the event (`psa://acme/timesheets`). `source` + `id` is the dedupe key.
    pub source: String,
    /// What happened: `timesheet.submitted`, `record.posted`, ... (see `docs/sync.md`).
    #[serde(rename = "type")]
    pub event_type: String,
    /// The record id.
    pub subject: String,
    /// When it happened: RFC 3339 with an offset.
    #[serde(deserialize_with = "wire::instant")]
    #[schemars(with = "String")]
    pub time: DateTime<FixedOffset>,
    /// The event's facts.
    #[serde(default)]
    pub data: Option<EventData>,
    /// Correlation id (CloudEvents extension `correlationid`), carried to the outcome and the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlationid: Option<String>,
}

/// The `data` of an event. Unknown fields are allowed and count in the fingerprint.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct EventData {
    /// The record version the producer saw (0 for a record not created yet). Required on every
    /// event except the `*.submitted` that creates a record.
    #[serde(default, deserialize_with = "opt_whole_number", skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<u64>,
    /// Who did it (a person or a service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The worker who recorded the time or expense; required on `*.submitted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// The project; required on `*.submitted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Who approved; required on `*.approved`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver_id: Option<String>,
    /// Why a step failed; at least one on `record.failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<ReasonInput>,
}

/// A reason code on a `record.failed` event: the code alone, or the code with
/// an explicit `retryable` flag that overrides the classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ReasonInput {
    /// `"downstream_unavailable"`.
    Code(String),
    /// `{"code": "erp_locked", "retryable": true}`.
    Detailed {
        /// The reason code.
        code: String,
        /// True when the step can simply be run again later.
        #[serde(default)]
        retryable: Option<bool>,
    },
}

impl ReasonInput {
    /// The reason code.
    pub fn code(&self) -> &str {
        match self {
            ReasonInput::Code(c) | ReasonInput::Detailed { code: c, .. } => c,
        }
    }

    /// The flag given with the code, if any.
    pub fn retryable(&self) -> Option<bool> {
        match self {
            ReasonInput::Code(_) => None,
            ReasonInput::Detailed { retryable, .. } => *retryable,
        }
    }
}

/// An event that read cleanly, with its type understood.
#[derive(Debug, Clone)]
pub struct ParsedEvent {
    /// The event document.
    pub event: CloudEvent,
    /// Its data (empty when absent).
    pub data: EventData,
    /// The record kind named by a kind-specific type (`expense.approved`).
    pub kind: Option<RecordKind>,
    /// What the event asks for.
    pub action: Action,
}

/// Read one event document. Every problem is a coded [`Error`] with the path
/// of the field inside the event (`data.expected_version`).
///
/// ```
/// use billable::sync::{parse_event, Action};
/// let doc = serde_json::json!({
///     "specversion": "1.0", "id": "e1", "source": "psa", "type": "record.posted",
///     "subject": "ts-1", "time": "2026-03-31T17:00:00+02:00", "data": {"expected_version": 4}
/// });
/// assert_eq!(parse_event(doc).unwrap().action, Action::Post);
/// ```
pub fn parse_event(value: Value) -> Result<ParsedEvent> {
    check_event(wire::from_value(value)?)
}

/// [`parse_event`] with a fast path: an event whose attributes and `data` fields
/// all have their plain JSON types (strings, whole numbers, an array of reason
/// strings) is read straight from the document, moving its strings out; any other
/// document goes through [`parse_event`], so the result, and every error with its
/// message and path, is the same.
pub(crate) fn read_event(mut value: Value) -> Result<ParsedEvent> {
    match value.as_object_mut().and_then(read_plain) {
        Some(event) => check_event(event),
        None => parse_event(value),
    }
}

/// A string field: `true` when absent-able and absent or null, or a string; `false` otherwise.
fn is_opt_str(value: &Value) -> bool {
    matches!(value, Value::Null | Value::String(_))
}

/// Move a string out of `value` (checked to be one, or null).
fn take_str(value: &mut Value) -> Option<String> {
    match value.take() {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// A whole number written with digits only that fits a `u64` (what `whole_number` reads the same way).
fn plain_whole_number(value: &Value) -> Option<u64> {
    let Value::Number(n) = value else { return None };
    let text = n.as_str();
    if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The fast path of [`read_event`]: `None` (with `map` untouched) unless every field has its
/// plain type. The map is walked, not looked up by key: its lookups hash with SipHash.
fn read_plain(map: &mut Map<String, Value>) -> Option<CloudEvent> {
    // Attributes seen as strings: specversion, id, source, type, subject, time.
    let mut seen = [false; 6];
    let mut time = None;
    let mut expected_version = None;
    for (key, value) in map.iter() {
        let slot = match key.as_str() {
            "specversion" => 0,
            "id" => 1,
            "source" => 2,
            "type" => 3,
            "subject" => 4,
            "time" => 5,
            "correlationid" if is_opt_str(value) => continue,
            "correlationid" => return None,
            "data" => {
                match value {
                    Value::Null => {}
                    Value::Object(d) => {
                        for (key, value) in d {
                            match key.as_str() {
                                "expected_version" if value.is_null() => {}
                                "expected_version" => expected_version = Some(plain_whole_number(value)?),
                                "actor" | "worker_id" | "project_id" | "approver_id" if is_opt_str(value) => {}
                                "actor" | "worker_id" | "project_id" | "approver_id" => return None,
                                "reasons" => match value {
                                    Value::Array(items) if items.iter().all(Value::is_string) => {}
                                    _ => return None,
                                },
                                _ => {}
                            }
                        }
                    }
                    _ => return None,
                }
                continue;
            }
            _ => continue,
        };
        let Value::String(text) = value else { return None };
        if slot == 5 {
            time = Some(wire::parse_instant(text).ok()?);
        }
        seen[slot] = true;
    }
    if !seen.iter().all(|s| *s) {
        return None;
    }
    let time = time?;
    // Every field reads: move the strings out.
    let mut taken: [Option<String>; 6] = Default::default();
    let mut correlationid = None;
    let mut data = None;
    for (key, value) in map.iter_mut() {
        let slot = match key.as_str() {
            "specversion" => 0,
            "id" => 1,
            "source" => 2,
            "type" => 3,
            "subject" => 4,
            "time" => continue,
            "correlationid" => {
                correlationid = take_str(value);
                continue;
            }
            "data" => {
                if let Value::Object(d) = value {
                    let mut fields = EventData { expected_version, ..EventData::default() };
                    for (key, value) in d.iter_mut() {
                        match key.as_str() {
                            "actor" => fields.actor = take_str(value),
                            "worker_id" => fields.worker_id = take_str(value),
                            "project_id" => fields.project_id = take_str(value),
                            "approver_id" => fields.approver_id = take_str(value),
                            "reasons" => {
                                if let Value::Array(items) = value.take() {
                                    fields.reasons = items
                                        .into_iter()
                                        .filter_map(|mut r| take_str(&mut r))
                                        .map(ReasonInput::Code)
                                        .collect();
                                }
                            }
                            _ => {}
                        }
                    }
                    data = Some(fields);
                }
                continue;
            }
            _ => continue,
        };
        taken[slot] = take_str(value);
    }
    let [specversion, id, source, event_type, subject, _] = taken;
    Some(CloudEvent {
        specversion: specversion?,
        id: id?,
        source: source?,
        event_type: event_type?,
        subject: subject?,
        time,
        data,
        correlationid,
    })
}

/// An event borrowed from its document (a [`CloudEvent`] or the event's JSON text): what
/// `apply_events` decides on.
pub(crate) struct EventView<'e> {
    pub id: &'e str,
    pub source: &'e str,
    pub event_type: &'e str,
    pub subject: &'e str,
    pub time: DateTime<FixedOffset>,
    pub correlationid: Option<&'e str>,
    pub data: DataView<'e>,
}

/// An event's `data`, borrowed.
#[derive(Default)]
pub(crate) struct DataView<'e> {
    pub expected_version: Option<u64>,
    pub actor: Option<&'e str>,
    pub worker_id: Option<&'e str>,
    pub project_id: Option<&'e str>,
    pub approver_id: Option<&'e str>,
    pub reasons: Cow<'e, [ReasonInput]>,
}

impl ParsedEvent {
    /// The event borrowed, with its kind and action.
    pub(crate) fn view(&self) -> (EventView<'_>, Option<RecordKind>, Action) {
        let e = &self.event;
        let d = &self.data;
        let event = EventView {
            id: &e.id,
            source: &e.source,
            event_type: &e.event_type,
            subject: &e.subject,
            time: e.time,
            correlationid: e.correlationid.as_deref(),
            data: DataView {
                expected_version: d.expected_version,
                actor: d.actor.as_deref(),
                worker_id: d.worker_id.as_deref(),
                project_id: d.project_id.as_deref(),
                approver_id: d.approver_id.as_deref(),
                reasons: Cow::Borrowed(&d.reasons),
            },
        };
        (event, self.kind, self.action)
    }
}

/// The checks after an event document read: the version, non-empty keys, a known type, the
/// `data` fields its type requires.
fn check_event(mut event: CloudEvent) -> Result<ParsedEvent> {
    let data = event.data.take().unwrap_or_default();
    let view = EventView {
        id: &event.id,
        source: &event.source,
        event_type: &event.event_type,
        subject: &event.subject,
        time: event.time,
        correlationid: None,
        data: DataView {
            expected_version: data.expected_version,
            worker_id: data.worker_id.as_deref(),
            project_id: data.project_id.as_deref(),
            approver_id: data.approver_id.as_deref(),
            reasons: Cow::Borrowed(&data.reasons),
            actor: data.actor.as_deref(),
        },
    };
    let (kind, action) = check(&event.specversion, &view)?;
    Ok(ParsedEvent { event, data, kind, action })
}

/// The checks of [`check_event`] on a borrowed event: its kind and action, or the error.
pub(crate) fn check(specversion: &str, event: &EventView) -> Result<(Option<RecordKind>, Action)> {
    if specversion != "1.0" {
        return Err(Error::new(
            Code::InvalidValue,
            format!("specversion `{specversion}` is not supported; CloudEvents \"1.0\" is"),
        )
        .at("specversion"));
    }
    for (field, text) in [("id", event.id), ("source", event.source), ("subject", event.subject)] {
        if text.is_empty() {
            return Err(Error::new(Code::InvalidValue, format!("`{field}` is empty")).at(field));
        }
    }
    let Some((kind, action)) = Action::parse_type(event.event_type) else {
        return Err(Error::new(
            Code::InvalidValue,
            format!("event type `{}` is not one billable knows", event.event_type),
        )
        .at("type")
        .with_details(serde_json::json!({"known": KNOWN_TYPES})));
    };
    let data = &event.data;
    let missing = |field: &str| {
        Error::new(Code::MissingField, format!("`data.{field}` is required on `{}`", event.event_type))
            .at(format!("data.{field}"))
    };
    if action != Action::Submit && data.expected_version.is_none() {
        return Err(missing("expected_version"));
    }
    match action {
        Action::Submit if data.worker_id.is_none() => return Err(missing("worker_id")),
        Action::Submit if data.project_id.is_none() => return Err(missing("project_id")),
        Action::Approve if data.approver_id.is_none() => return Err(missing("approver_id")),
        // The approval's history entry records its actor, and the chain covers it: on an
        // approval that is the approver, so segregation of duties is evidenced in the chain
        // (`approved_by` is working state outside it).
        Action::Approve if data.actor.is_some_and(|a| Some(a) != data.approver_id) => {
            return Err(Error::new(
                Code::InvalidValue,
                format!(
                    "on an approval the actor is the approver: `data.actor` is `{}`, `data.approver_id` is `{}`",
                    data.actor.unwrap_or_default(),
                    data.approver_id.unwrap_or_default()
                ),
            )
            .at("data.actor"));
        }
        Action::Fail if data.reasons.is_empty() => return Err(missing("reasons")),
        _ => {}
    }
    for (i, reason) in data.reasons.iter().enumerate() {
        let code = reason.code();
        if code.is_empty() {
            return Err(Error::new(Code::InvalidValue, "a reason code is empty").at(format!("data.reasons[{i}]")));
        }
        // One queue item and one count per reason: a code given twice (perhaps with two
        // different `retryable`s) would put the record in its queue twice.
        if data.reasons[..i].iter().any(|r| r.code() == code) {
            return Err(Error::new(Code::InvalidValue, format!("reason `{code}` is given twice"))
                .at(format!("data.reasons[{i}]")));
        }
    }
    Ok((kind, action))
}

/// Every event type `apply_events` understands (`*` is `timesheet` or `expense`).
pub const KNOWN_TYPES: &[&str] = &[
    "timesheet.submitted",
    "timesheet.rejected",
    "timesheet.approved",
    "expense.submitted",
    "expense.rejected",
    "expense.approved",
    "record.enriched",
    "record.validated",
    "record.posted",
    "record.invoiced",
    "record.failed",
    "record.retried",
    "approval.revoked",
    "record.reversed",
];

static NULL: Value = Value::Null;

/// Write `value` in canonical JSON: object keys sorted by their UTF-8 bytes, no
/// whitespace, strings escaped as serde_json writes them, numbers as their
/// decimal text as received (`1.0` stays `1.0`, so it differs from `1`).
///
/// ```
/// let v = serde_json::json!({"b": [1, {"d": null, "c": "x"}], "a": true});
/// let mut out = Vec::new();
/// billable::sync::write_canonical_json(&v, &mut out);
/// assert_eq!(String::from_utf8(out).unwrap(), r#"{"a":true,"b":[1,{"c":"x","d":null}]}"#);
/// ```
pub fn write_canonical_json(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => out.extend_from_slice(n.as_str().as_bytes()),
        Value::String(s) => write_json_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical_json(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // Small objects (every CloudEvent) sort on the stack.
            const SMALL: usize = 16;
            let mut small = [("", &NULL); SMALL];
            let mut large = Vec::new();
            let entries: &mut [(&str, &Value)] = if map.len() <= SMALL {
                for (slot, (k, v)) in small.iter_mut().zip(map) {
                    *slot = (k.as_str(), v);
                }
                &mut small[..map.len()]
            } else {
                large.extend(map.iter().map(|(k, v)| (k.as_str(), v)));
                &mut large
            };
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json_string(k, out);
                out.push(b':');
                write_canonical_json(v, out);
            }
            out.push(b'}');
        }
    }
}

/// Write `s` as a JSON string, escaped exactly as serde_json escapes it: `"`,
/// `\\` and the control characters below U+0020 (as `\n`, `\t`, ... or `\u00XX`);
/// everything else as UTF-8.
pub(crate) fn write_json_string(s: &str, out: &mut Vec<u8>) {
    if super::scan::first_special(s.as_bytes()).is_some() {
        // The rare string that needs escaping goes through serde_json itself; writing to a Vec cannot fail.
        serde_json::to_writer(&mut *out, s).unwrap_or(());
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    super::digest::Digest::sha256(bytes).to_string()
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The payload fingerprint of an event document: SHA-256 hex of its canonical
/// JSON ([`write_canonical_json`]). `buf` is scratch space reused between calls.
///
/// ```
/// use billable::sync::fingerprint;
/// let a = serde_json::json!({"id": "e1", "data": {"x": 1, "y": 2}});
/// let b: serde_json::Value = serde_json::from_str(r#"{ "data": {"y": 2, "x": 1}, "id": "e1" }"#).unwrap();
/// assert_eq!(fingerprint(&a, &mut Vec::new()), fingerprint(&b, &mut Vec::new()));
/// ```
pub fn fingerprint(event: &Value, buf: &mut Vec<u8>) -> String {
    super::digest::Digest::from_bytes(fingerprint_bytes(event, buf)).to_string()
}

/// [`fingerprint`] as the 32 bytes of the digest, before hex.
pub(crate) fn fingerprint_bytes(event: &Value, buf: &mut Vec<u8>) -> [u8; 32] {
    buf.clear();
    write_canonical_json(event, buf);
    sha256(buf)
}

/// Deserialize a whole number from 0 (a version, a count of seconds) from a JSON number or
/// string, also where serde buffers the value (tagged enums), which a plain
/// `u64` does not survive with exact JSON numbers.
pub(crate) fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = wire::decimal(d)?;
    if !n.fract().is_zero() || n.is_sign_negative() {
        return Err(serde::de::Error::custom(format_args!("{}: {n} is not a whole number from 0", Code::InvalidValue)));
    }
    u64::try_from(n).map_err(|_| serde::de::Error::custom(format_args!("{}: {n} is too large", Code::InvalidValue)))
}

fn opt_whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "whole_number")] u64);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(ty: &str, data: Value) -> Value {
        json!({"specversion": "1.0", "id": "e1", "source": "psa", "type": ty, "subject": "ts-1",
               "time": "2026-03-02T09:00:00+01:00", "data": data, "correlationid": "c-1"})
    }

    #[test]
    fn sha256_matches_the_fips_180_2_example() {
        // FIPS 180-2 appendix B.1: SHA-256("abc").
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn canonical_form_sorts_keys_keeps_number_text_and_escapes_strings() {
        let v: Value = serde_json::from_str(r#"{"z": 1.50, "a": "line\nbreak \"q\" é", "m": [true, null]}"#).unwrap();
        let mut out = Vec::new();
        write_canonical_json(&v, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"a":"line\nbreak \"q\" é","m":[true,null],"z":1.50}"#);
        // Same content, other key order and spacing: same fingerprint; another number text: another one.
        let w: Value = serde_json::from_str(r#"{ "m":[true,null], "z":1.50, "a":"line\nbreak \"q\" é" }"#).unwrap();
        let x: Value = serde_json::from_str(r#"{"m": [true, null], "z": 1.5, "a": "line\nbreak \"q\" é"}"#).unwrap();
        let mut buf = Vec::new();
        assert_eq!(fingerprint(&v, &mut buf), fingerprint(&w, &mut buf));
        assert_ne!(fingerprint(&v, &mut buf), fingerprint(&x, &mut buf));
        // The fingerprint is SHA-256 of exactly those canonical bytes.
        assert_eq!(fingerprint(&json!({"b": 2, "a": 1}), &mut buf), sha256_hex(br#"{"a":1,"b":2}"#));
    }

    #[test]
    fn events_read_with_their_kind_and_action() {
        let p = parse_event(event("expense.submitted", json!({"worker_id": "w1", "project_id": "p1"}))).unwrap();
        assert_eq!((p.kind, p.action), (Some(RecordKind::Expense), Action::Submit));
        assert_eq!(p.data.expected_version, None);
        assert_eq!(p.event.correlationid.as_deref(), Some("c-1"));
        let p = parse_event(event(
            "record.failed",
            json!({"expected_version": "3", "reasons": ["timeout", {"code": "x", "retryable": true}]}),
        ))
        .unwrap();
        assert_eq!(p.data.expected_version, Some(3));
        assert_eq!(p.data.reasons[1].retryable(), Some(true));
    }

    #[test]
    fn malformed_events_name_the_field() {
        let cases = [
            (json!({"specversion": "0.3"}), Code::MissingField, "id"),
            (event("record.posted", json!({})), Code::MissingField, "data.expected_version"),
            (event("record.posted", json!({"expected_version": "1.5"})), Code::InvalidValue, "data.expected_version"),
            (event("record.posted", json!({"expected_version": -1})), Code::InvalidValue, "data.expected_version"),
            (event("record.approved", json!({"expected_version": 1})), Code::InvalidValue, "type"),
            (event("timesheet.approved", json!({"expected_version": 1})), Code::MissingField, "data.approver_id"),
            (event("timesheet.submitted", json!({"project_id": "p"})), Code::MissingField, "data.worker_id"),
            (event("record.failed", json!({"expected_version": 1})), Code::MissingField, "data.reasons"),
            (
                event("record.failed", json!({"expected_version": 1, "reasons": [""]})),
                Code::InvalidValue,
                "data.reasons[0]",
            ),
        ];
        for (doc, code, path) in cases {
            let e = parse_event(doc.clone()).unwrap_err();
            assert_eq!((e.code, e.path.as_str()), (code, path), "{doc}");
        }
        let mut v = event("record.posted", json!({"expected_version": 1}));
        v["specversion"] = json!("0.3");
        assert_eq!(parse_event(v).unwrap_err().path, "specversion");
        let mut v = event("record.posted", json!({"expected_version": 1}));
        v["time"] = json!("2026-03-02 09:00");
        assert_eq!(parse_event(v).unwrap_err().code, Code::InvalidInstant);
        let mut v = event("record.posted", json!({"expected_version": 1}));
        v["subject"] = json!("");
        assert_eq!(parse_event(v).unwrap_err().path, "subject");
    }
}
