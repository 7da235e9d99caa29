//! Properties of the invoice run over random small firms: deterministic
//! output, every record accounted for, invoices that add up, and a ledger
//! that, fed back, bills nothing twice.

use std::collections::BTreeSet;

use billable::invoice::{InvoiceRunRequest, InvoiceRunResponse, LineKind, SourceKind, invoice_run};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
struct Firm {
    customers: Vec<(usize, usize)>,                   // (country index, currency index)
    contracts: Vec<(usize, bool, Option<u32>, bool)>, // (customer, fixed fee, cap in hundreds, cash rounding)
    entries: Vec<(usize, usize, u32, u32, u8, bool)>, // (contract, worker, day, quarter hours, status, self-approved)
    expenses: Vec<(usize, usize, u32, u32, bool)>,    // (contract, worker, day, cents, receipt)
    milestones: Vec<(usize, u32, bool)>,              // (contract, amount in hundreds, accepted)
}

const COUNTRIES: [(&str, Option<&str>); 4] =
    [("DE", Some("DE136695976")), ("FR", Some("FR40303265045")), ("US", None), ("CH", Some("CHE-116.281.710"))];
const CURRENCIES: [&str; 3] = ["EUR", "USD", "CHF"];
const ROLES: [&str; 3] = ["consultant", "analyst", "intern"];

fn firm() -> impl Strategy<Value = Firm> {
    (1usize..4, 1usize..5).prop_flat_map(|(nc, nk)| {
        (
            prop::collection::vec((0usize..4, 0usize..3), nc),
            prop::collection::vec((0..nc, any::<bool>(), prop::option::of(1u32..60), any::<bool>()), nk),
            prop::collection::vec((0..nk, 0usize..4, 0u32..70, 1u32..48, 0u8..10, prop::bool::weighted(0.05)), 0..40),
            prop::collection::vec((0..nk, 0usize..4, 0u32..70, 100u32..50_000, prop::bool::weighted(0.9)), 0..6),
            prop::collection::vec((0..nk, 1u32..100, any::<bool>()), 0..4),
        )
            .prop_map(|(customers, contracts, entries, expenses, milestones)| Firm {
                customers,
                contracts,
                entries,
                expenses,
                milestones,
            })
    })
}

fn date(day: u32) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 2, 15).unwrap() + chrono::Days::new(u64::from(day));
    d.to_string()
}

