#![allow(missing_docs)]
//! Restart intensity: one sliding window per supervisor; exceeding it stops
//! the children in reverse order and fails the supervisor, whose parent
//! applies its own strategy — through three levels of nesting.

mod common;

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use actor_core::ExitReason;
use actor_supervisor::{
    EventKind, Intensity, Restart, Strategy, Supervisor, SupervisorEvent, SupervisorRef,
};
use common::{Msg, Worker, log, quiet_panics, runtime};

const LIMIT: Duration = Duration::from_secs(10);

/// Waits until the tree is whole again (some supervisor restarted a child)
/// or the root escalated; returns the supervisors that escalated meanwhile.
fn settle(events: &Receiver<SupervisorEvent>) -> (Vec<String>, bool) {
    let mut escalated = Vec::new();
    loop {
        let ev = events.recv_timeout(LIMIT).expect("an event");
        match ev.kind {
            EventKind::Restarted { .. } => return (escalated, false),
            EventKind::Escalated { .. } => {
                escalated.push(ev.supervisor.to_string());
                if &*ev.supervisor == "root" {
                    return (escalated, true);
                }
            }
            _ => {}
        }
    }
}

fn worker(root: &SupervisorRef) -> actor_core::ActorRef<Worker> {
    let leaf = root
        .supervisor("mid")
        .and_then(|m| m.supervisor("leaf"))
        .unwrap();
    leaf.child::<Worker>("w").unwrap()
}

#[test]
fn exceeding_intensity_escalates_through_three_levels() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let w = Worker::factory("w", &log);
    let leaf = Supervisor::builder()
        .child("w", Restart::Permanent, w)
        .shard(1);
    let mid = Supervisor::builder().supervisor("leaf", Restart::Permanent, leaf);
    let root = Supervisor::builder()
        .name("root")
        .shard(0)
        .strategy(Strategy::OneForOne)
        .supervisor("mid", Restart::Permanent, mid)
        .spawn_blocking(rt.handle())
        .unwrap();
    let events = root.subscribe();
    let mut escalations = Vec::new();
    let mut crashes = 0;
    loop {
        worker(&root).tell_blocking(Msg::Crash).unwrap();
        crashes += 1;
        let (esc, root_failed) = settle(&events);
        escalations.extend(esc);
        if root_failed {
            break;
        }
        assert!(crashes < 20, "the root never failed");
    }
    // Default intensity everywhere: 1 restart in 5 s. Each leaf absorbs one
    // crash, each mid absorbs one leaf failure, the root one mid failure.
    assert_eq!(crashes, 8);
    assert_eq!(
        escalations,
        ["leaf", "leaf", "mid", "leaf", "leaf", "mid", "root"]
    );
    let reason = root.actor().wait_stopped_blocking(LIMIT).unwrap();
    assert!(reason.is_abnormal(), "the root fails abnormally: {reason}");
    assert!(matches!(reason, ExitReason::Error(_)));
    // Every level stopped its children before failing: nothing is left.
    assert_eq!(
        log.lock().iter().filter(|l| l.starts_with("start")).count(),
        8
    );
    assert!(rt.metrics().named.contains(&("supervisor.escalations", 7)));
    rt.shutdown().unwrap();
}

#[test]
fn configured_intensity_allows_that_many_restarts() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let tree = Supervisor::builder()
        .intensity(3, Duration::from_secs(60))
        .child("w", Restart::Permanent, Worker::factory("w", &log))
        .child("x", Restart::Permanent, Worker::factory("x", &log))
        .spawn_blocking(rt.handle())
        .unwrap();
    let events = tree.subscribe();
    // Restarts of different children share the one window.
    for id in ["w", "x", "w"] {
        tree.child::<Worker>(id)
            .unwrap()
            .tell_blocking(Msg::Crash)
            .unwrap();
        assert_eq!(settle(&events), (vec![], false));
    }
    tree.child::<Worker>("x")
        .unwrap()
        .tell_blocking(Msg::Crash)
        .unwrap();
    let reason = tree.actor().wait_stopped_blocking(LIMIT).unwrap();
    assert!(reason.is_abnormal());
    // Escalation stopped the children in reverse start order.
    let tail: Vec<String> = log.lock().iter().rev().take(1).cloned().collect();
    assert_eq!(
        tail,
        ["stop:w"],
        "x crashed (no on_stop), then w was stopped"
    );
    rt.shutdown().unwrap();
}

#[test]
fn window_slides_with_an_injected_clock() {
    let t0 = Instant::now();
    let at = |ms| t0 + Duration::from_millis(ms);
    let mut i = Intensity::new(2, Duration::from_secs(1));
    assert!(i.record(at(0)));
    assert!(i.record(at(500)));
    assert!(!i.record(at(1000)), "3 restarts within 1 s");
    let mut i = Intensity::new(2, Duration::from_secs(1));
    assert!(i.record(at(0)));
    assert!(i.record(at(600)));
    assert!(i.record(at(1001)), "the first restart left the window");
    assert!(!i.record(at(1500)));
    assert_eq!(i.in_window(), 3);
    let mut zero = Intensity::new(0, Duration::from_secs(1));
    assert!(!zero.record(at(0)), "intensity 0 allows no restart");
}
