//! Pinion, with its zero-config defaults (`Runtime::new()`).
//!
//! Every timed loop runs inside a driver actor on shard 0. "Same shard" puts
//! the other actors on shard 0 too; "across shards" puts them on shard 1, so
//! every message crosses threads. Each variant starts its own runtime for one
//! workload and shuts it down after (see `Variant::shutdown`).

use std::time::{Duration, Instant};

use actor_core::prelude::*;

use crate::Variant;
use crate::stats::Recorder;

// The idle actor and the ring node are the criterion benchmarks' own.
#[path = "../../fixtures.rs"]
#[allow(dead_code)] // its counter differs from this comparison's `Target`
mod fixtures;

use fixtures::{Idle, Node, NodeMsg};

/// The actor asked and told: `Inc(v)` answers `v + 1`, `Add(v)` sums.
struct Target(u64);

enum TargetMsg {
    Add(u64),
    Inc(u64, ReplyTo<u64>),
}

impl Actor for Target {
    type Msg = TargetMsg;
    async fn handle(&mut self, msg: TargetMsg, _ctx: &mut Context<Self>) {
        match msg {
            TargetMsg::Add(v) => self.0 = self.0.wrapping_add(v),
            TargetMsg::Inc(v, reply) => reply.send(v + 1),
        }
    }
}

/// One of the fan-in senders: tells `n` messages to the target, then replies.
struct Sender;

struct Burst(ActorRef<Target>, u64, ReplyTo<()>);

impl Actor for Sender {
    type Msg = Burst;
    async fn handle(&mut self, Burst(target, n, done): Burst, _ctx: &mut Context<Self>) {
        for i in 0..n {
            if target.tell(TargetMsg::Add(i)).await.is_err() {
                panic!("fan-in target stopped");
            }
        }
        done.send(());
    }
}

/// A timed job for the driver.
enum Job {
    Asks(ActorRef<Target>, usize, ReplyTo<Vec<u64>>),
    Tells(ActorRef<Target>, usize, ReplyTo<Duration>),
    FanIn(
        Vec<ActorRef<Sender>>,
        ActorRef<Target>,
        u64,
        ReplyTo<Duration>,
    ),
    SpawnStop(usize, usize, ReplyTo<Duration>),
    Hold(usize, usize, ReplyTo<Vec<ActorRef<Idle>>>),
    Ring(ActorRef<Node>, u64, ReplyTo<Duration>),
}

struct Driver;

impl Actor for Driver {
    type Msg = Job;
    async fn handle(&mut self, job: Job, ctx: &mut Context<Self>) {
        match job {
            Job::Asks(target, n, reply) => {
                let mut rec = Recorder::new(n);
                rec.start();
                for i in 0..n as u64 {
                    let v = target.ask(|r| TargetMsg::Inc(i, r)).await.expect("ask");
                    debug_assert_eq!(v, i + 1);
                    rec.lap();
                }
                reply.send(rec.finish());
            }
            Job::Tells(target, n, reply) => {
                let start = Instant::now();
                for i in 0..n as u64 {
                    target.tell(TargetMsg::Add(i)).await.expect("tell");
                }
                target.ask(|r| TargetMsg::Inc(0, r)).await.expect("flush");
                reply.send(start.elapsed());
            }
            Job::FanIn(senders, target, per, reply) => {
                let start = Instant::now();
                let bursts: Vec<_> = senders
                    .iter()
                    .map(|s| {
                        s.try_ask(|r| Burst(target.clone(), per, r))
                            .unwrap_or_else(|_| panic!("sender mailbox refused a burst"))
                    })
                    .collect();
                for b in bursts {
                    b.await.expect("burst");
                }
                target.ask(|r| TargetMsg::Inc(0, r)).await.expect("flush");
                reply.send(start.elapsed());
            }
            Job::SpawnStop(n, shard, reply) => {
                let mut refs = Vec::with_capacity(n);
                let start = Instant::now();
                for _ in 0..n {
                    let a = if shard == ctx.shard() {
                        ctx.spawn(Idle)
                    } else {
                        ctx.spawn_on(shard, || Idle).expect("spawn_on")
                    };
                    refs.push(a);
                }
                for a in &refs {
                    a.stop();
                }
                for a in &refs {
                    a.wait_stopped().await;
                }
                reply.send(start.elapsed());
            }
            Job::Hold(n, shard, reply) => {
                let refs = (0..n)
                    .map(|_| {
                        if shard == ctx.shard() {
                            ctx.spawn(Idle)
                        } else {
                            ctx.spawn_on(shard, || Idle).expect("spawn_on")
                        }
                    })
                    .collect();
                reply.send(refs);
            }
            Job::Ring(head, hops, reply) => {
                let start = Instant::now();
                head.ask(|r| NodeMsg::Token(hops, r)).await.expect("ring");
                reply.send(start.elapsed());
            }
        }
    }
}

