//! One `rate` call on a single entry through the document API, the Rust side
//! of the Python per-call figure (`benches/python/bench_invoice.py` times the
//! same request from Python dicts): the difference is the binding's overhead.

use billable::api::{call_json, call_value};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const REQUEST: &str = include_str!("../python/rate_one_entry.json");

fn rate_call(c: &mut Criterion) {
    let value: serde_json::Value = serde_json::from_str(REQUEST).expect("the request is JSON");
    let mut group = c.benchmark_group("rate one entry");
    group.bench_function("call_value (the dict path's core call)", |b| {
        b.iter_batched(|| value.clone(), |v| black_box(call_value("rate", v).unwrap()), BatchSize::SmallInput)
    });
    group.bench_function("call_json (parse, run, serialize)", |b| {
        b.iter(|| black_box(call_json("rate", black_box(REQUEST)).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, rate_call);
criterion_main!(benches);
