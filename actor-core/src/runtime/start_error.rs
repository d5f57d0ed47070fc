//! [`StartError`]: why building a runtime failed.

/// Starting the runtime failed. Nothing is left running: shards that had
/// started are stopped and joined before the error is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// [`DriverChoice::Uring`](crate::config::DriverChoice::Uring) was asked
    /// for, and the kernel refused a shard its ring.
    #[error("reactor driver {driver} unavailable on shard {shard}: {source}")]
    DriverUnavailable {
        /// The driver that was asked for.
        driver: &'static str,
        /// The shard that could not build it.
        shard: usize,
        /// Why the kernel refused it.
        source: std::io::Error,
    },
    /// A shard could build no reactor at all (not even epoll), so it could
    /// never run an actor.
    #[error("shard {shard} has no reactor: {source}")]
    NoReactor {
        /// The shard.
        shard: usize,
        /// Why its last driver failed.
        source: std::io::Error,
    },
    /// A shard or blocking thread could not be started.
    #[error("could not start thread: {0}")]
    Thread(#[source] std::io::Error),
    /// The configuration is invalid (including a bad `PINION_*` variable
    /// read by [`Builder::from_env`](crate::config::Builder::from_env)).
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}
