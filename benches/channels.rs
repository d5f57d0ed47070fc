//! actor-core's (crate-private) SPSC and MPMC bounded channels, one producer
//! thread to one consumer thread (and, for MPMC, two producers and two
//! consumers). The figure is per message.
//!
//! ```sh
//! cargo bench -p benches --bench channels -- --warm-up-time 1 --measurement-time 3
//! ```

#![allow(missing_docs)]

use std::thread;
use std::time::{Duration, Instant};

// The channels are crate-private in actor-core: their source (and the loom
// seam it imports) is compiled in here.
#[allow(unreachable_pub)]
#[path = "../actor-core/src/channel/mod.rs"]
mod channel;
#[allow(unreachable_pub)]
#[path = "../actor-core/src/loom.rs"]
mod loom;

use channel::{mpmc, spsc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const CAPACITY: usize = 1024;

fn spsc_transfer(n: u64) -> Duration {
    let (tx, rx) = spsc::bounded::<u64>(CAPACITY);
    let start = Instant::now();
    let consumer = thread::spawn(move || {
        let mut sum = 0u64;
        for _ in 0..n {
            sum = sum.wrapping_add(rx.recv_blocking().expect("producer alive"));
        }
        sum
    });
    for i in 0..n {
        tx.send_blocking(i).expect("consumer alive");
    }
    std::hint::black_box(consumer.join().expect("consumer"));
    start.elapsed()
}

fn mpmc_transfer(n: u64, producers: u64, consumers: u64) -> Duration {
    let (tx, rx) = mpmc::bounded::<u64>(CAPACITY);
    let per_producer = n.div_ceil(producers);
    let total = per_producer * producers;
    let start = Instant::now();
    let takers: Vec<_> = (0..consumers)
        .map(|c| {
            let rx = rx.clone();
            // Consumers split the total; the first takes the remainder.
            let share = total / consumers + if c == 0 { total % consumers } else { 0 };
            thread::spawn(move || {
                let mut sum = 0u64;
                for _ in 0..share {
                    sum = sum.wrapping_add(rx.recv_blocking().expect("producers alive"));
                }
                sum
            })
        })
        .collect();
    drop(rx);
    let givers: Vec<_> = (0..producers)
        .map(|_| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..per_producer {
                    tx.send_blocking(i).expect("consumers alive");
                }
            })
        })
        .collect();
    drop(tx);
    givers.into_iter().for_each(|g| g.join().expect("producer"));
    for t in takers {
        std::hint::black_box(t.join().expect("consumer"));
    }
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("channel");
    g.throughput(Throughput::Elements(1));
    g.bench_function("spsc_1_to_1", |b| b.iter_custom(spsc_transfer));
    g.bench_function("mpmc_1_to_1", |b| b.iter_custom(|n| mpmc_transfer(n, 1, 1)));
    g.bench_function("mpmc_2_to_2", |b| b.iter_custom(|n| mpmc_transfer(n, 2, 2)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
