//! A floor under rate + eligibility: the least work any implementation of SPEC §5 and §6
//! must do per entry of the rates bench's firm, with the public input model (entries with
//! `String` ids and `Decimal` hours), timed like `rates_profile` (wall and CPU per run).
//!
//! Per entry it only: checks that the entry's id is not repeated in the batch (the
//! `duplicate_id` check), finds the worker and the project by id, compares the approver with
//! the worker, prices the hours at one rate per project rounded to cents, and pushes a
//! 48-byte result. No rule matching, duration rounding, overtime, caps, dates, explanations
//! or findings: whatever this costs, the real operation costs more. Repeated ids are found
//! the cheapest way found on this machine: the ids' hashes with their positions, sorted, and
//! neighbours compared (memory read and written in order; at a million ids this was faster
//! here than a hash set).
//!
//! Used in `docs/performance.md` to read the rates bench's 3,000,000 entries/s target
//! against this machine.
//!
//! `cargo run --release -p billable-benches --example rates_floor -- [entries] [iterations]`

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::hint::black_box;

use billable::model::{ApprovalStatus, TimesheetEntry};
use billable_benches::rates::firm;
use billable_benches::stopwatch::Stopwatch;
use rust_decimal::{Decimal, RoundingStrategy};

/// Fx-style multiply-rotate over 8-byte words with a final mix: about the cheapest good
/// string hash.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        // The tail (up to 7 bytes) as one word, byte by byte: no `memcpy` call.
        let w = chunks.remainder().iter().rev().fold(0u64, |w, &b| (w << 8) | u64::from(b));
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn finish(&self) -> u64 {
        // A murmur3 finish, so that the low bits (the table's index) depend on every byte.
        let h = (self.0 ^ (self.0 >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        let h = (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

type Fast = BuildHasherDefault<Fx>;

/// What the floor keeps per entry.
#[allow(dead_code)]
struct Minimal {
    worker: u32,
    project: u32,
    billable: bool,
    amount: Decimal,
    hours: Decimal,
}

/// Per entry: is its id the first of its kind, by sorting (hash, position) pairs.
fn first_by_sorting(entries: &[TimesheetEntry]) -> Vec<bool> {
    let hasher = Fast::default();
    let mut keyed: Vec<(u64, u32)> =
        entries.iter().enumerate().map(|(i, e)| (hasher.hash_one(e.id.as_str()), i as u32)).collect();
    keyed.sort_unstable();
    let mut first = vec![true; entries.len()];
    for run in keyed.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        for (k, &(_, later)) in run.iter().enumerate().skip(1) {
            let id = &entries[later as usize].id;
            if run[..k].iter().any(|&(_, earlier)| entries[earlier as usize].id == *id) {
                first[later as usize] = false;
            }
        }
    }
    first
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let iterations: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let f = firm(42, n);
    let workers: HashMap<&str, u32, Fast> =
        f.workers.iter().enumerate().map(|(i, w)| (w.id.as_str(), i as u32)).collect();
    let projects: HashMap<&str, u32, Fast> =
        f.projects.iter().enumerate().map(|(i, p)| (p.id.as_str(), i as u32)).collect();
    let rates: Vec<Decimal> = (0..f.projects.len()).map(|i| Decimal::new(10_000 + 25 * i as i64, 2)).collect();
    let floor = |first: &[bool]| -> Vec<Minimal> {
        let mut out = Vec::with_capacity(f.entries.len());
        for (e, &unique) in f.entries.iter().zip(first) {
            let worker = workers.get(e.worker_id.as_str()).copied().unwrap_or(u32::MAX);
            let project = projects.get(e.project_id.as_str()).copied().unwrap_or(u32::MAX);
            let self_approved = e.approved_by.as_deref() == Some(e.worker_id.as_str());
            let billable = unique && e.status == ApprovalStatus::Approved && !self_approved && project != u32::MAX;
            let rate = rates.get(project as usize).copied().unwrap_or_default();
            let amount = (e.hours * rate).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            out.push(Minimal { worker, project, billable, amount, hours: e.hours });
        }
        out
    };
    for _ in 0..iterations {
        let clock = Stopwatch::start();
        let out = floor(&first_by_sorting(&f.entries));
        black_box(&out);
        clock.report("floor", n);
    }
}
