//! [`Handle`]: the runtime, reachable from any thread.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::blocking::BlockingHandle;
use crate::config::{Report, Role, RuntimeConfig, ShardInfo};
use crate::dead_letters::DeadLetters;
use crate::metrics::{CounterKey, Metrics, NamedCounter, ShardMetrics};
use crate::reactor::DriverKind;
use crate::runtime::spawn::{SpawnError, SpawnOptions, spawn_actor, spawn_with};
use crate::runtime::{RuntimeInner, SystemSample};
use crate::{Actor, ActorRef};

/// A cloneable, `Send + Sync` handle to a runtime: spawn actors and read
/// metrics from any thread. It does not keep the runtime running; after
/// shutdown, spawns fail with [`SpawnError::ShuttingDown`].
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Arc<RuntimeInner>,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("shards", &self.shards())
            .finish()
    }
}

impl Handle {
    pub(crate) fn from_inner(inner: Arc<RuntimeInner>) -> Self {
        Handle { inner }
    }

    /// The handle of the runtime whose shard this thread is, or whose
    /// [`Runtime::block_on`](crate::Runtime::block_on) runs on this thread.
    pub fn current() -> Option<Handle> {
        crate::shard::local::with_current(|l| l.map(|l| Handle::from_inner(l.runtime().clone())))
            .or_else(current_handle)
    }

    /// Number of shards.
    pub fn shards(&self) -> usize {
        self.inner.shards.len()
    }

    /// The reactor driver the shards park in: io_uring when every shard runs
    /// it, otherwise epoll (see [`Handle::shard_drivers`]).
    pub fn driver(&self) -> DriverKind {
        let all_uring = self
            .shard_info()
            .iter()
            .all(|s| s.driver == DriverKind::Uring);
        if all_uring {
            DriverKind::Uring
        } else {
            DriverKind::Epoll
        }
    }

    /// The driver each shard really runs, in shard order.
    pub fn shard_drivers(&self) -> Vec<DriverKind> {
        self.shard_info().iter().map(|s| s.driver).collect()
    }

    /// What each shard got: driver, NUMA node, pinned CPU, role.
    pub fn shard_info(&self) -> &[ShardInfo] {
        self.inner.started_shards.get().map_or(&[], Vec::as_slice)
    }

    /// The zero-config report (what was detected, what the defaults would
    /// be and why) with what each shard of this runtime got.
    pub fn report(&self) -> Report {
        let mut report = Report::detect();
        report.shards = self.shard_info().to_vec();
        report
    }

    /// The shard an actor of `role` goes to by default, as `actor-io`'s
    /// listeners and the storage and GPU crates place theirs: the calling
    /// shard when it has that role, else the role's dedicated shards in
    /// turn; a role with no dedicated shard (and [`Role::Compute`]) is
    /// served by the compute shards, the calling one first.
    ///
    /// ```
    /// use actor_core::config::{Role, ShardRoles};
    /// use actor_core::Runtime;
    ///
    /// let rt = Runtime::builder().shards(3).roles(ShardRoles::none().with_io(2)).build()?;
    /// assert_eq!(rt.handle().shard_for(Role::Io), 2);
    /// assert_ne!(rt.handle().shard_for(Role::Compute), 2);
    /// assert_eq!(rt.handle().shards_for(Role::Storage), [2], "storage shares I/O");
    /// rt.shutdown()?;
    /// # Ok::<(), actor_core::Error>(())
    /// ```
    pub fn shard_for(&self, role: Role) -> usize {
        let shards = self.shards_for(role);
        let here = crate::shard::local::with_current(|l| l.map(|l| l.index()))
            .filter(|_| Handle::current().is_some_and(|h| Arc::ptr_eq(&h.inner, &self.inner)));
        match here {
            Some(s) if shards.contains(&s) => s,
            _ => {
                let turn = self.inner.next_role.fetch_add(1, Ordering::Relaxed);
                shards[turn % shards.len()]
            }
        }
    }

    /// The shards that take actors of `role` by default: its dedicated
    /// shards, or the compute shards when it has none (see
    /// [`ShardRoles`](crate::config::ShardRoles)).
    pub fn shards_for(&self, role: Role) -> Vec<usize> {
        let roles = &self.inner.config.roles;
        match roles.shards(role) {
            [] => roles.compute(self.shards()),
            dedicated => dedicated.to_vec(),
        }
    }

