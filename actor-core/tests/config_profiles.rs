//! Profiles and the builder: one test per profile, asserting what it sets.

use std::time::Duration;

use actor_core::config::{
    Builder, ConfigError, Defaults, Detection, DriverChoice, Profile, Role, RuntimeConfig,
    ShardRoles, Topology, UringOpcodes, UringSupport,
};

/// A 16-core server with 32 GiB available, io_uring and a GPU.
fn server() -> Detection {
    let mut d = Detection::default();
    d.cpu.logical_cores = Some(16);
    d.cpu.allowed_cores = Some(16);
    d.memory.total_bytes = Some(64 << 30);
    d.memory.available_bytes = Some(32 << 30);
    d.uring = UringSupport::Supported(UringOpcodes::all());
    d.gpu.devices.push("/dev/nvidia0".into());
    d
}

fn with(profile: Profile) -> RuntimeConfig {
    let b = Builder::from_detection(&server()).profile(profile);
    assert_eq!(b.validate(), Ok(()), "{profile:?} must be valid");
    b.into_config()
}

#[test]
fn server_defaults() {
    let c = Defaults::from_detection(&server()).config;
    assert_eq!(c.shards, 16);
    assert!(!c.pin_threads, "pinning is for dedicated hosts (profiles)");
    assert_eq!(c.mailbox_capacity, 2048, "32 GiB / 16 shards / 1 MiB");
    assert_eq!(c.driver, DriverChoice::Auto);
    assert_eq!(c.blocking_threads, 2);
    assert_eq!(c.roles.role(0), Role::Accelerator);
    assert_eq!(c.roles.role(15), Role::Io);
}

#[test]
fn development() {
    let c = with(Profile::Development);
    assert_eq!(c.shards, 4);
    assert!(!c.pin_threads);
    assert_eq!(c.shutdown_timeout, Duration::from_secs(1));
    assert_eq!(c.roles.shards(Role::Accelerator), [0]);
    assert_eq!(c.roles.shards(Role::Io), [3]);
}

#[test]
fn testing_is_deterministic() {
    let c = with(Profile::Testing);
    assert_eq!(c.shards, 2);
    assert!(!c.pin_threads);
    assert_eq!(c.seed, Some(Profile::TESTING_SEED));
    assert_eq!(c.roles, ShardRoles::none());
    assert_eq!(c.driver, DriverChoice::Auto);
    // The same config whatever the machine looks like.
    let elsewhere = Builder::from_detection(&Detection::default()).profile(Profile::Testing);
    assert_eq!(elsewhere.into_config(), c);
    let mut disabled = server();
    disabled.uring = UringSupport::Disabled("seccomp".into());
    assert_eq!(
        Builder::from_detection(&disabled)
            .profile(Profile::Testing)
            .into_config(),
        c
    );
}

#[test]
fn production() {
    let c = with(Profile::Production);
    assert_eq!(c.shutdown_timeout, Duration::from_secs(30));
    assert_eq!(c.shards, 16, "keeps detected defaults");
    assert!(
        !c.pin_threads,
        "production hosts are often shared (containers)"
    );
}

#[test]
fn performance() {
    let c = with(Profile::Performance);
    assert!(c.pin_threads);
    assert_eq!(c.budget, 128);
    assert_eq!(c.spin_before_park, Duration::from_micros(50));
}

#[test]
fn low_latency() {
    let c = with(Profile::LowLatency);
    assert!(c.pin_threads);
    assert_eq!(c.spin_before_park, Duration::from_micros(200));
    assert!(c.budget < Defaults::from_detection(&server()).config.budget);
    assert_eq!(c.budget, 16);
}

#[test]
fn high_throughput() {
    let c = with(Profile::HighThroughput);
    assert_eq!(c.mailbox_capacity, 16_384, "4 × 2048, at least 16384");
    assert_eq!(c.budget, 256);
    assert_eq!(c.spin_before_park, Duration::ZERO);
}

#[test]
fn minimal() {
    let c = with(Profile::Minimal);
    assert_eq!(c.shards, 1);
    assert!(!c.pin_threads);
    assert_eq!(c.mailbox_capacity, 256);
    assert_eq!(c.budget, 32);
    assert_eq!(c.blocking_threads, 1);
    assert_eq!(c.roles.shards(Role::Io), [] as [usize; 0]);
    assert_eq!(
        c.roles.shards(Role::Accelerator),
        [0],
        "the GPU stays on the only shard"
    );
}

#[test]
fn embedded() {
    let c = with(Profile::Embedded);
    assert_eq!(c.shards, 1);
    assert!(!c.pin_threads);
    assert_eq!(c.mailbox_capacity, 64);
    assert_eq!(c.budget, 16);
    assert_eq!(c.blocking_threads, 1);
    assert_eq!(c.driver, DriverChoice::Epoll);
    assert_eq!(c.shutdown_timeout, Duration::from_secs(1));
}

