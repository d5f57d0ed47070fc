//! [`Builder`]: detected defaults, a profile, then explicit overrides.
//!
//! The builder is a plain wrapper over [`RuntimeConfig`]: every setter can be
//! called in any order and nothing is checked until [`Builder::validate`] (or
//! the runtime's `build`). A type-state builder would prevent no mistake here:
//! every field has a valid default.

use std::time::Duration;

use super::{
    Defaults, Detection, DriverChoice, Profile, Role, RuntimeConfig, ShardRoles, Topology,
};

/// Why a [`RuntimeConfig`] cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `shards` is 0: the runtime needs at least one shard.
    #[error("shards must be at least 1")]
    ZeroShards,
    /// `budget` is 0: an actor could never handle a message.
    #[error("budget must be at least 1 message per turn")]
    ZeroBudget,
    /// `mailbox_capacity` is 0: no message could ever be sent.
    #[error("mailbox_capacity must be at least 1")]
    ZeroMailboxCapacity,
    /// `blocking_threads` is 0: blocking work would never run.
    #[error("blocking_threads must be at least 1")]
    ZeroBlockingThreads,
    /// `thread_name` contains a NUL byte, which thread names cannot hold.
    #[error("thread_name must not contain NUL bytes")]
    InvalidThreadName,
    /// A shard role names a shard that does not exist.
    #[error("{role} role is on shard {shard}, but there are only {shards} shards")]
    RoleOutOfRange {
        /// The role.
        role: Role,
        /// The shard the role names.
        shard: usize,
        /// The configured shard count.
        shards: usize,
    },
    /// A `PINION_*` variable read by [`Builder::from_env`] holds a value
    /// that does not parse.
    #[error("{var}={value:?} is not valid: expected {expected}")]
    Env {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What it should hold.
        expected: &'static str,
    },
}

impl RuntimeConfig {
    /// Checks that the runtime can run with this configuration.
    ///
    /// ```
    /// use actor_core::config::{ConfigError, RuntimeConfig};
    ///
    /// let mut config = RuntimeConfig::with_shards(2);
    /// assert_eq!(config.validate(), Ok(()));
    /// config.budget = 0;
    /// assert_eq!(config.validate(), Err(ConfigError::ZeroBudget));
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.shards == 0 {
            return Err(ConfigError::ZeroShards);
        }
        if self.budget == 0 {
            return Err(ConfigError::ZeroBudget);
        }
        if self.mailbox_capacity == 0 {
            return Err(ConfigError::ZeroMailboxCapacity);
        }
        if self.blocking_threads == 0 {
            return Err(ConfigError::ZeroBlockingThreads);
        }
        if self.thread_name.contains('\0') {
            return Err(ConfigError::InvalidThreadName);
        }
        if let Some((role, shard)) = self.roles.named().find(|(_, s)| *s >= self.shards) {
            return Err(ConfigError::RoleOutOfRange {
                role,
                shard,
                shards: self.shards,
            });
        }
        Ok(())
    }
}

/// Builds a [`RuntimeConfig`]: starts from detected defaults, applies a
/// [`Profile`], then overrides.
///
/// ```
/// use std::time::Duration;
/// use actor_core::config::{Builder, DriverChoice, Profile};
///
/// let in_ci = std::env::var_os("CI").is_some();
/// let config = Builder::new()
///     .profile(Profile::Production)
///     .driver(DriverChoice::Epoll)
///     .when(in_ci, |b| b.shards(2).pin_threads(false))
///     .with(|b| b.shutdown_timeout(Duration::from_secs(10)))
///     .into_config();
/// assert_eq!(config.driver, DriverChoice::Epoll);
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a builder does nothing until its config is used"]
pub struct Builder {
    pub(super) config: RuntimeConfig,
    /// Bad `PINION_*` values seen by [`Builder::from_env`], reported by
    /// [`Builder::validate`] unless an explicit setting replaced them.
    pub(super) env_errors: Vec<ConfigError>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// Starts from the defaults detected on this machine
    /// ([`Defaults::detect`]; the machine is probed once per process). Reads
    /// no environment variable: see [`Builder::from_env`] for that.
    pub fn new() -> Self {
        Self::from_config(Defaults::detect().config)
    }

    /// Starts from the defaults for `detection` (e.g. a fixture tree).
    pub fn from_detection(detection: &Detection) -> Self {
        Self::from_config(Defaults::from_detection(detection).config)
    }

