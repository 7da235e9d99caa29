//! Model-based simulation of the sync-state machine (SPEC §9).
//!
//! A small seeded generator builds random, *finishing* histories: each record
//! walks a lifecycle path chosen by the model below (its own encoding of the
//! rules, not the library's table), ending in `invoiced`, `reversed`,
//! `exceptioned` or `rejected`. The delivery then adds noise: exact
//! duplicates, conflicting replays (same `source` + `id`, another payload),
//! illegal events, reordering, and the sender's redelivery of every event that
//! came back `out_of_order` (at-least-once delivery). Revoked approvals,
//! failures, retries, rejections and resubmissions are part of the paths.
//!
//! Invariants checked on every history:
//! 1. each record ends in the state and version the model predicts;
//! 2. no record is invoiced twice;
//! 3. every record whose approval stands ends posted, invoiced, reversed or exceptioned;
//! 4. applying the whole delivered history again changes nothing;
//! 5. every audit chain verifies (with its head);
//! 6. outcomes, records and ledger do not depend on how the history is cut into batches.
//!
//! Histories run 250 at a time in one event stream (their records and ids
//! are distinct), the first delivery round cut into batches inside every
//! history. 100,000 histories run by default (four tests of 25,000, so the
//! test threads share them). `SYNC_SIM_HISTORIES=10000000` runs ten million
//! (best with `--release`).
//!
//! A fifth as many histories run again with a seen ledger that forgets after
//! 2 seconds of event time, so most duplicates and replays arrive forgotten
//! and are decided by the version check alone; the same invariants hold, and
//! the records come out the same as with the default memory.

use std::collections::BTreeMap;

use billable::sync::{
    EventOutcome, Outcome, OutcomeKind, SeenLedger, State, SyncPolicy, SyncRecord, apply_events, verify_history,
};
use serde_json::{Value, json};

/// A small xorshift generator: deterministic from its seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// One step of a record's true path.
struct Step {
    ty: &'static str,
    data: Value,
}

/// The model's prediction for a record.
struct Expected {
    state: State,
    version: u64,
}

/// The model: a random walk over the lifecycle as SPEC §9 describes it.
fn walk(rng: &mut Rng) -> (Vec<Step>, Expected) {
    use State::*;
    let submit = || Step { ty: "timesheet.submitted", data: json!({"worker_id": "w1", "project_id": "p1"}) };
    let mut steps = vec![submit()];
    let mut state = Submitted;
    let mut failed_in = None;
    // Mostly short paths (the simulation runs in debug builds), now and then a long one.
    let budget = if rng.chance(15) { 5 + rng.below(9) } else { 2 + rng.below(3) } as usize;
    loop {
        let forced = steps.len() >= budget;
        let (ty, next): (&'static str, Option<State>) = match state {
            Submitted if forced => ("timesheet.rejected", Some(Rejected)),
            Submitted => match rng.below(10) {
                0 => ("timesheet.rejected", Some(Rejected)),
                1 => ("record.failed", Some(Exceptioned)),
                2 => ("self.approved", Some(Exceptioned)),
                _ => ("timesheet.approved", Some(Approved)),
            },
            Rejected if forced || rng.chance(40) => break,
            Rejected => ("timesheet.submitted", Some(Submitted)),
            Approved | Enriched | Validated if forced => ("record.failed", Some(Exceptioned)),
            Approved | Enriched | Validated => match rng.below(10) {
                0 => ("approval.revoked", Some(Submitted)),
                1 | 2 => ("record.failed", Some(Exceptioned)),
                _ => match state {
                    Approved => ("record.enriched", Some(Enriched)),
                    Enriched => ("record.validated", Some(Validated)),
                    _ => ("record.posted", Some(Posted)),
                },
            },
            Posted if forced => ("record.invoiced", Some(Invoiced)),
            Posted => match rng.below(20) {
                0 | 1 => ("record.reversed", Some(Reversed)),
                2..=4 => ("record.failed", Some(Exceptioned)),
                _ => ("record.invoiced", Some(Invoiced)),
            },
            Invoiced if forced || rng.chance(85) => break,
            Invoiced => ("record.reversed", Some(Reversed)),
            Exceptioned if forced || rng.chance(25) => break,
            Exceptioned => ("record.retried", failed_in),
            Reversed => break,
        };
        let Some(next) = next else { break };
        let version = steps.len() as u64;
        let step = match ty {
            "timesheet.submitted" => {
                Step { ty, data: json!({"expected_version": version, "worker_id": "w1", "project_id": "p1"}) }
            }
            "timesheet.approved" => {
                Step { ty, data: json!({"expected_version": version, "approver_id": "mgr", "actor": "mgr"}) }
            }
            // Segregation of duties: the worker approves own time.
            "self.approved" => {
                Step { ty: "timesheet.approved", data: json!({"expected_version": version, "approver_id": "w1"}) }
            }
            "record.failed" => {
                let reason = ["timeout", "rate_missing", "tax_rule_missing"][rng.below(3) as usize];
                Step { ty, data: json!({"expected_version": version, "reasons": [reason]}) }
            }
            _ => Step { ty, data: json!({"expected_version": version}) },
        };
        steps.push(step);
        failed_in = if next == Exceptioned { Some(state) } else { None };
        state = next;
    }
    let version = steps.len() as u64;
    (steps, Expected { state, version })
}

