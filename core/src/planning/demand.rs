//! Demand from CRM stages (SPEC §10): a stage policy maps each stage to a
//! demand state, and an opportunity's stage change becomes allocation
//! changes and audit entries.
//!
//! Each demand line of an opportunity with demand is a resource request
//! with the stable id `<opportunity>/demand/<line>`. From state `F` to `T`:
//!
//! | from → to | requests | the opportunity's allocations |
//! |---|---|---|
//! | none/release → tentative or committed | created with status `T` | tentative → committed when `T` is committed |
//! | tentative → committed | committed | tentative → committed |
//! | committed → tentative | made tentative | committed → tentative |
//! | tentative/committed → none or release | released | every one not released → released |
//! | same state | nothing | nothing |
//!
//! Idempotent on the opportunity's version: the caller passes the versions
//! it has processed; the same version again returns the same changes with
//! `duplicate: true`, and a version older than the newest processed one is
//! `stale_event`. Each change returns the SHA-256 fingerprint of its payload
//! (the opportunity and old stage, canonical JSON as the sync module
//! fingerprints events); passed back in `processed_fingerprints`, a version
//! replayed with a different payload is `idempotency_conflict` (SPEC §1.5).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::model::{Allocation, AllocationStatus, Opportunity};
use crate::wire;

/// What a stage means for staffing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DemandState {
    /// No demand yet.
    None,
    /// Tentative demand: requests are pencilled in.
    Tentative,
    /// Committed demand: the work is sold.
    Committed,
    /// The demand is given back.
    Release,
}

impl DemandState {
    fn has_demand(self) -> bool {
        matches!(self, DemandState::Tentative | DemandState::Committed)
    }

    fn status(self) -> AllocationStatus {
        match self {
            DemandState::Committed => AllocationStatus::Committed,
            DemandState::Tentative => AllocationStatus::Tentative,
            DemandState::None | DemandState::Release => AllocationStatus::Released,
        }
    }
}

/// CRM stage → demand state. Stages are matched exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StagePolicy {
    /// The table.
    pub stages: BTreeMap<String, DemandState>,
}

impl Default for StagePolicy {
    /// `lead`, `qualified` → none; `proposal`, `negotiation` → tentative;
    /// `closed_won` → committed; `closed_lost` → release.
    fn default() -> Self {
        let stages = [
            ("lead", DemandState::None),
            ("qualified", DemandState::None),
            ("proposal", DemandState::Tentative),
            ("negotiation", DemandState::Tentative),
            ("closed_won", DemandState::Committed),
            ("closed_lost", DemandState::Release),
        ];
        StagePolicy { stages: stages.into_iter().map(|(s, d)| (s.to_string(), d)).collect() }
    }
}

impl StagePolicy {
    /// The default table with `overrides` added or replacing its rows.
    pub fn with(overrides: &BTreeMap<String, DemandState>) -> Self {
        let mut p = StagePolicy::default();
        p.stages.extend(overrides.iter().map(|(k, v)| (k.clone(), *v)));
        p
    }

    /// The demand state of `stage`; a stage the table does not name is `invalid_value`.
    pub fn state(&self, stage: &str) -> Result<DemandState> {
        self.stages.get(stage).copied().ok_or_else(|| {
            let known: Vec<&str> = self.stages.keys().map(String::as_str).collect();
            Error::new(Code::InvalidValue, format!("stage `{stage}` is not in the stage policy ({})", known.join(", ")))
                .with_details(serde_json::json!({ "stage": stage, "known": known }))
        })
    }
}

