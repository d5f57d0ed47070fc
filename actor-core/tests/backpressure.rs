//! Bounded mailboxes: `try_tell` hands the message back on `Full`, async
//! `tell` waits for room, and sends to a stopped actor hand the message back
//! as `Closed` and count as dead letters.
#![allow(missing_docs)]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actor_core::prelude::*;
use actor_core::{DeadLetterReason, Reply};
use common::Gate;

/// Records the items it handles; `Block` holds the handler on a gate.
#[derive(Default)]
struct Sink {
    seen: Vec<u32>,
}

#[derive(Debug, PartialEq)]
enum SinkMsg {
    Item(u32),
    Block(#[allow(dead_code)] GateBox),
    Seen(#[allow(dead_code)] ReplyBox),
}

/// Wrappers so `SinkMsg` can derive `Debug` and `PartialEq` (compared by
/// variant only).
struct GateBox(Gate);
struct ReplyBox(ReplyTo<Vec<u32>>);

impl std::fmt::Debug for GateBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GateBox")
    }
}
impl PartialEq for GateBox {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl std::fmt::Debug for ReplyBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplyBox")
    }
}
impl PartialEq for ReplyBox {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Actor for Sink {
    type Msg = SinkMsg;

    async fn handle(&mut self, msg: SinkMsg, _ctx: &mut Context<Self>) {
        match msg {
            SinkMsg::Item(n) => self.seen.push(n),
            SinkMsg::Block(GateBox(g)) => g.wait().await,
            SinkMsg::Seen(ReplyBox(r)) => r.send(self.seen.clone()),
        }
    }
}

fn seen(sink: &ActorRef<Sink>) -> Vec<u32> {
    sink.ask_blocking(|r| SinkMsg::Seen(ReplyBox(r))).unwrap()
}

/// A sink on shard 0 with a mailbox of 4, its handler held on a gate, and
/// its mailbox filled with items 0..4.
fn blocked_full_sink(rt: &Runtime) -> (ActorRef<Sink>, Gate) {
    let sink = rt
        .spawn_with(
            SpawnOptions::new().shard(0).mailbox_capacity(4),
            Sink::default,
        )
        .unwrap();
    let gate = Gate::new();
    sink.try_tell(SinkMsg::Block(GateBox(gate.clone())))
        .unwrap();
    gate.wait_entered();
    for n in 0..4 {
        sink.try_tell(SinkMsg::Item(n)).unwrap();
    }
    assert_eq!(sink.mailbox_len(), 4);
    (sink, gate)
}

#[test]
fn try_tell_on_a_full_mailbox_hands_the_exact_message_back() {
    let rt = common::rt2();
    let (sink, gate) = blocked_full_sink(&rt);
    assert_eq!(sink.mailbox_capacity(), 4);
    assert_eq!(
        sink.try_tell(SinkMsg::Item(42)),
        Err(SendError::Full(SinkMsg::Item(42)))
    );
    match sink.try_tell(SinkMsg::Item(43)) {
        Err(e @ SendError::Full(_)) => assert_eq!(e.into_inner(), SinkMsg::Item(43)),
        other => panic!("expected Full, got {other:?}"),
    }
    // try_ask gives the request back the same way.
    let r: Result<Reply<Vec<u32>>, _> = sink.try_ask(|r| SinkMsg::Seen(ReplyBox(r)));
    assert!(matches!(r, Err(SendError::Full(SinkMsg::Seen(_)))));
    // Full is not a dead letter: the sender still holds the message.
    assert_eq!(rt.dead_letters().count(), 0);
    gate.open();
    assert_eq!(seen(&sink), [0, 1, 2, 3]);
    // Room again.
    sink.try_tell(SinkMsg::Item(4)).unwrap();
    assert_eq!(seen(&sink), [0, 1, 2, 3, 4]);
    rt.shutdown().unwrap();
}

#[test]
fn async_tell_waits_for_room_and_completes_once_drained() {
    let rt = common::rt2();
    let (sink, gate) = blocked_full_sink(&rt);
    let sent = AtomicBool::new(false);
    std::thread::scope(|s| {
        // An async tell through block_on on a plain thread.
        let waiter = s.spawn(|| {
            let r = rt.block_on(sink.tell(SinkMsg::Item(100)));
            sent.store(true, Ordering::SeqCst);
            r
        });
        // And a blocking tell from another thread.
        let blocking = s.spawn(|| sink.tell_blocking(SinkMsg::Item(200)));
        std::thread::sleep(Duration::from_millis(50));
        // Still full, so neither can have completed.
        assert!(
            !sent.load(Ordering::SeqCst),
            "tell completed on a full mailbox"
        );
        assert!(
            !blocking.is_finished(),
            "tell_blocking completed on a full mailbox"
        );
        assert_eq!(sink.mailbox_len(), 4);
        gate.open();
        assert_eq!(waiter.join().unwrap(), Ok(()));
        assert_eq!(blocking.join().unwrap(), Ok(()));
    });
    let got = seen(&sink);
    assert_eq!(&got[..4], [0, 1, 2, 3]);
    let mut late = got[4..].to_vec();
    late.sort_unstable();
    assert_eq!(late, [100, 200]);
    rt.shutdown().unwrap();
}

/// Forwards a number to a sink with async `tell`, replying once it is in.
struct Relay(ActorRef<Sink>);

impl Actor for Relay {
    type Msg = (u32, ReplyTo<Result<(), SendError<SinkMsg>>>);