fn request(f: &Firm) -> Value {
    let workers: Vec<Value> = (0..4)
        .map(|w| {
            json!({"id": format!("W{w}"), "name": "n", "role": ROLES[w % 3], "employment": {"status": "active", "start": "2020-01-01"},
                   "approver_for": if w == 3 { (0..f.contracts.len()).map(|p| format!("P{p}")).collect::<Vec<_>>() } else { vec![] }})
        })
        .collect();
    let customers: Vec<Value> = f
        .customers
        .iter()
        .enumerate()
        .map(|(i, (country, currency))| {
            let (code, tax_id) = COUNTRIES[*country];
            json!({"id": format!("C{i}"), "name": "c", "country": code, "tax_id": tax_id, "billing_currency": CURRENCIES[*currency], "status": "active"})
        })
        .collect();
    let contracts: Vec<Value> = f
        .contracts
        .iter()
        .enumerate()
        .map(|(i, (customer, fixed, cap, cash))| {
            let currency = CURRENCIES[f.customers[*customer].1];
            let mut k = json!({"id": format!("K{i}"), "customer_id": format!("C{customer}"), "currency": currency,
                "billing_type": if *fixed { "fixed_fee" } else { "time_and_materials" }, "start": "2026-01-01",
                "rate_card_id": "RC", "billing_schedule": if i % 2 == 0 { "monthly" } else { "weekly" },
                "expense_policy": {"markup_percent": "10", "receipt_required": true}});
            if let Some(cap) = cap {
                k["not_to_exceed"] = json!((cap * 100).to_string());
            }
            if *cash {
                k["cash_rounding"] = json!("0.05");
            }
            k
        })
        .collect();
    let projects: Vec<Value> = (0..f.contracts.len())
        .map(|i| json!({"id": format!("P{i}"), "contract_id": format!("K{i}"), "status": "open"}))
        .collect();
    let entries: Vec<Value> = f
        .entries
        .iter()
        .enumerate()
        .map(|(i, (k, w, day, quarters, status, own))| {
            json!({"id": format!("E{i}"), "worker_id": format!("W{w}"), "project_id": format!("P{k}"), "date": date(*day),
                   "hours": Decimal::new(i64::from(*quarters) * 25, 2).to_string(),
                   "status": if *status == 0 { "submitted" } else { "approved" },
                   "approved_by": if *own { format!("W{w}") } else { "W3".into() }})
        })
        .collect();
    let expenses: Vec<Value> = f
        .expenses
        .iter()
        .enumerate()
        .map(|(i, (k, w, day, cents, receipt))| {
            json!({"id": format!("X{i}"), "worker_id": format!("W{w}"), "project_id": format!("P{k}"), "date": date(*day),
                   "amount": {"amount": Decimal::new(i64::from(*cents), 2).to_string(), "currency": "EUR"}, "category": "travel",
                   "status": "approved", "approved_by": "W3", "receipt": receipt})
        })
        .collect();
    let milestones: Vec<Value> = f
        .milestones
        .iter()
        .enumerate()
        .map(|(i, (k, amount, accepted))| {
            json!({"id": format!("M{i}"), "contract_id": format!("K{k}"), "amount": (amount * 100).to_string(), "due": "2026-03-10",
                   "status": if *accepted { "accepted" } else { "pending" }})
        })
        .collect();
    json!({
        "period": {"start": "2026-03-01", "end": "2026-03-31"}, "as_of": "2026-04-01T08:00:00Z",
        "seller": {"country": "DE", "tax_ids": ["DE811907980"]},
        "workers": workers, "customers": customers, "contracts": contracts, "projects": projects,
        "rate_cards": [{"id": "RC", "currency": "EUR", "rules": [
            {"id": "r-consultant", "rate": "120.00", "role": "consultant"}, {"id": "r-analyst", "rate": "85.50", "role": "analyst"}]}],
        "entries": entries, "expenses": expenses, "milestones": milestones,
        "fx_rates": [{"base": "EUR", "quote": "USD", "rate": "1.0875", "as_of": "2026-01-01"},
                     {"base": "EUR", "quote": "CHF", "rate": "0.9412", "as_of": "2026-01-01"}],
        "tax_rules": [{"id": "DE-19", "jurisdiction": "DE", "category": "standard", "rate": "19"},
                      {"id": "FR-20", "jurisdiction": "FR", "category": "standard", "rate": "20"}],
        "numbering": {"prefix": "T-", "next": 1}
    })
}

fn run(doc: &Value) -> (InvoiceRunResponse<'static>, String) {
    let req: InvoiceRunRequest = billable::wire::from_value(doc.clone()).expect("generated requests are well formed");
    let out = invoice_run(&req).expect("the run succeeds").into_owned();
    let text = billable::wire::to_json(&out).unwrap();
    (out, text)
}

