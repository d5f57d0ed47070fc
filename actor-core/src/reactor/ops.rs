//! The io_uring driver's table of operations in flight.
//!
//! Each submitted operation owns a slot until its completion arrives. The
//! slot keeps the operation's resources (buffers, socket addresses, a
//! shared fd) alive until then, even when the future that submitted it was
//! dropped: such a slot is *orphaned*, and its completion runs the
//! operation's hook (closing an accepted fd, say) and drops the resources.
//!
//! A `user_data` key is the slot index in the low 32 bits and the slot's
//! generation in the high 32 bits, so a late completion can never be
//! mistaken for a newer operation in the same slot.

use std::any::Any;
use std::task::Waker;

/// Called with the result of a completion nobody waits for any more.
pub(crate) type OrphanHook = fn(i32);

enum State {
    Free,
    Waiting {
        waker: Option<Waker>,
        resources: Box<dyn Any>,
        on_orphan: Option<OrphanHook>,
    },
    Done {
        result: i32,
        resources: Box<dyn Any>,
        on_orphan: Option<OrphanHook>,
    },
    Orphaned {
        resources: Box<dyn Any>,
        on_orphan: Option<OrphanHook>,
    },
}

struct Slot {
    generation: u32,
    state: State,
}

/// What the loop must do once the driver is no longer borrowed: wake
/// these tasks and drop these resources (whose `Drop` may be arbitrary).
#[derive(Default)]
pub(crate) struct Reaped {
    pub(crate) wakers: Vec<Waker>,
    pub(crate) garbage: Vec<Box<dyn Any>>,
}

impl std::fmt::Debug for Reaped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reaped")
            .field("wakers", &self.wakers.len())
            .field("garbage", &self.garbage.len())
            .finish()
    }
}

impl Reaped {
    /// Wakes and drops what was collected.
    pub(crate) fn finish(&mut self) {
        self.wakers.drain(..).for_each(Waker::wake);
        self.garbage.clear();
    }
}

/// The slot table.
#[derive(Default)]
pub(crate) struct OpTable {
    slots: Vec<Slot>,
    free: Vec<u32>,
    in_flight: usize,
}

/// Outcome of polling one slot.
pub(crate) enum Taken {
    Ready(i32, Box<dyn Any>),
    Pending,
    Gone,
}

fn key(index: u32, generation: u32) -> u64 {
    (u64::from(generation) << 32) | u64::from(index)
}

fn split(key: u64) -> (usize, u32) {
    ((key & 0xFFFF_FFFF) as usize, (key >> 32) as u32)
}

impl OpTable {
    /// Operations whose completion has not arrived yet.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Reserves a slot for a new operation; returns its key.
    pub(crate) fn insert(&mut self, resources: Box<dyn Any>, on_orphan: Option<OrphanHook>) -> u64 {
        let state = State::Waiting {
            waker: None,
            resources,
            on_orphan,
        };
        self.in_flight += 1;
        if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index as usize];
            slot.state = state;
            key(index, slot.generation)
        } else {
            let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 operations");
            self.slots.push(Slot {
                generation: 0,
                state,
            });
            key(index, 0)
        }
    }

    fn slot(&mut self, key: u64) -> Option<&mut Slot> {
        let (index, generation) = split(key);
        self.slots
            .get_mut(index)
            .filter(|s| s.generation == generation)
    }

    fn release(&mut self, key: u64) {
        let (index, _) = split(key);
        let slot = &mut self.slots[index];
        slot.state = State::Free;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(index as u32);
    }

    /// Withdraws a slot whose submission failed (the kernel never saw it).
    pub(crate) fn withdraw(&mut self, key: u64) -> Option<Box<dyn Any>> {
        let state = std::mem::replace(&mut self.slot(key)?.state, State::Free);
        self.in_flight -= 1;
        self.release(key);
        match state {
            State::Waiting { resources, .. } => Some(resources),
            _ => None,
        }
    }

    /// Takes the result if it arrived, otherwise stores the waker.
    pub(crate) fn poll(&mut self, key: u64, waker: &Waker) -> Taken {
        let Some(slot) = self.slot(key) else {
            return Taken::Gone;
        };
        match &mut slot.state {
            State::Waiting { waker: w, .. } => {
                match w {
                    Some(old) if old.will_wake(waker) => {}
                    _ => *w = Some(waker.clone()),
                }
                Taken::Pending
            }
            State::Done { .. } => {
                let State::Done {
                    result, resources, ..
                } = std::mem::replace(&mut slot.state, State::Free)
                else {
                    unreachable!()
                };
                self.release(key);
                Taken::Ready(result, resources)
            }
            State::Free | State::Orphaned { .. } => Taken::Gone,
        }
    }

    /// The future of `key` was dropped. Returns `true` when the operation is
    /// still in the kernel and should be cancelled; a completion that had
    /// already arrived is handed to its hook and its resources to `reaped`.
    pub(crate) fn orphan(&mut self, key: u64, reaped: &mut Reaped) -> bool {
        let Some(slot) = self.slot(key) else {
            return false;
        };
        match std::mem::replace(&mut slot.state, State::Free) {
            State::Waiting {
                resources,
                on_orphan,
                ..
            } => {
                slot.state = State::Orphaned {
                    resources,
                    on_orphan,
                };
                true
            }
            State::Done {
                result,
                resources,
                on_orphan,
            } => {
                if let Some(hook) = on_orphan {
                    hook(result);
                }
                reaped.garbage.push(resources);
                self.release(key);
                false
            }
            other => {
                slot.state = other;
                false
            }
        }
    }

    /// Routes one completion.
    pub(crate) fn complete(&mut self, key: u64, result: i32, reaped: &mut Reaped) {
        let Some(slot) = self.slot(key) else {
            return;
        };
        match std::mem::replace(&mut slot.state, State::Free) {
            State::Waiting {
                waker,
                resources,
                on_orphan,
            } => {
                slot.state = State::Done {
                    result,
                    resources,
                    on_orphan,
                };
                reaped.wakers.extend(waker);
                self.in_flight -= 1;
            }
            State::Orphaned {
                resources,
                on_orphan,
            } => {
                if let Some(hook) = on_orphan {
                    hook(result);
                }
                reaped.garbage.push(resources);
                self.in_flight -= 1;
                self.release(key);
            }
            other => slot.state = other,
        }
    }

    /// Keys of every operation still in the kernel.
    pub(crate) fn pending_keys(&self) -> Vec<u64> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s.state, State::Waiting { .. } | State::Orphaned { .. }))
            .map(|(i, s)| key(i as u32, s.generation))
            .collect()
    }

    /// Gives up on every operation still in the kernel: their resources
    /// are leaked, since the kernel may still write into them.
    pub(crate) fn leak_pending(&mut self) {
        for slot in &mut self.slots {
            if let State::Waiting { resources, .. } | State::Orphaned { resources, .. } =
                std::mem::replace(&mut slot.state, State::Free)
            {
                std::mem::forget(resources);
            }
        }
        self.in_flight = 0;
    }
}