/// A type that the lifecycle does not allow in `state` (the model's own list).
fn illegal_in(state: State) -> &'static str {
    match state {
        State::Submitted | State::Enriched | State::Exceptioned => "record.posted",
        State::Rejected => "record.enriched",
        State::Approved | State::Validated | State::Reversed => "record.invoiced",
        State::Posted => "approval.revoked",
        State::Invoiced => "record.failed",
    }
}

fn event(id: &str, ty: &str, subject: &str, second: u64, data: &Value, corr: &str) -> Value {
    json!({
        "specversion": "1.0", "id": id, "source": "sim", "type": ty, "subject": subject,
        "time": format!("2026-03-02T09:{:02}:{:02}Z", second / 60 % 60, second % 60),
        "data": data, "correlationid": corr
    })
}

struct History {
    deliveries: Vec<Value>,
    expected: BTreeMap<String, Expected>,
}

/// Generate the events of one history, shuffled, with noise.
fn generate(seed: u64) -> History {
    let mut rng = Rng::new(seed);
    let records = 1 + usize::from(rng.chance(10));
    let mut lanes: Vec<Vec<Value>> = Vec::new();
    let mut expected = BTreeMap::new();
    for r in 0..records {
        let subject = format!("{seed}.{r}");
        let (steps, exp) = walk(&mut rng);
        // The state after each step, for placing illegal events.
        let mut lane = Vec::new();
        for (k, step) in steps.iter().enumerate() {
            let id = format!("{subject}.{k}");
            let corr = format!("c{k}");
            let ev = event(&id, step.ty, &subject, k as u64, &step.data, &corr);
            if rng.chance(7) {
                // A conflicting replay: same key, another payload (same meaning, one more field; not
                // another actor, which an approval refuses as invalid).
                let mut data = step.data.clone();
                data["replayed_by"] = json!("replayer");
                lane.push(event(&id, step.ty, &subject, k as u64, &data, &corr));
            }
            lane.push(ev.clone());
            if rng.chance(10) {
                lane.push(ev); // an exact duplicate
            }
        }
        if rng.chance(15) {
            // An illegal event at a random version, with the state the model has there.
            let k = rng.below(exp.version) as usize;
            let state = state_after(&steps, k);
            let data = json!({"expected_version": k as u64 + 1, "reasons": ["timeout"]});
            let ev = event(&format!("{subject}.x"), illegal_in(state), &subject, 50, &data, "x");
            let at = rng.below(lane.len() as u64 + 1) as usize;
            lane.insert(at, ev);
        }
        expected.insert(subject, exp);
        lanes.push(lane);
    }
    // Interleave the records' lanes, then reorder neighbours.
    let mut deliveries = Vec::new();
    let mut cursors = vec![0; lanes.len()];
    while deliveries.len() < lanes.iter().map(Vec::len).sum() {
        let l = rng.below(lanes.len() as u64) as usize;
        if cursors[l] < lanes[l].len() {
            deliveries.push(lanes[l][cursors[l]].clone());
            cursors[l] += 1;
        }
    }
    for i in 1..deliveries.len() {
        if rng.chance(25) {
            let j = i - 1 - rng.below(i.min(3) as u64) as usize;
            deliveries.swap(i, j);
        }
    }
    History { deliveries, expected }
}

