//! The lifecycle of a finance-impacting record (SPEC §9) as data: the states,
//! the actions an event can ask for, and one const table of
//! `(from, action, to, guard)` rows. [`apply_events`](super::apply_events)
//! reads the table; `docs/sync.md` shows it as a Mermaid diagram generated
//! from the same table by [`lifecycle_mermaid`].

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a record stands in the sync lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Submitted by the worker, waiting for approval.
    Submitted,
    /// Sent back by the approver; returns as a new version through a submit.
    Rejected,
    /// Approved by an authorized approver who is not the worker.
    Approved,
    /// Enriched with worker, project, contract and billing data.
    Enriched,
    /// Rates, billability and tax checked.
    Validated,
    /// Posted to the ERP's billing queue.
    Posted,
    /// On an invoice.
    Invoiced,
    /// A step failed; waits in the exception queue for a retry or a person.
    Exceptioned,
    /// Credited after posting; final.
    Reversed,
}

impl State {
    /// Every state, in lifecycle order.
    pub const ALL: [State; 9] = [
        State::Submitted,
        State::Rejected,
        State::Approved,
        State::Enriched,
        State::Validated,
        State::Posted,
        State::Invoiced,
        State::Exceptioned,
        State::Reversed,
    ];

    /// The snake_case name used on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Submitted => "submitted",
            State::Rejected => "rejected",
            State::Approved => "approved",
            State::Enriched => "enriched",
            State::Validated => "validated",
            State::Posted => "posted",
            State::Invoiced => "invoiced",
            State::Exceptioned => "exceptioned",
            State::Reversed => "reversed",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of record moving through the lifecycle. It names the prefix of
/// the kind-specific event types (`timesheet.submitted`, `expense.approved`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A timesheet entry.
    Timesheet,
    /// An expense.
    Expense,
}

impl RecordKind {
    /// The snake_case name used on the wire and as the event type prefix.
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordKind::Timesheet => "timesheet",
            RecordKind::Expense => "expense",
        }
    }
}

/// What an event asks the lifecycle to do. Each action is named by one
/// CloudEvents `type` (see [`Action::parse_type`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `<kind>.submitted`: create the record, or bring a rejected one back as a new version.
    Submit,
    /// `<kind>.rejected`: the approver sends it back.
    Reject,
    /// `<kind>.approved`: the approver approves it (segregation of duties applies).
    Approve,
    /// `record.enriched`.
    Enrich,
    /// `record.validated`.
    Validate,
    /// `record.posted`.
    Post,
    /// `record.invoiced`.
    Invoice,
    /// `record.failed`: a step failed, with reason codes.
    Fail,
    /// `record.retried`: back to the stage the failure happened in.
    Retry,
    /// `approval.revoked`: back to submitted, only before posting.
    RevokeApproval,
    /// `record.reversed`: a credit, only after posting.
    Reverse,
}

impl Action {
    /// Read a CloudEvents `type`: the kind-specific ones give their kind too.
    ///
    /// ```
    /// use billable::sync::{Action, RecordKind};
    /// assert_eq!(Action::parse_type("expense.approved"), Some((Some(RecordKind::Expense), Action::Approve)));
    /// assert_eq!(Action::parse_type("record.posted"), Some((None, Action::Post)));
    /// assert_eq!(Action::parse_type("record.approved"), None);
    /// ```
    pub fn parse_type(event_type: &str) -> Option<(Option<RecordKind>, Action)> {
        // The dot found by a plain loop: `split_once`'s searcher costs more than these few bytes.
        let dot = event_type.bytes().position(|b| b == b'.')?;
        let (prefix, verb) = (&event_type[..dot], &event_type[dot + 1..]);
        let kind = match prefix {
            "timesheet" => Some(RecordKind::Timesheet),
            "expense" => Some(RecordKind::Expense),
            _ => None,
        };
        let action = match (kind.is_some(), prefix, verb) {
            (true, _, "submitted") => Action::Submit,
            (true, _, "rejected") => Action::Reject,
            (true, _, "approved") => Action::Approve,
            (false, "record", "enriched") => Action::Enrich,
            (false, "record", "validated") => Action::Validate,
            (false, "record", "posted") => Action::Post,
            (false, "record", "invoiced") => Action::Invoice,
            (false, "record", "failed") => Action::Fail,
            (false, "record", "retried") => Action::Retry,
            (false, "approval", "revoked") => Action::RevokeApproval,
            (false, "record", "reversed") => Action::Reverse,
            _ => return None,
        };
        Some((kind, action))
    }

