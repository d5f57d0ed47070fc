//! Runtime configuration: what the runtime is built from.
//!
//! [`RuntimeConfig`] is the plain value every runtime starts from. Zero-config
//! detection fills it with defaults, profiles are presets over it, and the
//! builder overrides any field.
//!
//! The pipeline, in order:
//!
//! 1. [`Detection`] reads the machine (CPU, NUMA, memory, io_uring, storage,
//!    NICs, GPUs). Every probe degrades to "unknown" instead of failing.
//! 2. [`Defaults`] turns a detection into a [`RuntimeConfig`] plus one
//!    [`Choice`] per setting saying why it has its value.
//! 3. [`Builder`] starts from those defaults (or any config), applies a
//!    [`Profile`] and explicit overrides, and validates the result.
//! 4. [`Report`] prints detection, config and reasons for humans.
//!
//! ```
//! use actor_core::config::{Builder, Profile};
//!
//! let builder = Builder::new().profile(Profile::Testing).mailbox_capacity(512);
//! builder.validate().unwrap();
//! assert_eq!(builder.config().shards, 2);
//! assert_eq!(builder.config().mailbox_capacity, 512);
//! ```

use std::time::Duration;

mod builder;
mod defaults;
mod detection;
mod profiles;
mod report;

pub use builder::{Builder, ConfigError};
pub use defaults::{Choice, Defaults};
pub use detection::{
    BlockDevice, CacheInfo, CacheKind, CpuInfo, DaxMount, Detection, GpuInfo, MemoryInfo,
    NetworkInterface, NumaNode, StorageInfo, UringOp, UringOpcodes, UringSupport,
};
pub use profiles::{Profile, UnknownProfile};
pub use report::Report;

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

/// What a shard is dedicated to, besides running application actors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardRole {
    /// Only application actors.
    Application,
    /// Listeners, connections and storage actors are placed here by default.
    Io,
    /// The GPU-queue actor (wgpu device and queue) lives here.
    Gpu,
}

/// Which shards carry the I/O and GPU roles; every other shard is an
/// application shard.
///
/// A role says where the runtime places those actors by default; a shard with
/// a role may still run application actors (on a one-shard runtime it must).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShardRoles {
    io: Option<usize>,
    gpu: Option<usize>,
}

impl ShardRoles {
    /// Shard count from which the last shard is dedicated to I/O: below it,
    /// giving up a whole shard costs more application capacity than it saves.
    pub const IO_SHARD_MIN_SHARDS: usize = 4;

    /// No dedicated shards: every shard is an application shard.
    pub const fn none() -> Self {
        Self {
            io: None,
            gpu: None,
        }
    }

    /// The default rule: with at least [`Self::IO_SHARD_MIN_SHARDS`] shards
    /// the last shard does I/O; when a GPU is present shard 0 owns it.
    pub fn derive(shards: usize, gpu_present: bool) -> Self {
        Self {
            io: (shards >= Self::IO_SHARD_MIN_SHARDS).then(|| shards - 1),
            gpu: gpu_present.then_some(0),
        }
    }

    /// Dedicates `shard` to I/O.
    #[must_use]
    pub const fn with_io(mut self, shard: usize) -> Self {
        self.io = Some(shard);
        self
    }

    /// Dedicates `shard` to the GPU queue.
    #[must_use]
    pub const fn with_gpu(mut self, shard: usize) -> Self {
        self.gpu = Some(shard);
        self
    }

    /// The I/O shard, if one is dedicated.
    pub const fn io_shard(&self) -> Option<usize> {
        self.io
    }

    /// The GPU shard, if one is dedicated.
    pub const fn gpu_shard(&self) -> Option<usize> {
        self.gpu
    }

    /// The role of `shard`; GPU wins when both roles name the same shard.
    pub fn role(&self, shard: usize) -> ShardRole {
        if self.gpu == Some(shard) {
            ShardRole::Gpu
        } else if self.io == Some(shard) {
            ShardRole::Io
        } else {
            ShardRole::Application
        }
    }
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
    /// How long an idle shard spins before it parks in its reactor: the
    /// starting window, which doubles (up to 10×) while the shard keeps
    /// being woken soon after parking, and resets after a longer sleep.
    pub spin_before_park: Duration,
    /// Threads in the blocking pool.
    pub blocking_threads: usize,
    /// Worker threads of the tokio runtime behind `spawn_tokio` (feature
    /// `tokio`), started on first use; 0 counts as 1.
    pub tokio_threads: usize,
    /// Prefix of shard thread names.
    pub thread_name: String,
    /// Which shards are dedicated to I/O and GPU work.
    pub roles: ShardRoles,
    /// Seed for the runtime's randomness (e.g. placement, jitter); `None`
    /// seeds from the OS. A fixed seed makes runs reproducible.
    pub seed: Option<u64>,
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
            tokio_threads: 1,
            thread_name: "pinion-shard".to_owned(),
            roles: ShardRoles::none(),
            seed: None,
        }
    }
}
