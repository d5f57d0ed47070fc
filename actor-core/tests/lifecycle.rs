//! Failure and lifecycle: a panic fails one actor only, links and monitors
//! deliver notices, start failures, kill, and stop's dead letters.
#![allow(missing_docs)]

mod common;

use std::time::Duration;

use actor_core::prelude::*;
use actor_core::{BoxError, DeadLetterReason, LifecycleEvent, NoticeVia};
use common::{Counter, CounterMsg, Flag, Gate};

const WAIT: Duration = Duration::from_secs(5);

/// Records every notice it gets (it traps exits: it never stops on one).
#[derive(Default)]
struct Watcher {
    notices: Vec<Notice>,
}

enum WatcherMsg {
    Monitor(ActorRef<Counter>),
    Link(ActorRef<Counter>),
    Notices(ReplyTo<Vec<Notice>>),
}

impl Actor for Watcher {
    type Msg = WatcherMsg;

    async fn handle(&mut self, msg: WatcherMsg, ctx: &mut Context<Self>) {
        match msg {
            WatcherMsg::Monitor(a) => ctx.monitor(&a),
            WatcherMsg::Link(a) => ctx.link(&a),
            WatcherMsg::Notices(r) => r.send(self.notices.clone()),
        }
    }

    async fn on_notice(&mut self, notice: Notice, _ctx: &mut Context<Self>) {
        self.notices.push(notice);
    }
}

/// Waits until the watcher holds `n` notices, and returns them.
fn notices(w: &ActorRef<Watcher>, n: usize) -> Vec<Notice> {
    let mut got = Vec::new();
    let ok = common::eventually(WAIT, || {
        got = w.ask_blocking(WatcherMsg::Notices).unwrap();
        got.len() >= n
    });
    assert!(ok, "expected {n} notices, got {got:?}");
    got
}

/// Keeps the default `on_notice` (links propagate abnormal exits); links to
/// a counter on request.
struct Follower;

enum FollowerMsg {
    Link(ActorRef<Counter>, ReplyTo<()>),
    Ping(ReplyTo<()>),
}

impl Actor for Follower {
    type Msg = FollowerMsg;

    async fn handle(&mut self, msg: FollowerMsg, ctx: &mut Context<Self>) {
        match msg {
            FollowerMsg::Link(a, r) => {
                ctx.link(&a);
                r.send(());
            }
            FollowerMsg::Ping(r) => r.send(()),
        }
    }
}

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
        Some(ExitReason::Panicked("kaboom 17".into()))
    );
    // The in-flight message is a dead letter.
    assert_eq!(rt.dead_letters().count(), 1);
    assert_eq!(rt.dead_letters().recent()[0].reason, DeadLetterReason::HandlerPanicked);
    assert_eq!(rt.dead_letters().recent()[0].recipient, victim.id());

    // The neighbours on the same shard keep their state and answer.
    assert_eq!(left.ask_blocking(CounterMsg::Get).unwrap(), (1, 1));
    assert_eq!(right.ask_blocking(CounterMsg::Get).unwrap(), (1, 2));
    // The shard thread still runs new actors.
    let fresh = rt.spawn_on(1, Counter::default).unwrap();
    assert_eq!(fresh.ask_blocking(CounterMsg::Where).unwrap(), 1);
    rt.shutdown().unwrap();
}

#[test]
fn monitor_gets_started_and_stopped_with_the_panic_text() {
    let rt = common::rt2();
    let watcher = rt.spawn_on(0, Watcher::default).unwrap();
    let gate = Gate::new();
    let target = rt
        .spawn_on(1, {
            let gate = gate.clone();
            move || Counter::gated(gate)
        })
        .unwrap();
    watcher.tell_blocking(WatcherMsg::Monitor(target.clone())).unwrap();
    // Handled in order: once this answers, the monitor is in place, and the
    // target is still held in `on_start`.
    assert_eq!(watcher.ask_blocking(WatcherMsg::Notices).unwrap(), []);
    gate.open();
    let got = notices(&watcher, 1);
    assert_eq!(
        got,
        [Notice {
            id: target.id(),
            name: target.name(),
            event: LifecycleEvent::Started,
            via: NoticeVia::Monitor,
        }]
    );
    assert_eq!(boom(&target, "monitored boom"), Err(AskError::ActorFailed));
    let got = notices(&watcher, 2);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].id, target.id());
    assert_eq!(got[1].via, NoticeVia::Monitor);
    match &got[1].event {
        LifecycleEvent::Stopped(ExitReason::Panicked(text)) => {
            assert!(text.contains("monitored boom"), "{text}")
        }
        other => panic!("expected a panic notice, got {other:?}"),
    }
    // A monitor is one-way: the watcher lives on.
    assert!(watcher.is_alive());
    rt.shutdown().unwrap();
}

#[test]
fn monitoring_a_stopped_actor_delivers_its_exit_at_once() {
    let rt = common::rt2();
    let watcher = rt.spawn_on(0, Watcher::default).unwrap();
    let target = rt.spawn_on(1, Counter::default).unwrap();
    target.stop();
    assert_eq!(target.wait_stopped_blocking(WAIT), Some(ExitReason::Normal));
    watcher.tell_blocking(WatcherMsg::Monitor(target.clone())).unwrap();
    let got = notices(&watcher, 1);
    assert_eq!(got[0].event, LifecycleEvent::Stopped(ExitReason::Normal));
    rt.shutdown().unwrap();
}

