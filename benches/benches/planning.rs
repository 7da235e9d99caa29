//! Capacity, utilization and over-allocation for a year: 2,000 workers, 52 weeks, 5,000 allocations.

use billable::planning::{Calendar, CapacityGrid, Granularity, OverAllocationPolicy, Plan};
use billable_benches::planning::firm;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn planning(c: &mut Criterion) {
    let f = firm(42, 2_000, 5_000);
    let calendar = Calendar { period: f.period, workers: &f.workers, leave: &f.leave, holidays: &f.holidays };
    let mut group = c.benchmark_group("planning 2k workers × 52 weeks × 5k allocations");
    group.sample_size(10);
    group.bench_function("capacity+utilization+over_allocation", |b| {
        b.iter(|| {
            let grid = CapacityGrid::new(&calendar).unwrap();
            let plan = Plan::new(&grid, &f.allocations).unwrap();
            let u = plan.utilization(&[], &[Granularity::Week, Granularity::Month, Granularity::Range]).unwrap();
            let o = plan.over_allocation(&OverAllocationPolicy::default()).unwrap();
            black_box((u, o));
        })
    });
    group.bench_function("capacity grid", |b| b.iter(|| black_box(CapacityGrid::new(&calendar).unwrap())));
    group.bench_function("capacity report (week, month)", |b| {
        let grid = CapacityGrid::new(&calendar).unwrap();
        b.iter(|| black_box(grid.report(&[Granularity::Week, Granularity::Month]).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, planning);
criterion_main!(benches);