/// The state the model's path is in after `k + 1` steps.
fn state_after(steps: &[Step], k: usize) -> State {
    use State::*;
    let mut state = Submitted;
    let mut failed_in = Submitted;
    for step in &steps[1..=k] {
        let next = match step.ty {
            "timesheet.submitted" | "approval.revoked" => Submitted,
            "timesheet.rejected" => Rejected,
            "timesheet.approved" if step.data["approver_id"] == "w1" => Exceptioned,
            "timesheet.approved" => Approved,
            "record.enriched" => Enriched,
            "record.validated" => Validated,
            "record.posted" => Posted,
            "record.invoiced" => Invoiced,
            "record.failed" => Exceptioned,
            "record.retried" => failed_in,
            _ => Reversed,
        };
        if next == Exceptioned {
            failed_in = state;
        }
        state = next;
    }
    state
}

fn policy() -> SyncPolicy {
    let mut p = SyncPolicy::default();
    p.approvers.insert("p1".into(), vec!["mgr".into(), "w1".into()]);
    p
}

/// Deliver like an at-least-once sender: every `out_of_order` event is sent again in the next
/// round, until a round leaves none. The first round is cut into batches at `cuts`. Returns the
/// delivered events, their outcomes, and the records and ledger at the end.
fn deliver(
    deliveries: &[Value],
    cuts: &[usize],
    policy: &SyncPolicy,
) -> (Vec<Value>, Vec<EventOutcome>, Vec<SyncRecord>, SeenLedger) {
    let mut delivered = Vec::new();
    let mut outcomes = Vec::new();
    let mut records = Vec::new();
    let mut seen = SeenLedger::default();
    let mut batches: Vec<Vec<Value>> = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain([deliveries.len()].iter()) {
        let cut = cut.clamp(start, deliveries.len());
        batches.push(deliveries[start..cut].to_vec());
        start = cut;
    }
    loop {
        let mut again = Vec::new();
        let mut progressed = false;
        for batch in batches {
            let first = delivered.len();
            delivered.extend(batch.iter().cloned());
            let out = apply_events(records, seen, batch, policy).unwrap();
            for (i, o) in out.outcomes.iter().enumerate() {
                match o.outcome.kind() {
                    OutcomeKind::OutOfOrder => again.push(delivered[first + i].clone()),
                    OutcomeKind::Applied | OutcomeKind::Exceptioned => progressed = true,
                    _ => {}
                }
            }
            outcomes.extend(out.outcomes);
            records = out.records;
            seen = out.seen;
        }
        if again.is_empty() {
            return (delivered, outcomes, records, seen);
        }
        assert!(progressed, "a redelivery round made no progress: {again:?}");
        batches = vec![again];
    }
}

