#![allow(missing_docs)]
//! Each strategy crossed with each restart type: exact child counts and the
//! exact start/stop order (OTP's supervisor_SUITE one_for_one, one_for_all,
//! rest_for_one, permanent/transient/temporary cases).

mod common;

use std::time::Duration;

use actor_core::ExitReason;
use actor_supervisor::{ChildCounts, ChildState, Restart, Strategy, SupervisorRef};
use common::{Msg, Worker, log, quiet_panics, runtime, tree, wait_until};

const LIMIT: Duration = Duration::from_secs(10);

/// What `b` does to end its incarnation.
#[derive(Clone, Copy, Debug)]
enum Exit {
    Crash,
    Normal,
}

fn case(
    strategy: Strategy,
    restart: Restart,
    exit: Exit,
) -> (Vec<String>, ChildCounts, Option<ChildState>) {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let tree = tree(
        &rt,
        strategy,
        [Restart::Permanent, restart, Restart::Permanent],
        &log,
    );
    assert_eq!(
        *log.lock(),
        ["start:a", "start:b", "start:c"],
        "start in spec order"
    );
    log.lock().clear();
    let events = tree.subscribe();
    let b = tree.child::<Worker>("b").unwrap();
    match exit {
        Exit::Crash => b.tell_blocking(Msg::Crash).unwrap(),
        Exit::Normal => b.tell_blocking(Msg::Exit(ExitReason::Normal)).unwrap(),
    }
    // The exit is fully handled once `b` is reported stopped and the
    // supervisor has answered a later request.
    let ev = events.recv_timeout(LIMIT).expect("an event");
    assert_eq!(ev.child.as_deref(), Some("b"));
    let counts = tree.count_children_blocking().unwrap();
    let state = tree
        .which_children_blocking()
        .unwrap()
        .into_iter()
        .find(|c| c.id == "b")
        .map(|c| c.state);
    let got = log.lock().clone();
    tree.shutdown_blocking(LIMIT).unwrap();
    rt.shutdown().unwrap();
    (got, counts, state)
}

fn counts(specs: usize, active: usize) -> ChildCounts {
    ChildCounts {
        specs,
        active,
        supervisors: 0,
        workers: specs,
    }
}

#[test]
fn one_for_one_restarts_only_the_failed_child() {
    use Restart::*;
    let s = Strategy::OneForOne;
    assert_eq!(
        case(s, Permanent, Exit::Crash),
        (v(&["start:b"]), counts(3, 3), Some(ChildState::Running))
    );
    assert_eq!(
        case(s, Transient, Exit::Crash),
        (v(&["start:b"]), counts(3, 3), Some(ChildState::Running))
    );
    assert_eq!(
        case(s, Temporary, Exit::Crash),
        (v(&[]), counts(2, 2), None)
    );
    assert_eq!(
        case(s, Permanent, Exit::Normal),
        (
            v(&["stop:b", "start:b"]),
            counts(3, 3),
            Some(ChildState::Running)
        )
    );
    assert_eq!(
        case(s, Transient, Exit::Normal),
        (v(&["stop:b"]), counts(3, 2), Some(ChildState::Terminated))
    );
    assert_eq!(
        case(s, Temporary, Exit::Normal),
        (v(&["stop:b"]), counts(2, 2), None)
    );
}

#[test]
fn all_for_one_stops_all_in_reverse_then_restarts_all_in_order() {
    use Restart::*;
    let s = Strategy::AllForOne;
    let all = ["stop:c", "stop:a", "start:a", "start:b", "start:c"];
    assert_eq!(
        case(s, Permanent, Exit::Crash),
        (v(&all), counts(3, 3), Some(ChildState::Running))
    );
    assert_eq!(
        case(s, Transient, Exit::Crash),
        (v(&all), counts(3, 3), Some(ChildState::Running))
    );
    assert_eq!(
        case(s, Temporary, Exit::Crash),
        (v(&[]), counts(2, 2), None)
    );
    let normal = [
        "stop:b", "stop:c", "stop:a", "start:a", "start:b", "start:c",
    ];
    assert_eq!(
        case(s, Permanent, Exit::Normal),
        (v(&normal), counts(3, 3), Some(ChildState::Running))
    );
    assert_eq!(
        case(s, Transient, Exit::Normal),
        (v(&["stop:b"]), counts(3, 2), Some(ChildState::Terminated))
    );
    assert_eq!(
        case(s, Temporary, Exit::Normal),
        (v(&["stop:b"]), counts(2, 2), None)
    );
}

