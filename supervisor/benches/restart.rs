//! Restart latency: from a panic to the replacement handling its first
//! message, with the child on the supervisor's shard and on another shard.
//!
//! Each iteration sends `Crash` then asks `Ping`; the ping waits in the same
//! mailbox and is the replacement's first message.
//!
//! `cargo bench -p actor-supervisor --bench restart -- --warm-up-time 1 --measurement-time 3`

use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_supervisor::{ChildSpec, Supervisor};
use criterion::{Criterion, criterion_main};

struct Child;

enum Msg {
    Crash,
    Ping(ReplyTo<()>),
}

impl Actor for Child {
    type Msg = Msg;
    async fn handle(&mut self, msg: Msg, _: &mut Context<Self>) {
        match msg {
            Msg::Crash => panic!("bench crash"),
            Msg::Ping(r) => r.send(()),
        }
    }
}

fn restart_latency(c: &mut Criterion) {
    std::panic::set_hook(Box::new(|_| {}));
    let rt = Runtime::builder().shards(2).build().expect("runtime");
    let mut group = c.benchmark_group("restart_latency");
    for (name, shard) in [("same_shard", 0), ("cross_shard", 1)] {
        let tree = Supervisor::builder()
            .shard(0)
            .intensity(u32::MAX, Duration::from_secs(1))
            .child_spec(ChildSpec::new("c", || Child).shard(shard))
            .spawn_blocking(rt.handle())
            .expect("tree");
        let child = tree.child::<Child>("c").expect("child");
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    child.tell_blocking(Msg::Crash).expect("tell");
                    child.ask_blocking(Msg::Ping).expect("replacement answers");
                    total += t.elapsed();
                }
                total
            });
        });
        tree.shutdown_blocking(Duration::from_secs(5))
            .expect("the tree stops");
    }
    group.finish();
    drop(rt);
}

mod group {
    #![allow(missing_docs)] // criterion_group! makes an undocumented pub fn
    use super::restart_latency;
    criterion::criterion_group!(benches, restart_latency);
}

criterion_main!(group::benches);
