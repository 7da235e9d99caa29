//! The outcome of one event: data in the response, never an error of the call.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::events::whole_number;
use super::exceptions::Reason;
use super::lifecycle::State;
use super::text::Text;
use crate::error::Error;

// The rare outcomes hold their texts and error boxed (`Box<str>`, `Box<Error>`: the same JSON
// and schema as `String` and `Error`), so that an outcome is 40 bytes instead of 64: a batch
// keeps one per event, and the seen ledger one per remembered event (a test pins the size).
/// What happened to one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The record moved `from` → `to` and is now at `version`.
    Applied {
        /// The state before (absent when the event created the record).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<State>,
        /// The state after.
        to: State,
        /// The record's version after.
        #[serde(deserialize_with = "whole_number")]
        version: u64,
    },
    /// The record moved to `exceptioned` with reason codes (a `record.failed`, or an approval
    /// that broke segregation of duties).
    Exceptioned {
        /// The state the record failed in.
        from: State,
        /// The record's version after.
        #[serde(deserialize_with = "whole_number")]
        version: u64,
        /// Why, each with its lane.
        reasons: Vec<Reason>,
    },
    /// The same event (same `source`, `id` and fingerprint) was decided before: nothing changed.
    Duplicate {
        /// The outcome it got the first time.
        first: Box<Outcome>,
    },
    /// The same `source` + `id` arrived with another payload: nothing changed.
    IdempotencyConflict {
        /// The fingerprint remembered for the key.
        first_fingerprint: Box<str>,
        /// This event's fingerprint.
        fingerprint: Box<str>,
    },
    /// The event expects an older version than the record holds: nothing changed.
    StaleEvent {
        /// What the event expected.
        #[serde(deserialize_with = "whole_number")]
        expected_version: u64,
        /// What the record holds.
        #[serde(deserialize_with = "whole_number")]
        record_version: u64,
    },
    /// The event expects a newer version than the record holds (an earlier event has not
    /// arrived yet): nothing changed and nothing remembered; deliver it again later.
    OutOfOrder {
        /// What the event expected.
        #[serde(deserialize_with = "whole_number")]
        expected_version: u64,
        /// What the record holds (0: the record does not exist yet).
        #[serde(deserialize_with = "whole_number")]
        record_version: u64,
    },
    /// The lifecycle does not allow the event in the record's state: nothing changed.
    IllegalTransition {
        /// The record's state (absent: the record does not exist).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        state: Option<State>,
        /// The event's type.
        event_type: Box<str>,
        /// Why, for a person.
        message: Box<str>,
    },
    /// The event document is malformed: nothing changed and nothing remembered.
    Invalid {
        /// The problem, its code and the path inside the request (`events[3].data.expected_version`).
        error: Box<Error>,
    },
}

/// The kind of an [`Outcome`], for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum OutcomeKind {
    Applied,
    Exceptioned,
    Duplicate,
    IdempotencyConflict,
    StaleEvent,
    OutOfOrder,
    IllegalTransition,
    Invalid,
}

impl OutcomeKind {
    /// Every kind.
    pub const ALL: [OutcomeKind; 8] = [
        OutcomeKind::Applied,
        OutcomeKind::Exceptioned,
        OutcomeKind::Duplicate,
        OutcomeKind::IdempotencyConflict,
        OutcomeKind::StaleEvent,
        OutcomeKind::OutOfOrder,
        OutcomeKind::IllegalTransition,
        OutcomeKind::Invalid,
    ];
}

impl Outcome {
    /// Its kind.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Applied { .. } => OutcomeKind::Applied,
            Outcome::Exceptioned { .. } => OutcomeKind::Exceptioned,
            Outcome::Duplicate { .. } => OutcomeKind::Duplicate,
            Outcome::IdempotencyConflict { .. } => OutcomeKind::IdempotencyConflict,
            Outcome::StaleEvent { .. } => OutcomeKind::StaleEvent,
            Outcome::OutOfOrder { .. } => OutcomeKind::OutOfOrder,
            Outcome::IllegalTransition { .. } => OutcomeKind::IllegalTransition,
            Outcome::Invalid { .. } => OutcomeKind::Invalid,
        }
    }

    /// True when the outcome is remembered in the seen ledger as the event's first outcome.
    pub(crate) fn is_final(&self) -> bool {
        matches!(
            self,
            Outcome::Applied { .. }
                | Outcome::Exceptioned { .. }
                | Outcome::StaleEvent { .. }
                | Outcome::IllegalTransition { .. }
        )
    }
}

/// One event's outcome with what identifies the event.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct EventOutcome {
    /// Position of the event in the batch.
    pub index: usize,
    /// The event's id (absent when the event did not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Text>,
    /// The record id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Text>,
    /// The event's correlation id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Text>,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sizes the boxed variants buy (64 bytes before): every event's outcome and every
    /// remembered event carry one.
    #[test]
    fn an_outcome_is_forty_bytes() {
        assert_eq!(std::mem::size_of::<Outcome>(), 40);
        assert_eq!(std::mem::size_of::<EventOutcome>(), 120);
    }
}
