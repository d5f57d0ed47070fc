//! Defaults computed from a [`Detection`], each with the reason it was chosen.
//!
//! Why each default is what it is:
//!
//! - **shards**: one per usable core (online cores, capped by the affinity
//!   mask and cgroup quota), because a shard is a pinned thread that never
//!   blocks; more shards than cores only adds context switches. Unknown → 1,
//!   the one count that is correct everywhere.
//! - **pin_threads**: off. Pinning keeps caches and NUMA-local memory warm,
//!   but only pays on a host dedicated to the runtime: on a shared host a
//!   pinned shard woken by a message must wait for its own core, where an
//!   unpinned one runs on whichever core frees first. On an idle host the two
//!   are alike; compare them with `cargo bench -p benches --bench core --
//!   ask_across_shards_config` while other processes keep the cores busy
//!   (cross-shard asks were about 20× slower pinned on a loaded 2-core
//!   host). `Profile::Performance` and
//!   `Profile::LowLatency`, which assume a dedicated host, pin; so does
//!   `Builder::pin_threads(true)`.
//! - **topology**: the NUMA nodes' CPUs within the affinity mask (one node
//!   of the online CPUs when the kernel lists no nodes). Shards are spread
//!   evenly over the nodes and numbered node by node
//!   ([`Topology::place`](super::Topology::place)); with pinning on, each
//!   shard is pinned to its CPU, so its memory stays node-local.
//! - **roles**: on each NUMA node holding
//!   [`ShardRoles::IO_SHARD_MIN_SHARDS`] or more shards, the node's last
//!   shard takes listeners, connections and storage, so syscalls and
//!   completions do not steal turns from application actors and stay on the
//!   node; with fewer, a dedicated shard would cost too large a share of
//!   capacity. A GPU device gives shard 0 the accelerator queue, so one
//!   shard owns the device and queue.
//! - **mailbox_capacity**: roughly 1 MiB of memory per shard per mailbox
//!   slot — `usable_bytes / (shards × 1 MiB)` rounded down to a power of two,
//!   clamped to 256..=8192. Small enough that a flooded mailbox pushes back
//!   before it exhausts memory, big enough to absorb bursts. Unknown memory
//!   → 1024.
//! - **driver**: `Auto` when io_uring is supported (or not known: `Auto`
//!   probes again at start and falls back to epoll); `Epoll` when it is
//!   disabled, so the runtime does not pay for a probe that will fail.
//! - **budget**: 64 messages per turn, so a hot actor cannot starve its
//!   shard-mates while batching still amortises the cost of a turn.
//! - **spin_before_park**: 20 µs. After its last task, a shard watches its
//!   inbox that long before it parks. A reply from another shard usually
//!   comes within microseconds; caught while spinning it costs no wake-up.
//!   `cargo bench -p benches --bench core -- ask_across_shards_config`
//!   measured 1.61 µs per cross-shard ask with the spin against 77.8 µs
//!   parking at once (idle 2-core host). An idle shard pays at most 20 µs of
//!   CPU per burst of work. The window adapts: a shard woken again within
//!   10× the window doubles it (up to 10×, 200 µs), because a wake-up can
//!   cost more than 20 µs and two shards that each park just before the
//!   other answers would otherwise pay one per message; a longer sleep
//!   resets it.
//!   `Profile::HighThroughput`, `Minimal` and `Embedded` park at once.
//! - **blocking_threads**: 2 when io_uring serves file I/O (the pool only runs
//!   the odd blocking call); with epoll every file operation goes to the pool,
//!   so half the shards, between 2 and 16.
//! - **shutdown_timeout**: 5 s, long enough to flush and fsync, short enough
//!   for a supervisor's restart deadline.
//! - **seed**: none (from the OS); [`Profile::Testing`](super::Profile::Testing)
//!   fixes one.

use std::time::Duration;

use super::{Detection, DriverChoice, Role, RuntimeConfig, ShardRoles, Topology, UringSupport};

/// Smallest default mailbox capacity.
const MIN_CAPACITY: usize = 256;
/// Largest default mailbox capacity.
const MAX_CAPACITY: usize = 8192;
/// Capacity used when memory is unknown.
const FALLBACK_CAPACITY: usize = 1024;
/// Memory budgeted per mailbox slot per shard.
const BYTES_PER_SLOT_PER_SHARD: u64 = 1 << 20;

