//! `apply_event_texts` (or `apply_events`) over the benchmark's event stream, timed, for
//! profiling (`perf record -e cpu-clock`, `valgrind --tool=callgrind
//! --toggle-collect='billable::sync::apply::apply_event*'`). Prints wall and CPU time
//! (user + system, from /proc) per iteration, which the machine's load disturbs less than
//! wall time.
//!
//! `cargo run --release -p billable-benches --example sync -- [records] [iterations] [text|value]`
//! (10 events per record; `text` by default)

use std::hint::black_box;
use std::time::Instant;

use billable::sync::{Applied, SeenLedger, SyncPolicy, apply_event_texts, apply_events};
use billable_benches::sync::event_stream;

/// User + system CPU seconds of this process (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

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
        let (wall, cpu) = (Instant::now(), cpu_seconds());
        let out: Applied = if text {
            apply_event_texts(vec![], SeenLedger::default(), texts.iter().map(String::as_str), &policy).unwrap()
        } else {
            apply_events(vec![], SeenLedger::default(), batch, &policy).unwrap()
        };
        let out = black_box(out);
        let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        println!("{name} {n}: wall {wall:.3} s ({:.0}/s), cpu {cpu:.2} s ({:.0}/s)", n as f64 / wall, n as f64 / cpu);
        drop(out);
    }
}
