//! Rate + eligibility over a batch: 2,000 workers, 10,000 rate rules.

use billable::eligibility::assess;
use billable::rates::rate;
use billable_benches::rates::{Firm, firm};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn run(c: &mut Criterion, f: &Firm, label: &str, samples: usize) {
    let (master, options, run) = (f.master(), f.options(), f.run());
    let mut group = c.benchmark_group(label);
    group.sample_size(samples);
    group.throughput(Throughput::Elements(f.entries.len() as u64));
    group.bench_function("rate", |b| b.iter(|| black_box(rate(&master, &f.entries, &options).unwrap())));
    group.bench_function("rate+eligibility", |b| {
        b.iter(|| black_box(assess(&master, &f.entries, &[], &run, &options).unwrap()))
    });
    group.finish();
}

fn rates(c: &mut Criterion) {
    let slice = firm(42, 100_000);
    run(c, &slice, "rates 100k entries", 10);
    if std::env::var_os("RATES_BENCH_1M").is_some() {
        let full = firm(42, 1_000_000);
        run(c, &full, "rates 1M entries", 10);
    }
}

criterion_group!(benches, rates);
criterion_main!(benches);
