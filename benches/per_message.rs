//! A fixed workload for instruction counting under callgrind: `n` same-shard
//! tells, asks, or spawn-and-stops from a driver actor. Run it with two values of `n`; the
//! difference of the totals divided by the difference of `n` is the cost of
//! one message, free of start-up and shutdown.
//!
//! ```sh
//! cargo build --release -p benches --example per_message
//! PINION_DRIVER=epoll valgrind --tool=callgrind target/release/examples/per_message tell 100000
//! ```
//!
//! Modes: `tell`, `ask`, `spawn` (spawn `n` idle actors on the driver's
//! shard, stop them all, wait for each: workload D of the comparison),
//! `ring` (`n` hops of a token around 1000 actors: workload E), and
//! `ask-across` (asks to an actor on shard 1; for a sampling profiler such as
//! `perf record -e cpu-clock`: callgrind runs one thread at a time, so it
//! shows none of the cost of crossing cores).

#![allow(missing_docs)]

use actor_core::prelude::*;

#[path = "fixtures.rs"]
#[allow(dead_code)] // each benchmark uses some of the fixtures
mod fixtures;

use fixtures::{Idle, Node, NodeMsg, Target, TargetMsg};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Tell,
    Ask,
    Spawn,
    Ring,
}

struct Driver(ActorRef<Target>);

impl Actor for Driver {
    type Msg = (Mode, u64, ReplyTo<u64>);
    async fn handle(&mut self, (mode, n, reply): Self::Msg, ctx: &mut Context<Self>) {
        if mode == Mode::Ring {
            let nodes: Vec<_> = (0..1000).map(|_| ctx.spawn(Node(None))).collect();
            for (i, node) in nodes.iter().enumerate() {
                let next = nodes[(i + 1) % nodes.len()].clone();
                node.tell(NodeMsg::Link(next)).await.expect("node alive");
            }
            let done = nodes[0].ask(|r| NodeMsg::Token(n, r)).await;
            nodes.iter().for_each(ActorRef::stop);
            done.expect("ring");
            reply.send(n);
            return;
        }
        if mode == Mode::Spawn {
            let refs: Vec<_> = (0..n).map(|_| ctx.spawn(Idle)).collect();
            for a in &refs {
                a.stop();
            }
            for a in &refs {
                a.wait_stopped().await;
            }
            reply.send(n);
            return;
        }
        let mut sum = 0;
        for i in 0..n {
            if mode == Mode::Ask {
                sum += self.0.ask(TargetMsg::Get).await.expect("target alive");
            } else {
                self.0.tell(TargetMsg::Add(i)).await.expect("target alive");
            }
        }
        sum += self.0.ask(TargetMsg::Get).await.expect("target alive");
        reply.send(sum);
    }
}

fn main() -> Result<(), actor_core::Error> {
    let mut args = std::env::args().skip(1);
    // `ask-across` is `ask` with the target on shard 1.
    let (mode, target_shard) = match args.next().as_deref() {
        Some("ask") => (Mode::Ask, 0),
        Some("ask-across") => (Mode::Ask, 1),
        Some("spawn") => (Mode::Spawn, 0),
        Some("ring") => (Mode::Ring, 0),
        _ => (Mode::Tell, 0),
    };
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let rt = Runtime::new()?;
    let target = rt.spawn_on(target_shard.min(rt.shards() - 1), || Target(0))?;
    let driver = rt.spawn_on(0, move || Driver(target))?;
    let sum = driver.ask_blocking(|r| (mode, n, r))?;
    let name = match mode {
        Mode::Tell => "tell",
        Mode::Ask => "ask",
        Mode::Spawn => "spawn",
        Mode::Ring => "ring",
    };
    println!("{name} x{n}: {sum}");
    for s in rt.metrics().shards {
        println!("shard {}: {} parks, {} wakes", s.shard, s.parks, s.wakes);
    }
    rt.shutdown()?;
    Ok(())
}
