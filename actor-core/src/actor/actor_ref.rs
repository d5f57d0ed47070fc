//! [`ActorRef`]: the typed handle that messages an actor from anywhere.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use crate::__private::TypedMailbox;
use crate::actor::cell::{ActorCell, ActorEntry};
use crate::actor::{Actor, ActorId, ExitReason};
use crate::error::{AskError, SendError, WaitError};
use crate::mailbox::OwnerThread;
use crate::reply::{Reply, ReplyTo, reply_pair};
use crate::runtime::block_on::{block_on_thread, block_on_thread_until};
use crate::shard::local::{is_current_shard, on_shard_thread};
use crate::time::{Timeout, sleep_via};

/// A handle to an actor: `Send + Sync + Clone`, usable from the actor's own
/// shard, another shard, or any plain thread.
///
/// It stays valid for the actor's whole life; after the actor stops, sends
/// fail with `Closed` and hand the message back.
pub struct ActorRef<A: Actor> {
    pub(crate) cell: Arc<ActorCell<A>>,
}

impl<A: Actor> Clone for ActorRef<A> {
    fn clone(&self) -> Self {
        ActorRef {
            cell: self.cell.clone(),
        }
    }
}

impl<A: Actor> std::fmt::Debug for ActorRef<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActorRef")
            .field("id", &self.cell.id)
            .field("name", &A::name())
            .finish()
    }
}

/// The typed methods `#[messages]` generates (`counter.add(1)`,
/// `counter.total_blocking()`, ...) are reached through this `Deref`.
impl<A: Actor> std::ops::Deref for ActorRef<A>
where
    A::Msg: TypedMailbox<A>,
{
    type Target = <A::Msg as TypedMailbox<A>>::Handle;

    #[inline]
    fn deref(&self) -> &Self::Target {
        // SAFETY: `TypedMailbox`'s contract: `Handle` is
        // `#[repr(transparent)]` over `ActorRef<A>`, so the two have the same
        // layout and the reference keeps `self`'s lifetime.
        unsafe { &*std::ptr::from_ref(self).cast::<Self::Target>() }
    }
}

impl<A: Actor> PartialEq for ActorRef<A> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.cell, &other.cell)
    }
}

impl<A: Actor> Eq for ActorRef<A> {}

