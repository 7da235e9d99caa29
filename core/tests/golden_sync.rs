//! Pins whole `apply_events`, `verify_history` and `verify_webhook` response
//! documents, byte for byte.
//!
//! One generated batch (deterministic, no randomness crate) reaches every
//! outcome: applied, duplicate, idempotency_conflict, stale_event,
//! out_of_order, illegal_transition (with every hint), exceptioned (failures
//! with code and detailed reasons, caller-transient codes, every
//! segregation-of-duties reason) and invalid (every kind of malformed event),
//! with strings that need escaping, extension attributes, number texts, two
//! sources, both kinds, and a second call that continues from the first one's
//! records and ledger with a retention short enough to forget entries. The
//! responses were written by the implementation before the performance work
//! (`sync-perf`) and must never change by accident: the files are the
//! contract that internal changes keep every result, audit hashes included.
//!
//! To regenerate after a deliberate change of output:
//! `UPDATE_GOLDEN=1 cargo test -p billable --test golden_sync`, and review the diff.

mod common;

use serde_json::{Value, json};

/// A 64-bit LCG (Knuth's MMIX constants), so the batch is the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// An instant `minute` minutes after 2026-03-02T08:00+01:00, in one of a few offsets.
fn time(minute: u64, style: u64) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2026-03-02T08:00:00+01:00").unwrap()
        + chrono::TimeDelta::minutes(minute as i64);
    match style % 3 {
        0 => base.to_rfc3339(),
        1 => base.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        _ => base.with_timezone(&chrono::FixedOffset::west_opt(5 * 3600).unwrap()).to_rfc3339(),
    }
}

