//! Summaries: per-ask latency statistics and the median over repetitions.

use std::time::Duration;

/// Mean, p50 and p99 of one run's per-ask round-trip samples, in ns.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub mean: f64,
    pub p50: f64,
    pub p99: f64,
}

impl Latency {
    /// Summarises `samples` (ns per ask). Sorts them in place.
    pub fn from_samples(samples: &mut [u64]) -> Latency {
        assert!(!samples.is_empty(), "no latency samples");
        let sum: u128 = samples.iter().map(|&s| u128::from(s)).sum();
        samples.sort_unstable();
        Latency {
            mean: sum as f64 / samples.len() as f64,
            p50: percentile(samples, 0.50),
            p99: percentile(samples, 0.99),
        }
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[u64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64
}

/// Median of a set of values (mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "median of nothing");
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// Nanoseconds per operation.
pub fn ns_per(total: Duration, ops: usize) -> f64 {
    total.as_nanos() as f64 / ops.max(1) as f64
}

/// Millions of messages per second.
pub fn mmsg_per_s(total: Duration, msgs: usize) -> f64 {
    msgs as f64 / total.as_secs_f64() / 1e6
}

/// Records one ask latency sample per call, from consecutive timestamps, so
/// the clock is read once per ask. The buffer is allocated and written up
/// front, so no page fault lands inside the timed loop.
#[derive(Debug)]
pub struct Recorder {
    samples: Vec<u64>,
    last: std::time::Instant,
}

impl Recorder {
    pub fn new(n: usize) -> Recorder {
        let mut samples = vec![1u64; n];
        samples.clear();
        Recorder {
            samples,
            last: std::time::Instant::now(),
        }
    }

    /// Restarts the clock: call just before the first ask.
    pub fn start(&mut self) {
        self.last = std::time::Instant::now();
    }

    /// Marks the end of one ask.
    #[inline]
    pub fn lap(&mut self) {
        let now = std::time::Instant::now();
        self.samples.push((now - self.last).as_nanos() as u64);
        self.last = now;
    }

    pub fn finish(self) -> Vec<u64> {
        self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_median() {
        let mut s: Vec<u64> = (1..=100).rev().collect();
        let l = Latency::from_samples(&mut s);
        assert_eq!(l.p50, 50.0);
        assert_eq!(l.p99, 99.0);
        assert_eq!(l.mean, 50.5);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
