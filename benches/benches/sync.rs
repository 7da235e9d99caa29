//! The sync-state machine: 1,000,000 events for 100,000 records, fingerprints
//! and audit hashes included, through both entry points: `apply_event_texts`
//! (the events as JSON texts, the headline figure) and `apply_events` (the
//! events as parsed `serde_json::Value` documents). Both time the call and
//! nothing else: building the input (the texts, or a clone of the documents)
//! and dropping the result happen outside the measurement; dropping the input
//! documents is inside `apply_events`, which takes them by value.

use billable::sync::{SeenLedger, State, SyncPolicy, apply_event_texts, apply_events};
use billable_benches::sync::{event_stream, event_texts};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn sync(c: &mut Criterion) {
    let events = event_stream(100_000, 11);
    let texts = event_texts(100_000, 11);
    assert_eq!(events.len(), 1_000_000);
    let mut policy = SyncPolicy::default();
    policy.approvers.insert("p1".into(), vec!["mgr".into()]);
    // Check once that the stream does what it says (every record ends invoiced) and that both
    // entry points agree.
    let out = apply_events(vec![], SeenLedger::default(), events.clone(), &policy).unwrap();
    assert_eq!(out.counters.by_state[&State::Invoiced], 100_000);
    let from_texts = apply_event_texts(vec![], SeenLedger::default(), texts.iter().map(String::as_str), &policy);
    assert!(from_texts.unwrap() == out);
    drop(out);

    let mut group = c.benchmark_group("sync");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("apply_event_texts 1M events / 100k records", |b| {
        b.iter_batched(
            || (),
            |()| {
                let texts = texts.iter().map(String::as_str);
                black_box(apply_event_texts(vec![], SeenLedger::default(), texts, &policy).unwrap())
            },
            BatchSize::PerIteration,
        )
    });
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