/// Run histories `seeds` together: their records and event ids are distinct, so one stream
/// holds them all, as a sync service would see them.
fn check(seeds: std::ops::Range<u64>, policy: &SyncPolicy) {
    let mut deliveries = Vec::new();
    let mut expected = BTreeMap::new();
    let mut cuts = Vec::new();
    let mut rng = Rng::new(seeds.start ^ 0xC0FFEE);
    for seed in seeds.clone() {
        let history = generate(seed);
        // Now and then, cut somewhere inside this history's events, so batches split histories.
        if rng.chance(3) {
            cuts.push(deliveries.len() + rng.below(history.deliveries.len() as u64 + 1) as usize);
        }
        deliveries.extend(history.deliveries);
        expected.extend(history.expected);
    }
    let seeds = format!("seeds {seeds:?}");
    let (delivered, round_outcomes, end_records, end_seen) = deliver(&deliveries, &cuts, policy);

    // 1. The model's prediction.
    assert_eq!(end_records.len(), expected.len(), "{seeds}");
    for r in &end_records {
        let exp = &expected[&r.id];
        assert_eq!((r.state, r.version), (exp.state, exp.version), "{seeds}: record {}", r.id);
    }
    for r in &end_records {
        // 2. Never invoiced twice.
        assert!(r.history.iter().filter(|h| h.to == State::Invoiced).count() <= 1, "{seeds}");
        // 3. A standing approval ends posted, invoiced, reversed or exceptioned.
        let last_approval = r.history.iter().rposition(|h| h.to == State::Approved);
        let revoked_after =
            last_approval.is_some_and(|i| r.history[i..].iter().any(|h| h.event_type == "approval.revoked"));
        if last_approval.is_some() && !revoked_after {
            assert!(
                matches!(r.state, State::Posted | State::Invoiced | State::Reversed | State::Exceptioned),
                "{seeds}: approved record {} ends {}",
                r.id,
                r.state
            );
        }
        // 5. The audit chain verifies, head included.
        let head = r.history.last().map(|h| h.hash.to_string());
        let head = head.as_deref();
        verify_history(r, head).unwrap_or_else(|e| panic!("{seeds}: {e}"));
    }
    let mut invoiced: BTreeMap<&str, usize> = BTreeMap::new();
    for o in &round_outcomes {
        if let (Outcome::Applied { to: State::Invoiced, .. }, Some(subject)) = (&o.outcome, &o.subject) {
            *invoiced.entry(subject).or_default() += 1;
        }
    }
    assert!(invoiced.values().all(|n| *n == 1), "{seeds}: {invoiced:?}");

    // 6. One batch gives the same outcomes, records and ledger as the cut rounds did.
    let whole = apply_events(Vec::new(), SeenLedger::default(), delivered, policy).unwrap();
    let key = |o: &EventOutcome| (o.event_id.clone(), o.outcome.clone());
    assert!(whole.outcomes.iter().map(key).eq(round_outcomes.iter().map(key)), "{seeds}");
    assert_eq!(whole.records, end_records, "{seeds}");
    assert_eq!(whole.seen, end_seen, "{seeds}");

    // 4. Applying the history again changes nothing.
    let again = apply_events(whole.records, whole.seen, deliveries, policy).unwrap();
    assert_eq!(again.records, end_records, "{seeds}");
    assert!(
        again.outcomes.iter().all(|o| !matches!(o.outcome, Outcome::Applied { .. } | Outcome::Exceptioned { .. })),
        "{seeds}"
    );
}

