//! Open messages: a [`Message`] type declared on its own, which several
//! actors can accept ([`Handler`], [`Accepts`]), carried in an [`Envelope`]
//! and sent through [`MessageRef`].

use std::future::Future;
use std::time::Duration;

use crate::actor::Actor;
use crate::actor::actor_ref::ActorRef;
use crate::actor::context::Context;
use crate::mailbox::SendError;
use crate::reply::{AskError, Reply, ReplyTo};

/// A message type declared on its own, which several actors can accept.
/// `#[message]` or `#[message(reply = T)]` on a struct or enum implements it.
pub trait Message: Send + 'static {
    /// The answer to a request; `()` when there is none.
    type Reply: Send + 'static;
}

/// An actor's hand-written handling of message `M`. List `M` in
/// `#[messages(handles(M))]` to give it a variant of the actor's mailbox.
#[allow(async_fn_in_trait)] // actor futures are shard-local and never need `Send`
pub trait Handler<M: Message>: Actor {
    /// Handles one `M`; the value answers a request, if there is one.
    async fn handle(&mut self, msg: M, ctx: &mut Context<Self>) -> M::Reply;
}

/// An open message on its way, with the place its answer goes.
pub struct Envelope<M: Message> {
    msg: M,
    reply_to: Option<ReplyTo<M::Reply>>,
}

impl<M: Message> std::fmt::Debug for Envelope<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Envelope")
            .field("message", &std::any::type_name::<M>())
            .field("request", &self.reply_to.is_some())
            .finish()
    }
}

impl<M: Message> Envelope<M> {
    /// A message that wants no answer.
    pub fn tell(msg: M) -> Self {
        Envelope {
            msg,
            reply_to: None,
        }
    }

    /// A request whose answer goes to `reply_to`.
    pub fn ask(msg: M, reply_to: ReplyTo<M::Reply>) -> Self {
        Envelope {
            msg,
            reply_to: Some(reply_to),
        }
    }

    /// The message itself.
    pub fn into_message(self) -> M {
        self.msg
    }

    /// Hands the message to `actor`'s [`Handler`] and sends any answer.
    pub async fn deliver<A: Handler<M>>(self, actor: &mut A, ctx: &mut Context<A>) {
        let answer = <A as Handler<M>>::handle(actor, self.msg, ctx).await;
        if let Some(reply_to) = self.reply_to {
            reply_to.send(answer);
        }
    }
}

/// Actors whose mailbox takes `M`: `#[messages(handles(M))]` implements it.
pub trait Accepts<M: Message>: Handler<M> {
    /// Wraps `M` in the actor's message enum.
    fn wrap(envelope: Envelope<M>) -> Self::Msg;
    /// Takes `M` back out of a message that [`wrap`](Accepts::wrap) made.
    fn unwrap(msg: Self::Msg) -> Envelope<M>;
}

/// Sending open messages: implemented for `ActorRef<A>` of every actor that
/// accepts `M`. The message type picks the implementation.
///
/// The verbs are `ActorRef`'s own, with `_message` added: `ActorRef::tell`
/// takes the actor's whole message enum, while these take the open message
/// `M` and hand `M` back on failure. As there, the plain `tell_message`
/// waits for room (back-pressure), `try_tell_message` never waits, and the
/// `_blocking` ones are for plain threads (`WouldBlock` on a shard thread).
pub trait MessageRef<M: Message> {
    /// Sends, waiting for room in the mailbox; hands `msg` back on `Closed`.
    fn tell_message(&self, msg: M) -> impl Future<Output = Result<(), SendError<M>>> + Send;
    /// Sends without waiting; hands `msg` back on `Full` or `Closed`.
    fn try_tell_message(&self, msg: M) -> Result<(), SendError<M>>;
    /// Sends from a plain thread, blocking while the mailbox is full;
    /// `WouldBlock(msg)` on a shard thread.
    fn tell_message_blocking(&self, msg: M) -> Result<(), SendError<M>>;
    /// Asks: sends, waiting for room, and awaits the answer.
    fn ask_message(&self, msg: M) -> impl Future<Output = Result<M::Reply, AskError>> + Send;
    /// Asks without waiting for room: `msg` comes back on `Full` or
    /// `Closed`; otherwise await the [`Reply`].
    fn try_ask_message(&self, msg: M) -> Result<Reply<M::Reply>, SendError<M>>;
    /// [`ask_message`](MessageRef::ask_message) with a deadline:
    /// `AskError::Timeout` when no answer comes within `timeout`.
    fn ask_message_timeout(
        &self,
        timeout: Duration,
        msg: M,
    ) -> impl Future<Output = Result<M::Reply, AskError>> + Send;
    /// [`ask_message`](MessageRef::ask_message) from a plain thread;
    /// `AskError::WouldBlock` on a shard thread.
    fn ask_message_blocking(&self, msg: M) -> Result<M::Reply, AskError>;
}

fn give_back<A: Accepts<M>, M: Message>(e: SendError<A::Msg>) -> SendError<M> {
    e.map(|m| A::unwrap(m).msg)
}

impl<A: Accepts<M>, M: Message> MessageRef<M> for ActorRef<A> {
    fn tell_message(&self, msg: M) -> impl Future<Output = Result<(), SendError<M>>> + Send {
        let sent = self.tell(A::wrap(Envelope::tell(msg)));
        async move { sent.await.map_err(give_back::<A, M>) }
    }

    fn try_tell_message(&self, msg: M) -> Result<(), SendError<M>> {
        self.try_tell(A::wrap(Envelope::tell(msg)))
            .map_err(give_back::<A, M>)
    }

    fn tell_message_blocking(&self, msg: M) -> Result<(), SendError<M>> {
        self.tell_blocking(A::wrap(Envelope::tell(msg)))
            .map_err(give_back::<A, M>)
    }

    fn ask_message(&self, msg: M) -> impl Future<Output = Result<M::Reply, AskError>> + Send {
        self.ask(move |r| A::wrap(Envelope::ask(msg, r)))
    }

    fn try_ask_message(&self, msg: M) -> Result<Reply<M::Reply>, SendError<M>> {
        self.try_ask(move |r| A::wrap(Envelope::ask(msg, r)))
            .map_err(give_back::<A, M>)
    }

    fn ask_message_timeout(
        &self,
        timeout: Duration,
        msg: M,
    ) -> impl Future<Output = Result<M::Reply, AskError>> + Send {
        self.ask_timeout(timeout, move |r| A::wrap(Envelope::ask(msg, r)))
    }

    fn ask_message_blocking(&self, msg: M) -> Result<M::Reply, AskError> {
        self.ask_blocking(move |r| A::wrap(Envelope::ask(msg, r)))
    }
}
