#![allow(missing_docs)]
//! Dynamic children under concurrent calls from plain threads and from
//! actors on both shards; the simple_one_for_one pool.

mod common;

use std::time::Duration;

use actor_core::prelude::*;
use actor_supervisor::{
    ChildError, ChildSpec, ChildState, Pool, Restart, Supervisor, SupervisorRef,
};
use common::{Msg, Worker, log, quiet_panics, runtime, wait_until};

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn start_terminate_restart_delete_lifecycle() {
    let rt = runtime();
    let log = log();
    let tree = Supervisor::builder().spawn_blocking(rt.handle()).unwrap();
    let spec = ChildSpec::new("d", Worker::factory("d", &log)).shard(1);
    let d = tree.start_child_blocking(spec.clone()).unwrap();
    assert_eq!(d.shard(), 1);
    assert!(matches!(
        tree.start_child_blocking(spec),
        Err(ChildError::AlreadyPresent(_))
    ));
    assert!(matches!(
        tree.delete_child_blocking("d"),
        Err(ChildError::Running(_))
    ));
    assert!(matches!(
        tree.restart_child_blocking("d"),
        Err(ChildError::Running(_))
    ));
    tree.terminate_child_blocking("d").unwrap();
    assert!(!d.is_alive());
    let info = tree.which_children_blocking().unwrap();
    assert_eq!(
        (info[0].state, info[0].actor),
        (ChildState::Terminated, None)
    );
    tree.restart_child_blocking("d").unwrap();
    let d2 = tree.child::<Worker>("d").unwrap();
    assert_ne!(d2, d, "a terminated child restarts as a new actor");
    assert_eq!(d2.ask_blocking(Msg::Handled).unwrap(), 1);
    tree.terminate_child_blocking("d").unwrap();
    tree.delete_child_blocking("d").unwrap();
    assert_eq!(tree.count_children_blocking().unwrap().specs, 0);
    assert!(matches!(
        tree.terminate_child_blocking("d"),
        Err(ChildError::NotFound(_))
    ));
    assert_eq!(*log.lock(), ["start:d", "stop:d", "start:d", "stop:d"]);
    // A dynamic child that fails to start is not kept.
    let l = log.clone();
    let bad = ChildSpec::new("bad", move || Worker {
        fail_start: true,
        ..Worker::new("bad", &l)
    });
    assert!(matches!(
        tree.start_child_blocking(bad),
        Err(ChildError::StartFailed { .. })
    ));
    assert_eq!(tree.count_children_blocking().unwrap().specs, 0);
    tree.shutdown_blocking(LIMIT).unwrap();
    assert!(matches!(
        tree.count_children_blocking(),
        Err(ChildError::SupervisorDown)
    ));
    rt.shutdown().unwrap();
}

/// An actor that drives the dynamic API from its shard.
struct Driver {
    tree: SupervisorRef,
    log: common::Log,
}

impl Actor for Driver {
    type Msg = (u32, ReplyTo<Result<(), ChildError>>);
    async fn handle(&mut self, (n, reply): Self::Msg, _: &mut Context<Self>) {
        reply.send(churn(&self.tree, &self.log, &format!("actor{n}")).await);
    }
}

async fn churn(tree: &SupervisorRef, log: &common::Log, prefix: &str) -> Result<(), ChildError> {
    for i in 0..20 {
        let id = format!("{prefix}-{i}");
        let spec = ChildSpec::new(id.clone(), Worker::factory("dyn", log)).shard(i % 2);
        let w = tree.start_child(spec).await?;
        w.tell(Msg::Seq(0, 0)).await.ok();
        if i % 3 == 0 {
            tree.terminate_child(&id).await?;
            tree.restart_child(&id).await?;
        }
        if i % 2 == 0 {
            tree.terminate_child(&id).await?;
            tree.delete_child(&id).await?;
        }
        let _ = tree.which_children().await?;
        let _ = tree.count_children().await?;
    }
    Ok(())
}

