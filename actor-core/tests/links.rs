//! Links and monitors: lifecycle notices arrive, abnormal exits propagate
//! over links (both ways), normal exits do not.
#![allow(missing_docs)]

mod common;

use std::time::Duration;

use actor_core::prelude::*;
use actor_core::{LifecycleEvent, NoticeVia};
use common::{Counter, CounterMsg, Gate};

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
    watcher
        .tell_blocking(WatcherMsg::Monitor(target.clone()))
        .unwrap();
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
    assert_eq!(target.wait_stopped_blocking(WAIT), Ok(ExitReason::Normal));
    watcher
        .tell_blocking(WatcherMsg::Monitor(target.clone()))
        .unwrap();
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
    trapper
        .tell_blocking(WatcherMsg::Link(partner.clone()))
        .unwrap();
    assert_eq!(trapper.ask_blocking(WatcherMsg::Notices).unwrap(), []);

    assert_eq!(boom(&partner, "linked boom"), Err(AskError::ActorFailed));
    let expected = ExitReason::Linked {
        id: partner.id(),
        reason: Box::new(ExitReason::Panicked("linked boom".into())),
    };
    assert_eq!(follower.wait_stopped_blocking(WAIT), Ok(expected));
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
    assert_eq!(follower.wait_stopped_blocking(WAIT), Ok(ExitReason::Killed));
    let expected = ExitReason::Linked {
        id: follower.id(),
        reason: Box::new(ExitReason::Killed),
    };
    assert_eq!(partner.wait_stopped_blocking(WAIT), Ok(expected));
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
    trapper
        .tell_blocking(WatcherMsg::Link(partner.clone()))
        .unwrap();
    assert_eq!(trapper.ask_blocking(WatcherMsg::Notices).unwrap(), []);

    partner.stop();
    assert_eq!(partner.wait_stopped_blocking(WAIT), Ok(ExitReason::Normal));
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