/// One setting and why it has its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Field name in [`RuntimeConfig`].
    pub setting: &'static str,
    /// The chosen value, formatted.
    pub value: String,
    /// Why, in one line.
    pub reason: String,
}

/// A [`RuntimeConfig`] computed from a [`Detection`], with reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct Defaults {
    /// The computed configuration. Always valid.
    pub config: RuntimeConfig,
    /// One entry per setting, in [`RuntimeConfig`] field order.
    pub choices: Vec<Choice>,
}

impl Defaults {
    /// Defaults for this machine (uses [`Detection::cached`]).
    pub fn detect() -> Self {
        Self::from_detection(Detection::cached())
    }

    /// Defaults for `detection`. Never fails; unknowns get safe values.
    ///
    /// ```
    /// use actor_core::config::{Defaults, Detection};
    ///
    /// let defaults = Defaults::from_detection(&Detection::default());
    /// assert_eq!(defaults.config.shards, 1);
    /// assert!(defaults.choice("shards").unwrap().reason.contains("unknown"));
    /// ```
    pub fn from_detection(d: &Detection) -> Self {
        let mut choices = Vec::new();
        let mut choose = |setting, value: String, reason: String| {
            choices.push(Choice {
                setting,
                value,
                reason,
            });
        };

        let usable = d.cpu.usable_cores().filter(|n| *n > 0);
        let shards = usable.unwrap_or(1);
        choose(
            "shards",
            shards.to_string(),
            match (usable, d.cpu.logical_cores, d.cpu.allowed_cores) {
                (None, ..) => "core count unknown: 1 shard is safe everywhere".into(),
                (Some(_), Some(l), Some(a)) if a < l => {
                    format!("one per core this process may use ({a} of {l} online)")
                }
                (Some(n), ..) => format!("one shard per core ({n} usable)"),
            },
        );

        let whole_machine = d
            .cpu
            .allowed_cores
            .is_none_or(|a| Some(a) >= d.cpu.logical_cores);
        let pin_threads = false;
        choose(
            "pin_threads",
            pin_threads.to_string(),
            if shards > 1 && usable.is_some() && whole_machine {
                "the host may be shared: an unpinned shard runs on whichever core frees first \
                 (pin on a dedicated host: Profile::Performance)"
                    .into()
            } else if !whole_machine {
                "affinity/cgroup limits the cores we may use: let the scheduler place shards".into()
            } else {
                "one shard or unknown cores: nothing to gain from pinning".into()
            },
        );

        let (capacity, reason) = mailbox_capacity(d.memory.usable_bytes(), shards);
        choose("mailbox_capacity", capacity.to_string(), reason);

        let (driver, reason) = driver(&d.uring);
        choose("driver", format!("{driver:?}"), reason);

        let budget = 64;
        choose(
            "budget",
            budget.to_string(),
            "fair turns: a hot actor yields after 64 messages, enough to amortise a turn".into(),
        );

        let shutdown_timeout = Duration::from_secs(5);
        choose(
            "shutdown_timeout",
            format!("{shutdown_timeout:?}"),
            "time to flush and fsync, short of a supervisor's restart deadline".into(),
        );

        let spin_before_park = Duration::from_micros(20);
        choose(
            "spin_before_park",
            format!("{spin_before_park:?}"),
            "a reply from another shard usually lands within microseconds: caught while \
             spinning it needs no eventfd wake-up (bench ask_across_shards_config)"
                .into(),
        );

        let (blocking_threads, reason) = if d.uring.is_supported() {
            (
                2,
                "io_uring does file I/O: the pool only runs odd blocking calls".to_owned(),
            )
        } else {
            let n = (shards / 2).clamp(2, 16);
            (
                n,
                "no io_uring: file I/O runs on the pool; half the shards, 2..=16".to_owned(),
            )
        };
        choose("blocking_threads", blocking_threads.to_string(), reason);

        let tokio_threads = 1;
        choose(
            "tokio_threads",
            tokio_threads.to_string(),
            "futures of tokio-based libraries mostly wait on I/O; with one worker a round trip \
             shard -> tokio -> shard is about twice as fast as with two, which wake each other \
             to search for work (bench tokio_bridge); started only on the first spawn_tokio"
                .into(),
        );

        let thread_name = "pinion-shard".to_owned();
        choose(
            "thread_name",
            thread_name.clone(),
            "shows as pinion-shard-N in top and debuggers".into(),
        );

        let topology = Topology::from_cpu(&d.cpu);
        let placement = topology.place(shards);
        choose(
            "topology",
            topology_value(&topology),
            match topology.node_count() {
                _ if topology.cpus() == 0 => {
                    "CPUs unknown: shards are not placed (pinning follows the affinity mask)".into()
                }
                1 => "one node: shards take the usable CPUs in order".into(),
                n => format!(
                    "{n} NUMA nodes: shards spread evenly, numbered node by node, \
                     so a pinned shard's memory stays on its node"
                ),
            },
        );

        let roles = ShardRoles::derive(&placement, d.gpu.present());
        choose("roles", roles.to_string(), roles_reason(&topology, &roles));

        choose(
            "seed",
            "none".into(),
            "seeded from the OS; Profile::Testing fixes it".into(),
        );

        let config = RuntimeConfig {
            shards,
            pin_threads,
            mailbox_capacity: capacity,
            driver,
            budget,
            shutdown_timeout,
            spin_before_park,
            blocking_threads,
            tokio_threads,
            thread_name,
            topology,
            roles,
            seed: None,
            test_hooks: Default::default(),
        };
        Self { config, choices }
    }

