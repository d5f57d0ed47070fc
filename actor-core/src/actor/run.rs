//! An actor's task: start, then handle signals and messages until stopped.

use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use crate::actor::cell::ActorCell;
use crate::actor::{Actor, ExitReason};
use crate::loom::sync::atomic::Ordering;
use crate::mailbox::Next;
use crate::shard::hooks::OnPanic;
use crate::shard::local::ShardLocal;
use crate::{ActorRef, Context};

/// Starts `actor` on this shard as a task bound to `cell`; it handles up to
/// `budget` messages in a row before it yields to the shard's other tasks.
pub(crate) fn launch<A: Actor>(
    local: &Rc<ShardLocal>,
    cell: Arc<ActorCell<A>>,
    actor: A,
    budget: usize,
) {
    cell.register(&local.shared);
    local.shared.counters.actors_started.bump();
    let task = cell.task_ref();
    let ctx = Context::new(ActorRef { cell: cell.clone() }, local.clone());
    let fut = actor_loop(actor, ctx, budget);
    // The cell is its own panic hook: no allocation.
    local.insert_task(task, Box::pin(fut), Some(cell));
}

impl<A: Actor> OnPanic for ActorCell<A> {
    fn on_panic(&self, local: &ShardLocal, text: String) {
        self.end_incarnation(
            &local.shared,
            local.stopping.get(),
            ExitReason::Panicked(text),
            // Cleared here: a panic in a later hook has no message in flight.
            self.handling.swap(false, Ordering::Relaxed),
        );
    }
}

/// Polls `fut` unless the actor has been killed; `None` when killed. With
/// `first_poll_always` (a message handler), the first poll is made even
/// after a kill: the message was already taken, and dropping its handler
/// unpolled would lose it silently.
struct Killable<'a, F> {
    killed: &'a crate::loom::sync::atomic::AtomicBool,
    fut: Pin<&'a mut F>,
    polls: &'a mut u32,
    first_poll_always: bool,
}

impl<F: Future> Future for Killable<'_, F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let exempt = self.first_poll_always && *self.polls == 0;
        if !exempt && self.killed.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        *self.polls += 1;
        self.fut.as_mut().poll(cx).map(Some)
    }
}

/// Polls `fut` (pinned by the caller) unless the actor has been killed;
/// `None` when killed. A plain future rather than an `async fn` taking `fut`
/// by value: that would store the future twice in the actor's task (the
/// argument, then its pinned copy).
fn killable<'a, F: Future>(
    killed: &'a crate::loom::sync::atomic::AtomicBool,
    fut: Pin<&'a mut F>,
    polls: &'a mut u32,
) -> Killable<'a, F> {
    Killable {
        killed,
        fut,
        polls,
        first_poll_always: false,
    }
}

/// Returns `Pending` once; the task is polled again when mail or a signal
/// arrives (the mailbox schedules it).
struct WaitForMail(bool);

impl Future for WaitForMail {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut TaskContext<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

/// Yields once to the other tasks of the shard (or, off a shard, returns
/// `Pending` once after waking itself).
pub async fn yield_now() {
    YieldNow(false).await;
}

/// Yields to the other tasks of the shard.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

async fn actor_loop<A: Actor>(mut actor: A, mut ctx: Context<A>, budget: usize) {
    let cell = ctx.myself().cell.clone();
    let local = ctx.local.clone();
    let killed = &cell.killed;
    let started = killable(killed, pin!(actor.on_start(&mut ctx)), &mut 0).await;
    let reason = match started {
        None => ExitReason::Killed,
        Some(Err(e)) => ExitReason::StartFailed(e.to_string()),
        Some(Ok(())) => {
            cell.mark_started();
            run_mailbox(&mut actor, &mut ctx, &cell, budget).await
        }
    };
    if !matches!(reason, ExitReason::Killed | ExitReason::StartFailed(_))
        && killable(killed, pin!(actor.on_stop(&reason, &mut ctx)), &mut 0)
            .await
            .is_none()
    {
        drop(actor);
        drop(ctx);
        cell.end_incarnation(
            &local.shared,
            local.stopping.get(),
            ExitReason::Killed,
            false,
        );
        return;
    }
    drop(actor);
    drop(ctx);
    cell.end_incarnation(&local.shared, local.stopping.get(), reason, false);
}

async fn run_mailbox<A: Actor>(
    actor: &mut A,
    ctx: &mut Context<A>,
    cell: &ActorCell<A>,
    budget: usize,
) -> ExitReason {
    let shard = ctx.local.shared.clone();
    let counters = &shard.counters;
    let killed = &cell.killed;
    let mut used = 0;
    loop {
        if killed.load(Ordering::Acquire) {
            return ExitReason::Killed;
        }
        match cell.mailbox.next() {
            Next::Stop(reason) => return reason,
            Next::Notice(notice) => {
                // Boxed: every await point is saved in the actor's task for
                // its whole life, and notices are rare.
                let mut handler: Pin<Box<dyn Future<Output = ()> + '_>> =
                    Box::pin(actor.on_notice(notice, ctx));
                if killable(killed, Pin::new(&mut handler), &mut 0)
                    .await
                    .is_none()
                {
                    return ExitReason::Killed;
                }
            }
            Next::Msg(msg, more) => {
                cell.handling.store(true, Ordering::Relaxed);
                let mut polls = 0;
                // The first poll happens even if a kill landed since the
                // take (see `Killable`).
                let handler = pin!(actor.handle(msg, ctx));
                let done = Killable {
                    killed,
                    fut: handler,
                    polls: &mut polls,
                    first_poll_always: true,
                }
                .await;
                cell.handling.store(false, Ordering::Relaxed);
                if done.is_none() {
                    return ExitReason::Killed;
                }
                counters.messages_handled.bump();
                crate::shard::linger::note_progress();
                used += 1;
                if !more && polls == 1 {
                    // Nothing was queued behind it, and the handler finished
                    // within this same poll: a push or signal since the pop
                    // has scheduled us again, so wait without the lock. (A
                    // handler that awaited spanned polls, which consumed
                    // those wake-ups: look again instead.)
                    used = 0;
                    WaitForMail(false).await;
                } else if used >= budget {
                    used = 0;
                    YieldNow(false).await;
                }
            }
            Next::Empty => {
                used = 0;
                WaitForMail(false).await;
            }
        }
    }
}
