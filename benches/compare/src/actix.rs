//! actix: `Actor` + `Handler`, `send` for asks and `do_send` for tells, in an
//! actix-rt `System` (one thread; actix spreads work only across arbiters).

use std::time::{Duration, Instant};

use actix::prelude::*;
use tokio::sync::oneshot;

use crate::Variant;
use crate::stats::Recorder;

struct Target {
    sum: u64,
}

impl Actor for Target {
    type Context = Context<Self>;
}

#[derive(Message)]
#[rtype(result = "u64")]
struct Inc(u64);

#[derive(Message)]
#[rtype(result = "()")]
struct Add(u64);

impl Handler<Inc> for Target {
    type Result = u64;
    fn handle(&mut self, Inc(v): Inc, _ctx: &mut Context<Self>) -> u64 {
        v + 1
    }
}

impl Handler<Add> for Target {
    type Result = ();
    fn handle(&mut self, Add(v): Add, _ctx: &mut Context<Self>) {
        self.sum = self.sum.wrapping_add(v);
    }
}

/// Stops the receiving actor.
#[derive(Message)]
#[rtype(result = "()")]
struct Stop;

impl Handler<Stop> for Target {
    type Result = ();
    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// actix has no join on an actor: `stopped` reports through a oneshot.
struct Idle {
    stopped: Option<oneshot::Sender<()>>,
}

impl Actor for Idle {
    type Context = Context<Self>;
    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        if let Some(tx) = self.stopped.take() {
            let _ = tx.send(());
        }
    }
}

impl Handler<Stop> for Idle {
    type Result = ();
    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

struct Node {
    next: Option<Addr<Node>>,
}

impl Actor for Node {
    type Context = Context<Self>;
}

#[derive(Message)]
#[rtype(result = "()")]
struct Link(Addr<Node>);

#[derive(Message)]
#[rtype(result = "()")]
struct Token(u64, oneshot::Sender<()>);

impl Handler<Link> for Node {
    type Result = ();
    fn handle(&mut self, Link(next): Link, _ctx: &mut Context<Self>) {
        self.next = Some(next);
    }
}

impl Handler<Token> for Node {
    type Result = ();
    fn handle(&mut self, Token(left, done): Token, _ctx: &mut Context<Self>) {
        if left == 0 {
            let _ = done.send(());
            return;
        }
        self.next
            .as_ref()
            .expect("ring linked")
            .do_send(Token(left - 1, done));
    }
}

impl Handler<Stop> for Node {
    type Result = ();
    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        self.next = None;
        ctx.stop();
    }
}

/// actix in its own `System`, which drops with it.
pub struct Actix {
    system: SystemRunner,
}

impl Actix {
    pub fn new() -> Actix {
        Actix {
            system: System::new(),
        }
    }
}

impl Variant for Actix {
    fn ask(&mut self, n: usize) -> Option<Vec<u64>> {
        Some(self.system.block_on(async {
            let target = Target { sum: 0 }.start();
            let mut rec = Recorder::new(n);
            rec.start();
            for i in 0..n as u64 {
                let v = target.send(Inc(i)).await.expect("send");
                debug_assert_eq!(v, i + 1);
                rec.lap();
            }
            target.do_send(Stop);
            rec.finish()
        }))
    }

    fn tell(&mut self, n: usize) -> Option<Duration> {
        Some(self.system.block_on(async {
            let target = Target { sum: 0 }.start();
            let start = Instant::now();
            for i in 0..n as u64 {
                target.do_send(Add(i));
            }
            target.send(Inc(0)).await.expect("flush");
            let took = start.elapsed();
            target.do_send(Stop);
            took
        }))
    }

    fn fan_in(&mut self, senders: usize, per_sender: usize) -> Option<Duration> {
        Some(self.system.block_on(async {
            let target = Target { sum: 0 }.start();
            let start = Instant::now();
            let tasks: Vec<_> = (0..senders)
                .map(|_| {
                    let t = target.clone();
                    actix_rt::spawn(async move {
                        for i in 0..per_sender as u64 {
                            t.do_send(Add(i));
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("sender task");
            }
            target.send(Inc(0)).await.expect("flush");
            let took = start.elapsed();
            target.do_send(Stop);
            took
        }))
    }

    fn spawn_stop(&mut self, n: usize) -> Option<Duration> {
        Some(self.system.block_on(async {
            let mut actors = Vec::with_capacity(n);
            let start = Instant::now();
            for _ in 0..n {
                let (tx, rx) = oneshot::channel();
                actors.push((Idle { stopped: Some(tx) }.start(), rx));
            }
            for (a, _) in &actors {
                a.do_send(Stop);
            }
            for (_, rx) in actors {
                rx.await.expect("actor stopped");
            }
            start.elapsed()
        }))
    }

    fn idle_memory(&mut self, n: usize) -> Option<f64> {
        Some(self.system.block_on(async {
            let before = crate::memory::resident_bytes();
            let actors: Vec<_> = (0..n).map(|_| Idle { stopped: None }.start()).collect();
            actix_rt::time::sleep(Duration::from_millis(300)).await;
            let after = crate::memory::resident_bytes();
            for a in &actors {
                a.do_send(Stop);
            }
            crate::memory::per_item(before, after, n)
        }))
    }

    fn ring(&mut self, size: usize, hops: usize) -> Option<Duration> {
        Some(self.system.block_on(async {
            let nodes: Vec<_> = (0..size).map(|_| Node { next: None }.start()).collect();
            for (i, node) in nodes.iter().enumerate() {
                let next = nodes[(i + 1) % size].clone();
                node.send(Link(next)).await.expect("link");
            }
            let start = Instant::now();
            let (tx, rx) = oneshot::channel();
            nodes[0].do_send(Token(hops as u64, tx));
            rx.await.expect("token came back");
            let took = start.elapsed();
            for node in &nodes {
                node.do_send(Stop);
            }
            took
        }))
    }
}
