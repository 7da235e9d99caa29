//! A deterministic firm for the rate + eligibility benchmark: 2,000 workers,
//! 10,000 rate rules on 50 cards, 400 contracts, 2,000 projects and any
//! number of timesheet entries over 2026.
//!
//! The mix: 30 % of contracts round to quarter hours, 20 % have daily and
//! weekly overtime, 10 % a not-to-exceed, 10 % are fixed fee, and one card in
//! five is in EUR for USD contracts (FX at each entry date). Each worker works
//! on three projects; 95 % of entries are approved by the project's approver.

use std::collections::BTreeSet;

use billable::eligibility::{ContractInvoiced, LedgerRecord, Period, Run};
use billable::model::{
    ApprovalStatus, BillingSchedule, BillingType, Contract, Customer, CustomerStatus, DurationRounding,
    DurationRoundingMode, Employment, EmploymentStatus, OvertimePolicy, Project, ProjectStatus, RateCard, RateRule,
    RateUnit, Task, TaxRounding, TimesheetEntry, Worker,
};
use billable::money::{Currency, FxRate, FxTable, Money, RoundingMode};
use billable::rates::{MasterData, RateOptions, Tables};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::Lcg;

// Amounts are written in cents, grouped as money is: `120_00` is 120.00.

/// Master data and entries of the benchmark firm.
#[derive(Debug, Clone)]
pub struct Firm {
    /// 2,000 workers in 10 roles.
    pub workers: Vec<Worker>,
    /// 200 customers.
    pub customers: Vec<Customer>,
    /// 400 contracts.
    pub contracts: Vec<Contract>,
    /// 2,000 projects of two tasks each.
    pub projects: Vec<Project>,
    /// 50 cards of 200 rules: 10,000 rules.
    pub rate_cards: Vec<RateCard>,
    /// EUR/USD, one rate per month of 2026.
    pub fx_rates: Vec<FxRate>,
    /// The entries.
    pub entries: Vec<TimesheetEntry>,
    /// A ledger holding 1 % of the entries.
    pub ledger: Vec<LedgerRecord>,
    /// Amounts invoiced before on the capped contracts.
    pub invoiced: Vec<ContractInvoiced>,
    /// The whole of 2026.
    pub period: Period,
}

impl Firm {
    /// The firm's master data, indexed.
    pub fn master(&self) -> MasterData<'_> {
        MasterData::new(Tables {
            workers: &self.workers,
            customers: &self.customers,
            contracts: &self.contracts,
            projects: &self.projects,
            rate_cards: &self.rate_cards,
        })
        .expect("the generated master data is consistent")
    }

    /// Rating options: the firm's FX table, no holidays.
    pub fn options(&self) -> RateOptions {
        RateOptions {
            fx: FxTable::new(&self.fx_rates).expect("the generated FX rates are valid"),
            ..RateOptions::default()
        }
    }

    /// The eligibility run: the whole year, the ledger and the amounts invoiced before.
    pub fn run(&self) -> Run<'_> {
        Run {
            period: self.period,
            ledger: &self.ledger,
            invoiced: &self.invoiced,
            released: &[],
            blocked: &[],
            cap_unknown: &[],
        }
    }
}

const WORKERS: usize = 2_000;
const CUSTOMERS: usize = 200;
const CONTRACTS: usize = 400;
const PROJECTS: usize = 2_000;
const CARDS: usize = 50;
const RULES_PER_CARD: usize = 200;
const ROLES: usize = 10;

fn d(mantissa: i64, scale: u32) -> Decimal {
    Decimal::new(mantissa, scale)
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().checked_add_days(Days::new(n)).unwrap()
}

