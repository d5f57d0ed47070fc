//! [`Context`]: what a running actor can do besides handle messages.

use std::future::Future;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::ActorRef;
use crate::actor::cell::{ActorEntry, Watcher};
use crate::actor::{Actor, ActorId, ExitReason, NoticeVia};
use crate::shard::local::ShardLocal;
use crate::shard::task::TaskRef;
use crate::time::sleep_until;

/// An actor's view of itself and its shard. Shard-local: `!Send`.
pub struct Context<A: Actor> {
    myself: ActorRef<A>,
    pub(crate) local: Rc<ShardLocal>,
    /// Timers started here, cancelled when the context goes. Allocated by
    /// the first: an actor that starts none pays one pointer.
    #[allow(clippy::box_collection, reason = "one word in every actor, not three")]
    timers: Option<Box<Vec<TaskRef>>>,
}

impl<A: Actor> std::fmt::Debug for Context<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("actor", &self.myself)
            .finish()
    }
}

/// A timer started by [`Context::tell_after`] or [`Context::tell_interval`].
/// Shard-local (`!Send`).
///
/// **Dropping the handle detaches the timer**: it keeps running, and still
/// sends, until it is done (`tell_after`) or its actor stops. Only
/// [`cancel`](TimerHandle::cancel) stops it early, so keep the handle if you
/// may cancel; otherwise say so with [`detach`](TimerHandle::detach). Every
/// timer ends when its actor stops, whatever became of its handle.
#[derive(Debug)]
#[must_use = "dropping a `TimerHandle` detaches the timer: keep it to `cancel`, or call `detach()`"]
pub struct TimerHandle {
    task: TaskRef,
    _local: PhantomData<Rc<()>>,
}

impl TimerHandle {
    /// Cancels the timer; a message not yet sent never will be.
    pub fn cancel(self) {
        crate::shard::local::with_current(|l| {
            if let Some(l) = l {
                l.abort_task(&self.task);
            }
        });
    }

    /// Lets the timer run on without a handle, until it is done or its
    /// actor stops: the same as dropping the handle, said out loud.
    pub fn detach(self) {}
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(myself: ActorRef<A>, local: Rc<ShardLocal>) -> Self {
        Context {
            myself,
            local,
            timers: None,
        }
    }

    /// This actor's own handle.
    pub fn myself(&self) -> &ActorRef<A> {
        &self.myself
    }

    /// This actor's id.
    pub fn id(&self) -> ActorId {
        self.myself.id()
    }

    /// The shard this actor lives on.
    pub fn shard(&self) -> usize {
        self.local.index()
    }

    /// Stops this actor after the current message, with `ExitReason::Normal`.
    pub fn stop(&mut self) {
        self.stop_with(ExitReason::Normal);
    }

    /// Stops this actor after the current message, with `reason`.
    pub fn stop_with(&mut self, reason: ExitReason) {
        self.myself.cell.request_stop(reason);
    }

    /// Tells `msg` to this actor after `delay` (waiting for room if its
    /// mailbox is full then).
    pub fn tell_after(&mut self, delay: Duration, msg: A::Msg) -> TimerHandle {
        let me = self.myself.clone();
        let deadline = Instant::now() + delay;
        self.timer(async move {
            sleep_until(deadline).await;
            let _ = me.tell(msg).await;
        })
    }

    /// Tells `make()` to this actor every `period`, until cancelled or the
    /// actor stops. Ticks that fall behind are not made up in a burst: the
    /// next tick is scheduled from the previous deadline, skipping missed ones.
    pub fn tell_interval(
        &mut self,
        period: Duration,
        mut make: impl FnMut() -> A::Msg + 'static,
    ) -> TimerHandle {
        let me = self.myself.clone();
        let period = period.max(Duration::from_millis(1));
        self.timer(async move {
            let mut next = Instant::now() + period;
            loop {
                sleep_until(next).await;
                if me.tell(make()).await.is_err() {
                    break;
                }
                next += period;
                let now = Instant::now();
                while next <= now {
                    next += period;
                }
            }
        })
    }

    fn timer(&mut self, fut: impl Future<Output = ()> + 'static) -> TimerHandle {
        let timers = self.timers.get_or_insert_with(Box::default);
        timers.retain(|t| t.strong_count() > 1);
        let task = self.local.spawn_task(fut);
        timers.push(task.clone());
        TimerHandle {
            task,
            _local: PhantomData,
        }
    }

    /// Runs a plain future on this shard, beside the actors.
    pub fn spawn_task(&self, fut: impl Future<Output = ()> + 'static) {
        self.local.spawn_task(fut);
    }

    /// Links this actor with `other`, both ways: when either exits
    /// abnormally, the other gets a [`Notice`](crate::Notice) and, by default,
    /// stops too. Linking to an actor that has already stopped delivers its
    /// exit at once.
    pub fn link<B: Actor>(&self, other: &ActorRef<B>) {
        let me: Arc<dyn ActorEntry> = self.myself.cell.clone();
        let them: Arc<dyn ActorEntry> = other.cell.clone();
        them.add_watcher(Watcher {
            via: NoticeVia::Link,
            sink: me.clone(),
        });
        me.add_watcher(Watcher {
            via: NoticeVia::Link,
            sink: them,
        });
    }

    /// Removes a link made with [`link`](Context::link).
    pub fn unlink<B: Actor>(&self, other: &ActorRef<B>) {
        other.cell.remove_watcher(self.id(), NoticeVia::Link);
        self.myself.cell.remove_watcher(other.id(), NoticeVia::Link);
    }

    /// Monitors `other`: this actor gets a notice when it starts (if it has
    /// not yet) and when it stops, with the reason.
    pub fn monitor<B: Actor>(&self, other: &ActorRef<B>) {
        other.cell.add_watcher(Watcher {
            via: NoticeVia::Monitor,
            sink: self.myself.cell.clone(),
        });
    }

    /// Stops monitoring `other`.
    pub fn demonitor<B: Actor>(&self, other: &ActorRef<B>) {
        other.cell.remove_watcher(self.id(), NoticeVia::Monitor);
    }
}

impl<A: Actor> Drop for Context<A> {
    fn drop(&mut self) {
        for t in self.timers.take().into_iter().flat_map(|t| *t) {
            self.local.abort_task(&t);
        }
    }
}
