//! [`Builder::from_env`]: detected defaults, then the `PINION_*` variables.
//!
//! The environment is read here and nowhere else in the runtime: explicit
//! builder settings made afterwards always win, and [`Builder::new`],
//! [`Builder::from_config`] and [`Runtime::from_config`](crate::Runtime::from_config)
//! never look at it.

use super::{Builder, ConfigError, DriverChoice, Profile};

/// The variables [`Builder::from_env`] reads, in the order it applies them,
/// with what each one sets.
pub const ENV_VARS: [(&str, &str); 3] = [
    (
        "PINION_PROFILE",
        "a profile name (`low-latency`, `testing`, ...), applied first",
    ),
    ("PINION_SHARDS", "the shard count, a positive integer"),
    (
        "PINION_DRIVER",
        "the reactor driver: `uring`, `epoll` or `auto`",
    ),
];

impl Builder {
    /// Starts from the detected defaults ([`Builder::new`]), then applies the
    /// `PINION_*` variables of the process environment listed in
    /// [`ENV_VARS`]: `PINION_PROFILE`, `PINION_SHARDS`, `PINION_DRIVER`.
    /// Anything set on the builder afterwards wins over them.
    ///
    /// A value that does not parse makes [`Builder::validate`] (and
    /// `build()`) fail with [`ConfigError::Env`], unless a later explicit
    /// setting of the same field replaces it.
    ///
    /// ```
    /// use actor_core::config::{Builder, DriverChoice};
    ///
    /// // An explicit setting wins over PINION_DRIVER, whatever it says.
    /// let b = Builder::from_env().driver(DriverChoice::Epoll);
    /// assert_eq!(b.config().driver, DriverChoice::Epoll);
    /// assert_eq!(b.validate(), Ok(()));
    /// ```
    pub fn from_env() -> Self {
        Self::from_env_vars(|name| std::env::var(name).ok())
    }

    /// [`Builder::from_env`] reading the variables through `get` instead of
    /// the process environment (tests, configuration files).
    ///
    /// ```
    /// use actor_core::config::{Builder, ConfigError, DriverChoice};
    ///
    /// let vars = |name: &str| (name == "PINION_DRIVER").then(|| "epoll".to_owned());
    /// assert_eq!(Builder::from_env_vars(vars).config().driver, DriverChoice::Epoll);
    ///
    /// let bad = |name: &str| (name == "PINION_SHARDS").then(|| "many".to_owned());
    /// assert!(matches!(
    ///     Builder::from_env_vars(bad).validate(),
    ///     Err(ConfigError::Env { var: "PINION_SHARDS", .. })
    /// ));
    /// ```
    pub fn from_env_vars(get: impl Fn(&str) -> Option<String>) -> Self {
        let mut b = Self::new();
        let mut errors = Vec::new();
        let mut bad = |var: &'static str, value: &str| {
            let expected = ENV_VARS
                .iter()
                .find(|(name, _)| *name == var)
                .map_or("", |(_, what)| *what);
            errors.push(ConfigError::Env {
                var,
                value: value.to_owned(),
                expected,
            });
        };
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        if let Some(v) = get("PINION_PROFILE") {
            match v.parse::<Profile>() {
                Ok(p) => b = b.profile(p),
                Err(_) => bad("PINION_PROFILE", &v),
            }
        }
        if let Some(v) = get("PINION_SHARDS") {
            match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => b = b.shards(n),
                _ => bad("PINION_SHARDS", &v),
            }
        }
        if let Some(v) = get("PINION_DRIVER") {
            match v.trim().to_ascii_lowercase().as_str() {
                "uring" => b = b.driver(DriverChoice::Uring),
                "epoll" => b = b.driver(DriverChoice::Epoll),
                "auto" => b = b.driver(DriverChoice::Auto),
                _ => bad("PINION_DRIVER", &v),
            }
        }
        b.env_errors = errors;
        b
    }

    /// Forgets a bad value of `var`: an explicit setting replaced it.
    pub(super) fn settle_env(&mut self, var: &str) {
        self.env_errors
            .retain(|e| !matches!(e, ConfigError::Env { var: v, .. } if *v == var));
    }
}
