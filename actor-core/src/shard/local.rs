//! The shard thread's own state, reachable through a thread-local while the
//! shard runs.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::channel::spsc;
use crate::reactor::Reactor;
use crate::shard::hooks::{DropCause, flush_deferred, with_drop_cause};
use crate::shard::linger::Lingering;
use crate::shard::shared::{Remote, ShardShared};
use crate::shard::slab::{LocalFuture, Slot, TaskSlab};
use crate::shard::task::{TaskRef, with_borrowed_waker};
use crate::time::wheel::Wheel;
use crate::util::panic_text;

thread_local! {
    static CURRENT: RefCell<Option<Rc<ShardLocal>>> = const { RefCell::new(None) };
    /// The address of the current shard's shared half, or null: a cheaper
    /// "is this that shard's thread?" than borrowing `CURRENT`. Compared,
    /// never dereferenced.
    static CURRENT_SHARD: Cell<*const ShardShared> = const { Cell::new(std::ptr::null()) };
}

/// `true` on the thread of `shard`.
#[inline]
pub(crate) fn is_current_shard(shard: &Arc<ShardShared>) -> bool {
    CURRENT_SHARD.with(|c| std::ptr::eq(c.get(), Arc::as_ptr(shard)))
}

/// A shard's thread-owned half.
pub(crate) struct ShardLocal {
    pub(crate) shared: Arc<ShardShared>,
    /// Every shard of the runtime, by index: a wake-up for one of them takes
    /// the one-way queue of the pair.
    siblings: Vec<Arc<ShardShared>>,
    /// How long the loop spins for work before it parks.
    pub(crate) spin_before_park: Duration,
    /// The runtime this shard belongs to, for the layers above, which know
    /// its type (see `runtime::local`); the executor never looks inside.
    owner: Box<dyn Any>,
    pub(crate) run_queue: RefCell<VecDeque<TaskRef>>,
    pub(crate) tasks: RefCell<TaskSlab>,
    pub(crate) wheel: RefCell<Wheel>,
    /// The shard's reactor: parks the loop and drives tasks' I/O.
    pub(crate) reactor: RefCell<Reactor>,
    /// Set by the shutdown task when the loop should end.
    pub(crate) exit: Cell<bool>,
    /// Set once shutdown begins on this shard.
    pub(crate) stopping: Cell<bool>,
    /// One-way queues to every other shard of the runtime (`None` for self).
    outboxes: Vec<Option<spsc::Producer<Remote>>>,
    /// One-way queues from every other shard.
    inboxes: Vec<spsc::Consumer<Remote>>,
    /// Idle tasks the shard keeps polling itself for a while (see
    /// [`linger`](crate::shard::linger)).
    pub(crate) lingering: RefCell<Vec<Lingering>>,
    /// `lingering`'s spare buffer, swapped in during a pass.
    pub(crate) linger_spare: RefCell<Vec<Lingering>>,
}

impl std::fmt::Debug for ShardLocal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardLocal")
            .field("shard", &self.shared.index)
            .finish_non_exhaustive()
    }
}

/// Runs `f` with the current shard, if this thread is one.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Rc<ShardLocal>>) -> R) -> R {
    CURRENT.with(|c| f(c.borrow().as_ref()))
}

/// `true` on any shard thread.
pub(crate) fn on_shard_thread() -> bool {
    with_current(|l| l.is_some())
}

/// Puts a runnable task in its shard's run queue: locally with no syscall, or
/// through the owning shard's inbox.
#[inline]
pub(crate) fn enqueue(header: TaskRef) {
    // The local case, one message hop in a same-shard exchange, pushes
    // inside the thread-local access: nothing is moved in or out of it.
    let remote = CURRENT.with(|c| match c.borrow().as_ref() {
        Some(l) if Arc::ptr_eq(&l.shared, &header.shard) => {
            l.run_queue.borrow_mut().push_back(header);
            None
        }
        _ => Some(header),
    });
    if let Some(header) = remote {
        enqueue_remote(header);
    }
}

#[inline(never)]
fn enqueue_remote(header: TaskRef) {
    let shard = header.shard.clone();
    // A shard that has stopped for good runs nothing more.
    let _ = send_to_shard(&shard, Remote::Schedule(header));
}

