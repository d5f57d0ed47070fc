//! An `ActorRef` reaches its actor from a plain thread, from another shard
//! and from its own shard; asks time out and refuse to block a shard.
#![allow(missing_docs)]

mod common;

use std::time::{Duration, Instant};

use actor_core::BoxError;
use actor_core::prelude::*;
use common::{Counter, CounterMsg};

/// Spawns a counter in `on_start` (on `target_shard`, through its context)
/// and asks it from inside its own handler.
struct Asker {
    target_shard: usize,
    target: Option<ActorRef<Counter>>,
}

enum AskerMsg {
    /// `(asker's shard, target's shard, target's answer)`.
    Relay(ReplyTo<(usize, usize, (u64, u64))>),
    /// Asks the target with a deadline; the target is blocked on a gate.
    RelayTimeout(common::Gate, ReplyTo<Result<(u64, u64), AskError>>),
    /// Tries `ask_blocking` on the shard thread.
    BlockingOnShard(ReplyTo<Result<(u64, u64), AskError>>),
}

impl Actor for Asker {
    type Msg = AskerMsg;

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let target = if self.target_shard == ctx.shard() {
            ctx.spawn(Counter::default())
        } else {
            ctx.spawn_on(self.target_shard, Counter::default)?
        };
        target.tell(CounterMsg::Add(5)).await?;
        self.target = Some(target);
        Ok(())
    }

    async fn handle(&mut self, msg: AskerMsg, ctx: &mut Context<Self>) {
        let target = self.target.as_ref().unwrap();
        match msg {
            AskerMsg::Relay(r) => {
                let answer = target.ask(CounterMsg::Get).await.unwrap();
                let shard = target.ask(CounterMsg::Where).await.unwrap();
                r.send((ctx.shard(), shard, answer));
            }
            AskerMsg::RelayTimeout(gate, r) => {
                target.tell(CounterMsg::Block(gate)).await.unwrap();
                r.send(
                    target
                        .ask_timeout(Duration::from_millis(30), CounterMsg::Get)
                        .await,
                );
            }
            AskerMsg::BlockingOnShard(r) => r.send(target.ask_blocking(CounterMsg::Get)),
        }
    }
}

#[test]
fn ask_from_a_plain_thread() {
    let rt = common::rt2();
    let c = rt.spawn_on(1, Counter::default).unwrap();
    c.tell_blocking(CounterMsg::Add(7)).unwrap();
    let answer = std::thread::spawn(move || {
        let got = c.ask_blocking(CounterMsg::Get).unwrap();
        let shard = c.ask_blocking(CounterMsg::Where).unwrap();
        (got, shard)
    })
    .join()
    .unwrap();
    assert_eq!(answer, ((1, 7), 1));
    rt.shutdown().unwrap();
}

#[test]
fn ask_from_another_shard() {
    let rt = common::rt2();
    let asker = rt
        .spawn_on(0, || Asker {
            target_shard: 1,
            target: None,
        })
        .unwrap();
    let (from, to, answer) = asker.ask_blocking(AskerMsg::Relay).unwrap();
    assert_eq!((from, to), (0, 1));
    assert_eq!(answer, (1, 5));
    rt.shutdown().unwrap();
}

#[test]
fn ask_from_the_same_shard() {
    let rt = common::rt2();
    let asker = rt
        .spawn_on(1, || Asker {
            target_shard: 1,
            target: None,
        })
        .unwrap();
    let (from, to, answer) = asker.ask_blocking(AskerMsg::Relay).unwrap();
    assert_eq!((from, to), (1, 1));
    assert_eq!(answer, (1, 5));
    rt.shutdown().unwrap();
}

