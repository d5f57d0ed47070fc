//! Runtime configuration: what the runtime is built from.
//!
//! [`RuntimeConfig`] is the plain value every runtime starts from. Zero-config
//! detection fills it with defaults, profiles are presets over it, and the
//! builder overrides any field. **The builder is the truth**: an explicit
//! setting is never overridden by the environment or a cached probe.
//!
//! The pipeline, in order:
//!
//! 1. [`Detection`] reads the machine (CPUs and their NUMA nodes, memory,
//!    io_uring, GPUs). Every probe degrades to "unknown" instead of failing,
//!    and every probe drives a default: cores the shard count, NUMA nodes
//!    the [`Topology`] shards are placed over, memory the mailbox size,
//!    io_uring the driver and the blocking pool, GPUs the accelerator role.
//! 2. [`Defaults`] turns a detection into a [`RuntimeConfig`] plus one
//!    [`Choice`] per setting saying why it has its value.
//! 3. [`Builder`] starts from those defaults ([`Builder::new`]), or from them
//!    and the environment ([`Builder::from_env`], which
//!    [`Runtime::new`](crate::Runtime::new) and
//!    [`Runtime::builder`](crate::Runtime::builder) use; the variables are
//!    listed in [`ENV_VARS`]), applies a [`Profile`] and explicit settings,
//!    and validates the result. Settings made after `from_env` win over it.
//! 4. [`Report`] prints detection, config and reasons for humans, and, given
//!    a running runtime, the driver and CPU each shard really got.
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
mod env;
mod profiles;
mod report;
mod roles;
mod testing;
mod topology;

pub use builder::{Builder, ConfigError};
pub use defaults::{Choice, Defaults};
pub use detection::{
    CpuInfo, Detection, GpuInfo, MemoryInfo, NumaNode, UringOp, UringOpcodes, UringSupport,
};
pub use env::ENV_VARS;
pub use profiles::{Profile, UnknownProfile};
pub use report::{Report, ShardInfo};
pub use roles::{Role, ShardRoles};
#[doc(hidden)]
pub use testing::TestHooks;
pub use topology::{Placement, ShardPlace, Topology};

/// Which reactor driver a shard parks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriverChoice {
    /// Each shard tries io_uring and falls back to epoll when the kernel
    /// refuses a ring; [`Runtime::shard_drivers`](crate::Runtime::shard_drivers)
    /// says what each shard got.
    #[default]
    Auto,
    /// io_uring; building the runtime fails if the kernel refuses it.
    Uring,
    /// epoll through mio.
    Epoll,
}

/// Which driver a shard actually parks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverKind {
    /// io_uring.
    Uring,
    /// epoll, through mio.
    Epoll,
}

impl DriverKind {
    /// `"uring"` or `"epoll"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DriverKind::Uring => "uring",
            DriverKind::Epoll => "epoll",
        }
    }
}

impl std::fmt::Display for DriverKind {
    /// `uring` or `epoll`, honouring width and alignment.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
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
    /// The CPUs shards run on, grouped by NUMA node: shards are placed over
    /// it ([`Topology::place`]) and pinned to their CPU when `pin_threads`
    /// is on. Detected by default; empty means unknown (pinning then uses
    /// the affinity mask in order).
    pub topology: Topology,
    /// Which shards are dedicated to I/O, storage and accelerator work.
    pub roles: ShardRoles,
    /// Seed for the runtime's randomness (e.g. placement, jitter); `None`
    /// seeds from the OS. A fixed seed makes runs reproducible.
    pub seed: Option<u64>,
    /// Test switches (see [`Builder::deny_uring_opcodes`]); off by default.
    #[doc(hidden)]
    pub test_hooks: TestHooks,
}

impl RuntimeConfig {
    /// A small fixed configuration: `shards` shards, no pinning, default
    /// limits, no dedicated roles, unknown topology.
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
            topology: Topology::default(),
            roles: ShardRoles::none(),
            seed: None,
            test_hooks: TestHooks::default(),
        }
    }
}
