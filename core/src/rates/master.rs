//! Master data indexed once per batch: workers, customers, contracts,
//! projects and rate cards by id, and every rate card's rules by the scope
//! they name (SPEC §5), so matching an entry never scans a whole card.
//!
//! The maps here are lookups only: nothing iterates them into output, so
//! their order never reaches a response.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::matching::{Scope, score};
use crate::error::{Code, Error, Result};
use crate::model::validate::first_master_data_problem;
use crate::model::{Contract, Customer, Project, RateCard, RateRule, Task, Worker};

/// The Fx hash (as in rustc): a multiply-rotate hash over words, much faster
/// than SipHash for the short ids the index is keyed by. Not DoS-resistant,
/// which a pure in-process index of the caller's own data does not need.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl IdHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

/// The 8 bytes of `bytes` from `at`, little-endian.
#[inline]
fn word(bytes: &[u8], at: usize) -> u64 {
    let c = &bytes[at..at + 8];
    u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
}

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(word(c, 0));
        }
        let rest = chunks.remainder();
        let n = rest.len();
        // The tail read in words, not copied into a buffer (a `memcpy` call): a
        // string of 8 bytes or more ends with its last 8 bytes (overlapping the
        // chunks before); a shorter tail with its first and last 4 bytes, or its
        // first, middle and last byte. Every byte is read, so two tails of one
        // length that differ hash differently.
        if n == 0 {
            return;
        }
        if bytes.len() >= 8 {
            self.add(word(bytes, bytes.len() - 8));
        } else if n >= 4 {
            let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
            let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]);
            self.add(u64::from(lo) | (u64::from(hi) << 32));
        } else {
            self.add(u64::from(rest[0]) | (u64::from(rest[n / 2]) << 8) | (u64::from(rest[n - 1]) << 16));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_i32(&mut self, i: i32) {
        self.add(u64::from(i as u32));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    /// A full avalanche (MurmurHash3's fmix64): hashbrown takes the bucket from
    /// the low bits and the tag from the top 7, and ids share their first bytes
    /// (`w1…`, `p1…`), which the multiply alone leaves in the low bits.
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// A lookup map keyed by ids. Never iterated into output.
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// The master data a batch is rated and checked against, borrowed from the caller.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tables<'a> {
    /// Workers (HRIS).
    pub workers: &'a [Worker],
    /// Customers (CRM/ERP) (eligibility reads their status; rating does not need them).
    pub customers: &'a [Customer],
    /// Contracts (ERP).
    pub contracts: &'a [Contract],
    /// Projects (PSA).
    pub projects: &'a [Project],
    /// Rate cards [ERP/PSA].
    pub rate_cards: &'a [RateCard],
}

/// A contract with its customer and rate card resolved.
#[derive(Debug, Clone)]
pub(crate) struct ContractRef<'a> {
    pub contract: &'a Contract,
    pub customer: Option<u32>,
    pub card: Option<u32>,
}

/// A project with its contract resolved and its tasks by id.
#[derive(Debug, Clone)]
pub(crate) struct ProjectRef<'a> {
    pub project: &'a Project,
    pub contract: Option<u32>,
    pub tasks: IdMap<&'a str, u32>,
    /// The ids of the workers whose `approver_for` names this project.
    pub approvers: Vec<&'a str>,
    /// In the rate card of the project's contract: the buckets of the scope
    /// keys of the project, its contract, the contract's customer and the
    /// card default (`None`: no rule is filed under that key, or no card).
    pub buckets: [Option<u32>; 4],
    /// The bucket of each task's scope key, by task index.
    pub task_buckets: Vec<Option<u32>>,
}

impl<'a> ProjectRef<'a> {
    pub fn task(&self, index: u32) -> &'a Task {
        &self.project.tasks[index as usize]
    }

    /// The index of the task with `id`: a short list (the usual few tasks)
    /// is scanned, which costs less than hashing the id; a long one is looked
    /// up. Task ids are unique within a project, so both find the same task.
    pub fn task_index(&self, id: &str) -> Option<u32> {
        let tasks = &self.project.tasks;
        if tasks.len() <= 8 {
            tasks.iter().position(|t| t.id == id).map(|k| k as u32)
        } else {
            self.tasks.get(id).copied()
        }
    }
}

