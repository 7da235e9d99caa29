//! Wall and CPU time of one run, for the profiling examples (`perf record`,
//! `valgrind`): CPU time (user + system, from /proc) moves less with the
//! machine's load than wall time.

use std::time::Instant;

/// Started by [`Stopwatch::start`]; [`Stopwatch::report`] prints the run's figures.
pub struct Stopwatch {
    wall: Instant,
    cpu: f64,
}

impl Stopwatch {
    /// Start timing now.
    pub fn start() -> Self {
        Stopwatch { wall: Instant::now(), cpu: cpu_seconds() }
    }

    /// Print `<label> <n>: wall … s (…/s), cpu … s (…/s)` for `n` records handled since the start.
    pub fn report(&self, label: &str, n: usize) {
        let (wall, cpu) = (self.wall.elapsed().as_secs_f64(), cpu_seconds() - self.cpu);
        println!("{label} {n}: wall {wall:.3} s ({:.0}/s), cpu {cpu:.2} s ({:.0}/s)", n as f64 / wall, n as f64 / cpu);
    }
}

/// User + system CPU seconds of this process (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
