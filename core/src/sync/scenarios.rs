//! Lifecycle scenarios a person can follow step by step, and properties of
//! `apply_events` over random event sequences.

use serde_json::{Value, json};

use super::*;

/// An event for `subject` at minute `minute` after 2026-03-02T09:00:00+01:00.
fn ev(id: &str, ty: &str, subject: &str, minute: u32, data: Value) -> Value {
    json!({
        "specversion": "1.0", "id": id, "source": "psa", "type": ty, "subject": subject,
        "time": format!("2026-03-02T{:02}:{:02}:00+01:00", 9 + minute / 60, minute % 60),
        "data": data, "correlationid": format!("corr-{id}")
    })
}

fn v(n: u64) -> Value {
    json!({ "expected_version": n })
}

fn submit(id: &str, subject: &str, minute: u32) -> Value {
    ev(id, "timesheet.submitted", subject, minute, json!({"worker_id": "w1", "project_id": "p1"}))
}

fn approve(id: &str, subject: &str, minute: u32, version: u64, approver: &str) -> Value {
    ev(id, "timesheet.approved", subject, minute, json!({"expected_version": version, "approver_id": approver}))
}

fn policy() -> SyncPolicy {
    let mut p = SyncPolicy::default();
    p.approvers.insert("p1".into(), vec!["mgr".into(), "w1".into()]);
    p
}

fn run(events: Vec<Value>) -> Applied {
    apply_events(vec![], SeenLedger::default(), events, &policy()).unwrap()
}

fn happy_path(subject: &str) -> Vec<Value> {
    vec![
        submit(&format!("{subject}-1"), subject, 0),
        approve(&format!("{subject}-2"), subject, 1, 1, "mgr"),
        ev(&format!("{subject}-3"), "record.enriched", subject, 2, v(2)),
        ev(&format!("{subject}-4"), "record.validated", subject, 3, v(3)),
        ev(&format!("{subject}-5"), "record.posted", subject, 4, v(4)),
        ev(&format!("{subject}-6"), "record.invoiced", subject, 5, v(5)),
    ]
}

#[test]
fn a_timesheet_goes_from_submitted_to_invoiced() {
    let out = run(happy_path("ts-1"));
    let steps: Vec<_> = out
        .outcomes
        .iter()
        .map(|o| match &o.outcome {
            Outcome::Applied { from, to, version } => (*from, *to, *version),
            other => panic!("{other:?}"),
        })
        .collect();
    use State::*;
    // Six events, six steps, the version counting them.
    assert_eq!(
        steps,
        [
            (None, Submitted, 1),
            (Some(Submitted), Approved, 2),
            (Some(Approved), Enriched, 3),
            (Some(Enriched), Validated, 4),
            (Some(Validated), Posted, 5),
            (Some(Posted), Invoiced, 6)
        ]
    );
    let r = &out.records[0];
    assert_eq!((r.state, r.version, r.history.len(), r.approved_by.as_deref()), (Invoiced, 6, 6, Some("mgr")));
    // The correlation id travels from event to outcome to history; the approver is the approval's actor.
    assert_eq!(out.outcomes[1].correlation_id.as_deref(), Some("corr-ts-1-2"));
    assert_eq!(r.history[1].correlation_id.as_deref(), Some("corr-ts-1-2"));
    assert_eq!(r.history[1].actor.as_deref(), Some("mgr"));
    assert_eq!(r.history[0].prev_hash, anchor_hash(RecordKind::Timesheet, "ts-1"));
    assert!(r.history.windows(2).all(|w| w[1].prev_hash == w[0].hash));
    verify_history(r, Some(&r.history[5].hash.to_string())).unwrap();
    assert_eq!(out.counters.by_state[&Invoiced], 1);
    assert_eq!(out.counters.by_outcome[&OutcomeKind::Applied], 6);
}

