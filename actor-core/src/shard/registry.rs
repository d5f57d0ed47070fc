//! A shard's live actors: a slab keyed by a slot index the actor's cell
//! keeps, so joining and leaving cost O(1) with no search.

use std::sync::Arc;

use crate::actor::cell::ActorEntry;

/// The key of a cell not in any registry.
pub(crate) const UNREGISTERED: usize = usize::MAX;

/// Live actors, each with its spawn sequence number.
#[derive(Default)]
pub(crate) struct Registry {
    slots: Vec<Option<(u64, Arc<dyn ActorEntry>)>>,
    free: Vec<usize>,
    live: usize,
}

impl Registry {
    /// Adds an actor; returns the key to remove it with.
    pub(crate) fn insert(&mut self, seq: u64, entry: Arc<dyn ActorEntry>) -> usize {
        self.live += 1;
        match self.free.pop() {
            Some(key) => {
                self.slots[key] = Some((seq, entry));
                key
            }
            None => {
                self.slots.push(Some((seq, entry)));
                self.slots.len() - 1
            }
        }
    }

    /// Removes the actor `seq` from slot `key`, if it is there.
    pub(crate) fn remove(&mut self, key: usize, seq: u64) -> Option<Arc<dyn ActorEntry>> {
        let slot = self.slots.get_mut(key)?;
        if slot.as_ref().is_none_or(|(s, _)| *s != seq) {
            return None;
        }
        self.live -= 1;
        self.free.push(key);
        slot.take().map(|(_, e)| e)
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Every live actor, in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Arc<dyn ActorEntry>> {
        self.slots.iter().flatten().map(|(_, e)| e)
    }

    /// Every live actor, newest (highest sequence number) first.
    pub(crate) fn newest_first(&self) -> Vec<Arc<dyn ActorEntry>> {
        let mut all: Vec<_> = self.slots.iter().flatten().collect();
        all.sort_unstable_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        all.into_iter().map(|(_, e)| e.clone()).collect()
    }
}
