//! Bounded single-producer single-consumer ring buffer.
//!
//! `tail` is written only by the [`Producer`], `head` only by the
//! [`Consumer`]; both count up forever (wrapping) and a slot is
//! `index & mask`. Publishing is a `Release` store of the own index that the
//! other side reads with `Acquire`, so the write of a slot happens before
//! the read of it and vice versa. Each side keeps a private copy of the
//! other's index and reloads it only when the ring looks full (or empty).

use std::cell::Cell;
use std::mem::MaybeUninit;

use super::{CachePadded, RecvError, SendError, TryRecvError, TrySendError};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::Arc;
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Creates a channel holding up to `capacity` messages, rounded up to a
/// power of two (0 becomes 1).
pub(crate) fn bounded<T: Send>(capacity: usize) -> (Producer<T>, Consumer<T>) {
    let cap = super::round_capacity(capacity);
    let buffer = (0..cap)
        .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
        .collect();
    let shared = Arc::new(Shared {
        head: CachePadded::new(AtomicUsize::new(0)),
        tail: CachePadded::new(AtomicUsize::new(0)),
        disconnected: AtomicBool::new(false),
        buffer,
        mask: cap - 1,
    });
    let producer = Producer {
        shared: Arc::clone(&shared),
        cached_head: Cell::new(0),
    };
    (
        producer,
        Consumer {
            shared,
            cached_tail: Cell::new(0),
        },
    )
}

struct Shared<T> {
    /// Next index to read; written by the consumer only.
    head: CachePadded<AtomicUsize>,
    /// Next index to write; written by the producer only.
    tail: CachePadded<AtomicUsize>,
    /// Set by whichever side drops first.
    disconnected: AtomicBool,
    /// Slots `head..tail` (mod capacity) are initialised.
    buffer: Box<[UnsafeCell<MaybeUninit<T>>]>,
    mask: usize,
}

// SAFETY: a slot is accessed by one side at a time: the producer writes only
// slots in `tail..head + cap`, the consumer reads only `head..tail`, and the
// Release/Acquire index stores hand each slot over. Messages cross threads,
// hence `T: Send`.
unsafe impl<T: Send> Sync for Shared<T> {}
// SAFETY: see `Sync`; owning the buffer only needs `T: Send`.
unsafe impl<T: Send> Send for Shared<T> {}

impl<T> Shared<T> {
    fn capacity(&self) -> usize {
        self.mask + 1
    }

    fn len(&self) -> usize {
        let head = self.head.load(Ordering::Acquire);
        let tail = self.tail.load(Ordering::Acquire);
        tail.wrapping_sub(head).min(self.capacity())
    }
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed);
        let mut i = head;
        while i != tail {
            self.buffer[i & self.mask].with_mut(|slot| {
                // SAFETY: both handles are gone (`&mut self`), and every slot
                // in `head..tail` was written and not yet read.
                unsafe { (*slot).assume_init_drop() }
            });
            i = i.wrapping_add(1);
        }
    }
}

/// The sending half of an SPSC channel. `Send` but not `Sync` or `Clone`:
/// exactly one thread produces at a time (checked at compile time in
/// `channel_tests`).
pub(crate) struct Producer<T> {
    shared: Arc<Shared<T>>,
    /// Last `head` seen; the `Cell` also makes the type `!Sync`.
    cached_head: Cell<usize>,
}

/// The receiving half of an SPSC channel. `Send` but not `Sync` or `Clone`
/// (checked at compile time in `channel_tests`).
pub(crate) struct Consumer<T> {
    shared: Arc<Shared<T>>,
    /// Last `tail` seen; the `Cell` also makes the type `!Sync`.
    cached_tail: Cell<usize>,
}

impl<T> Producer<T> {
    /// Enqueues `v` without waiting; hands it back if the channel is full or
    /// the consumer is gone.
    pub(crate) fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        let shared = &*self.shared;
        if shared.disconnected.load(Ordering::Acquire) {
            return Err(TrySendError::Disconnected(v));
        }
        let tail = shared.tail.load(Ordering::Relaxed);
        if tail.wrapping_sub(self.cached_head.get()) > shared.mask {
            self.cached_head.set(shared.head.load(Ordering::Acquire));
            if tail.wrapping_sub(self.cached_head.get()) > shared.mask {
                return Err(TrySendError::Full(v));
            }
        }
        shared.buffer[tail & shared.mask].with_mut(|slot| {
            // SAFETY: `tail - head < cap`, so this slot is outside
            // `head..tail`: the consumer will not touch it until the
            // Release store below, and its old value (if any) was moved out.
            unsafe { (*slot).write(v) };
        });
        shared.tail.store(tail.wrapping_add(1), Ordering::Release);
        Ok(())
    }

    /// Enqueues `v`, waiting (spin, yield, then park with a timeout) while
    /// the channel is full. Fails only when the consumer is gone.
    pub(crate) fn send_blocking(&self, v: T) -> Result<(), SendError<T>> {
        super::send_blocking(v, |v| self.try_send(v))
    }

    snapshot_methods!();

    /// Whether the consumer has been dropped.
    pub(crate) fn is_disconnected(&self) -> bool {
        self.shared.disconnected.load(Ordering::Acquire)
    }
}

impl<T> Consumer<T> {
    /// Dequeues the oldest message without waiting.
    pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
        let shared = &*self.shared;
        let head = shared.head.load(Ordering::Relaxed);
        if head == self.cached_tail.get() {
            self.cached_tail.set(shared.tail.load(Ordering::Acquire));
            if head == self.cached_tail.get() {
                if !shared.disconnected.load(Ordering::Acquire) {
                    return Err(TryRecvError::Empty);
                }
                // The producer may have sent right before dropping; its
                // last `tail` store happens before the flag we just read.
                self.cached_tail.set(shared.tail.load(Ordering::Acquire));
                if head == self.cached_tail.get() {
                    return Err(TryRecvError::Disconnected);
                }
            }
        }
        let v = shared.buffer[head & shared.mask].with(|slot| {
            // SAFETY: `head != tail`, so the producer initialised this slot
            // and published it with the Release store of `tail` we acquired;
            // it will not write it again until we advance `head`.
            unsafe { (*slot).assume_init_read() }
        });
        shared.head.store(head.wrapping_add(1), Ordering::Release);
        Ok(v)
    }

    /// Dequeues the oldest message, waiting while the channel is empty.
    /// Fails only when it is empty and the producer is gone.
    pub(crate) fn recv_blocking(&self) -> Result<T, RecvError> {
        super::recv_blocking(|| self.try_recv())
    }

    snapshot_methods!();

    /// Whether the producer has been dropped.
    pub(crate) fn is_disconnected(&self) -> bool {
        self.shared.disconnected.load(Ordering::Acquire)
    }
}

impl<T> Drop for Producer<T> {
    fn drop(&mut self) {
        self.shared.disconnected.store(true, Ordering::Release);
    }
}

impl<T> Drop for Consumer<T> {
    fn drop(&mut self) {
        self.shared.disconnected.store(true, Ordering::Release);
    }
}

debug_by_snapshot!(Producer, Consumer);