/// Hands `item` to `target`, then wakes the target if it is parked. Gives
/// the item back if the target has stopped for good.
///
/// A wake-up ([`Remote::Schedule`]) from a shard of the same runtime goes
/// through the one-way queue of that pair (or, when it is full, the shared
/// inbox). Jobs and timers always go through the shared inbox, whose lock
/// and `closed` flag make "accepted" mean "will run": the exiting shard
/// closes it and runs what it held, so none is reported sent and then lost.
/// (A wake-up lost at exit is harmless: the task is being dropped.)
pub(crate) fn send_to_shard(target: &Arc<ShardShared>, item: Remote) -> Result<(), Remote> {
    let item = match item {
        Remote::Schedule(_) => with_current(|l| match l {
            Some(l) => l.try_outbox(target, item),
            None => Err(item),
        }),
        other => Err(other),
    };
    match item {
        Ok(()) => {
            target.wake_if_parked();
            Ok(())
        }
        Err(item) => target.push_remote(item),
    }
}

/// What the runtime tells a shard's executor when it starts it.
pub(crate) struct ShardSettings {
    /// Every shard of the runtime, by index.
    pub(crate) siblings: Vec<Arc<ShardShared>>,
    /// The time origin of the timer wheel.
    pub(crate) origin: Instant,
    /// How long the loop spins for work before it parks.
    pub(crate) spin_before_park: Duration,
    /// The runtime, kept opaque: see [`ShardLocal::owner`].
    pub(crate) owner: Box<dyn Any>,
}

impl ShardLocal {
    /// The executor of `shared`, fed by `inboxes` from the other shards and
    /// feeding them through `outboxes`.
    pub(crate) fn create(
        shared: Arc<ShardShared>,
        settings: ShardSettings,
        outboxes: Vec<Option<spsc::Producer<Remote>>>,
        inboxes: Vec<spsc::Consumer<Remote>>,
        reactor: Reactor,
    ) -> Rc<Self> {
        let ShardSettings {
            siblings,
            origin,
            spin_before_park,
            owner,
        } = settings;
        Rc::new(ShardLocal {
            shared,
            siblings,
            spin_before_park,
            owner,
            run_queue: RefCell::new(VecDeque::with_capacity(256)),
            tasks: RefCell::new(TaskSlab::default()),
            wheel: RefCell::new(Wheel::new(origin)),
            reactor: RefCell::new(reactor),
            exit: Cell::new(false),
            stopping: Cell::new(false),
            outboxes,
            inboxes,
            lingering: RefCell::new(Vec::new()),
            linger_spare: RefCell::new(Vec::new()),
        })
    }

    /// Pushes into the one-way queue to `target` if it is a sibling shard.
    fn try_outbox(&self, target: &Arc<ShardShared>, item: Remote) -> Result<(), Remote> {
        let sibling = self
            .siblings
            .get(target.index)
            .is_some_and(|s| Arc::ptr_eq(s, target));
        match self.outboxes.get(target.index) {
            Some(Some(out)) if sibling => out.try_send(item).map_err(|e| e.into_inner()),
            _ => Err(item),
        }
    }

    /// Takes everything waiting in the one-way queues from other shards.
    pub(crate) fn drain_inboxes(&self, into: &mut VecDeque<Remote>) {
        for inbox in &self.inboxes {
            while let Ok(item) = inbox.try_recv() {
                into.push_back(item);
            }
        }
    }

    /// `true` if any one-way queue from another shard holds something.
    pub(crate) fn inboxes_have_work(&self) -> bool {
        self.inboxes.iter().any(|i| !i.is_empty())
    }

    /// Makes `local` the current shard of this thread until `unset_current`.
    pub(crate) fn set_current(local: &Rc<ShardLocal>) {
        CURRENT.with(|c| *c.borrow_mut() = Some(local.clone()));
        CURRENT_SHARD.with(|c| c.set(Arc::as_ptr(&local.shared)));
    }

    /// Stops treating this thread as its shard's owner for mailboxes (the
    /// lock-free same-shard path), while it stays the current shard for
    /// scheduling. The first step of the shard's exit: see the mailbox's
    /// `batch` for why.
    pub(crate) fn release_ownership() {
        CURRENT_SHARD.with(|c| c.set(std::ptr::null()));
    }

    pub(crate) fn unset_current() {
        CURRENT_SHARD.with(|c| c.set(std::ptr::null()));
        let old = CURRENT.with(|c| c.borrow_mut().take());
        drop(old);
    }

    pub(crate) fn index(&self) -> usize {
        self.shared.index
    }

    /// The runtime this shard belongs to, as the layer that started it
    /// passed it: that layer downcasts it (see `runtime::local`).
    pub(crate) fn owner(&self) -> &dyn Any {
        &*self.owner
    }

    /// Spawns a plain shard-local future.
    pub(crate) fn spawn_task(&self, fut: impl Future<Output = ()> + 'static) -> TaskRef {
        let header = TaskRef::new(self.shared.clone());
        self.insert_task(header.clone(), Box::pin(fut));
        header
    }

