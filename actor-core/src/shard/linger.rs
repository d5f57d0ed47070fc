//! Lingering: an idle actor task that was woken from another thread stays
//! marked scheduled for a while, and the shard polls it itself on every
//! turn and every spin, instead of letting it sleep.
//!
//! Why: a task that sleeps must be woken, and a wake-up from another shard
//! costs the sender a read-modify-write on the task's flag, a push into the
//! shards' one-way queue and a look at the park flag, each a cache line that
//! crosses cores, once per message when the receiver keeps up with the
//! stream. While the task lingers its flag stays `scheduled`, so senders
//! only read it (a line that then stays shared) and skip the wake-up; the
//! next message is found by the shard's own look at the mailbox.
//!
//! Soundness: a lingering task is never lost. Its flag is claimed with a
//! swap after a `Pending` poll ([`TaskHeader::claim_for_linger`]): when a
//! wake-up got there first the task is already queued and does not linger.
//! While it lingers, wake-ups see `scheduled` and do nothing, and the
//! shard's passes poll it. It stops lingering through an ordinary poll:
//! `begin_poll` clears the flag, then the poll looks at everything under the
//! usual protocol (the mailbox's lock), so anything sent before the flag was
//! cleared is seen, and anything after finds it clear and wakes the task.
//! A lingering poll may skip the mailbox's lock ([`in_lingering_poll`]):
//! whatever it misses, a later pass or the final ordinary poll sees. A
//! future that ends while lingering releases the claim (an actor's header
//! serves its next incarnation too).
//!
//! Bounds: at most [`MAX_LINGERING`] tasks linger (the oldest leaves first);
//! one that handled nothing for [`IDLE_PASSES`] passes leaves; all leave
//! before the shard parks.
//!
//! [`TaskHeader::claim_for_linger`]: crate::shard::task::TaskHeader::claim_for_linger

use std::cell::Cell;

use crate::shard::local::ShardLocal;
use crate::shard::task::TaskRef;

/// How many tasks may linger at once on a shard.
const MAX_LINGERING: usize = 4;

/// Passes without progress (see [`note_progress`]) after which a task stops
/// lingering.
const IDLE_PASSES: u32 = 1024;

/// Passes a lingering task sits out after it asked to look later.
const DEFER_PASSES: u32 = 4;

thread_local! {
    static LINGERING_POLL: Cell<bool> = const { Cell::new(false) };
    static DEFERRED: Cell<bool> = const { Cell::new(false) };
    static PROGRESS: Cell<u64> = const { Cell::new(0) };
}

/// Records that the task being polled got something done (a message
/// handled, an answer received): a lingering task that keeps doing so
/// keeps lingering.
#[inline]
pub(crate) fn note_progress() {
    PROGRESS.with(|p| p.set(p.get().wrapping_add(1)));
}

/// During a lingering poll: asks the shard to poll this task again only
/// after a few passes (its mailbox lets a growing stream gather, and each
/// look at it costs the sender a cache miss).
pub(crate) fn look_later() {
    DEFERRED.with(|d| d.set(true));
}

/// `true` while the shard polls a lingering task: the task stays marked
/// scheduled and will be polled again, so a look at its mailbox may skip the
/// lock (see the module docs).
#[inline]
pub(crate) fn in_lingering_poll() -> bool {
    LINGERING_POLL.with(Cell::get)
}

/// Runs `f` as a lingering poll would (for models of the protocol).
#[cfg(all(test, loom))]
pub(crate) fn with_lingering_poll<R>(f: impl FnOnce() -> R) -> R {
    LINGERING_POLL.with(|p| p.set(true));
    let out = f();
    LINGERING_POLL.with(|p| p.set(false));
    DEFERRED.with(|d| d.set(false));
    out
}

/// A lingering task and the passes it has spent idle.
pub(crate) struct Lingering {
    task: TaskRef,
    idle_passes: u32,
    skip: u32,
}

impl ShardLocal {
    /// After a `Pending` poll: lets `task` linger if it may (an actor's
    /// task whose wake-up came from another thread) and no wake-up has
    /// queued it again meanwhile.
    pub(crate) fn maybe_linger(&self, task: TaskRef) {
        // A shard that parks as soon as it is idle (no spin window) would
        // end every linger at once.
        if self.spin_before_park.is_zero()
            || !task.lingers()
            || !task.take_remote_wake()
            || !task.claim_for_linger()
        {
            return;
        }
        let evicted = {
            let mut lingering = self.lingering.borrow_mut();
            lingering.push(Lingering {
                task,
                idle_passes: 0,
                skip: 0,
            });
            (lingering.len() > MAX_LINGERING).then(|| lingering.remove(0))
        };
        if let Some(old) = evicted {
            self.stop_lingering(old.task);
        }
    }

    /// Polls every lingering task once. `true` if any made progress.
    pub(crate) fn linger_pass(&self) -> bool {
        if self.lingering.borrow().is_empty() {
            return false;
        }
        let mut pass = std::mem::take(&mut *self.linger_spare.borrow_mut());
        std::mem::swap(&mut pass, &mut *self.lingering.borrow_mut());
        let mut progress = false;
        for mut entry in pass.drain(..) {
            if entry.skip > 0 {
                entry.skip -= 1;
                self.lingering.borrow_mut().push(entry);
                continue;
            }
            let before = PROGRESS.with(Cell::get);
            LINGERING_POLL.with(|p| p.set(true));
            let polled = self.run_task(&entry.task);
            LINGERING_POLL.with(|p| p.set(false));
            if polled.is_ready() {
                self.release_claim(&entry.task);
                continue;
            }
            if PROGRESS.with(Cell::get) != before {
                progress = true;
                entry.idle_passes = 0;
            } else {
                entry.idle_passes += 1;
            }
            if DEFERRED.with(|d| d.replace(false)) {
                entry.skip = DEFER_PASSES;
            }
            if entry.idle_passes >= IDLE_PASSES {
                self.stop_lingering(entry.task);
            } else {
                self.lingering.borrow_mut().push(entry);
            }
        }
        *self.linger_spare.borrow_mut() = pass;
        progress
    }

    /// Ends every linger (before the shard parks). `true` if that left work
    /// in the run queue.
    pub(crate) fn stop_all_lingering(&self) -> bool {
        loop {
            let entry = self.lingering.borrow_mut().pop();
            match entry {
                Some(entry) => self.stop_lingering(entry.task),
                None => break,
            }
        }
        !self.run_queue.borrow().is_empty()
    }

    /// Drops the lingering tasks' references without polling them (at
    /// teardown, where every task is being dropped).
    pub(crate) fn forget_lingering(&self) {
        let lingering = std::mem::take(&mut *self.lingering.borrow_mut());
        drop(lingering);
    }

    /// After the lingering future ended: clears the claimed flag, so the
    /// header (an actor's cell outlives its incarnations) can be scheduled
    /// again; a future placed under it meanwhile (a restart) is queued.
    fn release_claim(&self, task: &TaskRef) {
        task.begin_poll();
        if self.tasks.borrow_mut().get_mut(task).is_some() {
            task.schedule();
        }
    }

    /// An ordinary poll: clears the flag and looks under the usual protocol,
    /// so the task then sleeps like any other (or is queued by a wake-up).
    fn stop_lingering(&self, task: TaskRef) {
        task.begin_poll();
        let _ = self.run_task(&task);
    }
}
