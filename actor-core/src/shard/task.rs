//! Tasks: a `Send + Sync` header that wakers point at, and the `!Send` future
//! that stays in its shard's slab.
//!
//! Scheduling handshake: a waker swaps `scheduled` to `true` and enqueues the
//! header only if it was `false`; the executor swaps it back to `false`
//! *before* polling. Both are read-modify-writes on one atomic, so a wake that
//! races with a poll is either seen by that poll or enqueues the task again.
//!
//! A header may carry a payload in the same allocation: an actor's cell is a
//! `TaskHeader<CellState<A>>`, so spawning an actor allocates its cell and
//! its task header at once. Queues and slabs hold the type-erased
//! `Arc<TaskHeader>` (payload `dyn TaskPayload`); wakers hold the thin
//! pointer, with a waker vtable made for the concrete payload type.

use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

use crate::loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use crate::shard::shared::ShardShared;

/// The key of a task not yet placed in its shard's slab.
pub(crate) const UNPLACED: usize = usize::MAX;

/// What a task header may carry: anything shareable.
pub(crate) trait TaskPayload: Send + Sync + 'static {}

impl<T: Send + Sync + 'static> TaskPayload for T {}

/// What wakers hold: enough to find and schedule the task from any thread,
/// and the payload that shares its allocation.
pub(crate) struct TaskHeader<T: ?Sized = dyn TaskPayload> {
    pub(crate) shard: Arc<ShardShared>,
    key: AtomicUsize,
    scheduled: AtomicBool,
    /// The waker vtable for this header's concrete payload type.
    waker_vtable: &'static RawWakerVTable,
    /// This header's own `Arc` pointer, with the whole allocation's
    /// provenance: `schedule(&self)` takes a count through it (a pointer
    /// made from `&self` may not reach the reference counts).
    this: AtomicPtr<()>,
    payload: T,
}

impl<T: ?Sized> Deref for TaskHeader<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.payload
    }
}

impl<T: ?Sized> std::fmt::Debug for TaskHeader<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskHeader")
            .field("shard", &self.shard.index)
            .field("key", &self.key())
            .finish()
    }
}

impl TaskHeader {
    /// A header with no payload, for a plain future.
    pub(crate) fn new(shard: Arc<ShardShared>) -> Arc<Self> {
        TaskHeader::with_payload(shard, ())
    }

    /// Marks the task runnable; enqueues it if it was not already.
    pub(crate) fn schedule(self: &Arc<Self>) {
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            crate::shard::local::enqueue(self.clone());
        }
    }
}

impl<T: TaskPayload> TaskHeader<T> {
    /// A header carrying `payload` in the same allocation.
    pub(crate) fn with_payload(shard: Arc<ShardShared>, payload: T) -> Arc<Self> {
        let header = Arc::new(TaskHeader {
            shard,
            key: AtomicUsize::new(UNPLACED),
            scheduled: AtomicBool::new(false),
            waker_vtable: vtable::<T>(),
            this: AtomicPtr::new(std::ptr::null_mut()),
            payload,
        });
        let this = Arc::as_ptr(&header).cast_mut().cast::<()>();
        // Published to other threads with the `Arc` itself.
        header.this.store(this, Ordering::Relaxed);
        header
    }

    /// Marks the task runnable; enqueues it if it was not already.
    pub(crate) fn schedule(&self) {
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            let this = self.this.load(Ordering::Relaxed).cast_const();
            // SAFETY: `this` is `Arc::as_ptr` of the `Arc` this header was
            // made in (see `with_payload`), which is live while `self` is
            // borrowed; the count taken here is owned by the queued `Arc`.
            let owned = unsafe {
                Arc::increment_strong_count(this.cast::<TaskHeader<T>>());
                Arc::from_raw(this.cast::<TaskHeader<T>>())
            };
            crate::shard::local::enqueue(owned);
        }
    }

    /// Marks the task runnable after a push into its mailbox. The plain load
    /// first skips the read-modify-write when the task is already queued;
    /// that is sound here because the push and the actor's pop take the same
    /// mailbox lock: a poll whose `begin_poll` the load could miss has
    /// popped under the lock after our push, and so sees the message.
    pub(crate) fn schedule_after_push(&self) {
        if !self.scheduled.load(Ordering::Acquire) {
            self.schedule();
        }
    }
}

