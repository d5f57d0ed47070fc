//! Placement that ignores the key and spreads calls evenly.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};

/// Hands out partitions in rotation, ignoring the key.
///
/// Called with a fixed `partitions = n`, the results are exactly
/// `0, 1, …, n-1, 0, 1, …` in call order; from several threads each call
/// takes a distinct ticket, so over `k * n` calls every partition is chosen
/// exactly `k` times. The counter is one shared `AtomicUsize`; after `2^64`
/// calls (on 64-bit targets) it wraps and, unless `n` is a power of two, the
/// rotation restarts early once.
#[derive(Debug)]
pub struct RoundRobin {
    next: AtomicUsize,
}

impl RoundRobin {
    /// A rotation whose first call returns partition 0.
    #[must_use]
    pub fn new() -> Self {
        Self {
            next: AtomicUsize::new(0),
        }
    }
}

impl Default for RoundRobin {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: ?Sized> super::Partitioner<K> for RoundRobin {
    fn partition(&self, _key: &K, partitions: usize) -> usize {
        // Relaxed: each caller only needs a unique ticket, not ordering with
        // other memory.
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        ticket.checked_rem(partitions).unwrap_or(0)
    }
}
