//! A shard's residents (its live actors): a slab keyed by a slot index the
//! resident keeps, so joining and leaving cost O(1) with no search.
//!
//! The shard only keeps the list. What a resident is, and how it stops, is
//! the business of the layer that registers it, through [`Resident`].

use std::sync::Arc;
use std::task::Waker;

use crate::shard::shared::ShardShared;
use crate::shard::task::TaskRef;

/// Something that lives on a shard until it stops (an actor's cell): what
/// the runtime needs to count residents and to stop them all at shutdown.
pub(crate) trait Resident: Send + Sync {
    /// Its name, for reports.
    fn name(&self) -> &'static str;
    /// Its spawn sequence number on its shard.
    fn seq(&self) -> u64;
    /// Messages waiting for it.
    fn queued(&self) -> usize;
    /// `false` once it has stopped for good.
    fn is_alive(&self) -> bool;
    /// Asks it to stop because its shard shuts down.
    fn request_shutdown(&self);
    /// Stops it at its next await point, running no more of its code.
    fn kill(&self);
    /// At shutdown, on its shard: ends for good a resident with no task
    /// running (nothing else would). `true` when it was one.
    fn end_if_exited(&self, shard: &ShardShared) -> bool;
    /// Registers `waker` for its end; `true` if it has already stopped.
    fn poll_stopped(&self, waker: &Waker) -> bool;
}

/// Live residents, each by a thin reference to its task's cell (see
/// `TaskRef::resident`).
#[derive(Default)]
pub(crate) struct Registry {
    slots: Vec<Option<TaskRef>>,
    free: Vec<usize>,
    live: usize,
}

impl Registry {
    /// Adds a resident (a task whose cell is one); returns the key to remove
    /// it with.
    pub(crate) fn insert(&mut self, entry: TaskRef) -> usize {
        debug_assert!(entry.resident().is_some(), "only residents register");
        self.live += 1;
        match self.free.pop() {
            Some(key) => {
                self.slots[key] = Some(entry);
                key
            }
            None => {
                self.slots.push(Some(entry));
                self.slots.len() - 1
            }
        }
    }

    /// Removes the resident `seq` from slot `key`, if it is there.
    pub(crate) fn remove(&mut self, key: usize, seq: u64) -> Option<TaskRef> {
        let slot = self.slots.get_mut(key)?;
        if slot
            .as_ref()
            .and_then(TaskRef::resident)
            .is_none_or(|e| e.seq() != seq)
        {
            return None;
        }
        self.live -= 1;
        self.free.push(key);
        slot.take()
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Every live resident, in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &dyn Resident> {
        self.slots.iter().flatten().filter_map(TaskRef::resident)
    }

    /// Every live resident with its sequence number, newest (highest
    /// sequence number) first.
    pub(crate) fn newest_first(&self) -> Vec<(u64, Arc<dyn Resident>)> {
        let mut all: Vec<_> = self
            .slots
            .iter()
            .flatten()
            .filter_map(TaskRef::resident_arc)
            .map(|e| (e.seq(), e))
            .collect();
        all.sort_unstable_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        all
    }
}
