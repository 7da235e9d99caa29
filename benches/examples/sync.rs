//! `apply_event_texts` (or `apply_events`) over the benchmark's event stream, timed, for
//! profiling (`perf record -e cpu-clock`, `valgrind --tool=callgrind
//! --toggle-collect='billable::sync::apply::apply_event*'`). Prints wall and CPU time
//! (user + system, from /proc) per iteration, which the machine's load disturbs less than
//! wall time.
//!
//! `cargo run --release -p billable-benches --example sync -- [records] [iterations] [text|value]`
//! (10 events per record; `text` by default)

use std::hint::black_box;

use billable::sync::{Applied, SeenLedger, SyncPolicy, apply_event_texts, apply_events};
use billable_benches::stopwatch::Stopwatch;
use billable_benches::sync::event_stream;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let records: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let iterations: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(3);
    let text = args.get(3).is_none_or(|m| m != "value");
    let events = event_stream(records, 11);
    let texts: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    let n = events.len();
    let mut policy = SyncPolicy::default();
    policy.approvers.insert("p1".into(), vec!["mgr".into()]);
    let name = if text { "apply_event_texts" } else { "apply_events" };
    for _ in 0..iterations {
        let batch = if text { Vec::new() } else { events.clone() };
        let clock = Stopwatch::start();
        let out: Applied = if text {
            apply_event_texts(vec![], SeenLedger::default(), texts.iter().map(String::as_str), &policy).unwrap()
        } else {
            apply_events(vec![], SeenLedger::default(), batch, &policy).unwrap()
        };
        let out = black_box(out);
        clock.report(name, n);
        drop(out);
    }
}
