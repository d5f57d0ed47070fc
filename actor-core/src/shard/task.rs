//! Tasks: a `Send + Sync` header that wakers point at, and the `!Send` future
//! that stays in its shard's slab.
//!
//! Scheduling handshake: a waker swaps `scheduled` to `true` and enqueues the
//! header only if it was `false`; the executor swaps it back to `false`
//! *before* polling. Both are read-modify-writes on one atomic, so a wake that
//! races with a poll is either seen by that poll or enqueues the task again.

use std::sync::Arc;
use std::task::Wake;

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

    /// Executor side: called right before each poll.
    pub(crate) fn begin_poll(&self) {
        self.scheduled.swap(false, Ordering::AcqRel);
    }
}

impl Wake for TaskHeader {
    fn wake(self: Arc<Self>) {
        self.schedule();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.schedule();
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use crate::loom::sync::{Arc, Mutex};
    use crate::loom::thread;

    /// The mailbox push/schedule handshake, modelled with the same orderings
    /// as `TaskHeader::schedule`/`begin_poll` and the mailbox's lock: after
    /// both sides finish, every pushed message was either handled or the task
    /// is scheduled to run again.
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
                    if !scheduled.swap(true, Ordering::AcqRel) {
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
