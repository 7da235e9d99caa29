//! Validation of canonical records: parse each record on its own, keep going
//! past a bad field to find the next one, then check the rules a type cannot
//! express (ranges, date order, unique ids, references).

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::*;
use crate::error::{Code, Error};
use crate::money::{FxRate, FxTable};
use crate::wire;

/// Records as they arrive: each kind is a list of JSON objects, parsed one by
/// one so that one bad record does not hide the others. A kind that is absent
/// is not checked, and references into it are not checked either.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub struct RawRecords {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customers: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contracts: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projects: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_cards: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expenses: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestones: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fx_rates: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rules: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunities: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocations: Option<Vec<Value>>,
}

/// The records that parsed, each with its index in the input list.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct Records {
    pub workers: Option<Vec<(usize, Worker)>>,
    pub customers: Option<Vec<(usize, Customer)>>,
    pub contracts: Option<Vec<(usize, Contract)>>,
    pub projects: Option<Vec<(usize, Project)>>,
    pub rate_cards: Option<Vec<(usize, RateCard)>>,
    pub entries: Option<Vec<(usize, TimesheetEntry)>>,
    pub expenses: Option<Vec<(usize, Expense)>>,
    pub milestones: Option<Vec<(usize, Milestone)>>,
    pub fx_rates: Option<Vec<(usize, FxRate)>>,
    pub tax_rules: Option<Vec<(usize, TaxRule)>>,
    pub opportunities: Option<Vec<(usize, Opportunity)>>,
    pub allocations: Option<Vec<(usize, Allocation)>>,
}

/// Parse every record, collecting each record's field errors (all of them,
/// not only the first).
pub fn parse_records(raw: &RawRecords, problems: &mut Vec<Error>) -> Records {
    fn all<T: DeserializeOwned>(
        kind: &str,
        list: &Option<Vec<Value>>,
        problems: &mut Vec<Error>,
    ) -> Option<Vec<(usize, T)>> {
        list.as_ref().map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| parse_one::<T>(v, &format!("{kind}[{i}]"), problems).map(|t| (i, t)))
                .collect()
        })
    }
    Records {
        workers: all("workers", &raw.workers, problems),
        customers: all("customers", &raw.customers, problems),
        contracts: all("contracts", &raw.contracts, problems),
        projects: all("projects", &raw.projects, problems),
        rate_cards: all("rate_cards", &raw.rate_cards, problems),
        entries: all("entries", &raw.entries, problems),
        expenses: all("expenses", &raw.expenses, problems),
        milestones: all("milestones", &raw.milestones, problems),
        fx_rates: all("fx_rates", &raw.fx_rates, problems),
        tax_rules: all("tax_rules", &raw.tax_rules, problems),
        opportunities: all("opportunities", &raw.opportunities, problems),
        allocations: all("allocations", &raw.allocations, problems),
    }
}

/// Parse one record. On a field error, note it, drop that field and parse
/// again, so every bad field of the record is reported; a field already
/// reported that turns up again as missing ends the search.
fn parse_one<T: DeserializeOwned>(value: &Value, prefix: &str, problems: &mut Vec<Error>) -> Option<T> {
    let mut current = value.clone();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for _ in 0..64 {
        match wire::from_value::<T>(current.clone()) {
            Ok(t) => return reported.is_empty().then_some(t),
            Err(e) => {
                if reported.contains(&e.path) || e.path.is_empty() {
                    if !reported.contains(&e.path) {
                        problems.push(e.under(prefix));
                    }
                    return None;
                }
                reported.insert(e.path.clone());
                let removed = remove_path(&mut current, &e.path);
                problems.push(e.under(prefix));
                if !removed {
                    return None;
                }
            }
        }
    }
    None
}