#[test]
fn concurrent_calls_from_threads_and_shards() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let tree = Supervisor::builder()
        .shard(0)
        .intensity(100, Duration::from_secs(1))
        .spawn_blocking(rt.handle())
        .unwrap();
    let drivers: Vec<_> = (0..4u32)
        .map(|n| {
            let (tree, log) = (tree.clone(), log.clone());
            rt.spawn_on(n as usize % 2, move || Driver { tree, log })
                .unwrap()
        })
        .collect();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (tree, log, rt) = (&tree, &log, &rt);
            s.spawn(move || {
                rt.block_on(churn(tree, log, &format!("thread{t}")))
                    .unwrap()
            });
        }
        for (n, d) in drivers.iter().enumerate() {
            s.spawn(move || d.ask_blocking(|r| (n as u32, r)).unwrap().unwrap());
        }
    });
    // 8 callers × 20 children, half deleted.
    let counts = tree.count_children_blocking().unwrap();
    assert_eq!((counts.specs, counts.active, counts.workers), (80, 80, 80));
    let ids = tree.child_ids();
    assert_eq!(ids.len(), 80);
    assert!(
        ids.iter()
            .all(|id| id.rsplit('-').next().unwrap().parse::<u32>().unwrap() % 2 == 1)
    );
    // The dynamic children are supervised like any other.
    let w = tree.child::<Worker>(&ids[5]).unwrap();
    w.tell_blocking(Msg::Crash).unwrap();
    wait_until(LIMIT, "restart", || {
        w.is_running() && w.ask_blocking(Msg::Handled) == Ok(1)
    });
    tree.shutdown_blocking(LIMIT).unwrap();
    rt.shutdown().unwrap();
}

#[test]
fn pool_of_identical_workers() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let template =
        ChildSpec::new("conn", Worker::factory("conn", &log)).restart(Restart::Permanent);
    let pool = rt
        .block_on(
            Pool::builder(template)
                .size(4)
                .intensity(10, Duration::from_secs(1))
                .spawn(rt.handle()),
        )
        .unwrap();
    let workers = pool.workers();
    assert_eq!(workers.len(), 4);
    let shards: Vec<usize> = workers.iter().map(ActorRef::shard).collect();
    assert_eq!(shards, [0, 1, 0, 1], "spread round-robin");
    let extra = pool.start_worker_blocking().unwrap();
    assert_eq!(pool.len(), 5);
    workers[1].tell_blocking(Msg::Crash).unwrap();
    wait_until(LIMIT, "pool restart", || {
        workers[1].ask_blocking(Msg::Handled) == Ok(1)
    });
    rt.block_on(pool.terminate_worker(&extra)).unwrap();
    assert_eq!(pool.len(), 4);
    assert_eq!(pool.tree().count_children_blocking().unwrap().specs, 4);
    let ids = pool.tree().child_ids();
    assert_eq!(ids, ["conn-0", "conn-1", "conn-2", "conn-3"]);
    pool.tree().shutdown_blocking(LIMIT).unwrap();
    rt.shutdown().unwrap();
}

#[test]
fn events_and_counters_are_published() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let tree = Supervisor::builder()
        .name("obs")
        .intensity(5, Duration::from_secs(5))
        .child("w", Restart::Permanent, Worker::factory("w", &log))
        .spawn_blocking(rt.handle())
        .unwrap();
    let events = tree.subscribe();
    let w = tree.child::<Worker>("w").unwrap();
    w.tell_blocking(Msg::Crash).unwrap();
    let first = events.recv_timeout(LIMIT).unwrap();
    assert_eq!(&*first.supervisor, "obs");
    assert!(
        matches!(first.kind, actor_supervisor::EventKind::Stopped { ref reason } if reason.is_abnormal())
    );
    let second = events.recv_timeout(LIMIT).unwrap();
    assert_eq!(
        second.kind,
        actor_supervisor::EventKind::Restarted { actor: w.id() }
    );
    let named = rt.metrics().named;
    assert!(named.contains(&("supervisor.restarts", 1)), "{named:?}");
    assert!(named.contains(&("supervisor.child_starts", 1)), "{named:?}");
    assert!(named.contains(&("supervisor.child_exits", 1)), "{named:?}");
    tree.shutdown_blocking(LIMIT).unwrap();
    rt.shutdown().unwrap();
}
