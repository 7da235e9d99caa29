//! Rule precedence (SPEC §5.1–5.4): which rule prices an entry, and why it
//! beat every other candidate.
//!
//! A rule's scope is the most specific dimension it names: task (5),
//! project (4), contract (3), customer (2), or none, the card default (1).
//! Score = `scope × 2 + (worker named ? 1 : 0)`. The candidates for an entry
//! are the rules of its contract's card filed under one of the entry's scope
//! keys (its task, project, contract, customer, or the default) and naming
//! its worker, its worker's role, or neither; rules for other projects or
//! other people are not candidates and are not listed.

use std::borrow::Cow;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

use super::master::{IndexedCard, ScopeKey, Who};
use crate::error::{Code, Error, Result};
use crate::model::{RateRule, Worker};

/// The precedence rank of a rule's most specific dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// No dimension besides worker or role: the card default (rank 1).
    CardDefault,
    /// Names a customer (rank 2).
    Customer,
    /// Names a contract (rank 3).
    Contract,
    /// Names a project (rank 4).
    Project,
    /// Names a task (rank 5).
    Task,
}

impl Scope {
    /// The rank of SPEC §5.2: task 5, project 4, contract 3, customer 2, card default 1.
    pub const fn rank(self) -> u8 {
        match self {
            Scope::CardDefault => 1,
            Scope::Customer => 2,
            Scope::Contract => 3,
            Scope::Project => 4,
            Scope::Task => 5,
        }
    }

    /// The scope of `rule`.
    pub fn of(rule: &RateRule) -> Scope {
        match super::master::scope_key(rule) {
            ScopeKey::Task(_) => Scope::Task,
            ScopeKey::Project(_) => Scope::Project,
            ScopeKey::Contract(_) => Scope::Contract,
            ScopeKey::Customer(_) => Scope::Customer,
            ScopeKey::Default => Scope::CardDefault,
        }
    }
}

/// Score of SPEC §5.2: `scope × 2 + (worker named ? 1 : 0)`.
///
/// ```
/// use billable::model::RateRule;
/// use billable::rates::score;
/// let rule: RateRule = serde_json::from_str(r#"{"id": "r", "rate": "150", "worker_id": "w1", "project_id": "p1"}"#).unwrap();
/// assert_eq!(score(&rule), 9); // project 4 × 2 + worker 1
/// ```
pub fn score(rule: &RateRule) -> u8 {
    Scope::of(rule).rank() * 2 + u8::from(rule.worker_id.is_some())
}

/// A match dimension a rule may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// `worker_id`.
    Worker,
    /// `role` (against the worker's role).
    Role,
    /// `task_id`.
    Task,
    /// `project_id`.
    Project,
    /// `contract_id` (the project's contract).
    Contract,
    /// `customer_id` (the contract's customer).
    Customer,
}

/// What became of one candidate rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CandidateResult {
    /// This rule priced the entry: it had the highest score among the matches.
    Selected,
    /// It matched, but the selected rule's score is higher.
    LowerScore,
    /// A dimension it names differs from the entry's (see `dimension`).
    DimensionMismatch,
    /// Every dimension matches, but the entry date is outside its effective dates.
    NotEffective,
}

/// One candidate rule, its score, and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Candidate<'a> {
    /// The rule's id on the card.
    pub rule_id: Cow<'a, str>,
    /// Its scope.
    pub scope: Scope,
    /// Its score.
    pub score: u8,
    /// Selected, lower score, dimension mismatch, or not effective.
    pub result: CandidateResult,
    /// The first dimension that differs, for `dimension_mismatch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimension: Option<Dimension>,
}

impl Candidate<'_> {
    /// The same candidate owning its strings.
    pub fn into_owned(self) -> Candidate<'static> {
        Candidate { rule_id: Cow::Owned(self.rule_id.into_owned()), ..self }
    }
}

/// What a candidate set is computed from: the entry's worker and work.
pub(crate) struct Subject<'a> {
    pub worker: &'a Worker,
    pub task_id: Option<&'a str>,
    pub project_id: &'a str,
    pub contract_id: &'a str,
    pub customer_id: &'a str,
}

/// A candidate independent of the date: its rule, score, and static mismatch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CandidateSpec {
    pub rule: u32,
    pub score: u8,
    pub scope: Scope,
    pub mismatch: Option<Dimension>,
}

