//! Rate + eligibility of the benchmark firm, timed by phase, for profiling
//! (`perf record`, `valgrind --tool=callgrind`). Prints wall and CPU time
//! (user + system, from /proc) per iteration, which the machine's load
//! disturbs less than wall time.
//!
//! `cargo run --release -p billable-benches --example rates_profile -- [entries] [iterations] [rate|assess|invoice|json|serde]`
//! (`invoice` runs the whole typed invoice run over the invoice bench's firm; `json` runs
//! its JSON path, `billable::api::call_json("invoice_run", …)`, on the request's text;
//! `serde` runs the JSON target's baseline, serde_json alone parsing that text into a `Value` and
//! serializing the response. Count any of them with
//! `valgrind --tool=callgrind --toggle-collect='rates_profile::timed*'`).

use std::hint::black_box;

use billable::eligibility::assess;
use billable::rates::rate;
use billable_benches::rates::firm;
use billable_benches::stopwatch::Stopwatch;

/// Run `call` `iterations` times, printing wall and CPU time per run for `n` records. Never inlined, so that
/// callgrind can count exactly the timed work of any mode: `--toggle-collect='rates_profile::timed*'`.
#[inline(never)]
fn timed(label: &str, n: usize, iterations: usize, mut call: impl FnMut()) {
    for _ in 0..iterations {
        let clock = Stopwatch::start();
        call();
        clock.report(label, n);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let iterations: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let what = args.get(3).map_or("assess", String::as_str);
    if what == "invoice" {
        let request = billable_benches::invoice::request(42, n);
        timed(what, n, iterations, || {
            black_box(billable::invoice::invoice_run(&request).unwrap());
        });
        return;
    }
    if what == "json" {
        let text = serde_json::to_string(&billable_benches::invoice::request(42, n)).expect("the request serializes");
        timed(what, n, iterations, || {
            black_box(billable::api::call_json("invoice_run", black_box(&text)).unwrap());
        });
        return;
    }
    if what == "serde" {
        // The JSON target's baseline, as the criterion bench takes it: serde_json alone parsing the request into a
        // `Value` and serializing the response.
        let request = billable_benches::invoice::request(42, n);
        let text = serde_json::to_string(&request).expect("the request serializes");
        let response = serde_json::to_value(billable::invoice::invoice_run(&request).expect("the run succeeds"))
            .expect("the response serializes");
        timed(what, n, iterations, || {
            let parsed: serde_json::Value = serde_json::from_str(black_box(&text)).unwrap();
            black_box(parsed);
            black_box(serde_json::to_string(&response).unwrap());
        });
        return;
    }
    let f = firm(42, n);
    let (master, options, run) = (f.master(), f.options(), f.run());
    timed(what, n, iterations, || {
        if what == "rate" {
            black_box(rate(&master, &f.entries, &options).unwrap());
        } else {
            black_box(assess(&master, &f.entries, &[], &run, &options).unwrap());
        }
    });
}