#[test]
fn illegal_events_name_state_and_event_and_change_nothing() {
    let mut events = happy_path("ts-1");
    events.truncate(3); // submitted, approved, enriched: version 3
    events.push(ev("x1", "record.posted", "ts-1", 9, v(3)));
    events.push(ev("x2", "record.invoiced", "ts-1", 9, v(3)));
    events.push(ev("x3", "record.enriched", "nobody", 9, v(0)));
    let out = run(events);
    let Outcome::IllegalTransition { state, event_type, message } = &out.outcomes[3].outcome else { panic!() };
    assert_eq!((*state, &**event_type), (Some(State::Enriched), "record.posted"));
    assert!(message.contains("post only from validated"), "{message}");
    let Outcome::IllegalTransition { message, .. } = &out.outcomes[4].outcome else { panic!() };
    assert!(message.contains("invoice only from posted"), "{message}");
    let Outcome::IllegalTransition { state: None, message, .. } = &out.outcomes[5].outcome else { panic!() };
    assert!(message.contains("does not exist"));
    assert_eq!((out.records[0].state, out.records[0].version), (State::Enriched, 3));
}

#[test]
fn segregation_of_duties_sends_the_approval_to_the_exception_queue() {
    let mut p = policy();
    p.approvers.insert("p1".into(), vec!["mgr".into(), "w1".into()]);
    let events = vec![
        submit("a1", "self", 0),
        approve("a2", "self", 1, 1, "w1"), // the worker approves own time: listed, but self
        submit("b1", "stranger", 0),
        approve("b2", "stranger", 2, 1, "eve"), // not listed for p1
        submit("c1", "mismatch", 0),
        ev(
            "c2",
            "timesheet.approved",
            "mismatch",
            3,
            json!({"expected_version": 1, "approver_id": "mgr", "project_id": "p2"}),
        ),
    ];
    let out = apply_events(vec![], SeenLedger::default(), events, &p).unwrap();
    let reasons = |i: usize| match &out.outcomes[i].outcome {
        Outcome::Exceptioned { from: State::Submitted, version: 2, reasons } => {
            reasons.iter().map(|r| (r.code.as_str(), r.retryable)).collect::<Vec<_>>()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(reasons(1), [("self_approval", false)]);
    assert_eq!(reasons(3), [("approver_not_authorized", false)]);
    // p2 differs from the submitted p1; mgr is listed for p1 (the record's project) so only the mismatch.
    assert_eq!(reasons(5), [("approval_context_mismatch", false)]);
    // A retry returns the record to submitted, where a rightful approver can approve it.
    let records = out.records.clone();
    let more = vec![ev("a3", "record.retried", "self", 4, v(2)), approve("a4", "self", 5, 3, "mgr")];
    let out = apply_events(records, out.seen, more, &p).unwrap();
    let r = out.records.iter().find(|r| r.id == "self").unwrap();
    assert_eq!((r.state, r.version, r.approved_by.as_deref()), (State::Approved, 4, Some("mgr")));
}

#[test]
fn workers_approver_for_authorizes_too() {
    let worker: crate::model::Worker = serde_json::from_value(json!({
        "id": "lead", "name": "Lead", "role": "manager", "employment": {"status": "active", "start": "2020-01-01"},
        "approver_for": ["p1"]
    }))
    .unwrap();
    let p = SyncPolicy { workers: vec![worker], ..SyncPolicy::default() };
    let out =
        apply_events(vec![], SeenLedger::default(), vec![submit("e1", "r", 0), approve("e2", "r", 1, 1, "lead")], &p)
            .unwrap();
    assert_eq!(out.records[0].state, State::Approved);
}

#[test]
fn duplicates_conflicts_stale_and_out_of_order() {
    let mut events = happy_path("ts-1");
    events.truncate(2); // version 2, approved
    events.push(approve("ts-1-2", "ts-1", 1, 1, "mgr")); // same key, same payload
    events.push(approve("ts-1-2", "ts-1", 1, 1, "w1")); // same key, another payload
    events.push(approve("late", "ts-1", 1, 1, "mgr")); // new key, but expects version 1 of 2
    events.push(ev("early", "record.validated", "ts-1", 3, v(3))); // expects 3: enrichment not here yet
    let out = run(events);
    assert_eq!(
        out.outcomes[2].outcome,
        Outcome::Duplicate {
            first: Box::new(Outcome::Applied { from: Some(State::Submitted), to: State::Approved, version: 2 })
        }
    );
    let Outcome::IdempotencyConflict { first_fingerprint, fingerprint } = &out.outcomes[3].outcome else { panic!() };
    assert_ne!(first_fingerprint, fingerprint);
    assert_eq!(out.outcomes[4].outcome, Outcome::StaleEvent { expected_version: 1, record_version: 2 });
    assert_eq!(out.outcomes[5].outcome, Outcome::OutOfOrder { expected_version: 3, record_version: 2 });
    // Remembered, in the order decided: the two applied and the stale one; not the conflict,
    // not the out-of-order one.
    let keys: Vec<_> = out.seen.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(keys, ["ts-1-1", "ts-1-2", "late"]);
    // The out-of-order event applies when delivered again after its predecessor.
    let more = vec![ev("ts-1-3", "record.enriched", "ts-1", 2, v(2)), ev("early", "record.validated", "ts-1", 3, v(3))];
    let out = apply_events(out.records, out.seen, more, &policy()).unwrap();
    assert_eq!(out.records[0].state, State::Validated);
}

#[test]
fn revocation_reversal_and_resubmission() {
    let mut events = happy_path("ts-1");
    events.truncate(3); // enriched, version 3
    events.extend([
        ev("r1", "approval.revoked", "ts-1", 10, v(3)),   // -> submitted (4)
        ev("r2", "timesheet.rejected", "ts-1", 11, v(4)), // -> rejected (5)
        submit("r3", "ts-1", 12),                         // no expected_version: 0 < 5, stale
        ev(
            "r4",
            "timesheet.submitted",
            "ts-1",
            12,
            json!({"expected_version": 5, "worker_id": "w1", "project_id": "p1"}),
        ),
        approve("r5", "ts-1", 13, 6, "mgr"),             // 7
        ev("r6", "record.enriched", "ts-1", 14, v(7)),   // 8
        ev("r7", "record.validated", "ts-1", 15, v(8)),  // 9
        ev("r8", "record.posted", "ts-1", 16, v(9)),     // 10
        ev("r9", "approval.revoked", "ts-1", 17, v(10)), // illegal after posting
        ev("r10", "record.reversed", "ts-1", 18, v(10)), // 11
        ev("r11", "record.invoiced", "ts-1", 19, v(11)), // illegal: reversed is final
    ]);
    let out = run(events);
    let kinds: Vec<_> = out.outcomes[3..].iter().map(|o| o.outcome.kind()).collect();
    use OutcomeKind::*;
    assert_eq!(
        kinds,
        [
            Applied,
            Applied,
            StaleEvent,
            Applied,
            Applied,
            Applied,
            Applied,
            Applied,
            IllegalTransition,
            Applied,
            IllegalTransition
        ]
    );
    let Outcome::IllegalTransition { message, .. } = &out.outcomes[11].outcome else { panic!() };
    assert!(message.contains("after posting, only a reversal"), "{message}");
    let r = &out.records[0];
    assert_eq!((r.state, r.version, r.approved_by.as_deref()), (State::Reversed, 11, Some("mgr")));
    verify_history(r, None).unwrap();
}

#[test]
fn failures_queue_by_reason_oldest_first_and_retry_returns_to_the_stage() {
    let mut events = Vec::new();
    for (subject, minute) in [("b", 30), ("a", 40), ("c", 20)] {
        events.push(submit(&format!("{subject}1"), subject, 0));
        events.push(approve(&format!("{subject}2"), subject, 1, 1, "mgr"));
        events.push(ev(&format!("{subject}3"), "record.enriched", subject, 2, v(2)));
        let reasons = if subject == "a" { json!(["rate_missing"]) } else { json!(["timeout", "rate_missing"]) };
        events.push(ev(
            &format!("{subject}4"),
            "record.failed",
            subject,
            minute,
            json!({"expected_version": 3, "reasons": reasons}),
        ));
    }
    let out = run(events);
    assert_eq!(out.counters.by_state[&State::Exceptioned], 3);
    assert_eq!((out.counters.by_reason["rate_missing"], out.counters.by_reason["timeout"]), (3, 2));
    let q: Vec<_> = out
        .exception_queue
        .iter()
        .map(|q| (q.reason.as_str(), q.retryable, q.items.iter().map(|i| i.record_id.as_str()).collect::<Vec<_>>()))
        .collect();
    // rate_missing needs a person; timeout is transient. Oldest first: c (09:20), b (09:30), a (09:40).
    assert_eq!(q, [("rate_missing", false, vec!["c", "b", "a"]), ("timeout", true, vec!["c", "b"])]);
    assert_eq!(out.exception_queue[0].items[0].failed_in, Some(State::Enriched));
    assert_eq!(out.exception_queue[0].items[0].correlation_id.as_deref(), Some("corr-c4"));
    let more = vec![ev("a5", "record.retried", "a", 50, v(4)), ev("a6", "record.validated", "a", 51, v(5))];
    let out = apply_events(out.records, out.seen, more, &policy()).unwrap();
    let a = &out.records[0];
    assert_eq!((a.id.as_str(), a.state, a.failed_in, a.reasons.len()), ("a", State::Validated, None, 0));
    assert_eq!(a.history[4].from, Some(State::Exceptioned));
    assert_eq!(a.history[4].to, State::Enriched);
}

#[test]
fn a_duplicate_older_than_the_retention_is_stale_not_reapplied() {
    let p = SyncPolicy { retention_seconds: 3600, ..policy() };
    let first = vec![submit("e1", "r", 0), approve("e2", "r", 1, 1, "mgr")];
    let out = apply_events(vec![], SeenLedger::default(), first, &p).unwrap();
    // Two hours later (event time), an unrelated event moves the newest time on: e1, e2 are forgotten.
    let later = vec![submit("f1", "other", 150)];
    let out = apply_events(out.records, out.seen, later, &p).unwrap();
    assert_eq!(out.seen.entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["f1"]);
    let again = vec![approve("e2", "r", 1, 1, "mgr")];
    let out = apply_events(out.records, out.seen, again, &p).unwrap();
    assert_eq!(out.outcomes[0].outcome, Outcome::StaleEvent { expected_version: 1, record_version: 2 });
    let r = out.records.iter().find(|r| r.id == "r").unwrap();
    assert_eq!((r.state, r.version), (State::Approved, 2));
}

#[test]
fn a_malformed_event_is_an_outcome_not_an_abort() {
    let mut events = happy_path("ts-1");
    events.truncate(2);
    events.insert(1, json!({"specversion": "1.0", "id": "bad"}));
    events.insert(2, json!("not an object"));
    let out = run(events);
    let Outcome::Invalid { error } = &out.outcomes[1].outcome else { panic!() };
    assert_eq!((error.code, error.path.as_str()), (crate::Code::MissingField, "events[1].source"));
    let Outcome::Invalid { error } = &out.outcomes[2].outcome else { panic!() };
    assert_eq!((error.code, error.path.as_str()), (crate::Code::InvalidType, "events[2]"));
    assert_eq!(out.records[0].state, State::Approved);
    assert_eq!(out.counters.by_outcome[&OutcomeKind::Invalid], 2);
}

#[test]
fn expense_events_do_not_apply_to_timesheets() {
    let events = vec![
        submit("e1", "r", 0),
        ev("e2", "expense.approved", "r", 1, json!({"expected_version": 1, "approver_id": "mgr"})),
    ];
    let out = run(events);
    let Outcome::IllegalTransition { message, .. } = &out.outcomes[1].outcome else { panic!() };
    assert!(message.contains("is a timesheet"), "{message}");
}

#[test]
fn an_event_text_with_a_key_twice_is_invalid_at_that_key() {
    // The fast reader refuses a repeated key and hands the text on; the general reader then
    // refuses it too, where a `Value` would have kept `e9` and applied the event.
    let texts = [
        r#"{"specversion":"1.0","id":"e1","id":"e9","source":"psa","type":"timesheet.submitted","subject":"r",
            "time":"2026-03-02T09:00:00+01:00","data":{"worker_id":"w1","project_id":"p1"}}"#,
        r#"{"specversion":"1.0","id":"e2","source":"psa","type":"timesheet.submitted","subject":"s",
            "time":"2026-03-02T09:00:00+01:00","data":{"worker_id":"w1","worker_id":"w2","project_id":"p1"}}"#,
    ];
    let out = super::apply_event_texts(vec![], SeenLedger::default(), texts, &policy()).unwrap();
    let paths: Vec<_> = out
        .outcomes
        .iter()
        .map(|o| match &o.outcome {
            Outcome::Invalid { error } => (error.code, error.path.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        paths,
        [
            (crate::Code::InvalidValue, "events[0].id".into()),
            (crate::Code::InvalidValue, "events[1].data.worker_id".into())
        ]
    );
    assert!(out.records.is_empty() && out.seen.entries.is_empty());
}

#[test]
fn duplicate_keys_in_the_input_are_errors_of_the_call() {
    let out = run(vec![submit("e1", "r", 0)]);
    let twice = vec![out.records[0].clone(), out.records[0].clone()];
    let e = apply_events(twice, SeenLedger::default(), vec![], &policy()).unwrap_err();
    assert_eq!((e.code, e.path.as_str()), (crate::Code::DuplicateId, "records[1].id"));
}

#[test]
fn verify_history_names_the_first_bad_entry() {
    let out = run(happy_path("ts-1"));
    let good = out.records[0].clone();
    let index_of = |r: &SyncRecord| {
        let e = verify_history(r, None).unwrap_err();
        assert_eq!(e.code, crate::Code::HistoryTampered);
        (e.details.as_ref().unwrap()["index"].as_u64().unwrap(), e.path)
    };
    let mut edited = good.clone();
    edited.history[2].at = crate::wire::parse_instant("2026-01-01T00:00:00Z").unwrap();
    assert_eq!(index_of(&edited), (2, "history[2]".to_string()));
    let mut deleted = good.clone();
    deleted.history.remove(3);
    assert_eq!(index_of(&deleted).0, 3);
    let mut inserted = good.clone();
    let copy = inserted.history[1].clone();
    inserted.history.insert(2, copy);
    assert_eq!(index_of(&inserted).0, 2);
    let mut reordered = good.clone();
    reordered.history.swap(3, 4);
    assert_eq!(index_of(&reordered).0, 3);
    // The end cut off: the record's state and version no longer match (index = length).
    let mut cut = good.clone();
    cut.history.pop();
    assert_eq!(index_of(&cut).0, 5);
    // Cut off with the record edited to match: only the kept head catches it.
    cut.state = State::Posted;
    cut.version = 5;
    assert!(verify_history(&cut, None).is_ok());
    let e = verify_history(&cut, Some(&good.history[5].hash.to_string())).unwrap_err();
    assert_eq!(e.details.unwrap()["index"], 5);
    // Moved to another record: the anchor differs.
    let mut moved = good.clone();
    moved.id = "ts-2".into();
    assert_eq!(index_of(&moved).0, 0);
}

#[test]
fn the_document_form_reaches_every_sync_operation() {
    let request = json!({"events": happy_path("ts-1"), "policy": {"approvers": {"p1": ["mgr"]}}});
    let out: Value =
        serde_json::from_str(&crate::api::call_json("apply_events", &request.to_string()).unwrap()).unwrap();
    assert_eq!(out["records"][0]["state"], "invoiced");
    assert_eq!(out["outcomes"][5]["outcome"], "applied");
    let check = json!({"records": out["records"]});
    let verdict: Value =
        serde_json::from_str(&crate::api::call_json("verify_history", &check.to_string()).unwrap()).unwrap();
    assert_eq!(verdict["valid"], true);
    // The ledger and records read back: the same events again are all duplicates.
    let again = json!({"records": out["records"], "seen": out["seen"], "events": happy_path("ts-1"),
                       "policy": {"approvers": {"p1": ["mgr"]}}});
    let out2: Value =
        serde_json::from_str(&crate::api::call_json("apply_events", &again.to_string()).unwrap()).unwrap();
    assert_eq!(out2["counters"]["by_outcome"]["duplicate"], 6);
    assert_eq!(out2["records"], out["records"]);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    const TYPES: [&str; 11] = [
        "timesheet.submitted",
        "timesheet.rejected",
        "timesheet.approved",
        "record.enriched",
        "record.validated",
        "record.posted",
        "record.invoiced",
        "record.failed",
        "record.retried",
        "approval.revoked",
        "record.reversed",
    ];

    /// Random events over three records: any type, any version 0..6, ids drawn from a small
    /// pool so that duplicates and conflicts happen.
    fn events() -> impl Strategy<Value = Vec<Value>> {
        proptest::collection::vec((0..12u32, 0..11usize, 0..3u8, 0..7u64, 0..3u8, 0..100u32), 0..40).prop_map(|raw| {
            raw.into_iter()
                .map(|(id, ty, subject, version, approver, minute)| {
                    let approver = ["mgr", "w1", "eve"][approver as usize];
                    let data = json!({"expected_version": version, "worker_id": "w1", "project_id": "p1",
                                      "approver_id": approver, "reasons": ["timeout"]});
                    ev(&format!("e{id}"), TYPES[ty], &format!("r{subject}"), minute, data)
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn batches_do_not_change_outcomes_and_a_replay_changes_nothing(events in events(), cut in 0usize..40) {
            let whole = run(events.clone());
            let cut = cut.min(events.len());
            let first = apply_events(vec![], SeenLedger::default(), events[..cut].to_vec(), &policy()).unwrap();
            let second = apply_events(first.records, first.seen, events[cut..].to_vec(), &policy()).unwrap();
            let strip = |o: &EventOutcome| (o.event_id.clone(), o.outcome.clone());
            let split: Vec<_> = first.outcomes.iter().chain(&second.outcomes).map(strip).collect();
            prop_assert_eq!(whole.outcomes.iter().map(strip).collect::<Vec<_>>(), split);
            prop_assert_eq!(&whole.records, &second.records);
            prop_assert_eq!(&whole.seen, &second.seen);
            for r in &whole.records {
                prop_assert!(verify_history(r, None).is_ok());
                prop_assert!(r.history.iter().filter(|h| h.to == State::Invoiced).count() <= 1);
            }
            // Replaying every event that got a final answer (an out-of-order event is not
            // remembered: delivered again, it may rightly apply now) changes nothing.
            let decided: Vec<Value> = events
                .into_iter()
                .zip(&whole.outcomes)
                .filter(|(_, o)| o.outcome.kind() != OutcomeKind::OutOfOrder)
                .map(|(e, _)| e)
                .collect();
            let replay = apply_events(whole.records.clone(), whole.seen.clone(), decided, &policy()).unwrap();
            prop_assert_eq!(&replay.records, &whole.records);
            for o in &replay.outcomes {
                prop_assert!(!matches!(o.outcome, Outcome::Applied { .. } | Outcome::Exceptioned { .. }), "{:?}", o);
            }
        }
    }
}