#[test]
fn setters_override_profiles() {
    let c = Builder::from_detection(&server())
        .profile(Profile::Minimal)
        .mailbox_capacity(100)
        .driver(DriverChoice::Uring)
        .budget(7)
        .shutdown_timeout(Duration::from_millis(1))
        .spin_before_park(Duration::from_micros(3))
        .blocking_threads(9)
        .thread_name("worker")
        .pin_threads(true)
        .seed(42)
        .into_config();
    assert_eq!(
        (
            c.mailbox_capacity,
            c.driver,
            c.budget,
            c.blocking_threads,
            c.seed
        ),
        (100, DriverChoice::Uring, 7, 9, Some(42))
    );
    assert_eq!(c.shutdown_timeout, Duration::from_millis(1));
    assert_eq!(c.spin_before_park, Duration::from_micros(3));
    assert_eq!(c.thread_name, "worker");
    assert!(c.pin_threads);
    assert_eq!(Builder::from_config(c).seed(None).config().seed, None);
}

#[test]
fn with_and_when() {
    let b = Builder::from_config(RuntimeConfig::with_shards(3))
        .with(|b| b.budget(5))
        .when(false, |b| b.budget(6))
        .when(true, |b| b.mailbox_capacity(77));
    assert_eq!((b.config().budget, b.config().mailbox_capacity), (5, 77));
}

#[test]
fn shards_rederive_roles() {
    let b = Builder::from_detection(&server());
    assert_eq!(b.config().roles.shards(Role::Io), [15]);
    let b = b.shards(6);
    assert_eq!(b.config().roles.shards(Role::Accelerator), [0]);
    assert_eq!(b.config().roles.shards(Role::Io), [5]);
    let b = b.shards(2).roles(ShardRoles::none().with_io(1));
    assert!(b.config().roles.shards(Role::Accelerator).is_empty());
    assert_eq!(b.config().roles.shards(Role::Io), [1]);
}

/// A fake machine: two NUMA nodes of six CPUs each, as an input.
#[test]
fn topology_drives_placement_and_spreads_roles() {
    let two_nodes = Topology::new(vec![vec![0, 1, 2, 6, 7, 8], vec![3, 4, 5, 9, 10, 11]]);
    let b = Builder::from_config(RuntimeConfig::with_shards(1))
        .topology(two_nodes.clone())
        .shards(8);
    let placement = b.config().topology.place(8);
    let cpus: Vec<_> = placement.iter().map(|p| p.cpu.unwrap()).collect();
    assert_eq!(cpus, [0, 1, 2, 6, 3, 4, 5, 9], "grouped by node, four each");
    assert_eq!(b.config().roles.shards(Role::Io), [3, 7], "one per node");
    // Fewer than IO_SHARD_MIN_SHARDS per node: no dedicated I/O shard.
    let small = b.clone().shards(6);
    assert!(small.config().roles.is_none());
    // Twelve shards fill both nodes.
    let full = b.shards(12);
    assert_eq!(full.config().roles.shards(Role::Io), [5, 11]);
    assert_eq!(full.config().roles.compute(12).len(), 10);
    // An uneven machine: the small node holds what it can, the rest spill.
    let uneven = Topology::new(vec![vec![0], vec![1, 2, 3, 4, 5]]);
    let nodes: Vec<_> = uneven.place(4).iter().map(|p| p.node).collect();
    assert_eq!(nodes, [0, 1, 1, 1]);
}

#[test]
fn validate_rejects_unrunnable_configs() {
    let base = || Builder::from_config(RuntimeConfig::with_shards(2));
    assert_eq!(base().validate(), Ok(()));
    assert_eq!(base().shards(0).validate(), Err(ConfigError::ZeroShards));
    assert_eq!(base().budget(0).validate(), Err(ConfigError::ZeroBudget));
    assert_eq!(
        base().mailbox_capacity(0).validate(),
        Err(ConfigError::ZeroMailboxCapacity)
    );
    assert_eq!(
        base().blocking_threads(0).validate(),
        Err(ConfigError::ZeroBlockingThreads)
    );
    assert_eq!(
        base().thread_name("a\0b").validate(),
        Err(ConfigError::InvalidThreadName)
    );
    let err = base()
        .roles(ShardRoles::none().with_accelerator(2))
        .validate()
        .unwrap_err();
    assert_eq!(
        err,
        ConfigError::RoleOutOfRange {
            role: Role::Accelerator,
            shard: 2,
            shards: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "accelerator role is on shard 2, but there are only 2 shards"
    );
    assert!(base().budget(0).try_into_config().is_err());
}

#[test]
fn every_profile_parses_from_its_name() {
    use actor_core::config::Profile;
    for p in Profile::ALL {
        assert_eq!(p.name().parse::<Profile>(), Ok(p));
        assert_eq!(p.to_string(), p.name());
        assert_eq!(format!("{p:?}").parse::<Profile>(), Ok(p));
    }
    assert!("".parse::<Profile>().is_err());
}
