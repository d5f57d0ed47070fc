//! A macro-built actor against a hand-written actor over the same enum: the
//! generated path must cost no more than the hand-written one.
//!
//! Both run on shard 0 with the driver, so only the message path differs.

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use actor_core::prelude::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[actor]
#[derive(Debug, Default)]
pub struct MacroCounter {
    total: u64,
}

#[messages]
impl MacroCounter {
    /// Adds `by`.
    #[message]
    pub fn add(&mut self, by: u64) {
        self.total += by;
    }

    /// The total so far.
    #[message]
    pub fn total(&self) -> u64 {
        self.total
    }
}

#[derive(Debug, Default)]
pub struct HandCounter {
    total: u64,
}

impl Actor for HandCounter {
    type Msg = MacroCounterMsg;

    async fn handle(&mut self, msg: MacroCounterMsg, _ctx: &mut Context<Self>) {
        match msg {
            MacroCounterMsg::Add { by, reply_to } => {
                self.total += by;
                if let Some(reply_to) = reply_to {
                    reply_to.send(());
                }
            }
            MacroCounterMsg::Total { reply_to } => reply_to.send(self.total),
        }
    }
}

enum Run {
    MacroTells(u64, ReplyTo<Duration>),
    HandTells(u64, ReplyTo<Duration>),
    MacroAsks(u64, ReplyTo<Duration>),
    HandAsks(u64, ReplyTo<Duration>),
}

struct Driver {
    by_macro: ActorRef<MacroCounter>,
    by_hand: ActorRef<HandCounter>,
}

impl Actor for Driver {
    type Msg = Run;
    async fn handle(&mut self, run: Run, _ctx: &mut Context<Self>) {
        match run {
            Run::MacroTells(n, reply) => {
                let start = Instant::now();
                for by in 0..n {
                    // The generated tell never waits: on a full mailbox, yield.
                    while self.by_macro.add(by).is_err() {
                        actor_core::yield_now().await;
                    }
                }
                self.by_macro.total().await.expect("alive");
                reply.send(start.elapsed());
            }
            Run::HandTells(n, reply) => {
                let start = Instant::now();
                for by in 0..n {
                    while self
                        .by_hand
                        .try_tell(MacroCounterMsg::Add { by, reply_to: None })
                        .is_err()
                    {
                        actor_core::yield_now().await;
                    }
                }
                self.by_hand
                    .ask(|reply_to| MacroCounterMsg::Total { reply_to })
                    .await
                    .expect("alive");
                reply.send(start.elapsed());
            }
            Run::MacroAsks(n, reply) => {
                let start = Instant::now();
                for _ in 0..n {
                    std::hint::black_box(self.by_macro.total().await.expect("alive"));
                }
                reply.send(start.elapsed());
            }
            Run::HandAsks(n, reply) => {
                let start = Instant::now();
                for _ in 0..n {
                    let v = self
                        .by_hand
                        .ask(|reply_to| MacroCounterMsg::Total { reply_to })
                        .await
                        .expect("alive");
                    std::hint::black_box(v);
                }
                reply.send(start.elapsed());
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::builder().shards(1).build().expect("runtime");
    let by_macro = rt.spawn_on(0, MacroCounter::default).expect("spawn");
    let by_hand = rt.spawn_on(0, HandCounter::default).expect("spawn");
    let driver = rt
        .spawn_on(0, move || Driver { by_macro, by_hand })
        .expect("spawn");

    let mut g = c.benchmark_group("macro_vs_hand");
    g.throughput(Throughput::Elements(1));
    type Make = fn(u64, ReplyTo<Duration>) -> Run;
    let cases: [(&str, Make); 4] = [
        ("tell/macro", Run::MacroTells),
        ("tell/hand", Run::HandTells),
        ("ask/macro", Run::MacroAsks),
        ("ask/hand", Run::HandAsks),
    ];
    for (name, make) in cases {
        g.bench_function(name, |b| {
            b.iter_custom(|n| driver.ask_blocking(|r| make(n, r)).expect("driver"));
        });
    }
    g.finish();
    rt.shutdown().expect("clean shutdown");
}

criterion_group!(benches, bench);
criterion_main!(benches);
