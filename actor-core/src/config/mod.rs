//! Runtime configuration: what the runtime is built from.
//!
//! [`RuntimeConfig`] is the plain value every runtime starts from. Zero-config
//! detection fills it with defaults, profiles are presets over it, and the
//! builder overrides any field.

use std::time::Duration;

/// Which reactor driver a shard parks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriverChoice {
    /// Probe io_uring at start and fall back to epoll when it is refused.
    /// `PINION_DRIVER=uring|epoll` overrides this choice.
    #[default]
    Auto,
    /// io_uring; building the runtime fails if the kernel refuses it.
    Uring,
    /// epoll through mio.
    Epoll,
}

/// Everything a [`Runtime`](crate::Runtime) is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeConfig {
    /// Number of shards (pinned threads). At least 1.
    pub shards: usize,
    /// Pin each shard thread to its own core.
    pub pin_threads: bool,
    /// Default mailbox capacity for actors that do not set their own.
    pub mailbox_capacity: usize,
    /// Reactor driver.
    pub driver: DriverChoice,
    /// Messages an actor may handle in one turn before it yields.
    pub budget: usize,
    /// How long shutdown waits for each actor to stop before killing it.
    pub shutdown_timeout: Duration,
    /// How long an idle shard spins before it parks in its reactor.
    pub spin_before_park: Duration,
    /// Threads in the blocking pool.
    pub blocking_threads: usize,
    /// Prefix of shard thread names.
    pub thread_name: String,
}

impl RuntimeConfig {
    /// A small fixed configuration: `shards` shards, no pinning, default limits.
    pub fn with_shards(shards: usize) -> Self {
        Self {
            shards: shards.max(1),
            pin_threads: false,
            mailbox_capacity: 1024,
            driver: DriverChoice::Auto,
            budget: 64,
            shutdown_timeout: Duration::from_secs(5),
            spin_before_park: Duration::ZERO,
            blocking_threads: 2,
            thread_name: "pinion-shard".to_owned(),
        }
    }
}
