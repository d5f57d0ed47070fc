#![allow(missing_docs)]
//! Start order, start failure, shutdown order, typed lookups.

mod common;

use std::time::Duration;

use actor_core::ExitReason;
use actor_supervisor::{ChildError, Restart, StartError, Strategy, Supervisor};
use common::{Worker, log, runtime, tree};

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn children_stop_in_reverse_start_order() {
    let rt = runtime();
    let log = log();
    let tree = tree(&rt, Strategy::OneForOne, [Restart::Permanent; 3], &log);
    let a = tree.child::<Worker>("a").unwrap();
    assert_eq!(tree.shutdown_blocking(LIMIT), Ok(ExitReason::Shutdown));
    assert_eq!(
        *log.lock(),
        [
            "start:a", "start:b", "start:c", "stop:c", "stop:b", "stop:a"
        ]
    );
    assert!(!a.is_alive(), "children are closed for good");
    assert!(matches!(
        tree.child::<Worker>("a"),
        Err(ChildError::NotFound(_))
    ));
    rt.shutdown().unwrap();
}

#[test]
fn a_child_that_fails_to_start_fails_the_tree_and_is_named() {
    let rt = runtime();
    let log = log();
    let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
    let err = Supervisor::builder()
        .child("a", Restart::Permanent, move || Worker::new("a", &l1))
        .child("b", Restart::Permanent, move || Worker {
            fail_start: true,
            ..Worker::new("b", &l2)
        })
        .child("c", Restart::Permanent, move || Worker::new("c", &l3))
        .spawn_blocking(rt.handle())
        .unwrap_err();
    match &err {
        StartError::ChildFailed { child, reason } => {
            assert_eq!(child, "b");
            assert_eq!(*reason, ExitReason::StartFailed("refused to start".into()));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(*log.lock(), ["start:a", "fail:b", "stop:a"]);
    rt.shutdown().unwrap();
}

#[test]
fn lookups_are_typed() {
    let rt = runtime();
    let log = log();
    let tree = tree(&rt, Strategy::OneForOne, [Restart::Permanent; 3], &log);
    assert!(matches!(
        tree.child::<Supervisor>("a"),
        Err(ChildError::WrongType { .. })
    ));
    assert!(matches!(
        tree.child::<Worker>("zz"),
        Err(ChildError::NotFound(_))
    ));
    assert_eq!(tree.child_ids(), ["a", "b", "c"]);
    tree.shutdown_blocking(LIMIT).unwrap();
    rt.shutdown().unwrap();
}
