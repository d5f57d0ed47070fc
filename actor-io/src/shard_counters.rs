//! Families of per-shard counters kept as the runtime's keyed counters
//! ([`CounterKey`]: family, kind, shard), so every
//! [`Metrics`](actor_core::Metrics) snapshot and the Prometheus exporter see
//! them, labelled by shard, with no name to parse.

use std::cell::RefCell;
use std::sync::Arc;
use std::thread::LocalKey;

use actor_core::{CounterKey, Handle, NamedCounter};

/// A shard thread's cached counters of one family.
pub(crate) type LocalCounters<const N: usize> = RefCell<Option<[Arc<NamedCounter>; N]>>;

/// One family: its name and its kinds.
pub(crate) struct ShardCounters<const N: usize> {
    family: &'static str,
    kinds: [&'static str; N],
}

impl<const N: usize> ShardCounters<N> {
    pub(crate) const fn new(family: &'static str, kinds: [&'static str; N]) -> Self {
        Self { family, kinds }
    }

    /// The key of kind `kind` on shard `shard`.
    fn key(&self, kind: &'static str, shard: usize) -> CounterKey {
        CounterKey {
            family: self.family,
            kind,
            shard: Some(shard),
        }
    }

    /// The values of shard `shard` of the runtime behind `handle`, in the
    /// order of the kinds.
    pub(crate) fn read(&self, handle: &Handle, shard: usize) -> [u64; N] {
        self.kinds
            .map(|k| handle.keyed_counter(self.key(k, shard)).get())
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
                *l = Some(self.kinds.map(|k| handle.keyed_counter(self.key(k, shard))));
            }
            if let Some(c) = l.as_ref().and_then(|c| c.get(i)) {
                c.inc();
            }
        });
    }
}