/// An opportunity's stage change.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
pub struct DemandChangeRequest {
    /// The opportunity as it is now (its `stage` is the new stage, its `version` the change's).
    pub opportunity: Opportunity,
    /// The stage before; absent for a new opportunity.
    #[serde(default)]
    pub old_stage: Option<String>,
    /// Versions of this opportunity already processed.
    #[serde(default)]
    pub processed_versions: Vec<u64>,
    /// The payload fingerprint of each version processed (version as text → SHA-256 hex), as returned in
    /// `processed_fingerprints`: a processed version sent again with another payload is `idempotency_conflict`.
    /// A version listed here counts as processed. Optional: without a version's fingerprint its replay is a
    /// duplicate whatever its payload (as before fingerprints were kept).
    #[serde(default, deserialize_with = "crate::wire::unique_keys")]
    pub processed_fingerprints: BTreeMap<String, String>,
    /// When the CRM made the change, echoed in the audit entries.
    #[serde(default, deserialize_with = "opt_instant")]
    #[schemars(with = "Option<String>")]
    pub occurred_at: Option<DateTime<FixedOffset>>,
}

fn opt_instant<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<DateTime<FixedOffset>>, D::Error> {
    wire::instant(d).map(Some)
}

/// What an allocation change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    /// A resource request is created from a demand line.
    Create,
    /// Tentative becomes committed.
    Commit,
    /// Committed goes back to tentative.
    MakeTentative,
    /// Given back.
    Release,
}

/// What an allocation change acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeTarget {
    /// An unstaffed resource request (one per demand line).
    Request,
    /// A staffed allocation of the opportunity.
    Allocation,
}

/// One change to a request or an allocation.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AllocationChange {
    /// What happens.
    pub action: ChangeAction,
    /// To what.
    pub target: ChangeTarget,
    /// Request id (`<opportunity>/demand/<line>`) or allocation id.
    pub id: String,
    /// The opportunity.
    pub opportunity_id: String,
    /// The demand line, for a request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demand_line: Option<usize>,
    /// The worker, for an allocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// The role, for a request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Hours per week.
    pub hours_per_week: Decimal,
    /// Status before (absent when created).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_status: Option<AllocationStatus>,
    /// Status after.
    pub to_status: AllocationStatus,
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AuditEntry {
    /// 1, 2, ... within the change.
    pub sequence: usize,
    /// `stage_changed`, or `<action>_<target>` (`create_request`, `commit_allocation`, ...).
    pub event: String,
    /// The opportunity.
    pub opportunity_id: String,
    /// The opportunity version that caused it.
    pub version: u64,
    /// The request or allocation id (the opportunity id for `stage_changed`).
    pub subject: String,
    /// When the CRM made the change, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
    /// What happened, for a person.
    pub message: String,
}

/// The outcome of a stage change.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DemandChange {
    /// The opportunity.
    pub opportunity_id: String,
    /// Its version.
    pub version: u64,
    /// Stage before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_stage: Option<String>,
    /// Stage after.
    pub to_stage: String,
    /// Demand state before.
    pub from_demand: DemandState,
    /// Demand state after.
    pub to_demand: DemandState,
    /// The version was processed before: the changes are the ones already returned; apply nothing.
    pub duplicate: bool,
    /// The changes, requests first (by line), then allocations (in input order).
    pub changes: Vec<AllocationChange>,
    /// The audit trail of the change.
    pub audit: Vec<AuditEntry>,
    /// The versions processed, this one included, ascending: store and pass them next time.
    pub processed_versions: Vec<u64>,
    /// SHA-256 hex of this change's payload: the canonical JSON (sorted keys, as the sync module fingerprints
    /// events) of `{"opportunity": ..., "old_stage": ...}` as read.
    pub fingerprint: String,
    /// The fingerprints of the versions processed, this one included: store and pass them next time.
    pub processed_fingerprints: BTreeMap<String, String>,
}

