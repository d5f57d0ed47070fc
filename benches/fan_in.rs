//! Fan-in: four sender actors each tell `n / 4` messages to one target, then
//! the driver flushes the target with one ask. Senders on the target's shard
//! and on another shard.
//!
//! ```sh
//! cargo bench -p benches --bench fan_in -- --warm-up-time 1 --measurement-time 3
//! ```

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use actor_core::prelude::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "fixtures.rs"]
#[allow(dead_code)] // each benchmark uses some of the fixtures
mod fixtures;

use fixtures::{Target, TargetMsg};

const SENDERS: u64 = 4;

/// Tells its share to the target, then answers.
struct Sender;

struct Burst(ActorRef<Target>, u64, ReplyTo<()>);

impl Actor for Sender {
    type Msg = Burst;
    async fn handle(&mut self, Burst(target, n, done): Burst, _ctx: &mut Context<Self>) {
        for i in 0..n {
            target.tell(TargetMsg::Add(i)).await.expect("target alive");
        }
        done.send(());
    }
}

struct Driver;

struct FanIn(
    Vec<ActorRef<Sender>>,
    ActorRef<Target>,
    u64,
    ReplyTo<Duration>,
);

impl Actor for Driver {
    type Msg = FanIn;
    async fn handle(&mut self, FanIn(senders, target, per, reply): FanIn, _: &mut Context<Self>) {
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
        target.ask(TargetMsg::Get).await.expect("target alive");
        reply.send(start.elapsed());
    }
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::builder().shards(2).build().expect("runtime");
    let driver = rt.spawn_on(0, || Driver).expect("driver");
    let target = rt.spawn_on(0, || Target(0)).expect("target");
    let mut g = c.benchmark_group("fan_in_4_to_1");
    g.throughput(Throughput::Elements(1));
    for (name, shard) in [("same_shard", 0), ("across_shards", 1)] {
        let senders: Vec<_> = (0..SENDERS)
            .map(|_| rt.spawn_on(shard, || Sender).expect("sender"))
            .collect();
        g.bench_function(name, |b| {
            b.iter_custom(|n| {
                let per = n.div_ceil(SENDERS);
                let (s, t) = (senders.clone(), target.clone());
                driver
                    .ask_blocking(|r| FanIn(s, t, per, r))
                    .expect("driver")
            });
        });
    }
    g.finish();
    rt.shutdown().expect("clean shutdown");
}

criterion_group!(benches, bench);
criterion_main!(benches);
