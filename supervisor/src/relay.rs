//! The relay: one small actor per (supervisor, shard with children).
//!
//! A child placed on another shard must be watched *before* its first poll,
//! or its `Started` notice (or an early crash) could be missed. The relay
//! spawns each child on its own shard and monitors it in the same turn, then
//! forwards every lifecycle notice into the supervisor's [`EventQueue`].
//! The supervisor reads that queue selectively (waiting for one child's
//! `Started` while other events wait their turn), and a tick message wakes it
//! when it is idle.
//!
//! Relays are linked to their supervisor: when it dies abnormally (killed,
//! panicked), each relay closes the children it spawned, as OTP links would,
//! then stops.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context as TaskContext, Poll, Waker};

use actor_core::{
    Actor, ActorId, ActorRef, Context, ExitReason, LifecycleEvent, Notice, NoticeVia, ReplyTo,
    SpawnError,
};
use parking_lot::Mutex;

use crate::child::{ChildHandle, ErasedSpec};
use crate::supervisor::{Supervisor, SupervisorMsg};

/// One thing the supervisor must learn about.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    /// A child started or its incarnation ended.
    Child(ActorId, LifecycleEvent),
    /// The relay of this shard stopped: the shard is shutting down.
    RelayDown(usize),
}

/// The queue from relays to their supervisor.
#[derive(Default)]
pub(crate) struct EventQueue {
    inner: Mutex<(VecDeque<Item>, Option<Waker>)>,
    tick_sent: AtomicBool,
}

impl EventQueue {
    /// Queues `item`; `true` when the supervisor needs a tick to look.
    fn push(&self, item: Item) -> bool {
        let waker = {
            let mut inner = self.inner.lock();
            inner.0.push_back(item);
            inner.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        !self.tick_sent.swap(true, Ordering::AcqRel)
    }

    /// Takes everything queued (the supervisor got its tick).
    pub(crate) fn drain(&self) -> VecDeque<Item> {
        self.tick_sent.store(false, Ordering::SeqCst);
        std::mem::take(&mut self.inner.lock().0)
    }

    /// Waits for the next item about actor `id`, or for the relay of `shard`
    /// to go down; other items stay queued.
    pub(crate) fn next_for(&self, id: ActorId, shard: usize) -> NextFor<'_> {
        NextFor {
            queue: self,
            id,
            shard,
        }
    }
}

/// The future of [`EventQueue::next_for`].
pub(crate) struct NextFor<'a> {
    queue: &'a EventQueue,
    id: ActorId,
    shard: usize,
}

impl Future for NextFor<'_> {
    type Output = Item;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Item> {
        let mut inner = self.queue.inner.lock();
        let pos = inner.0.iter().position(|i| match i {
            Item::Child(id, _) => *id == self.id,
            Item::RelayDown(s) => *s == self.shard,
        });
        match pos.and_then(|p| inner.0.remove(p)) {
            Some(item) => Poll::Ready(item),
            None => {
                inner.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

type SpawnReply = ReplyTo<Result<Arc<dyn ChildHandle>, SpawnError>>;

/// What a relay is asked to do.
pub(crate) enum RelayMsg {
    /// Spawn and monitor a child.
    Spawn(Arc<dyn ErasedSpec>, SpawnReply),
    /// The supervisor closed this child for good.
    Forget(ActorId),
}

/// See the [module docs](self).
pub(crate) struct Relay {
    pub(crate) sup: ActorRef<Supervisor>,
    pub(crate) queue: Arc<EventQueue>,
    pub(crate) children: Vec<Arc<dyn ChildHandle>>,
}

impl Relay {
    async fn forward(&self, item: Item) {
        if self.queue.push(item) {
            let _ = self.sup.tell(SupervisorMsg::tick()).await;
        }
    }
}

impl Actor for Relay {
    type Msg = RelayMsg;

    fn name() -> &'static str {
        "supervisor-relay"
    }

    async fn handle(&mut self, msg: RelayMsg, ctx: &mut Context<Self>) {
        match msg {
            RelayMsg::Spawn(spec, reply) => {
                let child = spec.spawn_on(ctx);
                if let Ok(c) = &child {
                    self.children.push(c.clone());
                }
                reply.send(child);
            }
            RelayMsg::Forget(id) => self.children.retain(|c| c.actor_id() != id),
        }
    }

    async fn on_notice(&mut self, notice: Notice, ctx: &mut Context<Self>) {
        match notice.via {
            NoticeVia::Monitor => self.forward(Item::Child(notice.id, notice.event)).await,
            NoticeVia::Link => {
                let LifecycleEvent::Stopped(reason) = notice.event else {
                    return;
                };
                if notice.id != self.sup.id() {
                    return;
                }
                if reason.is_abnormal() {
                    let why = ExitReason::Linked {
                        id: notice.id,
                        reason: Box::new(reason),
                    };
                    for c in self.children.drain(..) {
                        c.close(why.clone());
                    }
                }
                ctx.stop_with(ExitReason::Shutdown);
            }
        }
    }

    async fn on_stop(&mut self, _reason: &ExitReason, ctx: &mut Context<Self>) {
        // Never wait here: the supervisor may be gone or stuck.
        if self.queue.push(Item::RelayDown(ctx.shard()))
            && self.sup.try_tell(SupervisorMsg::tick()).is_err()
        {
            self.queue.tick_sent.store(false, Ordering::SeqCst);
        }
    }
}