#[test]
fn rest_for_one_restarts_the_failed_child_and_those_after_it() {
    use Restart::*;
    let s = Strategy::RestForOne;
    let rest = ["stop:c", "start:b", "start:c"];
    assert_eq!(
        case(s, Permanent, Exit::Crash),
        (v(&rest), counts(3, 3), Some(ChildState::Running))
    );
    assert_eq!(
        case(s, Transient, Exit::Crash),
        (v(&rest), counts(3, 3), Some(ChildState::Running))
    );
    assert_eq!(
        case(s, Temporary, Exit::Crash),
        (v(&[]), counts(2, 2), None)
    );
    let normal = ["stop:b", "stop:c", "start:b", "start:c"];
    assert_eq!(
        case(s, Permanent, Exit::Normal),
        (v(&normal), counts(3, 3), Some(ChildState::Running))
    );
    assert_eq!(
        case(s, Transient, Exit::Normal),
        (v(&["stop:b"]), counts(3, 2), Some(ChildState::Terminated))
    );
    assert_eq!(
        case(s, Temporary, Exit::Normal),
        (v(&["stop:b"]), counts(2, 2), None)
    );
}

#[test]
fn transient_child_is_restarted_after_abnormal_reasons_but_not_shutdown() {
    quiet_panics();
    for (reason, restarted) in [
        (ExitReason::Error("bad".into()), true),
        (ExitReason::Shutdown, false),
        (ExitReason::Normal, false),
    ] {
        let rt = runtime();
        let log = log();
        let tree = tree(&rt, Strategy::OneForOne, [Restart::Transient; 3], &log);
        let b = tree.child::<Worker>("b").unwrap();
        b.tell_blocking(Msg::Exit(reason.clone())).unwrap();
        wait_until(LIMIT, "b's exit handled", || {
            log.lock().len() >= 4 + usize::from(restarted)
        });
        let counts = tree.count_children_blocking().unwrap();
        assert_eq!(counts.active, if restarted { 3 } else { 2 }, "{reason}");
        tree.shutdown_blocking(LIMIT).unwrap();
        rt.shutdown().unwrap();
    }
}

#[test]
fn temporary_siblings_are_not_restarted_by_a_group_restart() {
    quiet_panics();
    for strategy in [Strategy::AllForOne, Strategy::RestForOne] {
        let rt = runtime();
        let log = log();
        let restarts = [Restart::Temporary, Restart::Permanent, Restart::Temporary];
        let tree = tree(&rt, strategy, restarts, &log);
        log.lock().clear();
        let events = tree.subscribe();
        tree.child::<Worker>("b")
            .unwrap()
            .tell_blocking(Msg::Crash)
            .unwrap();
        while events.recv_timeout(LIMIT).unwrap().kind != restarted_b(&tree) {}
        let expected: &[&str] = match strategy {
            Strategy::AllForOne => &["stop:c", "stop:a", "start:b"],
            _ => &["stop:c", "start:b"],
        };
        assert_eq!(*log.lock(), expected, "{strategy:?}");
        let ids: Vec<String> = tree
            .which_children_blocking()
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        let left: &[&str] = if strategy == Strategy::AllForOne {
            &["b"]
        } else {
            &["a", "b"]
        };
        assert_eq!(ids, left, "{strategy:?}");
        tree.shutdown_blocking(LIMIT).unwrap();
        rt.shutdown().unwrap();
    }
}

fn restarted_b(tree: &SupervisorRef) -> actor_supervisor::EventKind {
    let actor = tree.child::<Worker>("b").unwrap().id();
    actor_supervisor::EventKind::Restarted { actor }
}

fn v(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| (*s).to_owned()).collect()
}
