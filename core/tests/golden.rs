//! Pins whole `rate` and `eligibility` response documents, byte for byte.
//!
//! A small firm is generated here (deterministically, no randomness crate) so
//! that one batch exercises every path of rating and eligibility: every rule
//! scope, worker and role rules, effective dates, ambiguous and missing rates,
//! day rates, duration rounding with a minimum, write-ups and write-downs,
//! daily, weekly, weekend and holiday premiums, FX on rates, costs and
//! expenses (direct, inverse, missing), caps split across entries and
//! expenses, the ledger, periods, every eligibility reason and unknown
//! references. The responses were written by the implementation before the
//! performance work (`rates-perf`) and must never change by accident: the
//! files are the contract that internal changes keep every result.
//!
//! To regenerate after a deliberate change of output:
//! `UPDATE_GOLDEN=1 cargo test -p billable --test golden`, and review the diff.

mod common;

use serde_json::{Value, json};

/// A 64-bit LCG (Knuth's MMIX constants), so the batch is the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn day(n: u64) -> String {
    // 2026-03-02 is a Monday; the batch spans five weeks.
    let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap() + chrono::Days::new(n);
    d.to_string()
}

fn workers() -> Value {
    json!([
        {"id": "w0", "name": "Ada", "role": "consultant", "employment": {"status": "active", "start": "2020-01-01"},
         "cost_rate": {"amount": "60.00", "currency": "USD"}, "approver_for": ["p0", "p1", "p2", "p3"]},
        {"id": "w1", "name": "Bo", "role": "consultant", "employment": {"status": "active", "start": "2020-01-01"},
         "cost_rate": {"amount": "55.00", "currency": "EUR"}},
        {"id": "w2", "name": "Cy", "role": "senior", "employment": {"status": "active", "start": "2020-01-01"},
         "cost_rate": {"amount": "80.00", "currency": "GBP"}, "approver_for": ["p4", "p5", "p6", "p7"]},
        {"id": "w3", "name": "Di", "role": "senior", "employment": {"status": "active", "start": "2020-01-01",
         "end": "2026-03-20"}},
        {"id": "w4", "name": "Ed", "role": "analyst", "employment": {"status": "active", "start": "2026-03-10"},
         "cost_rate": {"amount": "45.50", "currency": "USD"}},
        {"id": "w5", "name": "Fa", "role": "analyst", "employment": {"status": "active", "start": "2020-01-01"},
         "approver_for": ["p8", "p9", "p1"]},
        {"id": "w6", "name": "Gu", "role": "partner", "employment": {"status": "active", "start": "2020-01-01"},
         "cost_rate": {"amount": "120.00", "currency": "USD"}},
        {"id": "w7", "name": "Ha", "role": "intern", "employment": {"status": "active", "start": "2020-01-01"}}
    ])
}

fn customers() -> Value {
    json!([
        {"id": "c0", "name": "Acme", "country": "US", "billing_currency": "USD", "status": "active"},
        {"id": "c1", "name": "Bolt", "country": "DE", "billing_currency": "EUR", "status": "active"},
        {"id": "c2", "name": "Cord", "country": "US", "billing_currency": "USD", "status": "billing_hold"}
    ])
}

fn contracts() -> Value {
    let base = |id: &str, customer: &str, currency: &str, card: &str| {
        json!({"id": id, "customer_id": customer, "currency": currency, "billing_type": "time_and_materials",
               "start": "2026-01-01", "rate_card_id": card, "billing_schedule": "monthly"})
    };
    let mut k0 = base("k0", "c0", "USD", "rc-usd");
    k0["overtime"] = json!({"daily_threshold": "8", "daily_multiplier": "1.5", "weekly_threshold": "30",
                            "weekly_multiplier": "1.25", "weekend_multiplier": "2", "holiday_multiplier": "2.5"});
    k0["expense_policy"] = json!({"markup_percent": "10", "receipt_required": true});
    let mut k1 = base("k1", "c0", "USD", "rc-eur");
    k1["duration_rounding"] = json!({"increment": "0.25", "mode": "nearest", "minimum": "1"});
    k1["not_to_exceed"] = json!("5500.00");
    k1["rounding_mode"] = json!("half_even");
    let mut k2 = base("k2", "c1", "EUR", "rc-usd");
    k2["billing_type"] = json!("fixed_fee");
    k2["duration_rounding"] = json!({"increment": "0.1", "mode": "up"});
    let mut k3 = base("k3", "c0", "USD", "rc-usd");
    k3["end"] = json!("2026-03-25");
    k3["hours_per_day"] = json!("7.5");
    k3["not_to_exceed"] = json!("6000.00");
    k3["expense_policy"] = json!({"markup_percent": "0", "receipt_required": false});
    k3["overtime"] = json!({"daily_threshold": "10", "daily_multiplier": "1.5", "weekend_multiplier": "1.5"});
    let mut k4 = base("k4", "c2", "USD", "rc-usd");
    k4["billing_type"] = json!("non_billable");
    let mut k5 = base("k5", "c1", "EUR", "rc-eur");
    k5["billing_type"] = json!("retainer");
    k5["duration_rounding"] = json!({"increment": "0.5", "mode": "down"});
    let k6 = base("k6", "c0", "USD", "rc-absent");
    let k7 = base("k7", "c-absent", "USD", "rc-usd");
    json!([k0, k1, k2, k3, k4, k5, k6, k7])
}