    /// The choice made for `setting` (a [`RuntimeConfig`] field name).
    pub fn choice(&self, setting: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.setting == setting)
    }
}

fn mailbox_capacity(usable_bytes: Option<u64>, shards: usize) -> (usize, String) {
    let Some(bytes) = usable_bytes.filter(|b| *b > 0) else {
        return (
            FALLBACK_CAPACITY,
            "memory unknown: a middle-sized mailbox".into(),
        );
    };
    let per_shard = bytes / (shards as u64).max(1) / BYTES_PER_SLOT_PER_SHARD;
    let pow2 = match per_shard {
        0 => 0,
        n => 1u64 << n.ilog2(),
    };
    let capacity = usize::try_from(pow2)
        .unwrap_or(MAX_CAPACITY)
        .clamp(MIN_CAPACITY, MAX_CAPACITY);
    let reason = format!(
        "{} MiB usable / {shards} shards / 1 MiB per slot, power of two in {MIN_CAPACITY}..={MAX_CAPACITY}",
        bytes >> 20
    );
    (capacity, reason)
}

fn driver(uring: &UringSupport) -> (DriverChoice, String) {
    match uring {
        UringSupport::Supported(ops) if ops.is_complete() => (
            DriverChoice::Auto,
            "io_uring supports every operation the driver uses".into(),
        ),
        UringSupport::Supported(ops) => {
            let missing: Vec<_> = ops.missing().iter().map(|op| op.name()).collect();
            let reason = format!(
                "io_uring works; missing ops fall back per operation: {}",
                missing.join(", ")
            );
            (DriverChoice::Auto, reason)
        }
        UringSupport::Disabled(why) => {
            (DriverChoice::Epoll, format!("io_uring unavailable ({why})"))
        }
        UringSupport::Unknown => (
            DriverChoice::Auto,
            "io_uring not probed: Auto probes at start and falls back to epoll".into(),
        ),
    }
}

fn topology_value(topology: &Topology) -> String {
    if topology.cpus() == 0 {
        return "unknown".into();
    }
    let nodes: Vec<String> = topology
        .nodes()
        .iter()
        .map(|cpus| format!("{} cpus", cpus.len()))
        .collect();
    format!("{} node(s): {}", topology.node_count(), nodes.join(", "))
}

fn roles_reason(topology: &Topology, roles: &ShardRoles) -> String {
    let io = match roles.shards(Role::Io).len() {
        0 => "too few shards per node to dedicate one to I/O".to_owned(),
        1 if topology.node_count() == 1 => {
            "last shard takes I/O and storage so syscalls do not steal application turns".to_owned()
        }
        _ => "each node's last shard takes I/O and storage, so they stay node-local".to_owned(),
    };
    let gpu = if roles.shards(Role::Accelerator).is_empty() {
        "no GPU"
    } else {
        "GPU found: shard 0 owns its queue"
    };
    format!("{io}; {gpu}")
}