#[test]
fn a_linked_actor_stops_when_its_partner_panics() {
    let rt = common::rt2();
    let follower = rt.spawn_on(0, || Follower).unwrap();
    let trapper = rt.spawn_on(0, Watcher::default).unwrap();
    let partner = rt.spawn_on(1, Counter::default).unwrap();
    follower
        .ask_blocking(|r| FollowerMsg::Link(partner.clone(), r))
        .unwrap();
    trapper.tell_blocking(WatcherMsg::Link(partner.clone())).unwrap();
    assert_eq!(trapper.ask_blocking(WatcherMsg::Notices).unwrap(), []);

    assert_eq!(boom(&partner, "linked boom"), Err(AskError::ActorFailed));
    let expected = ExitReason::Linked {
        id: partner.id(),
        reason: Box::new(ExitReason::Panicked("linked boom".into())),
    };
    assert_eq!(follower.wait_stopped_blocking(WAIT), Some(expected));
    // An actor that traps exits gets the notice over the link and lives on.
    let got = notices(&trapper, 1);
    assert_eq!(got[0].via, NoticeVia::Link);
    assert_eq!(
        got[0].event,
        LifecycleEvent::Stopped(ExitReason::Panicked("linked boom".into()))
    );
    assert!(trapper.is_alive());
    rt.shutdown().unwrap();
}

#[test]
fn links_go_both_ways() {
    let rt = common::rt2();
    let follower = rt.spawn_on(0, || Follower).unwrap();
    let partner = rt.spawn_on(1, Counter::default).unwrap();
    follower
        .ask_blocking(|r| FollowerMsg::Link(partner.clone(), r))
        .unwrap();
    // The follower made the link; its death takes the partner too.
    follower.kill();
    assert_eq!(follower.wait_stopped_blocking(WAIT), Some(ExitReason::Killed));
    let expected = ExitReason::Linked {
        id: follower.id(),
        reason: Box::new(ExitReason::Killed),
    };
    assert_eq!(partner.wait_stopped_blocking(WAIT), Some(expected));
    rt.shutdown().unwrap();
}

#[test]
fn a_normal_stop_does_not_propagate_over_links() {
    let rt = common::rt2();
    let follower = rt.spawn_on(0, || Follower).unwrap();
    let trapper = rt.spawn_on(1, Watcher::default).unwrap();
    let partner = rt.spawn_on(1, Counter::default).unwrap();
    follower
        .ask_blocking(|r| FollowerMsg::Link(partner.clone(), r))
        .unwrap();
    trapper.tell_blocking(WatcherMsg::Link(partner.clone())).unwrap();
    assert_eq!(trapper.ask_blocking(WatcherMsg::Notices).unwrap(), []);

    partner.stop();
    assert_eq!(partner.wait_stopped_blocking(WAIT), Some(ExitReason::Normal));
    // The notice did go out over the links...
    let got = notices(&trapper, 1);
    assert_eq!(got[0].event, LifecycleEvent::Stopped(ExitReason::Normal));
    assert_eq!(got[0].via, NoticeVia::Link);
    // ...and was queued on the follower's signal lane before this ping, so
    // the follower has handled it by the time it answers, and lives on.
    assert_eq!(follower.ask_blocking(FollowerMsg::Ping), Ok(()));
    assert!(follower.is_alive());
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
        Some(ExitReason::StartFailed("no database".into()))
    );
    assert!(!stopped.get(), "on_stop ran for an actor that never started");
    assert_eq!(a.try_tell(()), Err(SendError::Closed(())));

    // A panicking factory fails the start the same way, with its text.
    let b = rt
        .spawn_on(0, || -> Counter { panic!("factory exploded") })
        .unwrap();
    assert_eq!(
        b.wait_stopped_blocking(WAIT),
        Some(ExitReason::StartFailed("factory exploded".into()))
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
    killed.tell_blocking(LoggedMsg::Block(gate.clone())).unwrap();
    gate.wait_entered();
    killed.kill();
    assert_eq!(killed.wait_stopped_blocking(WAIT), Some(ExitReason::Killed));
    stopped.stop();
    assert_eq!(stopped.wait_stopped_blocking(WAIT), Some(ExitReason::Normal));
    assert_eq!(*log.lock(), [("stopped".to_owned(), ExitReason::Normal)]);
    rt.shutdown().unwrap();
}

#[test]
fn stop_turns_queued_messages_into_dead_letters() {
    let rt = common::rt2();
    let a = rt
        .spawn_with(SpawnOptions::new().shard(1).mailbox_capacity(8), Counter::default)
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
    assert_eq!(a.wait_stopped_blocking(WAIT), Some(ExitReason::Normal));
    // The queued ask hears that the actor stopped.
    assert_eq!(rt.block_on(pending), Err(AskError::Closed));
    assert_eq!(rt.dead_letters().count(), 5);
    let letters = rt.dead_letters().recent();
    assert_eq!(letters.len(), 5);
    assert!(letters.iter().all(|l| l.reason == DeadLetterReason::ActorStopped
        && l.recipient == a.id()));
    assert_eq!(rt.metrics().total.dead_letters, 5);
    rt.shutdown().unwrap();
}