    /// True for the actions whose type carries the record kind.
    pub const fn is_kind_specific(self) -> bool {
        matches!(self, Action::Submit | Action::Reject | Action::Approve)
    }

    /// The event type, with `*` standing for the record kind.
    pub const fn type_pattern(self) -> &'static str {
        match self {
            Action::Submit => "*.submitted",
            Action::Reject => "*.rejected",
            Action::Approve => "*.approved",
            Action::Enrich => "record.enriched",
            Action::Validate => "record.validated",
            Action::Post => "record.posted",
            Action::Invoice => "record.invoiced",
            Action::Fail => "record.failed",
            Action::Retry => "record.retried",
            Action::RevokeApproval => "approval.revoked",
            Action::Reverse => "record.reversed",
        }
    }
}

/// A condition a row needs besides its `from` state and action. Rows with the
/// same `from` and action are tried in table order; the first whose guard
/// holds is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// No condition.
    Always,
    /// The approver is not the worker, is authorized for the project, and the
    /// approval names the record's worker and project (if it names them).
    SegregationOfDuties,
    /// The segregation-of-duties check failed: the record goes to the
    /// exception queue with the reasons found.
    SegregationOfDutiesViolated,
    /// The record failed in this state (used by `retry` and by the moves out of `exceptioned`).
    FailedIn(State),
    /// The record failed before it was posted (in approved, enriched or validated).
    FailedBeforePosting,
}

impl Guard {
    /// The guard as a diagram label suffix.
    fn label(self) -> Option<String> {
        match self {
            Guard::Always => None,
            Guard::SegregationOfDuties => Some("segregation of duties holds".into()),
            Guard::SegregationOfDutiesViolated => Some("segregation of duties fails".into()),
            Guard::FailedIn(s) => Some(format!("failed in {s}")),
            Guard::FailedBeforePosting => Some("failed before posting".into()),
        }
    }
}

/// One row of the transition table. `from: None` is a record that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The state the record is in (`None`: not created yet).
    pub from: Option<State>,
    /// What the event asks for.
    pub action: Action,
    /// The state the record moves to.
    pub to: State,
    /// The extra condition, if any.
    pub guard: Guard,
}

const fn row(from: Option<State>, action: Action, to: State, guard: Guard) -> Transition {
    Transition { from, action, to, guard }
}

use Action as A;
use Guard as G;
use State as S;

/// The lifecycle. Anything not in this table is `illegal_transition`.
pub const TRANSITIONS: &[Transition] = &[
    row(None, A::Submit, S::Submitted, G::Always),
    row(Some(S::Rejected), A::Submit, S::Submitted, G::Always),
    row(Some(S::Submitted), A::Reject, S::Rejected, G::Always),
    row(Some(S::Submitted), A::Approve, S::Approved, G::SegregationOfDuties),
    row(Some(S::Submitted), A::Approve, S::Exceptioned, G::SegregationOfDutiesViolated),
    row(Some(S::Approved), A::Enrich, S::Enriched, G::Always),
    row(Some(S::Enriched), A::Validate, S::Validated, G::Always),
    row(Some(S::Validated), A::Post, S::Posted, G::Always),
    row(Some(S::Posted), A::Invoice, S::Invoiced, G::Always),
    // A failing step parks the record in the exception queue, remembering where it was.
    row(Some(S::Submitted), A::Fail, S::Exceptioned, G::Always),
    row(Some(S::Approved), A::Fail, S::Exceptioned, G::Always),
    row(Some(S::Enriched), A::Fail, S::Exceptioned, G::Always),
    row(Some(S::Validated), A::Fail, S::Exceptioned, G::Always),
    row(Some(S::Posted), A::Fail, S::Exceptioned, G::Always),
    // Retry returns it to the stage it failed in, so that step runs again.
    row(Some(S::Exceptioned), A::Retry, S::Submitted, G::FailedIn(S::Submitted)),
    row(Some(S::Exceptioned), A::Retry, S::Approved, G::FailedIn(S::Approved)),
    row(Some(S::Exceptioned), A::Retry, S::Enriched, G::FailedIn(S::Enriched)),
    row(Some(S::Exceptioned), A::Retry, S::Validated, G::FailedIn(S::Validated)),
    row(Some(S::Exceptioned), A::Retry, S::Posted, G::FailedIn(S::Posted)),
    // Before posting, an approval can be revoked; after posting only a reversal (credit) is possible.
    row(Some(S::Approved), A::RevokeApproval, S::Submitted, G::Always),
    row(Some(S::Enriched), A::RevokeApproval, S::Submitted, G::Always),
    row(Some(S::Validated), A::RevokeApproval, S::Submitted, G::Always),
    row(Some(S::Exceptioned), A::RevokeApproval, S::Submitted, G::FailedBeforePosting),
    row(Some(S::Exceptioned), A::Reject, S::Rejected, G::FailedIn(S::Submitted)),
    row(Some(S::Posted), A::Reverse, S::Reversed, G::Always),
    row(Some(S::Invoiced), A::Reverse, S::Reversed, G::Always),
    row(Some(S::Exceptioned), A::Reverse, S::Reversed, G::FailedIn(S::Posted)),
];

