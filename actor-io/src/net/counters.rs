//! Per-shard connection counters, kept as the runtime's named counters so
//! they appear in every [`Metrics`](actor_core::Metrics) snapshot (and any
//! exporter built on it) as `tcp.shard<N>.accepted`, `.opened`, `.closed`.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use actor_core::{Handle, NamedCounter};

const KINDS: [&str; 3] = ["accepted", "opened", "closed"];

/// The counter names of shard `shard`, made once per shard index for the
/// process (named counters take `&'static str`).
fn names(shard: usize) -> [&'static str; 3] {
    static NAMES: Mutex<Vec<[&'static str; 3]>> = Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|p| p.into_inner());
    while names.len() <= shard {
        let i = names.len();
        names.push(KINDS.map(|k| &*Box::leak(format!("tcp.shard{i}.{k}").into_boxed_str())));
    }
    names[shard]
}

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
        let [a, o, c] = names(shard).map(|n| handle.counter(n).get());
        ConnectionCounts {
            accepted: a,
            opened: o,
            closed: c,
        }
    }
}

thread_local! {
    /// The calling shard's counters (a shard thread serves one runtime).
    static LOCAL: RefCell<Option<[Arc<NamedCounter>; 3]>> = const { RefCell::new(None) };
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
    LOCAL.with(|l| {
        let mut l = l.borrow_mut();
        if l.is_none() {
            let (Some(handle), Ok(shard)) =
                (Handle::current(), actor_core::io_driver::current_shard())
            else {
                return;
            };
            *l = Some(names(shard).map(|n| handle.counter(n)));
        }
        if let Some(counters) = l.as_ref() {
            counters[event as usize].inc();
        }
    });
}