fn billed(out: &InvoiceRunResponse) -> BTreeSet<(SourceKind, String, u64)> {
    out.invoices.iter().flat_map(|i| &i.sources).map(|s| (s.kind, s.id.clone(), s.version)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn invoice_runs_are_deterministic_balanced_and_idempotent(f in firm()) {
        let doc = request(&f);
        let (first, text) = run(&doc);
        let (_, again) = run(&doc);
        prop_assert_eq!(&text, &again, "the same request gives byte-identical output");

        for r in &first.reconciliation {
            prop_assert!(r.balanced && r.received == r.invoiced + r.exceptioned + r.deferred, "{:?}", r);
        }
        for inv in &first.invoices {
            let lines: Decimal = inv.lines.iter().map(|l| l.net).sum();
            let taxes: Decimal = inv.tax_lines.iter().map(|t| t.amount).sum();
            prop_assert_eq!(lines, inv.subtotal);
            prop_assert_eq!(taxes, inv.tax_total);
            prop_assert_eq!(inv.subtotal + inv.tax_total + inv.rounding, inv.total);
        }

        // Feed the ledger back: nothing billed before is billed again.
        let mut second_doc = doc.clone();
        second_doc["ledger"] = serde_json::to_value(&first.ledger).unwrap();
        second_doc["numbering"]["next"] = json!(first.next_number);
        let (second, _) = run(&second_doc);
        let before = billed(&first);
        let twice: Vec<_> = billed(&second).intersection(&before).cloned().collect();
        prop_assert!(twice.is_empty(), "billed twice: {:?}", twice);
        prop_assert!(second.invoices.iter().all(|i| i.lines.iter().all(|l| l.kind != billable::invoice::LineKind::Credit)));
    }
}

#[test]
fn input_order_of_invoices_is_defined_by_numbering() {
    // Two contracts of one customer: numbered in contract order whatever the input order.
    let f = Firm {
        customers: vec![(0, 0)],
        contracts: vec![(0, false, None, false), (0, false, None, false)],
        entries: vec![(1, 0, 20, 8, 1, false), (0, 0, 21, 8, 1, false)],
        expenses: vec![],
        milestones: vec![],
    };
    let (out, _) = run(&request(&f));
    let numbers: Vec<(&str, &str)> = out.invoices.iter().map(|i| (i.number.as_str(), i.contract_id.as_str())).collect();
    assert_eq!(numbers, [("T-0001", "K0"), ("T-0002", "K1")]);
    assert_eq!(out.next_number, 3);
}

/// Which records change after the first run, and how the second run groups.
#[derive(Debug, Clone)]
struct Changes {
    /// Per entry: `Some(quarter hours)` when it arrives at version 2 with those hours.
    entries: Vec<Option<u32>>,
    /// Per expense: `Some(cents)` when it arrives at version 2 with that amount.
    expenses: Vec<Option<u32>>,
    grouping: &'static str,
    lines: &'static str,
}

fn firm_and_changes() -> impl Strategy<Value = (Firm, Changes)> {
    firm().prop_flat_map(|f| {
        let (ne, nx) = (f.entries.len(), f.expenses.len());
        (
            Just(f),
            prop::collection::vec(prop::option::weighted(0.4, 1u32..48), ne),
            prop::collection::vec(prop::option::weighted(0.4, 100u32..50_000), nx),
            prop::sample::select(vec!["contract", "customer", "project"]),
            prop::sample::select(vec!["role_task", "entry"]),
        )
            .prop_map(|(f, entries, expenses, grouping, lines)| (f, Changes { entries, expenses, grouping, lines }))
    })
}

/// `doc` with the changed records at version 2.
fn changed(doc: &Value, c: &Changes) -> Value {
    let mut doc = doc.clone();
    for (e, change) in doc["entries"].as_array_mut().unwrap().iter_mut().zip(&c.entries) {
        if let Some(quarters) = change {
            e["version"] = json!(2);
            e["hours"] = json!(Decimal::new(i64::from(*quarters) * 25, 2).to_string());
        }
    }
    for (x, change) in doc["expenses"].as_array_mut().unwrap().iter_mut().zip(&c.expenses) {
        if let Some(cents) = change {
            x["version"] = json!(2);
            x["amount"]["amount"] = json!(Decimal::new(i64::from(*cents), 2).to_string());
        }
    }
    doc
}

/// Every line source of a response: (invoice number, line kind, source kind, id, version, amount).
fn sources(out: &InvoiceRunResponse) -> Vec<(String, LineKind, SourceKind, String, u64, Decimal)> {
    out.invoices
        .iter()
        .flat_map(|i| {
            i.lines.iter().flat_map(move |l| {
                l.sources.iter().map(move |s| (i.number.clone(), l.kind, s.kind, s.id.to_string(), s.version, s.amount))
            })
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// SPEC §8: a record whose version changed after it was invoiced gets a credit for exactly what was billed and
    /// a new line, on the same invoice, under every grouping and line policy; never an edit. A record that comes
    /// again unchanged bills nothing. A changed record that is not billable now credits nothing. The ledger of
    /// the second run, fed back, bills nothing twice.
    #[test]
    fn changed_records_are_credited_once_and_never_edited((f, c) in firm_and_changes()) {
        let mut doc = request(&f);
        doc["policy"] = json!({"grouping": c.grouping, "lines": c.lines});
        let (first, _) = run(&doc);
        let mut next = changed(&doc, &c);
        next["ledger"] = serde_json::to_value(&first.ledger).unwrap();
        next["numbering"]["next"] = json!(first.next_number);
        let (second, text) = run(&next);
        let (_, again) = run(&next);
        prop_assert_eq!(&text, &again);
        for r in &second.reconciliation {
            prop_assert!(r.balanced, "{:?}", r);
        }
        for inv in &second.invoices {
            prop_assert_eq!(inv.subtotal + inv.tax_total + inv.rounding, inv.total);
        }

        // What the first run billed of each version-1 record (a record split at the cap has one line).
        let billed_first: std::collections::BTreeMap<(SourceKind, String), Decimal> = sources(&first)
            .into_iter()
            .filter(|s| s.1 != LineKind::Credit)
            .map(|(_, _, kind, id, _, amount)| ((kind, id), amount))
            .collect();
        let now = sources(&second);
        let changes = c.entries.iter().enumerate().map(|(i, ch)| (SourceKind::Entry, format!("E{i}"), ch.is_some()))
            .chain(c.expenses.iter().enumerate().map(|(i, ch)| (SourceKind::Expense, format!("X{i}"), ch.is_some())));
        for (kind, id, is_changed) in changes {
            let credits: Vec<_> = now.iter().filter(|s| s.1 == LineKind::Credit && s.2 == kind && s.3 == id).collect();
            let new: Vec<_> = now.iter().filter(|s| s.1 != LineKind::Credit && s.2 == kind && s.3 == id).collect();
            let old = billed_first.get(&(kind, id.clone()));
            if !is_changed {
                // Billed before: `already_invoiced` now. Not billed before (say held at the cap, which a credit
                // may have made room under): it may be billed now, at version 1, but nothing is credited.
                prop_assert!(credits.is_empty(), "{id} came again unchanged and was credited");
                prop_assert!(old.is_none() || new.is_empty(), "{id} came again unchanged and was billed twice: {:?}", new);
                continue;
            }
            prop_assert!(new.iter().all(|s| s.4 == 2), "{id}: only version 2 is billed now");
            match (old, new.first()) {
                (Some(old), Some(line)) => {
                    prop_assert_eq!(credits.len(), 1, "{} was billed at version 1 and again now: one credit", id);
                    let credit = credits[0];
                    prop_assert_eq!((credit.4, credit.5), (1, -*old), "{} credit reverses exactly what was billed", id);
                    prop_assert_eq!(&credit.0, &line.0, "{}: the credit and the new line share an invoice", id);
                }
                _ => prop_assert!(credits.is_empty(), "{id}: nothing billed now, or nothing before: no credit"),
            }
        }

        // Feed the second ledger back: nothing is billed or credited again.
        let mut third = next.clone();
        third["ledger"] = serde_json::to_value(&second.ledger).unwrap();
        third["numbering"]["next"] = json!(second.next_number);
        let (third, _) = run(&third);
        prop_assert!(third.invoices.iter().all(|i| i.lines.iter().all(|l| l.kind != LineKind::Credit)));
        let twice: Vec<_> = billed(&third).intersection(&billed(&second)).cloned().collect();
        prop_assert!(twice.is_empty(), "billed twice: {:?}", twice);
    }
}
