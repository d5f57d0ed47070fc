//! The per-actor mailbox: a bounded FIFO of typed messages and, ahead of it,
//! a signal lane for stop requests and lifecycle notices.
//!
//! Priority on the receiving side: a stop request, then notices, then
//! messages. (Kill does not pass through here: it is a flag on the actor
//! cell, checked before every poll of the actor's task.)
//!
//! The receiver takes messages in batches: when its private batch is empty it
//! swaps the whole shared queue for it under one lock, then pops the batch
//! with no lock at all. A batch of N messages costs one lock instead of N.
//! Before each batched message the receiver reads a `signalled` flag, so a
//! stop or a notice still overtakes the messages not yet handled.
//!
//! A sender running on the receiver's own shard thread (an actor messaging
//! a neighbour) appends to the batch directly, with no lock, when there is
//! room and the queue is empty: that thread never runs the receiver's `next`
//! at the same time. When the queue holds messages, that sender takes the
//! lock and moves them into the batch ahead of its own.
//!
//! **Order.** Every message is in one FIFO: the batch, then the queue behind
//! it. Anything already queued when a same-shard sender pushes is moved ahead
//! of that push, so a message sent after another one *happened* (in the
//! happens-before sense: same thread, or ordered through any lock, channel
//! or message) is taken after it, whichever threads sent them.
//!
//! **Capacity.** A sender off the shard checks the queue exactly and the
//! batch's length as last published; a sender on the shard checks the batch
//! exactly and the queue's length as last published. Each lane alone never
//! exceeds `capacity`, but when both kinds of senders race, each may read the
//! other's lane a moment late, so up to `2 × capacity` messages may wait at
//! once (never more: each lane is bounded by its own exact check, and the
//! receiver's swap publishes both under the lock). Without such a race the
//! bound is `capacity`. Senders that found it full are woken at the next
//! swap, after the lock is released.
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::task::Waker;

pub use error::SendError;

mod error;
mod stop_request;

use stop_request::StopRequest;

use crate::lifecycle::{ExitReason, Notice};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use crate::shard::linger::{in_lingering_poll, look_later};

/// How many batched pops the receiver makes between two stores of
/// `batch_len` (a power of two).
const PUBLISH_EVERY: usize = 32;

/// A lingering receiver takes a growing queue once it holds this many.
const GATHER: usize = 32;

/// What the actor should do next.
pub(crate) enum Next<M> {
    Stop(ExitReason),
    Notice(Notice),
    /// A message, and whether anything else was left behind it. When nothing
    /// was, the actor may wait without looking again: any later push or
    /// signal schedules it.
    Msg(M, bool),
    Empty,
}

type LanesGuard<'a, M> = MutexGuard<'a, Lanes<M>>;

/// `repr(C)`: the queue, written per message, and `closed`, read per
/// message, first (next to the lock); the rest is cold and keeps the two
/// sides of [`Mailbox`] apart.
#[repr(C)]
struct Lanes<M> {
    queue: VecDeque<M>,
    closed: bool,
    /// Oldest first. A `Vec`, not a `VecDeque`: notices are few, and one
    /// word less in every mailbox counts.
    notices: Vec<Notice>,
    /// Senders waiting for room; all are woken when room appears.
    send_waiters: Vec<Waker>,
    stop: StopRequest,
    /// Which incarnation the mailbox serves: notices addressed to an earlier
    /// one are dropped (links and monitors end with the incarnation that
    /// made them).
    incarnation: u64,
}

/// Proof that the caller runs on the receiver's shard thread, outside the
/// receiver's `next`: there it may append to the batch. Not `Send`.
pub(crate) struct OwnerThread(PhantomData<*const ()>);

impl OwnerThread {
    /// # Safety
    ///
    /// The caller runs on the thread of the shard that owns the mailbox it
    /// will use this with.
    pub(crate) unsafe fn assume() -> Self {
        OwnerThread(PhantomData)
    }
}

