//! The per-actor mailbox: a bounded FIFO of typed messages and, ahead of it,
//! a signal lane for stop requests and lifecycle notices.
//!
//! Priority on the receiving side: a stop request, then notices, then
//! messages. (Kill does not pass through here: it is a flag on the actor
//! cell, checked before every poll of the actor's task.) Messages from one
//! sender arrive in send order because the queue is one FIFO behind one lock.
//!
//! The receiver takes messages in batches: when its private batch is empty it
//! swaps the whole shared queue for it under one lock, then pops the batch
//! with no lock at all. A batch of N messages costs one lock instead of N.
//! Order holds: the batch is always older than anything in the queue. The
//! capacity counts the batch too, so at most `capacity` messages are ever
//! waiting; senders that found it full are woken at the next swap. Before
//! each batched message the receiver reads a `signalled` flag, so a stop or
//! a notice still overtakes the messages not yet handled.

use std::collections::VecDeque;
use std::task::Waker;

use crate::actor::{ExitReason, Notice};
use crate::error::SendError;
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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

struct Lanes<M> {
    queue: VecDeque<M>,
    notices: VecDeque<Notice>,
    stop: Option<ExitReason>,
    closed: bool,
    /// Senders waiting for room; all are woken when room appears.
    send_waiters: Vec<Waker>,
}

