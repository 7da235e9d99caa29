//! The invoice run end to end, and its JSON path against serde_json alone.
//!
//! `cargo bench -p billable-benches --bench invoice` runs 100,000 entries
//! (5,000 expenses, 200 milestones); `INVOICE_BENCH_1M=1` adds the full
//! 1,000,000 / 50,000 / 2,000 firm.

use billable::api::call_json;
use billable::invoice::invoice_run;
use billable_benches::invoice::request;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion, entries: usize, label: &str) {
    let req = request(42, entries);
    let text = serde_json::to_string(&req).expect("the request serializes");
    let response = serde_json::to_value(invoice_run(&req).expect("the run succeeds")).expect("the response serializes");
    let mut group = c.benchmark_group(label);
    group.sample_size(10);
    group.throughput(Throughput::Elements(entries as u64));
    group.bench_function("typed invoice_run", |b| b.iter(|| black_box(invoice_run(&req).unwrap())));
    group.bench_function("json path (parse, run, serialize)", |b| {
        b.iter(|| black_box(call_json("invoice_run", black_box(&text)).unwrap()))
    });
    group.bench_function("serde_json alone (parse request, serialize response)", |b| {
        b.iter(|| {
            let parsed: serde_json::Value = serde_json::from_str(black_box(&text)).unwrap();
            black_box(parsed);
            black_box(serde_json::to_string(&response).unwrap())
        })
    });
    group.finish();
}

fn invoice(c: &mut Criterion) {
    bench(c, 100_000, "invoice_run 100k entries");
    if std::env::var_os("INVOICE_BENCH_1M").is_some() {
        bench(c, 1_000_000, "invoice_run 1M entries");
    }
}

criterion_group!(benches, invoice);
criterion_main!(benches);