/// Where a rule sits in the precedence ladder (SPEC §5.2) and the id it is scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ScopeKey<'a> {
    Task(&'a str),
    Project(&'a str),
    Contract(&'a str),
    Customer(&'a str),
    Default,
}

/// Whom a rule prices, by index: a worker (its index among the workers),
/// a role (its index among the workers' roles), or anyone. A worker or role
/// no worker has is `None`: the rule prices nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    Worker(Option<u32>),
    Role(Option<u32>),
    Anyone,
}

impl Who {
    /// True when a rule for `self` prices the worker at `worker` with the role at `role`.
    #[inline]
    pub fn prices(self, worker: u32, role: u32) -> bool {
        match self {
            Who::Worker(w) => w == Some(worker),
            Who::Role(r) => r == Some(role),
            Who::Anyone => true,
        }
    }
}

/// A rule filed in a bucket: its index on the card, whom it prices, and its
/// scope and score, worked out once per card.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Filed {
    pub rule: u32,
    pub who: Who,
    pub scope: Scope,
    pub score: u8,
}

/// A rate card with its rules bucketed by scope key, in card order, each with
/// whom it prices. Whom is checked on the bucket's rules, by index: one
/// bucket per scope key of an entry instead of one per (key, who), and no
/// string comparison. The buckets are numbered, and each project knows the
/// numbers of its own keys (see [`ProjectRef::buckets`]): building a
/// candidate set hashes no id.
#[derive(Debug, Clone)]
pub(crate) struct IndexedCard<'a> {
    pub card: &'a RateCard,
    pub buckets: Vec<Vec<Filed>>,
    keys: IdMap<ScopeKey<'a>, u32>,
}

impl<'a> IndexedCard<'a> {
    fn new(card: &'a RateCard, worker_ids: &IdMap<&str, u32>, role_ids: &IdMap<&str, u32>) -> Self {
        let mut keys: IdMap<ScopeKey<'a>, u32> = IdMap::default();
        let mut buckets: Vec<Vec<Filed>> = Vec::new();
        for (i, rule) in card.rules.iter().enumerate() {
            let who = match (&rule.worker_id, &rule.role) {
                (Some(w), _) => Who::Worker(worker_ids.get(w.as_str()).copied()),
                (None, Some(r)) => Who::Role(role_ids.get(r.as_str()).copied()),
                (None, None) => Who::Anyone,
            };
            let next = buckets.len() as u32;
            let b = *keys.entry(scope_key(rule)).or_insert(next);
            if b == next {
                buckets.push(Vec::new());
            }
            buckets[b as usize].push(Filed { rule: i as u32, who, scope: Scope::of(rule), score: score(rule) });
        }
        IndexedCard { card, buckets, keys }
    }

    pub fn rule(&self, index: u32) -> &'a RateRule {
        &self.card.rules[index as usize]
    }

    /// The number of the bucket of `key`, when a rule is filed under it.
    fn bucket(&self, key: ScopeKey<'_>) -> Option<u32> {
        self.keys.get(&key).copied()
    }
}

pub(crate) fn scope_key(rule: &RateRule) -> ScopeKey<'_> {
    if let Some(t) = &rule.task_id {
        ScopeKey::Task(t)
    } else if let Some(p) = &rule.project_id {
        ScopeKey::Project(p)
    } else if let Some(c) = &rule.contract_id {
        ScopeKey::Contract(c)
    } else if let Some(c) = &rule.customer_id {
        ScopeKey::Customer(c)
    } else {
        ScopeKey::Default
    }
}

/// Master data indexed by id for one batch. Build it once, then rate and
/// check any number of entries against it.
///
/// ```
/// use billable::rates::{MasterData, Tables};
/// let master = MasterData::new(Tables::default()).unwrap();
/// assert!(master.worker("w1").is_none());
/// ```
#[derive(Debug, Clone)]
pub struct MasterData<'a> {
    pub(crate) workers: Vec<&'a Worker>,
    /// Each worker's role, as an index among the distinct roles.
    pub(crate) worker_roles: Vec<u32>,
    worker_ids: IdMap<&'a str, u32>,
    pub(crate) customers: Vec<&'a Customer>,
    pub(crate) contracts: Vec<ContractRef<'a>>,
    contract_ids: IdMap<&'a str, u32>,
    pub(crate) projects: Vec<ProjectRef<'a>>,
    project_ids: IdMap<&'a str, u32>,
    pub(crate) cards: Vec<IndexedCard<'a>>,
}

