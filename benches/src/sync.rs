//! Event streams for the sync-state machine benchmark: every record walks
//! submit, approve, enrich, a transient failure and its retry, validate, post
//! and invoice (8 events), and 2 of its events are delivered twice, so 10
//! events per record. Records advance in interleaved waves, like a sync
//! service sees them.

use serde_json::{Value, json};

use crate::Lcg;

/// `records` records' events (10 each), deterministic from `seed`.
pub fn event_stream(records: usize, seed: u64) -> Vec<Value> {
    let mut rng = Lcg::new(seed);
    let mut events = Vec::with_capacity(records * 10);
    let steps: [(&str, Value); 8] = [
        ("timesheet.submitted", json!({"worker_id": "w1", "project_id": "p1", "actor": "w1"})),
        ("timesheet.approved", json!({"expected_version": 1, "approver_id": "mgr"})),
        ("record.enriched", json!({"expected_version": 2, "actor": "sync"})),
        ("record.failed", json!({"expected_version": 3, "reasons": ["downstream_unavailable"]})),
        ("record.retried", json!({"expected_version": 4, "actor": "sync"})),
        ("record.validated", json!({"expected_version": 5, "actor": "sync"})),
        ("record.posted", json!({"expected_version": 6, "actor": "erp"})),
        ("record.invoiced", json!({"expected_version": 7, "actor": "erp"})),
    ];
    for (k, (ty, data)) in steps.iter().enumerate() {
        for r in 0..records {
            let subject = format!("ts-{r:06}");
            let event = json!({
                "specversion": "1.0",
                "id": format!("{subject}-{k}"),
                "source": "psa://acme/timesheets",
                "type": ty,
                "subject": subject,
                "time": format!("2026-03-{:02}T{:02}:{:02}:00+01:00", 2 + k, r / 60 % 24, r % 60),
                "data": data,
                "correlationid": format!("run-{}-{r}", k / 3),
            });
            // Two of each record's eight events arrive twice.
            if (r + k) % 4 == 0 {
                events.push(event.clone());
            }
            events.push(event);
        }
        // Shuffle neighbours a little; a record's steps stay in order (waves do not overlap).
        let start = events.len() - records - records.div_ceil(4);
        for i in start + 1..events.len() {
            if rng.below(4) == 0 {
                events.swap(i, i - 1);
            }
        }
    }
    events
}

/// The same stream as JSON texts (compact), for `apply_event_texts`.
pub fn event_texts(records: usize, seed: u64) -> Vec<String> {
    event_stream(records, seed).iter().map(Value::to_string).collect()
}