    /// A sample of the host's and this process's CPU and memory use (see
    /// [`SystemSample`]); compare two with [`SystemSample::cpu_busy_since`].
    pub fn system_sample(&self) -> SystemSample {
        SystemSample::now()
    }

    /// The configuration.
    pub fn config(&self) -> &RuntimeConfig {
        &self.inner.config
    }

    /// Spawns an actor, spreading round-robin over shards.
    pub fn spawn<A: Actor>(
        &self,
        factory: impl FnOnce() -> A + Send + 'static,
    ) -> Result<ActorRef<A>, SpawnError> {
        spawn_with(&self.inner, SpawnOptions::new(), factory)
    }

    /// Spawns an actor on `shard`.
    pub fn spawn_on<A: Actor>(
        &self,
        shard: usize,
        factory: impl FnOnce() -> A + Send + 'static,
    ) -> Result<ActorRef<A>, SpawnError> {
        spawn_actor(&self.inner, shard, None, factory)
    }

    /// Spawns an actor with [`SpawnOptions`].
    pub fn spawn_with<A: Actor>(
        &self,
        options: SpawnOptions,
        factory: impl FnOnce() -> A + Send + 'static,
    ) -> Result<ActorRef<A>, SpawnError> {
        spawn_with(&self.inner, options, factory)
    }

    /// Runs `f` on the runtime's blocking pool, never on a shard; the
    /// handle resolves to its result. From a shard, prefer
    /// [`Context::spawn_blocking`](crate::Context::spawn_blocking) inside
    /// actors; this one serves code that holds no context (a file layer).
    pub fn spawn_blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> BlockingHandle<R> {
        self.inner.blocking.spawn(f)
    }

    /// The named counter `name`, created at zero on first use. It shows up
    /// in [`Metrics::named`].
    pub fn counter(&self, name: &'static str) -> Arc<NamedCounter> {
        self.inner.named.lock().entry(name).or_default().clone()
    }

    /// The counter `key` names, created at zero on first use. It shows up
    /// in [`Metrics::counters`].
    pub fn keyed_counter(&self, key: CounterKey) -> Arc<NamedCounter> {
        self.inner.keyed.lock().entry(key).or_default().clone()
    }

    /// The dead-letter queue.
    pub fn dead_letters(&self) -> &DeadLetters {
        &self.inner.dead_letters
    }

    /// A snapshot of every shard's counters, and their sum.
    pub fn metrics(&self) -> Metrics {
        let shards = self
            .inner
            .shards
            .iter()
            .map(|s| {
                let registry = s.registry.lock();
                let depth: usize = registry.values().map(|a| a.queued()).sum();
                let live = registry.len();
                drop(registry);
                let c = &s.counters;
                ShardMetrics {
                    shard: s.index,
                    messages_handled: c.messages_handled.get(),
                    mailbox_depth: depth as u64,
                    live_actors: live as u64,
                    actors_started: c.actors_started.get(),
                    dead_letters: c.dead_letters.load(std::sync::atomic::Ordering::Relaxed),
                    parks: c.parks.get(),
                    wakes: c.wakes.get(),
                }
            })
            .collect();
        let named = self
            .inner
            .named
            .lock()
            .iter()
            .map(|(k, v)| (*k, v.get()))
            .collect();
        let counters = self
            .inner
            .keyed
            .lock()
            .iter()
            .map(|(k, v)| (*k, v.get()))
            .collect();
        Metrics::from_shards(shards, named, counters)
    }
}

thread_local! {
    /// The runtime whose `block_on` runs on this thread.
    static BLOCK_ON_RUNTIME: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

/// The handle of the runtime whose `block_on` runs on this thread.
pub(crate) fn current_handle() -> Option<Handle> {
    BLOCK_ON_RUNTIME.with(|h| h.borrow().clone())
}

/// Makes `handle` current for the duration of `f` (restored on unwind too).
pub(crate) fn with_handle<R>(handle: Handle, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Handle>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            BLOCK_ON_RUNTIME.with(|h| *h.borrow_mut() = prev);
        }
    }
    let _restore = Restore(BLOCK_ON_RUNTIME.with(|h| h.borrow_mut().replace(handle)));
    f()
}
