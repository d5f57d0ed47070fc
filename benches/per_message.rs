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

struct Target(u64);

enum TargetMsg {
    Add(u64),
    Get(ReplyTo<u64>),
}

impl Actor for Target {
    type Msg = TargetMsg;
    async fn handle(&mut self, msg: TargetMsg, _ctx: &mut Context<Self>) {
        match msg {
            TargetMsg::Add(n) => self.0 += n,
            TargetMsg::Get(r) => r.send(self.0 + 1),
        }
    }
}

struct Idle;

impl Actor for Idle {
    type Msg = ();
    async fn handle(&mut self, _: (), _ctx: &mut Context<Self>) {}
}

/// A ring node: forwards the token, counting down; at zero, answers.
struct Node(Option<ActorRef<Node>>);

enum NodeMsg {
    Link(ActorRef<Node>),
    Token(u64, ReplyTo<u64>),
}

impl Actor for Node {
    type Msg = NodeMsg;
    async fn handle(&mut self, msg: NodeMsg, _ctx: &mut Context<Self>) {
        match msg {
            NodeMsg::Link(next) => self.0 = Some(next),
            NodeMsg::Token(0, done) => done.send(0),
            NodeMsg::Token(left, done) => {
                let next = self.0.as_ref().expect("ring linked");
                if next.tell(NodeMsg::Token(left - 1, done)).await.is_err() {
                    panic!("ring node stopped");
                }
            }
        }
    }
}

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
            let left = nodes[0].ask(|r| NodeMsg::Token(n, r)).await;
            nodes.iter().for_each(ActorRef::stop);
            reply.send(left.expect("ring"));
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
    let mode = match args.next().as_deref() {
        Some("ask") => Mode::Ask,
        Some("spawn") => Mode::Spawn,
        Some("ring") => Mode::Ring,
        Some("ask-across") => Mode::Ask,
        _ => Mode::Tell,
    };
    let target_shard = usize::from(std::env::args().nth(1).as_deref() == Some("ask-across"));
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
