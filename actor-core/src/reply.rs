//! One-shot replies for `ask`: one allocation per request.
//!
//! When a [`ReplyTo`] is dropped unanswered, the asker learns why from the
//! shard's current drop cause: the handler panicked (`ActorFailed`), the actor
//! stopped with the request still queued (`Closed`), or the handler simply
//! dropped it (`NoReply`).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use parking_lot::Mutex;

use crate::error::AskError;

/// Why values are being dropped on this thread right now.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DropCause {
    None,
    ActorFailed,
    ActorStopped,
}

thread_local! {
    static DROP_CAUSE: Cell<DropCause> = const { Cell::new(DropCause::None) };
    /// Failures of replies dropped while a shard task unwinds, held back
    /// until the shard has marked the failed actor stopped.
    static DEFERRED: std::cell::RefCell<Vec<Arc<dyn Fail>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

trait Fail {
    fn fail(&self);
}

impl<R> Fail for Slot<R> {
    fn fail(&self) {
        self.complete(Err(AskError::ActorFailed));
    }
}

/// Completes the replies held back by [`ReplyTo`]'s drop during a panic.
pub(crate) fn flush_deferred() {
    let held = DEFERRED.with(|d| std::mem::take(&mut *d.borrow_mut()));
    held.into_iter().for_each(|s| s.fail());
}

/// Runs `f` with `cause` as the reason for anything it drops.
pub(crate) fn with_drop_cause<R>(cause: DropCause, f: impl FnOnce() -> R) -> R {
    let prev = DROP_CAUSE.with(|c| c.replace(cause));
    let out = f();
    DROP_CAUSE.with(|c| c.set(prev));
    out
}

enum State<R> {
    Waiting(Option<Waker>),
    Done(Result<R, AskError>),
    Taken,
}

struct Slot<R> {
    state: Mutex<State<R>>,
}

impl<R> Slot<R> {
    fn complete(&self, value: Result<R, AskError>) {
        let mut state = self.state.lock();
        if let State::Waiting(waker) = &mut *state {
            let waker = waker.take();
            *state = State::Done(value);
            drop(state);
            if let Some(w) = waker {
                w.wake();
            }
        }
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
                DEFERRED.with(|d| d.borrow_mut().push(slot));
                return;
            }
            let err = match DROP_CAUSE.with(Cell::get) {
                DropCause::ActorFailed => AskError::ActorFailed,
                DropCause::ActorStopped => AskError::Closed,
                DropCause::None if std::thread::panicking() => AskError::ActorFailed,
                DropCause::None => AskError::NoReply,
            };
            slot.complete(Err(err));
        }
    }
}

/// The asker's side: resolves to the reply or the reason there is none.
#[must_use = "futures do nothing unless awaited"]
pub struct Reply<R> {
    slot: Arc<Slot<R>>,
}

impl<R> std::fmt::Debug for Reply<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply").finish_non_exhaustive()
    }
}

/// A connected reply pair.
pub(crate) fn reply_pair<R: 'static>() -> (ReplyTo<R>, Reply<R>) {
    let slot = Arc::new(Slot {
        state: Mutex::new(State::Waiting(None)),
    });
    (
        ReplyTo {
            slot: Some(slot.clone()),
        },
        Reply { slot },
    )
}

impl<R> Future for Reply<R> {
    type Output = Result<R, AskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.slot.state.lock();
        match &mut *state {
            State::Waiting(w) => {
                match w {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => *w = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            State::Done(_) => match std::mem::replace(&mut *state, State::Taken) {
                State::Done(r) => Poll::Ready(r),
                _ => unreachable!("state was Done"),
            },
            State::Taken => Poll::Ready(Err(AskError::Closed)),
        }
    }
}
