//! Building a runtime: the driver each shard really runs, the builder winning
//! over the environment, a shard without a reactor failing the build,
//! placement by topology and roles, and the system sample. Run under both
//! `PINION_DRIVER=uring` and `=epoll`. (The opcode-denial switch, which needs
//! the `io_driver` seam, is tested in actor-io's `tcp` tests.)

use std::sync::mpsc;
use std::time::Duration;

use actor_core::config::{Builder, DriverChoice, Role, ShardRoles, Topology};
use actor_core::prelude::*;
use actor_core::{DriverKind, StartError};

/// Runs `f` on `shard` of `rt` and returns its answer.
fn on_shard<T: Send + 'static>(
    rt: &Runtime,
    shard: usize,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    struct Once;
    impl Actor for Once {
        type Msg = ();
        async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
    }
    let (tx, rx) = mpsc::channel();
    rt.spawn_on(shard, move || {
        tx.send(f()).unwrap();
        Once
    })
    .unwrap();
    rx.recv_timeout(Duration::from_secs(30)).unwrap()
}

/// The driver `PINION_DRIVER` asks this run for, if any.
fn wanted() -> Option<DriverKind> {
    match std::env::var("PINION_DRIVER").ok()?.as_str() {
        "uring" => Some(DriverKind::Uring),
        "epoll" => Some(DriverKind::Epoll),
        _ => None,
    }
}

#[test]
fn the_environment_picks_the_driver_of_this_run() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let drivers = rt.shard_drivers();
    assert_eq!(drivers.len(), 2);
    if let Some(want) = wanted() {
        assert_eq!(
            drivers,
            [want, want],
            "PINION_DRIVER selects every shard's driver"
        );
        assert_eq!(rt.driver(), want);
    }
    // actor-io's `tcp` tests check each shard's driver from the shard itself
    // (through the `unstable` io_driver seam); here, the report agrees.
    let report = rt.handle().report().to_string();
    assert!(report.contains(&format!("{:<6} node", drivers[1].as_str())));
    rt.shutdown().unwrap();
}

#[test]
fn an_explicit_driver_wins_over_the_environment() {
    let env = |var: &str| (var == "PINION_DRIVER").then(|| "uring".to_owned());
    let rt = Builder::from_env_vars(env)
        .shards(2)
        .driver(DriverChoice::Epoll)
        .build()
        .unwrap();
    assert_eq!(rt.shard_drivers(), [DriverKind::Epoll, DriverKind::Epoll]);
    rt.shutdown().unwrap();
    // Builder::new reads no environment at all.
    assert_eq!(
        Builder::new().config().driver,
        Builder::new().config().driver
    );
    let bad = |var: &str| (var == "PINION_DRIVER").then(|| "kqueue".to_owned());
    assert!(matches!(
        Builder::from_env_vars(bad).shards(1).build(),
        Err(StartError::Config(_))
    ));
    let overridden = Builder::from_env_vars(bad)
        .shards(1)
        .driver(DriverChoice::Epoll);
    assert_eq!(
        overridden.validate(),
        Ok(()),
        "the explicit setting replaced it"
    );
}

#[test]
fn a_shard_without_a_reactor_fails_the_build() {
    for shard in [0, 1] {
        let err = Runtime::builder()
            .shards(2)
            .fail_reactor_on(shard)
            .build()
            .unwrap_err();
        match err {
            StartError::NoReactor { shard: s, .. } => assert_eq!(s, shard),
            other => panic!("expected NoReactor, got {other:?}"),
        }
    }
    // The shards that had started were stopped: a new runtime starts fine.
    let rt = Runtime::builder().shards(2).build().unwrap();
    rt.shutdown().unwrap();
}

#[test]
fn roles_decide_default_placement() {
    let roles = ShardRoles::none().with_io(2).with_accelerator(0);
    let rt = Runtime::builder().shards(4).roles(roles).build().unwrap();
    let h = rt.handle();
    assert_eq!(h.shard_for(Role::Io), 2);
    assert_eq!(
        h.shards_for(Role::Storage),
        [2],
        "storage shares the I/O shard"
    );
    assert_eq!(h.shard_for(Role::Accelerator), 0);
    assert_eq!(h.shards_for(Role::Compute), [1, 3]);
    let computes: Vec<_> = (0..4).map(|_| h.shard_for(Role::Compute)).collect();
    assert!(computes.iter().all(|s| [1, 3].contains(s)));
    assert!(
        computes.contains(&1) && computes.contains(&3),
        "taken in turn"
    );
    // On a shard with the role, the calling shard itself.
    let h2 = h.clone();
    assert_eq!(on_shard(&rt, 3, move || h2.shard_for(Role::Compute)), 3);
    let infos = h.shard_info();
    assert_eq!(infos[2].role, Role::Io);
    assert_eq!(infos[0].role, Role::Accelerator);
    rt.shutdown().unwrap();

    let plain = Runtime::builder()
        .shards(2)
        .roles(ShardRoles::none())
        .build()
        .unwrap();
    assert_eq!(
        plain.handle().shards_for(Role::Io),
        [0, 1],
        "no dedicated shard: all"
    );
    plain.shutdown().unwrap();
}

#[test]
fn pinned_shards_follow_the_topology() {
    let Some(cpus) = core_affinity_ids().filter(|c| c.len() >= 2) else {
        return; // one allowed CPU: nothing to reorder
    };
    // A fake two-node machine made of two real CPUs, listed in reverse.
    let topology = Topology::new(vec![vec![cpus[1]], vec![cpus[0]]]);
    let rt = Runtime::builder()
        .shards(2)
        .topology(topology)
        .pin_threads(true)
        .build()
        .unwrap();
    let infos = rt.handle().shard_info().to_vec();
    assert_eq!((infos[0].node, infos[1].node), (0, 1));
    assert_eq!((infos[0].cpu, infos[1].cpu), (Some(cpus[1]), Some(cpus[0])));
    // SAFETY: sched_getcpu takes no arguments.
    let on0 = on_shard(&rt, 0, || unsafe { libc::sched_getcpu() });
    assert_eq!(on0, cpus[1] as i32, "shard 0 runs on its node's CPU");
    let report = rt.handle().report().to_string();
    assert!(report.contains("Running") && report.contains(&format!("cpu {}", cpus[0])));
    rt.shutdown().unwrap();
}

fn core_affinity_ids() -> Option<Vec<usize>> {
    let d = actor_core::config::Detection::probe();
    (!d.cpu.allowed.is_empty()).then_some(d.cpu.allowed)
}

#[test]
fn system_samples_measure_the_process() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let before = rt.handle().system_sample();
    let mut x = 0u64;
    let end = std::time::Instant::now() + Duration::from_millis(60);
    while std::time::Instant::now() < end {
        x = std::hint::black_box(x.wrapping_add(1));
    }
    let after = rt.handle().system_sample();
    assert!(after.process_rss_bytes.unwrap() > 1 << 20);
    assert!(after.process_cpu_time > before.process_cpu_time);
    let used = after.process_cpu_since(&before);
    assert!(used > 0.2, "a busy loop used {used} CPUs");
    let total = after.memory_total_bytes.unwrap();
    assert!(after.memory_available_bytes.unwrap() <= total);
    if let Some(busy) = after.cpu_busy_since(&before) {
        assert!(busy > 0.0 && busy <= 1.0, "{busy}");
    }
    rt.shutdown().unwrap();
}
