//! `billable demo`: the invoice run over the demo firm (examples/demo-firm),
//! February first (its ledger closes the month), then March with February's
//! ledger, printed as a summary a finance lead reads at a glance.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use billable::invoice::{InvoiceRunRequest, InvoiceRunResponse, invoice_run};
use billable::{Code, Error};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

const FIRM: &str = include_str!("../../examples/demo-firm/firm.json");
const FEBRUARY: &str = include_str!("../../examples/demo-firm/february.json");
const MARCH: &str = include_str!("../../examples/demo-firm/march.json");

/// The two runs of the demo: February, then March on February's ledger.
pub struct Demo {
    pub firm: Value,
    pub february: InvoiceRunResponse<'static>,
    pub march: InvoiceRunResponse<'static>,
    pub march_entries: usize,
}

fn parse(text: &str, name: &str) -> Result<Map<String, Value>, Error> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::new(Code::InvalidJson, format!("examples/demo-firm/{name} is not a JSON object"))),
    }
}

fn request(firm: &Map<String, Value>, month: Map<String, Value>) -> Result<InvoiceRunRequest, Error> {
    let mut doc = firm.clone();
    doc.remove("flaws");
    doc.extend(month);
    billable::wire::from_value(Value::Object(doc))
}

/// Run both months.
pub fn run() -> Result<Demo, Error> {
    let firm = parse(FIRM, "firm.json")?;
    let february = invoice_run(&request(&firm, parse(FEBRUARY, "february.json")?)?)?.into_owned();
    let mut march_doc = parse(MARCH, "march.json")?;
    let ledger = serde_json::to_value(&february.ledger).map_err(|e| Error::new(Code::InvalidValue, e.to_string()))?;
    march_doc.insert("ledger".into(), ledger);
    let numbering = serde_json::json!({ "prefix": "NW-2026-", "next": february.next_number });
    march_doc.insert("numbering".into(), numbering);
    let march_request = request(&firm, march_doc)?;
    let march_entries = march_request.entries.len();
    let march = invoice_run(&march_request)?.into_owned();
    Ok(Demo { firm: Value::Object(firm), february, march, march_entries })
}

