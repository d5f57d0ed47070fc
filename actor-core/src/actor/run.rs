//! An actor's task: start, then handle signals and messages until stopped.

use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use crate::actor::cell::ActorCell;
use crate::actor::killable::{Killable, KillableHandler};
use crate::actor::{Actor, ExitReason};
use crate::loom::sync::atomic::{AtomicBool, Ordering};
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
    local.insert_task(task, Box::pin(fut));
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

/// A notice's handler, boxed: notices are rare, and an unboxed handler
/// would be saved in every actor's task.
type NoticeHandler<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Runs a notice's handler: `false` when the actor was killed meanwhile. A
/// future of its own, so what it holds is saved in the actor's task only
/// while it runs, not beside a message handler.
#[allow(
    clippy::manual_async_fn,
    reason = "an async fn would keep its arguments twice in every actor's task"
)]
fn pause<'a>(killed: &'a AtomicBool, notice: NoticeHandler<'a>) -> impl Future<Output = bool> + 'a {
    // `async move`, not `async fn`: see `actor_loop`.
    async move { Killable::new(killed, notice).await.is_some() }
}

/// The actor's task. An `async move` block rather than an `async fn`: an
/// `async fn` moves its arguments into locals and keeps room for both for
/// the task's whole life. Every local here is one an idle actor pays for
/// (see `benches/compare`, workload M), so the task keeps only the actor,
/// its context, its cell and two counters across its awaits; each await's
/// own state is scoped to it.
fn actor_loop<A: Actor>(
    mut actor: A,
    mut ctx: Context<A>,
    budget: usize,
) -> impl Future<Output = ()> {
    let budget = u32::try_from(budget).unwrap_or(u32::MAX);
    async move {
        let cell = ctx.myself().cell.clone();
        {
            // Scoped: the start's result is not kept across later awaits.
            let started = Killable::new(&cell.killed, actor.on_start(&mut ctx)).await;
            let failed = match started {
                None => Some(ExitReason::Killed),
                Some(Err(e)) => Some(ExitReason::StartFailed(e.to_string())),
                Some(Ok(())) => None,
            };
            if let Some(reason) = failed {
                end(actor, ctx, &cell, reason);
                return;
            }
        }
        cell.mark_started();
        let mut used: u32 = 0;
        let reason = 'run: loop {
            if cell.killed.load(Ordering::Acquire) {
                break ExitReason::Killed;
            }
            // A message goes straight to its handler; anything else makes a
            // `pause`, awaited on its own, so what it holds is not kept
            // beside the message handler below.
            let (msg, more) = 'took: {
                'wait: {
                    let handler: NoticeHandler<'_> = match cell.mailbox.next() {
                        Next::Msg(msg, more) => break 'took (msg, more),
                        Next::Stop(reason) => break 'run reason,
                        Next::Notice(notice) => Box::pin(actor.on_notice(notice, &mut ctx)),
                        Next::Empty => break 'wait,
                    };
                    if !pause(&cell.killed, handler).await {
                        break 'run ExitReason::Killed;
                    }
                    continue 'run;
                }
                used = 0;
                WaitForMail(false).await;
                continue 'run;
            };
            cell.handling.store(true, Ordering::Relaxed);
            // The first poll happens even if a kill landed since the take
            // (see `KillableHandler`).
            let done = {
                // Scoped: the handler is not kept across the waits below.
                let handler = pin!(actor.handle(msg, &mut ctx));
                KillableHandler::new(&cell.killed, handler).await
            };
            cell.handling.store(false, Ordering::Relaxed);
            let Some(((), polls)) = done else {
                break ExitReason::Killed;
            };
            cell.shard().counters.messages_handled.bump();
            crate::shard::linger::note_progress();
            used += 1;
            if !more && polls == 1 {
                // Nothing was queued behind it, and the handler finished
                // within this same poll: a push or signal since the pop has
                // scheduled us again, so wait without the lock. (A handler
                // that awaited spanned polls, which consumed those wake-ups:
                // look again instead.)
                used = 0;
                WaitForMail(false).await;
            } else if used >= budget {
                used = 0;
                YieldNow(false).await;
            }
        };
        let stopped = Killable::new(&cell.killed, actor.on_stop(&reason, &mut ctx))
            .await
            .is_some();
        let reason = if stopped { reason } else { ExitReason::Killed };
        end(actor, ctx, &cell, reason);
    }
}

/// Ends the incarnation: the actor and its context are dropped first.
fn end<A: Actor>(actor: A, ctx: Context<A>, cell: &ActorCell<A>, reason: ExitReason) {
    let local = ctx.local.clone();
    drop(actor);
    drop(ctx);
    cell.end_incarnation(&local.shared, local.stopping.get(), reason, false);
}