/// The firm with `entries` timesheet entries, the same for the same `seed`.
pub fn firm(seed: u64, entries: usize) -> Firm {
    let mut rng = Lcg::new(seed);
    let usd = Currency::parse("USD").unwrap();
    let eur = Currency::parse("EUR").unwrap();
    let start = day(0);

    let customers: Vec<Customer> = (0..CUSTOMERS)
        .map(|i| Customer {
            id: format!("cu{i}"),
            name: format!("Customer {i}"),
            country: "US".into(),
            subdivision: None,
            tax_id: None,
            tax_exempt: false,
            billing_currency: usd,
            status: if i % 50 == 7 { CustomerStatus::BillingHold } else { CustomerStatus::Active },
        })
        .collect();

    let contracts: Vec<Contract> = (0..CONTRACTS)
        .map(|i| Contract {
            id: format!("k{i}"),
            customer_id: format!("cu{}", i % CUSTOMERS),
            currency: usd,
            billing_type: if i % 10 == 3 { BillingType::FixedFee } else { BillingType::TimeAndMaterials },
            start,
            end: None,
            rate_card_id: format!("rc{}", i % CARDS),
            not_to_exceed: (i % 10 == 5).then(|| d(500_000_00, 2)),
            billing_schedule: BillingSchedule::Monthly,
            duration_rounding: (i % 10 < 3).then(|| DurationRounding {
                increment: d(25, 2),
                mode: DurationRoundingMode::Up,
                minimum: None,
            }),
            overtime: (i % 5 == 1).then(|| OvertimePolicy {
                daily_threshold: Some(d(8, 0)),
                daily_multiplier: Some(d(15, 1)),
                weekly_threshold: Some(d(40, 0)),
                weekly_multiplier: Some(d(15, 1)),
                weekend_multiplier: Some(d(2, 0)),
                holiday_multiplier: None,
            }),
            expense_policy: None,
            tax_rounding: TaxRounding::PerLine,
            rounding_mode: RoundingMode::HalfAwayFromZero,
            cash_rounding: None,
            hours_per_day: d(8, 0),
            prices_include_tax: false,
            retainer: None,
            fx_date: None,
        })
        .collect();

    // Project j belongs to contract j % 400; its approver is worker j % 2000.
    let projects: Vec<Project> = (0..PROJECTS)
        .map(|j| Project {
            id: format!("p{j}"),
            contract_id: format!("k{}", j % CONTRACTS),
            name: None,
            billable: j % 100 != 13,
            status: if j % 100 == 17 { ProjectStatus::Closed } else { ProjectStatus::Open },
            tasks: (0..2)
                .map(|t| Task { id: format!("p{j}-t{t}"), name: None, billable: t == 0 || j % 7 != 0 })
                .collect(),
        })
        .collect();

    let workers: Vec<Worker> = (0..WORKERS)
        .map(|i| Worker {
            id: format!("w{i}"),
            name: format!("Worker {i}"),
            role: format!("role{}", i % ROLES),
            grade: None,
            cost_rate: (i % 2 == 0).then(|| Money::new(d(40_00 + (i as i64 % 40) * 100, 2), usd)),
            employment: Employment { status: EmploymentStatus::Active, start: day(0), end: None },
            skills: Vec::new(),
            schedule: Vec::new(),
            country: None,
            time_zone: None,
            approver_for: vec![format!("p{i}")],
        })
        .collect();

    // Each card prices the 8 contracts (and their 40 projects) that use it.
    let rate_cards: Vec<RateCard> = (0..CARDS)
        .map(|c| {
            let mut seen = BTreeSet::new();
            let mut rules = Vec::with_capacity(RULES_PER_CARD);
            for r in 0..ROLES {
                seen.insert(("default", String::new(), format!("role{r}")));
                rules.push(rule(
                    &format!("rc{c}-d{r}"),
                    100_00 + r as i64 * 10_00,
                    None,
                    Some(format!("role{r}")),
                    None,
                ));
            }
            let contract_ids: Vec<usize> = (0..CONTRACTS).filter(|k| k % CARDS == c).collect();
            let project_ids: Vec<usize> = (0..PROJECTS).filter(|j| contract_ids.contains(&(j % CONTRACTS))).collect();
            while rules.len() < RULES_PER_CARD {
                let n = rules.len();
                let role = format!("role{}", rng.below(ROLES as u64));
                let rate = 120_00 + rng.below(100) as i64 * 100;
                let (scope, key) = match rng.below(5) {
                    0 => (
                        "customer",
                        format!("cu{}", contract_ids[rng.below(contract_ids.len() as u64) as usize] % CUSTOMERS),
                    ),
                    1 => ("contract", format!("k{}", contract_ids[rng.below(contract_ids.len() as u64) as usize])),
                    2 | 3 => ("project", format!("p{}", project_ids[rng.below(project_ids.len() as u64) as usize])),
                    _ => {
                        let j = project_ids[rng.below(project_ids.len() as u64) as usize];
                        ("task", format!("p{j}-t{}", rng.below(2)))
                    }
                };
                // Some project rules name a worker who works there (worker i works on projects i, i+1, i+2).
                let who = if scope == "project" && rng.below(2) == 0 {
                    let j: usize = key[1..].parse().unwrap();
                    format!("w{}", (j + PROJECTS - rng.below(3) as usize) % WORKERS)
                } else {
                    role
                };
                if !seen.insert((scope, key.clone(), who.clone())) {
                    continue;
                }
                let mut r = if who.starts_with('w') {
                    rule(&format!("rc{c}-r{n}"), rate, Some(who), None, None)
                } else {
                    rule(&format!("rc{c}-r{n}"), rate, None, Some(who), None)
                };
                match scope {
                    "customer" => r.customer_id = Some(key),
                    "contract" => r.contract_id = Some(key),
                    "project" => r.project_id = Some(key),
                    _ => r.task_id = Some(key),
                }
                if rng.below(4) == 0 {
                    r.effective_from = Some(day(rng.below(120)));
                }
                rules.push(r);
            }
            RateCard { id: format!("rc{c}"), currency: if c % 5 == 4 { eur } else { usd }, rules }
        })
        .collect();

    let fx_rates = (0..12)
        .map(|m| FxRate {
            base: eur,
            quote: usd,
            rate: d(10_800 + m * 25, 4),
            as_of: NaiveDate::from_ymd_opt(2026, m as u32 + 1, 1).unwrap(),
            source: "ECB".into(),
        })
        .collect();

    let entries: Vec<TimesheetEntry> = (0..entries)
        .map(|n| {
            let w = rng.below(WORKERS as u64) as usize;
            let j = (w + rng.below(3) as usize) % PROJECTS;
            let status = if rng.below(20) == 0 { ApprovalStatus::Submitted } else { ApprovalStatus::Approved };
            TimesheetEntry {
                id: format!("e{n}"),
                version: 1,
                worker_id: format!("w{w}"),
                project_id: format!("p{j}"),
                task_id: (rng.below(2) == 0).then(|| format!("p{j}-t{}", rng.below(2))),
                date: day(rng.below(365)),
                hours: d(1 + rng.below(16) as i64 * 25, 2).max(d(25, 2)),
                billable: true,
                status,
                approved_by: Some(format!("w{}", j % WORKERS)),
                adjustment: None,
                notes: None,
            }
        })
        .collect();
    let ledger = entries
        .iter()
        .step_by(100)
        .map(|e| LedgerRecord { kind: Default::default(), id: e.id.clone(), version: 1 })
        .collect();
    let invoiced = (0..CONTRACTS)
        .filter(|i| i % 10 == 5)
        .map(|i| ContractInvoiced { contract_id: format!("k{i}"), amount: d(490_000_00, 2) })
        .collect();
    Firm {
        workers,
        customers,
        contracts,
        projects,
        rate_cards,
        fx_rates,
        entries,
        ledger,
        invoiced,
        period: Period { start: day(0), end: day(364) },
    }
}

fn rule(id: &str, cents: i64, worker: Option<String>, role: Option<String>, project: Option<String>) -> RateRule {
    RateRule {
        id: id.into(),
        rate: d(cents, 2),
        unit: RateUnit::Hour,
        worker_id: worker,
        role,
        task_id: None,
        project_id: project,
        contract_id: None,
        customer_id: None,
        effective_from: None,
        effective_to: None,
    }
}
