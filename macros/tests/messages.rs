//! Each kind of `#[message]` method, through the generated handle methods,
//! from a plain thread, from an actor on the same shard and from one on
//! another shard.
#![deny(warnings)]

use std::time::Duration;

use actor_core::prelude::*;
use actor_core::time::sleep;

/// The actor under test: every kind of method.
#[actor(name = "counter")]
#[derive(Debug)]
pub struct Counter {
    total: u64,
}

/// Why `checked_sub` failed.
#[derive(Debug, PartialEq, Eq)]
pub struct Underflow;

#[messages]
impl Counter {
    /// Sync tell with `&mut self`.
    #[message]
    pub fn add(&mut self, by: u64) {
        self.total += by;
    }

    /// Sync ask with `&self`.
    #[message]
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Sync ask returning `Result`, with `ctx` last.
    #[message]
    pub fn checked_sub(&mut self, by: u64, ctx: &mut Context<Self>) -> Result<u64, Underflow> {
        let _ = ctx.id();
        self.total = self.total.checked_sub(by).ok_or(Underflow)?;
        Ok(self.total)
    }

    /// Async ask with `&self` that awaits a timer.
    #[message]
    pub async fn total_later(&self, after: Duration) -> u64 {
        sleep(after).await;
        self.total
    }

    /// Async tell with `&mut self` and `ctx` first.
    #[message]
    pub async fn add_later(&mut self, ctx: &mut Context<Self>, by: u64, after: Duration) {
        sleep(after).await;
        let _ = ctx.shard();
        self.total += by;
    }

    /// Which shard handles the message.
    #[message]
    pub fn shard_of(&self, ctx: &mut Context<Self>) -> usize {
        ctx.shard()
    }

    /// A plain method, not a message.
    pub fn doubled(&self) -> u64 {
        self.total * 2
    }
}

/// An actor that drives a `Counter` through its generated handle.
#[actor]
#[derive(Debug)]
pub struct Client;

#[messages]
impl Client {
    /// Uses every generated method kind that works inside an actor.
    #[message]
    pub async fn drive(&self, counter: ActorRef<Counter>) -> Result<(u64, usize), AskError> {
        counter.add(1).await.map_err(|_| AskError::Closed)?;
        counter.try_add(1).map_err(|_| AskError::Full)?;
        // On a shard a blocking tell sends nothing and hands the message back.
        assert!(matches!(
            counter.add_blocking(100),
            Err(SendError::WouldBlock(CounterMsg::Add { by: 100, .. }))
        ));
        counter.add_timeout(Duration::from_secs(5), 1).await?;
        counter
            .add_later_timeout(Duration::from_secs(5), 1, Duration::from_millis(1))
            .await?;
        let total = counter.total().await?;
        assert_eq!(
            counter.try_total().map_err(|_| AskError::Full)?.await?,
            total
        );
        assert_eq!(counter.total_later(Duration::from_millis(1)).await?, total);
        assert_eq!(counter.total_blocking(), Err(AskError::WouldBlock));
        assert_eq!(counter.checked_sub(total + 1).await?, Err(Underflow));
        Ok((total, counter.shard_of().await?))
    }
}

fn runtime() -> Runtime {
    Runtime::builder().shards(2).build().expect("runtime")
}

#[test]
fn every_kind_of_method_from_a_plain_thread() {
    let rt = runtime();
    let counter = rt.spawn_on(1, || Counter { total: 0 }).unwrap();
    assert_eq!(counter.name(), "counter");
    rt.block_on(counter.add(2)).unwrap();
    counter.try_add(3).unwrap();
    counter.add_blocking(5).unwrap();
    counter
        .add_later_blocking(10, Duration::from_millis(2))
        .unwrap();
    assert_eq!(counter.total_blocking().unwrap(), 20);
    assert_eq!(counter.checked_sub_blocking(21).unwrap(), Err(Underflow));
    assert_eq!(counter.checked_sub_blocking(5).unwrap(), Ok(15));
    assert_eq!(
        counter
            .total_later_blocking(Duration::from_millis(2))
            .unwrap(),
        15
    );
    assert_eq!(counter.shard_of_blocking().unwrap(), 1);
    rt.shutdown().unwrap();
}

#[test]
fn every_kind_of_method_from_async_code() {
    let rt = runtime();
    let counter = rt.spawn_on(0, || Counter { total: 0 }).unwrap();
    let total = rt.block_on(async {
        counter.add(4).await.unwrap();
        counter
            .add_timeout(Duration::from_secs(5), 1)
            .await
            .unwrap();
        let reply = counter.try_total().unwrap();
        assert_eq!(reply.await.unwrap(), 5);
        assert_eq!(
            counter
                .total_later_timeout(Duration::from_secs(5), Duration::from_millis(1))
                .await,
            Ok(5)
        );
        counter.checked_sub(1).await.unwrap().unwrap()
    });
    assert_eq!(total, 4);
    rt.shutdown().unwrap();
}

#[test]
fn an_actor_drives_another_on_the_same_shard() {
    let rt = runtime();
    let counter = rt.spawn_on(1, || Counter { total: 0 }).unwrap();
    let client = rt.spawn_on(1, || Client).unwrap();
    assert_eq!(client.drive_blocking(counter.clone()).unwrap(), Ok((4, 1)));
    rt.shutdown().unwrap();
}

