#![allow(missing_docs)]
//! Supervision traffic never waits for room in a mailbox sized by the user:
//! with a runtime default of one or two slots (or a nested supervisor given
//! one slot), trees start, restart, answer calls and shut down.

mod common;

use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_supervisor::{ChildSpec, EventKind, Restart, Strategy, Supervisor, SupervisorRef};
use common::{Msg, Worker, log, quiet_panics, within};

const LIMIT: Duration = Duration::from_secs(10);

fn runtime(capacity: usize) -> Runtime {
    Runtime::builder()
        .shards(2)
        .mailbox_capacity(capacity)
        .shutdown_timeout(Duration::from_secs(2))
        .build()
        .expect("runtime")
}

/// Waits until the worker `get` finds answers an ask; panics after `LIMIT`.
fn wait_answers(what: &str, get: impl Fn() -> Option<ActorRef<Worker>>) {
    let end = Instant::now() + LIMIT;
    loop {
        let w = get();
        let short = Duration::from_millis(100);
        if w.is_some_and(|w| w.ask_blocking_timeout(short, Msg::Handled).is_ok()) {
            return;
        }
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A nested supervisor `sub` with children `n1`, `n2`, `n3`; with
/// `max_restarts` 0 any crash below makes it escalate, so its parent
/// restarts it.
fn nested(
    max_restarts: u32,
    child: impl Fn(ChildSpec<Supervisor>) -> ChildSpec<Supervisor>,
) -> ChildSpec<Supervisor> {
    let log = log();
    let sub = Supervisor::builder()
        .strategy(Strategy::OneForOne)
        .intensity(max_restarts, Duration::from_secs(5))
        .child_spec(ChildSpec::new("n1", Worker::factory("n1", &log)).shard(0))
        .child_spec(ChildSpec::new("n2", Worker::factory("n2", &log)).shard(1))
        .child_spec(ChildSpec::new("n3", Worker::factory("n3", &log)).shard(0));
    child(sub.into_spec("sub"))
}

fn flat_and_nested(rt: &Runtime, sub: ChildSpec<Supervisor>) -> SupervisorRef {
    let log = log();
    let mut b = Supervisor::builder()
        .shard(0)
        .strategy(Strategy::OneForOne)
        .intensity(10_000, Duration::from_secs(5));
    for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
        b = b.child_spec(ChildSpec::new(name, Worker::factory(name, &log)).shard(i % 2));
    }
    let b = b.child_spec(sub);
    let handle = rt.handle().clone();
    within(LIMIT, "the tree's start", move || b.spawn_blocking(&handle)).expect("tree starts")
}

/// Crashes `a`, then a child of `sub` (so `sub` escalates and is restarted),
/// checking each time that everything answers again; then shuts down.
fn exercise(tree: &SupervisorRef, rounds: usize) {
    let events = tree.subscribe();
    let restarted = |child: &str| {
        let end = Instant::now() + LIMIT;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            let ev = events.recv_timeout(left).expect("a restart event");
            if &*ev.supervisor == "supervisor"
                && ev.child.as_deref() == Some(child)
                && matches!(ev.kind, EventKind::Restarted { .. })
            {
                return;
            }
        }
    };
    for round in 0..rounds {
        let a = tree.child::<Worker>("a").unwrap();
        a.tell_blocking(Msg::Crash).unwrap();
        restarted("a");
        wait_answers("a after its restart", || tree.child("a").ok());
        let sub = tree.supervisor("sub").unwrap();
        let victim = ["n1", "n2", "n3"][round % 3];
        sub.child::<Worker>(victim)
            .unwrap()
            .tell_blocking(Msg::Crash)
            .unwrap();
        restarted("sub");
        for n in ["n1", "n2", "n3"] {
            wait_answers(n, || {
                let sub = tree.supervisor("sub").ok()?;
                let w = sub.child::<Worker>(n).ok()?;
                w.is_running().then_some(w)
            });
        }
        for c in ["b", "c"] {
            wait_answers(c, || tree.child(c).ok());
        }
        let t = tree.clone();
        let counts = within(LIMIT, "count_children", move || t.count_children_blocking());
        assert_eq!(counts.unwrap().active, 4);
    }
    let t = tree.clone();
    let reason = within(LIMIT, "shutdown", move || t.shutdown_blocking(LIMIT));
    assert_eq!(reason, Ok(actor_core::ExitReason::Shutdown));
}

#[test]
fn trees_start_and_restart_with_a_runtime_mailbox_of_one_or_two() {
    quiet_panics();
    for capacity in [1, 2] {
        let rt = runtime(capacity);
        let tree = flat_and_nested(&rt, nested(0, |s| s.restart(Restart::Permanent)));
        exercise(&tree, 3);
        rt.shutdown().unwrap();
    }
}

#[test]
fn a_nested_supervisor_with_a_mailbox_of_one_restarts() {
    quiet_panics();
    for capacity in [1, 2] {
        let rt = runtime(64);
        let tree = flat_and_nested(&rt, nested(0, |s| s.mailbox_capacity(capacity)));
        exercise(&tree, 3);
        rt.shutdown().unwrap();
    }
}

#[test]
fn calls_and_crashes_race_on_a_supervisor_with_a_mailbox_of_one() {
    quiet_panics();
    let rt = runtime(1);
    let tree = flat_and_nested(&rt, nested(10_000, |s| s.mailbox_capacity(1)));
    let sub = tree.supervisor("sub").unwrap();
    assert_eq!(sub.actor().mailbox_capacity(), 1);
    let s2 = sub.clone();
    within(Duration::from_secs(60), "calls racing crashes", move || {
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    for _ in 0..200 {
                        s2.which_children_blocking().unwrap();
                        s2.count_children_blocking().unwrap();
                    }
                });
            }
            for n in ["n1", "n2"] {
                let s2 = &s2;
                s.spawn(move || {
                    for _ in 0..200 {
                        if let Ok(w) = s2.child::<Worker>(n) {
                            let _ = w.tell_blocking(Msg::Crash);
                        }
                    }
                });
            }
        });
    });
    for n in ["n1", "n2", "n3"] {
        wait_answers(n, || sub.child(n).ok());
    }
    let t = tree.clone();
    let reason = within(LIMIT, "shutdown", move || t.shutdown_blocking(LIMIT));
    assert_eq!(reason, Ok(actor_core::ExitReason::Shutdown));
    rt.shutdown().unwrap();
}
