//! One-shot replies for `ask`, with no lock: the slot is a small state
//! machine on one atomic (see [`Slot`]). When the asker holds the last
//! reference (the usual end of an ask), its slot goes back to a small
//! per-thread pool for the next ask of the same reply type, so asks in
//! steady state allocate nothing.
//!
//! When a [`ReplyTo`] is dropped unanswered, the asker learns why from the
//! executor's current drop cause (see `shard::hooks`): the handler panicked
//! (`ActorFailed`), the actor stopped with the request still queued
//! (`Closed`), or the handler simply dropped it (`NoReply`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU8, Ordering};
use crate::shard::hooks::{Deferred, DropCause, defer, drop_cause};

mod pool;

/// An `ask` did not produce a reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AskError {
    /// The actor had stopped, or stopped before handling the request.
    #[error("actor stopped before replying")]
    Closed,
    /// The mailbox was full (only from `try_` variants).
    #[error("mailbox full")]
    Full,
    /// The handler panicked while handling the request.
    #[error("actor failed while handling the request")]
    ActorFailed,
    /// The handler dropped the reply handle without answering.
    #[error("handler dropped the reply without answering")]
    NoReply,
    /// No reply came before the deadline.
    #[error("no reply before the deadline")]
    Timeout,
    /// A blocking call was made on a shard thread, where it could deadlock the
    /// shard; use the async variant there.
    #[error("blocking call on a shard thread; use the async variant")]
    WouldBlock,
}

impl<R> Deferred for Slot<R> {
    fn run(&self) {
        self.complete(Err(AskError::ActorFailed));
    }
}

/// `waker` holds the asker's waker, and the answerer may read it.
const WAKER_SET: u8 = 0b01;
/// `value` holds the answer; the asker may take it.
const DONE: u8 = 0b10;

/// One reply's rendezvous. The answerer completes it once: it writes
/// `value`, then sets `DONE`; if `WAKER_SET` was up it wakes that waker
/// (reading it, never writing it). The asker reads `value` only after it
/// has seen `DONE`. It writes `waker` only while `WAKER_SET` is down: it
/// clears the bit first (and if `DONE` turned up meanwhile, takes the value
/// instead), writes, then raises the bit again, checking for `DONE` once
/// more. So each cell has one writer at a time, ordered by the atomic.
struct Slot<R> {
    state: AtomicU8,
    waker: UnsafeCell<Option<Waker>>,
    value: UnsafeCell<Option<Result<R, AskError>>>,
}

// SAFETY: the cells are handed between the two sides by the `state`
// protocol above; the value crosses threads, hence `R: Send`.
unsafe impl<R: Send> Sync for Slot<R> {}
// SAFETY: as above.
unsafe impl<R: Send> Send for Slot<R> {}

impl<R> Slot<R> {
    fn new() -> Self {
        Slot {
            state: AtomicU8::new(0),
            waker: UnsafeCell::new(None),
            value: UnsafeCell::new(None),
        }
    }

    /// Makes a slot nobody else can reach ready for another ask.
    fn reset(&mut self) {
        self.state.store(0, Ordering::Relaxed);
        // SAFETY: `&mut self`: no other access.
        self.waker.with_mut(|w| unsafe { *w = None });
        // SAFETY: as above.
        self.value.with_mut(|v| unsafe { *v = None });
    }

    /// The answerer's side; called at most once per slot (the `ReplyTo`
    /// that owns it is consumed).
    fn complete(&self, value: Result<R, AskError>) {
        // SAFETY: before `DONE` the answerer alone touches `value`.
        self.value.with_mut(|v| unsafe { *v = Some(value) });
        let prev = self.state.fetch_or(DONE, Ordering::AcqRel);
        debug_assert_eq!(prev & DONE, 0, "a reply slot completed twice");
        if prev & WAKER_SET != 0 {
            self.waker.with(|w| {
                // SAFETY: `WAKER_SET` was up when `DONE` went up: the asker
                // will not write the waker again, only read it; reading is
                // shared.
                let waker = unsafe { &*w };
                if let Some(w) = waker {
                    w.wake_by_ref();
                }
            });
        }
    }

