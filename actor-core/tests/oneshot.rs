//! `actor_core::oneshot`: the reply pair on its own, between plain threads,
//! between actors on one shard and across shards, and the reasons a `Reply`
//! gets when its `ReplyTo` is dropped unanswered.
#![allow(missing_docs)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actor_core::oneshot;
use actor_core::prelude::*;

const WAIT: Duration = Duration::from_secs(5);

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_oneshot_between_plain_threads() {
    let (to, reply) = oneshot::<String>();
    assert!(to.is_waiting());
    let sender = std::thread::spawn(move || to.send("over".to_owned()));
    assert_eq!(reply.wait_blocking(), Ok("over".to_owned()));
    sender.join().unwrap();

    let (to, reply) = oneshot::<u32>();
    assert_eq!(
        reply.wait_blocking_timeout(Duration::from_millis(10)),
        Err(AskError::Timeout)
    );
    assert!(!to.is_waiting(), "the reply end is gone");

    let (to, reply) = oneshot::<u32>();
    std::thread::spawn(move || drop(to)).join().unwrap();
    assert_eq!(reply.wait_blocking(), Err(AskError::NoReply));

    // The reply end dropped first: the value sent is dropped, once.
    let drops = Arc::new(AtomicUsize::new(0));
    let (to, reply) = oneshot::<Counted>();
    drop(reply);
    to.send(Counted(drops.clone()));
    assert_eq!(drops.load(Ordering::SeqCst), 1);

    // A value sent and never taken is dropped with the pair, once.
    let (to, reply) = oneshot::<Counted>();
    to.send(Counted(drops.clone()));
    drop(reply);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

/// Awaits a gate in its handler, then answers a callback; or panics while
/// it holds a callback; or holds the gate's sender.
struct Waiter;

enum WaiterMsg {
    /// Waits for `gate`, then sends its value doubled to `done`.
    After {
        gate: Reply<u32>,
        done: ReplyTo<u32>,
    },
    /// Panics with `done` in hand.
    Panic { done: ReplyTo<u32> },
    /// Opens `gate` with `n`.
    Open { gate: ReplyTo<u32>, n: u32 },
}

impl Actor for Waiter {
    type Msg = WaiterMsg;

    async fn handle(&mut self, msg: WaiterMsg, _ctx: &mut Context<Self>) {
        match msg {
            WaiterMsg::After { gate, done } => {
                if let Ok(n) = gate.await {
                    done.send(n * 2);
                }
            }
            WaiterMsg::Panic { done } => {
                let _held = done;
                panic!("on purpose, holding a callback");
            }
            WaiterMsg::Open { gate, n } => gate.send(n),
        }
    }
}

#[test]
fn an_actor_awaits_a_gate_that_a_plain_thread_opens() {
    let rt = common::rt2();
    for shard in 0..2 {
        let waiter = rt.spawn_on(shard, || Waiter).unwrap();
        let (open, gate) = oneshot::<u32>();
        let (done, finished) = oneshot::<u32>();
        waiter
            .tell_blocking(WaiterMsg::After { gate, done })
            .unwrap();
        std::thread::sleep(Duration::from_millis(5));
        assert!(open.is_waiting(), "the actor holds the gate");
        open.send(21);
        assert_eq!(finished.wait_blocking_timeout(WAIT), Ok(42));
    }
    rt.shutdown().unwrap();
}

#[test]
fn actors_open_gates_for_each_other_on_one_shard_and_across() {
    let rt = common::rt2();
    for (a_shard, b_shard) in [(0, 0), (0, 1)] {
        let a = rt.spawn_on(a_shard, || Waiter).unwrap();
        let b = rt.spawn_on(b_shard, || Waiter).unwrap();
        let (open, gate) = oneshot::<u32>();
        let (done, finished) = oneshot::<u32>();
        a.tell_blocking(WaiterMsg::After { gate, done }).unwrap();
        b.tell_blocking(WaiterMsg::Open { gate: open, n: 5 })
            .unwrap();
        // The callback awaited from async code rather than a blocked thread.
        let got = rt.block_on(actor_core::time::timeout(WAIT, finished));
        assert_eq!(got, Ok(Ok(10)));
    }
    rt.shutdown().unwrap();
}

#[test]
fn a_callback_dropped_by_a_panic_or_a_stop_says_why() {
    let rt = common::rt2();
    let waiter = rt.spawn_on(1, || Waiter).unwrap();
    let (done, finished) = oneshot::<u32>();
    waiter.tell_blocking(WaiterMsg::Panic { done }).unwrap();
    assert_eq!(
        finished.wait_blocking_timeout(WAIT),
        Err(AskError::ActorFailed)
    );
    assert!(matches!(
        waiter.wait_stopped_blocking(WAIT),
        Ok(ExitReason::Panicked(_))
    ));

    // A callback still in the mailbox when the actor stops: `Closed`.
    let waiter = rt.spawn_on(0, || Waiter).unwrap();
    let (open, gate) = oneshot::<u32>();
    let (first, first_done) = oneshot::<u32>();
    let (queued, queued_done) = oneshot::<u32>();
    waiter
        .tell_blocking(WaiterMsg::After { gate, done: first })
        .unwrap();
    // Taken from the mailbox: its handler awaits the gate.
    assert!(common::eventually(WAIT, || waiter.mailbox_len() == 0));
    let (never, never_gate) = oneshot::<u32>();
    waiter
        .tell_blocking(WaiterMsg::After {
            gate: never_gate,
            done: queued,
        })
        .unwrap();
    waiter.stop();
    open.send(1);
    assert_eq!(first_done.wait_blocking_timeout(WAIT), Ok(2));
    assert_eq!(
        queued_done.wait_blocking_timeout(WAIT),
        Err(AskError::Closed)
    );
    drop(never);
    rt.shutdown().unwrap();
}
