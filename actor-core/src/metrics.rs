//! Per-shard counters and the snapshot `Runtime::metrics` returns.
//!
//! Each counter is written only by its own shard thread, with a relaxed load
//! and store (no locked read-modify-write), and read by anyone summing a
//! snapshot. The counters of one shard share a cache line that no other shard
//! writes.

use crate::loom::sync::atomic::{AtomicU64, Ordering};

/// A counter with a single writer.
#[derive(Debug, Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    /// Adds one. Only the owning shard calls this.
    pub(crate) fn bump(&self) {
        self.add(1);
    }

    pub(crate) fn add(&self, n: u64) {
        self.0.store(
            self.0.load(Ordering::Relaxed).wrapping_add(n),
            Ordering::Relaxed,
        );
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// One shard's counters.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct ShardCounters {
    pub(crate) messages_handled: Counter,
    pub(crate) actors_started: Counter,
    pub(crate) actors_stopped: Counter,
    pub(crate) parks: Counter,
    pub(crate) wakes: Counter,
    /// Written by any thread (dead letters are off the hot path).
    pub(crate) dead_letters: AtomicU64,
}

/// A point-in-time view of one shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ShardMetrics {
    /// The shard's index.
    pub shard: usize,
    /// Messages handled by its actors.
    pub messages_handled: u64,
    /// Messages waiting in its actors' mailboxes now.
    pub mailbox_depth: u64,
    /// Actors alive on it now.
    pub live_actors: u64,
    /// Actors started on it, ever.
    pub actors_started: u64,
    /// Dead letters addressed to its actors.
    pub dead_letters: u64,
    /// Times it parked in its reactor.
    pub parks: u64,
    /// Times it was woken through its eventfd.
    pub wakes: u64,
}

/// A snapshot of every shard, and their sum.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Metrics {
    /// One entry per shard.
    pub shards: Vec<ShardMetrics>,
    /// The sum over shards (its `shard` field is the shard count).
    pub total: ShardMetrics,
    /// Named counters registered by layers above the core (supervisors,
    /// I/O), sorted by name.
    pub named: Vec<(&'static str, u64)>,
    /// Counters registered with a [`CounterKey`] (per-shard families of
    /// the layers above the core, such as TCP and HTTP counts), sorted by
    /// key.
    pub counters: Vec<(CounterKey, u64)>,
}

/// What a keyed counter counts: a family (`"tcp"`), a kind within it
/// (`"accepted"`), and the shard it belongs to, if any. Exporters label by
/// these parts instead of parsing a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CounterKey {
    /// The family, such as `"tcp"` or `"http"`.
    pub family: &'static str,
    /// The kind within the family, such as `"accepted"`.
    pub kind: &'static str,
    /// The shard whose events it counts; `None` for a runtime-wide count.
    pub shard: Option<usize>,
}

/// A named, shared counter that layers above the core register with
/// [`Handle::counter`](crate::Handle::counter); it appears in every
/// [`Metrics`] snapshot. Off the per-message hot path only.
#[derive(Debug, Default)]
pub struct NamedCounter(std::sync::atomic::AtomicU64);

impl NamedCounter {
    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Adds one.
    pub fn inc(&self) {
        self.add(1);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Metrics {
    pub(crate) fn from_shards(
        shards: Vec<ShardMetrics>,
        named: Vec<(&'static str, u64)>,
        counters: Vec<(CounterKey, u64)>,
    ) -> Self {
        let mut total = ShardMetrics {
            shard: shards.len(),
            ..ShardMetrics::default()
        };
        for s in &shards {
            total.messages_handled += s.messages_handled;
            total.mailbox_depth += s.mailbox_depth;
            total.live_actors += s.live_actors;
            total.actors_started += s.actors_started;
            total.dead_letters += s.dead_letters;
            total.parks += s.parks;
            total.wakes += s.wakes;
        }
        Metrics {
            shards,
            total,
            named,
            counters,
        }
    }
}
