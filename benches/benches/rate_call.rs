//! One `rate` call on a single entry, the Rust side of the Python per-call
//! figure (`benches/python/bench_invoice.py` times the same request from
//! Python dicts): the difference is the binding's overhead.
//!
//! Four ways: the core's `Value` document form (what the binding called before
//! it read Python values directly), the JSON text form, the typed request read
//! from JSON text and run (no response written), and the run alone on a typed
//! request (what no front end can go below).

use billable::api::{Operation, Rate, RateRequest, call_json, call_value};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const REQUEST: &str = include_str!("../python/rate_one_entry.json");

fn rate_call(c: &mut Criterion) {
    let value: serde_json::Value = serde_json::from_str(REQUEST).expect("the request is JSON");
    let typed: RateRequest = billable::wire::from_json(REQUEST).expect("the request is a rate request");
    let mut group = c.benchmark_group("rate one entry");
    group.bench_function("call_value (Value in, Value out)", |b| {
        b.iter_batched(|| value.clone(), |v| black_box(call_value("rate", v).unwrap()), BatchSize::SmallInput)
    });
    group.bench_function("call_json (parse, run, serialize)", |b| {
        b.iter(|| black_box(call_json("rate", black_box(REQUEST)).unwrap()))
    });
    group.bench_function("typed: read JSON text, run", |b| {
        b.iter(|| {
            let request: RateRequest = billable::wire::from_json(black_box(REQUEST)).unwrap();
            black_box(Rate::run(request).unwrap())
        })
    });
    group.bench_function("typed: run only", |b| {
        b.iter_batched(|| typed.clone(), |r| black_box(Rate::run(r).unwrap()), BatchSize::SmallInput)
    });
    group.finish();
}

criterion_group!(benches, rate_call);
criterion_main!(benches);