    /// Starts from `config` as it is.
    pub fn from_config(config: RuntimeConfig) -> Self {
        Self {
            config,
            env_errors: Vec::new(),
        }
    }

    /// Number of shards. Re-derives [`roles`](Self::roles) for the new count
    /// over the topology (keeping an accelerator role if one was set); call
    /// `roles` afterwards to override.
    pub fn shards(mut self, shards: usize) -> Self {
        self.settle_env("PINION_SHARDS");
        self.config.shards = shards;
        self.rederive_roles();
        self
    }

    /// Which shards are dedicated to I/O, storage and accelerator work.
    pub fn roles(mut self, roles: ShardRoles) -> Self {
        self.config.roles = roles;
        self
    }

    /// The CPUs and NUMA nodes shards are placed over (a fake machine in
    /// tests, or a subset of this one). Re-derives [`roles`](Self::roles).
    pub fn topology(mut self, topology: Topology) -> Self {
        self.config.topology = topology;
        self.rederive_roles();
        self
    }

    fn rederive_roles(&mut self) {
        let accelerator = !self.config.roles.shards(Role::Accelerator).is_empty();
        let placement = self.config.topology.place(self.config.shards);
        self.config.roles = ShardRoles::derive(&placement, accelerator);
    }

    /// Pin each shard thread to its own core.
    pub fn pin_threads(mut self, pin: bool) -> Self {
        self.config.pin_threads = pin;
        self
    }

    /// Default mailbox capacity.
    pub fn mailbox_capacity(mut self, capacity: usize) -> Self {
        self.config.mailbox_capacity = capacity;
        self
    }

    /// Reactor driver.
    pub fn driver(mut self, driver: DriverChoice) -> Self {
        self.settle_env("PINION_DRIVER");
        self.config.driver = driver;
        self
    }

    /// Messages per actor turn.
    pub fn budget(mut self, budget: usize) -> Self {
        self.config.budget = budget;
        self
    }

    /// How long shutdown waits for each actor.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.config.shutdown_timeout = timeout;
        self
    }

    /// How long an idle shard spins before parking.
    pub fn spin_before_park(mut self, spin: Duration) -> Self {
        self.config.spin_before_park = spin;
        self
    }

    /// Threads in the blocking pool.
    pub fn blocking_threads(mut self, threads: usize) -> Self {
        self.config.blocking_threads = threads;
        self
    }

    /// Worker threads of the tokio runtime behind `spawn_tokio` (feature
    /// `tokio`); 0 counts as 1.
    pub fn tokio_threads(mut self, threads: usize) -> Self {
        self.config.tokio_threads = threads;
        self
    }

    /// Prefix of shard thread names.
    pub fn thread_name(mut self, name: impl Into<String>) -> Self {
        self.config.thread_name = name.into();
        self
    }

    /// Fixes the runtime's random seed for reproducible runs (`.seed(7)`), or
    /// seeds from the OS again (`.seed(None)`).
    pub fn seed(mut self, seed: impl Into<Option<u64>>) -> Self {
        self.config.seed = seed.into();
        self
    }

    /// Applies a named preset; later setters override it.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.settle_env("PINION_PROFILE");
        let errors = std::mem::take(&mut self.env_errors);
        let mut b = profile.apply(self);
        b.env_errors = errors;
        b
    }

    /// Applies `f`, to group settings or reuse them.
    pub fn with(self, f: impl FnOnce(Self) -> Self) -> Self {
        f(self)
    }

    /// Applies `f` only when `cond` holds.
    pub fn when(self, cond: bool, f: impl FnOnce(Self) -> Self) -> Self {
        if cond { f(self) } else { self }
    }

    /// The configuration so far.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// Checks the configuration so far: a bad `PINION_*` value left by
    /// [`Builder::from_env`], then [`RuntimeConfig::validate`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self.env_errors.first() {
            Some(e) => Err(e.clone()),
            None => self.config.validate(),
        }
    }

    /// The configuration, unchecked.
    pub fn into_config(self) -> RuntimeConfig {
        self.config
    }

    /// The configuration, if it is valid.
    pub fn try_into_config(self) -> Result<RuntimeConfig, ConfigError> {
        self.validate().map(|()| self.config)
    }
}
