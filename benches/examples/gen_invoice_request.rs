//! Write the invoice-run benchmark firm (`billable_benches::invoice::request`)
//! as one JSON `invoice_run` request on stdout, for the Python benchmark
//! (`benches/python/bench_invoice.py`) and the baseline's equality test.
//!
//! ```sh
//! cargo run --release -p billable-benches --example gen_invoice_request -- --entries 100000 --seed 42 > request.json
//! ```
//!
//! Defaults: 100,000 entries, seed 42. The same arguments always give the
//! same bytes.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut entries: usize = 100_000;
    let mut seed: u64 = 42;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        let parsed = match (arg.as_str(), value.as_deref()) {
            ("--entries", Some(v)) => v.parse().map(|n| entries = n).is_ok(),
            ("--seed", Some(v)) => v.parse().map(|n| seed = n).is_ok(),
            _ => false,
        };
        if !parsed {
            eprintln!("usage: gen_invoice_request [--entries N] [--seed S] > request.json");
            return ExitCode::from(2);
        }
    }
    let request = billable_benches::invoice::request(seed, entries);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = serde_json::to_writer(&mut out, &request)
        .map_err(std::io::Error::other)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_invoice_request: {e}");
            ExitCode::FAILURE
        }
    }
}
