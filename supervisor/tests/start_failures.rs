#![allow(missing_docs)]
//! A child whose factory panics on its first start (rule 7): the start of
//! the tree, `start_child` and `restart_child` fail with the child named,
//! instead of waiting forever for a notice nobody forwards. The factory runs
//! inline on the relay's shard, so the relay must watch the child before it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actor_core::ExitReason;
use actor_supervisor::{ChildError, ChildSpec, StartError, Supervisor};
use common::{Worker, log, quiet_panics, runtime, within};

const LIMIT: Duration = Duration::from_secs(10);

fn panicking() -> Worker {
    panic!("the factory fails")
}

#[test]
fn a_factory_panic_on_first_start_fails_the_tree_start() {
    quiet_panics();
    for shard in [0, 1] {
        let rt = runtime();
        let log = log();
        let handle = rt.handle().clone();
        let builder = Supervisor::builder()
            .shard(0)
            .child_spec(ChildSpec::new("ok", Worker::factory("ok", &log)).shard(shard))
            .child_spec(ChildSpec::new("bad", panicking).shard(shard));
        let res = within(LIMIT, "the tree's start", move || {
            builder.spawn_blocking(&handle).map(drop)
        });
        match res {
            Err(StartError::ChildFailed {
                child,
                reason: ExitReason::StartFailed(_),
            }) => assert_eq!(child, "bad"),
            other => panic!("expected ChildFailed(bad), got {other:?}"),
        }
        // The child already started was stopped.
        assert_eq!(*log.lock(), ["start:ok", "stop:ok"]);
        rt.shutdown().unwrap();
    }
}

#[test]
fn a_factory_panic_in_start_child_fails_that_call_only() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let tree = Supervisor::builder()
        .shard(0)
        .child(
            "ok",
            actor_supervisor::Restart::Permanent,
            Worker::factory("ok", &log),
        )
        .spawn_blocking(rt.handle())
        .unwrap();
    for shard in [0, 1] {
        let t = tree.clone();
        let res = within(LIMIT, "start_child", move || {
            t.start_child_blocking(ChildSpec::new("bad", panicking).shard(shard))
                .map(drop)
        });
        assert!(
            matches!(&res, Err(ChildError::StartFailed { child, reason: ExitReason::StartFailed(_) }) if child == "bad"),
            "{res:?}"
        );
    }
    let t = tree.clone();
    let ids = within(LIMIT, "which_children", move || t.child_ids());
    assert_eq!(ids, ["ok"]);
    let t = tree.clone();
    within(LIMIT, "shutdown", move || t.shutdown_blocking(LIMIT)).unwrap();
    rt.shutdown().unwrap();
}

#[test]
fn a_factory_panic_in_restart_child_fails_that_call() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let fail = Arc::new(AtomicBool::new(false));
    let factory = {
        let (fail, log) = (fail.clone(), log.clone());
        move || {
            assert!(!fail.load(Ordering::SeqCst), "the factory fails");
            Worker::new("w", &log)
        }
    };
    let tree = Supervisor::builder()
        .shard(0)
        .child_spec(ChildSpec::new("w", factory).shard(1))
        .spawn_blocking(rt.handle())
        .unwrap();
    let t = tree.clone();
    within(LIMIT, "terminate_child", move || {
        t.terminate_child_blocking("w")
    })
    .unwrap();
    fail.store(true, Ordering::SeqCst);
    let t = tree.clone();
    let res = within(LIMIT, "restart_child", move || {
        t.restart_child_blocking("w")
    });
    assert!(
        matches!(&res, Err(ChildError::StartFailed { child, .. }) if child == "w"),
        "{res:?}"
    );
    // The spec is still there, terminated, and starts once the factory works.
    fail.store(false, Ordering::SeqCst);
    let t = tree.clone();
    within(LIMIT, "restart_child", move || {
        t.restart_child_blocking("w")
    })
    .unwrap();
    assert!(tree.child::<Worker>("w").unwrap().is_running());
    let t = tree.clone();
    within(LIMIT, "shutdown", move || t.shutdown_blocking(LIMIT)).unwrap();
    rt.shutdown().unwrap();
}