impl<A: Actor> ActorRef<A> {
    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.cell.id
    }

    /// The actor's name.
    pub fn name(&self) -> &'static str {
        A::name()
    }

    /// The shard it lives on.
    pub fn shard(&self) -> usize {
        self.cell.id.shard()
    }

    /// `false` once the actor has stopped for good.
    pub fn is_alive(&self) -> bool {
        self.cell.is_alive()
    }

    /// Messages waiting in its mailbox now.
    pub fn mailbox_len(&self) -> usize {
        self.cell.mailbox.len()
    }

    /// Its mailbox capacity.
    pub fn mailbox_capacity(&self) -> usize {
        self.cell.mailbox.capacity()
    }

    /// Sends without waiting: `Full(msg)` when the mailbox is at capacity,
    /// `Closed(msg)` when the actor has stopped.
    pub fn try_tell(&self, msg: A::Msg) -> Result<(), SendError<A::Msg>> {
        let pushed = match owner_thread(&self.cell) {
            Some(owner) => self.cell.mailbox.push_local(msg, None, owner),
            None => self.cell.mailbox.try_push(msg),
        };
        match pushed {
            Ok(()) => {
                self.cell.schedule_after_push();
                Ok(())
            }
            Err(e) => {
                if e.is_closed() {
                    self.cell.dead_letter_closed();
                }
                Err(e)
            }
        }
    }

    /// Sends, waiting for room in the mailbox. Fails only with `Closed(msg)`.
    pub fn tell(&self, msg: A::Msg) -> Tell<'_, A> {
        Tell {
            actor: self,
            msg: Some(msg),
        }
    }

    /// Sends from a plain thread, blocking while the mailbox is full. On a
    /// shard thread, which must never block, it sends nothing and hands the
    /// message back as `WouldBlock(msg)`: await [`tell`] or call
    /// [`try_tell`] there.
    ///
    /// [`tell`]: ActorRef::tell
    /// [`try_tell`]: ActorRef::try_tell
    pub fn tell_blocking(&self, msg: A::Msg) -> Result<(), SendError<A::Msg>> {
        if on_shard_thread() {
            return Err(SendError::WouldBlock(msg));
        }
        block_on_thread(self.tell(msg))
    }

    /// Sends a request built around a [`ReplyTo`] and waits for the answer.
    pub async fn ask<R: 'static>(
        &self,
        make: impl FnOnce(ReplyTo<R>) -> A::Msg,
    ) -> Result<R, AskError> {
        let (reply_to, reply) = reply_pair();
        if self.tell(make(reply_to)).await.is_err() {
            return Err(AskError::Closed);
        }
        reply.await
    }

    /// Sends a request without waiting for room: the message comes back on
    /// `Full` or `Closed`; otherwise the reply is to be awaited.
    pub fn try_ask<R: 'static>(
        &self,
        make: impl FnOnce(ReplyTo<R>) -> A::Msg,
    ) -> Result<Reply<R>, SendError<A::Msg>> {
        let (reply_to, reply) = reply_pair();
        self.try_tell(make(reply_to))?;
        Ok(reply)
    }

    /// [`ask`](ActorRef::ask) with a deadline: `Err(Timeout)` when no reply
    /// arrives within `timeout`.
    pub async fn ask_timeout<R: 'static>(
        &self,
        timeout: Duration,
        make: impl FnOnce(ReplyTo<R>) -> A::Msg,
    ) -> Result<R, AskError> {
        let sleep = sleep_via(Instant::now() + timeout, self.cell.shard().clone());
        match Timeout::with_sleep(self.ask(make), sleep).await {
            Ok(r) => r,
            Err(_) => Err(AskError::Timeout),
        }
    }

    /// [`ask`](ActorRef::ask) from a plain thread. On a shard thread it returns
    /// `Err(WouldBlock)` instead of deadlocking the shard.
    pub fn ask_blocking<R: 'static>(
        &self,
        make: impl FnOnce(ReplyTo<R>) -> A::Msg,
    ) -> Result<R, AskError> {
        if on_shard_thread() {
            return Err(AskError::WouldBlock);
        }
        block_on_thread(self.ask(make))
    }

    /// [`ask_blocking`](ActorRef::ask_blocking) with a deadline.
    pub fn ask_blocking_timeout<R: 'static>(
        &self,
        timeout: Duration,
        make: impl FnOnce(ReplyTo<R>) -> A::Msg,
    ) -> Result<R, AskError> {
        if on_shard_thread() {
            return Err(AskError::WouldBlock);
        }
        block_on_thread_until(self.ask(make), Instant::now() + timeout)
            .unwrap_or(Err(AskError::Timeout))
    }

    /// Asks the actor to stop after its current message (`ExitReason::Normal`).
    /// Queued messages become dead letters.
    pub fn stop(&self) {
        self.cell.request_stop(ExitReason::Normal);
    }

    /// Asks the actor to stop with `reason`.
    pub fn stop_with(&self, reason: ExitReason) {
        self.cell.request_stop(reason);
    }

    /// Kills the actor at its next await point: no `on_stop`, no further
    /// messages.
    pub fn kill(&self) {
        self.cell.kill();
    }

    /// Resolves with the exit reason once the actor has stopped.
    pub fn wait_stopped(&self) -> WaitStopped<A> {
        WaitStopped {
            cell: self.cell.clone(),
        }
    }

    /// Blocks a plain thread until the actor stops, for at most `timeout`,
    /// and returns its exit reason. `Err(Timeout)` when it is still running
    /// then; `Err(WouldBlock)` at once on a shard thread, which must never
    /// block (await [`wait_stopped`](ActorRef::wait_stopped) there).
    pub fn wait_stopped_blocking(&self, timeout: Duration) -> Result<ExitReason, WaitError> {
        if on_shard_thread() {
            return Err(WaitError::WouldBlock);
        }
        block_on_thread_until(self.wait_stopped(), Instant::now() + timeout)
            .ok_or(WaitError::Timeout)
    }
}