    /// The asker's side, after it has seen `DONE`.
    fn take(&self) -> Result<R, AskError> {
        // SAFETY: `DONE` was seen (acquire): the answerer's write is done
        // and it never touches `value` again.
        self.value
            .with_mut(|v| unsafe { (*v).take() })
            .unwrap_or(Err(AskError::Closed))
    }

    fn poll(&self, cx: &Context<'_>) -> Poll<Result<R, AskError>> {
        let state = self.state.load(Ordering::Acquire);
        if state & DONE != 0 {
            return Poll::Ready(self.take());
        }
        if state & WAKER_SET != 0 {
            let same = self.waker.with(|w| {
                // SAFETY: a shared read; nobody writes the waker while the
                // bit is up.
                let waker = unsafe { &*w };
                waker.as_ref().is_some_and(|w| w.will_wake(cx.waker()))
            });
            if same {
                return Poll::Pending;
            }
            let prev = self.state.fetch_and(!WAKER_SET, Ordering::AcqRel);
            if prev & DONE != 0 {
                return Poll::Ready(self.take());
            }
        }
        self.waker.with_mut(|w| {
            // SAFETY: `WAKER_SET` is down and `DONE` was not up when it went
            // down, so the answerer will not read the waker: this is the
            // only access.
            unsafe { *w = Some(cx.waker().clone()) }
        });
        let prev = self.state.fetch_or(WAKER_SET, Ordering::AcqRel);
        if prev & DONE != 0 {
            return Poll::Ready(self.take());
        }
        Poll::Pending
    }
}

/// The handle a handler answers an `ask` with. Dropping it unanswered tells
/// the asker why.
pub struct ReplyTo<R: 'static> {
    slot: Option<Arc<Slot<R>>>,
}

impl<R: 'static> std::fmt::Debug for ReplyTo<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplyTo")
            .field("answered", &self.slot.is_none())
            .finish()
    }
}

impl<R: 'static> ReplyTo<R> {
    /// Sends the reply. If the asker has gone (timed out or dropped its
    /// future), the value is dropped.
    pub fn send(mut self, value: R) {
        if let Some(slot) = self.slot.take() {
            slot.complete(Ok(value));
        }
    }

    /// `true` while the asker still waits for the answer.
    pub fn is_waiting(&self) -> bool {
        self.slot.as_ref().is_some_and(|s| Arc::strong_count(s) > 1)
    }
}

impl<R: 'static> Drop for ReplyTo<R> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            if std::thread::panicking() && crate::shard::local::on_shard_thread() {
                // Completed once the shard has marked the actor stopped.
                defer(slot);
                return;
            }
            let err = match drop_cause() {
                DropCause::Failed => AskError::ActorFailed,
                DropCause::Stopped => AskError::Closed,
                DropCause::None if std::thread::panicking() => AskError::ActorFailed,
                DropCause::None => AskError::NoReply,
            };
            slot.complete(Err(err));
        }
    }
}

/// The asker's side: resolves to the reply or the reason there is none.
#[must_use = "futures do nothing unless awaited"]
pub struct Reply<R: 'static> {
    /// `None` only while being dropped.
    slot: Option<Arc<Slot<R>>>,
}

impl<R: 'static> std::fmt::Debug for Reply<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply").finish_non_exhaustive()
    }
}

/// A connected reply pair.
pub(crate) fn reply_pair<R: 'static>() -> (ReplyTo<R>, Reply<R>) {
    let slot = pool::take::<R>().unwrap_or_else(|| Arc::new(Slot::new()));
    (
        ReplyTo {
            slot: Some(slot.clone()),
        },
        Reply { slot: Some(slot) },
    )
}

impl<R: 'static> Future for Reply<R> {
    type Output = Result<R, AskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let polled = match &self.slot {
            Some(slot) => slot.poll(cx),
            None => Poll::Ready(Err(AskError::Closed)),
        };
        if polled.is_ready() {
            crate::shard::linger::note_progress();
        }
        polled
    }
}

impl<R: 'static> Drop for Reply<R> {
    fn drop(&mut self) {
        if let Some(mut slot) = self.slot.take()
            && let Some(unique) = Arc::get_mut(&mut slot)
        {
            // The answerer is gone: nobody else can reach the slot.
            unique.reset();
            pool::give(slot);
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom)))]
mod tests;
