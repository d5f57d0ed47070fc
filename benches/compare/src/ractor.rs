//! ractor: `Actor` with `handle`, `call!` for asks and `cast` for tells, on
//! tokio. ractor's mailboxes are unbounded, so `cast` never waits.

use std::time::{Duration, Instant};

use ractor::concurrency::JoinHandle;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, call};

use crate::Variant;
use crate::stats::Recorder;
use crate::tokio_rt::Flavor;

struct Target;

enum TargetMsg {
    Add(u64),
    Inc(u64, RpcReplyPort<u64>),
}

impl Actor for Target {
    type Msg = TargetMsg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(&self, _me: ActorRef<TargetMsg>, _: ()) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }

    async fn handle(
        &self,
        _me: ActorRef<TargetMsg>,
        msg: TargetMsg,
        sum: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            TargetMsg::Add(v) => *sum = sum.wrapping_add(v),
            TargetMsg::Inc(v, reply) => {
                let _ = reply.send(v + 1);
            }
        }
        Ok(())
    }
}

struct Idle;

impl Actor for Idle {
    type Msg = ();
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _me: ActorRef<()>, _: ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }
}

struct Node;

enum NodeMsg {
    Link(ActorRef<NodeMsg>),
    Token(u64, RpcReplyPort<()>),
}

impl Actor for Node {
    type Msg = NodeMsg;
    type State = Option<ActorRef<NodeMsg>>;
    type Arguments = ();

    async fn pre_start(
        &self,
        _me: ActorRef<NodeMsg>,
        _: (),
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(None)
    }

    async fn handle(
        &self,
        _me: ActorRef<NodeMsg>,
        msg: NodeMsg,
        next: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            NodeMsg::Link(n) => *next = Some(n),
            NodeMsg::Token(0, done) => {
                let _ = done.send(());
            }
            NodeMsg::Token(left, done) => {
                let next = next.as_ref().expect("ring linked");
                if next.cast(NodeMsg::Token(left - 1, done)).is_err() {
                    panic!("ring node stopped");
                }
            }
        }
        Ok(())
    }
}

async fn spawn_target() -> (ActorRef<TargetMsg>, JoinHandle<()>) {
    Actor::spawn(None, Target, ()).await.expect("spawn target")
}

async fn stop<M: ractor::Message>(a: ActorRef<M>, handle: JoinHandle<()>) {
    a.stop(None);
    handle.await.expect("actor task");
}

/// ractor on its own tokio runtime, which drops (joining its workers) with it.
pub struct Ractor {
    rt: tokio::runtime::Runtime,
}

impl Ractor {
    pub fn new(flavor: Flavor) -> Ractor {
        Ractor { rt: flavor.build() }
    }
}

impl Variant for Ractor {
    fn ask(&mut self, n: usize) -> Option<Vec<u64>> {
        Some(self.rt.block_on(async {
            let (target, handle) = spawn_target().await;
            let t = target.clone();
            let samples = tokio::spawn(async move {
                let mut rec = Recorder::new(n);
                rec.start();
                for i in 0..n as u64 {
                    let v = call!(t, TargetMsg::Inc, i).expect("call");
                    debug_assert_eq!(v, i + 1);
                    rec.lap();
                }
                rec.finish()
            })
            .await
            .expect("driver task");
            stop(target, handle).await;
            samples
        }))
    }

    fn tell(&mut self, n: usize) -> Option<Duration> {
        Some(self.rt.block_on(async {
            let (target, handle) = spawn_target().await;
            let t = target.clone();
            let took = tokio::spawn(async move {
                let start = Instant::now();
                for i in 0..n as u64 {
                    t.cast(TargetMsg::Add(i)).expect("cast");
                }
                call!(t, TargetMsg::Inc, 0).expect("flush");
                start.elapsed()
            })
            .await
            .expect("driver task");
            stop(target, handle).await;
            took
        }))
    }

    fn fan_in(&mut self, senders: usize, per_sender: usize) -> Option<Duration> {
        Some(self.rt.block_on(async {
            let (target, handle) = spawn_target().await;
            let t = target.clone();
            let took = tokio::spawn(async move {
                let start = Instant::now();
                let tasks: Vec<_> = (0..senders)
                    .map(|_| {
                        let t = t.clone();
                        tokio::spawn(async move {
                            for i in 0..per_sender as u64 {
                                t.cast(TargetMsg::Add(i)).expect("cast");
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.expect("sender task");
                }
                call!(t, TargetMsg::Inc, 0).expect("flush");
                start.elapsed()
            })
            .await
            .expect("driver task");
            stop(target, handle).await;
            took
        }))
    }

    fn spawn_stop(&mut self, n: usize) -> Option<Duration> {
        Some(self.rt.block_on(async {
            tokio::spawn(async move {
                let mut actors = Vec::with_capacity(n);
                let start = Instant::now();
                for _ in 0..n {
                    actors.push(Actor::spawn(None, Idle, ()).await.expect("spawn"));
                }
                for (a, _) in &actors {
                    a.stop(None);
                }
                for (_, handle) in actors {
                    handle.await.expect("actor task");
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
            let mut actors = Vec::with_capacity(n);
            for _ in 0..n {
                actors.push(Actor::spawn(None, Idle, ()).await.expect("spawn"));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            let after = crate::memory::resident_bytes();
            for (a, _) in &actors {
                a.stop(None);
            }
            for (_, handle) in actors {
                handle.await.expect("actor task");
            }
            crate::memory::per_item(before, after, n)
        }))
    }

    fn ring(&mut self, size: usize, hops: usize) -> Option<Duration> {
        Some(self.rt.block_on(async {
            let mut nodes = Vec::with_capacity(size);
            for _ in 0..size {
                nodes.push(Actor::spawn(None, Node, ()).await.expect("spawn node"));
            }
            for (i, (node, _)) in nodes.iter().enumerate() {
                let next = nodes[(i + 1) % size].0.clone();
                if node.cast(NodeMsg::Link(next)).is_err() {
                    panic!("ring node refused its link");
                }
            }
            let head = nodes[0].0.clone();
            let took = tokio::spawn(async move {
                let start = Instant::now();
                call!(head, NodeMsg::Token, hops as u64).expect("ring");
                start.elapsed()
            })
            .await
            .expect("driver task");
            for (node, handle) in nodes {
                stop(node, handle).await;
            }
            took
        }))
    }
}
