//! Money primitives: rounding, allocation and the JSON path of `round`.

use billable::money::{RoundingMode, allocate, round_to_scale};
use billable_benches::Lcg;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn money(c: &mut Criterion) {
    let mut rng = Lcg::new(7);
    let values: Vec<_> = (0..1024).map(|_| rng.decimal(12, 4)).collect();
    c.bench_function("round_to_scale x1024 half_even", |b| {
        b.iter(|| {
            for v in &values {
                black_box(round_to_scale(*v, 2, RoundingMode::HalfEven).unwrap());
            }
        })
    });
    let ratios: Vec<_> = (0..12).map(|_| rng.decimal(3, 0)).collect();
    c.bench_function("allocate 12 shares", |b| {
        b.iter(|| black_box(allocate(black_box(values[0]), 2, &ratios).unwrap()))
    });
    let request = r#"{"api_version":"1","amount":"10.005","currency":"USD","mode":"half_even"}"#;
    c.bench_function("call_json round", |b| {
        b.iter(|| black_box(billable::api::call_json("round", black_box(request)).unwrap()))
    });
}

criterion_group!(benches, money);
criterion_main!(benches);
