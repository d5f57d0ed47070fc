//! Per-shard connection counters, kept as the runtime's keyed counters
//! (family `tcp`, kinds `accepted`, `opened`, `closed`, the shard) so they
//! appear in every [`Metrics`](actor_core::Metrics) snapshot and in the
//! exporter as `pinion_tcp_accepted_total{shard="0"}` and so on.

use actor_core::Handle;

use crate::shard_counters::{LocalCounters, ShardCounters};

static TCP: ShardCounters<3> = ShardCounters::new("tcp", ["accepted", "opened", "closed"]);

/// One shard's TCP connection counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionCounts {
    /// Connections accepted by the shard's listeners, ever.
    pub accepted: u64,
    /// Streams opened on the shard (accepted or connected), ever.
    pub opened: u64,
    /// Streams closed on the shard, ever.
    pub closed: u64,
}

impl ConnectionCounts {
    /// Streams open now.
    pub fn open(&self) -> u64 {
        self.opened.saturating_sub(self.closed)
    }

    /// The counts of shard `shard` of the runtime behind `handle`.
    pub fn of_shard(handle: &Handle, shard: usize) -> Self {
        let [a, o, c] = TCP.read(handle, shard);
        ConnectionCounts {
            accepted: a,
            opened: o,
            closed: c,
        }
    }
}

thread_local! {
    /// The calling shard's counters (a shard thread serves one runtime).
    static LOCAL: LocalCounters<3> = const { std::cell::RefCell::new(None) };
}

/// Which counter to bump.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Accepted = 0,
    Opened = 1,
    Closed = 2,
}

/// Bumps the calling shard's counter; does nothing off a shard.
pub(crate) fn bump(event: Event) {
    TCP.bump(&LOCAL, event as usize);
}
