//! The benchmark firm's `rate` and `eligibility` documents for a 4,000-entry
//! batch, pinned by their FNV-1a digest in `core/tests/golden/firm-4000.txt`
//! (the documents themselves would be megabytes). Together with the full
//! documents of `core/tests/golden.rs` this checks that performance work
//! keeps every byte of the responses.
//!
//! To regenerate after a deliberate change of output:
//! `UPDATE_GOLDEN=1 cargo test -p billable-benches --test golden_firm`.

use std::path::Path;

use billable_benches::rates::firm;
use serde_json::json;

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[test]
fn firm_documents_match_their_digests() {
    let f = firm(42, 4_000);
    let inputs = json!({
        "workers": f.workers, "customers": f.customers, "contracts": f.contracts, "projects": f.projects,
        "rate_cards": f.rate_cards, "fx_rates": f.fx_rates,
    });
    let mut rate = inputs.clone();
    rate["entries"] = json!(f.entries);
    let mut eligibility = inputs;
    eligibility["entries"] = json!(f.entries);
    eligibility["ledger"] = json!(f.ledger);
    eligibility["invoiced"] = json!(f.invoiced);
    eligibility["period"] = json!(f.period);
    let mut lines = Vec::new();
    for (op, request) in [("rate", rate), ("eligibility", eligibility)] {
        let out = billable::api::call_json(op, &request.to_string()).unwrap();
        lines.push(format!("{op} {} bytes fnv1a {:016x}", out.len(), fnv1a(&out)));
    }
    let text = lines.join("\n") + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/golden/firm-4000.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    } else {
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}

/// The invoice run over the invoice bench's firm (5,000 entries, expenses, milestones, retainers, credits, FX, the
/// three tax outcomes) under each grouping and line policy, pinned by digest in
/// `core/tests/golden/firm-invoice-5000.txt`, written before the assembly was reworked for speed.
#[test]
fn firm_invoice_runs_match_their_digests() {
    use billable::invoice::{Grouping, LineGrouping};
    let mut lines = Vec::new();
    for (label, grouping, per) in [
        ("contract role_task", Grouping::Contract, LineGrouping::RoleTask),
        ("customer role_task", Grouping::Customer, LineGrouping::RoleTask),
        ("project entry", Grouping::Project, LineGrouping::Entry),
    ] {
        let mut request = billable_benches::invoice::request(42, 5_000);
        request.policy.grouping = grouping;
        request.policy.lines = per;
        let out = billable::api::call_json("invoice_run", &serde_json::to_string(&request).unwrap()).unwrap();
        lines.push(format!("invoice_run {label} {} bytes fnv1a {:016x}", out.len(), fnv1a(&out)));
    }
    let text = lines.join("\n") + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/golden/firm-invoice-5000.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    } else {
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}
