#![allow(missing_docs)]
//! Shutdown: reverse order, each child within its own shutdown; a child that
//! ignores stop is killed after its timeout; the tree's stop is bounded.

mod common;

use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_supervisor::{ChildSpec, Restart, Shutdown, Strategy, Supervisor, SupervisorRef};
use common::{Msg, Worker, log, quiet_panics, runtime, wait_until};

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn a_child_ignoring_stop_is_killed_after_its_timeout() {
    let rt = runtime();
    let log = log();
    let l = log.clone();
    let stubborn = ChildSpec::new("s", move || Worker {
        stubborn: true,
        ..Worker::new("s", &l)
    })
    .shutdown(Shutdown::Timeout(Duration::from_millis(200)))
    .shard(1);
    let tree = Supervisor::builder()
        .shard(0)
        .child("a", Restart::Permanent, Worker::factory("a", &log))
        .child_spec(stubborn)
        .child("c", Restart::Permanent, Worker::factory("c", &log))
        .spawn_blocking(rt.handle())
        .unwrap();
    let s = tree.child::<Worker>("s").unwrap();
    let t0 = Instant::now();
    assert_eq!(tree.shutdown_blocking(LIMIT), Ok(ExitReason::Shutdown));
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(200),
        "waited the timeout: {took:?}"
    );
    assert!(took < Duration::from_secs(3), "bounded: {took:?}");
    assert_eq!(
        *log.lock(),
        [
            "start:a", "start:s", "start:c", "stop:c", "stop:s", "stop:a"
        ]
    );
    assert!(!s.is_alive());
    rt.shutdown().unwrap();
}

/// Calls `shutdown_blocking` from its handler, on a shard thread.
struct Stopper;

impl Actor for Stopper {
    type Msg = (SupervisorRef, ReplyTo<Result<ExitReason, WaitError>>);

    async fn handle(&mut self, (tree, r): Self::Msg, _ctx: &mut Context<Self>) {
        r.send(tree.shutdown_blocking(LIMIT));
    }
}

#[test]
fn shutdown_blocking_tells_a_timeout_from_a_call_on_a_shard_thread() {
    let rt = runtime();
    let log = log();
    let l = log.clone();
    let stubborn = ChildSpec::new("s", move || Worker {
        stubborn: true,
        ..Worker::new("s", &l)
    })
    .shutdown(Shutdown::Timeout(Duration::from_millis(300)));
    let tree = Supervisor::builder()
        .child_spec(stubborn)
        .spawn_blocking(rt.handle())
        .unwrap();
    assert_eq!(
        tree.shutdown_blocking(Duration::from_millis(20)),
        Err(WaitError::Timeout),
        "the stubborn child holds the tree past the limit"
    );
    assert_eq!(tree.shutdown_blocking(LIMIT), Ok(ExitReason::Shutdown));

    let tree = Supervisor::builder()
        .child("a", Restart::Permanent, Worker::factory("a", &log))
        .spawn_blocking(rt.handle())
        .unwrap();
    let stopper = rt.spawn_on(1, || Stopper).unwrap();
    let from_a_shard = stopper.ask_blocking(|r| (tree.clone(), r)).unwrap();
    assert_eq!(from_a_shard, Err(WaitError::WouldBlock));
    // It did ask the tree to stop; only the wait was refused.
    assert_eq!(
        tree.actor().wait_stopped_blocking(LIMIT),
        Ok(ExitReason::Shutdown)
    );
    rt.shutdown().unwrap();
}

