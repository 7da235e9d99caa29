//! The sync-state machine: `apply_events` over 1,000,000 events for 100,000
//! records, fingerprints and audit hashes included.

use billable::sync::{SeenLedger, SyncPolicy, apply_events};
use billable_benches::sync::event_stream;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn sync(c: &mut Criterion) {
    let events = event_stream(100_000, 11);
    assert_eq!(events.len(), 1_000_000);
    let mut policy = SyncPolicy::default();
    policy.approvers.insert("p1".into(), vec!["mgr".into()]);
    // Check once that the stream does what it says: every record ends invoiced.
    let out = apply_events(vec![], SeenLedger::default(), events.clone(), &policy).unwrap();
    assert_eq!(out.counters.by_state[&billable::sync::State::Invoiced], 100_000);

    let mut group = c.benchmark_group("sync");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("apply_events 1M events / 100k records", |b| {
        b.iter_batched(
            || events.clone(),
            |batch| black_box(apply_events(vec![], SeenLedger::default(), batch, &policy).unwrap()),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, sync);
criterion_main!(benches);