#[test]
fn ask_from_block_on() {
    let rt = common::rt2();
    let c0 = rt.spawn_on(0, Counter::default).unwrap();
    let c1 = rt.spawn_on(1, Counter::default).unwrap();
    let (a, b) = rt.block_on(async {
        c0.tell(CounterMsg::Add(1)).await.unwrap();
        c1.tell(CounterMsg::Add(2)).await.unwrap();
        (c0.ask(CounterMsg::Get).await, c1.ask(CounterMsg::Get).await)
    });
    assert_eq!((a, b), (Ok((1, 1)), Ok((1, 2))));
    rt.shutdown().unwrap();
}

#[test]
fn tell_from_four_threads_counts_exactly() {
    const PER_THREAD: u64 = 5_000;
    let rt = common::rt2();
    let c = rt
        .spawn_with(
            SpawnOptions::new().shard(1).mailbox_capacity(64),
            Counter::default,
        )
        .unwrap();
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let c = c.clone();
            s.spawn(move || {
                for i in 0..PER_THREAD {
                    c.tell_blocking(CounterMsg::Add(t * PER_THREAD + i))
                        .unwrap();
                }
            });
        }
    });
    let n = 4 * PER_THREAD;
    // Every value 0..n was sent exactly once: the sum is exact too.
    assert_eq!(
        c.ask_blocking(CounterMsg::Get).unwrap(),
        (n, n * (n - 1) / 2)
    );
    rt.shutdown().unwrap();
}

#[test]
fn ask_timeout_gives_timeout_when_no_reply_comes_in_time() {
    let rt = common::rt2();
    let c = rt.spawn_on(1, Counter::default).unwrap();
    let gate = common::Gate::new();
    c.tell_blocking(CounterMsg::Block(gate.clone())).unwrap();
    gate.wait_entered();

    // From a plain thread, through `block_on`.
    let start = Instant::now();
    let r = rt.block_on(c.ask_timeout(Duration::from_millis(40), CounterMsg::Get));
    assert_eq!(r, Err(AskError::Timeout));
    assert!(
        start.elapsed() >= Duration::from_millis(40),
        "timed out early"
    );

    // The blocking variant.
    let start = Instant::now();
    let r = c.ask_blocking_timeout(Duration::from_millis(40), CounterMsg::Get);
    assert_eq!(r, Err(AskError::Timeout));
    assert!(
        start.elapsed() >= Duration::from_millis(40),
        "timed out early"
    );

    // Once the handler is free again, asks are answered.
    gate.open();
    let r = c.ask_blocking_timeout(Duration::from_secs(5), CounterMsg::Get);
    assert_eq!(r, Ok((0, 0)));
    rt.shutdown().unwrap();
}

#[test]
fn ask_timeout_inside_a_handler_across_shards() {
    let rt = common::rt2();
    let asker = rt
        .spawn_on(0, || Asker {
            target_shard: 1,
            target: None,
        })
        .unwrap();
    let gate = common::Gate::new();
    let r = asker
        .ask_blocking(|r| AskerMsg::RelayTimeout(gate.clone(), r))
        .unwrap();
    assert_eq!(r, Err(AskError::Timeout));
    gate.open();
    // The asker itself carries on.
    assert_eq!(asker.ask_blocking(AskerMsg::Relay).unwrap().2, (1, 5));
    rt.shutdown().unwrap();
}

#[test]
fn ask_blocking_on_a_shard_thread_would_block() {
    let rt = common::rt2();
    for shard in 0..2 {
        let asker = rt
            .spawn_on(shard, || Asker {
                target_shard: 1,
                target: None,
            })
            .unwrap();
        let r = asker.ask_blocking(AskerMsg::BlockingOnShard).unwrap();
        assert_eq!(r, Err(AskError::WouldBlock));
    }
    rt.shutdown().unwrap();
}

#[test]
fn the_runtime_is_current_inside_block_on() {
    let rt = actor_core::Runtime::builder().shards(1).build().unwrap();
    assert!(actor_core::Handle::current().is_none());
    let shards = rt.block_on(async { actor_core::Handle::current().map(|h| h.shards()) });
    assert_eq!(shards, Some(1));
    rt.shutdown().unwrap();
}
