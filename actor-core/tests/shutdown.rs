//! Shutdown: it stops actors newest-first on each shard, kills those that
//! ignore stop past the timeout and names them, refuses new spawns, and
//! leaves no thread behind, whether called or run by `Drop`.
#![allow(missing_docs)]

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::SpawnError;
use actor_core::prelude::*;
use actor_core::{ShutdownError, Straggler};
use common::{Counter, CounterMsg, Gate, Logged, LoggedMsg, StopLog};
use parking_lot::Mutex;

const CHILD: &str = "PINION_SHUTDOWN_TEST_CHILD";

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// Runs `body` in a fresh process of this test binary where test `name` is
/// the only test, so no other test's threads disturb the count.
fn in_own_process(name: &str, body: impl FnOnce()) {
    if std::env::var_os(CHILD).is_some() {
        body();
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "child ran no test:\n{stdout}");
}

/// Gives the runtime some work on every shard and the blocking pool.
fn exercise(rt: &Runtime, log: &StopLog) {
    for shard in 0..2 {
        let c = rt.spawn_on(shard, Counter::default).unwrap();
        c.tell_blocking(CounterMsg::Add(1)).unwrap();
        assert_eq!(c.ask_blocking(CounterMsg::Get).unwrap(), (1, 1));
        let (name, log) = (format!("logged{shard}"), log.clone());
        let l = rt.spawn_on(shard, move || Logged { name, log }).unwrap();
        l.ask_blocking(LoggedMsg::Ping).unwrap();
    }
    rt.block_on(actor_core::time::sleep(Duration::from_millis(5)));
}

fn settle_to(before: usize) -> bool {
    common::eventually(Duration::from_secs(3), || threads() == before)
}

#[test]
fn shutdown_leaves_no_thread_behind() {
    in_own_process("shutdown_leaves_no_thread_behind", || {
        let before = threads();
        let rt = common::rt2();
        assert!(
            threads() >= before + 2,
            "the shards run on threads of their own"
        );
        let log = StopLog::default();
        exercise(&rt, &log);
        rt.shutdown().unwrap();
        assert!(
            settle_to(before),
            "{} threads before, {} after",
            before,
            threads()
        );
        assert_eq!(log.lock().len(), 2);
    });
}

#[test]
fn drop_shuts_down_too() {
    in_own_process("drop_shuts_down_too", || {
        let before = threads();
        let rt = common::rt2();
        let log = StopLog::default();
        exercise(&rt, &log);
        drop(rt);
        assert!(
            settle_to(before),
            "{} threads before, {} after",
            before,
            threads()
        );
        let log = log.lock();
        assert_eq!(log.len(), 2, "{log:?}");
        assert!(
            log.iter().all(|(_, r)| *r == ExitReason::Shutdown),
            "{log:?}"
        );
    });
}

#[test]
fn actors_stop_in_reverse_spawn_order_on_each_shard() {
    let rt = common::rt2();
    let log = StopLog::default();
    // Interleaved over the shards: a0 b0 a1 b1 a2 b2 a3.
    for i in 0..7 {
        let shard = i % 2;
        let name = format!("{}{}", ["a", "b"][shard], i / 2);
        let log = log.clone();
        let actor = rt.spawn_on(shard, move || Logged { name, log }).unwrap();
        actor.ask_blocking(LoggedMsg::Ping).unwrap();
    }
    rt.shutdown().unwrap();
    let log = log.lock();
    let on = |prefix: &str| -> Vec<&str> {
        log.iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| n.starts_with(prefix))
            .collect()
    };
    assert_eq!(on("a"), ["a3", "a2", "a1", "a0"]);
    assert_eq!(on("b"), ["b2", "b1", "b0"]);
    assert!(
        log.iter().all(|(_, r)| *r == ExitReason::Shutdown),
        "{log:?}"
    );
}

/// Its `on_stop` never finishes.
struct Stubborn;

impl Actor for Stubborn {
    type Msg = ();
    async fn handle(&mut self, _: (), _ctx: &mut Context<Self>) {}
    async fn on_stop(&mut self, _: &ExitReason, _ctx: &mut Context<Self>) {
        std::future::pending::<()>().await;
    }
}