/// On the receiver's shard thread: the proof its mailbox's lock-free path
/// for senders of the same shard needs.
#[inline]
fn owner_thread<A: Actor>(cell: &ActorCell<A>) -> Option<OwnerThread> {
    // SAFETY: `is_current_shard` holds only on the thread of the shard
    // that owns `cell`'s mailbox.
    is_current_shard(cell.shard()).then(|| unsafe { OwnerThread::assume() })
}

/// The future of [`ActorRef::tell`].
#[must_use = "futures do nothing unless awaited"]
pub struct Tell<'a, A: Actor> {
    actor: &'a ActorRef<A>,
    msg: Option<A::Msg>,
}

impl<A: Actor> std::fmt::Debug for Tell<'_, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tell").field("actor", self.actor).finish()
    }
}

// The message is never pinned: it is moved in and out freely.
impl<A: Actor> Unpin for Tell<'_, A> {}

impl<A: Actor> Future for Tell<'_, A> {
    type Output = Result<(), SendError<A::Msg>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let Some(msg) = self.msg.take() else {
            return Poll::Ready(Ok(()));
        };
        let cell = &self.actor.cell;
        let pushed = match owner_thread(cell) {
            Some(owner) => cell.mailbox.push_local(msg, Some(cx.waker()), owner),
            None => cell.mailbox.push_or_register(msg, cx.waker()),
        };
        match pushed {
            Ok(()) => {
                cell.schedule_after_push();
                Poll::Ready(Ok(()))
            }
            Err(SendError::Full(msg)) => {
                self.msg = Some(msg);
                Poll::Pending
            }
            Err(closed) => {
                cell.dead_letter_closed();
                Poll::Ready(Err(closed))
            }
        }
    }
}

/// The future of [`ActorRef::wait_stopped`].
#[must_use = "futures do nothing unless awaited"]
pub struct WaitStopped<A: Actor> {
    cell: Arc<ActorCell<A>>,
}

impl<A: Actor> std::fmt::Debug for WaitStopped<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitStopped")
            .field("id", &self.cell.id)
            .finish()
    }
}

impl<A: Actor> Future for WaitStopped<A> {
    type Output = ExitReason;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<ExitReason> {
        match self.cell.poll_exit(cx.waker()) {
            Some(r) => Poll::Ready(r),
            None => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod typed_handle_tests {
    //! The `Deref` to a typed handle, on a cell that never runs: small
    //! enough for miri, which checks the reference cast.

    use std::sync::Arc;

    use super::ActorRef;
    use crate::__private::TypedMailbox;
    use crate::actor::cell::ActorCell;
    use crate::shard::shared::ShardShared;
    use crate::{Actor, Context};

    struct Probe;

    enum ProbeMsg {}

    impl Actor for Probe {
        type Msg = ProbeMsg;

        async fn handle(&mut self, msg: ProbeMsg, _ctx: &mut Context<Self>) {
            match msg {}
        }
    }

    #[repr(transparent)]
    struct ProbeRef(ActorRef<Probe>);

    impl ProbeRef {
        fn inner(&self) -> &ActorRef<Probe> {
            &self.0
        }
    }

    // SAFETY: `ProbeRef` is `#[repr(transparent)]` over `ActorRef<Probe>`.
    unsafe impl TypedMailbox<Probe> for ProbeMsg {
        type Handle = ProbeRef;
    }

    #[test]
    fn deref_reaches_the_same_actor_through_the_handle() {
        let shard = Arc::new(ShardShared::new(0).unwrap());
        let cell = ActorCell::<Probe>::create(&shard, 4, Arc::default(), false);
        let actor = ActorRef { cell };
        let copy = actor.clone();
        let handle: &ProbeRef = &actor;
        assert_eq!(handle.inner().id(), copy.id());
        assert!(handle.inner() == &copy);
        assert_eq!(Arc::strong_count(&actor.cell), 2);
        drop(copy);
        assert_eq!(Arc::strong_count(&handle.inner().cell), 1);
    }
}