impl<'a> MasterData<'a> {
    /// Index `tables`. Two records of one kind with the same id are
    /// `duplicate_id`; the first problem `validate` reports of a worker's
    /// employment and cost rate, a contract's terms (dates, `hours_per_day`,
    /// duration rounding, overtime, markup, not-to-exceed, retainer, cash
    /// rounding) or a rate card's rules (ids, rates, dates) is the error, with
    /// the path of the field. A reference to an id that is absent is not an
    /// error here: the entries that need it report `unknown_reference`.
    pub fn new(tables: Tables<'a>) -> Result<Self> {
        let worker_ids = ids("workers", tables.workers, |w| &w.id)?;
        let customer_ids = ids("customers", tables.customers, |c| &c.id)?;
        let contract_ids = ids("contracts", tables.contracts, |c| &c.id)?;
        let project_ids = ids("projects", tables.projects, |p| &p.id)?;
        let card_ids = ids("rate_cards", tables.rate_cards, |c| &c.id)?;
        // What `validate` reports of these records would be billed with otherwise (a negative rate bills a
        // credit for work done, a 30-hour minimum 30 hours for one).
        if let Some(problem) = first_master_data_problem(tables.workers, tables.contracts, tables.rate_cards) {
            return Err(problem);
        }
        let contracts: Vec<ContractRef<'a>> = tables
            .contracts
            .iter()
            .map(|contract| ContractRef {
                contract,
                customer: customer_ids.get(contract.customer_id.as_str()).copied(),
                card: card_ids.get(contract.rate_card_id.as_str()).copied(),
            })
            .collect();
        let mut role_ids: IdMap<&str, u32> = IdMap::default();
        let worker_roles = tables
            .workers
            .iter()
            .map(|w| {
                let next = role_ids.len() as u32;
                *role_ids.entry(w.role.as_str()).or_insert(next)
            })
            .collect();
        let cards: Vec<IndexedCard<'a>> =
            tables.rate_cards.iter().map(|c| IndexedCard::new(c, &worker_ids, &role_ids)).collect();
        let mut projects = Vec::with_capacity(tables.projects.len());
        for (i, project) in tables.projects.iter().enumerate() {
            let mut tasks = IdMap::default();
            for (k, t) in project.tasks.iter().enumerate() {
                if tasks.insert(t.id.as_str(), k as u32).is_some() {
                    return Err(Error::new(Code::DuplicateId, format!("task `{}` appears twice", t.id))
                        .at(format!("projects[{i}].tasks[{k}].id")));
                }
            }
            let contract = contract_ids.get(project.contract_id.as_str()).copied();
            let card = contract.and_then(|c| contracts[c as usize].card.map(|k| (&contracts[c as usize], k)));
            let (buckets, task_buckets) = match card {
                Some((cref, k)) => {
                    let card = &cards[k as usize];
                    let buckets = [
                        card.bucket(ScopeKey::Project(&project.id)),
                        card.bucket(ScopeKey::Contract(&cref.contract.id)),
                        card.bucket(ScopeKey::Customer(&cref.contract.customer_id)),
                        card.bucket(ScopeKey::Default),
                    ];
                    (buckets, project.tasks.iter().map(|t| card.bucket(ScopeKey::Task(&t.id))).collect())
                }
                None => ([None; 4], vec![None; project.tasks.len()]),
            };
            projects.push(ProjectRef { project, contract, tasks, approvers: Vec::new(), buckets, task_buckets });
        }
        for w in tables.workers {
            for p in &w.approver_for {
                if let Some(&i) = project_ids.get(p.as_str()) {
                    projects[i as usize].approvers.push(w.id.as_str());
                }
            }
        }
        Ok(MasterData {
            worker_roles,
            cards,
            workers: tables.workers.iter().collect(),
            worker_ids,
            customers: tables.customers.iter().collect(),
            contracts,
            contract_ids,
            projects,
            project_ids,
        })
    }

    /// The worker with `id`.
    pub fn worker(&self, id: &str) -> Option<&'a Worker> {
        self.worker_index(id).map(|i| self.workers[i as usize])
    }

    /// The contract with `id`.
    pub fn contract(&self, id: &str) -> Option<&'a Contract> {
        self.contract_ids.get(id).map(|&i| self.contracts[i as usize].contract)
    }

    pub(crate) fn worker_index(&self, id: &str) -> Option<u32> {
        self.worker_ids.get(id).copied()
    }

    pub(crate) fn project_index(&self, id: &str) -> Option<u32> {
        self.project_ids.get(id).copied()
    }

    pub(crate) fn contract_index(&self, id: &str) -> Option<u32> {
        self.contract_ids.get(id).copied()
    }
}

fn ids<'a, T>(kind: &str, items: &'a [T], id: impl Fn(&'a T) -> &'a String) -> Result<IdMap<&'a str, u32>> {
    unique_ids(kind, items.iter().map(|item| id(item).as_str()))
}

/// The position of every id of `kind` (`entries`, `workers`, ...); `duplicate_id` at
/// `kind[i].id` when the id of position `i` repeats an earlier one, naming it.
pub(crate) fn unique_ids<'a>(kind: &str, ids: impl ExactSizeIterator<Item = &'a str>) -> Result<IdMap<&'a str, u32>> {
    let mut map = IdMap::default();
    map.reserve(ids.len());
    for (i, key) in ids.enumerate() {
        if let Some(first) = map.insert(key, i as u32) {
            return Err(Error::new(Code::DuplicateId, format!("`{key}` is also the id of {kind}[{first}]"))
                .at(format!("{kind}[{i}].id")));
        }
    }
    Ok(map)
}
