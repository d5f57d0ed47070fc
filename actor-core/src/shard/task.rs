//! Tasks: a `Send + Sync` header that wakers point at, and the `!Send` future
//! that stays in its shard's slab.
//!
//! Scheduling handshake: a waker swaps `scheduled` to `true` and enqueues the
//! header only if it was `false`; the executor swaps it back to `false`
//! *before* polling. Both are read-modify-writes on one atomic, so a wake that
//! races with a poll is either seen by that poll or enqueues the task again.

use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Wake, Waker};

use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::shard::shared::ShardShared;

/// The key of a task not yet placed in its shard's slab.
pub(crate) const UNPLACED: usize = usize::MAX;

/// What wakers hold: enough to find and schedule the task from any thread.
pub(crate) struct TaskHeader {
    pub(crate) shard: Arc<ShardShared>,
    key: AtomicUsize,
    scheduled: AtomicBool,
}

impl std::fmt::Debug for TaskHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskHeader")
            .field("shard", &self.shard.index)
            .field("key", &self.key())
            .finish()
    }
}

impl TaskHeader {
    pub(crate) fn new(shard: Arc<ShardShared>) -> Arc<Self> {
        Arc::new(TaskHeader {
            shard,
            key: AtomicUsize::new(UNPLACED),
            scheduled: AtomicBool::new(false),
        })
    }

    /// The slab key; only meaningful on the owning shard.
    pub(crate) fn key(&self) -> usize {
        self.key.load(Ordering::Relaxed)
    }

    pub(crate) fn set_key(&self, key: usize) {
        self.key.store(key, Ordering::Relaxed);
    }

    /// Marks the task runnable; enqueues it if it was not already.
    pub(crate) fn schedule(self: &Arc<Self>) {
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            crate::shard::local::enqueue(self.clone());
        }
    }

    /// Marks the task runnable after a push into its mailbox. The plain load
    /// first skips the read-modify-write when the task is already queued;
    /// that is sound here because the push and the actor's pop take the same
    /// mailbox lock: a poll whose `begin_poll` the load could miss has
    /// popped under the lock after our push, and so sees the message.
    pub(crate) fn schedule_after_push(self: &Arc<Self>) {
        if !self.scheduled.load(Ordering::Acquire) {
            self.schedule();
        }
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
    // The vtable treats the pointer as an `Arc<TaskHeader>` (it is one);
    // `ManuallyDrop` keeps this borrowed waker from releasing a count it does
    // not own, and `header` outlives it: it is only lent to `f`.
    let raw = RawWaker::new(Arc::as_ptr(header).cast(), &VTABLE);
    // SAFETY: see above: a valid Arc pointer with a matching vtable.
    let waker = unsafe { Waker::from_raw(raw) };
    let waker = ManuallyDrop::new(waker);
    f(&waker)
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone_raw, wake_raw, wake_by_ref_raw, drop_raw);

/// # Safety
/// `p` comes from `Arc::<TaskHeader>::as_ptr` or `into_raw` of a live Arc.
unsafe fn clone_raw(p: *const ()) -> RawWaker {
    // SAFETY: per the contract, `p` points into a live `Arc<TaskHeader>`;
    // the new waker owns the count taken here.
    unsafe { Arc::increment_strong_count(p.cast::<TaskHeader>()) };
    RawWaker::new(p, &VTABLE)
}

/// # Safety
/// `p` carries one owned count (from `clone_raw`).
unsafe fn wake_raw(p: *const ()) {
    // SAFETY: this waker owns one count, released when `arc` drops.
    let arc = unsafe { Arc::from_raw(p.cast::<TaskHeader>()) };
    arc.schedule();
}

/// # Safety
/// `p` points into a live `Arc<TaskHeader>`.
unsafe fn wake_by_ref_raw(p: *const ()) {
    // SAFETY: borrowed: `ManuallyDrop` leaves the count untouched.
    let arc = ManuallyDrop::new(unsafe { Arc::from_raw(p.cast::<TaskHeader>()) });
    arc.schedule();
}

/// # Safety
/// `p` carries one owned count (from `clone_raw`).
unsafe fn drop_raw(p: *const ()) {
    // SAFETY: releases the count this waker owns.
    drop(unsafe { Arc::from_raw(p.cast::<TaskHeader>()) });
}

impl Wake for TaskHeader {
    fn wake(self: Arc<Self>) {
        self.schedule();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.schedule();
    }
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