#[test]
fn actors_that_ignore_stop_are_killed_and_named() {
    const LIMIT: Duration = Duration::from_millis(100);
    let rt = Runtime::builder()
        .shards(2)
        .shutdown_timeout(LIMIT)
        .build()
        .unwrap();
    let log = StopLog::default();
    let logged = |shard: usize, name: &str| {
        let (name, log) = (name.to_owned(), log.clone());
        rt.spawn_on(shard, move || Logged { name, log }).unwrap()
    };
    let fine = logged(1, "fine");
    // Busy in a handler that never ends, so it never sees the stop.
    let hung = logged(0, "hung");
    let gate = Gate::new();
    hung.tell_blocking(LoggedMsg::Block(gate.clone())).unwrap();
    gate.wait_entered();
    let stubborn = rt.spawn_on(1, || Stubborn).unwrap();
    stubborn.tell_blocking(()).unwrap();
    fine.ask_blocking(LoggedMsg::Ping).unwrap();

    let start = Instant::now();
    let err = rt.shutdown().unwrap_err();
    assert!(start.elapsed() >= LIMIT, "no actor was given its timeout");
    let ShutdownError::Stragglers(mut named) = err else {
        panic!("expected stragglers, got {err:?}");
    };
    named.sort_by_key(|s| s.id);
    let mut expected = vec![
        Straggler {
            id: hung.id(),
            name: hung.name(),
            shard: 0,
        },
        Straggler {
            id: stubborn.id(),
            name: stubborn.name(),
            shard: 1,
        },
    ];
    expected.sort_by_key(|s| s.id);
    assert_eq!(named, expected);
    assert_eq!(
        hung.wait_stopped_blocking(Duration::ZERO),
        Ok(ExitReason::Killed)
    );
    assert_eq!(
        stubborn.wait_stopped_blocking(Duration::ZERO),
        Ok(ExitReason::Killed)
    );
    // The killed actor skipped on_stop; the well-behaved one ran it.
    assert_eq!(*log.lock(), [("fine".to_owned(), ExitReason::Shutdown)]);
}

type Attempts = Arc<Mutex<Vec<(&'static str, Result<(), SpawnError>)>>>;

/// Tries to spawn from its `on_stop`, which runs while shutdown is under way.
struct Spawner(Attempts);

impl Actor for Spawner {
    type Msg = ();
    async fn handle(&mut self, _: (), _ctx: &mut Context<Self>) {}
    async fn on_stop(&mut self, _: &ExitReason, ctx: &mut Context<Self>) {
        let mut tried = self.0.lock();
        let other = ctx.spawn_on(1, Counter::default).map(drop);
        tried.push(("ctx.spawn_on", other));
        let anywhere = ctx.runtime().spawn(Counter::default).map(drop);
        tried.push(("handle.spawn", anywhere));
        let here = ctx.spawn(Counter::default());
        let started = if here.is_alive() {
            Ok(())
        } else {
            Err(SpawnError::ShuttingDown)
        };
        tried.push(("ctx.spawn", started));
    }
}

#[test]
fn spawns_after_shutdown_began_fail() {
    let rt = common::rt2();
    let handle = rt.handle().clone();
    let attempts = Attempts::default();
    let spawner = rt
        .spawn_on(0, {
            let attempts = attempts.clone();
            move || Spawner(attempts)
        })
        .unwrap();
    spawner.tell_blocking(()).unwrap();
    rt.shutdown().unwrap();
    let err = Err(SpawnError::ShuttingDown);
    assert_eq!(
        *attempts.lock(),
        [
            ("ctx.spawn_on", err.clone()),
            ("handle.spawn", err.clone()),
            ("ctx.spawn", err)
        ]
    );
    assert_eq!(
        handle.spawn(Counter::default).unwrap_err(),
        SpawnError::ShuttingDown
    );
    assert_eq!(
        handle.spawn_on(1, Counter::default).unwrap_err(),
        SpawnError::ShuttingDown
    );
}