#[test]
fn an_actor_drives_another_on_another_shard() {
    let rt = runtime();
    let counter = rt.spawn_on(0, || Counter { total: 0 }).unwrap();
    let client = rt.spawn_on(1, || Client).unwrap();
    assert_eq!(client.drive_blocking(counter.clone()).unwrap(), Ok((4, 0)));
    rt.shutdown().unwrap();
}

#[test]
fn a_slow_answer_times_out() {
    let rt = runtime();
    let counter = rt.spawn_on(1, || Counter { total: 0 }).unwrap();
    let late = rt.block_on(
        counter.total_later_timeout(Duration::from_millis(5), Duration::from_millis(500)),
    );
    assert_eq!(late, Err(AskError::Timeout));
    rt.shutdown().unwrap();
}

#[test]
fn a_stopped_actor_hands_the_message_back() {
    let rt = runtime();
    let counter = rt.spawn_on(1, || Counter { total: 0 }).unwrap();
    counter.stop();
    counter
        .wait_stopped_blocking(Duration::from_secs(5))
        .unwrap();
    match rt.block_on(counter.add(7)) {
        Err(SendError::Closed(CounterMsg::Add { by, reply_to: None })) => assert_eq!(by, 7),
        other => panic!("expected Closed(Add), got {other:?}"),
    }
    assert!(matches!(
        counter.try_add(8),
        Err(SendError::Closed(CounterMsg::Add { by: 8, .. }))
    ));
    assert!(matches!(
        counter.add_blocking(9),
        Err(SendError::Closed(CounterMsg::Add { by: 9, .. }))
    ));
    assert!(matches!(
        counter.try_total(),
        Err(SendError::Closed(CounterMsg::Total { .. }))
    ));
    assert_eq!(counter.total_blocking(), Err(AskError::Closed));
    rt.shutdown().unwrap();
}

/// A one-slot mailbox whose handler can be held on a gate.
#[actor(mailbox = 1)]
#[derive(Debug)]
pub struct Slow {
    seen: Vec<u64>,
}

#[messages]
impl Slow {
    /// Holds the actor until `gate` opens.
    #[message]
    pub async fn hold(&mut self, gate: Reply<()>) {
        let _ = gate.await;
    }

    /// Records `n`.
    #[message]
    pub fn push(&mut self, n: u64) {
        self.seen.push(n);
    }

    /// What it recorded.
    #[message]
    pub fn seen(&self) -> Vec<u64> {
        self.seen.clone()
    }
}

/// The generated tell is back-pressure: `push` (awaited) and `push_blocking`
/// wait for room in a full mailbox, `try_push` hands the message back.
#[test]
fn the_generated_tell_waits_for_room_and_try_hands_the_message_back() {
    let rt = runtime();
    let slow = rt.spawn_on(1, || Slow { seen: Vec::new() }).unwrap();
    let (open, gate) = actor_core::oneshot::<()>();
    slow.try_hold(gate).unwrap();
    let end = std::time::Instant::now() + Duration::from_secs(5);
    while slow.mailbox_len() > 0 {
        assert!(std::time::Instant::now() < end, "the gate was never taken");
        std::thread::sleep(Duration::from_millis(1));
    }
    slow.try_push(1).unwrap(); // the one slot
    assert!(matches!(
        slow.try_push(2),
        Err(SendError::Full(SlowMsg::Push { n: 2, .. }))
    ));
    std::thread::scope(|s| {
        let blocking = s.spawn(|| slow.push_blocking(3));
        let awaiting = s.spawn(|| rt.block_on(slow.push(4)));
        std::thread::sleep(Duration::from_millis(30));
        assert!(
            !blocking.is_finished(),
            "push_blocking returned on a full mailbox"
        );
        assert!(
            !awaiting.is_finished(),
            "push().await returned on a full mailbox"
        );
        open.send(());
        blocking.join().unwrap().unwrap();
        awaiting.join().unwrap().unwrap();
    });
    let mut seen = slow.seen_blocking().unwrap();
    assert_eq!(seen.remove(0), 1);
    seen.sort_unstable();
    assert_eq!(seen, [3, 4]);
    rt.shutdown().unwrap();
}

#[test]
fn the_message_enum_prints_its_variant() {
    let msg = CounterMsg::Add {
        by: 1,
        reply_to: None,
    };
    assert_eq!(format!("{msg:?}"), "CounterMsg::Add");
    assert_eq!(Counter { total: 2 }.doubled(), 4);
}

/// Generated items in a private module raise no lint (`unreachable_pub`,
/// `missing_docs`, `dead_code` are all denied here through `warnings`).
mod private_actor {
    use actor_core::prelude::*;

    #[actor]
    #[derive(Debug)]
    pub(crate) struct Quiet;

    #[messages]
    impl Quiet {
        #[message]
        fn ping(&self) {}

        #[message]
        pub(crate) fn pong(&self) -> u8 {
            1
        }
    }

    #[test]
    fn private_actors_compile_without_warnings() {
        let rt = Runtime::builder().shards(1).build().unwrap();
        let quiet = rt.spawn(|| Quiet).unwrap();
        rt.block_on(quiet.ping()).unwrap();
        assert_eq!(quiet.pong_blocking().unwrap(), 1);
        rt.shutdown().unwrap();
    }
}
