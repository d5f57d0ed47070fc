#![allow(missing_docs)]
//! Two exits that the supervisor reads in one batch, then a restart that
//! fails to start (rule 7: it counts as another failure of that child). The
//! supervisor is kept busy stopping a slow child while `a` and then `b`
//! crash, so both exit notices are drained together, deterministically.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use actor_core::ExitReason;
use actor_core::prelude::*;
use actor_supervisor::{ChildSpec, EventKind, Strategy, Supervisor};
use common::{Msg, Worker, log, quiet_panics, runtime, wait_until, within};
use parking_lot::Mutex;

const LIMIT: Duration = Duration::from_secs(10);

/// A child whose `on_stop` tells the test it is stopping, then blocks its
/// shard thread until the test lets it go.
struct Slow {
    stopping: Sender<()>,
    release: Arc<Mutex<Receiver<()>>>,
}

impl Actor for Slow {
    type Msg = ();

    async fn handle(&mut self, (): (), _: &mut Context<Self>) {}

    async fn on_stop(&mut self, _: &ExitReason, _: &mut Context<Self>) {
        let _ = self.stopping.send(());
        let _ = self.release.lock().recv_timeout(LIMIT);
    }
}

fn two_exits_then_a_failed_restart(strategy: Strategy) {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let (stopping_tx, stopping) = channel();
    let (release, release_rx) = channel();
    let release_rx = Arc::new(Mutex::new(release_rx));
    let slow = move || Slow {
        stopping: stopping_tx.clone(),
        release: release_rx.clone(),
    };
    // `b` builds fine the first time, panics the second, then builds again.
    let builds = Arc::new(AtomicUsize::new(0));
    let b_factory = {
        let (builds, log) = (builds.clone(), log.clone());
        move || {
            let n = builds.fetch_add(1, Ordering::SeqCst);
            assert_ne!(n, 1, "b's factory fails once");
            Worker::new("b", &log)
        }
    };
    let tree = Supervisor::builder()
        .shard(0)
        .strategy(strategy)
        .intensity(10, Duration::from_secs(5))
        // On shard 1, so blocking its stop leaves shard 0 running.
        .child_spec(ChildSpec::new("slow", slow).shard(1))
        .child_spec(ChildSpec::new("a", Worker::factory("a", &log)).shard(0))
        .child_spec(ChildSpec::new("b", b_factory).shard(0))
        .spawn_blocking(rt.handle())
        .unwrap();
    let events = tree.subscribe();
    let (a, b) = (
        tree.child::<Worker>("a").unwrap(),
        tree.child::<Worker>("b").unwrap(),
    );
    // Keep the supervisor busy inside `terminate_child("slow")`.
    let t = tree.clone();
    let terminate = std::thread::spawn(move || t.terminate_child_blocking("slow"));
    stopping.recv_timeout(LIMIT).expect("slow is stopping");
    a.tell_blocking(Msg::Crash).unwrap();
    wait_until(LIMIT, "a exited", || !a.is_running());
    b.tell_blocking(Msg::Crash).unwrap();
    wait_until(LIMIT, "b exited", || !b.is_running());
    // Let the relay forward both notices before the supervisor looks.
    std::thread::sleep(Duration::from_millis(200));
    release.send(()).unwrap();
    within(LIMIT, "terminate_child", move || terminate.join().unwrap()).unwrap();
    // `a` and `b` are restarted; `b`'s failed start is one more failure,
    // after which it is restarted again.
    let short = Duration::from_millis(100);
    wait_until(LIMIT, "b restarted", || {
        b.ask_blocking_timeout(short, Msg::Handled).is_ok()
    });
    assert_eq!(a.ask_blocking_timeout(LIMIT, Msg::Handled), Ok(1));
    assert_eq!(
        builds.load(Ordering::SeqCst),
        3,
        "b built: start, failed, ok"
    );
    let mut failed = false;
    while let Ok(ev) = events.try_recv() {
        if let (Some("b"), EventKind::Stopped { reason }) = (ev.child.as_deref(), &ev.kind) {
            failed |= matches!(reason, ExitReason::StartFailed(_));
        }
    }
    assert!(failed, "b's failed restart is reported as an exit");
    let t = tree.clone();
    within(LIMIT, "shutdown", move || t.shutdown_blocking(LIMIT)).unwrap();
    rt.shutdown().unwrap();
}

#[test]
fn rest_for_one_restarts_after_two_drained_exits_and_a_failed_restart() {
    two_exits_then_a_failed_restart(Strategy::RestForOne);
}

#[test]
fn all_for_one_restarts_after_two_drained_exits_and_a_failed_restart() {
    two_exits_then_a_failed_restart(Strategy::AllForOne);
}

/// The same race left to chance, many times: `a` and `b` crash at once from
/// two threads while `b`'s factory fails every other build.
#[test]
fn racing_exits_with_failing_restarts_never_hang_the_supervisor() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let builds = Arc::new(AtomicUsize::new(0));
    let b_factory = {
        let (builds, log) = (builds.clone(), log.clone());
        move || {
            let n = builds.fetch_add(1, Ordering::SeqCst);
            assert!(n % 2 == 0, "b's factory fails every other build");
            Worker::new("b", &log)
        }
    };
    let tree = Supervisor::builder()
        .shard(0)
        .strategy(Strategy::RestForOne)
        .intensity(u32::MAX, Duration::from_secs(5))
        .child_spec(ChildSpec::new("a", Worker::factory("a", &log)).shard(0))
        .child_spec(ChildSpec::new("b", b_factory).shard(0))
        .spawn_blocking(rt.handle())
        .unwrap();
    let (a, b) = (
        tree.child::<Worker>("a").unwrap(),
        tree.child::<Worker>("b").unwrap(),
    );
    let short = Duration::from_millis(100);
    for round in 0..60 {
        std::thread::scope(|s| {
            s.spawn(|| a.tell_blocking(Msg::Crash).unwrap());
            s.spawn(|| b.tell_blocking(Msg::Crash).unwrap());
        });
        wait_until(LIMIT, &format!("both answer after round {round}"), || {
            a.ask_blocking_timeout(short, Msg::Handled).is_ok()
                && b.ask_blocking_timeout(short, Msg::Handled).is_ok()
        });
    }
    let t = tree.clone();
    within(LIMIT, "shutdown", move || t.shutdown_blocking(LIMIT)).unwrap();
    rt.shutdown().unwrap();
}
