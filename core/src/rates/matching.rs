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
use std::sync::Arc;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;
use serde::ser::SerializeSeq;

use super::master::{IndexedCard, ScopeKey};
use crate::error::{Code, Error, Result};
use crate::model::{RateCard, RateRule, Worker};

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
    /// The worker's index among the workers.
    pub worker_index: u32,
    /// The worker's role, as an index among the workers' roles.
    pub role: u32,
    pub task_id: Option<&'a str>,
    pub project_id: &'a str,
    pub contract_id: &'a str,
    pub customer_id: &'a str,
    /// The card's buckets of the entry's scope keys: task, project, contract, customer, default.
    pub buckets: [Option<u32>; 5],
}

/// A candidate independent of the date: its rule, score, and static mismatch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CandidateSpec {
    pub rule: u32,
    pub score: u8,
    pub scope: Scope,
    pub mismatch: Option<Dimension>,
}

/// The candidates of `card` for `subject`, best score first, then card order,
/// written into `out` (cleared first; a buffer reused across sets).
pub(crate) fn candidates(card: &IndexedCard<'_>, subject: &Subject<'_>, out: &mut Vec<CandidateSpec>) {
    out.clear();
    for b in subject.buckets.into_iter().flatten() {
        for filed in &card.buckets[b as usize] {
            if !filed.who.prices(subject.worker_index, subject.role) {
                continue;
            }
            let rule = card.rule(filed.rule);
            let found = CandidateSpec {
                rule: filed.rule,
                score: filed.score,
                scope: filed.scope,
                mismatch: mismatch_in_bucket(rule, subject, filed.scope),
            };
            debug_assert_eq!(found.mismatch, mismatch(rule, subject));
            out.push(found);
        }
    }
    // (score, rule) orders every candidate, so the order they were found in never shows.
    out.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.rule.cmp(&b.rule)));
}

/// [`mismatch`] for a rule found in the subject's bucket of its scope that
/// prices the subject's worker: those dimensions are known to match, so only
/// the others are compared (a role named beside a worker, and the dimensions
/// a rule names below its scope). The same answer, without comparing equal
/// strings again.
fn mismatch_in_bucket(rule: &RateRule, s: &Subject<'_>, scope: Scope) -> Option<Dimension> {
    let differs = |named: &Option<String>, actual: &str| named.as_deref().is_some_and(|n| n != actual);
    if rule.worker_id.is_some() && differs(&rule.role, &s.worker.role) {
        Some(Dimension::Role)
    } else if scope > Scope::Project && differs(&rule.project_id, s.project_id) {
        Some(Dimension::Project)
    } else if scope > Scope::Contract && differs(&rule.contract_id, s.contract_id) {
        Some(Dimension::Contract)
    } else if scope > Scope::Customer && differs(&rule.customer_id, s.customer_id) {
        Some(Dimension::Customer)
    } else {
        None
    }
}

/// The first dimension `rule` names that differs from the subject's.
#[cfg_attr(not(debug_assertions), allow(dead_code))]
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

/// Every candidate rule of a line with its fate, best score first, then card order.
///
/// Rating keeps this compact: the candidate set is shared by every entry of
/// the batch with the same worker, project and task, and each candidate's
/// result (selected, lower score, mismatch, not effective) is derived from
/// the entry date when it is read or serialized. It serializes as the list of
/// [`Candidate`]s.
#[derive(Debug, Clone)]
pub struct Candidates<'a>(CandidatesRepr<'a>);

#[derive(Debug, Clone)]
enum CandidatesRepr<'a> {
    Shared { card: &'a RateCard, specs: Arc<[CandidateSpec]>, date: NaiveDate, selected: Option<u32> },
    Owned(Vec<Candidate<'static>>),
}

impl<'a> Candidates<'a> {
    pub(crate) fn shared(
        card: &'a RateCard,
        specs: Arc<[CandidateSpec]>,
        date: NaiveDate,
        selected: Option<u32>,
    ) -> Self {
        Candidates(CandidatesRepr::Shared { card, specs, date, selected })
    }

    /// How many candidates.
    pub fn len(&self) -> usize {
        match &self.0 {
            CandidatesRepr::Shared { specs, .. } => specs.len(),
            CandidatesRepr::Owned(v) => v.len(),
        }
    }

    /// True when no rule was a candidate.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The candidates, best score first, then card order.
    pub fn iter(&self) -> impl Iterator<Item = Candidate<'a>> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// The candidates as a list.
    pub fn to_vec(&self) -> Vec<Candidate<'a>> {
        self.iter().collect()
    }

    fn get(&self, i: usize) -> Candidate<'a> {
        match &self.0 {
            CandidatesRepr::Shared { card, specs, date, selected } => {
                let s = specs[i];
                let rule = &card.rules[s.rule as usize];
                let result = if s.mismatch.is_some() {
                    CandidateResult::DimensionMismatch
                } else if !rule.effective_on(*date) {
                    CandidateResult::NotEffective
                } else if Some(s.rule) == *selected {
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
            }
            CandidatesRepr::Owned(v) => v[i].clone(),
        }
    }

    /// The same candidates owning their strings.
    pub fn into_owned(self) -> Candidates<'static> {
        match self.0 {
            CandidatesRepr::Owned(v) => Candidates(CandidatesRepr::Owned(v)),
            CandidatesRepr::Shared { .. } => {
                Candidates(CandidatesRepr::Owned(self.iter().map(Candidate::into_owned).collect()))
            }
        }
    }
}

impl PartialEq for Candidates<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl Serialize for Candidates<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for c in self.iter() {
            seq.serialize_element(&c)?;
        }
        seq.end()
    }
}

impl JsonSchema for Candidates<'_> {
    fn inline_schema() -> bool {
        <Vec<Candidate<'static>>>::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        <Vec<Candidate<'static>>>::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        <Vec<Candidate<'static>>>::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Vec<Candidate<'static>>>::json_schema(generator)
    }
}

/// The rule that prices an entry dated `date`, with every candidate's fate.
///
/// No match is `rate_missing`; two or more matches sharing the best score
/// (their dates overlap, since both hold on `date`) are `ambiguous_rate`
/// with every tied rule id in `details.rule_ids`.
pub(crate) fn select<'a>(
    card: &'a RateCard,
    specs: &Arc<[CandidateSpec]>,
    date: NaiveDate,
) -> Result<(u32, Candidates<'a>)> {
    let matches = |s: &&CandidateSpec| s.mismatch.is_none() && card.rules[s.rule as usize].effective_on(date);
    let mut found = specs.iter().filter(matches);
    let best = found.next().copied();
    let Some(best) = best else {
        let listed = serde_json::to_value(Candidates::shared(card, specs.clone(), date, None)).unwrap_or_default();
        return Err(Error::new(Code::RateMissing, format!("no rule of rate card `{}` matches on {date}", card.id))
            .with_details(serde_json::json!({ "rate_card_id": card.id, "candidates": listed })));
    };
    if found.next().is_some_and(|s| s.score == best.score) {
        let tied: Vec<&str> = specs
            .iter()
            .filter(matches)
            .filter(|s| s.score == best.score)
            .map(|s| card.rules[s.rule as usize].id.as_str())
            .collect();
        return Err(Error::new(
            Code::AmbiguousRate,
            format!("rules {} all match on {date} with score {}", tied.join(", "), best.score),
        )
        .with_details(serde_json::json!({ "rate_card_id": card.id, "rule_ids": tied, "score": best.score })));
    }
    Ok((best.rule, Candidates::shared(card, specs.clone(), date, Some(best.rule))))
}
