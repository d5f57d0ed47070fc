//! `Runtime::metrics`: exact counts after a known workload, per shard and
//! summed.
#![allow(missing_docs)]

mod common;

use std::time::Duration;

use actor_core::Metrics;
use actor_core::prelude::*;
use common::{Counter, CounterMsg, Gate};

const WAIT: Duration = Duration::from_secs(5);

/// `messages_handled` is bumped just after a handler returns, so a reply can
/// arrive a moment before its count: wait for `want`, then demand exactly it.
fn handled_becomes(rt: &Runtime, want: [u64; 2]) -> Metrics {
    let mut m = rt.metrics();
    common::eventually(WAIT, || {
        m = rt.metrics();
        m.shards[0].messages_handled >= want[0] && m.shards[1].messages_handled >= want[1]
    });
    let got = [m.shards[0].messages_handled, m.shards[1].messages_handled];
    assert_eq!(got, want, "messages handled per shard");
    assert_eq!(m.total.messages_handled, want[0] + want[1]);
    m
}

#[test]
fn counters_are_exact_after_a_known_workload() {
    let rt = common::rt2();
    let m = rt.metrics();
    assert_eq!(m.shards.len(), 2);
    assert_eq!(m.total.shard, 2);
    assert_eq!((m.total.messages_handled, m.total.live_actors), (0, 0));

    let c0 = rt.spawn_on(0, Counter::default).unwrap();
    let c1 = rt.spawn_on(1, Counter::default).unwrap();
    for _ in 0..100 {
        c0.tell_blocking(CounterMsg::Add(1)).unwrap();
    }
    for _ in 0..50 {
        c1.tell_blocking(CounterMsg::Add(1)).unwrap();
    }
    assert_eq!(c0.ask_blocking(CounterMsg::Get).unwrap(), (100, 100));
    assert_eq!(c1.ask_blocking(CounterMsg::Get).unwrap(), (50, 50));
    let m = handled_becomes(&rt, [101, 51]);
    assert_eq!(m.total.live_actors, 2);
    assert_eq!((m.shards[0].live_actors, m.shards[1].live_actors), (1, 1));
    assert_eq!(m.total.actors_started, 2);
    assert_eq!(m.total.dead_letters, 0);
    assert_eq!(m.total.mailbox_depth, 0);

    // Queued messages show as mailbox depth on their shard.
    let gate = Gate::new();
    c0.tell_blocking(CounterMsg::Block(gate.clone())).unwrap();
    gate.wait_entered();
    for _ in 0..3 {
        c0.tell_blocking(CounterMsg::Add(1)).unwrap();
    }
    let m = rt.metrics();
    assert_eq!((m.shards[0].mailbox_depth, m.total.mailbox_depth), (3, 3));
    gate.open();
    assert_eq!(c0.ask_blocking(CounterMsg::Get).unwrap(), (103, 103));
    let m = handled_becomes(&rt, [101 + 1 + 3 + 1, 51]);
    assert_eq!(m.total.mailbox_depth, 0);

    // A stopped actor is no longer live; sends to it are dead letters on
    // its shard.
    c1.stop();
    assert_eq!(c1.wait_stopped_blocking(WAIT), Ok(ExitReason::Normal));
    for n in 0..3 {
        assert!(c1.try_tell(CounterMsg::Add(n)).unwrap_err().is_closed());
    }
    let m = rt.metrics();
    assert_eq!((m.shards[0].live_actors, m.shards[1].live_actors), (1, 0));
    assert_eq!((m.shards[0].dead_letters, m.shards[1].dead_letters), (0, 3));
    assert_eq!(m.total.dead_letters, 3);
    assert_eq!(rt.dead_letters().count(), 3);
    assert_eq!(m.total.messages_handled, 106 + 51);

    // A panicking message is not "handled"; it is a dead letter.
    let r = c0.ask_blocking(|r| CounterMsg::Boom("metrics boom".into(), r));
    assert_eq!(r, Err(AskError::ActorFailed));
    let m = rt.metrics();
    assert_eq!(m.total.live_actors, 0);
    assert_eq!(m.shards[0].dead_letters, 1);
    assert_eq!(rt.dead_letters().count(), 4);
    assert_eq!(m.total.messages_handled, 106 + 51);
    assert_eq!(m.total.actors_started, 2);
    rt.shutdown().unwrap();
}

#[test]
fn shards_park_when_idle_and_are_woken_by_sends() {
    let rt = common::rt2();
    let parked = common::eventually(WAIT, || rt.metrics().shards.iter().all(|s| s.parks > 0));
    assert!(parked, "idle shards never parked: {:?}", rt.metrics());
    // Let shard 1 go back to sleep, then send to it from this thread.
    std::thread::sleep(Duration::from_millis(20));
    let wakes = rt.metrics().shards[1].wakes;
    let c = rt.spawn_on(1, Counter::default).unwrap();
    c.tell_blocking(CounterMsg::Add(1)).unwrap();
    assert_eq!(c.ask_blocking(CounterMsg::Get).unwrap(), (1, 1));
    let m = rt.metrics();
    assert!(
        m.shards[1].wakes > wakes,
        "a send to a parked shard woke nothing: {m:?}"
    );
    assert!(m.total.wakes >= m.shards[1].wakes);
    rt.shutdown().unwrap();
}
