//! Bounded multi-producer multi-consumer queue (Dmitry Vyukov's array queue).
//!
//! Every slot carries a `stamp`. With positions counting up forever
//! (wrapping), slot `pos & mask` is free for the sender claiming `pos` when
//! `stamp == 2 * pos`, and holds the message for the receiver claiming `pos`
//! when `stamp == 2 * pos + 1`; the receiver then sets it to
//! `2 * (pos + capacity)`, freeing it for the next lap. (Vyukov's original
//! uses `pos` and `pos + 1`, which cannot tell "full" from "free" when the
//! capacity is 1; doubling keeps the two apart.) Senders claim positions by a CAS on `tail`,
//! receivers by a CAS on `head`; the stamp's Release store and Acquire load
//! hand the slot's contents over.
//!
//! As in Vyukov's design, `Full` and `Empty` are judged by the one slot at
//! `tail` (or `head`): while another thread is between claiming that slot and
//! publishing its stamp, `try_send` may report `Full` with one slot about to
//! free up, and `try_recv` `Empty` with one message about to land. Both are
//! momentary; the blocking methods simply retry.

use std::mem::MaybeUninit;

use super::{CachePadded, RecvError, SendError, TryRecvError, TrySendError};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::Arc;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

/// Creates a channel holding up to `capacity` messages, rounded up to a
/// power of two (0 becomes 1).
pub(crate) fn bounded<T: Send>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let cap = super::round_capacity(capacity);
    let buffer = (0..cap)
        .map(|i| Slot {
            stamp: AtomicUsize::new(free_stamp(i)),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        })
        .collect();
    let shared = Arc::new(Shared {
        head: CachePadded::new(AtomicUsize::new(0)),
        tail: CachePadded::new(AtomicUsize::new(0)),
        senders: AtomicUsize::new(1),
        receivers: AtomicUsize::new(1),
        buffer,
        mask: cap - 1,
    });
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver { shared },
    )
}

/// The stamp of a slot that the sender of `pos` may fill.
fn free_stamp(pos: usize) -> usize {
    pos << 1
}

/// The stamp of a slot holding the message sent at `pos`.
fn full_stamp(pos: usize) -> usize {
    (pos << 1) | 1
}

struct Slot<T> {
    stamp: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

struct Shared<T> {
    /// Next position to receive from.
    head: CachePadded<AtomicUsize>,
    /// Next position to send to.
    tail: CachePadded<AtomicUsize>,
    /// Live `Sender` handles; 0 means receivers see disconnection.
    senders: AtomicUsize,
    /// Live `Receiver` handles; 0 means senders see disconnection.
    receivers: AtomicUsize,
    buffer: Box<[Slot<T>]>,
    mask: usize,
}

// SAFETY: a slot's value is touched only by the one thread whose CAS claimed
// its position, and the stamp's Release/Acquire pair orders that access
// after the previous owner's. Messages cross threads, hence `T: Send`.
unsafe impl<T: Send> Sync for Shared<T> {}
// SAFETY: see `Sync`; owning the buffer only needs `T: Send`.
unsafe impl<T: Send> Send for Shared<T> {}

impl<T> Shared<T> {
    fn capacity(&self) -> usize {
        self.mask + 1
    }

    fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        if self.receivers.load(Ordering::Acquire) == 0 {
            return Err(TrySendError::Disconnected(v));
        }
        let mut pos = self.tail.load(Ordering::Relaxed);
        loop {
            let slot = &self.buffer[pos & self.mask];
            let stamp = slot.stamp.load(Ordering::Acquire);
            // Wrapping difference read as signed: <0 means the slot still
            // holds last lap's message, >0 means another sender took `pos`.
            let diff = stamp.wrapping_sub(free_stamp(pos)).cast_signed();
            if diff == 0 {
                let next = pos.wrapping_add(1);
                match self.tail.compare_exchange_weak(
                    pos,
                    next,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        slot.value.with_mut(|p| {
                            // SAFETY: our CAS claimed `pos` and the free stamp
                            // says the slot is empty; no other thread touches
                            // it until we publish the full stamp.
                            unsafe { (*p).write(v) };
                        });
                        slot.stamp.store(full_stamp(pos), Ordering::Release);
                        return Ok(());
                    }
                    Err(current) => {
                        // Lost the race to another thread; under loom this
                        // yields, so the model sees the winner's progress.
                        crate::loom::hint::spin_loop();
                        pos = current;
                    }
                }
            } else if diff < 0 {
                return Err(TrySendError::Full(v));
            } else {
                // Our `pos` is stale: someone already took it.
                crate::loom::hint::spin_loop();
                pos = self.tail.load(Ordering::Relaxed);
            }
        }
    }

    fn try_recv(&self) -> Result<T, TryRecvError> {
        match self.try_pop() {
            Some(v) => Ok(v),
            None if self.senders.load(Ordering::Acquire) != 0 => Err(TryRecvError::Empty),
            // Every sender finished its sends before dropping, and we
            // acquired those drops: look once more before giving up.
            None => self.try_pop().ok_or(TryRecvError::Disconnected),
        }
    }

    fn try_pop(&self) -> Option<T> {
        let mut pos = self.head.load(Ordering::Relaxed);
        loop {
            let slot = &self.buffer[pos & self.mask];
            let stamp = slot.stamp.load(Ordering::Acquire);
            let diff = stamp.wrapping_sub(full_stamp(pos)).cast_signed();
            if diff == 0 {
                let next = pos.wrapping_add(1);
                match self.head.compare_exchange_weak(
                    pos,
                    next,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // The full stamp (acquired) says the sender finished
                        // writing; our CAS claimed `pos`, so no one else reads
                        // it, and no sender writes it before we publish the
                        // next lap's stamp.
                        let v = slot.value.with(|p| {
                            // SAFETY: initialised and ours alone (above).
                            unsafe { (*p).assume_init_read() }
                        });
                        let next_lap = pos.wrapping_add(self.capacity());
                        slot.stamp.store(free_stamp(next_lap), Ordering::Release);
                        return Some(v);
                    }
                    Err(current) => {
                        // Lost the race to another thread; under loom this
                        // yields, so the model sees the winner's progress.
                        crate::loom::hint::spin_loop();
                        pos = current;
                    }
                }
            } else if diff < 0 {
                return None;
            } else {
                // Our `pos` is stale: someone already took it.
                crate::loom::hint::spin_loop();
                pos = self.head.load(Ordering::Relaxed);
            }
        }
    }

    fn len(&self) -> usize {
        loop {
            let tail = self.tail.load(Ordering::SeqCst);
            let head = self.head.load(Ordering::SeqCst);
            // A consistent pair: `tail` did not move while we read `head`.
            if self.tail.load(Ordering::SeqCst) == tail {
                let len = tail.wrapping_sub(head).cast_signed();
                return len.clamp(0, self.capacity().cast_signed()).cast_unsigned();
            }
        }
    }
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed);
        let mut pos = head;
        while pos != tail {
            self.buffer[pos & self.mask].value.with_mut(|p| {
                // SAFETY: every handle is gone (`&mut self`), so no send or
                // receive is in flight: each position in `head..tail` was
                // written and not yet read.
                unsafe { (*p).assume_init_drop() }
            });
            pos = pos.wrapping_add(1);
        }
    }
}

/// The sending half of an MPMC channel: `Send + Sync + Clone`. The channel
/// disconnects for receivers when the last `Sender` is dropped.
pub(crate) struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// The receiving half of an MPMC channel: `Send + Sync + Clone`. The channel
/// disconnects for senders when the last `Receiver` is dropped.
pub(crate) struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Enqueues `v` without waiting; hands it back if the channel is full or
    /// every receiver is gone.
    pub(crate) fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        self.shared.try_send(v)
    }

    /// Enqueues `v`, waiting (spin, yield, then park with a timeout) while
    /// the channel is full. Fails only when every receiver is gone.
    pub(crate) fn send_blocking(&self, v: T) -> Result<(), SendError<T>> {
        super::send_blocking(v, |v| self.try_send(v))
    }

    snapshot_methods!();

    /// Whether every receiver has been dropped.
    pub(crate) fn is_disconnected(&self) -> bool {
        self.shared.receivers.load(Ordering::Acquire) == 0
    }
}

impl<T> Receiver<T> {
    /// Dequeues the oldest message without waiting.
    pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
        self.shared.try_recv()
    }

    /// Dequeues the oldest message, waiting while the channel is empty.
    /// Fails only when it is empty and every sender is gone.
    pub(crate) fn recv_blocking(&self) -> Result<T, RecvError> {
        super::recv_blocking(|| self.try_recv())
    }

    snapshot_methods!();

    /// Whether every sender has been dropped.
    pub(crate) fn is_disconnected(&self) -> bool {
        self.shared.senders.load(Ordering::Acquire) == 0
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        // Relaxed is enough: the count cannot reach 0 while `self` lives.
        self.shared.senders.fetch_add(1, Ordering::Relaxed);
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.receivers.fetch_add(1, Ordering::Relaxed);
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.shared.senders.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.receivers.fetch_sub(1, Ordering::AcqRel);
    }
}

debug_by_snapshot!(Sender, Receiver);