/// The allocation changes and audit entries of `request`'s stage change.
/// `allocations` may hold any allocations: those of the opportunity are acted on. Each is checked as
/// `validate` checks it (and as `plan` does): two with one id are `duplicate_id` at `allocations[i].id`,
/// reversed dates `invalid_period` at `allocations[i]`, hours per week outside 0 to 168 `invalid_hours`,
/// not exactly one of `project_id` and `opportunity_id` `invalid_value`. The opportunity is checked as
/// `validate` checks one (probability, dates, demand lines), at `opportunity...`.
///
/// ```
/// use billable::planning::{demand_change, DemandChangeRequest, StagePolicy};
/// let request: DemandChangeRequest = serde_json::from_str(r#"{"old_stage": "qualified", "opportunity": {
///     "id": "o1", "version": 2, "customer_id": "c1", "stage": "proposal", "probability": 40,
///     "expected_start": "2026-04-01", "expected_end": "2026-06-30",
///     "demand": [{"role": "consultant", "hours_per_week": 20, "start": "2026-04-01", "end": "2026-06-30"}]}}"#).unwrap();
/// let out = demand_change(&request, &[], &StagePolicy::default())?;
/// assert_eq!(out.changes[0].id, "o1/demand/0");
/// assert_eq!(out.processed_versions, [2]);
/// # Ok::<(), billable::Error>(())
/// ```
pub fn demand_change(
    request: &DemandChangeRequest,
    allocations: &[Allocation],
    policy: &StagePolicy,
) -> Result<DemandChange> {
    super::load::check_allocations(allocations)?;
    let opp = &request.opportunity;
    let version = opp.version;
    let mut processed_versions = request.processed_versions.clone();
    for key in request.processed_fingerprints.keys() {
        // Written as a version is written (`3`, not `03` or `+3`), so that the lookup below finds it.
        let v = key.parse::<u64>().ok().filter(|v| v.to_string() == *key).ok_or_else(|| {
            Error::new(Code::InvalidValue, format!("`{key}` is not a version (a whole number from 0, as `3`)"))
                .at("processed_fingerprints")
        })?;
        processed_versions.push(v);
    }
    let payload = serde_json::json!({ "opportunity": opp, "old_stage": request.old_stage });
    let fingerprint = crate::sync::fingerprint(&payload, &mut Vec::new());
    let duplicate = processed_versions.contains(&version);
    if duplicate
        && let Some(stored) = request.processed_fingerprints.get(&version.to_string())
        && *stored != fingerprint
    {
        return Err(Error::new(
            Code::IdempotencyConflict,
            format!(
                "opportunity `{}` version {version} was processed with another payload (fingerprint {stored}, now \
                 {fingerprint}): a changed opportunity needs a new version",
                opp.id
            ),
        )
        .at("opportunity.version")
        .with_details(serde_json::json!({ "version": version, "stored": stored, "fingerprint": fingerprint })));
    }
    if let Some(&newest) = processed_versions.iter().max()
        && !duplicate
        && version < newest
    {
        return Err(Error::new(
            Code::StaleEvent,
            format!("opportunity `{}` version {version} is older than version {newest}, already processed", opp.id),
        )
        .at("opportunity.version")
        .with_details(serde_json::json!({ "version": version, "newest_processed": newest })));
    }
    let from = match &request.old_stage {
        Some(s) => policy.state(s).map_err(|e| e.at("old_stage"))?,
        None => DemandState::None,
    };
    let to = policy.state(&opp.stage).map_err(|e| e.at("opportunity.stage"))?;
    // What `validate` refuses of the opportunity, at its path in this request.
    super::check_opportunities(std::slice::from_ref(opp)).map_err(|e| {
        let path = match e.path.strip_prefix("opportunities[0]") {
            Some(rest) => format!("opportunity{rest}"),
            None => e.path.clone(),
        };
        e.at(path)
    })?;
    let mut changes = Vec::new();
    let request_action = match (from.has_demand(), to.has_demand()) {
        (false, true) => Some(ChangeAction::Create),
        (true, true) if from != to => {
            Some(if to == DemandState::Committed { ChangeAction::Commit } else { ChangeAction::MakeTentative })
        }
        (true, false) => Some(ChangeAction::Release),
        _ => None,
    };
    if let Some(action) = request_action {
        for (l, line) in opp.demand.iter().enumerate() {
            changes.push(AllocationChange {
                action,
                target: ChangeTarget::Request,
                id: format!("{}/demand/{l}", opp.id),
                opportunity_id: opp.id.clone(),
                demand_line: Some(l),
                worker_id: None,
                role: Some(line.role.clone()),
                start: line.start,
                end: line.end,
                hours_per_week: line.hours_per_week,
                from_status: (action != ChangeAction::Create).then(|| from.status()),
                to_status: to.status(),
            });
        }
    }
    for a in allocations.iter().filter(|a| a.opportunity_id.as_deref() == Some(opp.id.as_str())) {
        let action = match (a.status, to) {
            (AllocationStatus::Released, _) => None,
            (AllocationStatus::Tentative, DemandState::Committed) if from != to => Some(ChangeAction::Commit),
            (AllocationStatus::Committed, DemandState::Tentative) if from == DemandState::Committed => {
                Some(ChangeAction::MakeTentative)
            }
            (_, DemandState::None | DemandState::Release) if from != to => Some(ChangeAction::Release),
            _ => None,
        };
        if let Some(action) = action {
            changes.push(AllocationChange {
                action,
                target: ChangeTarget::Allocation,
                id: a.id.clone(),
                opportunity_id: opp.id.clone(),
                demand_line: None,
                worker_id: Some(a.worker_id.clone()),
                role: None,
                start: a.start,
                end: a.end,
                hours_per_week: a.hours_per_week,
                from_status: Some(a.status),
                to_status: to.status(),
            });
        }
    }
    let occurred_at = request.occurred_at.map(|t| t.to_rfc3339());
    let from_text = request.old_stage.as_deref().unwrap_or("(new)");
    let mut audit = vec![AuditEntry {
        sequence: 1,
        event: "stage_changed".into(),
        opportunity_id: opp.id.clone(),
        version,
        subject: opp.id.clone(),
        occurred_at: occurred_at.clone(),
        message: format!(
            "stage {from_text} → {} (demand {} → {}): {} change(s)",
            opp.stage,
            state_name(from),
            state_name(to),
            changes.len()
        ),
    }];
    for c in &changes {
        let verb = match c.action {
            ChangeAction::Create => "create",
            ChangeAction::Commit => "commit",
            ChangeAction::MakeTentative => "make_tentative",
            ChangeAction::Release => "release",
        };
        let noun = match c.target {
            ChangeTarget::Request => "request",
            ChangeTarget::Allocation => "allocation",
        };
        audit.push(AuditEntry {
            sequence: audit.len() + 1,
            event: format!("{verb}_{noun}"),
            opportunity_id: opp.id.clone(),
            version,
            subject: c.id.clone(),
            occurred_at: occurred_at.clone(),
            message: format!("{noun} {} {} h/week {}..{}: {verb}", c.id, c.hours_per_week, c.start, c.end),
        });
    }
    let mut processed = processed_versions;
    processed.push(version);
    processed.sort_unstable();
    processed.dedup();
    let mut processed_fingerprints = request.processed_fingerprints.clone();
    processed_fingerprints.entry(version.to_string()).or_insert_with(|| fingerprint.clone());
    Ok(DemandChange {
        opportunity_id: opp.id.clone(),
        version,
        from_stage: request.old_stage.clone(),
        to_stage: opp.stage.clone(),
        from_demand: from,
        to_demand: to,
        duplicate,
        changes,
        audit,
        processed_versions: processed,
        fingerprint,
        processed_fingerprints,
    })
}

fn state_name(s: DemandState) -> &'static str {
    match s {
        DemandState::None => "none",
        DemandState::Tentative => "tentative",
        DemandState::Committed => "committed",
        DemandState::Release => "release",
    }
}