/// A bounded typed mailbox with a signal lane.
///
/// **Layout** (`repr(C)`, kept in this order): what senders on other cores
/// write or read per message comes first (the capacity figures, `queued`,
/// then the lock and the queue at the head of `lanes`); the rarely touched
/// rest of `lanes` follows, at least 64 bytes, then what the receiver
/// touches per message (the signal flags and its batch). So a stream
/// between two cores moves the lines it must, and no line is written by
/// both sides per message.
#[repr(C)]
pub(crate) struct Mailbox<M> {
    capacity: usize,
    /// `batch`'s length as last published, for the capacity checks of
    /// senders on other threads and for `len`. Written on the receiver's
    /// shard thread only: exact after every swap and every same-shard
    /// append, and refreshed by the receiver every [`PUBLISH_EVERY`] pops
    /// rather than on each, so a stream from another core does not move
    /// this cache line back and forth per message. Between refreshes it may
    /// count up to that many messages already taken (a sender may find the
    /// mailbox full a little early, and is woken at the next swap). Read
    /// under the lock, whose acquisition orders it after the last swap.
    batch_len: AtomicUsize,
    /// `lanes.queue`'s length, stored under the lock at each change: the
    /// lock-free capacity check of an [`OwnerThread`] sender.
    queued: AtomicUsize,
    lanes: Mutex<Lanes<M>>,
    /// A stop or notice is waiting: the receiver must look under the lock.
    signalled: AtomicBool,
    /// `lanes.closed`, set under the lock: read by [`OwnerThread`] senders.
    closed: AtomicBool,
    /// `lanes.send_waiters` is not empty: set and cleared under the lock,
    /// read by the receiver as it works through a batch, so it wakes them
    /// once half the room is free instead of only at the next swap (with
    /// the sender waiting for the whole batch, the two would take turns).
    senders_waiting: AtomicBool,
    /// The queue length a lingering receiver saw at its last look (its own
    /// bookkeeping: written and read on its shard thread only). 32 bits,
    /// saturated, to share a word with the flags above: it only steers
    /// when a lingering receiver takes the queue.
    seen_queued: AtomicU32,
    /// The receiver's batch: messages taken from `lanes.queue`, oldest
    /// first, then those appended by senders on the receiver's shard thread.
    ///
    /// **Requirement**: every access without the lock happens-before any
    /// access from another thread. Lock-free accesses are made only on the
    /// shard thread *while it is marked current* ([`OwnerThread`]): by
    /// [`Mailbox::next`] (the actor's own task) and by same-shard senders,
    /// never during one another. Every other access ([`Mailbox::close`], the
    /// locked sends and takes) holds the lock. A `close` from another thread
    /// happens only once that thread has seen the shard's inbox closed (its
    /// jobs are refused), and the shard clears its current marker *before*
    /// closing its inbox: from then on its own sends take the lock too, so
    /// the inbox lock orders every lock-free access before the foreign one.
    batch: UnsafeCell<VecDeque<M>>,
}

// SAFETY: `batch` is reached only by the single receiver (see its comment);
// everything else is behind the lock or atomic. Messages cross threads, so
// `M: Send` is required, as for a channel.
unsafe impl<M: Send> Sync for Mailbox<M> {}
// SAFETY: as above: moving the mailbox moves owned messages of a `Send` type.
unsafe impl<M: Send> Send for Mailbox<M> {}

impl<M> Mailbox<M> {
    pub(crate) fn new(capacity: usize) -> Self {
        Mailbox {
            lanes: Mutex::new(Lanes {
                queue: VecDeque::new(),
                notices: Vec::new(),
                stop: StopRequest::None,
                closed: false,
                incarnation: 0,
                send_waiters: Vec::new(),
            }),
            batch: UnsafeCell::new(VecDeque::new()),
            batch_len: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            signalled: AtomicBool::new(false),
            senders_waiting: AtomicBool::new(false),
            seen_queued: AtomicU32::new(0),
            capacity: capacity.max(1),
        }
    }