#[test]
fn brutal_kills_at_once_and_infinity_waits() {
    let rt = runtime();
    let log = log();
    let brutal = ChildSpec::new("b", Worker::factory("b", &log)).shutdown(Shutdown::Brutal);
    let patient = ChildSpec::new("i", Worker::factory("i", &log)).shutdown(Shutdown::Infinity);
    let tree = Supervisor::builder()
        .child_spec(brutal)
        .child_spec(patient)
        .spawn_blocking(rt.handle())
        .unwrap();
    assert_eq!(tree.shutdown_blocking(LIMIT), Ok(ExitReason::Shutdown));
    // `i` ran its on_stop; `b` was killed, so it did not.
    assert_eq!(*log.lock(), ["start:b", "start:i", "stop:i"]);
    rt.shutdown().unwrap();
}

#[test]
fn a_stubborn_sibling_is_killed_and_restarted_cleanly_in_a_group_restart() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let l = log.clone();
    let stubborn = ChildSpec::new("s", move || Worker {
        stubborn: true,
        ..Worker::new("s", &l)
    })
    .shutdown(Shutdown::Timeout(Duration::from_millis(50)));
    let tree = Supervisor::builder()
        .strategy(Strategy::AllForOne)
        .intensity(5, Duration::from_secs(5))
        .child_spec(stubborn)
        .child("w", Restart::Permanent, Worker::factory("w", &log))
        .spawn_blocking(rt.handle())
        .unwrap();
    let s = tree.child::<Worker>("s").unwrap();
    tree.child::<Worker>("w")
        .unwrap()
        .tell_blocking(Msg::Crash)
        .unwrap();
    wait_until(LIMIT, "the group restarted", || {
        log.lock().last().map(String::as_str) == Some("start:w")
    });
    // The restarted `s` runs and handles messages: the kill did not leave a
    // stop request behind for it.
    assert_eq!(s.ask_blocking(Msg::Handled).unwrap(), 1);
    let c = tree.count_children_blocking().unwrap();
    assert_eq!((c.specs, c.active), (2, 2));
    // A nested stubborn child cannot hold the whole tree up either.
    let t0 = Instant::now();
    tree.shutdown_blocking(LIMIT).unwrap();
    assert!(t0.elapsed() < Duration::from_secs(3));
    rt.shutdown().unwrap();
}

#[test]
fn nested_supervisors_stop_their_children_before_their_parent_moves_on() {
    let rt = runtime();
    let log = log();
    let inner = Supervisor::builder()
        .child("x", Restart::Permanent, Worker::factory("x", &log))
        .child("y", Restart::Permanent, Worker::factory("y", &log));
    let tree = Supervisor::builder()
        .child("a", Restart::Permanent, Worker::factory("a", &log))
        .supervisor("inner", Restart::Permanent, inner)
        .child("z", Restart::Permanent, Worker::factory("z", &log))
        .spawn_blocking(rt.handle())
        .unwrap();
    tree.shutdown_blocking(LIMIT).unwrap();
    let expected = [
        "start:a", "start:x", "start:y", "start:z", "stop:z", "stop:y", "stop:x", "stop:a",
    ];
    assert_eq!(*log.lock(), expected);
    rt.shutdown().unwrap();
}

#[test]
fn killing_a_supervisor_takes_its_children_down() {
    let rt = runtime();
    let log = log();
    let tree = Supervisor::builder()
        .child_spec(ChildSpec::new("a", Worker::factory("a", &log)).shard(1))
        .spawn_blocking(rt.handle())
        .unwrap();
    let a = tree.child::<Worker>("a").unwrap();
    tree.actor().kill();
    wait_until(LIMIT, "the child closed", || !a.is_alive());
    rt.shutdown().unwrap();
}

#[test]
fn runtime_shutdown_with_a_live_tree_is_clean() {
    let rt = runtime();
    let log = log();
    let _tree = Supervisor::builder()
        .child_spec(ChildSpec::new("a", Worker::factory("a", &log)).shard(0))
        .child_spec(ChildSpec::new("b", Worker::factory("b", &log)).shard(1))
        .spawn_blocking(rt.handle())
        .unwrap();
    let t0 = Instant::now();
    rt.shutdown().unwrap();
    assert!(t0.elapsed() < Duration::from_secs(3));
}