fn projects() -> Value {
    let p = |id: &str, contract: &str, status: &str, billable: bool, tasks: Value| json!({"id": id, "contract_id": contract, "status": status, "billable": billable, "tasks": tasks});
    let two = |id: &str| json!([{"id": format!("{id}-a")}, {"id": format!("{id}-b"), "billable": false}]);
    json!([
        p("p0", "k0", "open", true, two("p0")),
        p("p1", "k1", "open", true, two("p1")),
        p("p2", "k2", "open", true, two("p2")),
        p("p3", "k3", "open", true, two("p3")),
        p("p4", "k4", "open", true, json!([])),
        p("p5", "k5", "open", true, two("p5")),
        p("p6", "k0", "closed", true, json!([])),
        p("p7", "k0", "on_hold", false, two("p7")),
        p("p8", "k6", "open", true, json!([])),
        p("p9", "k7", "open", true, json!([])),
        p("p10", "k-absent", "open", true, json!([]))
    ])
}

fn rate_cards() -> Value {
    json!([
        {"id": "rc-usd", "currency": "USD", "rules": [
            {"id": "default-consultant", "rate": "100.00", "role": "consultant"},
            {"id": "default-senior", "rate": "140.00", "role": "senior"},
            {"id": "default-analyst", "rate": "90.00", "role": "analyst"},
            {"id": "default-partner-day", "rate": "2000.00", "unit": "day", "role": "partner"},
            {"id": "acme", "rate": "110.00", "customer_id": "c0"},
            {"id": "acme-senior", "rate": "150.00", "customer_id": "c0", "role": "senior"},
            {"id": "k0-consultant", "rate": "120.00", "contract_id": "k0", "role": "consultant",
             "effective_to": "2026-03-15"},
            {"id": "k0-consultant-new", "rate": "125.00", "contract_id": "k0", "role": "consultant",
             "effective_from": "2026-03-16"},
            {"id": "p0-ada", "rate": "130.00", "project_id": "p0", "worker_id": "w0"},
            {"id": "p0-task-a", "rate": "135.50", "task_id": "p0-a"},
            {"id": "p0-task-a-ada", "rate": "137.25", "task_id": "p0-a", "worker_id": "w0",
             "effective_from": "2026-03-20"},
            {"id": "p3-senior-day", "rate": "1100.00", "unit": "day", "project_id": "p3", "role": "senior"},
            {"id": "p3-analyst-1", "rate": "95.00", "project_id": "p3", "role": "analyst"},
            {"id": "p3-analyst-2", "rate": "97.00", "project_id": "p3", "role": "analyst",
             "effective_from": "2026-03-18"},
            {"id": "p3-other-task", "rate": "99.00", "task_id": "p0-b", "project_id": "p3"},
            {"id": "p3-bo-as-senior", "rate": "101.00", "project_id": "p3", "worker_id": "w1", "role": "senior"},
            {"id": "k2-all", "rate": "105.00", "contract_id": "k2"},
            {"id": "late-default", "rate": "80.00", "effective_from": "2026-04-01"}
        ]},
        {"id": "rc-eur", "currency": "EUR", "rules": [
            {"id": "eur-default", "rate": "95.00"},
            {"id": "eur-senior", "rate": "125.00", "role": "senior"},
            {"id": "eur-p1-ada", "rate": "112.345", "project_id": "p1", "worker_id": "w0"},
            {"id": "eur-p1-task", "rate": "118.00", "task_id": "p1-a", "role": "consultant"},
            {"id": "eur-k5-day", "rate": "800.00", "unit": "day", "contract_id": "k5"},
            {"id": "eur-intern-none", "rate": "50.00", "role": "intern", "effective_to": "2026-01-31"}
        ]}
    ])
}

