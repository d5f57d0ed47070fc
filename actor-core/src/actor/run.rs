//! An actor's task: start, then handle signals and messages until stopped.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use crate::actor::cell::ActorCell;
use crate::actor::killable::{Killable, KillableHandler};
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

/// What the actor takes next from its mailbox.
enum Took<M> {
    /// A message; whether more were queued behind it; whether the actor
    /// waited for mail before it (which restarts its budget).
    Msg(M, bool, bool),
    Exit(ExitReason),
}

/// Waits for the next message: handles notices and waits for mail on the
/// way. A future of its own, so what it holds (a notice's boxed handler) is
/// saved in the actor's task only while it runs, not beside a message
/// handler.
#[allow(
    clippy::manual_async_fn,
    reason = "an async fn would keep its arguments twice in every actor's task"
)]
fn take<'a, A: Actor>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    cell: &'a ActorCell<A>,
) -> impl Future<Output = Took<A::Msg>> + 'a {
    // `async move`, not `async fn`: see `actor_loop`.
    async move {
        let mut waited = false;
        loop {
            if cell.killed.load(Ordering::Acquire) {
                return Took::Exit(ExitReason::Killed);
            }
            let notice = match cell.mailbox.next() {
                Next::Stop(reason) => return Took::Exit(reason),
                Next::Msg(msg, more) => return Took::Msg(msg, more, waited),
                // Boxed: notices are rare, and an unboxed handler would be
                // saved in every actor's task.
                Next::Notice(notice) => Some(Box::pin(actor.on_notice(notice, ctx))
                    as Pin<Box<dyn Future<Output = ()> + '_>>),
                Next::Empty => None,
            };
            let Some(handler) = notice else {
                waited = true;
                WaitForMail(false).await;
                continue;
            };
            if Killable::new(&cell.killed, handler).await.is_none() {
                return Took::Exit(ExitReason::Killed);
            }
        }
    }
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
        let reason = loop {
            let (msg, more) = match take(&mut actor, &mut ctx, &cell).await {
                Took::Msg(msg, more, waited) => {
                    if waited {
                        used = 0;
                    }
                    (msg, more)
                }
                Took::Exit(reason) => break reason,
            };
            cell.handling.store(true, Ordering::Relaxed);
            // The first poll happens even if a kill landed since the take
            // (see `KillableHandler`).
            let done = KillableHandler::new(&cell.killed, actor.handle(msg, &mut ctx)).await;
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
