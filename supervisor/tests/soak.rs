#![allow(missing_docs)]
//! Soak: 100k crash/restart cycles leave threads and fds unchanged and grow
//! memory by less than 1 MiB.
//!
//! Ignored in the default run (it wants a release build); CI runs it as its
//! own step:
//! `cargo test -p actor-supervisor --release --test soak -- --ignored`

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use actor_supervisor::{ChildSpec, Supervisor};
use common::{Msg, Worker, log, quiet_panics, runtime, wait_until};

/// Counts live heap bytes: the precise measure of growth (RSS also moves
/// with the allocator's caching).
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: the caller upholds `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const CYCLES: u64 = 100_000;
const WARM_UP: u64 = 5_000;

fn count_dir(path: &str) -> usize {
    std::fs::read_dir(path).map(Iterator::count).unwrap_or(0)
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
#[ignore = "soak: run with --release --ignored in its own CI step"]
fn hundred_thousand_restarts_leak_nothing() {
    quiet_panics();
    let rt = runtime();
    // A worker that records nothing, so the test itself holds no growing state.
    let log = log();
    let l = log.clone();
    let quiet = move || Worker {
        log: Arc::default(),
        ..Worker::new("w", &l)
    };
    let tree = Supervisor::builder()
        .intensity(u32::MAX, Duration::from_millis(100))
        .child_spec(ChildSpec::new("w", quiet).shard(1))
        .spawn_blocking(rt.handle())
        .unwrap();
    let w = tree.child::<Worker>("w").unwrap();
    let restarts = rt.handle().counter("supervisor.restarts");
    let cycle = |n: u64| {
        let target = restarts.get() + n;
        for _ in 0..n {
            w.tell_blocking(Msg::Crash).unwrap();
        }
        wait_until(Duration::from_secs(120), "restarts", || {
            restarts.get() >= target
        });
    };
    cycle(WARM_UP);
    let (threads, fds, rss) = (
        count_dir("/proc/self/task"),
        count_dir("/proc/self/fd"),
        rss_kib(),
    );
    let live = LIVE.load(Ordering::Relaxed);
    let t0 = Instant::now();
    cycle(CYCLES);
    let took = t0.elapsed();
    let (threads2, fds2, rss2) = (
        count_dir("/proc/self/task"),
        count_dir("/proc/self/fd"),
        rss_kib(),
    );
    let live2 = LIVE.load(Ordering::Relaxed);
    eprintln!(
        "{CYCLES} cycles in {took:?}: threads {threads}->{threads2}, fds {fds}->{fds2}, \
         rss {rss}->{rss2} KiB, live heap {live}->{live2} B"
    );
    assert_eq!(threads2, threads, "threads unchanged");
    assert_eq!(fds2, fds, "fds unchanged");
    assert!(live2 - live < 1 << 20, "live heap grew {} B", live2 - live);
    assert!(
        rss2 < rss + 1024,
        "RSS grew {} KiB",
        rss2.saturating_sub(rss)
    );
    assert_eq!(w.ask_blocking(Msg::Handled).unwrap(), 1);
    assert!(log.lock().is_empty());
    tree.shutdown_blocking(Duration::from_secs(10)).unwrap();
    rt.shutdown().unwrap();
}