fn fx_rates() -> Value {
    json!([
        {"base": "EUR", "quote": "USD", "rate": "1.0812", "as_of": "2026-03-01", "source": "ECB"},
        {"base": "EUR", "quote": "USD", "rate": "1.0877", "as_of": "2026-03-16", "source": "ECB"},
        {"base": "EUR", "quote": "USD", "rate": "1.0791", "as_of": "2026-03-30", "source": "ECB"}
    ])
}

fn entries(rng: &mut Lcg, n: usize) -> Value {
    let workers = ["w0", "w0", "w0", "w1", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w-absent"];
    let projects = ["p0", "p0", "p0", "p1", "p1", "p2", "p3", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "px"];
    let hours = ["8", "7.5", "4", "2.25", "9", "0.2", "1.13", "6.07", "10", "3.333", "12", "0", "25", "0.5"];
    let approvers = ["w0", "w2", "w5", "w1", "w-absent"];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let worker = rng.pick(&workers);
        let project = rng.pick(&projects);
        let mut e = json!({
            "id": format!("e{i:04}"),
            "worker_id": worker,
            "project_id": project,
            "date": day(rng.below(35)),
            "hours": rng.pick(&hours),
            "status": if rng.below(12) == 0 { "submitted" } else { "approved" },
        });
        match rng.below(10) {
            0 => e["task_id"] = json!(format!("{project}-a")),
            1 => e["task_id"] = json!(format!("{project}-b")),
            2 => e["task_id"] = json!("p0-a"),
            _ => {}
        }
        match rng.below(14) {
            0 => {}
            1 => e["approved_by"] = json!(worker),
            2..=6 => e["approved_by"] = json!(rng.pick(&approvers)),
            _ => {
                let approver = match project {
                    "p0" | "p1" | "p2" | "p3" => "w0",
                    "p4" | "p5" | "p6" | "p7" => "w2",
                    _ => "w5",
                };
                e["approved_by"] = json!(approver);
            }
        }
        if rng.below(9) == 0 {
            let billable = ["0", "3.5", "6", "8.25", "30"][rng.below(5) as usize];
            e["adjustment"] = json!({"billable_hours": billable, "reason": format!("review {i}")});
        }
        if rng.below(15) == 0 {
            e["billable"] = json!(false);
        }
        if rng.below(8) == 0 {
            e["version"] = json!(2);
        }
        out.push(e);
    }
    // A full week of one worker on one overtime contract, two entries a day: daily, weekly and weekend premiums.
    for (k, (d, h)) in [(7, "5"), (7, "4.5"), (8, "6"), (8, "3"), (9, "8"), (10, "7"), (10, "2"), (11, "8"), (12, "3")]
        .into_iter()
        .enumerate()
    {
        out.push(json!({"id": format!("e{:04}", n + k), "worker_id": "w1", "project_id": "p0", "date": day(d),
                        "hours": h, "status": "approved", "approved_by": "w0"}));
    }
    Value::Array(out)
}

fn expenses(rng: &mut Lcg, n: usize) -> Value {
    let workers = ["w0", "w1", "w2", "w3", "w4", "w-absent"];
    let projects = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p8", "p9", "px"];
    let amounts = [("120.00", "USD"), ("89.90", "EUR"), ("2500.00", "USD"), ("15.5", "GBP"), ("1000", "JPY")];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (amount, currency) = amounts[rng.below(amounts.len() as u64) as usize];
        let project = rng.pick(&projects);
        out.push(json!({
            "id": format!("x{i:03}"),
            "worker_id": rng.pick(&workers),
            "project_id": project,
            "date": day(rng.below(35)),
            "amount": {"amount": amount, "currency": currency},
            "category": "travel",
            "billable": rng.below(10) != 0,
            "status": if rng.below(10) == 0 { "draft" } else { "approved" },
            "approved_by": if project == "p0" || project == "p1" || project == "p3" { "w0" } else { "w2" },
            "receipt": rng.below(4) != 0,
        }));
    }
    Value::Array(out)
}

