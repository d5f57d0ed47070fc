//! The [`Runtime`]: shards, the blocking pool, dead letters and metrics, and
//! the [`Handle`] that reaches them from anywhere.

mod build;
mod context;
mod handle;
mod local;
pub(crate) mod shutdown;
pub(crate) mod spawn;
mod start_error;
mod system;

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Instant;

pub use handle::Handle;
pub use spawn::SpawnOptions;

use shutdown::ShutdownError;
use spawn::SpawnError;
pub use start_error::StartError;
pub use system::SystemSample;

use crate::blocking::BlockingPool;
use crate::config::{Builder, RuntimeConfig, ShardInfo};
use crate::dead_letters::DeadLetters;
use crate::metrics::{CounterKey, Metrics, NamedCounter};
use crate::reactor::DriverKind;
use crate::shard::block_on;
use crate::shard::shared::ShardShared;
use crate::{Actor, ActorRef};

/// What every shard and handle of one runtime shares.
pub(crate) struct RuntimeInner {
    pub(crate) config: RuntimeConfig,
    pub(crate) shards: Vec<Arc<ShardShared>>,
    /// What each shard got, set once every shard runs.
    pub(crate) started_shards: OnceLock<Vec<ShardInfo>>,
    pub(crate) dead_letters: Arc<DeadLetters>,
    pub(crate) blocking: BlockingPool,
    #[cfg(feature = "tokio")]
    pub(crate) tokio: crate::tokio_bridge::TokioBridge,
    pub(crate) started: Instant,
    pub(crate) named:
        parking_lot::Mutex<std::collections::BTreeMap<&'static str, Arc<NamedCounter>>>,
    pub(crate) keyed: parking_lot::Mutex<std::collections::BTreeMap<CounterKey, Arc<NamedCounter>>>,
    shutting_down: AtomicBool,
    next_spread: AtomicUsize,
    /// Round-robin cursor of [`Handle::shard_for`].
    next_role: AtomicUsize,
}

impl RuntimeInner {
    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    pub(crate) fn next_spread_shard(&self) -> usize {
        self.next_spread.fetch_add(1, Ordering::Relaxed) % self.shards.len()
    }
}

/// A running Pinion runtime: one pinned shard thread per core (by default),
/// each with its own executor, reactor and timer wheel, plus a small
/// blocking pool.
///
/// Dropping the runtime shuts it down as [`Runtime::shutdown`] does.
///
/// ```
/// use actor_core::prelude::*;
///
/// let rt = Runtime::builder().shards(2).build()?;
/// assert_eq!(rt.shards(), 2);
/// let answer = rt.block_on(async { 40 + 2 });
/// assert_eq!(answer, 42);
/// rt.shutdown()?;
/// # Ok::<(), actor_core::Error>(())
/// ```
pub struct Runtime {
    handle: Handle,
    threads: Vec<(usize, JoinHandle<()>)>,
    done: bool,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("shards", &self.shards())
            .field("driver", &self.driver())
            .finish()
    }
}

impl Runtime {
    /// Zero-config: one shard per usable core, defaults from what the machine
    /// has (see [`config`](crate::config)), then the `PINION_*` variables
    /// ([`Builder::from_env`]).
    pub fn new() -> Result<Runtime, StartError> {
        Builder::from_env().build()
    }

    /// A builder starting from the detected defaults and the `PINION_*`
    /// variables ([`Builder::from_env`]); every setting made on it wins
    /// over the environment. [`Builder::new`] reads no environment.
    pub fn builder() -> Builder {
        Builder::from_env()
    }

    /// Starts a runtime from a complete configuration.
    pub fn from_config(config: RuntimeConfig) -> Result<Runtime, StartError> {
        build::start(config)
    }

    /// A cloneable, `Send + Sync` handle to this runtime.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Number of shards.
    pub fn shards(&self) -> usize {
        self.handle.shards()
    }

    /// The reactor driver the shards park in: io_uring when every shard runs
    /// it, otherwise epoll (see [`Runtime::shard_drivers`]).
    pub fn driver(&self) -> DriverKind {
        self.handle.driver()
    }

    /// The driver each shard really runs, in shard order.
    pub fn shard_drivers(&self) -> Vec<DriverKind> {
        self.handle.shard_drivers()
    }

    /// The configuration the runtime runs with.
    pub fn config(&self) -> &RuntimeConfig {
        self.handle.config()
    }

    /// Spawns an actor, spreading actors round-robin over shards. The factory
    /// runs on the chosen shard.
    pub fn spawn<A: Actor>(
        &self,
        factory: impl FnOnce() -> A + Send + 'static,
    ) -> Result<ActorRef<A>, SpawnError> {
        self.handle.spawn(factory)
    }

    /// Spawns an actor on `shard`.
    pub fn spawn_on<A: Actor>(
        &self,
        shard: usize,
        factory: impl FnOnce() -> A + Send + 'static,
    ) -> Result<ActorRef<A>, SpawnError> {
        self.handle.spawn_on(shard, factory)
    }

    /// Spawns an actor with [`SpawnOptions`].
    pub fn spawn_with<A: Actor>(
        &self,
        options: SpawnOptions,
        factory: impl FnOnce() -> A + Send + 'static,
    ) -> Result<ActorRef<A>, SpawnError> {
        self.handle.spawn_with(options, factory)
    }

    /// Runs `fut` to completion on the calling thread and returns its output.
    /// Inside, actor handles work as from any thread, and timers are served
    /// by shard 0's wheel. Do not call it on a shard thread: it would block
    /// the shard.
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        let shard = self.handle.inner.shards[0].clone();
        handle::with_handle(self.handle.clone(), || {
            block_on::with_fallback_shard(shard, || block_on::block_on_thread(fut))
        })
    }

    /// A snapshot of every shard's counters, and their sum.
    pub fn metrics(&self) -> Metrics {
        self.handle.metrics()
    }

    /// The dead-letter queue.
    pub fn dead_letters(&self) -> &DeadLetters {
        self.handle.dead_letters()
    }

    /// Stops every actor (in reverse spawn order on each shard, each within
    /// the shutdown timeout, killing those that overrun), then joins every
    /// thread. The error names the actors that had to be killed, or shards
    /// whose thread was blocked and had to be left behind.
    pub fn shutdown(mut self) -> Result<(), ShutdownError> {
        self.shutdown_inner()
    }

    fn shutdown_inner(&mut self) -> Result<(), ShutdownError> {
        if self.done {
            return Ok(());
        }
        self.done = true;
        shutdown::shutdown(&self.handle.inner, std::mem::take(&mut self.threads))
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Err(e) = self.shutdown_inner() {
            tracing::error!(error = %e, "runtime shutdown on drop was not clean");
        }
    }
}
