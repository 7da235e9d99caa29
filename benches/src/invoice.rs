//! The invoice-run benchmark firm: the rates firm (2,000 workers, 10,000 rate
//! rules) with expenses, milestones, a tax table, customers in three tax
//! regimes and a ledger, as one `invoice_run` request.

use billable::invoice::{InvoiceRunRequest, LedgerLine, Numbering, Period, RunPolicy, SourceKind};
use billable::model::{ApprovalStatus, BillingType, Expense, Milestone, MilestoneStatus, TaxCategory, TaxRule};
use billable::money::{Currency, Money};
use billable::tax::Seller;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::Lcg;

/// An `invoice_run` request with `entries` entries, `entries / 20` expenses and
/// `entries / 500` milestones (1,000,000 / 50,000 / 2,000 at full size), the
/// same for the same `seed`.
pub fn request(seed: u64, entries: usize) -> InvoiceRunRequest {
    let mut firm = crate::rates::firm(seed, entries);
    let mut rng = Lcg::new(seed ^ 0x1_0000);
    // Customers in three tax regimes for a German seller: domestic, EU reverse charge, outside the EU.
    for (i, c) in firm.customers.iter_mut().enumerate() {
        let (country, tax_id) = match i % 3 {
            0 => ("DE", Some("DE136695976")),
            1 => ("FR", Some("FR40303265045")),
            _ => ("US", None),
        };
        c.country = country.into();
        c.tax_id = tax_id.map(Into::into);
    }
    let usd = Currency::parse("USD").unwrap_or_else(|_| unreachable!());
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let expenses: Vec<Expense> = (0..entries / 20)
        .map(|i| {
            let e = &firm.entries[rng.below(firm.entries.len() as u64) as usize];
            Expense {
                id: format!("x{i}"),
                version: 1,
                worker_id: e.worker_id.clone(),
                project_id: e.project_id.clone(),
                date: e.date,
                amount: Money::new(rng.decimal(5, 2), usd),
                category: ["travel", "lodging", "meals"][i % 3].into(),
                billable: true,
                status: ApprovalStatus::Approved,
                approved_by: e.approved_by.clone(),
                receipt: true,
            }
        })
        .collect();
    let fixed: Vec<&str> =
        firm.contracts.iter().filter(|k| k.billing_type == BillingType::FixedFee).map(|k| k.id.as_str()).collect();
    let milestones: Vec<Milestone> = (0..entries / 500)
        .map(|i| Milestone {
            id: format!("m{i}"),
            version: 1,
            contract_id: fixed.get(i % fixed.len().max(1)).map_or_else(String::new, |s| s.to_string()),
            name: Some(format!("Milestone {i}")),
            amount: rng.decimal(6, 2),
            due: start + Days::new(rng.below(365)),
            status: if i % 4 == 0 { MilestoneStatus::Pending } else { MilestoneStatus::Accepted },
        })
        .collect();
    let ledger: Vec<LedgerLine> = firm
        .ledger
        .iter()
        .map(|r| LedgerLine {
            kind: SourceKind::Entry,
            id: r.id.clone(),
            version: r.version,
            contract_id: String::new(),
            invoice_number: "B-0".into(),
            amount: Decimal::ZERO,
            currency: usd,
            hours: None,
            credits: None,
            tax: None,
        })
        .collect();
    let rule = |id: &str, jurisdiction: &str, rate: i64| TaxRule {
        id: id.into(),
        jurisdiction: jurisdiction.into(),
        category: TaxCategory::Standard,
        rate: Decimal::from(rate),
        compound: false,
        name: None,
        effective_from: None,
        effective_to: None,
    };
    InvoiceRunRequest {
        api_version: Default::default(),
        period: Period { start: firm.period.start, end: firm.period.end },
        as_of: "2027-01-04T09:00:00+01:00".parse().unwrap_or_else(|_| unreachable!()),
        seller: Seller { country: "DE".into(), subdivision: None, tax_ids: vec!["DE811907980".into()] },
        workers: firm.workers,
        customers: firm.customers,
        contracts: firm.contracts,
        projects: firm.projects,
        rate_cards: firm.rate_cards,
        entries: std::mem::take(&mut firm.entries),
        expenses,
        milestones,
        fx_rates: firm.fx_rates,
        tax_rules: vec![rule("DE-19", "DE", 19), rule("FR-20", "FR", 20)],
        holidays: Vec::new(),
        ledger,
        retainer_windows: Vec::new(),
        numbering: Numbering { prefix: "B-".into(), next: 1, width: 6 },
        policy: RunPolicy::default(),
    }
}