/// A value from its JSON text, so number texts stay as written (`1.50`, `2.0`).
fn raw(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// `text`'s object with the fields of `more` added.
fn raw_with(text: &str, more: Value) -> Value {
    let mut v = raw(text);
    for (k, x) in more.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn event(id: &str, source: &str, ty: &str, subject: &str, at: &str, data: Value) -> Value {
    json!({"specversion": "1.0", "id": id, "source": source, "type": ty, "subject": subject, "time": at,
           "data": data})
}

/// A generated stream: records walking the lifecycle with noise.
fn generated(rng: &mut Lcg, prefix: &str, records: usize, minute0: u64) -> Vec<Value> {
    let sources = ["psa://acme/timesheets", "erp:sync"];
    let workers = ["w0", "w1", "w2", "w\u{e9}5"];
    let approvers = ["w0", "w2", "w\u{e9}5", "mgr", "w1"];
    let reasons: [Value; 6] = [
        json!("timeout"),
        json!("rate_missing"),
        json!({"code": "erp_locked", "retryable": true}),
        json!({"code": "downstream_unavailable", "retryable": false}),
        json!("custom_glitch"),
        json!({"code": "tax_rule_missing"}),
    ];
    let mut lanes: Vec<Vec<Value>> = Vec::new();
    for r in 0..records {
        let kind = if r % 3 == 2 { "expense" } else { "timesheet" };
        let subject = format!("{prefix}-{kind}-{r:03}");
        let source = sources[r % 2];
        let worker = workers[rng.below(4) as usize];
        let project = format!("p{}", rng.below(4));
        let mut lane = Vec::new();
        let mut version = 0u64;
        let mut minute = minute0 + rng.below(30);
        let mut state = "none";
        let mut failed_in = "none";
        let steps = 2 + rng.below(9);
        for k in 0..steps {
            minute += 1 + rng.below(20);
            let id = format!("{subject}.{k}");
            let (ty, mut data, next): (String, Value, &str) = match state {
                "none" | "rejected" => (
                    format!("{kind}.submitted"),
                    json!({"worker_id": worker, "project_id": project, "actor": worker}),
                    "submitted",
                ),
                "submitted" => match rng.below(6) {
                    0 => (format!("{kind}.rejected"), json!({"actor": "mgr"}), "rejected"),
                    1 => (
                        "record.failed".into(),
                        json!({"reasons": [reasons[rng.below(6) as usize].clone()]}),
                        "exceptioned",
                    ),
                    _ => {
                        let approver = approvers[rng.below(5) as usize];
                        let mut d = json!({"approver_id": approver});
                        if rng.chance(20) {
                            d["project_id"] = json!("p9");
                        }
                        if rng.chance(20) {
                            d["worker_id"] = json!(worker);
                        }
                        (format!("{kind}.approved"), d, "approved?")
                    }
                },
                "approved" | "enriched" | "validated" | "posted" => match rng.below(10) {
                    0 if state != "posted" => ("approval.revoked".into(), json!({}), "submitted"),
                    1 | 2 => {
                        // Two different reasons: a code given twice is an invalid event. The second
                        // draw moves on by one when it repeats the first, so the stream stays the same.
                        let (a, b) = (rng.below(6) as usize, rng.below(6) as usize);
                        let b = if a == b { (b + 1) % 6 } else { b };
                        (
                            "record.failed".into(),
                            json!({"reasons": [reasons[a].clone(), reasons[b].clone()]}),
                            "exceptioned",
                        )
                    }
                    3 if state == "posted" => ("record.reversed".into(), json!({"actor": "erp"}), "reversed"),
                    _ => match state {
                        "approved" => ("record.enriched".into(), json!({"actor": "sync"}), "enriched"),
                        "enriched" => ("record.validated".into(), json!({}), "validated"),
                        "validated" => ("record.posted".into(), json!({"actor": "erp", "batch": 7}), "posted"),
                        _ => (
                            "record.invoiced".into(),
                            raw(r#"{"invoice": {"no": "INV-1", "total": 1.50}}"#),
                            "invoiced",
                        ),
                    },
                },
                "exceptioned" => match rng.below(5) {
                    0 if failed_in == "submitted" => (format!("{kind}.rejected"), json!({}), "rejected"),
                    1 => ("approval.revoked".into(), json!({}), "submitted?"),
                    _ => ("record.retried".into(), json!({"actor": "ops"}), "retried"),
                },
                "invoiced" => ("record.reversed".into(), json!({}), "reversed"),
                _ => break,
            };
            if state != "none" {
                data["expected_version"] = json!(version);
            }
            let mut ev = event(&id, source, &ty, &subject, &time(minute, rng.below(3)), data);
            if rng.chance(40) {
                ev["correlationid"] = json!(format!("corr-{r}-{}", k / 2));
            }
            if rng.chance(10) {
                ev["traceparent"] = json!("00-abc-def-01");
            }
            // Delivery noise: a conflicting replay before, an exact duplicate after.
            if rng.chance(8) {
                let mut conflicting = ev.clone();
                conflicting["data"]["actor"] = json!("replayer");
                lane.push(conflicting);
            }
            lane.push(ev.clone());
            if rng.chance(12) {
                lane.push(ev.clone());
            }
            // A stale copy under a new id, and an event from the future.
            if version > 0 && rng.chance(8) {
                let mut stale = ev.clone();
                stale["id"] = json!(format!("{id}.stale"));
                stale["data"]["expected_version"] = json!(version - 1);
                lane.push(stale);
            }
            if rng.chance(6) {
                let mut ahead = ev.clone();
                ahead["id"] = json!(format!("{id}.ahead"));
                ahead["data"]["expected_version"] = json!(version + 2);
                lane.push(ahead);
            }
            // An illegal event (mostly) at the version the step leads to.
            if rng.chance(12) {
                let ty = [
                    "record.posted",
                    "record.invoiced",
                    "record.enriched",
                    "record.validated",
                    "record.retried",
                    "approval.revoked",
                    "record.reversed",
                    "timesheet.submitted",
                    "expense.approved",
                    "record.failed",
                ][rng.below(10) as usize];
                let data = json!({"expected_version": version + 1, "approver_id": "mgr", "reasons": ["timeout"],
                                  "worker_id": "w1", "project_id": "p1"});
                lane.push(event(&format!("{id}.x"), source, ty, &subject, &time(minute, 0), data));
            }
            version += 1;
            state = match next {
                "approved?" => {
                    let d = &ev["data"];
                    let authorized = match d["approver_id"].as_str().unwrap() {
                        "w0" => ["p0", "p1"].contains(&project.as_str()),
                        "w2" => ["p2", "p3"].contains(&project.as_str()),
                        "mgr" => true,
                        _ => false,
                    };
                    let ok = authorized
                        && d["approver_id"].as_str() != Some(worker)
                        && d.get("project_id").is_none_or(|p| p == project.as_str());
                    if ok {
                        "approved"
                    } else {
                        failed_in = "submitted";
                        "exceptioned"
                    }
                }
                "submitted?" => {
                    if ["approved", "enriched", "validated"].contains(&failed_in) {
                        "submitted"
                    } else {
                        version -= 1;
                        state
                    }
                }
                "retried" => failed_in,
                "exceptioned" => {
                    failed_in = state;
                    "exceptioned"
                }
                n => n,
            };
        }
        lanes.push(lane);
    }
    // Interleave the lanes, then swap neighbours now and then (out_of_order, redelivered later).
    let mut out = Vec::new();
    let mut cursors = vec![0; lanes.len()];
    let total: usize = lanes.iter().map(Vec::len).sum();
    while out.len() < total {
        let l = rng.below(lanes.len() as u64) as usize;
        if cursors[l] < lanes[l].len() {
            out.push(lanes[l][cursors[l]].clone());
            cursors[l] += 1;
        }
    }
    for i in 1..out.len() {
        if rng.chance(10) {
            out.swap(i, i - 1);
        }
    }
    out
}

/// Malformed events, each another way, and a few hand-picked edge cases that apply.
fn edge_cases() -> Vec<Value> {
    let at = "2026-03-02T09:00:00+01:00";
    let ok = |id: &str, ty: &str, subject: &str, data: Value| event(id, "edge", ty, subject, at, data);
    let mut v = vec![json!("not an object"), json!(42), json!(null), json!([1, 2]), json!({})];
    let base = ok("x1", "timesheet.submitted", "edge-1", json!({"worker_id": "w1", "project_id": "p1"}));
    for field in ["specversion", "id", "source", "type", "subject", "time"] {
        let mut e = base.clone();
        e.as_object_mut().unwrap().remove(field);
        e["id"] = if field == "id" { Value::Null } else { json!(format!("missing-{field}")) };
        if field == "id" {
            e.as_object_mut().unwrap().remove("id");
        }
        v.push(e);
    }
    let edits: Vec<(&str, Value)> = vec![
        ("specversion", json!("0.3")),
        ("specversion", raw("1.0")),
        ("id", json!("")),
        ("source", json!("")),
        ("subject", json!("")),
        ("id", json!(17)),
        ("type", json!("timesheet.posted")),
        ("type", json!("invoice.paid")),
        ("type", json!("submitted")),
        ("time", json!("2026-03-02T09:00:00")),
        ("time", json!("2026-02-30T09:00:00Z")),
        ("time", json!("yesterday")),
        ("time", json!(1614265330)),
        ("data", json!("text")),
        ("data", json!([1])),
        ("correlationid", json!(5)),
        ("subject", json!({"id": "x"})),
    ];
    for (i, (field, value)) in edits.into_iter().enumerate() {
        let mut e = base.clone();
        e[field] = value;
        if field != "id" {
            e["id"] = json!(format!("edit-{i}"));
        }
        v.push(e);
    }
    let datas = [
        ("record.posted", json!({})),
        ("record.posted", json!({"expected_version": -1})),
        ("record.posted", raw(r#"{"expected_version": 1.5}"#)),
        ("record.posted", json!({"expected_version": "abc"})),
        ("record.posted", raw(r#"{"expected_version": 1e3}"#)),
        ("record.posted", raw(r#"{"expected_version": 99999999999999999999999}"#)),
        ("record.posted", json!({"expected_version": null})),
        ("timesheet.submitted", json!({"project_id": "p1"})),
        ("timesheet.submitted", json!({"worker_id": "w1"})),
        ("expense.submitted", json!({"worker_id": 7, "project_id": "p1"})),
        ("timesheet.approved", json!({"expected_version": 1})),
        ("timesheet.approved", json!({"expected_version": 1, "approver_id": ["a"]})),
        ("record.failed", json!({"expected_version": 1})),
        ("record.failed", json!({"expected_version": 1, "reasons": []})),
        ("record.failed", json!({"expected_version": 1, "reasons": ["timeout", ""]})),
        ("record.failed", json!({"expected_version": 1, "reasons": [{"retryable": true}]})),
        ("record.failed", json!({"expected_version": 1, "reasons": [{"code": "x", "retryable": "yes"}]})),
        ("record.failed", json!({"expected_version": 1, "reasons": "timeout"})),
        ("record.enriched", json!({"expected_version": 1, "actor": 3})),
    ];
    for (i, (ty, data)) in datas.into_iter().enumerate() {
        v.push(ok(&format!("data-{i}"), ty, "edge-1", data));
    }
    // Edge cases that read: escaping everywhere, number texts, versions as strings and `2.0`,
    // a kind mismatch, approvals naming another worker or project, a record that does not exist.
    let tricky = "quote\" back\\slash\ttab\nnl \u{1} \u{e9}\u{1F600}";
    let mut submit = ok(
        &format!("{tricky}-1"),
        "timesheet.submitted",
        tricky,
        json!({"worker_id": tricky,
        "project_id": "p1", "actor": tricky, "note": raw(r#"{"z": 1.0, "a": [true, null, "x"], "m": -0.0, "big": 1e400, "n": 10}"#)}),
    );
    submit["source"] = json!(tricky);
    submit["correlationid"] = json!(tricky);
    submit["zext"] = json!({"b": 1, "a": 2});
    v.push(submit.clone());
    let mut approve = ok(
        &format!("{tricky}-2"),
        "timesheet.approved",
        tricky,
        json!({"expected_version": "1", "approver_id": "mgr", "worker_id": tricky, "project_id": "p1"}),
    );
    approve["source"] = json!(tricky);
    v.push(approve);
    let mut fail = ok(
        &format!("{tricky}-3"),
        "record.failed",
        tricky,
        raw_with(
            r#"{"expected_version": 2.0}"#,
            json!({"reasons": ["custom_glitch", {"code": "timeout", "retryable": false}, "rate_limited"]}),
        ),
    );
    fail["source"] = json!(tricky);
    v.push(fail);
    v.push(ok("e-kind", "expense.approved", tricky, json!({"expected_version": 3, "approver_id": "mgr"})));
    v.push(ok("e-ghost", "record.posted", "ghost", json!({"expected_version": 0})));
    v.push(ok("e-ghost2", "timesheet.approved", "ghost", json!({"expected_version": 0, "approver_id": "mgr"})));
    v.push(ok("e-s2", "expense.submitted", "edge-2", json!({"worker_id": "w1", "project_id": "p1"})));
    v.push(ok(
        "e-s2a",
        "expense.approved",
        "edge-2",
        json!({"expected_version": 1, "approver_id": "w1", "worker_id": "w9", "project_id": "p7"}),
    ));
    v.push(ok("e-s2b", "expense.rejected", "edge-2", json!({"expected_version": 2})));
    v.push(ok(
        "e-s2c",
        "expense.submitted",
        "edge-2",
        json!({"expected_version": 3, "worker_id": "w1", "project_id": "p2"}),
    ));
    v.push(ok(
        "e-s2d",
        "expense.submitted",
        "edge-2",
        json!({"expected_version": 4, "worker_id": "w1", "project_id": "p2"}),
    ));
    // The same key from another source is another event.
    let mut other = ok("e-s2b", "expense.rejected", "edge-2", json!({"expected_version": 4}));
    other["source"] = json!("edge2");
    v.push(other);
    v
}

fn policy(retention: u64) -> Value {
    json!({
        "retention_seconds": retention,
        "approvers": {"p0": ["w0", "mgr"], "p1": ["w0", "mgr", "w1"], "p2": ["mgr"], "p3": ["mgr"]},
        "workers": [
            {"id": "w2", "name": "Cy", "role": "senior", "employment": {"status": "active", "start": "2020-01-01"},
             "approver_for": ["p2", "p3"]}
        ],
        "transient_reasons": ["custom_glitch", "erp_locked"]
    })
}

/// The responses, in order: two `apply_events` calls (the second continues the first),
/// `verify_history` on the result with edits, and `verify_webhook` cases.
fn responses() -> Vec<(&'static str, String)> {
    let mut rng = Lcg(20_260_302);
    let mut first_events = edge_cases();
    first_events.extend(generated(&mut rng, "a", 90, 0));
    let first = json!({"events": first_events, "policy": policy(7 * 24 * 3600)});
    let first_out = call("apply_events", &first);
    let first_doc: Value = serde_json::from_str(&first_out).unwrap();

    // The second call: some of the first batch again (duplicates and, past the retention, stale),
    // and new records; a short retention forgets most of the first call's ledger.
    let mut second_events: Vec<Value> = first_events.iter().step_by(7).cloned().collect();
    second_events.extend(generated(&mut rng, "b", 40, 600));
    let second = json!({"records": first_doc["records"], "seen": first_doc["seen"], "events": second_events,
                        "policy": policy(3 * 3600)});
    let second_out = call("apply_events", &second);
    let second_doc: Value = serde_json::from_str(&second_out).unwrap();

    // verify_history: every record as returned, then edits that each break a chain another way.
    let mut records = second_doc["records"].as_array().unwrap().clone();
    let heads: serde_json::Map<String, Value> = records
        .iter()
        .step_by(3)
        .filter_map(|r| Some((r["id"].as_str()?.to_string(), r["history"].as_array()?.last()?["hash"].clone())))
        .collect();
    let mut heads = heads;
    let long: Vec<usize> =
        (0..records.len()).filter(|&i| records[i]["history"].as_array().unwrap().len() >= 3).collect();
    let edit = |records: &mut Vec<Value>, i: usize, f: &dyn Fn(&mut Value)| f(&mut records[i]);
    edit(&mut records, long[0], &|r| r["history"][1]["actor"] = json!("mallory"));
    edit(&mut records, long[1], &|r| r["history"].as_array_mut().unwrap().swap(0, 1));
    edit(&mut records, long[2], &|r| {
        r["history"].as_array_mut().unwrap().remove(1);
    });
    edit(&mut records, long[3], &|r| {
        r["history"].as_array_mut().unwrap().pop();
    });
    edit(&mut records, long[4], &|r| r["version"] = json!(r["version"].as_u64().unwrap() + 1));
    edit(&mut records, long[5], &|r| r["id"] = json!("moved"));
    edit(&mut records, long[6], &|r| r["history"][0]["prev_hash"] = json!("0".repeat(64)));
    heads.insert(records[long[7]]["id"].as_str().unwrap().to_string(), json!("f".repeat(64)));
    let verify = json!({"records": records, "expected_heads": heads});
    let verify_out = call("verify_history", &verify);

    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let signed = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    let webhook = |headers: Value, payload: &str, now: &str| json!({"secret": secret, "headers": headers, "payload": payload, "now": now});
    let h =
        |id: &str, ts: &str, sig: &str| json!({"webhook-id": id, "webhook-timestamp": ts, "webhook-signature": sig});
    let payload = "{\"test\": 2432232314}";
    let cases = [
        webhook(h("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", signed), payload, "2021-02-25T15:02:10Z"),
        webhook(
            h("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", &format!("v1a,xyz v1,bm90 {signed}")),
            payload,
            "2021-02-25T15:07:10Z",
        ),
        webhook(h("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", signed), payload, "2021-02-25T15:07:11Z"),
        webhook(
            h("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", signed),
            "{\"test\": 2432232315}",
            "2021-02-25T15:02:10Z",
        ),
        webhook(
            json!({"Webhook-Id": "m", "WEBHOOK-TIMESTAMP": "x", "webhook-signature": signed}),
            payload,
            "2021-02-25T15:02:10Z",
        ),
        webhook(json!({"webhook-id": "m", "webhook-timestamp": "1614265330"}), payload, "2021-02-25T15:02:10Z"),
        webhook(h("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,!!!"), payload, "2021-02-25T15:02:10Z"),
    ];
    let mut webhooks = String::from("[");
    for (i, case) in cases.iter().enumerate() {
        if i > 0 {
            webhooks.push(',');
        }
        webhooks.push_str(&call("verify_webhook", case));
    }
    webhooks.push(']');
    let mut bad_secret = cases[0].clone();
    bad_secret["secret"] = json!("whsec_***");
    webhooks.insert_str(webhooks.len() - 1, &format!(",{}", call("verify_webhook", &bad_secret)));

    vec![
        ("sync-apply-1.json", first_out),
        ("sync-apply-2.json", second_out),
        ("sync-verify-history.json", verify_out),
        ("sync-verify-webhook.json", webhooks),
    ]
}

/// The two `apply_events` requests of [`responses`] (the second built from the golden first
/// response, so this does not depend on the operation under test).
fn apply_requests() -> [Value; 2] {
    let mut rng = Lcg(20_260_302);
    let mut first_events = edge_cases();
    first_events.extend(generated(&mut rng, "a", 90, 0));
    let first = json!({"events": first_events, "policy": policy(7 * 24 * 3600)});
    let mut second_events: Vec<Value> = first_events.iter().step_by(7).cloned().collect();
    second_events.extend(generated(&mut rng, "b", 40, 600));
    let golden: Value = serde_json::from_str(&golden_text("sync-apply-1.json")).unwrap();
    let second = json!({"records": golden["records"], "seen": golden["seen"], "events": second_events,
                        "policy": policy(3 * 3600)});
    [first, second]
}

fn golden_text(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

/// `apply_event_texts` over the events' JSON texts (compact, and with whitespace) gives the
/// golden responses byte for byte: the text path reads, fingerprints and decides exactly as
/// the `Value` path. Every malformed case of the batch is in it, so both the fast reader and
/// its fallback to serde_json are covered.
#[test]
fn event_texts_give_the_golden_responses() {
    use billable::api::{ApiVersion, ApplyEventsResponse};
    use billable::sync::{SeenLedger, SyncPolicy, SyncRecord, apply_event_texts};
    for (request, file) in apply_requests().iter().zip(["sync-apply-1.json", "sync-apply-2.json"]) {
        let records: Vec<SyncRecord> = serde_json::from_value(request["records"].clone()).unwrap_or_default();
        let seen: SeenLedger = serde_json::from_value(request["seen"].clone()).unwrap_or_default();
        let policy: SyncPolicy = billable::wire::from_value(request["policy"].clone()).unwrap();
        let events = request["events"].as_array().unwrap();
        let texts: [Vec<String>; 2] = [
            events.iter().map(|e| serde_json::to_string(e).unwrap()).collect(),
            events.iter().map(|e| serde_json::to_string_pretty(e).unwrap()).collect(),
        ];
        for texts in texts {
            let applied =
                apply_event_texts(records.clone(), seen.clone(), texts.iter().map(String::as_str), &policy).unwrap();
            let out = billable::wire::to_json(&ApplyEventsResponse { api_version: ApiVersion, applied }).unwrap();
            assert!(out == golden_text(file), "{file}: apply_event_texts differs from the golden response");
        }
    }
}

/// The response document, or the error document when the call fails as a whole.
fn call(operation: &str, request: &Value) -> String {
    match billable::api::call_json(operation, &serde_json::to_string(request).unwrap()) {
        Ok(out) => out,
        Err(e) => serde_json::to_string(&json!({"error": e})).unwrap(),
    }
}

#[test]
fn sync_responses_are_byte_identical_to_the_golden_files() {
    let mut all = String::new();
    for (file, out) in responses() {
        all.push_str(&out);
        common::check_golden(file, &out);
    }
    // The batch reaches every outcome and every path it is meant to pin.
    for needle in [
        "\"outcome\":\"applied\"",
        "\"outcome\":\"duplicate\"",
        "\"outcome\":\"idempotency_conflict\"",
        "\"outcome\":\"stale_event\"",
        "\"outcome\":\"out_of_order\"",
        "\"outcome\":\"illegal_transition\"",
        "\"outcome\":\"exceptioned\"",
        "\"outcome\":\"invalid\"",
        "self_approval",
        "approver_not_authorized",
        "approval_context_mismatch",
        "\"code\":\"erp_locked\",\"retryable\":true",
        "\"code\":\"custom_glitch\",\"retryable\":true",
        "\"code\":\"downstream_unavailable\",\"retryable\":false",
        "post only from validated",
        "invoice only from posted",
        "enrich only an approved record",
        "validate only an enriched record",
        "only a posted or invoiced record can be reversed",
        "only a new or rejected record can be submitted",
        "only an exceptioned record can be retried",
        "does not exist; a record starts with",
        "is about a expense but record",
        "\"to\":\"reversed\"",
        "\"to\":\"invoiced\"",
        "\"to\":\"rejected\"",
        "history_tampered",
        "webhook_signature_invalid",
        "webhook_timestamp_out_of_tolerance",
        "webhook_malformed",
        "\"signature_index\":2",
    ] {
        assert!(all.contains(needle), "the golden batch no longer reaches {needle}");
    }
}
