//! A ring of 1000 actors passes one token around; the figure is per hop.
//! Same shard: every node on shard 0. Across shards: nodes alternate between
//! two shards, so every hop crosses threads.
//!
//! ```sh
//! cargo bench -p benches --bench ring -- --warm-up-time 1 --measurement-time 3
//! ```

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use actor_core::prelude::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const NODES: usize = 1000;

#[path = "fixtures.rs"]
#[allow(dead_code)] // each benchmark uses some of the fixtures
mod fixtures;

use fixtures::{Node, NodeMsg};

struct Driver;

struct Lap(ActorRef<Node>, u64, ReplyTo<Duration>);

impl Actor for Driver {
    type Msg = Lap;
    async fn handle(&mut self, Lap(head, hops, reply): Lap, _ctx: &mut Context<Self>) {
        let start = Instant::now();
        head.ask(|r| NodeMsg::Token(hops, r)).await.expect("ring");
        reply.send(start.elapsed());
    }
}

fn ring(rt: &Runtime, shards: [usize; 2]) -> Vec<ActorRef<Node>> {
    let nodes: Vec<_> = (0..NODES)
        .map(|i| rt.spawn_on(shards[i % 2], || Node(None)).expect("node"))
        .collect();
    for (i, node) in nodes.iter().enumerate() {
        let next = nodes[(i + 1) % NODES].clone();
        node.tell_blocking(NodeMsg::Link(next))
            .unwrap_or_else(|_| panic!("ring node refused its link"));
    }
    nodes
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::builder().shards(2).build().expect("runtime");
    let driver = rt.spawn_on(0, || Driver).expect("driver");
    let mut g = c.benchmark_group("ring_1000");
    g.throughput(Throughput::Elements(1));
    for (name, shards) in [("same_shard", [0, 0]), ("across_shards", [0, 1])] {
        let nodes = ring(&rt, shards);
        g.bench_function(name, |b| {
            b.iter_custom(|n| {
                let head = nodes[0].clone();
                driver.ask_blocking(|r| Lap(head, n, r)).expect("driver")
            });
        });
        // Break the cycle of refs so the nodes can be freed.
        nodes.iter().for_each(ActorRef::stop);
    }
    g.finish();
    rt.shutdown().expect("clean shutdown");
}

criterion_group!(benches, bench);
criterion_main!(benches);
