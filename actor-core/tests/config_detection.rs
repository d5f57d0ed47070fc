//! Detection and defaults against fixture trees: committed ones under
//! `tests/fixtures/`, and a 64-core two-node machine generated into a temp dir.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use actor_core::config::{
    Builder, Defaults, Detection, DriverChoice, Profile, Report, Role, UringOpcodes, UringSupport,
};
use proptest::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fixture tree written into a unique temp dir, removed on drop.
struct Tree {
    root: PathBuf,
}

impl Tree {
    fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let unique = format!(
            "pinion-config-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let root = std::env::temp_dir().join(unique);
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Self { root }
    }

    fn file(&self, path: &str, contents: &str) -> &Self {
        let path = self.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// 2 packages × 16 cores × 2 threads, numbered as Linux does: 0-15 package 0,
/// 16-31 package 1, 32-63 their hyperthread siblings. 256 GiB available.
fn sixty_four_cores() -> Tree {
    let tree = Tree::new("64cores");
    tree.file("sys/devices/system/cpu/online", "0-63\n");
    tree.file("sys/devices/system/node/node0/cpulist", "0-15,32-47\n")
        .file("sys/devices/system/node/node1/cpulist", "16-31,48-63\n")
        .file("sys/devices/system/node/online", "0-1\n")
        .file(
            "proc/meminfo",
            "MemTotal: 536870912 kB\nMemAvailable: 268435456 kB\n",
        );
    tree
}

#[test]
fn one_core_without_numa() {
    let d = Detection::probe_at(&fixture("one_core"));
    assert_eq!(d.cpu.logical_cores, Some(1));
    assert_eq!(d.cpu.online, [0]);
    assert!(d.cpu.numa_nodes.is_empty());
    assert!(
        d.cpu.allowed.is_empty(),
        "the affinity mask never comes from a fixture root"
    );
    assert_eq!(d.memory.total_bytes, Some(512 << 20));
    assert_eq!(d.memory.available_bytes, Some(256 << 20));
    assert_eq!(d.uring, UringSupport::Unknown);

    let defaults = Defaults::from_detection(&d);
    let c = &defaults.config;
    assert_eq!(c.shards, 1);
    assert!(!c.pin_threads);
    assert_eq!(c.mailbox_capacity, 256);
    assert_eq!(c.driver, DriverChoice::Auto);
    assert!(c.roles.is_none());
    assert_eq!(c.topology.nodes(), [vec![0]]);
    assert_eq!(c.validate(), Ok(()));
}

#[test]
fn sixty_four_cores_on_two_numa_nodes() {
    let tree = sixty_four_cores();
    let d = Detection::probe_at(&tree.root);
    assert_eq!(d.cpu.logical_cores, Some(64));
    assert_eq!(d.cpu.numa_nodes.len(), 2);
    assert_eq!(d.cpu.numa_nodes[1].id, 1);
    assert_eq!(d.cpu.numa_nodes[0].cpus.len(), 32);
    assert!(d.cpu.numa_nodes[1].cpus.contains(&48));

    let defaults = Defaults::from_detection(&d);
    let c = &defaults.config;
    assert_eq!(c.shards, 64);
    assert!(!c.pin_threads, "pinning is for dedicated hosts (profiles)");
    assert_eq!(c.mailbox_capacity, 4096, "256 GiB / 64 shards / 1 MiB");
    // NUMA drives placement: shards 0-31 on node 0's CPUs, 32-63 on node 1's.
    let placement = c.topology.place(c.shards);
    assert_eq!(placement.get(0).unwrap().cpu, Some(0));
    assert_eq!(
        placement.get(16).unwrap().cpu,
        Some(32),
        "node 0 goes on to 32-47"
    );
    assert_eq!(placement.get(32).unwrap().node, 1);
    assert_eq!(placement.get(32).unwrap().cpu, Some(16));
    // ...and the I/O role is spread over the nodes: one per node.
    assert_eq!(c.roles.shards(Role::Io), [31, 63]);
    assert_eq!(c.roles.role(63), Role::Io);
    assert_eq!(c.roles.role(0), Role::Compute);
    assert!(
        defaults
            .choice("topology")
            .unwrap()
            .reason
            .contains("2 NUMA nodes")
    );
    assert_eq!(c.validate(), Ok(()));
}

#[test]
fn allowed_cores_cap_shards_and_disable_pinning() {
    let tree = sixty_four_cores();
    let mut d = Detection::probe_at(&tree.root);
    d.cpu.allowed_cores = Some(4);
    let defaults = Defaults::from_detection(&d);
    assert_eq!(defaults.config.shards, 4);
    assert!(!defaults.config.pin_threads);
    assert!(
        defaults
            .choice("shards")
            .unwrap()
            .reason
            .contains("4 of 64")
    );
}

#[test]
fn uring_disabled_and_devices() {
    let d = Detection::probe_at(&fixture("uring_disabled"));
    assert!(matches!(&d.uring, UringSupport::Disabled(why) if why.contains("= 2")));

    assert_eq!(
        d.gpu.devices,
        ["/dev/nvidia0", "/dev/nvidia1", "/dev/dri/renderD128"]
    );
    assert!(d.gpu.adapters.is_empty());

    let defaults = Defaults::from_detection(&d);
    let c = &defaults.config;
    assert_eq!(c.driver, DriverChoice::Epoll);
    assert!(
        defaults
            .choice("driver")
            .unwrap()
            .reason
            .contains("unavailable")
    );
    assert_eq!(c.shards, 8);
    assert_eq!(c.mailbox_capacity, 1024, "8 GiB / 8 shards / 1 MiB");
    assert_eq!(c.blocking_threads, 4, "epoll sends file I/O to the pool");
    assert_eq!(c.roles.shards(Role::Accelerator), [0]);
    assert_eq!(c.roles.shards(Role::Io), [7]);
    assert_eq!(c.roles.shards(Role::Storage), [7], "storage shares I/O");
    assert_eq!(c.validate(), Ok(()));
}

#[test]
fn missing_sys_means_unknown_and_one_shard() {
    let tree = Tree::new("empty");
    let d = Detection::probe_at(&tree.root);
    assert_eq!(d, Detection::default());
    let defaults = Defaults::from_detection(&d);
    assert_eq!(defaults.config.shards, 1);
    assert_eq!(defaults.config.mailbox_capacity, 1024);
    assert_eq!(defaults.config.validate(), Ok(()));
    // A root that does not exist at all behaves the same.
    assert_eq!(
        Detection::probe_at(&tree.root.join("absent")),
        Detection::default()
    );
}

#[test]
fn every_setting_has_a_reason() {
    let defaults = Defaults::from_detection(&Detection::probe_at(&fixture("uring_disabled")));
    for setting in [
        "shards",
        "pin_threads",
        "mailbox_capacity",
        "driver",
        "budget",
        "shutdown_timeout",
        "spin_before_park",
        "blocking_threads",
        "thread_name",
        "topology",
        "roles",
        "seed",
    ] {
        let choice = defaults
            .choice(setting)
            .unwrap_or_else(|| panic!("no choice for {setting}"));
        assert!(
            !choice.reason.is_empty() && !choice.value.is_empty(),
            "{setting}"
        );
    }
}

#[test]
fn report_lists_detection_and_choices() {
    let text = Report::new(Detection::probe_at(&fixture("uring_disabled"))).to_string();
    for needle in ["logical cores", "8", "disabled", "renderD128", "topology"] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(text.contains("mailbox_capacity") && text.contains("Epoll"));
}

#[test]
fn real_probe_is_usable() {
    let d = Detection::probe();
    assert!(
        d.cpu.logical_cores.is_some(),
        "available_parallelism backs the real probe"
    );
    let b = Builder::new();
    assert_eq!(b.validate(), Ok(()));
    assert_eq!(Builder::new().profile(Profile::Testing).config().shards, 2);
    println!("{}", Report::detect());
}

fn arb_uring() -> impl Strategy<Value = UringSupport> {
    prop_oneof![
        Just(UringSupport::Unknown),
        Just(UringSupport::Disabled("test".into())),
        Just(UringSupport::Supported(UringOpcodes::all())),
        Just(UringSupport::Supported(UringOpcodes::none())),
    ]
}

prop_compose! {
    fn arb_detection()(
        logical in proptest::option::of(0usize..512),
        allowed in proptest::option::of(0usize..512),
        total in proptest::option::of(0u64..(1 << 40)),
        available in proptest::option::of(0u64..(1 << 40)),
        uring in arb_uring(),
        gpu in any::<bool>(),
    ) -> Detection {
        let mut d = Detection::default();
        d.cpu.logical_cores = logical;
        d.cpu.allowed_cores = allowed;
        d.memory.total_bytes = total;
        d.memory.available_bytes = available;
        d.uring = uring;
        if gpu {
            d.gpu.devices.push("/dev/nvidia0".into());
        }
        d
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn defaults_are_always_valid(d in arb_detection()) {
        let defaults = Defaults::from_detection(&d);
        let c = &defaults.config;
        prop_assert_eq!(c.validate(), Ok(()));
        prop_assert!(c.shards >= 1);
        prop_assert!((256..=8192).contains(&c.mailbox_capacity));
        prop_assert!(c.mailbox_capacity.is_power_of_two());
        prop_assert_eq!(!c.roles.shards(Role::Accelerator).is_empty(), d.gpu.present());
        for profile in Profile::ALL {
            let b = Builder::from_detection(&d).profile(profile);
            prop_assert_eq!(b.validate(), Ok(()), "{:?}", profile);
        }
    }
}
