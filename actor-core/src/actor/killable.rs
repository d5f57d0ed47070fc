//! The kill check around each piece of an actor's code: a killed actor runs
//! none of its code past its next await point.
//!
//! [`Killable`] holds the future it polls inline (pinned through
//! `pin-project-lite`), not a pointer to it: it is saved in every actor's
//! task, and an idle actor pays for each byte (see `benches/compare`,
//! workload M). [`KillableHandler`], on the per-message path, points at a
//! handler pinned in place instead: moving it in would copy it per message.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::loom::sync::atomic::{AtomicBool, Ordering};

pin_project_lite::pin_project! {
    /// Polls `fut` unless the actor has been killed; `None` when killed.
    pub(crate) struct Killable<'a, F> {
        killed: &'a AtomicBool,
        #[pin]
        fut: F,
    }
}

impl<'a, F: Future> Killable<'a, F> {
    pub(crate) fn new(killed: &'a AtomicBool, fut: F) -> Self {
        Killable { killed, fut }
    }
}

impl<F: Future> Future for Killable<'_, F> {
    type Output = Option<F::Output>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if this.killed.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        this.fut.poll(cx).map(Some)
    }
}

/// A message handler under the kill check. Its first poll is made even
/// after a kill: the message was already taken, and dropping its handler
/// unpolled would lose it silently. Done, it also tells how many polls the
/// handler took. It points at the handler, pinned where the caller built
/// it: a handler future moved into a wrapper would be copied per message.
pub(crate) struct KillableHandler<'a, F> {
    killed: &'a AtomicBool,
    polls: u32,
    fut: Pin<&'a mut F>,
}

impl<'a, F: Future> KillableHandler<'a, F> {
    pub(crate) fn new(killed: &'a AtomicBool, fut: Pin<&'a mut F>) -> Self {
        KillableHandler {
            killed,
            polls: 0,
            fut,
        }
    }
}

impl<F: Future> Future for KillableHandler<'_, F> {
    /// The handler's output and its number of polls; `None` when killed.
    type Output = Option<(F::Output, u32)>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.polls > 0 && self.killed.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        self.polls += 1;
        let polls = self.polls;
        self.fut.as_mut().poll(cx).map(|out| Some((out, polls)))
    }
}