impl<T: ?Sized> TaskHeader<T> {
    /// The slab key; only meaningful on the owning shard.
    pub(crate) fn key(&self) -> usize {
        self.key.load(Ordering::Relaxed)
    }

    pub(crate) fn set_key(&self, key: usize) {
        self.key.store(key, Ordering::Relaxed);
    }

    /// Executor side: called right before each poll.
    pub(crate) fn begin_poll(&self) {
        self.scheduled.swap(false, Ordering::AcqRel);
    }
}

/// Runs `f` with a waker for `header` that borrows the caller's `Arc`
/// instead of owning a count: a poll costs no reference-count traffic. A
/// clone of it is an ordinary owning waker.
pub(crate) fn with_borrowed_waker<R>(header: &Arc<TaskHeader>, f: impl FnOnce(&Waker) -> R) -> R {
    // The data pointer is the header's thin address, and `waker_vtable` was
    // made for its concrete payload type, so the vtable's functions rebuild
    // the very `Arc<TaskHeader<T>>` it is. `ManuallyDrop` keeps this borrowed
    // waker from releasing a count it does not own, and `header` outlives
    // it: it is only lent to `f`.
    let raw = RawWaker::new(Arc::as_ptr(header).cast::<()>(), header.waker_vtable);
    // SAFETY: see above: a valid Arc pointer with a matching vtable.
    let waker = unsafe { Waker::from_raw(raw) };
    let waker = ManuallyDrop::new(waker);
    f(&waker)
}

/// The waker vtable for headers carrying a `T`.
fn vtable<T: TaskPayload>() -> &'static RawWakerVTable {
    const {
        &RawWakerVTable::new(
            clone_raw::<T>,
            wake_raw::<T>,
            wake_by_ref_raw::<T>,
            drop_raw::<T>,
        )
    }
}

/// # Safety
/// `p` is the address of a live `Arc<TaskHeader<T>>` (from `as_ptr` or
/// `into_raw`), for this very `T`.
unsafe fn clone_raw<T: TaskPayload>(p: *const ()) -> RawWaker {
    // SAFETY: per the contract, `p` points into a live `Arc<TaskHeader<T>>`;
    // the new waker owns the count taken here.
    unsafe { Arc::increment_strong_count(p.cast::<TaskHeader<T>>()) };
    RawWaker::new(p, vtable::<T>())
}

/// # Safety
/// `p` carries one owned count (from `clone_raw`) of an `Arc<TaskHeader<T>>`.
unsafe fn wake_raw<T: TaskPayload>(p: *const ()) {
    // SAFETY: this waker owns one count: handed to the run queue, or
    // released when `arc` drops.
    let arc = unsafe { Arc::from_raw(p.cast::<TaskHeader<T>>()) };
    if !arc.scheduled.swap(true, Ordering::AcqRel) {
        crate::shard::local::enqueue(arc);
    }
}

/// # Safety
/// `p` points into a live `Arc<TaskHeader<T>>`.
unsafe fn wake_by_ref_raw<T: TaskPayload>(p: *const ()) {
    // SAFETY: per the contract, a live header; `schedule` takes its own count.
    unsafe { &*p.cast::<TaskHeader<T>>() }.schedule();
}

