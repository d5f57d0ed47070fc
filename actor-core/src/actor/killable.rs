//! The kill check around each piece of an actor's code: a killed actor runs
//! none of its code past its next await point.
//!
//! Both wrappers hold the future they poll inline (pinned through
//! `pin-project-lite`), not a pointer to it: they are saved in every
//! actor's task, and an idle actor pays for each byte (see
//! `benches/compare`, workload M).

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

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if this.killed.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        this.fut.poll(cx).map(Some)
    }
}

pin_project_lite::pin_project! {
    /// A message handler under the kill check. Its first poll is made even
    /// after a kill: the message was already taken, and dropping its
    /// handler unpolled would lose it silently. Done, it also tells how
    /// many polls the handler took.
    pub(crate) struct KillableHandler<'a, F> {
        killed: &'a AtomicBool,
        polls: u32,
        #[pin]
        fut: F,
    }
}

impl<'a, F: Future> KillableHandler<'a, F> {
    pub(crate) fn new(killed: &'a AtomicBool, fut: F) -> Self {
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

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if *this.polls > 0 && this.killed.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        *this.polls += 1;
        let polls = *this.polls;
        this.fut.poll(cx).map(|out| Some((out, polls)))
    }
}