fn inputs() -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("workers".into(), workers());
    m.insert("customers".into(), customers());
    m.insert("contracts".into(), contracts());
    m.insert("projects".into(), projects());
    m.insert("rate_cards".into(), rate_cards());
    m.insert("holidays".into(), json!(["2026-03-17", "2026-04-03"]));
    m.insert("fx_rates".into(), fx_rates());
    m.insert("fx_policy".into(), json!({"allow_inverse": true}));
    m
}

/// The requests: rate, eligibility over the whole span, eligibility for March with an `fx_date`.
fn requests() -> Vec<(&'static str, &'static str, Value)> {
    let mut rng = Lcg(20_260_302);
    let entries = entries(&mut rng, 400);
    let expenses = expenses(&mut rng, 40);
    let ledger: Vec<Value> = (0..400)
        .step_by(23)
        .map(|i| json!({"id": format!("e{i:04}"), "version": 1 + (i % 2)}))
        .chain((0..40).step_by(7).map(|i| json!({"kind": "expense", "id": format!("x{i:03}"), "version": 1})))
        .collect();
    let invoiced = json!([{"contract_id": "k1", "amount": "1000.00"}, {"contract_id": "k3", "amount": "4900"},
                          {"contract_id": "k1", "amount": "500.50"}]);

    let mut rate = inputs();
    rate.insert("entries".into(), entries.clone());

    let mut whole = inputs();
    whole.insert("period".into(), json!({"start": "2026-03-01", "end": "2026-04-30"}));
    whole.insert("entries".into(), entries.clone());
    whole.insert("expenses".into(), expenses.clone());
    whole.insert("ledger".into(), Value::Array(ledger.clone()));
    whole.insert("invoiced".into(), invoiced.clone());

    let mut march = inputs();
    march.insert("fx_date".into(), json!("2026-03-31"));
    march.insert("period".into(), json!({"start": "2026-03-09", "end": "2026-03-31"}));
    march.insert("entries".into(), entries);
    march.insert("expenses".into(), expenses);
    march.insert("ledger".into(), Value::Array(ledger));
    march.insert("invoiced".into(), invoiced);

    vec![
        ("rate", "rate.json", Value::Object(rate)),
        ("eligibility", "eligibility.json", Value::Object(whole)),
        ("eligibility", "eligibility-march-fx-date.json", Value::Object(march)),
    ]
}

#[test]
fn responses_are_byte_identical_to_the_golden_files() {
    let mut all = String::new();
    for (operation, file, request) in requests() {
        let out = billable::api::call_json(operation, &serde_json::to_string(&request).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        all.push_str(&out);
        common::check_golden(file, &out);
    }
    // The batch reaches the paths it is meant to pin.
    for needle in [
        "\"premium\":\"daily\"",
        "\"premium\":\"weekly\"",
        "\"premium\":\"weekend\"",
        "\"premium\":\"holiday\"",
        "\"outranked\"",
        "\"minimum_applied\":true",
        "\"write_up\"",
        "\"write_down\"",
        "\"hours_per_day\"",
        "\"method\":\"inverse\"",
        "\"dimension\":\"project\"",
        "\"dimension\":\"role\"",
        "\"not_effective\"",
        "\"lower_score\"",
        "\"status\":\"partially_eligible\"",
        "\"held\"",
        "\"replaces_invoiced_version\"",
        "\"code\":\"ambiguous_rate\"",
        "\"code\":\"rate_missing\"",
        "\"code\":\"fx_rate_missing\"",
        "\"code\":\"invalid_hours\"",
        "\"code\":\"unknown_reference\"",
        "\"code\":\"self_approved\"",
        "\"code\":\"approver_not_authorized\"",
        "\"code\":\"worker_not_employed\"",
        "\"code\":\"contract_inactive\"",
        "\"code\":\"contract_not_hourly\"",
        "\"code\":\"customer_on_hold\"",
        "\"code\":\"project_closed\"",
        "\"code\":\"not_billable\"",
        "\"code\":\"already_invoiced\"",
        "\"code\":\"cap_exceeded\"",
        "\"code\":\"outside_period\"",
        "\"code\":\"receipt_missing\"",
        "\"purpose\":\"wip\"",
        "\"purpose\":\"cost\"",
    ] {
        assert!(all.contains(needle), "the golden batch never produces {needle}");
    }
}
