//! Failure and lifecycle: a panic fails one actor only, start failures,
//! kill, and the dead letters of a stop. (Links and monitors: `links.rs`.)
#![allow(missing_docs)]

mod common;

use std::time::Duration;

use actor_core::prelude::*;
use actor_core::{BoxError, DeadLetterReason};
use common::{Counter, CounterMsg, Flag, Gate};

const WAIT: Duration = Duration::from_secs(5);

fn boom(a: &ActorRef<Counter>, text: &str) -> Result<(), AskError> {
    a.ask_blocking(|r| CounterMsg::Boom(text.to_owned(), r))
}
#[test]
fn a_panic_fails_one_actor_only() {
    let rt = common::rt2();
    let left = rt.spawn_on(1, Counter::default).unwrap();
    let victim = rt.spawn_on(1, Counter::default).unwrap();
    let right = rt.spawn_on(1, Counter::default).unwrap();
    left.tell_blocking(CounterMsg::Add(1)).unwrap();
    right.tell_blocking(CounterMsg::Add(2)).unwrap();

    assert_eq!(boom(&victim, "kaboom 17"), Err(AskError::ActorFailed));
    assert!(!victim.is_alive());
    assert_eq!(
        victim.wait_stopped_blocking(WAIT),
        Ok(ExitReason::Panicked("kaboom 17".into()))
    );
    // The in-flight message is a dead letter.
    assert_eq!(rt.dead_letters().count(), 1);
    assert_eq!(
        rt.dead_letters().recent()[0].reason,
        DeadLetterReason::HandlerPanicked
    );
    assert_eq!(rt.dead_letters().recent()[0].recipient, victim.id());

    // The neighbours on the same shard keep their state and answer.
    assert_eq!(left.ask_blocking(CounterMsg::Get).unwrap(), (1, 1));
    assert_eq!(right.ask_blocking(CounterMsg::Get).unwrap(), (1, 2));
    // The shard thread still runs new actors.
    let fresh = rt.spawn_on(1, Counter::default).unwrap();
    assert_eq!(fresh.ask_blocking(CounterMsg::Where).unwrap(), 1);
    rt.shutdown().unwrap();
}
/// Fails in `on_start`; records whether `on_stop` ran.
struct FailsToStart(Flag);

impl Actor for FailsToStart {
    type Msg = ();

    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        Err("no database".into())
    }

    async fn handle(&mut self, _: (), _ctx: &mut Context<Self>) {}

    async fn on_stop(&mut self, _: &ExitReason, _ctx: &mut Context<Self>) {
        self.0.set();
    }
}

#[test]
fn an_on_start_error_gives_start_failed() {
    let rt = common::rt2();
    let stopped = Flag::default();
    let a = rt
        .spawn_on(1, {
            let stopped = stopped.clone();
            move || FailsToStart(stopped)
        })
        .unwrap();
    assert_eq!(
        a.wait_stopped_blocking(WAIT),
        Ok(ExitReason::StartFailed("no database".into()))
    );
    assert!(
        !stopped.get(),
        "on_stop ran for an actor that never started"
    );
    assert_eq!(a.try_tell(()), Err(SendError::Closed(())));

    // A panicking factory fails the start the same way, with its text.
    let b = rt
        .spawn_on(0, || -> Counter { panic!("factory exploded") })
        .unwrap();
    assert_eq!(
        b.wait_stopped_blocking(WAIT),
        Ok(ExitReason::StartFailed("factory exploded".into()))
    );
    rt.shutdown().unwrap();
}

#[test]
fn kill_skips_on_stop_and_stop_runs_it() {
    use common::{Logged, LoggedMsg};
    let rt = common::rt2();
    let log = common::StopLog::default();
    let spawn = |name: &str| {
        let (name, log) = (name.to_owned(), log.clone());
        rt.spawn_on(1, move || Logged { name, log }).unwrap()
    };
    let killed = spawn("killed");
    let stopped = spawn("stopped");
    // Killed in the middle of a handler that would never finish.
    let gate = Gate::new();
    killed
        .tell_blocking(LoggedMsg::Block(gate.clone()))
        .unwrap();
    gate.wait_entered();
    killed.kill();
    assert_eq!(killed.wait_stopped_blocking(WAIT), Ok(ExitReason::Killed));
    stopped.stop();
    assert_eq!(stopped.wait_stopped_blocking(WAIT), Ok(ExitReason::Normal));
    assert_eq!(*log.lock(), [("stopped".to_owned(), ExitReason::Normal)]);
    rt.shutdown().unwrap();
}

#[test]
fn stop_turns_queued_messages_into_dead_letters() {
    let rt = common::rt2();
    let a = rt
        .spawn_with(
            SpawnOptions::new().shard(1).mailbox_capacity(8),
            Counter::default,
        )
        .unwrap();
    let gate = Gate::new();
    a.tell_blocking(CounterMsg::Block(gate.clone())).unwrap();
    gate.wait_entered();
    for n in 0..4 {
        a.tell_blocking(CounterMsg::Add(n)).unwrap();
    }
    let pending = a.try_ask(CounterMsg::Get).unwrap();
    assert_eq!(a.mailbox_len(), 5);
    a.stop();
    gate.open();
    assert_eq!(a.wait_stopped_blocking(WAIT), Ok(ExitReason::Normal));
    // The queued ask hears that the actor stopped.
    assert_eq!(rt.block_on(pending), Err(AskError::Closed));
    assert_eq!(rt.dead_letters().count(), 5);
    let letters = rt.dead_letters().recent();
    assert_eq!(letters.len(), 5);
    assert!(
        letters
            .iter()
            .all(|l| l.reason == DeadLetterReason::ActorStopped && l.recipient == a.id())
    );
    assert_eq!(rt.metrics().total.dead_letters, 5);
    rt.shutdown().unwrap();
}
