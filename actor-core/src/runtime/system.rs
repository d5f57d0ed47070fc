//! [`SystemSample`]: the host's and this process's CPU and memory use, read
//! cheaply from procfs and `getrusage` (a few microseconds), for runtime
//! adaptation and metrics.

use std::time::{Duration, Instant};

use crate::config::MemoryInfo;

/// One reading of the host's and this process's CPU and memory use. CPU
/// figures are cumulative counters: compare two samples
/// ([`SystemSample::cpu_busy_since`], [`SystemSample::process_cpu_since`]).
///
/// ```
/// use actor_core::SystemSample;
///
/// let before = SystemSample::now();
/// let mut x = 0u64;
/// for i in 0..5_000_000u64 { x = x.wrapping_add(i * i); }
/// std::hint::black_box(x);
/// let after = SystemSample::now();
/// assert!(after.process_rss_bytes.unwrap() > 0);
/// assert!(after.process_cpu_time >= before.process_cpu_time);
/// let busy = after.cpu_busy_since(&before).unwrap_or(0.0);
/// assert!((0.0..=1.0).contains(&busy));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct SystemSample {
    /// When it was taken.
    pub at: Instant,
    /// Clock ticks all CPUs spent since boot (`/proc/stat`); `None` when
    /// unreadable.
    pub cpu_total_ticks: Option<u64>,
    /// Of those, ticks spent idle or waiting for I/O.
    pub cpu_idle_ticks: Option<u64>,
    /// `MemTotal`.
    pub memory_total_bytes: Option<u64>,
    /// `MemAvailable`: what can be allocated without swapping.
    pub memory_available_bytes: Option<u64>,
    /// This process's resident set (`/proc/self/statm`).
    pub process_rss_bytes: Option<u64>,
    /// CPU time this process has used, user and system (`getrusage`).
    pub process_cpu_time: Duration,
}

impl SystemSample {
    /// Reads the counters now.
    pub fn now() -> Self {
        let (total, idle) = cpu_ticks().map_or((None, None), |(t, i)| (Some(t), Some(i)));
        let memory = MemoryInfo::probe();
        Self {
            at: Instant::now(),
            cpu_total_ticks: total,
            cpu_idle_ticks: idle,
            memory_total_bytes: memory.total_bytes,
            memory_available_bytes: memory.available_bytes,
            process_rss_bytes: rss(),
            process_cpu_time: process_cpu(),
        }
    }

    /// The share of the host's CPU time that was busy between `earlier` and
    /// this sample, in `0.0..=1.0`; `None` when unknown or when no tick
    /// passed (samples closer than a clock tick, usually 10 ms).
    pub fn cpu_busy_since(&self, earlier: &SystemSample) -> Option<f64> {
        let total = self
            .cpu_total_ticks?
            .checked_sub(earlier.cpu_total_ticks?)?;
        let idle = self.cpu_idle_ticks?.saturating_sub(earlier.cpu_idle_ticks?);
        (total > 0).then(|| (total.saturating_sub(idle) as f64 / total as f64).clamp(0.0, 1.0))
    }

    /// How many CPUs' worth of time this process used between `earlier` and
    /// this sample (1.0 = one core busy the whole time).
    pub fn process_cpu_since(&self, earlier: &SystemSample) -> f64 {
        let wall = self.at.saturating_duration_since(earlier.at).as_secs_f64();
        let used = self
            .process_cpu_time
            .saturating_sub(earlier.process_cpu_time)
            .as_secs_f64();
        if wall > 0.0 { used / wall } else { 0.0 }
    }
}

/// `(total, idle + iowait)` from the `cpu` line of `/proc/stat`.
fn cpu_ticks() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    parse_cpu_line(text.lines().next()?)
}

fn parse_cpu_line(line: &str) -> Option<(u64, u64)> {
    let mut fields = line.split_whitespace();
    if fields.next()? != "cpu" {
        return None;
    }
    // user nice system idle iowait irq softirq steal (guest time is already
    // counted in user and nice).
    let values: Vec<u64> = fields
        .take(8)
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    let idle = values.get(3)? + values.get(4).copied().unwrap_or(0);
    Some((values.iter().sum(), idle))
}

fn rss() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf only reads a constant of the running system.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok()?)
}

fn process_cpu() -> Duration {
    // SAFETY: `rusage` is plain data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes one `rusage` into a live local.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_line() {
        let line = "cpu  100 5 50 800 20 3 2 0 0 0";
        assert_eq!(parse_cpu_line(line), Some((980, 820)));
        assert_eq!(parse_cpu_line("cpu0 1 2 3 4"), None);
        assert_eq!(parse_cpu_line("cpu x"), None);
    }

    #[test]
    fn busy_share_between_samples() {
        let base = SystemSample::now();
        let mut later = base;
        later.cpu_total_ticks = base.cpu_total_ticks.map(|t| t + 100);
        later.cpu_idle_ticks = base.cpu_idle_ticks.map(|i| i + 25);
        if base.cpu_total_ticks.is_some() {
            assert_eq!(later.cpu_busy_since(&base), Some(0.75));
        }
        assert_eq!(base.cpu_busy_since(&base), None, "no tick passed");
    }
}