fn histories() -> u64 {
    std::env::var("SYNC_SIM_HISTORIES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

/// Histories run together in one stream.
const GROUP: u64 = 250;

/// Run this test's quarter of the seeds, a group at a time.
fn run_quarter(quarter: u64) {
    let policy = policy();
    let total = histories();
    let mut start = quarter * GROUP;
    while start < total {
        check(start..(start + GROUP).min(total), &policy);
        start += 4 * GROUP;
    }
}

#[test]
fn simulation_quarter_0() {
    run_quarter(0);
}

#[test]
fn simulation_quarter_1() {
    run_quarter(1);
}

#[test]
fn simulation_quarter_2() {
    run_quarter(2);
}

#[test]
fn simulation_quarter_3() {
    run_quarter(3);
}

#[test]
fn the_generator_makes_every_kind_of_trouble() {
    // Over the first 2,000 histories, each kind of outcome the noise should cause appears.
    let policy = policy();
    let mut seen: BTreeMap<OutcomeKind, usize> = BTreeMap::new();
    let mut end_states: BTreeMap<State, usize> = BTreeMap::new();
    for seed in 0..2_000 {
        let history = generate(seed);
        let (_, outcomes, records, _) = deliver(&history.deliveries, &[], &policy);
        for o in outcomes {
            *seen.entry(o.outcome.kind()).or_default() += 1;
        }
        for r in records {
            *end_states.entry(r.state).or_default() += 1;
        }
    }
    for kind in [
        OutcomeKind::Applied,
        OutcomeKind::Exceptioned,
        OutcomeKind::Duplicate,
        OutcomeKind::IdempotencyConflict,
        OutcomeKind::StaleEvent,
        OutcomeKind::OutOfOrder,
        OutcomeKind::IllegalTransition,
    ] {
        assert!(seen.get(&kind).copied().unwrap_or(0) > 0, "no {kind:?} in 2,000 histories: {seen:?}");
    }
    for state in [State::Invoiced, State::Reversed, State::Exceptioned, State::Rejected] {
        assert!(end_states.get(&state).copied().unwrap_or(0) > 0, "no history ends {state}: {end_states:?}");
    }
}

/// A policy whose seen ledger forgets fast: 2 seconds of event time, against histories whose
/// events are a second apart (and 250 histories share those seconds), so most duplicates and
/// conflicting replays arrive after their entry was forgotten.
fn forgetful_policy() -> SyncPolicy {
    let mut p = policy();
    p.retention_seconds = 2;
    p
}

/// Every invariant also holds when the memory of seen events is short: a forgotten duplicate is
/// decided by the version check alone (`docs/sync.md`, "Deduplication"), and nothing is applied
/// twice. A fifth as many histories as the main simulation (20,000 by default).
#[test]
fn simulation_with_a_short_memory() {
    let policy = forgetful_policy();
    let total = histories() / 5;
    let mut start = 0;
    while start < total {
        check(start..(start + GROUP).min(total), &policy);
        start += GROUP;
    }
}

/// The short memory is exercised, and changes outcomes but never records: over the first
/// 2,000 histories the same deliveries give fewer `duplicate` and `idempotency_conflict`
/// outcomes and more `stale_event`s than with the default retention, and the same records.
#[test]
fn a_short_memory_turns_duplicates_into_stale_events_and_leaves_records_alone() {
    let count =
        |outcomes: &[EventOutcome], kind: OutcomeKind| outcomes.iter().filter(|o| o.outcome.kind() == kind).count();
    let (mut remembered, mut forgotten) = (Vec::new(), Vec::new());
    for first in (0..2_000).step_by(GROUP as usize) {
        let mut deliveries = Vec::new();
        for seed in first..first + GROUP {
            deliveries.extend(generate(seed).deliveries);
        }
        let (_, long, long_records, _) = deliver(&deliveries, &[], &policy());
        let (_, short, short_records, short_seen) = deliver(&deliveries, &[], &forgetful_policy());
        assert_eq!(short_records, long_records, "seeds {first}..");
        assert!(
            short_seen.entries.len() < deliveries.len() / 10,
            "the short memory keeps {}",
            short_seen.entries.len()
        );
        remembered.extend(long);
        forgotten.extend(short);
    }
    for kind in [OutcomeKind::Duplicate, OutcomeKind::IdempotencyConflict] {
        assert!(count(&forgotten, kind) < count(&remembered, kind), "{kind:?}");
    }
    assert!(count(&forgotten, OutcomeKind::StaleEvent) > count(&remembered, OutcomeKind::StaleEvent));
}
