//! A shard-local stop signal shared by an actor and the task it runs, and a
//! race of two futures.

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

/// Set once when the owning actor goes away; tasks wait on it.
#[derive(Debug, Default)]
struct Inner {
    set: Cell<bool>,
    wakers: RefCell<Vec<Waker>>,
}

/// The waiting side: a task's view of its actor's stop.
#[derive(Debug, Clone, Default)]
pub(crate) struct StopSignal(Rc<Inner>);

impl StopSignal {
    /// Whether the stop has happened.
    pub(crate) fn is_set(&self) -> bool {
        self.0.set.get()
    }

    /// Resolves once the stop has happened.
    pub(crate) async fn wait(&self) {
        poll_fn(|cx| {
            if self.is_set() {
                return Poll::Ready(());
            }
            let mut wakers = self.0.wakers.borrow_mut();
            if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                wakers.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await;
    }

    /// The guard that sets the signal when dropped (held by the actor).
    pub(crate) fn guard(&self) -> StopOnDrop {
        StopOnDrop(self.clone())
    }
}

/// Sets its signal when dropped: an actor holds one, so its tasks learn that
/// it stopped (for any reason) and end.
#[derive(Debug)]
pub(crate) struct StopOnDrop(StopSignal);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let inner = &(self.0).0;
        inner.set.set(true);
        let wakers = std::mem::take(&mut *inner.wakers.borrow_mut());
        for w in wakers {
            w.wake();
        }
    }
}

/// Which of two raced futures finished first.
#[derive(Debug)]
pub(crate) enum Either<A, B> {
    /// The first.
    Left(A),
    /// The second.
    Right(B),
}

/// Polls `a` then `b` until one finishes; the other is dropped (cancelled).
pub(crate) async fn race<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    let mut a = pin!(a);
    let mut b = pin!(b);
    poll_fn(|cx| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(Either::Left(v));
        }
        if let Poll::Ready(v) = b.as_mut().poll(cx) {
            return Poll::Ready(Either::Right(v));
        }
        Poll::Pending
    })
    .await
}
