//! The operation table on its own, without a ring: the states a slot goes
//! through, stale keys, orphans and the shard's last resort of leaking.
//! (Also under miri: `cargo +nightly miri test -p actor-core --lib ops_tests`.)

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::task::Waker;

use super::ops::{OpTable, Reaped, Taken};

/// Resources that count their drops.
struct Held(Arc<AtomicUsize>);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn held(drops: &Arc<AtomicUsize>) -> Box<dyn std::any::Any> {
    Box::new(Held(drops.clone()))
}

static HOOK_SAW: AtomicI32 = AtomicI32::new(0);

fn hook(result: i32) {
    HOOK_SAW.store(result, Ordering::Relaxed);
}

#[test]
fn a_slot_waits_completes_and_hands_its_resources_back() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut ops = OpTable::default();
    let key = ops.insert(held(&drops), None);
    assert_eq!(ops.in_flight(), 1);
    assert!(matches!(ops.poll(key, Waker::noop()), Taken::Pending));
    let mut reaped = Reaped::default();
    ops.complete(key, 42, &mut reaped);
    assert_eq!(reaped.wakers.len(), 1, "the waiting task is woken");
    assert_eq!(ops.in_flight(), 0);
    match ops.poll(key, Waker::noop()) {
        Taken::Ready(42, resources) => drop(resources),
        _ => panic!("the completion was not handed over"),
    }
    assert_eq!(drops.load(Ordering::Relaxed), 1);
    // The slot is free again: its old key is gone, a new one reuses it.
    assert!(matches!(ops.poll(key, Waker::noop()), Taken::Gone));
    let again = ops.insert(held(&drops), None);
    assert_ne!(again, key, "a reused slot gets a new generation");
    ops.complete(key, 1, &mut reaped);
    assert!(
        matches!(ops.poll(again, Waker::noop()), Taken::Pending),
        "a stale completion touched the new operation"
    );
}

#[test]
fn an_orphan_keeps_its_resources_until_the_kernel_is_done() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut ops = OpTable::default();
    let mut reaped = Reaped::default();
    let key = ops.insert(held(&drops), Some(hook));
    assert!(
        ops.orphan(key, &mut reaped),
        "still in the kernel: cancel it"
    );
    assert_eq!(drops.load(Ordering::Relaxed), 0, "freed under the kernel");
    assert_eq!(ops.pending_keys(), [key]);
    ops.complete(key, 7, &mut reaped);
    assert_eq!(HOOK_SAW.load(Ordering::Relaxed), 7);
    assert_eq!(ops.in_flight(), 0);
    reaped.finish();
    assert_eq!(drops.load(Ordering::Relaxed), 1);

    // Orphaned after its completion arrived: handed over at once.
    let key = ops.insert(held(&drops), None);
    ops.complete(key, 0, &mut reaped);
    assert!(!ops.orphan(key, &mut reaped));
    reaped.finish();
    assert_eq!(drops.load(Ordering::Relaxed), 2);
    assert!(ops.pending_keys().is_empty());
}

#[test]
#[cfg_attr(miri, ignore = "leaks on purpose, which miri reports")]
fn leaking_forgets_what_the_kernel_may_still_write() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut ops = OpTable::default();
    let mut reaped = Reaped::default();
    let waiting = ops.insert(held(&drops), None);
    let orphaned = ops.insert(held(&drops), None);
    assert!(ops.orphan(orphaned, &mut reaped));
    assert_eq!(ops.pending_keys().len(), 2);
    ops.leak_pending();
    assert_eq!(ops.in_flight(), 0);
    assert!(ops.pending_keys().is_empty());
    assert!(matches!(ops.poll(waiting, Waker::noop()), Taken::Gone));
    drop(ops);
    assert_eq!(
        drops.load(Ordering::Relaxed),
        0,
        "leaked resources were freed"
    );
}