/// Remove the field at `path` (`a.b[2].c`) from `value`. False when there is nothing to remove.
fn remove_path(value: &mut Value, path: &str) -> bool {
    let mut segments: Vec<Result<usize, &str>> = Vec::new();
    for part in path.split('.') {
        let (name, rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
        if !name.is_empty() {
            segments.push(Err(name));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            match idx.trim_end_matches(']').parse() {
                Ok(i) => segments.push(Ok(i)),
                Err(_) => return false,
            }
        }
    }
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut node = value;
    for seg in parents {
        let next = match (seg, node) {
            (Ok(i), Value::Array(a)) => a.get_mut(*i),
            (Err(k), Value::Object(o)) => o.get_mut(*k),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    match (last, node) {
        (Err(k), Value::Object(o)) => o.shift_remove(*k).is_some(),
        (Ok(i), Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    }
}

/// Validate `raw`: every parse problem and every rule problem, in input order
/// within each check, each with its path.
///
/// ```
/// use billable::model::{validate, RawRecords};
/// let raw: RawRecords = serde_json::from_str(r#"{"entries": [
///   {"id": "e1", "worker_id": "w1", "project_id": "p1", "date": "2026-02-30", "hours": "25", "status": "approved"}
/// ]}"#).unwrap();
/// let problems = validate(&raw);
/// let found: Vec<_> = problems.iter().map(|p| (p.code.as_str(), p.path.as_str())).collect();
/// assert_eq!(found, [("invalid_date", "entries[0].date")]);
/// ```
pub fn validate(raw: &RawRecords) -> Vec<Error> {
    let mut problems = Vec::new();
    let records = parse_records(raw, &mut problems);
    check_records(&records, &mut problems);
    problems
}

struct Checker<'a> {
    problems: &'a mut Vec<Error>,
}

impl Checker<'_> {
    fn push(&mut self, code: Code, path: String, message: String) {
        self.problems.push(Error::new(code, message).at(path));
    }

    fn range(&mut self, path: String, value: Decimal, min: Decimal, max: Option<Decimal>, what: &str) {
        self.range_as(Code::InvalidValue, path, value, (min, max), what);
    }

    /// As [`Checker::range`], with the code the operations give the same value (`invalid_hours` for hours).
    fn range_as(
        &mut self,
        code: Code,
        path: String,
        value: Decimal,
        (min, max): (Decimal, Option<Decimal>),
        what: &str,
    ) {
        if value < min || max.is_some_and(|m| value > m) {
            let bounds = max.map_or(format!("at least {min}"), |m| format!("between {min} and {m}"));
            self.push(code, path, format!("{what} {value} must be {bounds}"));
        }
    }

    /// Skill levels run from 1 (aware) to 5 (expert), on a worker and on a demand line alike.
    fn skills(&mut self, owner: &str, skills: &[Skill]) {
        for (k, s) in skills.iter().enumerate() {
            if !(1..=5).contains(&s.level) {
                self.push(
                    Code::InvalidValue,
                    format!("{owner}.skills[{k}].level"),
                    format!("skill level {} must be 1 to 5", s.level),
                );
            }
        }
    }

    fn dates<D: PartialOrd + std::fmt::Display>(&mut self, path: String, start: Option<D>, end: Option<D>) {
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            self.push(Code::InvalidPeriod, path, format!("starts {s} but ends {e}"));
        }
    }

    fn unique<'r, T: 'r>(
        &mut self,
        kind: &str,
        items: impl IntoIterator<Item = &'r (usize, T)>,
        id: impl Fn(&T) -> &str,
    ) {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, item) in items {
            let key = id(item);
            if key.is_empty() {
                self.push(Code::InvalidValue, format!("{kind}[{i}].id"), "id must not be empty".into());
            } else if let Some(first) = seen.insert(key, *i) {
                self.push(
                    Code::DuplicateId,
                    format!("{kind}[{i}].id"),
                    format!("`{key}` is also the id of {kind}[{first}]"),
                );
                seen.insert(key, first);
            }
        }
    }

    fn reference<T>(
        &mut self,
        path: String,
        id: &str,
        targets: &Option<Vec<(usize, T)>>,
        target_id: impl Fn(&T) -> &str,
        kind: &str,
    ) {
        if let Some(list) = targets
            && !list.iter().any(|(_, t)| target_id(t) == id)
        {
            self.push(Code::UnknownReference, path, format!("no {kind} has id `{id}`"));
        }
    }

    fn country(&mut self, path: String, code: &str) {
        if !is_country_code(code) {
            self.push(Code::InvalidValue, path, format!("`{code}` is not an ISO 3166-1 alpha-2 country code"));
        }
    }
}

/// The problems of the master data that pricing and eligibility read (a worker's employment and cost rate,
/// a contract's terms, a rate card's rules), as `validate` reports them; the first one, if any. Every
/// operation that rates refuses what `validate` reports here, rather than bill with it.
pub(crate) fn first_master_data_problem(
    workers: &[Worker],
    contracts: &[Contract],
    cards: &[RateCard],
) -> Option<Error> {
    let mut problems = Vec::new();
    let mut c = Checker { problems: &mut problems };
    for (i, w) in workers.iter().enumerate() {
        check_worker_terms(&mut c, &format!("workers[{i}]"), w);
        if !c.problems.is_empty() {
            return problems.into_iter().next();
        }
    }
    for (i, k) in contracts.iter().enumerate() {
        check_contract_terms(&mut c, &format!("contracts[{i}]"), k);
        if !c.problems.is_empty() {
            return problems.into_iter().next();
        }
    }
    for (i, card) in cards.iter().enumerate() {
        check_rate_card(&mut c, &format!("rate_cards[{i}]"), card);
        if !c.problems.is_empty() {
            return problems.into_iter().next();
        }
    }
    None
}

