//! The actor model: the [`Actor`] trait, its handle ([`ActorRef`]), its
//! [`Context`], the cell every handle points at, and the task that runs it.
//! Its identity, exit reasons and notices are in `lifecycle`.

pub(crate) mod actor_ref;
pub(crate) mod cell;
pub(crate) mod context;
pub(crate) mod hooks;
mod killable;
pub(crate) mod message;
pub(crate) mod run;

pub use crate::lifecycle::{ActorId, ExitReason, LifecycleEvent, Notice, NoticeVia};

/// A boxed error from a lifecycle hook.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An actor: private state on one shard, and a typed mailbox of `Msg`.
///
/// The state never leaves its shard, so it need not be `Send`: it may hold
/// `Rc`, `RefCell` or thread-bound resources. One message is handled at a time;
/// the shard interleaves many actors. All hooks are `async` and may await.
///
/// Hand-written actors implement this trait directly; `#[actor]` and
/// `#[messages]` write it for you.
///
/// ```
/// use actor_core::prelude::*;
///
/// struct Counter(u64);
///
/// enum CounterMsg {
///     Add(u64),
///     Get(ReplyTo<u64>),
/// }
///
/// impl Actor for Counter {
///     type Msg = CounterMsg;
///
///     async fn handle(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
///         match msg {
///             CounterMsg::Add(n) => self.0 += n,
///             CounterMsg::Get(reply) => reply.send(self.0),
///         }
///     }
/// }
///
/// let rt = Runtime::builder().shards(1).build().unwrap();
/// let counter = rt.spawn(|| Counter(0)).unwrap();
/// counter.tell_blocking(CounterMsg::Add(2)).unwrap();
/// assert_eq!(counter.ask_blocking(CounterMsg::Get).unwrap(), 2);
/// rt.shutdown().unwrap();
/// ```
#[allow(async_fn_in_trait)] // actor futures are shard-local and never need `Send`
pub trait Actor: Sized + 'static {
    /// The mailbox's message type.
    type Msg: Send + 'static;

    /// The actor's name, used in logs, dead letters and errors.
    fn name() -> &'static str {
        std::any::type_name::<Self>()
    }

    /// Mailbox capacity for this actor; `None` takes the runtime's default.
    fn mailbox_capacity() -> Option<usize> {
        None
    }

    /// Runs on the actor's shard before the first message. An error stops the
    /// actor with [`ExitReason::StartFailed`].
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let _ = ctx;
        Ok(())
    }

    /// Handles one message.
    async fn handle(&mut self, msg: Self::Msg, ctx: &mut Context<Self>);

    /// Receives a lifecycle notice from a linked or monitored actor.
    ///
    /// The default follows OTP: when a *linked* actor exits abnormally, this
    /// actor stops too, with [`ExitReason::Linked`]. Monitor notices and normal
    /// exits are ignored. Override it to trap exits.
    async fn on_notice(&mut self, notice: Notice, ctx: &mut Context<Self>) {
        follow_linked_exit(&notice, ctx);
    }

    /// Runs once when the actor stops for any reason but a kill or a panic.
    async fn on_stop(&mut self, reason: &ExitReason, ctx: &mut Context<Self>) {
        let _ = (reason, ctx);
    }
}

use crate::Context;

/// The default reaction to a notice (OTP's): stop with
/// [`ExitReason::Linked`] when a linked actor exits abnormally; ignore
/// monitor notices and normal exits.
pub(crate) fn follow_linked_exit<A: Actor>(notice: &Notice, ctx: &mut Context<A>) {
    if notice.via == NoticeVia::Link
        && let LifecycleEvent::Stopped(reason) = &notice.event
        && reason.is_abnormal()
    {
        ctx.stop_with(ExitReason::Linked {
            id: notice.id,
            reason: Box::new(reason.clone()),
        });
    }
}