    async fn handle(&mut self, (n, r): Self::Msg, _ctx: &mut Context<Self>) {
        r.send(self.0.tell(SinkMsg::Item(n)).await);
    }
}

#[test]
fn async_tell_from_a_shard_waits_for_room() {
    let rt = common::rt2();
    // The sink is on shard 0: a relay there sends on the same shard, one on
    // shard 1 across shards.
    for shard in [0, 1] {
        let (sink, gate) = blocked_full_sink(&rt);
        let relay = rt
            .spawn_on(shard, {
                let sink = sink.clone();
                move || Relay(sink)
            })
            .unwrap();
        std::thread::scope(|s| {
            let asker = s.spawn(|| relay.ask_blocking(|r| (10, r)));
            std::thread::sleep(Duration::from_millis(30));
            assert!(!asker.is_finished(), "tell completed on a full mailbox");
            gate.open();
            assert_eq!(asker.join().unwrap(), Ok(Ok(())));
        });
        assert_eq!(seen(&sink), [0, 1, 2, 3, 10]);
    }
    rt.shutdown().unwrap();
}

#[test]
fn sends_to_a_stopped_actor_are_closed_and_dead_letters() {
    let rt = common::rt2();
    let sink = rt.spawn_on(1, Sink::default).unwrap();
    sink.tell_blocking(SinkMsg::Item(1)).unwrap();
    assert_eq!(seen(&sink), [1]);
    sink.stop();
    assert_eq!(
        sink.wait_stopped_blocking(Duration::from_secs(5)),
        Ok(ExitReason::Normal)
    );
    assert!(!sink.is_alive());
    let before = rt.dead_letters().count();
    assert_eq!(before, 0);

    assert_eq!(
        sink.try_tell(SinkMsg::Item(7)),
        Err(SendError::Closed(SinkMsg::Item(7)))
    );
    assert_eq!(
        sink.tell_blocking(SinkMsg::Item(8)),
        Err(SendError::Closed(SinkMsg::Item(8)))
    );
    let r = rt.block_on(sink.tell(SinkMsg::Item(9)));
    assert_eq!(r, Err(SendError::Closed(SinkMsg::Item(9))));
    assert_eq!(
        sink.ask_blocking(|r| SinkMsg::Seen(ReplyBox(r))),
        Err(AskError::Closed)
    );

    assert_eq!(rt.dead_letters().count(), 4);
    let recent = rt.dead_letters().recent();
    assert_eq!(recent.len(), 4);
    for letter in recent {
        assert_eq!(letter.recipient, sink.id());
        assert_eq!(letter.reason, DeadLetterReason::MailboxClosed);
    }
    rt.shutdown().unwrap();
}

#[test]
fn a_tell_waiting_for_room_gets_closed_when_the_actor_stops() {
    let rt = common::rt2();
    let (sink, gate) = blocked_full_sink(&rt);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| rt.block_on(sink.tell(SinkMsg::Item(77))));
        std::thread::sleep(Duration::from_millis(20));
        sink.stop();
        gate.open();
        assert_eq!(
            waiter.join().unwrap(),
            Err(SendError::Closed(SinkMsg::Item(77)))
        );
    });
    assert_eq!(
        sink.wait_stopped_blocking(Duration::from_secs(5)),
        Ok(ExitReason::Normal)
    );
    // The four queued items, and the refused send.
    assert_eq!(rt.dead_letters().count(), 5);
    let reasons: Vec<_> = rt
        .dead_letters()
        .recent()
        .iter()
        .map(|l| l.reason)
        .collect();
    assert_eq!(
        reasons
            .iter()
            .filter(|r| **r == DeadLetterReason::ActorStopped)
            .count(),
        4
    );
    assert_eq!(
        reasons
            .iter()
            .filter(|r| **r == DeadLetterReason::MailboxClosed)
            .count(),
        1
    );
    rt.shutdown().unwrap();
}