/// `1234567.5` as `1,234,567.50` (two places unless the amount has more or fewer).
fn money(amount: Decimal) -> String {
    let text = amount.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if amount.is_sign_negative() && !amount.is_zero() { "-" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{frac}") }
}

fn name_of<'a>(firm: &'a Value, kind: &str, id: &'a str) -> &'a str {
    firm[kind].as_array().and_then(|a| a.iter().find(|x| x["id"] == id)).and_then(|x| x["name"].as_str()).unwrap_or(id)
}

/// The summary of the demo.
pub fn summary(demo: &Demo) -> String {
    let mut s = String::new();
    let firm = &demo.firm;
    let count = |k: &str| firm[k].as_array().map_or(0, Vec::len);
    let seller = firm["seller"]["name"].as_str().unwrap_or("the demo firm");
    let _ = writeln!(
        s,
        "billable demo: {seller}, {} workers, {} customers, {} contracts\n",
        count("workers"),
        count("customers"),
        count("contracts")
    );
    let feb = &demo.february;
    let _ = writeln!(
        s,
        "February 2026, run first: {} invoices; its ledger ({} lines) goes into March, so nothing is billed twice.\n",
        feb.invoices.len(),
        feb.ledger.len()
    );

    let r = &demo.march;
    let _ = writeln!(
        s,
        "March 2026 invoice run  {} to {}, invoice date {}, {} entries in",
        r.period.start, r.period.end, r.invoice_date, demo.march_entries
    );
    let _ = writeln!(s, "\nInvoices by customer");
    let mut by_customer: BTreeMap<&str, Vec<&billable::invoice::Invoice>> = BTreeMap::new();
    for inv in &r.invoices {
        by_customer.entry(inv.customer_id.as_str()).or_default().push(inv);
    }
    for (customer, invoices) in &by_customer {
        let mut per_currency: BTreeMap<&str, Decimal> = BTreeMap::new();
        for inv in invoices {
            *per_currency.entry(inv.currency.code()).or_default() += inv.total;
        }
        let totals: Vec<String> = per_currency.iter().map(|(c, t)| format!("{c} {:>14}", money(*t))).collect();
        let numbers: Vec<&str> = invoices.iter().map(|i| i.number.as_str()).collect();
        let label = format!("{customer} {}", name_of(firm, "customers", customer));
        let _ = writeln!(s, "  {label:<36} {:>2} inv  {}  ({})", invoices.len(), totals.join("  "), numbers.join(", "));
    }
    let _ = writeln!(s, "\nTotals by currency");
    for (currency, t) in &r.counters.totals_by_currency {
        let _ = writeln!(
            s,
            "  {currency}  {:>2} invoices  net {:>14}  tax {:>12}  rounding {:>6}  total {:>14}",
            t.invoices,
            money(t.subtotal),
            money(t.tax),
            money(t.rounding),
            money(t.total)
        );
    }
    let _ = writeln!(s, "\nTaxes by rule");
    let mut taxes: BTreeMap<(String, String), (Decimal, Decimal)> = BTreeMap::new();
    for inv in &r.invoices {
        for t in &inv.tax_lines {
            let rule = serde_json::to_value(&t.rule).unwrap_or_default();
            let name = rule["rule_id"].as_str().map(str::to_string).unwrap_or_else(|| {
                format!("{} ({})", rule["category"].as_str().unwrap_or(""), rule["note"].as_str().unwrap_or(""))
            });
            let slot = taxes.entry((name, inv.currency.code().to_string())).or_default();
            slot.0 += t.base;
            slot.1 += t.amount;
        }
    }
    for ((rule, currency), (base, amount)) in &taxes {
        let _ = writeln!(s, "  {rule:<44} {currency}  base {:>14}  tax {:>12}", money(*base), money(*amount));
    }

    // A record split at the not-to-exceed is invoiced up to the cap and queued for the rest: it is in the queue,
    // and the reconciliation counts it as invoiced.
    let held = r.exceptions.len().saturating_sub(r.reconciliation.iter().map(|k| k.exceptioned).sum::<usize>());
    let split = match held {
        0 => String::new(),
        1 => " (1 of them billed up to the cap, the rest held)".to_string(),
        n => format!(" ({n} of them billed up to the cap, the rest held)"),
    };
    let _ = writeln!(s, "\nException queue: {} records{split}", r.exceptions.len());
    let mut by_reason: BTreeMap<&str, (usize, &billable::invoice::QueueItem)> = BTreeMap::new();
    for q in &r.exceptions {
        for f in &q.reasons {
            by_reason.entry(f.code.as_str()).or_insert((0, q)).0 += 1;
        }
    }
    for (reason, (n, example)) in &by_reason {
        let message = example.reasons.iter().find(|f| f.code.as_str() == *reason).map_or("", |f| f.message.as_str());
        let retry = if example.retryable { "retryable" } else { "needs a person" };
        let _ = writeln!(s, "  {reason:<24} {n:>4}  e.g. {} v{}: {message} [{retry}]", example.id, example.version);
    }
    let _ = writeln!(s, "\nDeferred (not due yet): {} records", r.deferred.len());
    let mut deferred: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for q in &r.deferred {
        for f in &q.reasons {
            deferred.entry(f.code.as_str()).or_insert((0, q.id.as_str())).0 += 1;
        }
    }
    for (reason, (n, id)) in &deferred {
        let _ = writeln!(s, "  {reason:<24} {n:>4}  e.g. {id}");
    }
    let credits = r.counters.credits;
    let _ = writeln!(
        s,
        "\nCredits for records changed after invoicing: {credits}; late records billed: {}",
        r.counters.late
    );
    let _ = writeln!(s, "\nReconciliation (in = invoiced + exceptioned + deferred)");
    for rec in &r.reconciliation {
        let mark = if rec.balanced { "ok" } else { "UNBALANCED" };
        let kind = format!("{:?}", rec.kind).to_lowercase();
        let _ = writeln!(
            s,
            "  {kind:<10} {:>5} = {:>5} + {:>4} + {:>3}   {mark}",
            rec.received, rec.invoiced, rec.exceptioned, rec.deferred
        );
    }
    let _ = writeln!(s, "\nThe full response: billable demo --json");
    s
}
