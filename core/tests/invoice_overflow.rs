//! The invoice run returns `arithmetic_overflow`, never a panic, when the ledger's sums or an invoice's
//! totals pass the decimal range (each case panicked before).

/// An invoice run over one T&M contract K1 (EUR, 100.00 an hour, USt 0 %) with `ledger`, `entries` and
/// `milestones`, and `contracts` added (one with the id K1 replaces it): its error code, which it must give.
fn run_error(
    ledger: serde_json::Value,
    entries: serde_json::Value,
    milestones: serde_json::Value,
    contracts: &[serde_json::Value],
) -> String {
    let mut all = vec![serde_json::json!({"id": "K1", "customer_id": "C", "currency": "EUR",
        "billing_type": "time_and_materials", "start": "2026-01-01", "rate_card_id": "RC",
        "billing_schedule": "monthly"})];
    all.retain(|k| contracts.iter().all(|c| c["id"] != k["id"]));
    all.extend_from_slice(contracts);
    let request = serde_json::json!({"period": {"start": "2026-03-01", "end": "2026-03-31"},
        "as_of": "2026-04-01T09:00:00+02:00", "seller": {"country": "DE", "tax_ids": ["DE811907980"]},
        "workers": [{"id": "W1", "name": "W1", "role": "consultant", "employment": {"status": "active", "start": "2020-01-01"}},
            {"id": "A1", "name": "A1", "role": "partner", "employment": {"status": "active", "start": "2020-01-01"},
                "approver_for": ["P1"]}],
        "customers": [{"id": "C", "name": "C", "country": "DE", "billing_currency": "EUR", "status": "active",
            "tax_id": "DE136695976"}],
        "contracts": all, "projects": [{"id": "P1", "contract_id": "K1", "status": "open"}],
        "rate_cards": [{"id": "RC", "currency": "EUR", "rules": [{"id": "R", "rate": "100.00"}]}],
        "tax_rules": [{"id": "DE-0", "jurisdiction": "DE", "category": "standard", "rate": "0", "name": "USt"}],
        "numbering": {"prefix": "INV-", "next": 1},
        "entries": entries, "milestones": milestones, "ledger": ledger});
    billable::api::call_json("invoice_run", &request.to_string()).unwrap_err().code.as_str().to_string()
}

fn line(kind: &str, id: &str, contract: &str, amount: &str, hours: Option<&str>, credits: bool) -> serde_json::Value {
    let mut l = serde_json::json!({"kind": kind, "id": id, "version": 1, "contract_id": contract,
        "invoice_number": if credits { "INV-0001" } else { "INV-0000" }, "amount": amount, "currency": "EUR"});
    if let Some(h) = hours {
        l["hours"] = h.into();
    }
    if credits {
        l["credits"] = "INV-0000".into();
    }
    l
}

#[test]
fn ledger_sums_past_the_decimal_range_are_overflow_errors() {
    use serde_json::json;
    let none = || json!([]);
    let e1_v2 = || {
        json!([{"id": "E1", "version": 2, "worker_id": "W1", "project_id": "P1", "date": "2026-03-02",
            "hours": "8", "status": "approved", "approved_by": "A1"}])
    };
    let big = "50000000000000000000000000000";
    let capped = json!({"id": "K1", "customer_id": "C", "currency": "EUR", "billing_type": "time_and_materials",
        "start": "2026-01-01", "rate_card_id": "RC", "billing_schedule": "monthly", "not_to_exceed": "1000.00"});
    // Net invoiced per contract (for the not-to-exceed, so only K1 capped sums it): two lines of 5 × 10^28 on K1.
    let ledger = json!([line("entry", "E8", "K1", big, None, false), line("entry", "E9", "K1", big, None, false)]);
    assert_eq!(run_error(ledger, none(), none(), std::slice::from_ref(&capped)), "arithmetic_overflow");
    // The open amount of a version a newer one replaces: its billing and a (wrongly positive) credit.
    let ledger =
        json!([line("milestone", "M8", "K2", big, None, false), line("milestone", "M8", "K2", big, None, true)]);
    let m8_v2 = json!([{"id": "M8", "version": 2, "contract_id": "K2", "name": "Design", "amount": "100.00",
        "due": "2026-03-15", "status": "accepted"}]);
    let k2 = json!({"id": "K2", "customer_id": "C", "currency": "EUR", "billing_type": "fixed_fee",
        "start": "2026-01-01", "rate_card_id": "RC", "billing_schedule": "milestone"});
    assert_eq!(run_error(ledger, none(), m8_v2, &[k2]), "arithmetic_overflow");
    // Its open hours, likewise.
    let ledger =
        json!([line("entry", "E1", "K1", "10", Some(big), false), line("entry", "E1", "K1", "-5", Some(big), true)]);
    assert_eq!(run_error(ledger, e1_v2(), none(), &[]), "arithmetic_overflow");
    // Room under K1's not-to-exceed of 1000.00, given back by E1 version 2 at its turn: K1's net invoiced is
    // 5 × 10^28 − 7 × 10^28 − 5 × 10^28 = −7 × 10^28, so 7 × 10^28 + 1000.00 is left, and the 5 × 10^28 still open
    // of E1 version 1 (the part its replacement credits) makes 1.2 × 10^29.
    let ledger = json!([
        line("entry", "E1", "K1", big, Some("8"), false),
        line("expense", "X1", "K1", "-70000000000000000000000000000", None, false),
        line("expense", "X2", "K1", &format!("-{big}"), None, false)
    ]);
    assert_eq!(run_error(ledger, e1_v2(), none(), &[capped]), "arithmetic_overflow");
}

#[test]
fn totals_by_currency_past_the_decimal_range_are_overflow_errors() {
    // 101 fixed-fee contracts, each billing the most a cent amount holds: their EUR total overflows.
    let contracts: Vec<_> = (0..101)
        .map(|k| {
            serde_json::json!({"id": format!("F{k}"), "customer_id": "C", "currency": "EUR",
                "billing_type": "fixed_fee", "start": "2026-01-01", "rate_card_id": "RC", "billing_schedule": "milestone"})
        })
        .collect();
    let milestones: serde_json::Value = (0..101)
        .map(|k| {
            serde_json::json!({"id": format!("M{k}"), "contract_id": format!("F{k}"), "name": "Design",
                "amount": "792281625142643375935439503.35", "due": "2026-03-15", "status": "accepted"})
        })
        .collect();
    assert_eq!(run_error(serde_json::json!([]), serde_json::json!([]), milestones, &contracts), "arithmetic_overflow");
}