/// A worker's employment dates and cost rate.
fn check_worker_terms(c: &mut Checker, p: &str, w: &Worker) {
    c.dates(format!("{p}.employment"), Some(w.employment.start), w.employment.end);
    // Employment is read from the dates; a terminated worker without a last day would be employed for ever.
    if w.employment.status == EmploymentStatus::Terminated && w.employment.end.is_none() {
        c.push(
            Code::MissingField,
            format!("{p}.employment.end"),
            "a terminated worker needs the last day employed (`end`): without it every later entry would count".into(),
        );
    }
    if let Some(cost) = &w.cost_rate {
        c.range(format!("{p}.cost_rate.amount"), cost.amount, Decimal::ZERO, None, "cost rate");
    }
}

/// A contract's own terms that rating and eligibility read (its references, and the retainer terms only the
/// invoice run reads, are checked by `check_records`).
fn check_contract_terms(c: &mut Checker, p: &str, k: &Contract) {
    let zero = Decimal::ZERO;
    let day = Decimal::from(24);
    c.dates(p.to_string(), Some(k.start), k.end);
    if let Some(cap) = k.not_to_exceed {
        c.range(format!("{p}.not_to_exceed"), cap, zero, None, "not-to-exceed");
        // The cap's last part is billed as it stands, so it must be an amount the currency can bill.
        if let Some(units) = k.currency.minor_units()
            && cap.normalize().scale() > units
        {
            c.push(
                Code::InvalidValue,
                format!("{p}.not_to_exceed"),
                format!("not-to-exceed {cap} is finer than {}'s {units} decimal places", k.currency),
            );
        }
    }
    if k.hours_per_day <= zero || k.hours_per_day > day {
        c.push(
            Code::InvalidValue,
            format!("{p}.hours_per_day"),
            format!("hours per day {} must be above 0 and at most 24", k.hours_per_day),
        );
    }
    if let Some(dr) = &k.duration_rounding {
        if dr.increment <= zero {
            c.push(
                Code::InvalidIncrement,
                format!("{p}.duration_rounding.increment"),
                "increment must be greater than zero".into(),
            );
        }
        if let Some(min) = dr.minimum {
            c.range(format!("{p}.duration_rounding.minimum"), min, zero, Some(day), "minimum hours");
        }
    }
    if let Some(ot) = &k.overtime {
        let fields = [
            ("daily_threshold", ot.daily_threshold),
            ("daily_multiplier", ot.daily_multiplier),
            ("weekly_threshold", ot.weekly_threshold),
            ("weekly_multiplier", ot.weekly_multiplier),
            ("weekend_multiplier", ot.weekend_multiplier),
            ("holiday_multiplier", ot.holiday_multiplier),
        ];
        for (name, value) in fields {
            if let Some(v) = value {
                c.range(format!("{p}.overtime.{name}"), v, zero, None, name);
            }
        }
    }
    if let Some(ep) = &k.expense_policy {
        c.range(format!("{p}.expense_policy.markup_percent"), ep.markup_percent, zero, None, "markup");
    }
    if let Some(inc) = k.cash_rounding
        && inc <= zero
    {
        c.push(
            Code::InvalidIncrement,
            format!("{p}.cash_rounding"),
            "cash-rounding increment must be greater than zero".into(),
        );
    }
    if let Some(inc) = k.cash_rounding
        && let Err(e) = crate::money::check_increment(k.currency, inc)
    {
        c.push(e.code, format!("{p}.cash_rounding"), e.message);
    }
}

/// A rate card's rules: ids unique on the card, rates not negative, dates in order.
fn check_rate_card(c: &mut Checker, p: &str, card: &RateCard) {
    let mut seen = BTreeSet::new();
    for (k, rule) in card.rules.iter().enumerate() {
        let p = format!("{p}.rules[{k}]");
        if !seen.insert(rule.id.as_str()) {
            c.push(Code::DuplicateId, format!("{p}.id"), format!("rule `{}` appears twice on the card", rule.id));
        }
        c.range(format!("{p}.rate"), rule.rate, Decimal::ZERO, None, "rate");
        c.dates(p, rule.effective_from, rule.effective_to);
    }
}

