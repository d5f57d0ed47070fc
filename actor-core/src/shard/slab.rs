//! The shard's table of `!Send` task futures, keyed by slot.

use crate::shard::task::TaskRef;
use std::future::Future;
use std::pin::Pin;

/// A shard-local future.
pub(crate) type LocalFuture = Pin<Box<dyn Future<Output = ()>>>;
pub(crate) struct Slot {
    pub(crate) header: TaskRef,
    /// `None` while the future is out being polled.
    pub(crate) future: Option<LocalFuture>,
}

/// Slots with a free list; a header is only honoured in the slot it was
/// placed in, so a stale wake-up never polls a stranger.
#[derive(Default)]
pub(crate) struct TaskSlab {
    slots: Vec<Option<Slot>>,
    free: Vec<usize>,
    live: usize,
}

impl TaskSlab {
    pub(crate) fn insert(&mut self, slot: Slot) -> usize {
        self.live += 1;
        let key = match self.free.pop() {
            Some(key) => key,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        slot.header.set_key(key);
        self.slots[key] = Some(slot);
        key
    }

    /// The slot `header` was placed in, if it is still there.
    pub(crate) fn get_mut(&mut self, header: &TaskRef) -> Option<&mut Slot> {
        self.slots
            .get_mut(header.key())
            .and_then(Option::as_mut)
            .filter(|s| s.header == *header)
    }

    pub(crate) fn remove(&mut self, header: &TaskRef) -> Option<Slot> {
        let key = header.key();
        self.get_mut(header)?;
        self.live -= 1;
        self.free.push(key);
        self.slots[key].take()
    }

    /// Empties the slab, handing every slot back.
    pub(crate) fn drain(&mut self) -> Vec<Slot> {
        self.free.clear();
        self.live = 0;
        self.slots.drain(..).flatten().collect()
    }
}