/// A bounded typed mailbox with a signal lane.
pub(crate) struct Mailbox<M> {
    lanes: Mutex<Lanes<M>>,
    /// The receiver's batch: messages taken from `lanes.queue`, oldest
    /// first. Touched only by [`Mailbox::next`] (the actor's own task, on its
    /// shard) and by [`Mailbox::close`], which never runs during a `next`:
    /// it runs on that shard between polls, or once the task can no longer
    /// be polled (never launched, or its shard has stopped).
    batch: UnsafeCell<VecDeque<M>>,
    /// `batch`'s length, for senders' capacity checks and `len`. Written by
    /// the receiver only; read under the lock, whose acquisition orders it
    /// after the receiver's last swap.
    batch_len: AtomicUsize,
    /// A stop or notice is waiting: the receiver must look under the lock.
    signalled: AtomicBool,
    capacity: usize,
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
                notices: VecDeque::new(),
                stop: None,
                closed: false,
                send_waiters: Vec::new(),
            }),
            batch: UnsafeCell::new(VecDeque::new()),
            batch_len: AtomicUsize::new(0),
            signalled: AtomicBool::new(false),
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
        let mut lanes = self.lanes.lock();
        if lanes.closed {
            return Err(SendError::Closed(msg));
        }
        if self.is_full(&lanes) {
            return Err(SendError::Full(msg));
        }
        lanes.queue.push_back(msg);
        Ok(())
    }

    /// Pushes, or registers `waker` to be woken when room appears.
    #[inline]
    pub(crate) fn push_or_register(&self, msg: M, waker: &Waker) -> Result<(), SendError<M>> {
        let mut lanes = self.lanes.lock();
        if lanes.closed {
            return Err(SendError::Closed(msg));
        }
        if self.is_full(&lanes) {
            if !lanes.send_waiters.iter().any(|w| w.will_wake(waker)) {
                lanes.send_waiters.push(waker.clone());
            }
            return Err(SendError::Full(msg));
        }
        lanes.queue.push_back(msg);
        Ok(())
    }

    /// Takes the next thing to do, by priority. Only the actor's own task
    /// calls it.
    #[inline]
    pub(crate) fn next(&self) -> Next<M> {
        // The receiver wrote `batch_len` itself: an exact, cheap test.
        if self.batch_len.load(Ordering::Relaxed) != 0 && !self.signalled.load(Ordering::Acquire) {
            let popped = self.batch.with_mut(|b| {
                // SAFETY: the receiver alone reaches the batch (see `batch`).
                let batch = unsafe { &mut *b };
                batch.pop_front().map(|m| (m, batch.len()))
            });
            if let Some((msg, left)) = popped {
                // One writer: a plain store, no read-modify-write.
                self.batch_len.store(left, Ordering::Relaxed);
                // `more` is always true here: pushes that raced with an
                // earlier poll may sit unscheduled in the queue, so the actor
                // must look once more (under the lock) before it waits.
                return Next::Msg(msg, true);
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
            if let Some(n) = lanes.notices.pop_front() {
                self.signalled
                    .store(!lanes.notices.is_empty(), Ordering::Relaxed);
                return Next::Notice(n);
            }
            self.signalled.store(false, Ordering::Relaxed);
        }
        if self.batch_len.load(Ordering::Relaxed) == 0 && lanes.queue.len() <= 1 {
            // One message (an ask, a ring's token) or none: no batch.
            let msg = lanes.queue.pop_front();
            if !lanes.send_waiters.is_empty() {
                lanes.send_waiters.drain(..).for_each(Waker::wake);
            }
            return match msg {
                Some(msg) => Next::Msg(msg, false),
                None => Next::Empty,
            };
        }
        let popped = self.batch.with_mut(|b| {
            // SAFETY: the receiver alone reaches the batch (see `batch`).
            let batch = unsafe { &mut *b };
            if batch.is_empty() {
                // Swapping keeps both buffers' capacity: no allocation in
                // steady state.
                std::mem::swap(batch, &mut lanes.queue);
            }
            let msg = batch.pop_front();
            self.batch_len.store(batch.len(), Ordering::Relaxed);
            msg.map(|m| (m, !batch.is_empty()))
        });
        // Room appeared at the swap: wake waiting senders. Woken under the
        // lock so the list keeps its capacity: no allocation per full/empty
        // cycle in steady state.
        if !lanes.send_waiters.is_empty() {
            lanes.send_waiters.drain(..).for_each(Waker::wake);
        }
        match popped {
            Some((msg, more)) => Next::Msg(msg, more),
            None => Next::Empty,
        }
    }

    /// Asks the actor to stop after its current message. The first reason
    /// wins. Returns `false` when the mailbox is already closed.
    pub(crate) fn request_stop(&self, reason: ExitReason) -> bool {
        let mut lanes = self.lanes.lock();
        if lanes.closed {
            return false;
        }
        lanes.stop.get_or_insert(reason);
        self.signalled.store(true, Ordering::Release);
        true
    }

    /// Drops a stop request left by an ended incarnation, so a restart does
    /// not stop at once.
    pub(crate) fn clear_stop(&self) {
        self.lanes.lock().stop = None;
    }

    /// Queues a lifecycle notice. Returns `false` when closed.
    pub(crate) fn push_notice(&self, notice: Notice) -> bool {
        let mut lanes = self.lanes.lock();
        if lanes.closed {
            return false;
        }
        lanes.notices.push_back(notice);
        self.signalled.store(true, Ordering::Release);
        true
    }

    /// Closes the mailbox for good and hands back what was still queued. All
    /// waiting senders are woken and will see `Closed`.
    pub(crate) fn close(&self) -> VecDeque<M> {
        let mut lanes = self.lanes.lock();
        lanes.closed = true;
        lanes.notices.clear();
        lanes.stop = None;
        let waiters = std::mem::take(&mut lanes.send_waiters);
        // SAFETY: `close` never runs during the receiver's `next` (see
        // `batch`). The batch is older than the queue: it goes first.
        let mut rest = self.batch.with_mut(|b| std::mem::take(unsafe { &mut *b }));
        self.batch_len.store(0, Ordering::Relaxed);
        rest.append(&mut lanes.queue);
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
mod tests {
    use super::*;

    #[test]
    fn full_and_closed_hand_the_message_back() {
        let mb = Mailbox::new(2);
        mb.try_push(1).unwrap();
        mb.try_push(2).unwrap();
        assert_eq!(mb.try_push(3), Err(SendError::Full(3)));
        let rest = mb.close();
        assert_eq!(rest, [1, 2]);
        assert_eq!(mb.try_push(4), Err(SendError::Closed(4)));
    }

    #[test]
    fn stop_comes_before_notices_and_notices_before_messages() {
        let mb = Mailbox::new(8);
        mb.try_push(7).unwrap();
        mb.push_notice(Notice {
            id: crate::ActorId::new(0, 1),
            name: "x",
            event: crate::actor::LifecycleEvent::Started,
            via: crate::actor::NoticeVia::Monitor,
        });
        mb.request_stop(ExitReason::Normal);
        assert!(matches!(mb.next(), Next::Stop(ExitReason::Normal)));
        assert!(matches!(mb.next(), Next::Notice(_)));
        assert!(matches!(mb.next(), Next::Msg(7, false)));
        assert!(matches!(mb.next(), Next::Empty));
    }
}

#[cfg(all(test, not(loom)))]
mod batch_tests {
    use super::*;

    /// The batch path end to end: order across a swap, the capacity counting
    /// the batch, a stop overtaking batched messages, and `close` handing
    /// back batch then queue. (Also run under miri:
    /// `cargo +nightly miri test -p actor-core --lib batch_tests`.)
    #[test]
    fn batches_keep_order_capacity_and_priority() {
        let mb = Mailbox::new(4);
        for i in 0..4 {
            mb.try_push(i).unwrap();
        }
        // The first pop swaps all four into the batch.
        assert!(matches!(mb.next(), Next::Msg(0, true)));
        assert_eq!(mb.len(), 3);
        mb.try_push(4).unwrap();
        assert_eq!(mb.try_push(9), Err(SendError::Full(9)), "the batch counts");
        assert!(matches!(mb.next(), Next::Msg(1, true)));
        mb.request_stop(ExitReason::Normal);
        assert!(matches!(mb.next(), Next::Stop(ExitReason::Normal)));
        assert!(matches!(mb.next(), Next::Msg(2, true)));
        let rest = mb.close();
        assert_eq!(rest, [3, 4]);
        assert!(matches!(mb.next(), Next::Empty));
    }

    /// Boxed messages: miri checks every one is dropped exactly once.
    #[test]
    fn batched_messages_are_dropped_once() {
        let mb = Mailbox::new(8);
        for i in 0..6 {
            mb.try_push(Box::new(i)).unwrap();
        }
        assert!(matches!(mb.next(), Next::Msg(b, true) if *b == 0));
        mb.try_push(Box::new(6)).unwrap();
        drop(mb);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::thread;

    /// A sender pushes two messages while the receiver takes (batched) and
    /// then closes: what it took, then what `close` handed back, is exactly
    /// the sent sequence, in order.
    #[test]
    fn batched_receive_loses_nothing_and_keeps_order() {
        loom::model(|| {
            let mb = Arc::new(Mailbox::new(2));
            let sender = {
                let mb = mb.clone();
                thread::spawn(move || {
                    let mut sent = Vec::new();
                    for i in 1..=2 {
                        if mb.try_push(i).is_ok() {
                            sent.push(i);
                        }
                    }
                    sent
                })
            };
            let mut got = Vec::new();
            for _ in 0..2 {
                if let Next::Msg(m, _) = mb.next() {
                    got.push(m);
                }
            }
            let sent = sender.join().unwrap();
            got.extend(mb.close());
            assert_eq!(got, sent);
        });
    }
}