    /// Places a future in the slab and schedules its first poll.
    pub(crate) fn insert_task(&self, header: TaskRef, future: LocalFuture) {
        self.tasks.borrow_mut().insert(Slot {
            header: header.clone(),
            future: Some(future),
        });
        header.schedule();
    }

    /// Drops a task's future now (cancelling it).
    pub(crate) fn abort_task(&self, header: &TaskRef) {
        let slot = self.tasks.borrow_mut().remove(header);
        drop(slot);
    }

    /// Polls one runnable task, catching a panic so only that task fails.
    /// An idle actor task woken from another thread may then linger.
    pub(crate) fn poll_task(&self, header: TaskRef) {
        header.begin_poll();
        if self.run_task(&header).is_pending() {
            self.maybe_linger(header);
        }
    }

    /// Polls `header`'s future once, if it is still in the slab. `Pending`
    /// when it is there afterwards.
    pub(crate) fn run_task(&self, header: &TaskRef) -> Poll<()> {
        let future = self
            .tasks
            .borrow_mut()
            .get_mut(header)
            .and_then(|s| s.future.take());
        let Some(mut future) = future else {
            return Poll::Ready(());
        };
        let polled = with_borrowed_waker(header, |waker| {
            let mut cx = Context::from_waker(waker);
            catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx)))
        });
        match polled {
            Ok(Poll::Pending) => {
                if let Some(slot) = self.tasks.borrow_mut().get_mut(header) {
                    slot.future = Some(future);
                }
                // A handler that caught its own panic left its replies here.
                flush_deferred();
                Poll::Pending
            }
            Ok(Poll::Ready(())) => {
                let slot = self.tasks.borrow_mut().remove(header);
                drop(future);
                drop(slot);
                flush_deferred();
                Poll::Ready(())
            }
            Err(payload) => {
                let text = panic_text(&*payload);
                let slot = self.tasks.borrow_mut().remove(header);
                // The hook (which marks an actor stopped) runs before the
                // future is dropped, so an asker told `ActorFailed` already
                // sees the actor as stopped.
                if slot.is_some() {
                    match catch_unwind(AssertUnwindSafe(|| header.on_panic(self, text))) {
                        Ok(Ok(())) => {}
                        Ok(Err(text)) => {
                            tracing::warn!(shard = self.index(), panic = %text, "a shard task panicked");
                        }
                        Err(_) => tracing::error!(shard = self.index(), "panic hook panicked"),
                    }
                }
                drop(slot);
                flush_deferred();
                let dropped = catch_unwind(AssertUnwindSafe(|| {
                    with_drop_cause(DropCause::Failed, || drop(future));
                }));
                if dropped.is_err() {
                    tracing::error!(
                        shard = self.index(),
                        "a failed task panicked again while dropping"
                    );
                }
                Poll::Ready(())
            }
        }
    }

    /// Fires every timer that is due.
    pub(crate) fn fire_timers(&self, now: Instant) {
        let mut fired = Vec::new();
        self.wheel.borrow_mut().advance(now, &mut fired);
        fired.into_iter().for_each(Waker::wake);
    }

    /// Handles one item from the inbox.
    pub(crate) fn handle_remote(self: &Rc<Self>, item: Remote) {
        match item {
            Remote::Schedule(h) => {
                h.note_remote_wake();
                self.run_queue.borrow_mut().push_back(h);
            }
            Remote::Run(job) => {
                let failed = catch_unwind(AssertUnwindSafe(|| job(self))).is_err();
                flush_deferred();
                if failed {
                    tracing::error!(shard = self.index(), "a job sent to the shard panicked");
                }
            }
            Remote::Timer(deadline, waker) => {
                if deadline <= Instant::now() {
                    waker.wake();
                } else {
                    self.wheel.borrow_mut().insert(deadline, waker);
                }
            }
        }
    }

    /// Drops every task left and everything in the run queue (at the end of
    /// shutdown), until none is left: a destructor may wake or spawn more.
    /// Nothing is dropped while the run queue or the slab is borrowed.
    pub(crate) fn drop_all_tasks(&self) {
        loop {
            self.forget_lingering();
            let slots = self.tasks.borrow_mut().drain();
            let queued = std::mem::take(&mut *self.run_queue.borrow_mut());
            if slots.is_empty() && queued.is_empty() {
                break;
            }
            with_drop_cause(DropCause::Stopped, || {
                for slot in slots {
                    let _ = catch_unwind(AssertUnwindSafe(|| drop(slot)));
                }
                let _ = catch_unwind(AssertUnwindSafe(|| drop(queued)));
            });
            flush_deferred();
        }
    }
}
