//! The seen ledger: the memory of events already decided, keyed by `source` +
//! `id`, with each event's fingerprint, time and first outcome. Its retention
//! counts back from the newest event time seen, so no clock is read.

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::digest::Digest;
use super::outcome::Outcome;
use super::text::Text;
use crate::wire;

/// The memory of events already decided: pass it in, get it back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeenLedger {
    /// The newest event time seen so far; retention counts back from it.
    #[serde(default, deserialize_with = "opt_instant", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub newest_event_time: Option<DateTime<FixedOffset>>,
    /// One entry per remembered event, in the order remembered (oldest first; see `docs/sync.md`).
    #[serde(default)]
    pub entries: Vec<SeenEntry>,
}

/// A remembered event: its key, fingerprint, time and first outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeenEntry {
    /// The event's source.
    pub source: Text,
    /// The event's id.
    pub id: Text,
    /// SHA-256 hex of the event's canonical JSON.
    pub fingerprint: Digest,
    /// The event's time.
    #[serde(deserialize_with = "wire::instant")]
    #[schemars(with = "String")]
    pub time: DateTime<FixedOffset>,
    /// The record the event was about.
    pub subject: Text,
    /// The outcome the event got the first time.
    pub outcome: Outcome,
}

fn opt_instant<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<DateTime<FixedOffset>>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "wire::instant")] DateTime<FixedOffset>);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}
