//! kameo: `#[derive(Actor)]` and `Message` impls, `ask`/`tell`, on tokio.
//!
//! The driver loop runs as a tokio task on the runtime under test. kameo's
//! default mailbox is bounded (64); `tell().await` waits for room.

use std::time::{Duration, Instant};

use kameo::prelude::*;
use tokio::sync::oneshot;

use crate::Variant;
use crate::stats::Recorder;
use crate::tokio_rt::Flavor;

#[derive(Actor)]
struct Target {
    sum: u64,
}

struct Inc(u64);
struct Add(u64);

impl Message<Inc> for Target {
    type Reply = u64;
    async fn handle(&mut self, Inc(v): Inc, _ctx: &mut Context<Self, u64>) -> u64 {
        v + 1
    }
}

impl Message<Add> for Target {
    type Reply = ();
    async fn handle(&mut self, Add(v): Add, _ctx: &mut Context<Self, ()>) {
        self.sum = self.sum.wrapping_add(v);
    }
}

#[derive(Actor)]
struct Idle;

#[derive(Actor)]
struct Node {
    next: Option<ActorRef<Node>>,
}

struct Link(ActorRef<Node>);
struct Token(u64, oneshot::Sender<()>);

impl Message<Link> for Node {
    type Reply = ();
    async fn handle(&mut self, Link(next): Link, _ctx: &mut Context<Self, ()>) {
        self.next = Some(next);
    }
}

impl Message<Token> for Node {
    type Reply = ();
    async fn handle(&mut self, Token(left, done): Token, _ctx: &mut Context<Self, ()>) {
        if left == 0 {
            let _ = done.send(());
            return;
        }
        let next = self.next.as_ref().expect("ring linked");
        if next.tell(Token(left - 1, done)).await.is_err() {
            panic!("ring node stopped");
        }
    }
}

async fn stop<A: Actor>(a: &ActorRef<A>) {
    let _ = a.stop_gracefully().await;
    a.wait_for_shutdown().await;
}

/// kameo on its own tokio runtime, which drops (joining its workers) with it.
pub struct Kameo {
    rt: tokio::runtime::Runtime,
}

impl Kameo {
    pub fn new(flavor: Flavor) -> Kameo {
        Kameo { rt: flavor.build() }
    }
}

impl Variant for Kameo {
    fn ask(&mut self, n: usize) -> Option<Vec<u64>> {
        Some(self.rt.block_on(async {
            let target = Target::spawn(Target { sum: 0 });
            let t = target.clone();
            let samples = tokio::spawn(async move {
                let mut rec = Recorder::new(n);
                rec.start();
                for i in 0..n as u64 {
                    let v = t.ask(Inc(i)).await.expect("ask");
                    debug_assert_eq!(v, i + 1);
                    rec.lap();
                }
                rec.finish()
            })
            .await
            .expect("driver task");
            stop(&target).await;
            samples
        }))
    }

    fn tell(&mut self, n: usize) -> Option<Duration> {
        Some(self.rt.block_on(async {
            let target = Target::spawn(Target { sum: 0 });
            let t = target.clone();
            let took = tokio::spawn(async move {
                let start = Instant::now();
                for i in 0..n as u64 {
                    t.tell(Add(i)).await.expect("tell");
                }
                t.ask(Inc(0)).await.expect("flush");
                start.elapsed()
            })
            .await
            .expect("driver task");
            stop(&target).await;
            took
        }))
    }

    fn fan_in(&mut self, senders: usize, per_sender: usize) -> Option<Duration> {
        Some(self.rt.block_on(async {
            let target = Target::spawn(Target { sum: 0 });
            let t = target.clone();
            let took = tokio::spawn(async move {
                let start = Instant::now();
                let tasks: Vec<_> = (0..senders)
                    .map(|_| {
                        let t = t.clone();
                        tokio::spawn(async move {
                            for i in 0..per_sender as u64 {
                                t.tell(Add(i)).await.expect("tell");
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.expect("sender task");
                }
                t.ask(Inc(0)).await.expect("flush");
                start.elapsed()
            })
            .await
            .expect("driver task");
            stop(&target).await;
            took
        }))
    }

    fn spawn_stop(&mut self, n: usize) -> Option<Duration> {
        Some(self.rt.block_on(async {
            tokio::spawn(async move {
                let mut refs = Vec::with_capacity(n);
                let start = Instant::now();
                for _ in 0..n {
                    refs.push(Idle::spawn(Idle));
                }
                for a in &refs {
                    let _ = a.stop_gracefully().await;
                }
                for a in &refs {
                    a.wait_for_shutdown().await;
                }
                start.elapsed()
            })
            .await
            .expect("driver task")
        }))
    }

    fn idle_memory(&mut self, n: usize) -> Option<f64> {
        Some(self.rt.block_on(async {
            let before = crate::memory::resident_bytes();
            let refs: Vec<_> = (0..n).map(|_| Idle::spawn(Idle)).collect();
            tokio::time::sleep(Duration::from_millis(300)).await;
            let after = crate::memory::resident_bytes();
            for a in &refs {
                let _ = a.stop_gracefully().await;
            }
            for a in &refs {
                a.wait_for_shutdown().await;
            }
            crate::memory::per_item(before, after, n)
        }))
    }

    fn ring(&mut self, size: usize, hops: usize) -> Option<Duration> {
        Some(self.rt.block_on(async {
            let nodes: Vec<_> = (0..size)
                .map(|_| Node::spawn(Node { next: None }))
                .collect();
            for (i, node) in nodes.iter().enumerate() {
                let next = nodes[(i + 1) % size].clone();
                node.ask(Link(next)).await.expect("link");
            }
            let head = nodes[0].clone();
            let took = tokio::spawn(async move {
                let start = Instant::now();
                let (tx, rx) = oneshot::channel();
                if head.tell(Token(hops as u64, tx)).await.is_err() {
                    panic!("ring head stopped");
                }
                rx.await.expect("token came back");
                start.elapsed()
            })
            .await
            .expect("driver task");
            for node in &nodes {
                stop(node).await;
            }
            took
        }))
    }
}
