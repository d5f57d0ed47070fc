//! Spawning actors: on a chosen shard, spread over shards, or right here.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;

use crate::ActorRef;
use crate::actor::cell::{ActorCell, ActorEntry, Watcher};
use crate::actor::{Actor, ExitReason, NoticeVia};
use crate::runtime::RuntimeInner;
use crate::shard::local::{ShardLocal, send_to_shard, with_current};
use crate::shard::shared::Remote;
use crate::util::panic_text;

/// Spawning an actor or task failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpawnError {
    /// The runtime is shutting down and takes no new actors.
    #[error("runtime is shutting down")]
    ShuttingDown,
    /// The shard index is out of range.
    #[error("no shard {shard}: the runtime has {shards} shards")]
    NoSuchShard {
        /// The requested shard.
        shard: usize,
        /// How many shards there are.
        shards: usize,
    },
}

/// Where and how to spawn an actor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpawnOptions {
    shard: Option<usize>,
    mailbox_capacity: Option<usize>,
}

impl SpawnOptions {
    /// Spread over shards, default mailbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// Place the actor on `shard`.
    pub fn shard(mut self, shard: usize) -> Self {
        self.shard = Some(shard);
        self
    }

    /// Give it a mailbox of `capacity` (overrides the actor's and the
    /// runtime's default).
    pub fn mailbox_capacity(mut self, capacity: usize) -> Self {
        self.mailbox_capacity = Some(capacity.max(1));
        self
    }
}

fn capacity<A: Actor>(inner: &RuntimeInner, explicit: Option<usize>) -> usize {
    explicit
        .or_else(A::mailbox_capacity)
        .unwrap_or(inner.config.mailbox_capacity)
        .max(1)
}

/// Spawns with options; spreads round-robin when no shard is given.
pub(crate) fn spawn_with<A: Actor>(
    inner: &Arc<RuntimeInner>,
    options: SpawnOptions,
    factory: impl FnOnce() -> A + Send + 'static,
) -> Result<ActorRef<A>, SpawnError> {
    let shard = match options.shard {
        Some(s) => s,
        None => inner.next_spread_shard(),
    };
    spawn_actor(inner, shard, options.mailbox_capacity, factory)
}

/// Spawns on `shard`; the factory runs there. Returns at once: messages sent
/// before the actor starts wait in its mailbox.
pub(crate) fn spawn_actor<A: Actor>(
    inner: &Arc<RuntimeInner>,
    shard: usize,
    mailbox: Option<usize>,
    factory: impl FnOnce() -> A + Send + 'static,
) -> Result<ActorRef<A>, SpawnError> {
    spawn_cell(inner, shard, mailbox, false, None, factory)
}

/// Spawns on `shard` a cell that is `supervised` or not, monitored by
/// `watcher` (if any) from before its factory runs: on the caller's own
/// shard the first start runs before this returns.
pub(crate) fn spawn_cell<A: Actor>(
    inner: &Arc<RuntimeInner>,
    shard: usize,
    mailbox: Option<usize>,
    supervised: bool,
    watcher: Option<Arc<dyn ActorEntry>>,
    factory: impl FnOnce() -> A + Send + 'static,
) -> Result<ActorRef<A>, SpawnError> {
    if inner.is_shutting_down() {
        return Err(SpawnError::ShuttingDown);
    }
    let shared = inner.shards.get(shard).ok_or(SpawnError::NoSuchShard {
        shard,
        shards: inner.shards.len(),
    })?;
    let cell = ActorCell::<A>::create(
        shared,
        capacity::<A>(inner, mailbox),
        inner.dead_letters.clone(),
        supervised,
    );
    if let Some(sink) = watcher {
        cell.add_watcher(Watcher {
            via: NoticeVia::Monitor,
            sink,
        });
    }
    let actor_ref = ActorRef { cell: cell.clone() };
    let mut unstarted = Unstarted(Some(cell));
    let job = move |local: &Rc<ShardLocal>| {
        if let Some(cell) = unstarted.0.take() {
            start(local, cell, factory);
        }
    };
    let here = with_current(|l| l.filter(|l| Arc::ptr_eq(&l.shared, shared)).cloned());
    match here {
        Some(local) => job(&local),
        // If the shard is gone, the job is dropped unrun and `Unstarted`
        // ends the actor with `Shutdown`.
        None => drop(send_to_shard(shared, Remote::Run(Box::new(job)))),
    }
    Ok(actor_ref)
}

/// Ends an actor whose start job was dropped without running (its shard
/// stopped first), so nobody waits on it forever.
struct Unstarted<A: Actor>(Option<Arc<ActorCell<A>>>);

impl<A: Actor> Drop for Unstarted<A> {
    fn drop(&mut self) {
        if let Some(cell) = self.0.take() {
            cell.finish(cell.shard(), ExitReason::Shutdown, false);
        }
    }
}

pub(crate) fn start<A: Actor>(
    local: &Rc<ShardLocal>,
    cell: Arc<ActorCell<A>>,
    factory: impl FnOnce() -> A,
) {
    if local.stopping.get() {
        cell.finish(&local.shared, ExitReason::Shutdown, false);
        return;
    }
    match catch_unwind(AssertUnwindSafe(factory)) {
        Ok(actor) => {
            let budget = local.runtime().config.budget.max(1);
            crate::actor::run::launch(local, cell, actor, budget)
        }
        Err(p) => cell.end_incarnation(
            &local.shared,
            false,
            ExitReason::StartFailed(panic_text(&*p)),
            false,
        ),
    }
}

/// Spawns an already-built actor on the current shard.
pub(crate) fn spawn_here<A: Actor>(
    local: &Rc<ShardLocal>,
    actor: A,
    mailbox: Option<usize>,
) -> ActorRef<A> {
    let cell = ActorCell::<A>::create(
        &local.shared,
        capacity::<A>(local.runtime(), mailbox),
        local.runtime().dead_letters.clone(),
        false,
    );
    let actor_ref = ActorRef { cell: cell.clone() };
    start(local, cell, move || actor);
    actor_ref
}