/// # Safety
/// `p` carries one owned count (from `clone_raw`) of an `Arc<TaskHeader<T>>`.
unsafe fn drop_raw<T: TaskPayload>(p: *const ()) {
    // SAFETY: releases the count this waker owns.
    drop(unsafe { Arc::from_raw(p.cast::<TaskHeader<T>>()) });
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::shard::shared::ShardShared;

    /// Every path of the borrowed waker's vtable keeps the count exact.
    /// (Also run under miri: `cargo +nightly miri test -p actor-core --lib borrowed_waker`.)
    #[test]
    fn borrowed_waker_keeps_reference_counts_exact() {
        let shard = Arc::new(ShardShared::new(0).unwrap());
        let header = TaskHeader::new(shard.clone());
        // Queue it once: the shard's inbox now holds one count.
        header.schedule();
        assert_eq!(Arc::strong_count(&header), 2);
        let owned = with_borrowed_waker(&header, |w| {
            assert_eq!(Arc::strong_count(&header), 2, "borrowing takes no count");
            w.wake_by_ref(); // already queued: no new count
            let a = w.clone();
            let b = a.clone();
            assert_eq!(Arc::strong_count(&header), 4);
            drop(a);
            b
        });
        assert_eq!(Arc::strong_count(&header), 3);
        owned.wake(); // already queued; releases its count
        assert_eq!(Arc::strong_count(&header), 2);
        let mut inbox = std::collections::VecDeque::new();
        shard.drain_inbox(&mut inbox);
        assert_eq!(inbox.len(), 1);
        drop(inbox);
        assert_eq!(Arc::strong_count(&header), 1);
    }

    /// A header with a payload: the typed `schedule` and an owned waker's
    /// `wake` hand exactly one count to the queue, and the erased `Arc`
    /// still reaches the payload. (Also under miri, with the test above.)
    #[test]
    fn borrowed_waker_of_a_payload_header_keeps_counts_exact() {
        let shard = Arc::new(ShardShared::new(0).unwrap());
        let typed = TaskHeader::with_payload(shard.clone(), String::from("cell"));
        let erased: Arc<TaskHeader> = typed.clone();
        assert_eq!(Arc::strong_count(&typed), 2);
        let owned = with_borrowed_waker(&erased, Waker::clone);
        assert_eq!(Arc::strong_count(&typed), 3);
        owned.wake(); // not queued yet: its count moves into the inbox
        assert_eq!(Arc::strong_count(&typed), 3);
        typed.schedule(); // already queued: no new count
        assert_eq!(Arc::strong_count(&typed), 3);
        erased.begin_poll();
        typed.schedule_after_push(); // queued again: one more count
        assert_eq!(Arc::strong_count(&typed), 4);
        let mut inbox = std::collections::VecDeque::new();
        shard.drain_inbox(&mut inbox);
        assert_eq!(inbox.len(), 2);
        drop(inbox);
        assert_eq!(Arc::strong_count(&typed), 2);
        assert_eq!(typed.as_str(), "cell");
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use crate::loom::sync::{Arc, Mutex};
    use crate::loom::thread;

    /// The mailbox push/schedule handshake, modelled with the same orderings
    /// as `TaskHeader::schedule_after_push`/`begin_poll` and the mailbox's
    /// lock: after both sides finish, every pushed message was either handled
    /// or the task is scheduled to run again.
    #[test]
    fn push_schedule_handshake_loses_no_message() {
        loom::model(|| {
            let queue = Arc::new(Mutex::new(Vec::<u32>::new()));
            let scheduled = Arc::new(AtomicBool::new(true)); // already queued once
            let enqueued = Arc::new(AtomicUsize::new(0));
            let producer = {
                let (queue, scheduled, enqueued) =
                    (queue.clone(), scheduled.clone(), enqueued.clone());
                thread::spawn(move || {
                    queue.lock().push(1);
                    if !scheduled.load(Ordering::Acquire) && !scheduled.swap(true, Ordering::AcqRel)
                    {
                        enqueued.fetch_add(1, Ordering::Relaxed);
                    }
                })
            };
            // One poll of the actor task.
            scheduled.swap(false, Ordering::AcqRel);
            let handled = queue.lock().drain(..).count();
            producer.join().unwrap();
            if handled == 0 {
                assert_eq!(enqueued.load(Ordering::Relaxed), 1, "message stranded");
            }
        });
    }
}
