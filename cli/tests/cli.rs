//! The `billable` binary end to end: responses on stdout, coded error
//! documents on stderr, the documented exit codes, no partial output.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_billable"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn error_of(out: &Output) -> (String, String) {
    assert!(out.stdout.is_empty(), "no partial output on stdout: {}", String::from_utf8_lossy(&out.stdout));
    let doc: serde_json::Value = serde_json::from_slice(&out.stderr).expect("stderr is one JSON document");
    assert_eq!(doc["api_version"], "1");
    (doc["error"]["code"].as_str().unwrap().into(), doc["error"]["path"].as_str().unwrap().into())
}

#[test]
fn rounds_10_005_usd_half_even_to_10_00() {
    let out = run(&["round"], r#"{"amount": "10.005", "currency": "USD", "mode": "half_even"}"#);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["amount"], "10.00");
    assert_eq!(doc["api_version"], "1");
}

#[test]
fn reads_a_file_and_dash_means_stdin() {
    let dir = std::env::temp_dir().join(format!("billable-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("req.json");
    std::fs::write(&path, r#"{"amount": "11.00", "currency": "USD", "ratios": [1, 1, 1]}"#).unwrap();
    let out = run(&["allocate", path.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["shares"], serde_json::json!(["3.67", "3.67", "3.66"]));
    let out = run(&["allocate", "-"], r#"{"amount": "1000", "currency": "JPY", "ratios": [1, 1, 1]}"#);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["shares"], serde_json::json!(["334", "333", "333"]));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_inputs_get_coded_errors_and_exit_1() {
    let cases = [
        (r#"{"amount": "10.005", "currency": "USD""#, "invalid_json", ""),
        (r#"{"amount": NaN, "currency": "USD"}"#, "non_finite_number", "amount"),
        (r#"{"amount": "Infinity", "currency": "USD"}"#, "non_finite_number", "amount"),
        (r#"{"amount": "1", "currency": "XYZ"}"#, "unknown_currency", "currency"),
        (r#"{"amount": 1234567890123456789012345678901234567890, "currency": "USD"}"#, "amount_out_of_range", "amount"),
        (r#"{"currency": "USD"}"#, "missing_field", "amount"),
    ];
    for (request, code, path) in cases {
        let out = run(&["round"], request);
        assert_eq!(out.status.code(), Some(1), "{request}");
        assert_eq!(error_of(&out), (code.to_string(), path.to_string()), "{request}");
    }
    let out = run(
        &["convert"],
        r#"{"amount": {"amount": "1", "currency": "EUR"}, "to": "USD", "date": "2026-02-30", "rates": []}"#,
    );
    assert_eq!(error_of(&out), ("invalid_date".to_string(), "date".to_string()));
}

#[test]
fn unknown_operation_unreadable_input_and_usage() {
    let out = run(&["frobnicate"], "{}");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(error_of(&out).0, "unknown_operation");
    let out = run(&["round", "/nonexistent/request.json"], "");
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(error_of(&out).0, "input_unreadable");
    let out = run(&[], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_response_that_cannot_be_written_is_exit_4_not_success() {
    // /dev/full refuses every write (ENOSPC): the response is lost, so the exit code must say so, for the
    // summary of `demo` and the list of `operations` too (they panicked with exit 101).
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    for (args, stdin) in
        [(&["round"][..], r#"{"amount": "1.005", "currency": "USD"}"#), (&["demo"][..], ""), (&["operations"][..], "")]
    {
        let mut child = Command::new(env!("CARGO_BIN_EXE_billable"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(full.try_clone().unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(error_of(&out).0, "output_unwritable", "{args:?}");
    }
}

#[test]
fn operation_names_accept_dashes() {
    let out = run(&["operations"], "");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["operations"].as_array().unwrap().iter().any(|o| o == "validate"));
    let out = run(&["schema"], r#"{"operation": "round", "kind": "request"}"#);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn demo_summarises_a_balanced_run_and_json_is_the_full_response() {
    let out = run(&["demo"], "");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for heading in
        ["Invoices by customer", "Totals by currency", "Taxes by rule", "Exception queue", "Deferred", "Reconciliation"]
    {
        assert!(text.contains(heading), "summary lacks {heading}:\n{text}");
    }
    assert!(!text.contains("UNBALANCED"), "{text}");
    let out = run(&["demo", "--json"], "");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["reconciliation"].as_array().unwrap().iter().all(|r| r["balanced"] == true));
    // The demo's planted flaws reach the queue: a self-approved entry, a closed project, a missing rate, a credit.
    let codes: Vec<&str> = doc["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|q| q["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()))
        .collect();
    for code in [
        "self_approved",
        "project_closed",
        "rate_missing",
        "already_invoiced",
        "customer_on_hold",
        "cap_exceeded",
        "duplicate_record",
        "receipt_missing",
    ] {
        assert!(codes.contains(&code), "no {code} in the demo's queue");
    }
    assert_eq!(doc["counters"]["credits"], 2);
    // Each record changed after invoicing changed something: its new line is not the credit's amount back.
    let ledger = doc["ledger"].as_array().unwrap();
    let credits: Vec<&serde_json::Value> = ledger.iter().filter(|l| l["credits"].is_string()).collect();
    assert_eq!(credits.len(), 2);
    for credit in credits {
        let new = ledger
            .iter()
            .find(|l| {
                l["id"] == credit["id"] && l["invoice_number"] == credit["invoice_number"] && l["credits"].is_null()
            })
            .unwrap_or_else(|| panic!("no new line next to the credit {credit}"));
        let (was, now) = (credit["amount"].as_str().unwrap(), new["amount"].as_str().unwrap());
        assert_ne!(was.trim_start_matches('-'), now, "{} was credited and billed again unchanged", credit["id"]);
    }
}

/// The example request the docs point to (`docs/invoice.md`) runs from the command line, with the totals worked
/// out by hand: rate 100.00/h; A-DE (domestic, USt 19 %) 8 h + 4 h = 12 h = 1200.00 + 228.00 = 1428.00; B-FR (EU
/// business customer with a valid VAT id, seller DE: reverse charge) 5 h + 5 h = 10 h = 1000.00, no tax.
#[test]
fn invoice_run_bills_the_documented_example_request() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/invoice-run/request.json");
    let out = run(&["invoice-run", path], "");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let invoices: Vec<(&str, &str, &str, &str, &str)> = doc["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let field = |k: &str| i[k].as_str().unwrap();
            (field("number"), field("customer_id"), field("subtotal"), field("tax_total"), field("total"))
        })
        .collect();
    assert_eq!(
        invoices,
        [("INV-0001", "A-DE", "1200.00", "228.00", "1428.00"), ("INV-0002", "B-FR", "1000.00", "0.00", "1000.00")]
    );
    assert_eq!(doc["next_number"], 3);
    assert_eq!(doc["exceptions"], serde_json::json!([]));
}

/// `--help` lists every operation the build knows (`billable operations`), so the list cannot
/// fall behind the dispatch.
#[test]
fn help_lists_every_operation() {
    let help = String::from_utf8(run(&["--help"], "").stdout).unwrap();
    let listed = help.split("Operations:").nth(1).expect("an Operations section");
    let ops: serde_json::Value = serde_json::from_slice(&run(&["operations"], "").stdout).unwrap();
    for op in ops["operations"].as_array().unwrap() {
        let op = op.as_str().unwrap();
        assert!(listed.lines().any(|l| l.trim_start().starts_with(&format!("{op} "))), "`{op}` missing from --help");
    }
}

/// The sync operations from the command line: the Standard Webhooks specification's published
/// example verifies; events applied to no records give a record whose audit chain verifies,
/// with its head the last entry's hash.
#[test]
fn sync_operations_run_from_the_command_line() {
    let webhook = r#"{"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "headers": {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
                    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
        "payload": "{\"test\": 2432232314}", "now": "2021-02-25T15:02:10Z"}"#;
    let out = run(&["verify_webhook"], webhook);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((doc["valid"].as_bool(), doc["signature_index"].as_u64()), (Some(true), Some(0)));

    let events = r#"{"events": [
        {"specversion": "1.0", "id": "e1", "source": "psa", "type": "timesheet.submitted", "subject": "ts-1",
         "time": "2026-03-02T09:00:00Z", "data": {"worker_id": "w1", "project_id": "p1"}},
        {"specversion": "1.0", "id": "e2", "source": "psa", "type": "timesheet.approved", "subject": "ts-1",
         "time": "2026-03-02T10:00:00Z", "data": {"expected_version": 1, "approver_id": "mgr"}}],
        "policy": {"approvers": {"p1": ["mgr"]}}}"#;
    let out = run(&["apply-events"], events);
    assert_eq!(out.status.code(), Some(0));
    let applied: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(applied["outcomes"][1]["to"], "approved");
    let records = &applied["records"];
    let head = records[0]["history"][1]["hash"].clone();
    let out = run(&["verify_history"], &serde_json::json!({ "records": records }).to_string());
    assert_eq!(out.status.code(), Some(0));
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((verdict["valid"].as_bool(), &verdict["records"][0]["head"]), (Some(true), &head));
}
