//! The relay: one small actor per (supervisor, shard with children).
//!
//! A child placed on another shard must be watched *before* its first poll,
//! or its `Started` notice (or an early crash) could be missed. The relay
//! spawns each child on its own shard and monitors it in the same turn, then
//! forwards every lifecycle notice into the supervisor's [`EventQueue`].
//! The supervisor reads that queue selectively (waiting for one child's
//! `Started` while other events wait their turn), drains it after every
//! message it handles, and a tick message wakes it when it is idle. A relay
//! never waits to send that tick (see [`Relay::forward`]): supervision
//! traffic must not depend on room in a mailbox.
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
    inner: Mutex<Queued>,
    tick_sent: AtomicBool,
}

/// What [`EventQueue`] guards.
#[derive(Default)]
struct Queued {
    items: VecDeque<Item>,
    waker: Option<Waker>,
    /// Shards whose relay has stopped. Kept after its `RelayDown` item is
    /// drained: a start awaited later on such a shard would otherwise wait
    /// for a notice no relay will ever forward.
    relays_down: Vec<usize>,
}

impl EventQueue {
    /// Queues `item`; `true` when the supervisor needs a tick to look.
    fn push(&self, item: Item) -> bool {
        let waker = {
            let mut inner = self.inner.lock();
            if let Item::RelayDown(shard) = item {
                inner.relays_down.push(shard);
            }
            inner.items.push_back(item);
            inner.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        !self.tick_sent.swap(true, Ordering::AcqRel)
    }

    /// Takes everything queued (the supervisor got its tick).
    pub(crate) fn drain(&self) -> VecDeque<Item> {
        self.tick_sent.store(false, Ordering::SeqCst);
        std::mem::take(&mut self.inner.lock().items)
    }

    /// Waits for the next item about actor `id`, or for the relay of `shard`
    /// to go down (at once if it already has); other items stay queued.
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
        let pos = inner.items.iter().position(|i| match i {
            Item::Child(id, _) => *id == self.id,
            Item::RelayDown(s) => *s == self.shard,
        });
        if let Some(item) = pos.and_then(|p| inner.items.remove(p)) {
            return Poll::Ready(item);
        }
        if inner.relays_down.contains(&self.shard) {
            return Poll::Ready(Item::RelayDown(self.shard));
        }
        inner.waker = Some(cx.waker().clone());
        Poll::Pending
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
    /// Queues `item` for the supervisor and wakes it; never waits. A tick
    /// that finds the supervisor's mailbox full is not needed: a message is
    /// queued there, and the supervisor drains the queue after every
    /// message it handles. So supervision traffic never waits for room in a
    /// mailbox, and a relay stays free for the supervisor's asks.
    fn forward(&self, item: Item) {
        if self.queue.push(item) {
            let _ = self.sup.try_tell(SupervisorMsg::tick());
        }
    }
}

impl Actor for Relay {
    type Msg = RelayMsg;

    fn name() -> &'static str {
        "supervisor-relay"
    }

    /// Its own size, whatever the runtime's default: only its supervisor
    /// sends to it, and it never waits while handling.
    fn mailbox_capacity() -> Option<usize> {
        Some(crate::supervisor::CONTROL_MAILBOX)
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
            NoticeVia::Monitor => self.forward(Item::Child(notice.id, notice.event)),
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
        self.forward(Item::RelayDown(ctx.shard()));
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context as TaskContext, Poll, Waker};

    use actor_core::{Actor, ActorId, Context, Runtime};

    use super::{EventQueue, Item};

    struct Idle;

    impl Actor for Idle {
        type Msg = ();
        async fn handle(&mut self, _: (), _ctx: &mut Context<Self>) {}
    }

    /// A real actor id (ids are only made by the runtime).
    fn some_id() -> ActorId {
        let rt = Runtime::builder().shards(1).build().unwrap();
        let id = rt.spawn(|| Idle).unwrap().id();
        rt.shutdown().unwrap();
        id
    }

    fn poll_next(queue: &EventQueue, id: ActorId, shard: usize) -> Poll<Item> {
        let next = pin!(queue.next_for(id, shard));
        next.poll(&mut TaskContext::from_waker(Waker::noop()))
    }

    #[test]
    fn a_relay_down_stays_known_after_its_item_is_drained() {
        let queue = EventQueue::default();
        let id = some_id();
        assert!(poll_next(&queue, id, 1).is_pending());
        queue.push(Item::RelayDown(1));
        assert_eq!(queue.drain().len(), 1);
        // A start awaited afterwards on shard 1 ends at once...
        assert!(matches!(
            poll_next(&queue, id, 1),
            Poll::Ready(Item::RelayDown(1))
        ));
        // ...while shard 0's relay is still up.
        assert!(poll_next(&queue, id, 0).is_pending());
    }

    #[test]
    fn a_notice_queued_before_the_relay_went_down_comes_first() {
        let queue = EventQueue::default();
        let id = some_id();
        queue.push(Item::Child(id, actor_core::LifecycleEvent::Started));
        queue.push(Item::RelayDown(1));
        assert!(matches!(
            poll_next(&queue, id, 1),
            Poll::Ready(Item::Child(_, actor_core::LifecycleEvent::Started))
        ));
        assert!(matches!(
            poll_next(&queue, id, 1),
            Poll::Ready(Item::RelayDown(1))
        ));
    }
}
