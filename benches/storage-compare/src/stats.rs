//! Rates and latency percentiles of one measured run.

use std::time::{Duration, Instant};

/// What one workload on one engine measured.
pub struct Outcome {
    pub ops: u64,
    pub elapsed: Duration,
    /// Per-operation latencies, when measured one by one.
    pub latencies: Vec<Duration>,
}

impl Outcome {
    /// Runs `op` `n` times, timing each.
    pub fn timed(n: u64, mut op: impl FnMut(u64)) -> Outcome {
        let mut latencies = Vec::with_capacity(n as usize);
        let start = Instant::now();
        for i in 0..n {
            let t = Instant::now();
            op(i);
            latencies.push(t.elapsed());
        }
        Outcome {
            ops: n,
            elapsed: start.elapsed(),
            latencies,
        }
    }

    /// Operations per second.
    pub fn rate(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Option<Duration> {
        let mut l = self.latencies.clone();
        l.sort_unstable();
        l.get(((l.len() as f64 - 1.0) * p) as usize).copied()
    }

    /// `rate/s (p50 / p99)` as a table cell.
    pub fn cell(&self) -> String {
        let rate = human(self.rate());
        match (self.percentile(0.5), self.percentile(0.99)) {
            (Some(p50), Some(p99)) => format!("{rate}/s ({} / {})", us(p50), us(p99)),
            _ => format!("{rate}/s"),
        }
    }
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

/// 12.3k, 1.2M and so on.
pub fn human(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}
