//! [`Profile`]: named presets over the [`Builder`].
//!
//! A profile only calls builder setters, so anything it sets can be
//! overridden afterwards, and settings it does not mention keep the detected
//! defaults (except [`Profile::Testing`], which sets everything).

use std::time::Duration;

use super::{Builder, DriverChoice, RuntimeConfig, ShardRoles};

/// A named preset over the [`Builder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Laptop-friendly: at most 4 shards, no pinning (the editor and browser
    /// need cores too), 1 s shutdown so restarts are quick.
    Development,
    /// Deterministic on every machine: 2 shards, no pinning, fixed seed
    /// ([`Profile::TESTING_SEED`]), `Auto` driver, and every other field
    /// fixed too, so the config does not depend on the host. It replaces
    /// what came before it, a `PINION_DRIVER` read by
    /// [`Builder::from_env`] included (which applies `PINION_PROFILE` first,
    /// so `PINION_PROFILE=testing PINION_DRIVER=epoll` works).
    Testing,
    /// Detected defaults, with 30 s shutdown so in-flight work drains.
    Production,
    /// Pinned shards, budget 128, 50 µs spin: throughput and latency, at the
    /// cost of a little idle CPU.
    Performance,
    /// Pinned shards that spin 200 µs before parking (a wake-up from the
    /// reactor costs several µs) and budget 16, so no actor holds a shard long.
    LowLatency,
    /// Mailboxes 4× the detected size (16384 at least, 65536 at most) and
    /// budget 256: fewer turns and fewer full mailboxes per message. Parks at once.
    HighThroughput,
    /// One shard, no pinning, mailbox 256, budget 32, one blocking thread:
    /// small services and tools. Parks at once.
    Minimal,
    /// One shard, mailbox 64, budget 16, one blocking thread, epoll (an
    /// io_uring ring locks memory, and embedded kernels often lack it), 1 s
    /// shutdown; parks at once.
    Embedded,
}

impl Profile {
    /// The profile's name in kebab case: `low-latency`, `high-throughput`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Testing => "testing",
            Self::Production => "production",
            Self::Performance => "performance",
            Self::LowLatency => "low-latency",
            Self::HighThroughput => "high-throughput",
            Self::Minimal => "minimal",
            Self::Embedded => "embedded",
        }
    }
}

/// A name that is not a profile's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown profile {0:?}; one of development, testing, production, performance, low-latency, high-throughput, minimal, embedded"
)]
pub struct UnknownProfile(pub String);

impl std::str::FromStr for Profile {
    type Err = UnknownProfile;

    /// Parses a [`Profile::name`]; case and `_` for `-` do not matter
    /// (`LowLatency`, `low_latency`, `low-latency`).
    ///
    /// ```
    /// use actor_core::config::Profile;
    ///
    /// assert_eq!("low-latency".parse(), Ok(Profile::LowLatency));
    /// assert_eq!("HighThroughput".parse(), Ok(Profile::HighThroughput));
    /// assert!("fastest".parse::<Profile>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Self::ALL
            .into_iter()
            .find(|p| p.name().replace('-', "") == key)
            .ok_or_else(|| UnknownProfile(s.to_string()))
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Profile {
    /// Every profile.
    pub const ALL: [Self; 8] = [
        Self::Development,
        Self::Testing,
        Self::Production,
        Self::Performance,
        Self::LowLatency,
        Self::HighThroughput,
        Self::Minimal,
        Self::Embedded,
    ];

    /// The seed [`Profile::Testing`] fixes.
    pub const TESTING_SEED: u64 = 0x5EED_F00D_CAFE_0001;

    /// Applies the preset to `b`.
    ///
    /// ```
    /// use actor_core::config::{Builder, Profile};
    ///
    /// let b = Profile::Minimal.apply(Builder::new());
    /// assert_eq!(b.config().shards, 1);
    /// ```
    pub fn apply(self, b: Builder) -> Builder {
        match self {
            Self::Development => {
                // Only re-derive roles when the shard count actually shrinks.
                let shards = b.config().shards;
                b.when(shards > 4, |b| b.shards(4))
                    .pin_threads(false)
                    .shutdown_timeout(Duration::from_secs(1))
            }
            Self::Testing => Builder::from_config(RuntimeConfig::with_shards(2))
                .roles(ShardRoles::none())
                .seed(Self::TESTING_SEED)
                .driver(DriverChoice::Auto)
                .thread_name("pinion-test"),
            Self::Production => b.shutdown_timeout(Duration::from_secs(30)),
            Self::Performance => b
                .pin_threads(true)
                .budget(128)
                .spin_before_park(Duration::from_micros(50)),
            Self::LowLatency => b
                .pin_threads(true)
                .budget(16)
                .spin_before_park(Duration::from_micros(200)),
            Self::HighThroughput => {
                let capacity = b.config().mailbox_capacity.saturating_mul(4);
                b.mailbox_capacity(capacity.clamp(16_384, 65_536))
                    .budget(256)
                    .spin_before_park(Duration::ZERO)
            }
            Self::Minimal => b
                .shards(1)
                .pin_threads(false)
                .mailbox_capacity(256)
                .budget(32)
                .blocking_threads(1)
                .spin_before_park(Duration::ZERO),
            Self::Embedded => b
                .shards(1)
                .pin_threads(false)
                .mailbox_capacity(64)
                .budget(16)
                .blocking_threads(1)
                .spin_before_park(Duration::ZERO)
                .driver(DriverChoice::Epoll)
                .shutdown_timeout(Duration::from_secs(1)),
        }
    }
}