    /// `true` when `lanes` (locked) plus the batch hold `capacity` messages.
    fn is_full(&self, lanes: &Lanes<M>) -> bool {
        lanes.queue.len() + self.batch_len.load(Ordering::Relaxed) >= self.capacity
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Pushes without waiting.
    pub(crate) fn try_push(&self, msg: M) -> Result<(), SendError<M>> {
        self.push_locked(msg, None, None)
    }

    /// Pushes, or registers `waker` to be woken when room appears.
    #[inline]
    pub(crate) fn push_or_register(&self, msg: M, waker: &Waker) -> Result<(), SendError<M>> {
        self.push_locked(msg, Some(waker), None)
    }

    /// A push from the receiver's shard thread: into the batch, without the
    /// lock while there is room and nothing is queued; otherwise under the
    /// lock as [`try_push`](Mailbox::try_push) (`waiter: None`) or
    /// [`push_or_register`](Mailbox::push_or_register), after moving the
    /// queue into the batch (see "Order" above).
    #[inline]
    pub(crate) fn push_local(
        &self,
        msg: M,
        waiter: Option<&Waker>,
        owner: OwnerThread,
    ) -> Result<(), SendError<M>> {
        // A push from another thread that happened before this one stored
        // `queued` under the lock before it: this load sees it (coherence).
        if !self.closed.load(Ordering::Relaxed)
            && self.queued.load(Ordering::Relaxed) == 0
            && self.batch_len_exact(&owner) < self.capacity
        {
            self.append_local(msg, &owner);
            return Ok(());
        }
        self.push_locked(msg, waiter, Some(&owner))
    }

    /// The locked push every sender can end in: `Closed`, or `Full` (after
    /// registering `waiter`, if any), or the message goes in: into the batch
    /// for a sender on the receiver's shard thread (`owner`), else into the
    /// queue.
    #[inline]
    fn push_locked(
        &self,
        msg: M,
        waiter: Option<&Waker>,
        owner: Option<&OwnerThread>,
    ) -> Result<(), SendError<M>> {
        let mut lanes = self.lanes.lock();
        if lanes.closed {
            return Err(SendError::Closed(msg));
        }
        if self.is_full(&lanes) {
            if let Some(waker) = waiter
                && !lanes.send_waiters.iter().any(|w| w.will_wake(waker))
            {
                lanes.send_waiters.push(waker.clone());
                self.senders_waiting.store(true, Ordering::Relaxed);
            }
            return Err(SendError::Full(msg));
        }
        match owner {
            Some(owner) => {
                if !lanes.queue.is_empty() {
                    // Older than `msg`: ahead of it.
                    self.batch.with_mut(|b| {
                        // SAFETY: `owner` proves this is the receiver's shard
                        // thread outside `next`; the lock is held.
                        unsafe { &mut *b }.append(&mut lanes.queue)
                    });
                    self.queued.store(0, Ordering::Relaxed);
                }
                self.append_local(msg, owner)
            }
            None => {
                lanes.queue.push_back(msg);
                self.queued.store(lanes.queue.len(), Ordering::Relaxed);
            }
        }
        Ok(())
    }

    /// The batch's exact length, on the receiver's shard thread.
    fn batch_len_exact(&self, _owner: &OwnerThread) -> usize {
        self.batch.with(|b| {
            // SAFETY: `_owner` proves this is the receiver's shard thread,
            // outside its `next` and `close` (see `batch`).
            unsafe { &*b }.len()
        })
    }

    fn append_local(&self, msg: M, _owner: &OwnerThread) {
        let len = self.batch.with_mut(|b| {
            // SAFETY: `_owner` proves this is the receiver's shard thread,
            // and we are not inside its `next` or `close` (see `batch`).
            let batch = unsafe { &mut *b };
            batch.push_back(msg);
            batch.len()
        });
        self.batch_len.store(len, Ordering::Relaxed);
    }

    /// Takes the next thing to do, by priority. Only the actor's own task
    /// calls it.
    #[inline]
    pub(crate) fn next(&self) -> Next<M> {
        // The batch goes first, without the lock: the queue only holds
        // messages sent after everything in it (a same-shard sender moves
        // the queue into the batch before appending, see `push_local`), and
        // it is swapped in once the batch is empty. Only a signal makes us
        // look under the lock earlier.
        if !self.signalled.load(Ordering::Acquire) {
            let popped = self.batch.with_mut(|b| {
                // SAFETY: only the receiver's shard thread reaches the batch, and
                // no sender of that thread runs during `next` (see `batch`).
                let batch = unsafe { &mut *b };
                batch.pop_front().map(|m| (m, batch.len()))
            });
            if let Some((msg, left)) = popped {
                // One writer: a plain store, no read-modify-write; made
                // every `PUBLISH_EVERY` pops only (see `batch_len`).
                if left % PUBLISH_EVERY == 0 {
                    self.batch_len.store(left, Ordering::Relaxed);
                    if self.senders_waiting.load(Ordering::Relaxed)
                        && left + self.queued.load(Ordering::Relaxed) <= self.capacity / 2
                    {
                        self.wake_senders(self.lanes.lock());
                    }
                }
                // `more` is always true here: pushes that raced with an
                // earlier poll may sit unscheduled in the queue, so the actor
                // must look once more (under the lock) before it waits.
                return Next::Msg(msg, true);
            }
        }
        // A lingering task stays scheduled and is polled again: it may
        // trust a quick look at the queue (a miss is seen at a later poll,
        // and the final one looks under the lock, see `shard::linger`). It
        // also lets a stream gather while it still grows, so the lock that
        // its sender takes per message is taken here once per run rather
        // than once or twice per message.
        if !self.signalled.load(Ordering::Relaxed) && in_lingering_poll() {
            let queued = self.queued.load(Ordering::Relaxed);
            let seen = self.seen_queued.load(Ordering::Relaxed) as usize;
            let saturated = u32::try_from(queued).unwrap_or(u32::MAX);
            self.seen_queued.store(saturated, Ordering::Relaxed);
            if queued == 0 {
                return Next::Empty;
            }
            if queued < GATHER && queued != seen {
                // Still growing. Seen growing twice, it is a stream: look
                // again a little later.
                if seen != 0 {
                    look_later();
                }
                return Next::Empty;
            }
        }
        self.next_locked()
    }

    /// The slow path of [`next`](Mailbox::next): signals first, then a fresh
    /// batch swapped out of the queue.
    #[inline(never)]
    fn next_locked(&self) -> Next<M> {
        let mut lanes = self.lanes.lock();
        // Raised under this lock with every stop or notice, and lowered
        // under it only when both are gone: down means nothing to take.
        if self.signalled.load(Ordering::Relaxed) {
            if let Some(reason) = lanes.stop.take() {
                self.signalled
                    .store(!lanes.notices.is_empty(), Ordering::Relaxed);
                return Next::Stop(reason);
            }
            if !lanes.notices.is_empty() {
                let n = lanes.notices.remove(0);
                self.signalled
                    .store(!lanes.notices.is_empty(), Ordering::Relaxed);
                return Next::Notice(n);
            }
            self.signalled.store(false, Ordering::Relaxed);
        }
        // SAFETY: only the receiver's shard thread reaches the batch, and no
        // sender of that thread runs during `next` (see `batch`).
        let batch_empty = self.batch.with(|b| unsafe { &*b }.is_empty());
        if batch_empty && lanes.queue.len() <= 1 {
            // One message (an ask, a ring's token) or none: no batch.
            let msg = lanes.queue.pop_front();
            self.queued.store(lanes.queue.len(), Ordering::Relaxed);
            self.batch_len.store(0, Ordering::Relaxed);
            self.wake_senders(lanes);
            return match msg {
                Some(msg) => Next::Msg(msg, false),
                None => Next::Empty,
            };
        }
        let popped = self.batch.with_mut(|b| {
            // SAFETY: only the receiver's shard thread reaches the batch, and
            // no sender of that thread runs during `next` (see `batch`).
            let batch = unsafe { &mut *b };
            if batch.is_empty() {
                // Swapping keeps both buffers' capacity: no allocation in
                // steady state.
                std::mem::swap(batch, &mut lanes.queue);
            } else {
                // Behind what this shard appended: each lane keeps its order.
                batch.append(&mut lanes.queue);
            }
            self.queued.store(0, Ordering::Relaxed);
            let msg = batch.pop_front();
            self.batch_len.store(batch.len(), Ordering::Relaxed);
            msg.map(|m| (m, !batch.is_empty()))
        });
        // Room appeared at the swap: wake waiting senders.
        self.wake_senders(lanes);
        match popped {
            Some((msg, more)) => Next::Msg(msg, more),
            None => Next::Empty,
        }
    }

    /// Releases the lock, then wakes the senders that waited for room (a
    /// waker may send to this very mailbox).
    fn wake_senders(&self, mut lanes: LanesGuard<'_, M>) {
        if lanes.send_waiters.is_empty() {
            return;
        }
        self.senders_waiting.store(false, Ordering::Relaxed);
        let waking = std::mem::take(&mut lanes.send_waiters);
        drop(lanes);
        waking.into_iter().for_each(Waker::wake);
    }

    /// Asks the actor to stop after its current message. The first reason
    /// wins. Returns `false` when the mailbox is already closed.
    pub(crate) fn request_stop(&self, reason: ExitReason) -> bool {
        let mut lanes = self.lanes.lock();
        if lanes.closed {
            return false;
        }
        lanes.stop.request(reason);
        self.signalled.store(true, Ordering::Release);
        true
    }

    /// Starts serving the next incarnation: a stop request and the notices
    /// left by the ended one are dropped (its links and monitors ended with
    /// it), and notices addressed to it are refused from now on.
    pub(crate) fn begin_incarnation(&self) {
        let mut lanes = self.lanes.lock();
        lanes.incarnation += 1;
        lanes.stop = StopRequest::None;
        lanes.notices.clear();
        self.signalled.store(false, Ordering::Relaxed);
    }

    /// The incarnation the mailbox serves now.
    pub(crate) fn incarnation(&self) -> u64 {
        self.lanes.lock().incarnation
    }

    /// Queues a lifecycle notice addressed to `incarnation`. Returns `false`
    /// when closed, or when that incarnation has ended (the notice is
    /// dropped).
    pub(crate) fn push_notice(&self, notice: Notice, incarnation: u64) -> bool {
        let mut lanes = self.lanes.lock();
        if lanes.closed || lanes.incarnation != incarnation {
            return false;
        }
        lanes.notices.push(notice);
        self.signalled.store(true, Ordering::Release);
        true
    }

    /// Closes the mailbox for good and hands back what was still queued. All
    /// waiting senders are woken and will see `Closed`.
    pub(crate) fn close(&self) -> VecDeque<M> {
        let mut lanes = self.lanes.lock();
        lanes.closed = true;
        self.closed.store(true, Ordering::Relaxed);
        lanes.notices.clear();
        lanes.stop = StopRequest::None;
        let waiters = std::mem::take(&mut lanes.send_waiters);
        self.senders_waiting.store(false, Ordering::Relaxed);
        // SAFETY: `close` never runs during the receiver's `next` (see
        // `batch`). The batch is older than the queue: it goes first.
        let mut rest = self.batch.with_mut(|b| std::mem::take(unsafe { &mut *b }));
        self.batch_len.store(0, Ordering::Relaxed);
        rest.append(&mut lanes.queue);
        self.queued.store(0, Ordering::Relaxed);
        drop(lanes);
        waiters.into_iter().for_each(Waker::wake);
        rest
    }

    pub(crate) fn len(&self) -> usize {
        let lanes = self.lanes.lock();
        lanes.queue.len() + self.batch_len.load(Ordering::Relaxed)
    }
}

#[cfg(all(test, not(loom)))]
mod batch_tests;
#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom)))]
mod tests;