/// Pinion on its own zero-config runtime, with the driver on shard 0 and the
/// asked and told target on `shard` (0: same shard, 1: across shards).
pub struct Pinion {
    rt: Runtime,
    driver: ActorRef<Driver>,
    target: ActorRef<Target>,
    shard: usize,
}

/// Starts a zero-config runtime, reads how many shards it has and describes
/// it, and shuts it down.
pub fn probe() -> (usize, String) {
    let rt = Runtime::new().expect("pinion runtime");
    let c = rt.config();
    let desc = format!(
        "pinion: Runtime::new() defaults: {} shards, driver {:?}, mailbox capacity {}, pin_threads {}, spin_before_park {:?}",
        rt.shards(),
        rt.driver(),
        c.mailbox_capacity,
        c.pin_threads,
        c.spin_before_park
    );
    let shards = rt.shards();
    rt.shutdown().expect("pinion runtime shut down cleanly");
    (shards, desc)
}

impl Pinion {
    /// Starts a fresh `Runtime::new()` with the driver on shard 0 and the
    /// target on `shard`.
    pub fn new(shard: usize) -> Pinion {
        let rt = Runtime::new().expect("pinion runtime");
        let driver = rt.spawn_on(0, || Driver).expect("driver");
        let target = rt.spawn_on(shard, || Target(0)).expect("target");
        Pinion {
            rt,
            driver,
            target,
            shard,
        }
    }

    fn driver(&self) -> &ActorRef<Driver> {
        &self.driver
    }
}

fn stop_all<A: Actor>(refs: &[ActorRef<A>]) {
    for a in refs {
        a.stop();
    }
    for a in refs {
        a.wait_stopped_blocking(Duration::from_secs(30))
            .expect("actor stopped within 30 s");
    }
}

impl Variant for Pinion {
    /// Stops every actor and joins every shard thread, so no spinning or
    /// parked shard outlives this variant's workload.
    fn shutdown(self: Box<Self>) {
        let Pinion {
            rt, driver, target, ..
        } = *self;
        drop((driver, target));
        rt.shutdown().expect("pinion runtime shut down cleanly");
    }

    fn ask(&mut self, n: usize) -> Option<Vec<u64>> {
        let target = self.target.clone();
        Some(
            self.driver()
                .ask_blocking(|r| Job::Asks(target, n, r))
                .expect("driver"),
        )
    }

    fn tell(&mut self, n: usize) -> Option<Duration> {
        let target = self.target.clone();
        Some(
            self.driver()
                .ask_blocking(|r| Job::Tells(target, n, r))
                .expect("driver"),
        )
    }

    fn fan_in(&mut self, senders: usize, per_sender: usize) -> Option<Duration> {
        let rt = &self.rt;
        let target = rt.spawn_on(0, || Target(0)).expect("target");
        let senders: Vec<_> = (0..senders)
            .map(|_| rt.spawn_on(self.shard, || Sender).expect("sender"))
            .collect();
        let (s, t) = (senders.clone(), target.clone());
        let took = self
            .driver()
            .ask_blocking(|r| Job::FanIn(s, t, per_sender as u64, r))
            .expect("driver");
        stop_all(&senders);
        stop_all(&[target]);
        Some(took)
    }

    fn spawn_stop(&mut self, n: usize) -> Option<Duration> {
        let shard = self.shard;
        Some(
            self.driver()
                .ask_blocking(|r| Job::SpawnStop(n, shard, r))
                .expect("driver"),
        )
    }

    fn idle_memory(&mut self, n: usize) -> Option<f64> {
        let shard = self.shard;
        let before = crate::memory::resident_bytes();
        let refs = self
            .driver()
            .ask_blocking(|r| Job::Hold(n, shard, r))
            .expect("driver");
        // Every actor has run its first poll (started) by now.
        std::thread::sleep(Duration::from_millis(300));
        let after = crate::memory::resident_bytes();
        stop_all(&refs);
        Some(crate::memory::per_item(before, after, n))
    }

    fn ring(&mut self, size: usize, hops: usize) -> Option<Duration> {
        let rt = &self.rt;
        // Same shard: every node on shard 0. Across: nodes alternate between
        // shard 0 and `self.shard`, so every hop crosses threads.
        let nodes: Vec<_> = (0..size)
            .map(|i| {
                let shard = if i % 2 == 0 { 0 } else { self.shard };
                rt.spawn_on(shard, || Node(None)).expect("node")
            })
            .collect();
        for (i, node) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % size].clone();
            if node.tell_blocking(NodeMsg::Link(next)).is_err() {
                panic!("ring node refused its link");
            }
        }
        let head = nodes[0].clone();
        let took = self
            .driver()
            .ask_blocking(|r| Job::Ring(head, hops as u64, r))
            .expect("driver");
        // Break the cycle of refs so the nodes can be freed.
        stop_all(&nodes);
        Some(took)
    }
}
