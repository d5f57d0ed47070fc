//! Exponential backoff between restarts, as in Akka's `BackoffSupervisor`.
//!
//! The delay before restart number `n` (counting from 0) is
//! `min(max, min_delay · 2ⁿ) · (1 + u · random_factor)` where `u` is drawn
//! uniformly from `[0, 1)`. As in Akka, the random part may take a delay
//! above `max`. When a child has run for at least `reset_after` since its last
//! start, its count starts again from 0. The supervisor also bounds that
//! count by its intensity's `max_restarts` (crate docs, rule 5).
//!
//! Everything here is pure: the clock is passed in as `now` and randomness
//! comes from a seeded [`SplitMix64`], so schedules are reproducible.

use std::time::{Duration, Instant};

/// A backoff policy: `min(max, min·2ⁿ)·(1 + u·random_factor)` before the
/// n-th restart, starting again at 0 after a child ran `reset_after`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    random_factor: f64,
    reset_after: Duration,
}

impl Backoff {
    /// Delays from `min` doubling up to `max`, no randomness, reset after
    /// running `min` (Akka's default auto-reset).
    pub fn new(min: Duration, max: Duration) -> Self {
        Backoff {
            min,
            max: max.max(min),
            random_factor: 0.0,
            reset_after: min,
        }
    }

    /// Adds up to `factor` (e.g. `0.2` = 20 %) of random extra delay.
    pub fn random_factor(mut self, factor: f64) -> Self {
        self.random_factor = if factor.is_finite() {
            factor.max(0.0)
        } else {
            0.0
        };
        self
    }

    /// A child that ran at least `period` since its last start begins again
    /// at the smallest delay.
    pub fn reset_after(mut self, period: Duration) -> Self {
        self.reset_after = period;
        self
    }

    /// The smallest delay.
    pub fn min(&self) -> Duration {
        self.min
    }

    /// The largest delay before randomness.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The delay before restart number `attempt`, with `unit` in `[0, 1)` the
    /// random draw.
    #[must_use]
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        let base = self.min.saturating_mul(factor).min(self.max);
        base.mul_f64(1.0 + unit.clamp(0.0, 1.0) * self.random_factor)
    }
}

/// One child's place in its backoff schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackoffState {
    attempt: u32,
    started: Option<Instant>,
}

impl BackoffState {
    /// A fresh schedule.
    pub fn new() -> Self {
        Self::default()
    }

    /// Restarts counted since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Records that the child (re)started at `now`.
    pub fn started(&mut self, now: Instant) {
        self.started = Some(now);
    }

    /// The delay before the next restart of a child that failed at `now`;
    /// advances the schedule, after starting it again if the child ran
    /// `reset_after` since its last [`started`](BackoffState::started). A
    /// restart that then fails to start never reached `started`, so it
    /// cannot reset the count. [`attempt`](BackoffState::attempt) minus one
    /// is then the index of this delay in the schedule.
    pub fn next_delay(&mut self, policy: &Backoff, now: Instant, rng: &mut SplitMix64) -> Duration {
        if self
            .started
            .take()
            .is_some_and(|s| now.saturating_duration_since(s) >= policy.reset_after)
        {
            self.attempt = 0;
        }
        let unit = rng.next_f64();
        let delay = policy.delay(self.attempt, unit);
        self.attempt = self.attempt.saturating_add(1);
        delay
    }
}

/// Sebastiano Vigna's SplitMix64: a tiny, fast, seedable PRNG, good enough
/// for jitter (not for cryptography).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform draw from `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_vector() {
        let mut r = SplitMix64::new(1234567);
        let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            [
                6457827717110365317,
                3203168211198807973,
                9817491932198370423
            ]
        );
    }

    #[test]
    fn delays_double_and_cap() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let d: Vec<u128> = (0..6).map(|a| b.delay(a, 0.0).as_millis()).collect();
        assert_eq!(d, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.delay(200, 0.0), Duration::from_secs(1));
    }
}
