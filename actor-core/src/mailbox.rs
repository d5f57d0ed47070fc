//! The per-actor mailbox: a bounded FIFO of typed messages and, ahead of it,
//! a signal lane for stop requests and lifecycle notices.
//!
//! Priority on the receiving side: a stop request, then notices, then
//! messages. (Kill does not pass through here: it is a flag on the actor
//! cell, checked before every poll of the actor's task.) Messages from one
//! sender arrive in send order because the queue is one FIFO behind one lock.

use std::collections::VecDeque;
use std::task::Waker;

use crate::actor::{ExitReason, Notice};
use crate::error::SendError;
use crate::loom::sync::Mutex;

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
    capacity: usize,
}

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
            capacity: capacity.max(1),
        }
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
        if lanes.queue.len() >= self.capacity {
            return Err(SendError::Full(msg));
        }
        lanes.queue.push_back(msg);
        Ok(())
    }

    /// Pushes, or registers `waker` to be woken when room appears.
    pub(crate) fn push_or_register(&self, msg: M, waker: &Waker) -> Result<(), SendError<M>> {
        let mut lanes = self.lanes.lock();
        if lanes.closed {
            return Err(SendError::Closed(msg));
        }
        if lanes.queue.len() >= self.capacity {
            if !lanes.send_waiters.iter().any(|w| w.will_wake(waker)) {
                lanes.send_waiters.push(waker.clone());
            }
            return Err(SendError::Full(msg));
        }
        lanes.queue.push_back(msg);
        Ok(())
    }

    /// Takes the next thing to do, by priority.
    pub(crate) fn next(&self) -> Next<M> {
        let mut lanes = self.lanes.lock();
        if let Some(reason) = lanes.stop.take() {
            return Next::Stop(reason);
        }
        if let Some(n) = lanes.notices.pop_front() {
            return Next::Notice(n);
        }
        match lanes.queue.pop_front() {
            Some(msg) => {
                // Woken under the lock so the list keeps its capacity: no
                // allocation per full/empty cycle in steady state.
                if !lanes.send_waiters.is_empty() {
                    lanes.send_waiters.drain(..).for_each(Waker::wake);
                }
                let more = !lanes.queue.is_empty();
                Next::Msg(msg, more)
            }
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
        let rest = std::mem::take(&mut lanes.queue);
        drop(lanes);
        waiters.into_iter().for_each(Waker::wake);
        rest
    }

    pub(crate) fn len(&self) -> usize {
        self.lanes.lock().queue.len()
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