/// The candidates of `card` for `subject`, best score first, then card order.
pub(crate) fn candidates(card: &IndexedCard<'_>, subject: &Subject<'_>) -> Vec<CandidateSpec> {
    let keys = [
        subject.task_id.map(ScopeKey::Task),
        Some(ScopeKey::Project(subject.project_id)),
        Some(ScopeKey::Contract(subject.contract_id)),
        Some(ScopeKey::Customer(subject.customer_id)),
        Some(ScopeKey::Default),
    ];
    let whos = [Who::Worker(&subject.worker.id), Who::Role(&subject.worker.role), Who::Anyone];
    let mut out = Vec::new();
    for key in keys.into_iter().flatten() {
        for who in whos {
            if let Some(rules) = card.buckets.get(&(key, who)) {
                for &i in rules {
                    let rule = card.rule(i);
                    out.push(CandidateSpec {
                        rule: i,
                        score: score(rule),
                        scope: Scope::of(rule),
                        mismatch: mismatch(rule, subject),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.rule.cmp(&b.rule)));
    out
}

fn mismatch(rule: &RateRule, s: &Subject<'_>) -> Option<Dimension> {
    let differs = |named: &Option<String>, actual: Option<&str>| named.as_deref().is_some_and(|n| Some(n) != actual);
    if differs(&rule.worker_id, Some(&s.worker.id)) {
        Some(Dimension::Worker)
    } else if differs(&rule.role, Some(&s.worker.role)) {
        Some(Dimension::Role)
    } else if differs(&rule.task_id, s.task_id) {
        Some(Dimension::Task)
    } else if differs(&rule.project_id, Some(s.project_id)) {
        Some(Dimension::Project)
    } else if differs(&rule.contract_id, Some(s.contract_id)) {
        Some(Dimension::Contract)
    } else if differs(&rule.customer_id, Some(s.customer_id)) {
        Some(Dimension::Customer)
    } else {
        None
    }
}

/// The rule that prices an entry dated `date`, with every candidate's fate.
///
/// No match is `rate_missing`; two or more matches sharing the best score
/// (their dates overlap, since both hold on `date`) are `ambiguous_rate`
/// with every tied rule id in `details.rule_ids`.
pub(crate) fn select<'a>(
    card: &IndexedCard<'a>,
    specs: &[CandidateSpec],
    date: NaiveDate,
) -> Result<(u32, Vec<Candidate<'a>>)> {
    let matches = |s: &&CandidateSpec| s.mismatch.is_none() && card.rule(s.rule).effective_on(date);
    let best = specs.iter().find(matches).copied();
    let explain = |selected: Option<u32>| -> Vec<Candidate<'a>> {
        specs
            .iter()
            .map(|s| {
                let rule = card.rule(s.rule);
                let result = if s.mismatch.is_some() {
                    CandidateResult::DimensionMismatch
                } else if !rule.effective_on(date) {
                    CandidateResult::NotEffective
                } else if Some(s.rule) == selected {
                    CandidateResult::Selected
                } else {
                    CandidateResult::LowerScore
                };
                Candidate {
                    rule_id: Cow::Borrowed(rule.id.as_str()),
                    scope: s.scope,
                    score: s.score,
                    result,
                    dimension: s.mismatch,
                }
            })
            .collect()
    };
    let Some(best) = best else {
        let listed = serde_json::to_value(explain(None)).unwrap_or_default();
        return Err(Error::new(
            Code::RateMissing,
            format!("no rule of rate card `{}` matches on {date}", card.card.id),
        )
        .with_details(serde_json::json!({ "rate_card_id": card.card.id, "candidates": listed })));
    };
    let tied: Vec<&str> =
        specs.iter().filter(matches).filter(|s| s.score == best.score).map(|s| card.rule(s.rule).id.as_str()).collect();
    if tied.len() > 1 {
        return Err(Error::new(
            Code::AmbiguousRate,
            format!("rules {} all match on {date} with score {}", tied.join(", "), best.score),
        )
        .with_details(serde_json::json!({ "rate_card_id": card.card.id, "rule_ids": tied, "score": best.score })));
    }
    Ok((best.rule, explain(Some(best.rule))))
}