fn check_records(r: &Records, problems: &mut Vec<Error>) {
    let zero = Decimal::ZERO;
    let hundred = Decimal::ONE_HUNDRED;
    let day = Decimal::from(24);
    let mut c = Checker { problems };

    let none = Vec::new();

    for (i, w) in r.workers.as_ref().unwrap_or(&none) {
        let p = format!("workers[{i}]");
        check_worker_terms(&mut c, &p, w);
        c.skills(&p, &w.skills);
        for (k, v) in w.schedule.iter().enumerate() {
            for (name, hours) in v.hours.days() {
                c.range(format!("{p}.schedule[{k}].hours.{name}"), hours, zero, Some(day), "scheduled hours");
            }
        }
        if let Some(country) = &w.country {
            c.country(format!("{p}.country"), country);
        }
    }
    c.unique("workers", r.workers.as_ref().unwrap_or(&none), |w| &w.id);

    let none_c = Vec::new();
    for (i, cu) in r.customers.as_ref().unwrap_or(&none_c) {
        c.country(format!("customers[{i}].country"), &cu.country);
        if let Some(sub) = &cu.subdivision
            && !is_subdivision_of(sub, &cu.country)
        {
            c.push(
                Code::InvalidValue,
                format!("customers[{i}].subdivision"),
                format!("`{sub}` is not an ISO 3166-2 code of {}", cu.country),
            );
        }
    }
    c.unique("customers", r.customers.as_ref().unwrap_or(&none_c), |x| &x.id);

    let none_k = Vec::new();
    for (i, k) in r.contracts.as_ref().unwrap_or(&none_k) {
        let p = format!("contracts[{i}]");
        c.reference(format!("{p}.customer_id"), &k.customer_id, &r.customers, |x| &x.id, "customer");
        c.reference(format!("{p}.rate_card_id"), &k.rate_card_id, &r.rate_cards, |x| &x.id, "rate card");
        check_contract_terms(&mut c, &p, k);
        // Only the invoice run reads the retainer terms; it checks them itself.
        match &k.retainer {
            None if k.billing_type == BillingType::Retainer => c.push(
                Code::MissingField,
                format!("{p}.retainer"),
                "a retainer contract needs its retainer terms (the amount billed each window)".into(),
            ),
            Some(terms) if k.billing_type == BillingType::Retainer => {
                c.range(format!("{p}.retainer.amount"), terms.amount, zero, None, "retainer amount")
            }
            _ => {}
        }
    }
    c.unique("contracts", r.contracts.as_ref().unwrap_or(&none_k), |x| &x.id);

    let none_p = Vec::new();
    for (i, pr) in r.projects.as_ref().unwrap_or(&none_p) {
        c.reference(format!("projects[{i}].contract_id"), &pr.contract_id, &r.contracts, |x| &x.id, "contract");
        let tasks: Vec<(usize, &Task)> = pr.tasks.iter().enumerate().collect();
        let mut seen = BTreeSet::new();
        for (k, t) in tasks {
            if !seen.insert(t.id.as_str()) {
                c.push(
                    Code::DuplicateId,
                    format!("projects[{i}].tasks[{k}].id"),
                    format!("task `{}` appears twice", t.id),
                );
            }
        }
    }
    c.unique("projects", r.projects.as_ref().unwrap_or(&none_p), |x| &x.id);

    let none_rc = Vec::new();
    for (i, card) in r.rate_cards.as_ref().unwrap_or(&none_rc) {
        check_rate_card(&mut c, &format!("rate_cards[{i}]"), card);
    }
    c.unique("rate_cards", r.rate_cards.as_ref().unwrap_or(&none_rc), |x| &x.id);

    let none_e = Vec::new();
    let mut worker_day: BTreeMap<(&str, chrono::NaiveDate), Decimal> = BTreeMap::new();
    for (i, e) in r.entries.as_ref().unwrap_or(&none_e) {
        let p = format!("entries[{i}]");
        if e.hours <= zero || e.hours > day {
            c.push(
                Code::InvalidHours,
                format!("{p}.hours"),
                format!("hours {} must be above 0 and at most 24", e.hours),
            );
        } else if e.status != ApprovalStatus::Rejected {
            // A rejected entry was sent back: it does not count toward the day (docs/eligibility.md).
            let total = worker_day.entry((e.worker_id.as_str(), e.date)).or_default();
            let before = *total;
            *total += e.hours;
            // Reported once per worker-day: on the entry that crosses 24 hours.
            if before <= day && *total > day {
                c.push(
                    Code::InvalidHours,
                    format!("{p}.hours"),
                    format!("worker {} records {} hours on {}, more than 24", e.worker_id, total, e.date),
                );
            }
        }
        if let Some(adj) = &e.adjustment {
            let path = format!("{p}.adjustment.billable_hours");
            c.range_as(Code::InvalidHours, path, adj.billable_hours, (zero, Some(day)), "adjusted hours");
        }
        if e.version == 0 {
            c.push(Code::InvalidValue, format!("{p}.version"), "versions start at 1".into());
        }
        c.reference(format!("{p}.worker_id"), &e.worker_id, &r.workers, |x| &x.id, "worker");
        c.reference(format!("{p}.project_id"), &e.project_id, &r.projects, |x| &x.id, "project");
        if let (Some(task), Some(projects)) = (&e.task_id, &r.projects)
            && let Some((_, project)) = projects.iter().find(|(_, pr)| pr.id == e.project_id)
            && !project.tasks.iter().any(|t| &t.id == task)
        {
            c.push(
                Code::UnknownReference,
                format!("{p}.task_id"),
                format!("project {} has no task `{task}`", project.id),
            );
        }
    }
    c.unique("entries", r.entries.as_ref().unwrap_or(&none_e), |x| &x.id);

    let none_x = Vec::new();
    for (i, x) in r.expenses.as_ref().unwrap_or(&none_x) {
        let p = format!("expenses[{i}]");
        c.reference(format!("{p}.worker_id"), &x.worker_id, &r.workers, |w| &w.id, "worker");
        c.reference(format!("{p}.project_id"), &x.project_id, &r.projects, |w| &w.id, "project");
        if x.version == 0 {
            c.push(Code::InvalidValue, format!("{p}.version"), "versions start at 1".into());
        }
    }
    c.unique("expenses", r.expenses.as_ref().unwrap_or(&none_x), |x| &x.id);

    let none_m = Vec::new();
    for (i, m) in r.milestones.as_ref().unwrap_or(&none_m) {
        c.range(format!("milestones[{i}].amount"), m.amount, zero, None, "milestone amount");
        c.reference(format!("milestones[{i}].contract_id"), &m.contract_id, &r.contracts, |x| &x.id, "contract");
    }
    c.unique("milestones", r.milestones.as_ref().unwrap_or(&none_m), |x| &x.id);

    if let Some(rates) = &r.fx_rates {
        let table: Vec<FxRate> = rates.iter().map(|(_, f)| f.clone()).collect();
        if let Err(e) = FxTable::new(&table) {
            // Map the position in the parsed list back to the input index.
            let e = match e.path.strip_prefix('[').and_then(|s| s.split_once(']')) {
                Some((n, rest)) => match n.parse::<usize>().ok().and_then(|n| rates.get(n)) {
                    Some((orig, _)) => e.clone().at(format!("fx_rates[{orig}]{rest}")),
                    None => e.under("fx_rates"),
                },
                None => e.under("fx_rates"),
            };
            c.problems.push(e);
        }
    }

    let none_t = Vec::new();
    for (i, t) in r.tax_rules.as_ref().unwrap_or(&none_t) {
        c.range(format!("tax_rules[{i}].rate"), t.rate, zero, Some(hundred), "tax rate");
        c.dates(format!("tax_rules[{i}]"), t.effective_from, t.effective_to);
    }
    c.unique("tax_rules", r.tax_rules.as_ref().unwrap_or(&none_t), |x| &x.id);

    let none_o = Vec::new();
    for (i, o) in r.opportunities.as_ref().unwrap_or(&none_o) {
        let p = format!("opportunities[{i}]");
        c.range(format!("{p}.probability"), o.probability, zero, Some(hundred), "probability");
        c.dates(p.clone(), Some(o.expected_start), Some(o.expected_end));
        c.reference(format!("{p}.customer_id"), &o.customer_id, &r.customers, |x| &x.id, "customer");
        for (k, d) in o.demand.iter().enumerate() {
            c.range(
                format!("{p}.demand[{k}].hours_per_week"),
                d.hours_per_week,
                zero,
                Some(Decimal::from(168)),
                "hours per week",
            );
            c.dates(format!("{p}.demand[{k}]"), Some(d.start), Some(d.end));
            // A line asking for level 7 would match no worker and show as unstaffable demand, not as a typo.
            c.skills(&format!("{p}.demand[{k}]"), &d.skills);
        }
    }
    c.unique("opportunities", r.opportunities.as_ref().unwrap_or(&none_o), |x| &x.id);

    let none_a = Vec::new();
    for (i, a) in r.allocations.as_ref().unwrap_or(&none_a) {
        let p = format!("allocations[{i}]");
        c.dates(p.clone(), Some(a.start), Some(a.end));
        let week = (zero, Some(Decimal::from(168)));
        c.range_as(Code::InvalidHours, format!("{p}.hours_per_week"), a.hours_per_week, week, "hours per week");
        c.reference(format!("{p}.worker_id"), &a.worker_id, &r.workers, |x| &x.id, "worker");
        match (&a.project_id, &a.opportunity_id) {
            (Some(pid), None) => c.reference(format!("{p}.project_id"), pid, &r.projects, |x| &x.id, "project"),
            (None, Some(oid)) => {
                c.reference(format!("{p}.opportunity_id"), oid, &r.opportunities, |x| &x.id, "opportunity")
            }
            _ => c.push(Code::InvalidValue, p, "exactly one of project_id and opportunity_id is required".into()),
        }
    }
    c.unique("allocations", r.allocations.as_ref().unwrap_or(&none_a), |x| &x.id);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(doc: Value) -> Vec<(String, String)> {
        let raw: RawRecords = serde_json::from_value(doc).unwrap();
        validate(&raw).into_iter().map(|e| (e.code.as_str().to_string(), e.path)).collect()
    }

    fn entry(id: &str, hours: &str) -> Value {
        json!({"id": id, "worker_id": "w1", "project_id": "p1", "date": "2026-03-02", "hours": hours, "status": "approved"})
    }

    #[test]
    fn every_bad_field_of_a_record_is_reported() {
        let got = problems(json!({"entries": [
            {"id": "e1", "worker_id": "w1", "project_id": "p1", "date": "2026-02-30", "hours": "abc", "status": "done"}
        ]}));
        assert_eq!(
            got,
            [
                ("invalid_date".into(), "entries[0].date".into()),
                ("invalid_decimal".into(), "entries[0].hours".into()),
                ("invalid_value".into(), "entries[0].status".into()),
            ]
        );
    }

    #[test]
    fn missing_fields_and_good_records_beside_bad_ones() {
        let got = problems(json!({"entries": [entry("e1", "8"), {"id": "e2"}, entry("e3", "0")]}));
        assert_eq!(got[0], ("missing_field".into(), "entries[1].worker_id".into()));
        assert!(got.contains(&("invalid_hours".into(), "entries[2].hours".into())));
    }

    #[test]
    fn hours_per_worker_day_and_duplicates() {
        // 10 + 10 + 5 = 25 hours on one day: the third entry crosses 24.
        let got =
            problems(json!({"entries": [entry("e1", "10"), entry("e2", "10"), entry("e3", "5"), entry("e1", "1")]}));
        assert_eq!(
            got,
            [("invalid_hours".into(), "entries[2].hours".into()), ("duplicate_id".into(), "entries[3].id".into())]
        );
    }

    #[test]
    fn references_are_checked_when_the_kind_is_present() {
        let got = problems(json!({
            "entries": [entry("e1", "8")],
            "projects": [{"id": "p1", "contract_id": "k9", "status": "open"}],
            "contracts": [],
        }));
        assert_eq!(
            got,
            [("unknown_reference".into(), "projects[0].contract_id".into())],
            "workers absent, so worker_id is not checked"
        );
    }

    #[test]
    fn ranges_dates_and_countries() {
        let got = problems(json!({
            "customers": [{"id": "c1", "name": "A", "country": "de", "billing_currency": "EUR", "status": "active"}],
            "allocations": [{"id": "a1", "worker_id": "w1", "start": "2026-03-10", "end": "2026-03-01", "hours_per_week": 200, "status": "committed"}],
            "tax_rules": [{"id": "t1", "jurisdiction": "DE", "category": "standard", "rate": "190"}],
        }));
        assert_eq!(
            got,
            [
                ("invalid_value".into(), "customers[0].country".into()),
                ("invalid_value".into(), "tax_rules[0].rate".into()),
                ("invalid_period".into(), "allocations[0]".into()),
                ("invalid_hours".into(), "allocations[0].hours_per_week".into()),
                ("invalid_value".into(), "allocations[0]".into()),
            ]
        );
    }
}
