//! The tokio bridge's round trip: an actor on a shard hands a trivial future
//! to `Context::spawn_tokio` and awaits it, so each iteration is shard →
//! tokio thread → shard (a spawn, a wake-up of a tokio worker, a poll, a
//! wake-up of the shard). The baseline is the same spawn-and-await done by a
//! task already on the tokio runtime, which the bridge cannot beat.
//!
//! ```sh
//! cargo bench -p benches --bench tokio_bridge -- --warm-up-time 1 --measurement-time 3
//! ```

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Runs `n` round trips to tokio and back, one after the other.
struct Driver;

struct Trips(u64, ReplyTo<Duration>);

impl Actor for Driver {
    type Msg = Trips;
    async fn handle(&mut self, Trips(n, reply): Trips, ctx: &mut Context<Self>) {
        let start = Instant::now();
        for i in 0..n {
            let out = ctx.spawn_tokio(async move { black_box(i) }).await;
            black_box(out.expect("tokio task"));
        }
        reply.send(start.elapsed());
    }
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::builder().shards(2).build().expect("runtime");
    let driver = rt.spawn_on(0, || Driver).expect("driver");
    let tokio = rt.handle().tokio_handle().expect("tokio runtime");
    let mut g = c.benchmark_group("tokio_bridge");
    g.throughput(Throughput::Elements(1));
    g.bench_function("shard_to_tokio_and_back", |b| {
        b.iter_custom(|n| driver.ask_blocking(|r| Trips(n, r)).expect("driver"));
    });
    g.bench_function("within_tokio_baseline", |b| {
        b.iter_custom(|n| {
            let inner = tokio.clone();
            let trips = tokio.spawn(async move {
                let start = Instant::now();
                for i in 0..n {
                    let out = inner.spawn(async move { black_box(i) }).await;
                    black_box(out.expect("tokio task"));
                }
                start.elapsed()
            });
            rt.block_on(trips).expect("baseline")
        });
    });
    g.finish();
    rt.shutdown().expect("clean shutdown");
}

criterion_group!(benches, bench);
criterion_main!(benches);
