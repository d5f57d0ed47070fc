//! Families of per-shard counters kept as the runtime's named counters
//! (`<prefix>.shard<N>.<kind>`), so every [`Metrics`](actor_core::Metrics)
//! snapshot and the Prometheus exporter see them; the exporter turns
//! `tcp.shard0.accepted` into `pinion_tcp_accepted_total{shard="0"}`.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};
use std::thread::LocalKey;

use actor_core::{Handle, NamedCounter};

/// A shard thread's cached counters of one family.
pub(crate) type LocalCounters<const N: usize> = RefCell<Option<[Arc<NamedCounter>; N]>>;

/// One family: a prefix and its kinds.
pub(crate) struct ShardCounters<const N: usize> {
    prefix: &'static str,
    kinds: [&'static str; N],
    /// Names per shard index, made once for the process (named counters
    /// take `&'static str`).
    names: Mutex<Vec<[&'static str; N]>>,
}

impl<const N: usize> ShardCounters<N> {
    pub(crate) const fn new(prefix: &'static str, kinds: [&'static str; N]) -> Self {
        Self {
            prefix,
            kinds,
            names: Mutex::new(Vec::new()),
        }
    }

    fn names(&self, shard: usize) -> [&'static str; N] {
        let mut names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        while names.len() <= shard {
            let i = names.len();
            let prefix = self.prefix;
            names.push(
                self.kinds
                    .map(|k| &*Box::leak(format!("{prefix}.shard{i}.{k}").into_boxed_str())),
            );
        }
        names[shard]
    }

    /// The values of shard `shard` of the runtime behind `handle`, in the
    /// order of the kinds.
    pub(crate) fn read(&self, handle: &Handle, shard: usize) -> [u64; N] {
        self.names(shard).map(|n| handle.counter(n).get())
    }

    /// Adds one to kind `i` of the calling shard, whose counters `local`
    /// caches; does nothing off a shard.
    pub(crate) fn bump(&self, local: &'static LocalKey<LocalCounters<N>>, i: usize) {
        local.with(|l| {
            let mut l = l.borrow_mut();
            if l.is_none() {
                let (Some(handle), Ok(shard)) =
                    (Handle::current(), actor_core::io_driver::current_shard())
                else {
                    return;
                };
                *l = Some(self.names(shard).map(|n| handle.counter(n)));
            }
            if let Some(c) = l.as_ref().and_then(|c| c.get(i)) {
                c.inc();
            }
        });
    }
}
