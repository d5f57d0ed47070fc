//! Hot paths of the core: ask round-trip and tell throughput on the same
//! shard and across shards, and spawn + stop.
//!
//! Each measurement runs inside a driver actor on shard 0, so "same shard"
//! and "across shards" mean what they say; the bench thread only starts a
//! batch and reads its elapsed time.

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use actor_core::config::Builder;
use actor_core::prelude::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "fixtures.rs"]
#[allow(dead_code)] // each benchmark uses some of the fixtures
mod fixtures;

use fixtures::{Idle, Target, TargetMsg};

enum Job {
    Asks(ActorRef<Target>, u64, ReplyTo<Duration>),
    Tells(ActorRef<Target>, u64, ReplyTo<Duration>),
    SpawnStop(u64, ReplyTo<Duration>),
}

struct Driver;

impl Actor for Driver {
    type Msg = Job;
    async fn handle(&mut self, job: Job, ctx: &mut Context<Self>) {
        match job {
            Job::Asks(target, n, reply) => {
                let start = Instant::now();
                for _ in 0..n {
                    let v = target.ask(TargetMsg::Get).await.expect("target alive");
                    std::hint::black_box(v);
                }
                reply.send(start.elapsed());
            }
            Job::Tells(target, n, reply) => {
                let start = Instant::now();
                for i in 0..n {
                    target.tell(TargetMsg::Add(i)).await.expect("target alive");
                }
                target.ask(TargetMsg::Get).await.expect("target alive");
                reply.send(start.elapsed());
            }
            Job::SpawnStop(n, reply) => {
                let start = Instant::now();
                for _ in 0..n {
                    let a = ctx.spawn(Idle);
                    a.stop();
                    a.wait_stopped().await;
                }
                reply.send(start.elapsed());
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::builder().shards(2).build().expect("runtime");
    let driver = rt.spawn_on(0, || Driver).expect("driver");
    let local = rt.spawn_on(0, || Target(0)).expect("target");
    let remote = rt.spawn_on(1, || Target(0)).expect("target");

    let mut g = c.benchmark_group("ask_round_trip");
    g.throughput(Throughput::Elements(1));
    for (name, target) in [("same_shard", &local), ("across_shards", &remote)] {
        g.bench_function(name, |b| {
            b.iter_custom(|n| {
                driver
                    .ask_blocking(|r| Job::Asks(target.clone(), n, r))
                    .expect("driver")
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("tell_throughput");
    g.throughput(Throughput::Elements(1));
    for (name, target) in [("same_shard", &local), ("across_shards", &remote)] {
        g.bench_function(name, |b| {
            b.iter_custom(|n| {
                driver
                    .ask_blocking(|r| Job::Tells(target.clone(), n, r))
                    .expect("driver")
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("spawn_stop");
    g.throughput(Throughput::Elements(1));
    g.bench_function("same_shard", |b| {
        b.iter_custom(|n| {
            driver
                .ask_blocking(|r| Job::SpawnStop(n, r))
                .expect("driver")
        });
    });
    g.finish();

    rt.shutdown().expect("clean shutdown");
}

/// Cross-shard asks under the default configuration and under the two
/// defaults it rejects: pinned shards, and parking without a spin. These
/// figures back the reasons in `actor_core::config` (defaults.rs).
fn cross_shard_config(c: &mut Criterion) {
    let mut g = c.benchmark_group("ask_across_shards_config");
    g.throughput(Throughput::Elements(1));
    type Tweak = fn(Builder) -> Builder;
    let variants: [(&str, Tweak); 3] = [
        ("default", |b| b),
        ("pinned", |b| b.pin_threads(true)),
        ("no_spin", |b| b.spin_before_park(Duration::ZERO)),
    ];
    for (name, tweak) in variants {
        let rt = tweak(Runtime::builder().shards(2))
            .build()
            .expect("runtime");
        let driver = rt.spawn_on(0, || Driver).expect("driver");
        let remote = rt.spawn_on(1, || Target(0)).expect("target");
        g.bench_function(name, |b| {
            b.iter_custom(|n| {
                driver
                    .ask_blocking(|r| Job::Asks(remote.clone(), n, r))
                    .expect("driver")
            });
        });
        rt.shutdown().expect("clean shutdown");
    }
    g.finish();
}

criterion_group!(benches, bench, cross_shard_config);
criterion_main!(benches);