/// The rows that start from `from` with `action`, in table order.
pub fn candidates(from: Option<State>, action: Action) -> impl Iterator<Item = &'static Transition> {
    TRANSITIONS.iter().filter(move |t| t.from == from && t.action == action)
}

/// The transition table as a Mermaid `stateDiagram-v2`, one line per row, in
/// table order; states with no way out end in `[*]`.
///
/// ```
/// let diagram = billable::sync::lifecycle_mermaid();
/// assert!(diagram.starts_with("stateDiagram-v2\n"));
/// assert!(diagram.contains("    validated --> posted : record.posted\n"));
/// ```
pub fn lifecycle_mermaid() -> String {
    let mut out = String::from("stateDiagram-v2\n");
    for t in TRANSITIONS {
        let from = t.from.map_or("[*]", State::as_str);
        let label = match t.guard.label() {
            Some(g) => format!("{} ({g})", t.action.type_pattern()),
            None => t.action.type_pattern().to_string(),
        };
        out.push_str(&format!("    {from} --> {} : {label}\n", t.to));
    }
    for s in State::ALL {
        if !TRANSITIONS.iter().any(|t| t.from == Some(s)) {
            out.push_str(&format!("    {s} --> [*]\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_round_trips_through_its_pattern() {
        for t in TRANSITIONS {
            let concrete = t.action.type_pattern().replace('*', "timesheet");
            assert_eq!(Action::parse_type(&concrete).map(|(_, a)| a), Some(t.action));
        }
        assert_eq!(Action::parse_type("invoice.posted"), None);
        assert_eq!(Action::parse_type("timesheet.posted"), None);
        assert_eq!(Action::parse_type("submitted"), None);
    }

    #[test]
    fn the_table_encodes_the_spec_rules() {
        // Post only when validated, invoice only when posted.
        let posts: Vec<_> = TRANSITIONS.iter().filter(|t| t.action == Action::Post).map(|t| t.from).collect();
        assert_eq!(posts, [Some(State::Validated)]);
        let invoices: Vec<_> = TRANSITIONS.iter().filter(|t| t.action == Action::Invoice).map(|t| t.from).collect();
        assert_eq!(invoices, [Some(State::Posted)]);
        // No revocation from posted or invoiced: only a reversal.
        assert_eq!(candidates(Some(State::Posted), Action::RevokeApproval).count(), 0);
        assert_eq!(candidates(Some(State::Invoiced), Action::RevokeApproval).count(), 0);
        // Reversed is final.
        assert!(TRANSITIONS.iter().all(|t| t.from != Some(State::Reversed)));
        // Every row's pair (from, action) is deterministic: guards of one pair exclude each other.
        for t in TRANSITIONS {
            let same: Vec<_> = candidates(t.from, t.action).collect();
            let unguarded = same.iter().filter(|r| r.guard == Guard::Always).count();
            assert!(unguarded == 0 || same.len() == 1, "{t:?} shares its (from, action) with an unguarded row");
        }
    }
}
